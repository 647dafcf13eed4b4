"""Claim kinds: cue rules first, then closeness to the taxonomy's example sentences.

Three swappable classifiers share one method, ``classify(claims, contexts, vectors)``:
:class:`NullKindClassifier` (everything gets the default kind), :class:`RuleKindClassifier`
(cue patterns, negation, questions, section context) and :class:`KindClassifier`, which
adds embedding prototypes (the mean vector of each kind's examples) to the rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from explorer.core.model import Claim
from explorer.semantic.taxonomy import Kind, Taxonomy
from explorer.semantic.types import KindLabel

# A cue right after one of these is negated: "not able to", "never simulates".
_NEGATOR = re.compile(r"\b(?:not|never|no|hardly|barely|cannot|can't|n't)\W+(?:\w+\W+){0,2}$", re.I)
# Hedges lower a rule's confidence without changing its verdict.
_HEDGE = re.compile(r"\b(?:may|might|perhaps|maybe|possibly|probably|arguably|seems?)\b", re.I)
_PAREN = re.compile(r"\([^()]*\)")
_QUESTION_START = re.compile(
    # Wh-words open statements too ("What you want is ..."); a negative auxiliary
    # first ("Wouldn't it make sense ...") asks even when the '?' got lost.
    r"^\s*(?:wouldn[’']t|shouldn[’']t|couldn[’']t|isn[’']t|aren[’']t|doesn[’']t|don[’']t|won[’']t)\b",
    re.I,
)

CUE_WEIGHT = 1.0
CONTEXT_WEIGHT = 0.6
# In "X can do A, but cannot do B" the point is B: cues after a contrast count more.
_CONTRAST = re.compile(r"\b(?:but|however|though|although|yet|whereas)\b", re.I)
BEFORE_CONTRAST, AFTER_CONTRAST = 0.7, 1.4
CONTEXT_BONUS = 0.08  # added to the cosine of the kind a heading suggests


def is_question(text: str) -> bool:
    """An interrogative sentence; a '?' inside parentheses ("(??)") does not count."""
    bare = _PAREN.sub("", text).strip().rstrip("…. ")
    return bare.endswith("?") or bool(_QUESTION_START.match(bare))


def resolve_kind(user: KindLabel | None, computed: KindLabel) -> KindLabel:
    """The label a claim shows: a user's correction wins over anything computed."""
    if user is not None:
        return KindLabel(computed.claim_id, user.kind, 1.0, "user", user.reason)
    return computed


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


class RuleKindClassifier:
    """Cue patterns from the taxonomy, with negation, questions and section context."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy

    def rule_scores(self, text: str, context: str = "") -> dict[str, tuple[float, str]]:
        """Kind id -> (score, reason) from the cues that fire; empty when none does."""
        tax = self.taxonomy
        scores: dict[str, list] = {}

        def add(kid: str, w: float, why: str) -> None:
            s = scores.setdefault(kid, [0.0, []])
            s[0] += w
            s[1].append(why)

        body = _PAREN.sub(" ", text)
        contrast = _CONTRAST.search(body)
        pivot = contrast.start() if contrast else None
        for kind in tax.kinds:
            for pat in kind.cues:
                for m in pat.finditer(body):
                    w = CUE_WEIGHT
                    if pivot is not None:
                        w *= AFTER_CONTRAST if m.start() > pivot else BEFORE_CONTRAST
                    negated = kind.negated and _NEGATOR.search(body[: m.start()])
                    if negated:
                        add(kind.negated, w, f"negated '{m.group()}'")
                    else:
                        add(kind.id, w, f"'{m.group()}'")
                    break  # one hit per pattern: a repeated word is not more evidence
            if context:
                for pat in kind.section_cues:
                    m = pat.search(context)
                    if m:
                        add(kind.id, CONTEXT_WEIGHT, f"under '{m.group()}'")
                        break
        qkind = tax.question_kind
        if qkind is not None and is_question(text):
            taker = self._question_taker(text, context, scores)
            # A question outweighs statement cues: "Can LLMs reason?" asks, it does not claim.
            add(taker.id if taker else qkind.id, 3 * CUE_WEIGHT, "question")
        return {k: (v[0], ", ".join(v[1])) for k, v in scores.items()}

    def _question_taker(self, text, context, scores) -> Kind | None:
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
        order = {k: i for i, k in enumerate(self.taxonomy.ids)}
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], order[kv[0]]))
        (best, (s1, why)), s2 = ranked[0], (ranked[1][1][0] if len(ranked) > 1 else 0.0)
        if all(r.startswith("under ") for r in why.split(", ")):
            # Only the heading speaks for it: a weak prior, which a prototype may overrule.
            return KindLabel(claim.id, best, 0.45, "context", why)
        conf = 0.5 + 0.15 * min(s1, 3.0) - 0.15 * min(s2, 2.0)
        if _HEDGE.search(claim.text):
            conf -= 0.1
        return KindLabel(claim.id, best, float(np.clip(conf, 0.3, 0.95)), "rule", why)

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

    def _labels(self, claims, contexts):
        """Rule labels, keeping the 'context' marker the prototype stage looks at."""
        default = self.taxonomy.default_kind.id
        return {
            c.id: self.label_from_rules(c, contexts.get(c.id, ""))
            or KindLabel(c.id, default, 0.5, "default")
            for c in claims
        }


class KindClassifier(RuleKindClassifier):
    """Rules, then embedding prototypes for the claims no rule decides.

    ``embedder`` embeds the taxonomy's examples once (on first use); claim vectors
    come from the caller. With no embedder or no vectors it is the rule classifier.
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        embedder=None,
        *,
        min_similarity: float = 0.3,
        margin: float = 0.04,
    ) -> None:
        super().__init__(taxonomy)
        self.embedder = embedder
        self.min_similarity = min_similarity
        self.margin = margin
        self._protos: np.ndarray | None = None
        self._proto_ids: list[str] = []

    def prototypes(self) -> tuple[list[str], np.ndarray] | None:
        """Kind ids and their unit-length prototype vectors (kinds without examples skipped)."""
        if self.embedder is None:
            return None
        if self._protos is None:
            ids, rows = [], []
            for kind in self.taxonomy.kinds:
                if kind.examples:
                    v = self.embedder.encode(list(kind.examples)).mean(axis=0)
                    rows.append(v / (np.linalg.norm(v) or 1.0))
                    ids.append(kind.id)
            self._proto_ids = ids
            self._protos = np.asarray(rows, dtype=np.float32).reshape(len(rows), -1)
        return self._proto_ids, self._protos

    def classify(self, claims, contexts=None, vectors=None) -> dict[str, KindLabel]:
        contexts = contexts or {}
        labels = self._labels(claims, contexts)
        protos = self.prototypes() if vectors else None
        if protos is None or not protos[0]:
            return {
                cid: KindLabel(cid, lab.kind, lab.confidence, "rule", lab.reason)
                if lab.source == "context"
                else lab
                for cid, lab in labels.items()
            }
        ids, P = protos
        default = self.taxonomy.default_kind.id
        qkind = self.taxonomy.question_kind
        for c in claims:
            lab = labels[c.id]
            v = vectors.get(c.id)
            if v is None:
                if lab.source == "context":
                    labels[c.id] = KindLabel(c.id, lab.kind, lab.confidence, "rule", lab.reason)
                continue
            sims = P @ np.asarray(v, dtype=np.float32)
            if lab.source == "context" and lab.kind in ids:
                sims = sims.copy()
                sims[ids.index(lab.kind)] += CONTEXT_BONUS
            order = np.argsort(-sims)
            best, second = ids[order[0]], (sims[order[1]] if len(ids) > 1 else 0.0)
            top = float(sims[order[0]])
            if lab.source == "rule":
                # Agreement with the prototype raises confidence; disagreement lowers it.
                bump = 0.1 if best == lab.kind else -0.05
                conf = float(np.clip(lab.confidence + bump, 0.3, 0.98))
                labels[c.id] = KindLabel(c.id, lab.kind, conf, "rule", lab.reason)
                continue
            if qkind is not None and best == qkind.id:
                # A statement is never a question by resemblance alone: take the next best.
                order = order[1:]
                best, top = ids[order[0]], float(sims[order[0]])
                second = sims[order[1]] if len(order) > 1 else 0.0
            heading_agrees = lab.source == "context" and best == lab.kind
            if (
                best != default
                and top >= self.min_similarity
                and (top - second >= self.margin or heading_agrees)
            ):
                conf = float(
                    np.clip(0.4 + (top - second) * 2 + (top - self.min_similarity), 0.35, 0.85)
                )
                why = f"close to '{best}' examples ({top:.2f})" + (
                    f", {lab.reason}" if heading_agrees else ""
                )
                labels[c.id] = KindLabel(c.id, best, conf, "embedding", why)
            else:
                # Nothing fits: the default, with a confidence that says how weakly anything fit.
                conf = float(np.clip(0.2 + top * 0.6, 0.1, 0.6))
                labels[c.id] = KindLabel(c.id, default, conf, "default")
        return labels
