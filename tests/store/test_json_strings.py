"""Concept variants are stored as JSON written directly when nothing needs escaping."""

from __future__ import annotations

import json
import random

from explorer.store.semantic import _json_strings


def test_same_text_as_json_dumps():
    cases = [[], ["a"], ["a", "b c"], ["é “x”"], ['a"b'], ["back\\slash"], ["tab\there"]]
    cases += [["nl\n"], ["\x7f del"], ["\u2028 line separator"], ["\x1f"], ["LLM", "LLMs"]]
    rng = random.Random(5)
    alphabet = 'ab "\\\n\t\x00\x1f\x7fé’\u2028'
    for _ in range(2000):
        cases.append(
            [
                "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
                for _ in range(rng.randint(0, 3))
            ]
        )
    for items in cases:
        assert _json_strings(items) == json.dumps(items, ensure_ascii=False), items
        assert json.loads(_json_strings(items)) == items
