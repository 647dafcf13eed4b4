"""Whose voice a claim is in, and which claim an unmarked reaction answers."""

from __future__ import annotations

from explorer.core.parse import parse_note
from explorer.semantic.analyse import Analyser
from explorer.semantic.voice import detect_voices, is_statement_question, note_is_on_a_source

TALK = """---
title: Notes on a talk about memory
speaker: Dr. Example
---
# Talk: memory in agents

The speaker argues that agents need a long-term store.
She shows three systems that forget their goals.
- retrieval helps with facts
  - helps less with plans than they claim?
- summaries lose detail over time

She asked the room: is a bigger context window enough for that? Probably not, since attention
thins out.

Or maybe the store should be the model's own weights.

## My questions
- [ ] reread the second half
What would a test for this look like?
"""

OWN = """# Planning log

Models plan badly over long horizons.
I find this the most common failure in my work.
Does chain of thought fix the long plans? Not really, it only delays the failure.
"""


def voices_of(text: str, path: str = "n.md"):
    note = parse_note(text, path)
    by_text = {c.text: c for c in note.claims}
    return note, by_text, detect_voices(note, note.claims)


def test_a_note_on_a_source_is_recognised_by_front_matter_title_or_tags():
    assert note_is_on_a_source(parse_note(TALK, "t.md"))
    assert note_is_on_a_source(parse_note("# Notes on Dennett\n\nHe says so.\n", "d.md"))
    tagged = parse_note("---\ntags: [reading-notes]\n---\nA claim.\n", "r.md")
    assert note_is_on_a_source(tagged)
    assert not note_is_on_a_source(parse_note(OWN, "own.md"))


def test_statement_questions_are_remarks_real_questions_are_not():
    assert is_statement_question("helps less with plans than they claim?")
    assert is_statement_question("it scales (?) to bigger models")
    assert not is_statement_question("Is a bigger context window enough?")
    assert not is_statement_question("What would a test for this look like?")
    assert not is_statement_question("(??) a note")


def test_source_and_author_claims_in_a_talk_note():
    _, c, v = voices_of(TALK)
    assert v[c["The speaker argues that agents need a long-term store."].id].voice == "source"
    assert v[c["She shows three systems that forget their goals."].id].voice == "source"
    assert v[c["reread the second half"].id].voice == "author"  # a task
    assert v[c["What would a test for this look like?"].id].voice == "author"  # own heading
    for vc in v.values():
        assert 0.0 < vc.confidence <= 1.0


def test_unmarked_reactions_are_linked_to_what_they_answer():
    _, c, v = voices_of(TALK)
    hedged = v[c["helps less with plans than they claim?"].id]
    assert (hedged.voice, hedged.answers) == ("author", c["retrieval helps with facts"].id)
    reply = v[c["Probably not, since attention thins out."].id]
    assert reply.answers == c["She asked the room: is a bigger context window enough for that?"].id
    assert reply.how == "reply to a question"
    alt = v[c["Or maybe the store should be the model's own weights."].id]
    assert alt.voice == "author" and alt.answers is not None
    # Plain statements of the source answer nothing.
    assert v[c["summaries lose detail over time"].id].answers is None


def test_in_an_own_note_everything_is_the_authors_and_verdicts_still_link():
    _, c, v = voices_of(OWN, "own.md")
    assert {x.voice for x in v.values()} == {"author"}
    verdict = v[c["I find this the most common failure in my work."].id]
    assert verdict.answers == c["Models plan badly over long horizons."].id
    assert v[c["Not really, it only delays the failure."].id].answers == (
        c["Does chain of thought fix the long plans?"].id
    )
    assert v[c["Models plan badly over long horizons."].id].answers is None


def test_the_analyser_returns_voices_for_every_kept_claim():
    result = Analyser().analyse(parse_note(TALK, "t.md"))
    assert set(result.voices) == {cl.id for cl in result.claims}
