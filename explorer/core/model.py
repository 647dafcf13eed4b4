"""The plain data every stage passes on: what a parsed note is made of.

These types are the contract between the parser, the semantic layer, the store,
the graph and the exporters. They hold strings and numbers only, so every stage
can be tested without a database, a model or a window.

Spans: ``line`` and ``end_line`` are 1-based line numbers in the note file;
``start`` and ``end`` are 0-based character offsets into the note's decoded text,
with ``text[start:end]`` the source the item was read from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from explorer.core.pickling import compact_pickle

# Node and edge types of the concept graph (documented in docs/EXPORT.md).
NODE_TYPES = ("note", "section", "claim", "annotation", "reference", "concept")
EDGE_TYPES = (
    "contains",  # note -> section, section -> claim, note -> claim, list item -> sub item
    "links_to",  # note or claim -> note it links to
    "mentions",  # claim -> concept
    "cites",  # claim -> reference
    "annotates",  # annotation -> claim it comments on
    "similar",  # claim <-> claim, cosine above a threshold
    "duplicate",  # claim <-> claim, near-identical
    "tension",  # claim <-> claim, close in meaning but disagreeing
    "user_link",  # claim <-> claim, a suggested link the user accepted (never in the vault)
)
# Edges between claims that the embedding model draws; their ``weight`` is a cosine,
# which is what a "minimum similarity" filter compares.
SIMILARITY_EDGE_TYPES = ("similar", "duplicate", "tension")

# How an annotation stands to the claim it comments on ("note": no stance taken).
STANCES = ("agree", "disagree", "doubt", "revise", "note")

# The files of a vault that are notes (compared lower-cased).
NOTE_SUFFIXES = (".md", ".markdown", ".txt")


@compact_pickle
@dataclass(frozen=True, slots=True)
class Section:
    """A heading, marked (``## x``) or recognised in a flattened text export."""

    id: str
    title: str
    level: int
    path: tuple[str, ...]  # titles from the top of the note down to this one
    parent_id: str | None
    line: int
    start: int
    end: int


@compact_pickle
@dataclass(frozen=True, slots=True)
class Link:
    """A wikilink, embed, Markdown link, bare URL or transclusion left by an export."""

    target: str  # note name, URL, or block reference target
    kind: str  # "wikilink" | "embed" | "markdown" | "url" | "transclusion" | "blockref"
    line: int
    start: int
    end: int
    alias: str | None = None
    heading: str | None = None
    block: str | None = None
    claim_id: str | None = None  # the claim whose text holds it, if any


@compact_pickle
@dataclass(frozen=True, slots=True)
class Claim:
    """One atomic statement: a sentence of a paragraph, or a list item."""

    id: str  # stable: unchanged when other text of the note changes
    text: str  # clean text: Markdown marks removed, link aliases kept
    section_id: str | None
    parent_id: str | None  # the list item this item is nested under
    block: str  # "paragraph" | "list_item" | "task" | "quote" | "callout" | "table"
    position: int  # order within the note, from 0
    line: int
    end_line: int
    start: int
    end: int
    # Not self-contained (a single term, a file name, a bare link, a formula): stored
    # and searchable, left off the map unless asked for (see core/fragments.py).
    fragment: bool = False


@compact_pickle
@dataclass(slots=True)
class ParsedNote:
    """Everything the parser finds in one note."""

    path: str  # vault-relative, forward slashes
    title: str
    claims: list[Claim] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    frontmatter: dict = field(default_factory=dict)
    properties: dict = field(default_factory=dict)  # Dataview ``key:: value``
    warnings: list[str] = field(default_factory=list)
