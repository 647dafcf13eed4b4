"""Flattened text exports: un-marked headings, export debris, arrows, glued boundaries."""

from __future__ import annotations

import pytest

from explorer.core import textexport
from explorer.core.parse import parse_note


def parse(text: str):
    return parse_note(text, "export.txt")


def outline(text: str) -> list[str]:
    """Sections as '#'*level + title and claims as '- text', in note order."""
    note = parse(text)
    rows = [(s.start, 0, "#" * s.level + " " + s.title) for s in note.sections]
    rows += [(c.start, 1, "- " + c.text) for c in note.claims]
    return [r[2] for r in sorted(rows)]


# ---------------------------------------------------------------------------- debris


@pytest.mark.parametrize(
    "debris",
    [
        "Link to original",
        "![]()",
        "[]()",
        "… =length",
        "x^2",
        "Transclude of CPU#^99471a",
        "^abc123",
    ],
)
def test_export_debris_is_never_a_claim(debris):
    note = parse(f"A real claim here.\n{debris}\nAnother claim here.")
    assert [c.text for c in note.claims] == ["A real claim here.", "Another claim here."]
    assert note.sections == []


def test_transclusion_is_a_link():
    text = "Intro line.\nTransclude of CPU#^99471a\nMore."
    note = parse(text)
    link = note.links[0]
    assert (link.kind, link.target, link.block, link.heading) == (
        "transclusion",
        "CPU",
        "99471a",
        None,
    )
    assert link.line == 2 and link.claim_id is None
    assert text[link.start : link.end] == "Transclude of CPU#^99471a"
    heading = parse("Transclude of Some Note#Part").links[0]
    assert (heading.target, heading.heading) == ("Some Note", "Part")


def test_see_also_block_reference_is_a_link_on_the_claim_before():
    note = parse("It isn’t. See also ^f339b5.")
    assert [c.text for c in note.claims] == ["It isn’t."]
    link = note.links[0]
    assert (link.kind, link.block, link.target) == ("blockref", "f339b5", "export")
    assert link.claim_id == note.claims[0].id
    assert note.claims[0].end == len("It isn’t. See also ^f339b5.")


def test_very_short_fragments_are_not_claims():
    assert [c.text for c in parse("etc.\nok\nAgency.\nNo.").claims] == ["Agency."]


# ---------------------------------------------------------------------------- arrows


def test_arrow_items_are_claims_without_the_arrow():
    note = parse("The questions:\n→ Is it aware? (aware of it)\n-> Does it plan?\n=> It acts.")
    assert [(c.text, c.block) for c in note.claims] == [
        ("Is it aware? (aware of it)", "list_item"),
        ("Does it plan?", "list_item"),
        ("It acts.", "list_item"),
    ]
    assert note.claims[0].start == len("The questions:\n→ ")


def test_several_arrows_on_one_line_split():
    assert [c.text for c in parse("→ Is it A? → Is it B?").claims] == ["Is it A?", "Is it B?"]


def test_an_arrow_inside_a_line_is_kept():
    assert [c.text for c in parse("LLM: patterns → syntax → style → semantics").claims] == [
        "LLM: patterns → syntax → style → semantics"
    ]


# ---------------------------------------------------------------------------- headings


def test_plain_short_line_followed_by_content_is_a_heading():
    assert outline("Capability limitations\nOnline learning.\nMathematics.") == [
        "## Capability limitations",
        "- Online learning.",
        "- Mathematics.",
    ]


def test_short_sentence_with_a_verb_is_a_claim_not_a_heading():
    assert outline("LLMs are not controllable\nTheir issues can be mitigated.") == [
        "- LLMs are not controllable",
        "- Their issues can be mitigated.",
    ]


def test_run_of_short_lines_is_a_list_not_headings():
    assert outline("Apples\nBananas\nCherries") == ["- Apples", "- Bananas", "- Cherries"]


def test_short_line_at_the_end_is_not_a_heading():
    assert outline("A claim.\nLast words") == ["- A claim.", "- Last words"]


def test_known_section_words_are_headings_and_hold_references():
    assert outline(
        "Body claim.\nReferences\nMachine Consciousness - Joscha Bach\nSome Book Title"
    ) == [
        "- Body claim.",
        "## References",
        "- Machine Consciousness - Joscha Bach",
        "- Some Book Title",
    ]


def test_colon_intro_is_a_heading_one_level_below():
    assert outline("Learning roadmap\nRead papers.\nThoughts I had:\nWould it make sense?") == [
        "## Learning roadmap",
        "- Read papers.",
        "### Thoughts I had",
        "- Would it make sense?",
    ]


def test_colon_intro_with_a_trailing_comment():
    assert outline("Limitations of LLMs: (mostly from lecun)\n- what is the last step")[0] == (
        "## Limitations of LLMs (mostly from lecun)"
    )


def test_enumeration_cue_with_colon_stays_a_claim():
    assert outline("There are tools, for example:\n- a hammer") == [
        "- There are tools, for example",
        "- a hammer",
    ]


def test_question_followed_by_an_answer_is_a_heading():
    assert outline("Are LLMs conscious?\nThey may appear conscious.") == [
        "## Are LLMs conscious?",
        "- They may appear conscious.",
    ]


def test_questions_in_a_run_or_after_a_colon_are_claims():
    assert outline("Is it A?\nIs it B?\nMaybe.") == ["- Is it A?", "- Is it B?", "- Maybe."]
    assert outline("We ask:\nIs it real?\nNo, it is not.") == [
        "## We ask",
        "- Is it real?",
        "- No, it is not.",
    ]


def test_label_family_headings_and_the_claim_after_the_dash():
    text = (
        "Functional limitation: Truthfulness (or rather grounding?)\n"
        "They cannot be made factual.\n"
        "Functional limitation: Coherence - LLMs complete sequences, minds understand.\n"
        "Patterns come first.\n"
        "Functional limitation: Reliability\n"
        "RL: put a nice mask on top.\n"
    )
    assert outline(text) == [
        "## Functional limitation: Truthfulness (or rather grounding?)",
        "- They cannot be made factual.",
        "## Functional limitation: Coherence",
        "- LLMs complete sequences, minds understand.",
        "- Patterns come first.",
        "## Functional limitation: Reliability",
        "- RL: put a nice mask on top.",
    ]


def test_repeated_labels_with_sentences_are_not_headings():
    text = (
        "User: Tell me about the weather today.\nAssistant: It is sunny.\nUser: And tomorrow then?"
    )
    assert parse(text).sections == []
    assert textexport.families(text.splitlines()) == frozenset()


def test_single_label_line_is_a_claim():
    assert outline("Peculiarity: Once it selects a program, nothing shakes it free.\nNext.") == [
        "- Peculiarity: Once it selects a program, nothing shakes it free.",
        "- Next.",
    ]


def test_unmarked_headings_nest_under_marked_ones():
    note = parse("# Note\n## Part\nCapability limitations\nOnline learning.\nDetails:\nMore.")
    assert [(s.title, s.level) for s in note.sections] == [
        ("Note", 1),
        ("Part", 2),
        ("Capability limitations", 3),
        ("Details", 4),
    ]
    assert note.sections[2].parent_id == note.sections[1].id


def test_markdown_list_intro_is_a_heading():
    assert outline("Pro Google\n- Google has AI expertise\n\t- you can try it") == [
        "## Pro Google",
        "- Google has AI expertise",
        "- you can try it",
    ]


# ---------------------------------------------------------------------------- joining lines


def test_soft_wrapped_lines_join_into_one_claim():
    note = parse("This sentence was wrapped by\nan editor at some column.\nNew sentence.")
    assert [c.text for c in note.claims] == [
        "This sentence was wrapped by an editor at some column.",
        "New sentence.",
    ]
    assert (note.claims[0].line, note.claims[0].end_line) == (1, 2)


def test_ellipsis_continuation_joins():
    note = parse("Train on 7) Research Papers\n… such that the model does not waste cycles…")
    assert [c.text for c in note.claims] == [
        "Train on 7) Research Papers … such that the model does not waste cycles…"
    ]


def test_lines_ending_a_sentence_do_not_join():
    assert len(parse("Not real-time.\nnot coupled with the world.").claims) == 2


def test_glued_boundaries_in_an_export():
    assert [c.text for c in parse("Agency.\nSelf-organization.These can be overcome.").claims] == [
        "Agency.",
        "Self-organization.",
        "These can be overcome.",
    ]


def test_export_title_heading_then_lowercase_start():
    assert outline("Learning roadmap (from ZickZack)\nfor LLMs read the original paper.") == [
        "## Learning roadmap (from ZickZack)",
        "- for LLMs read the original paper.",
    ]
