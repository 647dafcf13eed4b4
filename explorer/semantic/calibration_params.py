"""Calibration weights, written by benchmarks/fit_calibration.py from the dev labels.

Features, in order: raw, src_rule, src_embedding, src_default, question, cue_own, cue_other, cue_hits, ctx_own, ctx_other, rules_agree, rules_silent, reg_p, reg_margin, reg_agree, no_reg, fragment, hedge, negation, is_default_kind, fit.
"""

PARAMS = {
    "model": (
        [
            1.98624,
            0.56047,
            -0.248,
            -0.71997,
            0.0,
            1.91947,
            -2.165,
            0.16316,
            1.68636,
            -1.3232,
            -0.02744,
            1.28072,
            -1.22634,
            -0.53459,
            0.58482,
            0.0,
            1.65313,
            -0.46087,
            -0.46879,
            2.35595,
            -1.27052,
        ],
        -0.32145,
    ),
    "rules": (
        [
            4.17831,
            -0.654,
            0.0,
            -0.0378,
            3.25605,
            2.87694,
            -0.88319,
            0.80067,
            2.52739,
            0.17732,
            -0.654,
            -0.0378,
            0.0,
            0.0,
            0.0,
            -0.6918,
            1.37428,
            0.02766,
            -0.31372,
            2.0962,
            0.0,
        ],
        -1.24002,
    ),
}
