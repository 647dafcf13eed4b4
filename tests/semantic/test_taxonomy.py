import re

import pytest

from explorer.semantic.taxonomy import (
    TaxonomyError,
    default_taxonomy,
    load_taxonomy,
    parse_taxonomy,
    taxonomy_for_vault,
)

GOOD = """
[taxonomy]
name = "Tiny"

[[kind]]
id = "good"
name = "Good"
colour = "#00ff00"
cues = ['\\bgreat\\b']

[[kind]]
id = "other"
name = "Other"
colour = "#999999"
default = true
"""


def test_default_taxonomy_has_the_five_kinds():
    tax = default_taxonomy()
    assert tax.ids == (
        "capability",
        "limitation",
        "consciousness-criterion",
        "question",
        "assertion",
    )
    assert tax.default_kind.id == "assertion"
    assert tax.question_kind.id == "question"
    assert tax.opposed("capability", "limitation") and not tax.opposed("question", "assertion")
    assert all(k.colour.startswith("#") and len(k.colour) == 7 for k in tax.kinds)
    assert all(k.examples for k in tax.kinds)


def test_toml_syntax_error_names_file_and_line(tmp_path):
    bad = tmp_path / "taxonomy.toml"
    bad.write_text(GOOD.replace('name = "Good"', 'name = "Good'), encoding="utf-8")
    with pytest.raises(TaxonomyError) as err:
        load_taxonomy(bad)
    assert str(bad) in str(err.value)
    assert err.value.line == 7
    assert "line 7" in str(err.value)


def test_bad_colour_names_the_entry_and_its_line():
    with pytest.raises(TaxonomyError) as err:
        parse_taxonomy(GOOD.replace("#00ff00", "green"), "t.toml")
    assert "kind 'good'" in str(err.value) and "colour" in str(err.value)
    assert err.value.line == 5


def test_missing_id_names_the_entry():
    with pytest.raises(TaxonomyError, match=r"t.toml, line 11: kind entry 2 has no 'id'"):
        parse_taxonomy(GOOD.replace('id = "other"\n', ""), "t.toml")


def test_bad_regex_and_unknown_reference_are_reported():
    with pytest.raises(TaxonomyError, match="bad pattern in 'cues'"):
        parse_taxonomy(GOOD.replace("\\bgreat\\b", "(unclosed"), "t.toml")
    with pytest.raises(TaxonomyError, match="unknown kind 'nope'"):
        parse_taxonomy(
            GOOD.replace("default = true", 'default = true\nopposes = ["nope"]'), "t.toml"
        )


def test_exactly_one_default_kind():
    with pytest.raises(TaxonomyError, match="exactly one kind must have default"):
        parse_taxonomy(GOOD.replace("default = true", ""), "t.toml")


def test_vault_taxonomy_wins_when_present(tmp_path):
    assert taxonomy_for_vault(tmp_path).ids == default_taxonomy().ids
    (tmp_path / ".explorer").mkdir()
    (tmp_path / ".explorer" / "taxonomy.toml").write_text(GOOD, encoding="utf-8")
    tax = taxonomy_for_vault(tmp_path)
    assert tax.ids == ("good", "other") and tax.name == "Tiny"


def test_missing_file_is_named(tmp_path):
    with pytest.raises(TaxonomyError, match="nothere.toml: file not found"):
        load_taxonomy(tmp_path / "nothere.toml")


def test_cues_may_carry_weights_and_plain_strings_weigh_one():
    tax = parse_taxonomy(
        GOOD.replace(
            "cues = ['\\bgreat\\b']",
            "cues = ['\\bgreat\\b', { pattern = '\\bfine\\b', weight = 0.25 }]\n"
            "section_cues = [{ pattern = '\\bgood\\b', weight = 2 }]",
        ),
        "t.toml",
    )
    good = tax.by_id["good"]
    assert [(p.pattern, w) for p, w in good.weighted_cues()] == [
        ("\\bgreat\\b", 1.0),
        ("\\bfine\\b", 0.25),
    ]
    assert [w for _, w in good.weighted_section_cues()] == [2.0]
    assert tax.by_id["other"].weighted_cues() == ()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{ pattern = '\\bx\\b', weight = 0 }", "must be above 0 and at most 10"),
        ("{ pattern = '\\bx\\b', weight = 11 }", "must be above 0 and at most 10"),
        ("{ pattern = '\\bx\\b', weight = 'high' }", "must be a number"),
        (
            "{ pattern = '\\bx\\b', wieght = 1 }",
            "list of strings or { pattern, weight } tables",
        ),
        ("{ weight = 1 }", "list of strings or { pattern, weight } tables"),
        ("3", "list of strings or { pattern, weight } tables"),
        ("{ pattern = '(unclosed', weight = 1 }", "bad pattern in 'cues'"),
    ],
)
def test_bad_cue_entries_name_the_kind_and_line(entry, message):
    with pytest.raises(TaxonomyError, match=re.escape(message)) as err:
        parse_taxonomy(GOOD.replace("cues = ['\\bgreat\\b']", f"cues = [{entry}]"), "t.toml")
    assert "kind 'good'" in str(err.value) and err.value.line == 5


def test_the_default_taxonomy_has_enough_examples_to_train_on():
    tax = default_taxonomy()
    for kind in tax.kinds:
        if not kind.questions:
            assert len(kind.examples) >= 30, kind.id
