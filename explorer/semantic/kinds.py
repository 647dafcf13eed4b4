"""Claim kinds: weighted cue rules, the context above a claim, and a regression over embeddings.

Three swappable classifiers share one method, ``classify(claims, contexts, vectors)``:
:class:`NullKindClassifier` (everything gets the default kind), :class:`RuleKindClassifier`
(cue patterns, negation, contrast, questions, section context) and :class:`KindClassifier`,
which adds a softmax regression fitted on the taxonomy's example sentences (at first use,
in milliseconds, so a vault's own taxonomy trains its own classifier) and adds up the three
kinds of evidence:

    score(kind) = log P(kind | embedding) + cues(kind) + context(kind)

The default kind wins unless another kind's score beats it by ``margin``. Questions are
settled by rule before any of this.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from explorer.core.model import Claim
from explorer.semantic.context import lead_in_scopes
from explorer.semantic.prefilter import PatternSet, fold
from explorer.semantic.taxonomy import Kind, Taxonomy
from explorer.semantic.types import KindLabel

# A cue right after one of these is negated: "not able to", "never simulates", and
# "only" limits: "they only perform well with tricks on top" is a limitation.
_NEGATOR = re.compile(
    r"\b(?:not|never|no|hardly|barely|cannot|can't|n't|only)\W+(?:\w+\W+){0,2}$", re.I
)
# Hedges lower a rule's confidence without changing its verdict.
_HEDGE = re.compile(r"\b(?:may|might|perhaps|maybe|possibly|probably|arguably|seems?)\b", re.I)
_PAREN = re.compile(r"\([^()]*\)")
_QUESTION_START = re.compile(
    # Wh-words open statements too ("What you want is ..."); a negative auxiliary
    # first ("Wouldn't it make sense ...") asks even when the '?' got lost.
    r"^\s*(?:wouldn[’']t|shouldn[’']t|couldn[’']t|isn[’']t|aren[’']t|doesn[’']t|don[’']t|won[’']t)\b",
    re.I,
)
# Where a sentence (or a "Label: ..." clause) starts, a capital letter means nothing.
_CLAUSE_START = re.compile(r"(?:^|[.:;!?…\-–—(\"“]\s*)$")
_WORD = re.compile(r"\w+")

CUE_WEIGHT = 1.0
# In "X can do A, but cannot do B" the point is B: cues after a contrast count more.
_CONTRAST = re.compile(r"\b(?:but|however|though|although|yet|whereas)\b", re.I)
BEFORE_CONTRAST, AFTER_CONTRAST = 0.7, 1.4
# Context (headings, parent item, lead-in) decides a fragment ("Mathematics." under
# "Capability limitations") and only nudges a full sentence, which speaks for itself.
CONTEXT_WEIGHT = 0.6
FRAGMENT_CONTEXT_WEIGHT = 1.6
FRAGMENT_WORDS = 4
FRAGMENT_ITEM_WORDS = 8
# The nearest heading or parent counts fully, the one above it less, the rest less still.
CONTEXT_DECAY = (1.0, 0.8, 0.6)
QUESTION_WEIGHT = 3.0
# Cues of a kind whose ``about`` patterns match neither the claim nor its context.
OFF_SUBJECT = 0.5
# A task item ("- [ ] reread chapter 4") is a plan: evidence for the default kind.
TASK_WEIGHT = 1.0
# The kind of the claim a fragment hangs from (its parent item, or the lead-in line it
# follows) counts like its nearest heading: "Not real-time." under "They may appear
# conscious, however, they are…" is what that line says it is.
GOVERNOR_WEIGHT = 1.0
# Softmax regression over the examples' embeddings: ridge strength and full-batch steps.
L2 = 0.03
STEPS = 200
STEP_SIZE = 2.0
# How much the regression's log-probability counts against the cues (in cue units).
EMBEDDING_WEIGHT = 1.0


# The kind rules, their features and the voices ask these of every claim several times:
# pure functions of the text, remembered for the last few thousand texts.
@lru_cache(maxsize=4096)
def is_question(text: str) -> bool:
    """An interrogative sentence; a '?' inside parentheses ("(??)") does not count."""
    bare = _PAREN.sub("", text).strip().rstrip("…. ")
    return bare.endswith("?") or bool(_QUESTION_START.match(bare))


@lru_cache(maxsize=4096)
def is_fragment(text: str) -> bool:
    """A few words with no sentence of their own ("Mathematics.", "Not real-time."), or a
    short note-style item in lower case with no full stop ("refactoring inside a file")."""
    bare = _PAREN.sub(" ", text).strip()
    words = len(_WORD.findall(bare))
    if words <= FRAGMENT_WORDS:
        return True
    return words <= FRAGMENT_ITEM_WORDS and bare[:1].islower() and not bare.endswith((".", "!"))


_TITLE_NEIGHBOUR = re.compile(r"(?:\b[A-Z][\w\-]*\s+$)")
_TITLE_NEXT = re.compile(r"^\w*\s+[A-Z][a-z]")


def is_proper_name_use(text: str, start: int) -> bool:
    """A capitalised cue inside a title or name ("see LLM Limitations", "Machine
    Consciousness - From ..."), not a cue: capitalised in mid-sentence, or next to
    another capitalised word."""
    if not text[start : start + 1].isupper():
        return False
    if not _CLAUSE_START.search(text[:start]):
        return True
    return bool(_TITLE_NEIGHBOUR.search(text[:start]) or _TITLE_NEXT.search(text[start:]))


def context_pieces(context: str) -> list[str]:
    """The context string's headings, parent item and lead-in, nearest last."""
    out: list[str] = []
    for part in context.split(" | "):
        out.extend(p for p in part.split(" > ") if p.strip())
    return out


def resolve_kind(user: KindLabel | None, computed: KindLabel) -> KindLabel:
    """The label a claim shows: a user's correction wins over anything computed."""
    if user is not None:
        return KindLabel(computed.claim_id, user.kind, 1.0, "user", user.reason)
    return computed


def fit_softmax(
    x: np.ndarray, y: np.ndarray, n_classes: int, l2: float = L2, steps: int = STEPS
) -> tuple[np.ndarray, np.ndarray]:
    """Weights and biases of a multinomial logistic regression (full-batch gradient descent).

    Rows of ``x`` are unit vectors, so a fixed step size is stable; a few hundred steps
    over a few hundred examples take milliseconds. Each class weighs the same in the
    loss whatever its number of examples: how many sentences a taxonomy's author wrote
    for a kind says nothing about how common the kind is.
    """
    n, d = x.shape
    w = np.zeros((d, n_classes), dtype=np.float64)
    b = np.zeros(n_classes, dtype=np.float64)
    onehot = np.eye(n_classes)[y]
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    per_row = (1.0 / (n_classes * np.maximum(counts, 1.0)))[y][:, None]
    for _ in range(steps):
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) * per_row
        w -= STEP_SIZE * (x.T @ g + l2 * w)
        b -= STEP_SIZE * g.sum(axis=0)
    return w, b


class NullKindClassifier:
    """Every claim gets the taxonomy's default kind (a no-op stage)."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy

    def classify(
        self,
        claims: Sequence[Claim],
        contexts: Mapping[str, str] | None = None,
        vectors: Mapping[str, np.ndarray] | None = None,
    ) -> dict[str, KindLabel]:
        kid = self.taxonomy.default_kind.id
        return {c.id: KindLabel(c.id, kid, 0.0, "default") for c in claims}


def _clip(x: float, lo: float, hi: float) -> float:
    """``x`` held to [lo, hi], as a float (np.clip's result, without its per-call cost)."""
    return float(min(max(x, lo), hi))


class RuleKindClassifier:
    """Cue patterns from the taxonomy, with negation, questions and section context."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        # Every cue with its kind and weight, in taxonomy order, and one literal scan over
        # them (prefilter.PatternSet): the rules run on every claim of the vault.
        self._flat = [(kind, p, w) for kind in taxonomy.kinds for p, w in kind.weighted_cues()]
        self._cue_set = PatternSet(p for _, p, _ in self._flat)
        self._section_flat = [
            (kind, p, w) for kind in taxonomy.kinds for p, w in kind.weighted_section_cues()
        ]
        self._section_set = PatternSet(p for _, p, _ in self._section_flat)
        self._order = {k: i for i, k in enumerate(taxonomy.ids)}  # the rules' tie-break

    def _candidates(self, folded: str | None) -> list[tuple[Kind, re.Pattern, float]]:
        """The cues whose regex could match, in taxonomy order.

        Most of the ~120 cues need a literal the claim does not contain: one scan
        finds the literals it does contain and with them the cues worth running
        (prefilter.PatternSet), instead of a test per cue.
        """
        flat = self._flat
        return [flat[i] for i in self._cue_set.candidates(folded)]

    def cue_scores(self, text: str, context: str = "") -> dict[str, tuple[float, list[str]]]:
        """Kind id -> (evidence, reasons) from the claim's own words."""
        scores: dict[str, tuple[float, list[str]]] = {}
        by_id = self.taxonomy.by_id

        def add(kid: str, w: float, why: str) -> None:
            if by_id[kid].off_subject(text, context):
                w *= OFF_SUBJECT
                why += " (off subject)"
            s, whys = scores.get(kid, (0.0, []))
            scores[kid] = (s + w, whys + [why])

        body = _PAREN.sub(" ", text)
        contrast = _CONTRAST.search(body)
        pivot = contrast.start() if contrast else None
        for kind, pat, weight in self._candidates(fold(body)):
            for m in pat.finditer(body):
                if is_proper_name_use(body, m.start()):
                    continue
                w = CUE_WEIGHT * weight
                if pivot is not None:
                    w *= AFTER_CONTRAST if m.start() > pivot else BEFORE_CONTRAST
                if kind.negated and _NEGATOR.search(body[: m.start()]):
                    add(kind.negated, w, f"negated '{m.group()}'")
                else:
                    add(kind.id, w, f"'{m.group()}'")
                break  # one hit per pattern: a repeated word is not more evidence
        return scores

    def context_scores(self, context: str, fragment: bool = False) -> dict[str, tuple[float, str]]:
        """Kind id -> (evidence, reason) from the headings, parent and lead-in above a claim."""
        out: dict[str, tuple[float, str]] = {}
        if not context:
            return out
        pieces = context_pieces(context)
        scale = FRAGMENT_CONTEXT_WEIGHT if fragment else CONTEXT_WEIGHT
        pieces = pieces[::-1]
        # Per piece, the section cues that could match it; a cue counts at the nearest
        # piece it matches.
        possible = [set(self._section_set.candidates(fold(piece))) for piece in pieces]
        flat = self._section_flat
        for i in sorted(set().union(*possible)):
            kind, pat, weight = flat[i]
            for dist, piece in enumerate(pieces):
                if i not in possible[dist]:
                    continue
                m = pat.search(piece)
                if m:
                    w = scale * weight * CONTEXT_DECAY[min(dist, len(CONTEXT_DECAY) - 1)]
                    if w > out.get(kind.id, (0.0, ""))[0]:
                        out[kind.id] = (w, f"under '{m.group()}'")
                    break
        return out

    def rule_scores(self, text: str, context: str = "") -> dict[str, tuple[float, str]]:
        """Kind id -> (score, reason) from the cues and context that fire; empty when none does."""
        cues = self.cue_scores(text, context)
        total = {k: s for k, (s, _) in cues.items()}
        reasons = {k: list(why) for k, (_, why) in cues.items()}

        def add(kid: str, w: float, why: str) -> None:
            total[kid] = total.get(kid, 0.0) + w
            reasons.setdefault(kid, []).append(why)

        for kid, (w, why) in self.context_scores(context, is_fragment(text)).items():
            add(kid, w, why)
        qkind = self.taxonomy.question_kind
        if qkind is not None and is_question(text):
            taker = self._question_taker(text, context)
            # A question outweighs statement cues: "Can LLMs reason?" asks, it does not claim.
            add(taker.id if taker else qkind.id, QUESTION_WEIGHT, "question")
        return {k: (s, ", ".join(reasons[k])) for k, s in total.items()}

    def _question_taker(self, text, context) -> Kind | None:
        for kind in self.taxonomy.kinds:
            if kind.takes_questions and (
                any(p.search(text) for p in kind.cues)
                or any(p.search(context) for p in kind.section_cues)
            ):
                return kind
        return None

    def label_from_rules(self, claim: Claim, context: str) -> KindLabel | None:
        scores = self.rule_scores(claim.text, context)
        if not scores:
            return None
        order = self._order
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], order[kv[0]]))
        (best, (s1, why)), s2 = ranked[0], (ranked[1][1][0] if len(ranked) > 1 else 0.0)
        if all(r.startswith("under ") for r in why.split(", ")):
            # Only the heading speaks for it: a weak prior, which a prototype may overrule.
            return KindLabel(claim.id, best, 0.45, "context", why)
        conf = 0.5 + 0.15 * min(s1, 3.0) - 0.15 * min(s2, 2.0)
        if _HEDGE.search(claim.text):
            conf -= 0.1
        return KindLabel(claim.id, best, _clip(conf, 0.3, 0.95), "rule", why)

    def classify(self, claims, contexts=None, vectors=None) -> dict[str, KindLabel]:
        contexts = contexts or {}
        default = self.taxonomy.default_kind.id
        out = {}
        for c in claims:
            lab = self.label_from_rules(c, contexts.get(c.id, ""))
            if lab is not None and lab.source == "context":
                lab = KindLabel(c.id, lab.kind, lab.confidence, "rule", lab.reason)
            out[c.id] = lab or KindLabel(c.id, default, 0.5, "default")
        return out


class KindClassifier(RuleKindClassifier):
    """Rules and context plus a softmax regression over the taxonomy's example embeddings.

    ``embedder`` embeds the examples once (on first use; one batch a kind); claim
    vectors come from the caller. With no embedder or no vectors it is the rule
    classifier. ``min_similarity``: a claim whose cosine to every example is below it
    is one the examples say nothing about (non-English text, a formula), so only its
    cues and context count. ``margin``: how far another kind's score must beat the
    default kind's.
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        embedder=None,
        *,
        min_similarity: float = 0.3,
        margin: float = 0.8,
    ) -> None:
        super().__init__(taxonomy)
        self.embedder = embedder
        self.min_similarity = min_similarity
        self.margin = margin
        self._examples: np.ndarray | None = None
        self._example_kind: np.ndarray | None = None
        self._ids: list[str] = []
        self._model: tuple[np.ndarray, np.ndarray] | None = None

    def _embed_examples(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Embed every kind's examples once: the example vectors and each one's index into
        ``self._ids``; None when there is nothing to learn from."""
        if self.embedder is None:
            return None
        if self._examples is None or self._example_kind is None:
            rows: list[np.ndarray] = []
            owner: list[int] = []
            ids: list[str] = []
            for kind in self.taxonomy.kinds:
                if not kind.examples:
                    continue
                vecs = np.asarray(self.embedder.encode(list(kind.examples)), dtype=np.float32)
                rows.append(vecs)
                owner += [len(ids)] * len(vecs)
                ids.append(kind.id)
            self._ids = ids
            self._examples = (
                np.vstack(rows) if rows else np.zeros((0, getattr(self.embedder, "dim", 0)))
            )
            self._example_kind = np.asarray(owner, dtype=np.int64)
        return (self._examples, self._example_kind) if self._ids else None

    def prototypes(self) -> tuple[list[str], np.ndarray] | None:
        """Kind ids and their unit-length mean example vectors (kinds without examples skipped)."""
        learned = self._embed_examples()
        if learned is None:
            return None
        examples, example_kind = learned
        rows = []
        for i in range(len(self._ids)):
            v = examples[example_kind == i].mean(axis=0)
            rows.append(v / (np.linalg.norm(v) or 1.0))
        return list(self._ids), np.asarray(rows, dtype=np.float32)

    def model(self) -> tuple[list[str], np.ndarray, np.ndarray] | None:
        """Kind ids, weights and biases of the regression (statement kinds only)."""
        learned = self._embed_examples()
        if learned is None:
            return None
        examples, example_kind = learned
        qkind = self.taxonomy.question_kind
        keep = [i for i, k in enumerate(self._ids) if qkind is None or k != qkind.id]
        if len(keep) < 2:
            return None
        if self._model is None:
            mask = np.isin(example_kind, keep)
            remap = {old: new for new, old in enumerate(keep)}
            y = np.asarray([remap[int(k)] for k in example_kind[mask]])
            x = examples[mask].astype(np.float64)
            self._model = fit_softmax(x, y, len(keep), L2, STEPS)
        return [self._ids[i] for i in keep], self._model[0], self._model[1]

    def classify(self, claims, contexts=None, vectors=None) -> dict[str, KindLabel]:
        contexts = contexts or {}
        model = self.model() if vectors else None
        if model is None:
            return super().classify(claims, contexts, vectors)
        ids, w, b = model
        default = self.taxonomy.default_kind.id
        order = {k: i for i, k in enumerate(self.taxonomy.ids)}
        governor = {c.id: c.parent_id for c in claims if c.parent_id}
        for lead, ruled in lead_in_scopes(list(claims)).items():
            for cid in ruled:
                governor.setdefault(cid, lead)
        out: dict[str, KindLabel] = {}
        for c in claims:
            ctx = contexts.get(c.id, "")
            v = vectors.get(c.id)
            if v is None or is_question(c.text):
                lab = self.label_from_rules(c, ctx)
                if lab is not None and lab.source == "context":
                    lab = KindLabel(c.id, lab.kind, lab.confidence, "rule", lab.reason)
                out[c.id] = lab or KindLabel(c.id, default, 0.5, "default")
                continue
            above = out.get(governor.get(c.id, ""))
            out[c.id] = self._decide(
                c, ctx, np.asarray(v, dtype=np.float64), ids, w, b, order, above
            )
        return out

    def _decide(self, claim, context, v, ids, w, b, order, above=None) -> KindLabel:
        default = self.taxonomy.default_kind.id
        examples = self._examples
        assert examples is not None  # classify decides only once model() has embedded them
        top = float(np.max(examples @ v)) if len(examples) else 0.0
        fits = top >= self.min_similarity
        scores = dict.fromkeys(self.taxonomy.ids, 0.0)
        if fits:
            z = v @ w + b
            z -= z.max()
            logp = z - np.log(np.exp(z).sum())
            for kid, lp in zip(ids, logp, strict=True):
                scores[kid] += EMBEDDING_WEIGHT * float(lp)
            # Kinds the regression does not know start from its least likely kind.
            floor = EMBEDDING_WEIGHT * float(logp.min())
            for kid in scores:
                if kid not in ids:
                    scores[kid] += floor
        cues = self.cue_scores(claim.text, context)
        # Context decides a fragment that says nothing itself; one with a clear cue of its
        # own ("fails quietly on new libraries" under a capability) is only nudged by it.
        fragment = is_fragment(claim.text) and max((e for e, _ in cues.values()), default=0) < 0.8
        ctx = self.context_scores(context, fragment)
        qkind = self.taxonomy.question_kind
        if (
            above is not None
            and above.kind != default
            and (qkind is None or above.kind != qkind.id)
        ):
            scale = FRAGMENT_CONTEXT_WEIGHT if fragment else CONTEXT_WEIGHT
            w_above = scale * GOVERNOR_WEIGHT
            if w_above > ctx.get(above.kind, (0.0, ""))[0]:
                ctx[above.kind] = (w_above, f"under a {above.kind} line")
        if claim.block == "task":
            s, whys = cues.get(default, (0.0, []))
            cues[default] = (s + TASK_WEIGHT, whys + ["a task"])
        for kid, (s, _) in cues.items():
            scores[kid] += s
        for kid, (s, _) in ctx.items():
            scores[kid] += s
        if qkind is not None:
            scores.pop(qkind.id, None)  # a statement is never a question by resemblance
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))
        best, s1 = ranked[0]
        if best != default and s1 - scores.get(default, s1) < self.margin:
            best = default
        if not fits and best not in cues and best not in ctx:
            # Nothing fits: the default, with a confidence that says how weakly anything fit.
            conf = _clip(0.2 + top * 0.6, 0.1, 0.5)
            return KindLabel(claim.id, default, conf, "default")
        vals = np.asarray([s for _, s in ranked])
        p = np.exp(vals - vals.max())
        conf = float(p[[k for k, _ in ranked].index(best)] / p.sum())
        if best in cues and _HEDGE.search(claim.text):
            conf -= 0.1
        conf = _clip(conf, 0.3, 0.95)
        reasons = cues.get(best, (0.0, []))[1] + ([ctx[best][1]] if best in ctx else [])
        if best in cues:
            return KindLabel(claim.id, best, conf, "rule", ", ".join(reasons))
        if best == default and best not in ctx:
            return KindLabel(claim.id, best, conf, "default", "closest to no other kind")
        why = f"close to '{best}' examples" if fits else ""
        return KindLabel(
            claim.id, best, conf, "embedding", ", ".join(filter(None, [why] + reasons))
        )


def require_subjects(
    labels: Mapping[str, KindLabel],
    claims: Sequence[Claim],
    contexts: Mapping[str, str],
    taxonomy: Taxonomy,
    title: str = "",
) -> dict[str, KindLabel]:
    """``labels`` with each kind that names a ``subject`` kept only where one is named.

    A claim labelled with such a kind whose text, headings and note title name none of
    its subject gets the default kind instead ("Conditions" in a statistics note, a
    "must" in software docs are no consciousness criteria).
    """
    kinds = {k.id: k for k in taxonomy.kinds if k.subject}
    if not kinds:
        return dict(labels)
    default = taxonomy.default_kind.id
    out = dict(labels)
    for c in claims:
        lab = out.get(c.id)
        kind = kinds.get(lab.kind) if lab is not None else None
        if kind is not None and not kind.has_subject(c.text, contexts.get(c.id, ""), title):
            out[c.id] = KindLabel(
                c.id, default, 0.5, "rule", f"no {kind.name.lower()} subject named"
            )
    return out
