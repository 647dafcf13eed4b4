"""docs/CLI.md documents every command and every option the parser accepts."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from explorer.cli import build_parser

DOC = Path(__file__).resolve().parents[2] / "docs" / "CLI.md"


def commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def sections() -> dict[str, str]:
    """Text under each ``## `explorer NAME` `` heading."""
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## `explorer (\w+)`\s*$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def documented_names(action: argparse.Action) -> list[str]:
    if action.help == argparse.SUPPRESS or isinstance(action, argparse._HelpAction):
        return []
    if action.option_strings:
        return list(action.option_strings)
    return [action.metavar or action.dest.upper()]


def test_every_command_has_a_section():
    missing = sorted(set(commands()) - set(sections()))
    assert not missing, f"commands not documented in docs/CLI.md: {missing}"


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_option_of_a_command_is_in_its_section(name):
    section = sections().get(name, "")
    missing = [
        flag
        for action in commands()[name]._actions
        for flag in documented_names(action)
        if not re.search(rf"`{re.escape(flag)}[` ]", section)
    ]
    assert not missing, f"explorer {name}: undocumented in docs/CLI.md: {missing}"


def test_global_options_are_documented():
    text = DOC.read_text(encoding="utf-8")
    assert "--version" in text and "--help" in text


def test_the_check_itself_notices_a_missing_option():
    section = sections()["stats"]
    assert re.search(r"`--json[` ]", section)
    assert not re.search(r"`--no-such-option[` ]", section)
