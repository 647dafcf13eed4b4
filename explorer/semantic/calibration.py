"""A kind's confidence that means what it says: logistic calibration over the evidence.

The classifier's own confidence is a softmax over scores in cue units; it is sure of
itself exactly where it is most often wrong (a single "not" or "conscious" deciding a
limitation or a criterion, a capability with no cue word left as an assertion). This
module reads the same evidence the classifier used, as a handful of features (which
source decided, how strong the deciding cue was against the strongest rival, whether the
rules alone and the regression alone agree with the verdict, the regression's margin
between its top two kinds, fragment, hedge, question ...), and maps them through a
logistic regression to P(kind is right). The weights were fitted on the development
labels only (``tests/semantic/dev_labels.jsonl``; ``benchmarks/fit_calibration.py``
writes ``calibration_params.py``), one set for runs with a model and one for rules only.

Only the confidence changes: the kind, its source and reason stay the classifier's, so
calibration can never make a kind worse, only tell the user where to look.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Mapping, Sequence

import numpy as np

from explorer.semantic.kinds import _HEDGE, is_fragment, is_question
from explorer.semantic.types import KindLabel

FEATURES = (
    "raw",  # the classifier's own confidence
    "src_rule",
    "src_embedding",
    "src_default",
    "question",
    "cue_own",  # cue evidence for the chosen kind (capped, 0..1)
    "cue_other",  # strongest cue evidence for any other kind (capped, 0..1)
    "cue_hits",  # how many distinct cues back the chosen kind (capped, 0..1)
    "ctx_own",  # heading / parent / lead-in evidence for the chosen kind
    "ctx_other",  # ... for any other kind
    "rules_agree",  # cues and context alone pick the same kind
    "rules_silent",  # no cue or context fires at all
    "reg_p",  # the regression's probability of the chosen kind
    "reg_margin",  # the regression's top-two margin
    "reg_agree",  # the regression alone picks the chosen kind
    "no_reg",  # no regression term (no vector, or the claim fits no example)
    "fragment",
    "hedge",
    "negation",  # "not", "no", "never", "n't", "fail": the words that mislead cues most
    "is_default_kind",
    "fit",  # cosine to the closest example of any kind (0 without a vector)
)
_NEGATION = re.compile(r"\b(?:not|no|never|cannot|fail\w*)\b|n't\b", re.I)
CAP = 3.0
_NO_REG, _SILENT, _QUESTION, _FIT = (
    FEATURES.index(k) for k in ("no_reg", "rules_silent", "question", "fit")
)
# Below this cosine to its closest example a claim barely resembles any of them.
UNSURE_FIT = 0.45


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def _sigmoid_one(z: np.float64) -> float:
    """:func:`_sigmoid` of one number, bit for bit (numpy's exp, not math.exp, which
    differs in the last place), without the cost of a clip on a 0-d array."""
    return float(1.0 / (1.0 + np.exp(-min(max(z, -30.0), 30.0))))


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 3000, lr: float = 0.5
) -> tuple[np.ndarray, float]:
    """Weights and bias of P(y=1 | x), full-batch gradient descent with a ridge penalty.

    ``l2`` is per example-set (not per row), so a small set keeps small weights.
    """
    n, d = x.shape
    w = np.zeros(d)
    b = float(np.log((y.mean() + 1e-3) / (1 - y.mean() + 1e-3)))
    for _ in range(steps):
        p = _sigmoid(x @ w + b)
        g = p - y
        w -= lr * (x.T @ g / n + l2 * w / n)
        b -= lr * float(g.mean())
    return w, b


def expected_calibration_error(conf: Sequence[float], correct: Sequence[bool], bins: int = 10):
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by bin size."""
    c = np.asarray(conf, dtype=float)
    ok = np.asarray(correct, dtype=float)
    if not len(c):
        return None
    idx = np.minimum((c * bins).astype(int), bins - 1)
    err = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            err += m.sum() / len(c) * abs(ok[m].mean() - c[m].mean())
    return float(err)


def lowest_quarter_error_share(conf: Sequence[float], correct: Sequence[bool]) -> float | None:
    """Share of all wrong kinds that sit in the quarter of claims with the lowest confidence.

    Ties at the cut are broken by order (stable sort), so a constant confidence scores
    like chance, about 0.25.
    """
    c = np.asarray(conf, dtype=float)
    wrong = ~np.asarray(correct, dtype=bool)
    if not wrong.any():
        return None
    order = np.argsort(c, kind="stable")
    quarter = order[: int(round(len(c) / 4))]
    return float(wrong[quarter].sum() / wrong.sum())


class CalibratedKindClassifier:
    """Wraps a kind classifier; same kinds, calibrated confidence.

    ``params``: ``{"model": (weights, bias), "rules": (weights, bias)}``; default the
    fitted ones. The set is chosen per claim: with a regression term (a vector that fits
    the examples) "model", else "rules". ``details`` keeps, for the last call, each
    claim's raw label and features (for the evaluation script and the review queue).
    """

    def __init__(self, inner, params: Mapping[str, tuple] | None = None) -> None:
        self.inner = inner
        if params is None:
            from explorer.semantic.calibration_params import PARAMS

            params = PARAMS
        self.params = {k: (np.asarray(w, dtype=float), float(b)) for k, (w, b) in params.items()}
        self.details: dict[str, tuple[KindLabel, np.ndarray]] = {}

    def __getattr__(self, name: str):  # taxonomy, model(), cue_scores() ... of the inner one
        return getattr(self.inner, name)

    def classify(self, claims, contexts=None, vectors=None) -> dict[str, KindLabel]:
        contexts = contexts or {}
        with _remembered(
            self.inner, ("cue_scores", "context_scores", "rule_scores", "label_from_rules")
        ):
            raw = self.inner.classify(claims, contexts, vectors)
            feats = kind_features(self.inner, claims, contexts, vectors, raw)
        self.details = {cid: (raw[cid], f) for cid, f in feats.items()}
        out = {}
        for c in claims:
            lab = raw[c.id]
            f = feats[c.id]
            key = "rules" if f[_NO_REG] else "model"
            w, b = self.params.get(key) or self.params["model"]
            conf = _sigmoid_one(f @ w + b)
            unsure = f[_NO_REG] or f[_FIT] < UNSURE_FIT
            if vectors and c.id in vectors and unsure and f[_SILENT] and not f[_QUESTION]:
                # No rule fires and the regression cannot tell the kinds apart (another
                # language, a formula): the program does not understand the claim, and
                # says so whatever the dev set's many easy assertions suggest.
                conf = min(conf, lab.confidence)
            out[c.id] = KindLabel(c.id, lab.kind, round(conf, 4), lab.source, lab.reason)
        return out


@contextlib.contextmanager
def _remembered(obj, methods: Sequence[str]):
    """Memoise ``obj``'s pure scoring methods for one call: the features read the same cue
    and context scores the classifier just computed, and the regexes are most of the cost."""
    installed = []
    for name in methods:
        fn = getattr(obj, name, None)
        if fn is None:
            continue
        cached = functools.lru_cache(maxsize=4096)(fn)

        def copied(*args, _cached=cached):
            got = _cached(*args)
            # Callers add keys to the dicts they get back; labels are immutable.
            return dict(got) if isinstance(got, dict) else got

        try:
            setattr(obj, name, copied)
        except AttributeError:  # an object without a __dict__: no memo, same result
            continue
        installed.append(name)
    try:
        yield
    finally:
        for name in installed:
            delattr(obj, name)


def kind_features(
    clf,
    claims: Sequence,
    contexts: Mapping[str, str],
    vectors: Mapping[str, np.ndarray] | None,
    labels: Mapping[str, KindLabel],
) -> dict[str, np.ndarray]:
    """Claim id -> the FEATURES vector of its label (see the module docstring)."""
    default = clf.taxonomy.default_kind.id
    model = clf.model() if vectors and hasattr(clf, "model") else None
    examples = getattr(clf, "_examples", None)
    min_sim = getattr(clf, "min_similarity", 0.0)
    out = {}
    for c in claims:
        lab = labels[c.id]
        ctx = contexts.get(c.id, "")
        f = dict.fromkeys(FEATURES, 0.0)
        f["raw"] = lab.confidence
        f["src_" + lab.source] = 1.0 if lab.source in ("rule", "embedding", "default") else 0.0
        f["question"] = float(is_question(c.text))
        cues = clf.cue_scores(c.text, ctx)
        own = cues.get(lab.kind, (0.0, []))
        f["cue_own"] = min(own[0], CAP) / CAP
        f["cue_hits"] = min(len(own[1]), 3) / 3
        f["cue_other"] = max((s for k, (s, _) in cues.items() if k != lab.kind), default=0.0)
        f["cue_other"] = min(f["cue_other"], CAP) / CAP
        frag = is_fragment(c.text)
        ctx_scores = clf.context_scores(ctx, frag)
        f["ctx_own"] = min(ctx_scores.get(lab.kind, (0.0, ""))[0], CAP) / CAP
        f["ctx_other"] = (
            min(max((s for k, (s, _) in ctx_scores.items() if k != lab.kind), default=0.0), CAP)
            / CAP
        )
        rule = clf.label_from_rules(c, ctx)
        f["rules_silent"] = float(rule is None)
        f["rules_agree"] = float(rule is not None and rule.kind == lab.kind)
        v = vectors.get(c.id) if vectors else None
        fits = False
        if model is not None and v is not None and examples is not None and len(examples):
            v = np.asarray(v, dtype=np.float64)
            f["fit"] = float(np.max(examples @ v))
            fits = f["fit"] >= min_sim
        if fits and model is not None and not f["question"]:
            ids, w, b = model
            z = v @ w + b
            p = np.exp(z - z.max())
            p /= p.sum()
            top = np.sort(p)[::-1]
            f["reg_p"] = float(p[ids.index(lab.kind)]) if lab.kind in ids else 0.0
            f["reg_margin"] = float(top[0] - top[1]) if len(top) > 1 else float(top[0])
            f["reg_agree"] = float(ids[int(np.argmax(p))] == lab.kind)
        else:
            f["no_reg"] = 1.0
        f["fragment"] = float(frag)
        f["hedge"] = float(bool(_HEDGE.search(c.text)))
        f["negation"] = float(bool(_NEGATION.search(c.text)))
        f["is_default_kind"] = float(lab.kind == default)
        out[c.id] = np.asarray([f[k] for k in FEATURES], dtype=float)
    return out
