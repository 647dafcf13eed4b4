"""What a worker sends the writer comes back equal, through the compact pickle."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from explorer.core.model import Claim
from explorer.core.parse import parse_note
from explorer.core.pickling import compact_pickle
from explorer.semantic.analyse import analyse_note

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample-vault"


@pytest.mark.parametrize("path", sorted(SAMPLE.glob("*.md"))[:4], ids=lambda p: p.name)
def test_a_note_and_its_analysis_round_trip(path):
    note = parse_note(path.read_text(encoding="utf-8"), path.name)
    analysis = analyse_note(note)
    for obj in (note, analysis):
        back = pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == obj
        assert type(back) is type(obj)
    assert note.claims and analysis.kinds


def test_the_pickle_names_the_constructor():
    claim = parse_note("LLMs cannot plan.", "a.md").claims[0]
    assert claim.__reduce__()[0] is Claim  # not the generic slots state path
    assert pickle.loads(pickle.dumps(claim)) == claim


def test_a_field_outside_init_is_refused():
    with pytest.raises(TypeError, match="Hidden"):

        @compact_pickle
        @dataclass
        class Hidden:
            a: int
            b: int = field(init=False, default=0)


def test_one_field():
    @compact_pickle
    @dataclass(frozen=True, slots=True)
    class One:
        a: int

    assert One.__reduce__(One(3)) == (One, (3,))
