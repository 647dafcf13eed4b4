"""What the semantic layer produces: plain records over claim ids, ready for the store."""

from __future__ import annotations

from dataclasses import dataclass, field

from explorer.core.model import STANCES as STANCES  # the stance names, re-exported
from explorer.core.model import Claim
from explorer.core.pickling import compact_pickle

# Where a claim's kind came from, strongest first. The store applies them in this
# order: a user's correction is never overwritten by a re-index (see resolve_kind).
KIND_SOURCES = ("user", "rule", "embedding", "default")


@compact_pickle
@dataclass(frozen=True, slots=True)
class KindLabel:
    claim_id: str
    kind: str
    confidence: float  # 0..1
    source: str  # one of KIND_SOURCES
    reason: str = ""  # the cue or prototype that decided, for tooltips and debugging


@compact_pickle
@dataclass(frozen=True, slots=True)
class Annotation:
    """The author's own later comment on a claim."""

    id: str  # "ann:" + hash
    text: str
    stance: str  # one of STANCES
    target_claim_id: str | None
    confidence: float  # of the attachment
    line: int
    start: int
    end: int
    section_id: str | None
    origin_claim_id: str  # the parser's claim this annotation was (or was cut out of)
    how: str = (
        ""  # "parenthetical" | "sentence"; target found by "own" | "previous" | "quote" | "meaning"
    )


@compact_pickle
@dataclass(slots=True)
class Reference:
    """A source: a URL, DOI, citation, paper title, person, note, or bibliography entry."""

    id: str  # "ref:" + hash of key
    key: str  # normalised, the deduplication key across notes
    text: str  # as first seen
    kind: str  # "url" | "doi" | "citation" | "title" | "attribution" | "entry" | "note"
    url: str | None = None
    claim_ids: list[str] = field(default_factory=list)
    scope: str = "claim"  # "claim": cited by claim_ids; "note": listed for the whole note


@compact_pickle
@dataclass(slots=True)
class Concept:
    id: str  # "con:" + slug
    term: str  # canonical display form
    variants: set[str] = field(default_factory=set)  # surface forms seen
    claim_ids: list[str] = field(default_factory=list)
    in_heading: bool = False  # named in a heading or a link: worth keeping even if rare


@compact_pickle
@dataclass(slots=True)
class NoteAnalysis:
    """Everything the semantic layer says about one note.

    ``claims`` are the note's claims after annotations were taken out (whole
    sentences removed, parentheticals cut from the claim's text, same claim id) and
    bibliography entries moved to references; store these, not ``note.claims``.
    """

    path: str
    claims: list[Claim]
    kinds: dict[str, KindLabel]
    annotations: list[Annotation]
    references: list[Reference]
    concepts: list[Concept]
    voices: dict = field(default_factory=dict)  # claim id -> voice.Voice (author/source)


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    type: str  # "similar" | "duplicate" | "tension"
    weight: float
    reason: str = ""
