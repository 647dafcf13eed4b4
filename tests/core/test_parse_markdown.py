"""Markdown and Obsidian syntax: what becomes a claim, a section, a link, a tag, a property."""

from __future__ import annotations

import pytest

from explorer.core.parse import parse_note


def parse(text: str, path: str = "vault/Note.md"):
    return parse_note(text, path)


def texts(text: str) -> list[str]:
    return [c.text for c in parse(text).claims]


def only(items, **match):
    found = [x for x in items if all(getattr(x, k) == v for k, v in match.items())]
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------------------- front matter


def test_front_matter_properties_and_tags_are_read_not_claimed():
    note = parse("---\ntitle: X\ntags: [ai, ml/llm]\ndate: 2024-01-02\n---\nBody text here.\n")
    assert note.frontmatter == {"title": "X", "tags": ["ai", "ml/llm"], "date": "2024-01-02"}
    assert note.tags == ["ai", "ml/llm"]
    assert [c.text for c in note.claims] == ["Body text here."]
    assert note.claims[0].line == 6
    assert note.warnings == []


def test_tags_as_a_string_with_hashes():
    assert parse("---\ntags: '#one, two'\n---\nx y z.").tags == ["one", "two"]


def test_malformed_front_matter_is_a_warning_and_the_body_still_parses():
    note = parse("---\ntags: [a, b\nbroken: : :\n---\nThe body survives.\n")
    assert note.frontmatter == {}
    assert len(note.warnings) == 1 and "front matter" in note.warnings[0]
    assert "YAML" in note.warnings[0]
    assert texts("---\ntags: [a, b\n---\nThe body survives.\n") == ["The body survives."]


def test_front_matter_that_is_not_a_mapping():
    note = parse("---\n- a\n- b\n---\nText of the note.")
    assert note.frontmatter == {}
    assert "not a mapping" in note.warnings[0]
    assert texts("---\n- a\n---\nText of the note.") == ["Text of the note."]


def test_unclosed_front_matter_is_read_as_text_with_a_warning():
    note = parse("---\ntitle: x\nThe only sentence.")
    assert "never closed" in note.warnings[0]
    assert [c.text for c in note.claims] == ["title: x", "The only sentence."]


def test_front_matter_alias_bomb_is_cut_short():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for name, prev in zip("bcdefg", "abcdef", strict=True):
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    note = parse("---\n" + bomb + "---\nBody.")
    assert any("too large" in w for w in note.warnings)


# ---------------------------------------------------------------------------- headings


def test_marked_headings_become_sections_with_levels_paths_and_parents():
    note = parse(
        "# Top\nIntro sentence.\n## Part A\nA claim.\n### Deep\nDeeper claim.\n## Part B\nB."
    )
    assert [(s.title, s.level, s.path) for s in note.sections] == [
        ("Top", 1, ("Top",)),
        ("Part A", 2, ("Top", "Part A")),
        ("Deep", 3, ("Top", "Part A", "Deep")),
        ("Part B", 2, ("Top", "Part B")),
    ]
    top, a, deep, b = note.sections
    assert a.parent_id == top.id and deep.parent_id == a.id and b.parent_id == top.id
    assert [c.section_id for c in note.claims] == [top.id, a.id, deep.id]
    assert "Top" not in texts("# Top\nIntro sentence.")


def test_heading_span_and_cleanup():
    text = "Intro.\n\n## The **bold** [[Target|alias]] heading ##\nBody."
    note = parse(text)
    sec = note.sections[0]
    assert sec.title == "The bold alias heading"
    assert sec.line == 3
    assert text[sec.start : sec.end].startswith("## The **bold**")
    link = only(note.links, kind="wikilink")
    assert link.target == "Target" and link.claim_id is None


def test_setext_headings():
    note = parse("Title\n=====\n\nSome text.\n\nSub\n---\nMore text.")
    assert [(s.title, s.level) for s in note.sections] == [("Title", 1), ("Sub", 2)]


def test_hash_tag_line_is_not_a_heading():
    note = parse("#project/alpha #idea\nA sentence.")
    assert note.sections == []
    assert note.tags == ["project/alpha", "idea"]
    assert [c.text for c in note.claims] == ["A sentence."]


# ---------------------------------------------------------------------------- lists and tasks


def test_list_items_nest_by_indentation():
    note = parse("- Parent item\n\t- Child one\n\t\t- Grandchild\n\t- Child two\n- Second top")
    by = {c.text: c for c in note.claims}
    assert by["Parent item"].parent_id is None
    assert by["Child one"].parent_id == by["Parent item"].id
    assert by["Grandchild"].parent_id == by["Child one"].id
    assert by["Child two"].parent_id == by["Parent item"].id
    assert by["Second top"].parent_id is None
    assert {c.block for c in note.claims} == {"list_item"}


def test_space_indented_and_numbered_lists():
    note = parse("1. First step\n   - detail of it\n2) Second step")
    by = {c.text: c for c in note.claims}
    assert by["detail of it"].parent_id == by["First step"].id
    assert by["Second step"].parent_id is None


def test_a_list_item_with_two_sentences_gives_two_claims_with_the_same_parent():
    note = parse("- Parent\n  - One thing. Another thing.")
    parent, one, two = note.claims
    assert (one.text, two.text) == ("One thing.", "Another thing.")
    assert one.parent_id == two.parent_id == parent.id


def test_child_of_an_item_without_claim_text_points_to_the_nearest_claim_above():
    note = parse("- Real parent\n  - https://example.com/x\n    - Grandchild here")
    by = {c.text: c for c in note.claims}
    assert by["Grandchild here"].parent_id == by["Real parent"].id


def test_list_continuation_lines():
    note = parse("- An item that wraps\n  onto a second line.\n- Next item")
    assert [c.text for c in note.claims] == ["An item that wraps onto a second line.", "Next item"]
    assert (note.claims[0].line, note.claims[0].end_line) == (1, 2)


def test_tasks():
    note = parse("- [ ] Write the parser\n- [x] Read the *seed* note\n- [/] half done")
    assert [(c.text, c.block) for c in note.claims] == [
        ("Write the parser", "task"),
        ("Read the seed note", "task"),
        ("half done", "task"),
    ]


# ---------------------------------------------------------------------------- quotes, callouts


def test_blockquote():
    note = parse("> A quoted sentence. And another.\n>\n> - a quoted item")
    assert [(c.text, c.block) for c in note.claims] == [
        ("A quoted sentence.", "quote"),
        ("And another.", "quote"),
        ("a quoted item", "quote"),
    ]


def test_callout_title_is_not_a_claim_but_its_body_is():
    note = parse("> [!note] Summary\n> The body says something.\n\nAfter.")
    assert [(c.text, c.block) for c in note.claims] == [
        ("The body says something.", "callout"),
        ("After.", "paragraph"),
    ]
    assert note.sections == []


def test_callout_title_that_is_a_sentence_is_a_claim():
    note = parse("> [!warning]- This breaks on Windows.\n> Details follow.")
    assert [c.text for c in note.claims] == ["This breaks on Windows.", "Details follow."]


def test_paragraph_in_quotation_marks_is_a_quote():
    assert parse("“An LLM is a Weltgeist possessed by a prompt.”").claims[0].block == "quote"


# ---------------------------------------------------------------------------- never claims


def test_code_fences_are_never_claims_and_hide_their_links_and_tags():
    text = "Before.\n```python\nx = 1  # not. a claim [[NotALink]] #notatag\n```\nAfter."
    note = parse(text)
    assert [c.text for c in note.claims] == ["Before.", "After."]
    assert note.links == [] and note.tags == []


def test_unclosed_fence_runs_to_the_end():
    assert texts("Text.\n~~~\ncode. More code.") == ["Text."]


def test_fence_inside_a_list_and_in_a_quote():
    assert texts("- item\n  ```\n  code here.\n  ```\n- next") == ["item", "next"]
    assert texts("> ```\n> code. here.\n> ```\n> Quoted claim.") == ["Quoted claim."]


def test_math_blocks_are_never_claims():
    assert texts("Before.\n$$\nE = mc^2. x\n$$\nAfter.") == ["Before.", "After."]
    assert texts("$$a^2 + b^2 = c^2$$\nAfter.") == ["After."]


def test_inline_math_and_code_stay_in_the_claim_without_splitting_it():
    assert texts("The loss $L = x.y$ falls. Use `a.b()` here.") == [
        "The loss $L = x.y$ falls.",
        "Use a.b() here.",
    ]


def test_comments_are_dropped():
    text = "Kept. %%hidden. Also hidden%% Kept too.\n%%\nmulti\nline.\n%%\n<!-- html. -->Last."
    assert texts(text) == ["Kept.", "Kept too.", "Last."]


def test_unclosed_comment_hides_the_rest_with_a_warning():
    note = parse("Visible.\n%% draft. Not shown.")
    assert [c.text for c in note.claims] == ["Visible."]
    assert any("never closed" in w for w in note.warnings)


def test_dataview_fields_are_properties_not_claims():
    note = parse("status:: draft\nrating:: 5\n- owner:: me\nA claim [due:: 2024-05-01] here.")
    assert note.properties == {"status": "draft", "rating": "5", "owner": "me", "due": "2024-05-01"}
    assert [c.text for c in note.claims] == ["A claim here."]


def test_repeated_property_becomes_a_list():
    assert parse("k:: a\nk:: b").properties == {"k": ["a", "b"]}


# ---------------------------------------------------------------------------- links


def test_wikilink_forms():
    text = "See [[Plain]], [[Note|the alias]], [[Note#Part]], [[Note#^blk]] and [[#Local]]."
    note = parse(text)
    assert note.claims[0].text == "See Plain, the alias, Note, Note and Local."
    got = [(ln.kind, ln.target, ln.alias, ln.heading, ln.block) for ln in note.links]
    assert got == [
        ("wikilink", "Plain", None, None, None),
        ("wikilink", "Note", "the alias", None, None),
        ("wikilink", "Note", None, "Part", None),
        ("wikilink", "Note", None, None, "blk"),
        ("wikilink", "", None, "Local", None),
    ]
    assert all(ln.claim_id == note.claims[0].id for ln in note.links)
    for ln in note.links:
        assert text[ln.start : ln.end].startswith("[[")


def test_embeds_are_links_not_claim_text():
    note = parse("![[Diagram.png]]\nText with ![[Other note#Sec]] inside.")
    assert [c.text for c in note.claims] == ["Text with inside."]
    embeds = [ln for ln in note.links if ln.kind == "embed"]
    assert [(e.target, e.heading) for e in embeds] == [("Diagram.png", None), ("Other note", "Sec")]
    assert embeds[0].claim_id is None and embeds[1].claim_id == note.claims[0].id


def test_markdown_links_keep_their_text_and_urls_are_links():
    text = "Read [the paper](https://arxiv.org/abs/1706.03762) and https://example.com/x, ok."
    note = parse(text)
    assert note.claims[0].text == "Read the paper and, ok."
    md = only(note.links, kind="markdown")
    assert (md.target, md.alias) == ("https://arxiv.org/abs/1706.03762", "the paper")
    url = only(note.links, kind="url")
    assert url.target == "https://example.com/x"
    assert text[url.start : url.end] == "https://example.com/x"


def test_markdown_link_to_a_note_is_named_like_a_wikilink():
    link = parse("Go to [that](Other%20Note.md#Some%20Part).").links[0]
    assert (link.kind, link.target, link.heading) == ("markdown", "Other Note", "Some Part")


def test_images_and_citation_markers():
    note = parse("Fact one.[[4]](https://en.wikipedia.org/wiki/X#cite-4) ![alt](img.png) Fact two.")
    assert [c.text for c in note.claims] == ["Fact one.", "Fact two."]
    assert [ln.kind for ln in note.links] == ["markdown", "embed"]


def test_url_in_parentheses_keeps_balanced_parens():
    note = parse("Source (see https://en.wikipedia.org/wiki/Foo_(bar)) is good.")
    assert note.links[0].target == "https://en.wikipedia.org/wiki/Foo_(bar)"


def test_a_sentence_that_is_only_a_url_folds_into_the_claim_before():
    note = parse("Whisper runs fast on one GPU. https://github.com/openai/whisper")
    assert [c.text for c in note.claims] == ["Whisper runs fast on one GPU."]
    assert note.links[0].claim_id == note.claims[0].id
    claim = note.claims[0]
    assert claim.end == len("Whisper runs fast on one GPU. https://github.com/openai/whisper")


def test_link_only_list_item_gives_no_claim():
    note = parse("- https://example.com/only-a-link\n- [[Just a link]]\n- real words here")
    assert [c.text for c in note.claims] == ["Just a link", "real words here"]
    assert note.links[0].claim_id is None


# ---------------------------------------------------------------------------- tags, block ids


def test_tags_are_collected_and_edge_tags_leave_the_claim_text():
    note = parse("#draft The #idea of nested tags works. #area/sub-topic\n\nPrice is #1.")
    assert note.tags == ["draft", "idea", "area/sub-topic"]
    assert [c.text for c in note.claims] == ["The idea of nested tags works.", "Price is #1."]


def test_block_ids_are_stripped():
    note = parse("A claim with an id. ^abc123\n- item ^x1y2z3")
    assert [c.text for c in note.claims] == ["A claim with an id.", "item"]
    assert note.links == []


def test_tables_rows_are_claims_header_is_not():
    text = "| Name | Stars | Note |\n|---|:-:|---|\n| [[Tool\\|alias]] | 100 | Fast. Good. |\n| x | | yes it is |\n| y | 2 | 3 |"
    note = parse(text)
    assert [(c.text, c.block) for c in note.claims] == [
        ("alias; 100; Fast. Good.", "table"),
        ("x; yes it is", "table"),
    ]  # "y; 2; 3" is data, not a claim
    assert note.links[0].target == "Tool" and note.links[0].claim_id == note.claims[0].id


def test_pipe_in_prose_is_not_a_table():
    assert texts("Cats | dogs are animals.") == ["Cats | dogs are animals."]


def test_html_tags_and_emphasis_are_removed():
    assert texts("Some **bold**, *it*, __u__, ~~gone~~, ==hi== and a<br>b.") == [
        "Some bold, it, u, gone, hi and a b."
    ]


def test_snake_case_and_arithmetic_survive_emphasis_removal():
    assert texts("Set max_new_tokens to 2*3 now.") == ["Set max_new_tokens to 2*3 now."]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_line_numbers_and_spans(newline):
    text = newline.join(["# H", "", "First claim. Second claim.", "- item"])
    note = parse(text)
    first, second, item = note.claims
    assert (first.line, second.line, item.line) == (3, 3, 4)
    for c in note.claims:
        assert c.text in text[c.start : c.end]
    assert text[item.start : item.end] == "item"
    assert [c.position for c in note.claims] == [0, 1, 2]


def test_title_comes_from_the_file_name():
    assert parse("x", "folder/My Note.md").title == "My Note"
    assert parse("x", "export.txt").title == "export"
    assert parse("x", "weird.name.md").title == "weird.name"
