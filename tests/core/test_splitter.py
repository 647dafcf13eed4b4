"""Sentence boundaries: glued export boundaries split, abbreviations and numbers do not."""

from __future__ import annotations

import time

import pytest

from explorer.core import splitter
from explorer.core.splitter import split


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # boundaries an export glued together
        (
            "Not intrinsically agentic (can be agentic if you ask it to simulate one).LLMs "
            "self-reporting consciousness are almost meaningless.",
            [
                "Not intrinsically agentic (can be agentic if you ask it to simulate one).",
                "LLMs self-reporting consciousness are almost meaningless.",
            ],
        ),
        (
            "It reduces to language. (not sure about this second point nowadays)Invention: "
            "Bridging discontinuities.",
            [
                "It reduces to language. (not sure about this second point nowadays)",
                "Invention: Bridging discontinuities.",
            ],
        ),
        (
            "diverges with the number of tokens produced.Possible “solution”: Combine with prover.",
            [
                "diverges with the number of tokens produced.",
                "Possible “solution”: Combine with prover.",
            ],
        ),
        (
            "Self-organization.These can be overcome to some degree (except the last one).",
            ["Self-organization.", "These can be overcome to some degree (except the last one)."],
        ),
        ("Is it?Yes it is.", ["Is it?", "Yes it is."]),
        ("He said “stop.”Then he left.", ["He said “stop.”", "Then he left."]),
        # ordinary boundaries, including lower-case sentence starts common in notes
        ("LLMs are GPTs. They compress.", ["LLMs are GPTs.", "They compress."]),
        ("this is done. we move on.", ["this is done.", "we move on."]),
        ("Why? Because.", ["Why?", "Because."]),
        ("Wait! Stop.", ["Wait!", "Stop."]),
        ("the same thing” (??) This seems wrong.", ["the same thing” (??)", "This seems wrong."]),
        ("They are… Not real-time.", ["They are…", "Not real-time."]),
    ],
)
def test_splits(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The rest (e.g. SSMs) is unimportant.",
        "They use active inference, i.e. test-time fine-tuning.",
        "Some use e.g. Transformers and others.",
        "Books, novels etc. and more.",
        "Dr. Smith and Mr. Jones met Prof. Lee.",
        "Pi is 3.14 and e is 2.71 roughly.",
        "Upgrade to version 1.2.3 now.",
        "Open CPU.md and Node.JS docs.",
        "LLMs are almost meaningless… as it is trained to produce text.",
        "“might? be solved with a different loss.”",
        "Or… tight feedback loops.",
        "you 1) Train on children’s books 2) Novels etc. 3) History books (Reddit etc.) 4) Code",
        "Is the system aware? (aware that it is aware)",
        "It is approx. the same.",
        "Compare vs. the baseline.",
    ],
)
def test_does_not_split(text):
    assert sentences(text) == [text]


def test_ambiguous_abbreviation_before_a_capital_asks_pysbd(monkeypatch):
    calls = []
    real = splitter._pysbd_starts

    def counting(s):
        calls.append(s)
        return real(s)

    monkeypatch.setattr(splitter, "_pysbd_starts", counting)
    assert sentences("We bought apples etc. Then we left.") == [
        "We bought apples etc.",
        "Then we left.",
    ]
    assert sentences("He met J. Smith at noon.") == ["He met J. Smith at noon."]
    assert len(calls) == 2
    calls.clear()
    sentences("An ordinary sentence. Another one, with no abbreviation at all.")
    assert calls == []  # the common case never reaches pysbd


def test_pysbd_failure_means_no_boundary(monkeypatch):
    monkeypatch.setattr(splitter, "_pysbd_starts", lambda s: [])
    assert sentences("Made in the U.S. The end.") == ["Made in the U.S. The end."]


def test_spans_are_trimmed_and_in_order():
    text = "  One.   Two!  Three?  "
    spans = split(text)
    assert [text[a:b] for a, b in spans] == ["One.", "Two!", "Three?"]
    assert all(a < b for a, b in spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))


def test_empty_and_whitespace():
    assert split("") == []
    assert split("   \n ") == []


def test_long_paragraph_is_linear():
    """A 10,000-word paragraph with ambiguous abbreviations splits in well under a second."""
    block = "We met J. Smith and others etc. Then we went home, e.g. by train. " * 800
    start = time.process_time()
    spans = split(block)
    assert time.process_time() - start < 5
    assert len(spans) >= 800
