"""Tables of numbers are data, drawings give their text, same-note edges are capped
(issue 15, point 6). The notes under tests/fixtures/issue15 were written for this."""

from pathlib import Path

import numpy as np

from explorer.core.parse import is_prose_row, parse_note
from explorer.semantic.similarity import cap_within_notes, similarity_edges
from explorer.semantic.types import Edge

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "issue15"


def test_rows_of_numbers_are_not_claims_but_prose_rows_are():
    text = (
        "| model | MMLU | GSM8K | HumanEval |\n|---|---|---|---|\n"
        + "".join(f"| model-{i} | {50 + i}.1 | {40 + i}.5 | {30 + i}.0 |\n" for i in range(40))
        + "\n| method | needs a verifier | cost |\n|---|---|---|\n"
        "| greedy decoding | no | 1x |\n| tree search with a verifier | yes | large |\n"
        "\n| code | language |\n|---|---|\n| en | English |\n| de | German |\n"
    )
    note = parse_note(text, "scores.md")
    assert [c.text for c in note.claims] == [
        "greedy decoding; no; 1x",
        "tree search with a verifier; yes; large",
    ]


def test_prose_row_rule():
    assert is_prose_row(["BERT", "340M", "encoder only"])
    assert not is_prose_row(["GPT-4", "86.4", "92.0"])
    assert not is_prose_row(["X intercept", "none"])
    assert not is_prose_row(["0.5 s", "12 MB", "slow start"])


def test_an_excalidraw_note_gives_its_text_elements_only():
    name = "Whiteboard.excalidraw.md"
    note = parse_note((FIXTURES / name).read_text(encoding="utf-8"), name)
    assert [c.text for c in note.claims] == [
        "Attention lets every token look at every other token",
        "The cost grows with the square of the context length",
    ]
    assert note.sections == [] and note.links == []


def test_the_same_drawing_layout_is_recognised_by_its_front_matter():
    text = (FIXTURES / "Whiteboard.excalidraw.md").read_text(encoding="utf-8")
    note = parse_note(text, "drawings/board.md")
    assert len(note.claims) == 2 and not any("EXCALIDRAW" in c.text for c in note.claims)


def test_similar_edges_inside_one_note_are_capped():
    rng = np.random.default_rng(1)
    base = rng.normal(size=32)
    rows = base + 0.05 * rng.normal(size=(60, 32))  # 60 near-identical table rows
    other = rng.normal(size=(5, 32))
    matrix = np.vstack([rows, other]).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    ids = [f"t{i}" for i in range(60)] + [f"o{i}" for i in range(5)]
    note_of = {i: "table.md" for i in ids[:60]} | {i: f"n{i}.md" for i in ids[60:]}
    edges = similarity_edges(ids, matrix, threshold=0.5, duplicate_threshold=0.999)
    inner = [e for e in edges if note_of[e.source] == note_of[e.target]]
    assert len(inner) > 200  # each row has ten close neighbours in its own note
    capped = cap_within_notes(edges, note_of)
    inner_after = [e for e in capped if note_of[e.source] == note_of[e.target]]
    assert 0 < len(inner_after) <= 60
    degree: dict[str, int] = {}
    for e in inner_after:
        degree[e.source] = degree.get(e.source, 0) + 1
        degree[e.target] = degree.get(e.target, 0) + 1
    assert all(c in degree for c in ids[:60])  # no row loses its nearest neighbour
    between = [e for e in edges if note_of[e.source] != note_of[e.target]]
    assert [e for e in capped if note_of[e.source] != note_of[e.target]] == between


def test_edges_between_notes_are_never_capped():
    edges = [Edge(f"a{i}", f"b{i}", "similar", 0.9) for i in range(50)]
    note_of = {f"a{i}": "a.md" for i in range(50)} | {f"b{i}": "b.md" for i in range(50)}
    assert cap_within_notes(edges, note_of) == edges
