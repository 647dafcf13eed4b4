"""The note parser: text in, sections, claims, links, tags and properties out.

Entry point ``parse_note(text, path) -> ParsedNote``. It never raises: anything unexpected
becomes a warning on the note, and whatever was read up to that point is kept.

Pipeline (each step a module of its own):

1. ``frontmatter``: YAML properties and tags; a malformed block is a warning.
2. ``markdown``: front matter, code fences, ``$$`` math and comments are blanked in a
   same-length working copy; lines are classified and grouped into headings and units
   (paragraph lines joined where an export or a hard wrap split a sentence, list items
   with their nesting, quote and callout lines, table rows). ``textexport`` supplies the
   rules for un-marked headings and export debris.
3. ``inline``: links, embeds, code, URLs, math, tags and block ids of a unit are found and
   masked with same-length filler; ``splitter`` cuts the masked unit into sentences.
4. Here: each sentence becomes a claim with clean text (``inline.render``), a stable id,
   its section, its parent list item, and its source span; sentences with no words of
   their own (a lone URL, ``See also ^id``, ``etc.``) are folded into the claim before them.

Decisions worth knowing:

* Tables: each body row that is prose is one claim (block "table"), its cells joined
  with "; "; the header and delimiter rows are not claims, nor rows of data (mostly
  numbers, or no cell of two words: see ``is_prose_row``).
* Bare URLs, embeds, images, footnote markers and citation markers such as ``[4]`` are
  links, not claim text; a Markdown link or wikilink shows its text or alias.
* A callout's title is a claim only when it is a sentence (ends in ``.``, ``!``, ``?``).
* A paragraph claim wholly inside quotation marks gets block "quote".
* Block references (``See also ^f339b5``) are links of kind "blockref" whose target is the
  note itself (a bare block id points into the note that holds it).
"""

from __future__ import annotations

import re
from bisect import bisect_right

from explorer.core import inline, markdown, textexport
from explorer.core.fragments import is_fragment
from explorer.core.frontmatter import read_front_matter
from explorer.core.ids import Occurrences, claim_id, normalise, section_id
from explorer.core.model import Claim, Link, ParsedNote, Section
from explorer.core.splitter import split
from explorer.core.textexport import word_set

# Part of every note's pipeline key: a new version re-reads every note on the next index.
# Bump it when the parser (or the semantic rules that it feeds) reads notes differently.
PARSER_VERSION = "2"
_LINK_KIND = {"image": "embed"}
# A claim is a sentence or a bullet; past this length it is a dump (a log line, an
# unbroken paste), kept cut with a warning so one line cannot fill a map or a terminal.
MAX_CLAIM_CHARS = 2000
BARE_LINK_WORDS = 10
_FILLERS = word_set(
    """etc etc. e.g. i.e. ok okay yes no n/a na tbd todo see cf cf. via source sources ref
    link links more misc"""
) | {"see also", "link to original", "read more", "more here", "source:", "via:"}
# pysbd is slow (about 3,600 sentences/s); past this many characters in one note the
# splitter's rules decide the rare ambiguous boundaries alone
PYSBD_NOTE_BUDGET = 50_000
_BAD_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_THREE_LETTERS = re.compile(r"[^\W\d_]{3}")
_OPEN_QUOTES = '“"«„'
_CLOSE_QUOTES = '”"»“'


def parse_note(text: str, path: str) -> ParsedNote:
    """Parse one note. ``path`` is vault-relative with forward slashes."""
    note = ParsedNote(path=path, title=note_title(path))
    try:
        _Parser(text, note).run()
    except Exception as exc:  # the last line of defence: a bad note must not stop an index
        note.warnings.append(f"parser error, note only partly read: {type(exc).__name__}: {exc}")
    return note


def note_title(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    if dot and stem and ext.lower() in ("md", "markdown", "txt", "text", "mdown"):
        return stem
    return name


def is_claim_text(text: str) -> bool:
    """Whether clean text says something: not empty, not a filler, not a lone fragment."""
    if len(text) < 24 and normalise(text).strip(" .…:;,") in _FILLERS:
        return False
    if text.count(" ") >= 2 and _THREE_LETTERS.search(text):
        return True  # the common case, decided without counting words
    ws = [w for w in textexport.words(text) if any(c.isalpha() for c in w)]
    if not ws:
        return False
    if len(ws) == 1:
        if sum(c.isalpha() for c in ws[0]) < 3:
            return False
        if textexport.is_debris(text):
            return False
    return True


_TEXT_ELEMENTS = re.compile(r"#{1,6}[ \t]+Text Elements[ \t]*$")
_HEADING_LINE = re.compile(r"#{1,6}[ \t]")


def is_excalidraw(path: str, frontmatter: dict) -> bool:
    """A drawing of the Excalidraw plugin, stored as Markdown."""
    return path.lower().endswith(".excalidraw.md") or (
        isinstance(frontmatter, dict) and "excalidraw-plugin" in frontmatter
    )


def excalidraw_text(work: str, starts: list[int]) -> str:
    """Only the drawing's text elements, the rest blanked (offsets kept).

    The plugin's file holds a "switch to Excalidraw view" banner, a "Text Elements"
    section (one paragraph per text box, ending in its ``^id``), then element links,
    embedded files and the compressed drawing. Only the text boxes are the author's.
    """
    keep: list[tuple[int, int]] = []
    inside = False
    n = len(work)
    for i, a in enumerate(starts):
        b = starts[i + 1] if i + 1 < len(starts) else n
        line = work[a:b].strip()
        if _TEXT_ELEMENTS.match(line):
            inside = True
            continue
        if inside and (_HEADING_LINE.match(line) or line.startswith("%%")):
            inside = False
        if inside:
            keep.append((a, b))
    chars = [ch if ch == "\n" else " " for ch in work]
    for a, b in keep:
        chars[a:b] = work[a:b]
    return "".join(chars)


_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")


def is_prose_row(cells: list[str]) -> bool:
    """Whether a table row's cells say something, rather than hold data.

    A row is data when half its cells or more are numbers ("GPT-4 | 86.4 | 92.0"), or
    when no cell has two words ("en | English", a lookup table): such rows stay in the
    note's text and are not claims.
    """
    filled = [c for c in cells if any(ch.isalnum() for ch in c)]  # "—", "%%" are neither
    numeric = sum(1 for c in filled if _is_number_cell(c))
    if not filled or numeric * 2 >= len(filled):
        return False
    return any(len(_LETTER_WORD.findall(c)) >= 2 for c in filled)


def _is_number_cell(cell: str) -> bool:
    letters = sum(ch.isalpha() for ch in cell)
    digits = sum(ch.isdigit() for ch in cell)
    return digits > 0 and letters <= max(2, digits // 2)


def _sanitise(work: str) -> str:
    """Control characters become spaces and lone surrogates U+FFFD, one for one.

    Claim text must be storable as UTF-8 and readable; offsets must not move.
    """
    if _BAD_CHARS.search(work) is None:
        return work
    return _BAD_CHARS.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else " ", work)


class _Parser:
    def __init__(self, text: str, note: ParsedNote):
        self.text = text
        self.note = note
        self.starts: list[int] = []
        self.work = text
        self.claim_occ = Occurrences()
        self.section_occ = Occurrences()
        self.sections: list[Section] = []  # open sections, outermost first
        self.item_claim: dict[int, str] = {}  # list item -> its first claim id
        self.item_parent: list[int | None] = []
        self.item_anchor: dict[int, str | None] = {}  # item -> nearest claim at or above it
        self.seen_tags: set[str] = set()
        self.pysbd_budget = [PYSBD_NOTE_BUDGET]

    # ------------------------------------------------------------------ driver
    def run(self) -> None:
        note, text = self.note, self.text
        fm = read_front_matter(text)
        note.frontmatter = fm.data
        note.warnings.extend(fm.warnings)
        for tag in fm.tags:
            self.add_tag(tag)
        self.starts = markdown.line_starts(text)
        self.work = _sanitise(markdown.blank_regions(text, self.starts, fm.end, note.warnings))
        if is_excalidraw(note.path, fm.data):
            self.work = excalidraw_text(self.work, self.starts)
        lines = markdown.classify_lines(self.work, self.starts)
        st = markdown.structure(self.work, lines)
        self.item_parent = st.item_parent
        for event in st.events:
            if isinstance(event, markdown.Unit):
                self.unit(event)
            elif isinstance(event, markdown.Heading):
                self.heading(event)
            else:
                self.set_property(event.key, event.value)
                self.collect(inline.scan(self.work[event.start : event.end]), event.start, None)

    # ------------------------------------------------------------------ helpers
    def line_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset)

    def add_tag(self, tag: str) -> None:
        if tag and tag not in self.seen_tags:
            self.seen_tags.add(tag)
            self.note.tags.append(tag)

    def set_property(self, key: str, value: str) -> None:
        props = self.note.properties
        if key not in props:
            props[key] = value
        elif isinstance(props[key], list):
            props[key].append(value)
        else:
            props[key] = [props[key], value]

    def collect(self, tokens: list[inline.Token], base: int, cid: str | None, remap=None) -> None:
        """Links, tags and inline fields among ``tokens`` (offsets relative to ``base``)."""
        for t in tokens:
            kind = t.kind
            if kind == "tag":
                self.add_tag(t.target)
            elif kind == "field":
                self.set_property(t.target, t.alias or "")
            elif kind in inline.LINK_KINDS:
                if remap is not None:
                    start, end = remap(t.start), remap(t.end - 1) + 1
                else:
                    start, end = base + t.start, base + t.end
                target = t.target
                if kind == "blockref":
                    target = self.note.title
                self.note.links.append(
                    Link(
                        target=target,
                        kind=_LINK_KIND.get(kind, kind),
                        line=self.line_of(start),
                        start=start,
                        end=end,
                        alias=t.alias,
                        heading=t.heading,
                        block=t.block,
                        claim_id=cid,
                    )
                )

    # ------------------------------------------------------------------ headings
    def heading(self, h: markdown.Heading) -> None:
        raw = self.work[h.start : h.end]
        tokens = inline.scan(raw)
        title = inline.render(raw, 0, len(raw), tokens)
        if h.kind == "colon":
            title = textexport.colon_title(title)
        elif h.kind == "known":
            title = title.rstrip(":").strip()
        self.collect(tokens, h.start, None)
        if not title:
            return
        while self.sections and self.sections[-1].level >= h.level:
            self.sections.pop()
        parent = self.sections[-1] if self.sections else None
        path = (*parent.path, title) if parent else (title,)
        sid = section_id(self.note.path, path, self.section_occ.next(tuple(map(normalise, path))))
        line = h.line
        start = line.start + (
            len(self.work[line.start : line.end]) - len(self.work[line.start : line.end].lstrip())
        )
        section = Section(
            sid,
            title,
            h.level,
            path,
            parent.id if parent else None,
            line.no + 1,
            min(start, h.start),
            h.end,
        )
        self.sections.append(section)
        self.note.sections.append(section)

    # ------------------------------------------------------------------ claims
    def parent_claim(self, item: int | None) -> str | None:
        """The first claim of the nearest enclosing list item that has one."""
        if item is None:
            return None
        walked = []
        node = self.item_parent[item]
        found = None
        while node is not None:
            found = self.item_claim.get(node) or self.item_anchor.get(node)
            if found is not None:
                break
            walked.append(node)
            node = self.item_parent[node]
        for node in walked:  # remember the answer, so deep chains are walked once
            self.item_anchor[node] = found
        return found

    def add_claim(
        self,
        text: str,
        block: str,
        start: int,
        end: int,
        item: int | None,
        bare_link: bool = False,
    ) -> str:
        if len(text) > MAX_CLAIM_CHARS:
            self.note.warnings.append(
                f"claim on line {self.line_of(start)} has {len(text):,} characters; "
                f"kept its first {MAX_CLAIM_CHARS:,}"
            )
            text = text[: MAX_CLAIM_CHARS - 1].rstrip() + "…"
        key = normalise(text)
        cid = claim_id(self.note.path, key, self.claim_occ.next(key), normalised=True)
        if block == "paragraph" and len(text) > 2 and text[0] in _OPEN_QUOTES:
            body = text.rstrip(".")
            if body and body[-1] in _CLOSE_QUOTES:
                block = "quote"
        claims = self.note.claims
        claims.append(
            Claim(
                id=cid,
                text=text,
                section_id=self.sections[-1].id if self.sections else None,
                parent_id=self.parent_claim(item),
                block=block,
                position=len(claims),
                line=self.line_of(start),
                end_line=self.line_of(max(start, end - 1)),
                start=start,
                end=end,
                fragment=bare_link or is_fragment(text),
            )
        )
        if item is not None:
            self.item_claim.setdefault(item, cid)
        return cid

    def unit(self, unit: markdown.Unit) -> None:
        if unit.cells is not None:
            self.table_row(unit)
            return
        work = self.work
        pieces = unit.pieces
        if len(pieces) == 1:
            a0 = pieces[0][0]
            virtual = work[a0 : pieces[0][1]]

            def to_orig(v: int, a0=a0) -> int:
                return a0 + v
        else:
            virtual = "\n".join(work[a:b] for a, b in pieces)
            offsets = []
            pos = 0
            for a, b in pieces:
                offsets.append(pos)
                pos += b - a + 1

            def to_orig(v: int, offsets=offsets, pieces=pieces) -> int:
                k = bisect_right(offsets, v) - 1
                a, b = pieces[k]
                return min(a + v - offsets[k], b)

        tokens = inline.scan(virtual)
        spans = split(inline.mask(virtual, tokens), self.pysbd_budget)
        if not spans:
            self.collect(tokens, 0, None, to_orig)
            return
        # a token belongs to the sentence it starts in, or to the one before it: hidden
        # tokens (URLs, citation markers) are blank to the splitter and may fall between
        owned: list[list[inline.Token]] = [[] for _ in spans]
        k = 0
        last = len(spans) - 1
        for t in tokens:
            while k < last and spans[k + 1][0] <= t.start:
                k += 1
            owned[k].append(t)
        # sentences without words of their own fold into a neighbour, keeping their links
        kept: list[list] = []  # [vs, ve, text, tokens]
        pending: list[inline.Token] = []
        pending_start: int | None = None
        for (vs, ve), seg_tokens in zip(spans, owned, strict=True):
            if seg_tokens:
                vs = min(vs, seg_tokens[0].start)
                ve = max(ve, max(t.end for t in seg_tokens))
            text = inline.render(virtual, vs, ve, seg_tokens)
            if is_claim_text(text):
                if pending_start is not None:
                    vs = pending_start
                kept.append([vs, ve, text, pending + seg_tokens])
                pending = []
                pending_start = None
            elif kept:
                kept[-1][1] = ve
                kept[-1][3].extend(seg_tokens)
            else:
                pending.extend(seg_tokens)
                if pending_start is None:
                    pending_start = vs
        for vs, ve, text, seg_tokens in kept:
            start, end = to_orig(vs), to_orig(ve - 1) + 1
            # A link alone is a pointer, unless its text is itself a sentence (a linked
            # tweet or headline of ten words or more says something).
            bare = len(text.split()) < BARE_LINK_WORDS and any(
                t.kind in ("wikilink", "markdown") and inline.tidy(t.display) == text
                for t in seg_tokens
            )
            cid = self.add_claim(text, unit.block, start, end, unit.item, bare)
            self.collect(seg_tokens, 0, cid, to_orig)
        if pending:
            self.collect(pending, 0, None, to_orig)

    def table_row(self, unit: markdown.Unit) -> None:
        texts = []
        found = []
        for a, b in unit.cells or ():
            raw = self.work[a:b]
            tokens = inline.scan(raw)
            cell = inline.render(raw, 0, len(raw), tokens)
            if cell:
                texts.append(cell)
            found.append((a, tokens))
        text = "; ".join(texts)
        a, b = unit.pieces[0]
        prose = is_claim_text(text) and is_prose_row(texts)
        cid = self.add_claim(text, "table", a, b, None) if prose else None
        for base, tokens in found:
            self.collect(tokens, base, cid)
