"""YAML front matter: found, read, and never allowed to raise.

A note may open with ``---`` on its first line and close the block with ``---`` (or ``...``).
Malformed YAML, a block that is not a mapping, or a block that never closes become warnings;
the note's text is still parsed.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

_OPEN = re.compile(r"\ufeff?---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_TAG_SPLIT = re.compile(r"[,\s]+")
_MAX_DEPTH = 20
_MAX_NODES = 10_000  # YAML aliases can make a small block expand without bound


@dataclass
class FrontMatter:
    end: int = 0  # offset just past the closing line; 0 when there is no front matter
    data: dict = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_front_matter(text: str) -> FrontMatter:
    """Find and read the front matter at the top of ``text``.

    >>> fm = read_front_matter("---\\ntags: [a, b/c]\\nn: 3\\n---\\nbody")
    >>> fm.data, fm.tags, text_after(fm, "---\\ntags: [a, b/c]\\nn: 3\\n---\\nbody")
    ({'tags': ['a', 'b/c'], 'n': 3}, ['a', 'b/c'], 'body')
    """
    fm = FrontMatter()
    opening = _OPEN.match(text)
    if not opening:
        return fm
    closing = _CLOSE.search(text, opening.end())
    if not closing:
        fm.warnings.append("front matter: opening '---' is never closed; read as text")
        return fm
    body = text[opening.end() : closing.start()]
    nl = text.find("\n", closing.end())
    fm.end = len(text) if nl < 0 else nl + 1
    data, problem = _load(body)
    if problem:
        fm.warnings.append(f"front matter: {problem}")
    fm.data = data
    fm.tags = _tags(data)
    return fm


def text_after(fm: FrontMatter, text: str) -> str:
    return text[fm.end :]


def _load(body: str) -> tuple[dict, str | None]:
    if not body.strip():
        return {}, None
    try:
        import yaml
    except ImportError:  # PyYAML arrives with huggingface_hub; keep a reader for the common case
        return _load_simple(body)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        value = yaml.load(body, Loader=loader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        reason = getattr(exc, "problem", None) or type(exc).__name__
        return {}, f"not valid YAML{where}: {reason}"
    except Exception as exc:  # a loader bug must not take the note down
        return {}, f"could not be read: {type(exc).__name__}"
    if value is None:
        return {}, None
    if not isinstance(value, dict):
        return {}, f"is a {type(value).__name__}, not a mapping of properties"
    budget = [_MAX_NODES]
    data = _plain(value, 0, budget)
    if budget[0] < 0:
        return data, f"too large or self-referencing; kept the first {_MAX_NODES} values"
    return data, None


def _load_simple(body: str) -> tuple[dict, str | None]:
    """``key: value`` lines and ``- item`` lists, for when PyYAML is absent."""
    data: dict = {}
    key = None
    for line in body.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = re.match(r"\s+-\s*(.*)$", line)
        if item and key is not None:
            if not isinstance(data.get(key), list):
                data[key] = []
            data[key].append(item.group(1).strip().strip("'\""))
            continue
        pair = re.match(r"([^\s:][^:]*):(?:\s+(.*))?$", line)
        if not pair:
            return data, f"line {line!r} is not 'key: value'"
        key = pair.group(1).strip()
        value = (pair.group(2) or "").strip()
        if value.startswith("[") and value.endswith("]"):
            data[key] = [v.strip().strip("'\"") for v in value[1:-1].split(",") if v.strip()]
        else:
            data[key] = value.strip("'\"") if value else None
    return data, None


def _plain(value, depth: int, budget: list[int]):
    """Strings, numbers, lists and dicts only, so the store can keep it as JSON."""
    budget[0] -= 1
    if depth > _MAX_DEPTH or budget[0] < 0:
        budget[0] = min(budget[0], -1)
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1, budget) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v, depth + 1, budget) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _tags(data: dict) -> list[str]:
    tags: list[str] = []
    for key, value in data.items():
        if key.lower() not in ("tags", "tag"):
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            if item is None or isinstance(item, dict | list):
                continue
            for tag in _TAG_SPLIT.split(str(item)):
                tag = tag.lstrip("#").strip()
                if tag and tag not in tags:
                    tags.append(tag)
    return tags
