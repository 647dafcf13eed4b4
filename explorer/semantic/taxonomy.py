"""Taxonomies of claim kinds: loaded from TOML, validated, with errors that name their line.

The default ships as ``data/taxonomy.toml``. A vault may bring its own at
``<vault>/.explorer/taxonomy.toml`` (a hidden folder, so Obsidian does not list it as
a note); :func:`taxonomy_for_vault` picks it when present. The program only reads it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from explorer import resources
from explorer.errors import ExplorerError
from explorer.semantic.prefilter import PatternSet

VAULT_TAXONOMY = Path(".explorer") / "taxonomy.toml"

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


class TaxonomyError(ExplorerError, ValueError):
    """A taxonomy file cannot be used; the message names the file, and the line when known."""

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        where = f"{self.path}, line {line}" if line else self.path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Kind:
    """One kind of claim and the cues that recognise it."""

    id: str
    name: str
    colour: str
    description: str = ""
    examples: tuple[str, ...] = ()
    cues: tuple[re.Pattern, ...] = ()
    section_cues: tuple[re.Pattern, ...] = ()
    # Evidence each cue counts for, in the order of ``cues`` / ``section_cues``;
    # empty means 1.0 for every cue (a plain string in the file).
    cue_weights: tuple[float, ...] = ()
    section_cue_weights: tuple[float, ...] = ()
    # What claims of this kind are about (AI systems) and what they are not (people,
    # brains): a claim naming only the latter ("Children can learn from few examples")
    # is no capability of a system, so the kind's cues count for less. With ``about``
    # alone, a claim and context naming none of it is off the subject.
    about: tuple[re.Pattern, ...] = ()
    not_about: tuple[re.Pattern, ...] = ()
    # What a claim of this kind must be about: one of these patterns must match the
    # claim, the headings above it or its note's title, or the kind is not given at all
    # (a "must" in software docs is no consciousness criterion). Empty: no requirement.
    subject: tuple[re.Pattern, ...] = ()

    def has_subject(self, text: str, context: str = "", title: str = "") -> bool:
        """True when the kind needs no subject, or ``text``, ``context`` or ``title`` names it."""
        if not self.subject:
            return True
        return any(p.search(t) for p in self.subject for t in (text, context, title) if t)

    def off_subject(self, text: str, context: str = "") -> bool:
        """True when ``text`` (under ``context``) is not about what this kind is about."""
        if not self.about and not self.not_about:
            return False
        if self._about.search_any(text):
            return False
        if self.not_about:
            return self._not_about.search_any(text)
        return not self._about.search_any(context)

    negated: str | None = None
    opposes: tuple[str, ...] = ()
    questions: bool = False
    takes_questions: bool = False
    default: bool = False

    def weighted_cues(self) -> tuple[tuple[re.Pattern, float], ...]:
        """(pattern, weight) for each cue."""
        w = self.cue_weights or (1.0,) * len(self.cues)
        return tuple(zip(self.cues, w, strict=True))

    def weighted_section_cues(self) -> tuple[tuple[re.Pattern, float], ...]:
        """(pattern, weight) for each section cue."""
        w = self.section_cue_weights or (1.0,) * len(self.section_cues)
        return tuple(zip(self.section_cues, w, strict=True))

    # Built at first use (a frozen dataclass may still fill its __dict__): the check runs
    # for every cue hit of the vault, and one literal scan replaces a test per pattern.
    @cached_property
    def _about(self) -> PatternSet:
        return PatternSet(self.about)

    @cached_property
    def _not_about(self) -> PatternSet:
        return PatternSet(self.not_about)


@dataclass(frozen=True)
class Taxonomy:
    """An ordered set of kinds; the order is the tie-break order of the rules."""

    name: str
    kinds: tuple[Kind, ...]
    source: str = "<memory>"
    by_id: dict[str, Kind] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {k.id: k for k in self.kinds})

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(k.id for k in self.kinds)

    @property
    def default_kind(self) -> Kind:
        return next(k for k in self.kinds if k.default)

    @property
    def question_kind(self) -> Kind | None:
        return next((k for k in self.kinds if k.questions), None)

    def opposed(self, a: str, b: str) -> bool:
        """True when claims of kinds ``a`` and ``b`` contradict each other when close."""
        ka, kb = self.by_id.get(a), self.by_id.get(b)
        return bool((ka and b in ka.opposes) or (kb and a in kb.opposes))


def _entry_lines(text: str) -> list[int]:
    """1-based line of each ``[[kind]]`` header, so field errors can point at their entry."""
    return [i + 1 for i, line in enumerate(text.splitlines()) if line.strip() == "[[kind]]"]


def _compile(path, line, kid, key, patterns) -> tuple[tuple[re.Pattern, ...], tuple[float, ...]]:
    """Compiled cues and their weights.

    A cue is a pattern string (weight 1.0) or a table ``{ pattern = '...', weight = 0.5 }``
    (weight above 0 and at most 10), so a weak hint can count for less than a sure sign.
    """
    msg = f"kind '{kid}': '{key}' must be a list of strings or {{ pattern, weight }} tables"
    if not isinstance(patterns, list):
        raise TaxonomyError(path, msg, line)
    out, weights = [], []
    for p in patterns:
        weight = 1.0
        if isinstance(p, dict):
            unknown = set(p) - {"pattern", "weight"}
            if unknown or not isinstance(p.get("pattern"), str):
                raise TaxonomyError(path, msg, line)
            weight = p.get("weight", 1.0)
            if isinstance(weight, bool) or not isinstance(weight, int | float):
                raise TaxonomyError(
                    path, f"kind '{kid}': weight of cue {p['pattern']!r} must be a number", line
                )
            if not 0 < weight <= 10:
                raise TaxonomyError(
                    path,
                    f"kind '{kid}': weight of cue {p['pattern']!r} must be above 0 and at most 10",
                    line,
                )
            p = p["pattern"]
        elif not isinstance(p, str):
            raise TaxonomyError(path, msg, line)
        try:
            out.append(re.compile(p, re.IGNORECASE))
        except re.error as exc:
            raise TaxonomyError(
                path, f"kind '{kid}': bad pattern in '{key}' {p!r}: {exc}", line
            ) from exc
        weights.append(float(weight))
    return tuple(out), tuple(weights)


def parse_taxonomy(text: str, path: str | Path = "<string>") -> Taxonomy:
    """Parse and validate taxonomy TOML text. Raises :class:`TaxonomyError`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_POS.search(str(exc))
        msg = _TOML_POS.sub("", str(exc)).strip()
        raise TaxonomyError(
            path,
            f"invalid TOML: {msg}" + (f" (column {m.group(2)})" if m else ""),
            int(m.group(1)) if m else None,
        ) from exc
    entries = data.get("kind")
    if not isinstance(entries, list) or not entries:
        raise TaxonomyError(path, "no [[kind]] entries")
    lines = _entry_lines(text)
    kinds: list[Kind] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries):
        line = lines[n] if n < len(lines) else None
        kid = entry.get("id")
        if not isinstance(kid, str) or not kid:
            raise TaxonomyError(path, f"kind entry {n + 1} has no 'id'", line)
        if not _ID.match(kid):
            raise TaxonomyError(
                path, f"kind '{kid}': id must be lowercase letters, digits, '-' or '_'", line
            )
        if kid in seen:
            raise TaxonomyError(path, f"kind '{kid}' is defined twice", line)
        seen.add(kid)
        colour = entry.get("colour", entry.get("color"))
        if not isinstance(colour, str) or not _COLOUR.match(colour):
            raise TaxonomyError(
                path, f"kind '{kid}': colour {colour!r} is not of the form \"#rrggbb\"", line
            )
        examples = entry.get("examples", [])
        if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
            raise TaxonomyError(path, f"kind '{kid}': 'examples' must be a list of strings", line)
        opposes = entry.get("opposes", [])
        if not isinstance(opposes, list):
            raise TaxonomyError(path, f"kind '{kid}': 'opposes' must be a list of kind ids", line)
        cues, cue_weights = _compile(path, line, kid, "cues", entry.get("cues", []))
        section_cues, section_weights = _compile(
            path, line, kid, "section_cues", entry.get("section_cues", [])
        )
        about, _ = _compile(path, line, kid, "about", entry.get("about", []))
        not_about, _ = _compile(path, line, kid, "not_about", entry.get("not_about", []))
        subject, _ = _compile(path, line, kid, "subject", entry.get("subject", []))
        kinds.append(
            Kind(
                id=kid,
                name=str(entry.get("name", kid)),
                colour=colour.lower(),
                description=str(entry.get("description", "")),
                examples=tuple(examples),
                cues=cues,
                section_cues=section_cues,
                cue_weights=cue_weights,
                section_cue_weights=section_weights,
                about=about,
                not_about=not_about,
                subject=subject,
                negated=entry.get("negated"),
                opposes=tuple(opposes),
                questions=bool(entry.get("questions", False)),
                takes_questions=bool(entry.get("takes_questions", False)),
                default=bool(entry.get("default", False)),
            )
        )
    defaults = [k.id for k in kinds if k.default]
    if len(defaults) != 1:
        raise TaxonomyError(
            path, f"exactly one kind must have default = true, found {defaults or 'none'}"
        )
    ids = {k.id for k in kinds}
    for n, k in enumerate(kinds):
        line = lines[n] if n < len(lines) else None
        for ref in ([k.negated] if k.negated else []) + list(k.opposes):
            if ref not in ids:
                raise TaxonomyError(path, f"kind '{k.id}' refers to unknown kind '{ref}'", line)
    name = data.get("taxonomy", {}).get("name", Path(str(path)).stem)
    return Taxonomy(name=str(name), kinds=tuple(kinds), source=str(path))


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read and validate a taxonomy file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise TaxonomyError(p, "file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise TaxonomyError(p, f"cannot read: {exc}") from exc
    return parse_taxonomy(text, p)


def default_taxonomy_path() -> Path:
    return resources.data_dir() / "taxonomy.toml"


_default_cache: Taxonomy | None = None


def default_taxonomy() -> Taxonomy:
    """The taxonomy shipped with the program (parsed once)."""
    global _default_cache
    if _default_cache is None:
        _default_cache = load_taxonomy(default_taxonomy_path())
    return _default_cache


def taxonomy_for_vault(vault: str | Path) -> Taxonomy:
    """The vault's own ``.explorer/taxonomy.toml`` when it has one, else the default."""
    own = Path(vault) / VAULT_TAXONOMY
    return load_taxonomy(own) if own.is_file() else default_taxonomy()
