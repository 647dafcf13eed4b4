"""Block structure of a note: headings, paragraphs, lists, quotes, callouts, tables.

Works on offsets into the note's own text throughout. Regions that can never hold claims
(front matter, code fences, ``$$`` math blocks, ``%%`` and ``<!-- -->`` comments) are first
blanked to spaces in a same-length working copy, so every later step sees plain lines and
every offset it finds is still an offset into the note.

The result is a flat, ordered list of ``Heading``, ``Unit`` and ``Property`` events. A unit is
one run of text that sentence splitting sees as a whole: a paragraph's soft-wrapped lines, a
list item with its continuation lines, one line of a quote, one table row.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from explorer.core import textexport

# --------------------------------------------------------------------------- blanking

_FENCE = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*(`{3,}|~{3,})")
_MATH_OPEN = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*\$\$")
_NOT_NEWLINE = re.compile(r"[^\n]")


def line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    pos = find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts


def _blank(chars: list[str] | None, text: str, a: int, b: int) -> list[str]:
    """Mark text[a:b] for blanking (newlines kept); the list is built on first use."""
    if chars is None:
        chars = list(text)
    for k in range(a, b):
        if chars[k] != "\n":
            chars[k] = " "
    return chars


def blank_regions(text: str, starts: list[int], skip_to: int, warnings: list[str]) -> str:
    """``text`` with front matter, fences, math blocks and comments turned into spaces."""
    chars: list[str] | None = None
    if skip_to:
        chars = _blank(chars, text, 0, skip_to)
    n = len(text)
    i = 0
    nlines = len(starts)
    while i < nlines:
        a = starts[i]
        if a < skip_to:
            i += 1
            continue
        b = starts[i + 1] if i + 1 < nlines else n
        line = text[a:b]
        if "`" in line or "~" in line:
            m = _FENCE.match(line)
            if m:
                fence = m.group(1)
                j = i + 1
                while j < nlines:
                    la = starts[j]
                    lb = starts[j + 1] if j + 1 < nlines else n
                    other = _FENCE.match(text, la, lb)
                    if (
                        other
                        and other.group(1)[0] == fence[0]
                        and len(other.group(1)) >= len(fence)
                        and not text[other.end() : lb].strip()
                    ):
                        break
                    j += 1
                end = starts[j + 1] if j + 1 < nlines else n
                chars = _blank(chars, text, a, end)
                i = j + 1
                continue
        if "$$" in line:
            m = _MATH_OPEN.match(line)
            if m:
                rest = line[m.end() :]
                if "$$" in rest:  # a one-line block: $$ x $$
                    close_rel = rest.find("$$")
                    if not rest[close_rel + 2 :].strip():
                        chars = _blank(chars, text, a, b)
                        i += 1
                        continue
                else:
                    j = i + 1
                    while j < nlines:
                        la = starts[j]
                        lb = starts[j + 1] if j + 1 < nlines else n
                        if "$$" in text[la:lb]:
                            break
                        j += 1
                    end = starts[j + 1] if j + 1 < nlines else n
                    chars = _blank(chars, text, a, end)
                    i = j + 1
                    continue
        i += 1
    work = text if chars is None else "".join(chars)
    if "%%" in work or "<!--" in work:
        work = _blank_comments(work, starts, warnings)
    if "data:" in work:
        work = _blank_data_uris(work, starts, warnings)
    return work


# A pasted image or file inlined as a data URI: megabytes of base64 on one line.
_DATA_URI = re.compile(
    r"data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?:;[\w.+-]+=[\w.+-]+)*(?P<b64>;base64)?,"
    r"(?P<payload>[^\s)\]\"'<>]{64,})",
    re.IGNORECASE,
)


def _blank_data_uris(work: str, starts: list[int], warnings: list[str]) -> str:
    """Data URIs shrunk to ``data:MIME`` and spaces: ``![x](data:…)`` stays an embed.

    The payload is never text: no claim, no concept, no 8-MB search hit. The embed
    that held it keeps a link to ``data:MIME``, a placeholder for the inline file.
    """
    pieces: list[str] = []
    pos = 0
    for m in _DATA_URI.finditer(work):
        mime = m.group("mime") or "text/plain"
        size = len(m.group("payload"))
        size = size * 3 // 4 if m.group("b64") else size
        head = m.start("payload") - 1  # the comma
        pieces.append(work[pos : m.start()])
        pieces.append(f"data:{mime}".ljust(m.end() - m.start()))
        pos = m.end()
        warnings.append(
            f"inline data ({mime}, {_size(size)}) on line {_line_of(starts, head) + 1} "
            "is shown as an embed placeholder, not read as text"
        )
    if not pieces:
        return work
    pieces.append(work[pos:])
    return "".join(pieces)


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{max(1, round(n / 1024))} KB"


# Spans where ``%%`` and ``<!--`` are text, not comment marks: inline code and inline math
# (fences and ``$$`` blocks are blanked before comments are looked for).
_LITERAL = re.compile(
    r"``(?:[^`\n]|`(?!`))+``|`[^`\n]+`"
    r"|\$\$[^$\n]{1,4000}\$\$|\$(?=[^\s$])[^$\n]{0,4000}(?<=[^\s$])\$(?!\d)"
    r"|\\\((?:[^\n\\]|\\(?!\)))*\\\)|\\\[(?:[^\n\\]|\\(?!\]))*\\\]"
)
_OPENER = re.compile(r"%%|<!--")
_TABLE_ROW = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*\|")


def _line_of(starts: list[int], offset: int) -> int:
    return bisect_right(starts, offset) - 1


def _blank_comments(work: str, starts: list[int], warnings: list[str]) -> str:
    """``%%…%%`` and ``<!--…-->`` blanked; ``%%`` in code, math or a table cell kept.

    A comment opened inside a table row must close on that row: a ``%%`` alone in a
    cell (a syntax table, ``50%%``) is the cell's text. A comment that never closes
    hides the rest of the note, as Obsidian shows it, and the warning says how much.
    """
    scan = work
    if "`" in work or "$" in work or "\\" in work:
        scan = _LITERAL.sub(
            lambda m: (
                _NOT_NEWLINE.sub("x", m.group())
                if "%%" in m.group() or "<!--" in m.group()
                else m.group()
            ),
            work,
        )
    pieces: list[str] = []
    pos = 0  # end of the text already copied to pieces
    at = 0
    n = len(work)
    while True:
        m = _OPENER.search(scan, at)
        if m is None:
            break
        a = m.start()
        closer = "%%" if m.group() == "%%" else "-->"
        close = scan.find(closer, m.end())
        line = _line_of(starts, a)
        line_end = starts[line + 1] if line + 1 < len(starts) else n
        if _TABLE_ROW.match(work, starts[line]) and (close < 0 or close >= line_end):
            at = m.end()  # text of a table cell
            continue
        b = n if close < 0 else close + len(closer)
        if close < 0:
            hidden = work[a + 2 :].splitlines()
            lost = sum(1 for ln in hidden if ln.strip())
            last = _line_of(starts, max(n - 1, a)) + 1
            what = "line" if lost == 1 else "lines"
            warnings.append(
                f"comment '{m.group()}' opened on line {line + 1} is never closed: "
                f"the rest of the note (lines {line + 1}-{last}, {lost} {what} of text) "
                "is left out"
            )
        pieces.append(work[pos:a])
        pieces.append(_NOT_NEWLINE.sub(" ", work[a:b]))
        pos = at = b
    pieces.append(work[pos:])
    return "".join(pieces)


# --------------------------------------------------------------------------- lines

_HEADING = re.compile(r"[ \t]{0,3}(#{1,6})(?=[ \t]|$)[ \t]*")
_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$")
_HR = re.compile(r"[ \t]{0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_SETEXT = re.compile(r"[ \t]{0,3}(=+|-+)[ \t]*$")
_LIST = re.compile(r"([ \t]*)([-*+•◦▪‣]|\d{1,9}[.)])(?:[ \t]+|$)")
_TASK = re.compile(r"\[([ xX/\-<>!?*])\](?:[ \t]+|$)")
_QUOTE = re.compile(r"[ \t]{0,3}>")
_QUOTE_MARKS = re.compile(r"(?:[ \t]*>)+[ \t]?")
_CALLOUT = re.compile(r"\[!([\w-]+)\][+-]?[ \t]*")
_DELIM = re.compile(
    r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$|"
    r"[ \t]*\|[ \t]*:?-+:?[ \t]*\|?[ \t]*$"
)
_PROPERTY = re.compile(r"[ \t]*([A-Za-z](?:[\w -]{0,40}?\w)?)::(?:[ \t]+(.*)|[ \t]*)$")


@dataclass(slots=True)
class Line:
    no: int  # 0-based line index
    start: int
    end: int  # end of content, trailing whitespace and \r excluded
    kind: str  # blank heading hr list quote table para property
    indent: int = 0
    cstart: int = 0  # content start (after marks)
    level: int = 0
    task: bool = False
    callout: str | None = None


def _indent_width(lead: str) -> int:
    """Columns of leading whitespace, a tab reaching the next multiple of four."""
    return len(lead.expandtabs(4)) if "\t" in lead else len(lead)


def classify_lines(work: str, starts: list[int]) -> list[Line]:
    n = len(work)
    lines: list[Line] = []
    nlines = len(starts)
    for i in range(nlines):
        a = starts[i]
        b = starts[i + 1] - 1 if i + 1 < nlines else n
        raw = work[a:b]
        stripped = raw.rstrip()
        end = a + len(stripped)
        if not stripped.strip():
            lines.append(Line(i, a, a, "blank"))
            continue
        lead = len(stripped) - len(stripped.lstrip(" \t"))
        first = stripped[lead]
        indent = _indent_width(stripped[:lead]) if lead else 0
        if first == ">" and _QUOTE.match(stripped):
            m = _QUOTE_MARKS.match(stripped)
            line = Line(i, a, end, "quote", indent, a + m.end())
            c = _CALLOUT.match(stripped, m.end())
            if c:
                line.callout = c.group(1).lower()
                line.cstart = a + c.end()
            lines.append(line)
            continue
        if first == "#" and lead <= 3:
            m = _HEADING.match(stripped)
            if m:
                title_end = end
                close = _CLOSING_HASHES.search(stripped, m.end())
                if close:
                    title_end = a + close.start()
                elif stripped.endswith("#") and stripped.strip("# \t") == "":
                    title_end = a + m.end()
                lines.append(Line(i, a, title_end, "heading", indent, a + m.end(), len(m.group(1))))
                continue
        if first in "-*_" and lead <= 3 and _HR.match(stripped):
            lines.append(Line(i, a, end, "hr", indent, end))
            continue
        if first in "-*+•◦▪‣0123456789":
            m = _LIST.match(stripped)
            if m:
                cstart = m.end()
                task = _TASK.match(stripped, cstart)
                line = Line(i, a, end, "list", indent, a + cstart)
                if task:
                    line.task = True
                    line.cstart = a + task.end()
                lines.append(line)
                continue
        if "::" in stripped:
            m = _PROPERTY.match(stripped)
            if m and "://" not in stripped[: m.end(1) + 3]:
                lines.append(Line(i, a, end, "property", indent, a + lead))
                continue
        if "|" in stripped:  # a table candidate; _tables keeps it only above a delimiter row
            lines.append(Line(i, a, end, "table", indent, a + lead))
            continue
        lines.append(Line(i, a, end, "para", indent, a + lead))
    _setext(work, lines)
    _tables(work, lines)
    return lines


def _setext(work: str, lines: list[Line]) -> None:
    """``Title`` over ``===`` or ``---`` is a heading when the title stands alone."""
    for k in range(1, len(lines)):
        line = lines[k]
        if line.kind not in ("hr", "para") or not _SETEXT.match(work, line.start, line.end):
            continue
        prev = lines[k - 1]
        if prev.kind != "para" or (k >= 2 and lines[k - 2].kind == "para"):
            continue
        prev.kind = "heading"
        prev.level = 1 if work[line.start : line.end].strip()[0] == "=" else 2
        line.kind = "blank"


def _tables(work: str, lines: list[Line]) -> None:
    """A table is a row, a delimiter row, and the rows after it; lone pipes are prose."""
    k = 0
    count = len(lines)
    while k < count:
        line = lines[k]
        if line.kind != "table":
            k += 1
            continue
        is_delim = bool(_DELIM.match(work, line.start, line.end))
        nxt = lines[k + 1] if k + 1 < count else None
        nxt_delim = (
            nxt is not None
            and "|" in work[nxt.start : nxt.end]
            and bool(_DELIM.match(work, nxt.start, nxt.end))
        )
        if is_delim or not nxt_delim:
            line.kind = "para"  # a pipe in prose, or a row with no delimiter under it
            k += 1
            continue
        line.kind = "table_head"
        nxt.kind = "table_delim"
        k += 2
        while (
            k < count
            and lines[k].kind in ("table", "para")
            and "|" in work[lines[k].start : lines[k].end]
        ):
            lines[k].kind = "table"
            k += 1


# --------------------------------------------------------------------------- events


@dataclass(slots=True)
class Heading:
    kind: str  # marked (also setext) | plain | colon | question | known | family
    level: int
    start: int  # title source span
    end: int
    line: Line


@dataclass(slots=True)
class Unit:
    pieces: list[tuple[int, int]]
    block: str  # paragraph list_item task quote callout table
    item: int | None = None  # index of the list item this unit belongs to
    cells: list[tuple[int, int]] | None = None  # table rows: cell spans


@dataclass(slots=True)
class Property:
    key: str
    value: str
    start: int
    end: int


@dataclass
class Structure:
    events: list = field(default_factory=list)  # Heading | Unit | Property
    item_parent: list[int | None] = field(default_factory=list)  # list item -> parent item


_NEIGHBOUR_KIND = {"table_head": "table", "table_delim": "table"}


@dataclass(slots=True)
class _Item:
    indent: int
    index: int


class _Builder:
    def __init__(self, work: str, lines: list[Line]):
        self.work = work
        self.lines = lines
        self.out = Structure()
        self.unit: Unit | None = None  # the unit that the next line may continue
        self.items: list[_Item] = []
        self.base = 1  # level of the last marked heading (the note is level 1)
        self.anchor = 1  # level of the last heading that is not a colon intro
        self.in_references = False
        tops = [work[ln.cstart : ln.end] for ln in lines if ln.kind == "para" and ln.indent <= 3]
        self.family = textexport.families(tops)

    # -- helpers
    def text(self, line: Line) -> str:
        return self.work[line.cstart : line.end]

    def close_unit(self) -> None:
        self.unit = None

    def close_list(self) -> None:
        self.items.clear()
        self.unit = None

    def emit_unit(self, pieces, block, item=None, keep_open=True, cells=None) -> Unit:
        unit = Unit(list(pieces), block, item, cells)
        self.out.events.append(unit)
        self.unit = unit if keep_open else None
        return unit

    def heading(self, kind: str, line: Line, start: int, end: int, marked_level: int = 0) -> None:
        if kind == "marked":
            level = marked_level
            self.base = self.anchor = level
        elif kind == "colon":
            level = self.anchor + 1
        else:
            level = self.base + 1
            self.anchor = level
        self.out.events.append(Heading(kind, level, start, end, line))
        if kind != "colon":
            title = self.work[start:end]
            self.in_references = textexport.is_reference_title(title)
        self.close_list()

    def neighbour(self, k: int) -> tuple[str, str] | None:
        if k < 0 or k >= len(self.lines):
            return None
        line = self.lines[k]
        return _NEIGHBOUR_KIND.get(line.kind, line.kind), self.work[line.cstart : line.end]

    # -- main loop
    def build(self) -> Structure:
        blank_before = False
        quote: Line | None = None  # first line of the current quote block
        for k, line in enumerate(self.lines):
            kind = line.kind
            if kind != "quote":
                quote = None
            if kind == "blank":
                self.close_unit()
                blank_before = True
                continue
            if kind == "heading":
                self.close_list()
                self.heading("marked", line, line.cstart, line.end, line.level)
            elif kind == "hr" or kind in ("table_head", "table_delim"):
                self.close_list()
            elif kind == "quote":
                if quote is None:
                    self.close_list()
                quote = self.quote_line(line, quote)
            elif kind == "list":
                self.list_line(line)
            elif kind == "table":
                self.close_list()
                self.emit_unit(
                    [(line.cstart, line.end)], "table", keep_open=False, cells=self.cells(line)
                )
            elif kind == "property":
                self.close_unit()
                self.property_line(line)
            else:
                self.para_line(k, line, blank_before)
            blank_before = False
        return self.out

    def quote_line(self, line: Line, quote: Line | None) -> Line:
        if quote is None:
            quote = line
            self.close_unit()
        block = "callout" if quote.callout else "quote"
        if line.callout:
            title = self.text(line).strip()
            if title and textexport.ends_sentence(title) and not title.endswith(":"):
                self.emit_unit([(line.cstart, line.end)], block, keep_open=False)
            self.close_unit()
            return quote
        content = self.text(line)
        if not content.strip():
            self.close_unit()
            return quote
        m = _LIST.match(content)
        if m:
            self.emit_unit([(line.cstart + m.end(), line.end)], block)
            return quote
        if (
            self.unit is not None
            and self.unit.block == block
            and textexport.joins(
                self.work[self.unit.pieces[-1][0] : self.unit.pieces[-1][1]], content
            )
        ):
            self.unit.pieces.append((line.cstart, line.end))
        else:
            self.emit_unit([(line.cstart, line.end)], block)
        return quote

    def list_line(self, line: Line) -> None:
        while self.items and self.items[-1].indent >= line.indent:
            self.items.pop()
        parent = self.items[-1].index if self.items else None
        index = len(self.out.item_parent)
        self.out.item_parent.append(parent)
        self.items.append(_Item(line.indent, index))
        content = self.work[line.cstart : line.end]
        if textexport.is_property_text(content):
            self.property_line(line)
            self.unit = None
            return
        block = "task" if line.task else "list_item"
        pieces = [(line.cstart, line.end)]
        arrows = textexport.arrow_pieces(content)
        if arrows and len(arrows) > 1:
            pieces = [(line.cstart + a, line.cstart + b) for a, b in arrows]
            for piece in pieces[:-1]:
                self.emit_unit([piece], block, index, keep_open=False)
            pieces = pieces[-1:]
        self.emit_unit(pieces, block, index)

    def para_line(self, k: int, line: Line, blank_before: bool) -> None:
        content = self.text(line)
        if self.items:
            top = self.items[-1]
            unit = self.unit
            if line.indent > top.indent:  # continuation of the list item
                if (
                    unit is not None
                    and unit.item == top.index
                    and textexport.joins(
                        self.work[unit.pieces[-1][0] : unit.pieces[-1][1]], content
                    )
                ):
                    unit.pieces.append((line.cstart, line.end))
                else:
                    block = (
                        unit.block if unit is not None and unit.item == top.index else "list_item"
                    )
                    self.emit_unit([(line.cstart, line.end)], block, top.index)
                return
            if (
                not blank_before
                and unit is not None
                and unit.item is not None
                and textexport.joins(self.work[unit.pieces[-1][0] : unit.pieces[-1][1]], content)
            ):
                unit.pieces.append((line.cstart, line.end))  # a lazy continuation line
                return
            self.close_list()
        if textexport.is_debris(content):
            self.emit_unit([(line.cstart, line.end)], "paragraph", keep_open=False)
            return
        arrows = textexport.arrow_pieces(content)
        if arrows:
            for a, b in arrows:
                self.emit_unit([(line.cstart + a, line.cstart + b)], "list_item", keep_open=False)
            return
        unit = self.unit
        if (
            unit is not None
            and unit.block == "paragraph"
            and textexport.joins(self.work[unit.pieces[-1][0] : unit.pieces[-1][1]], content)
        ):
            unit.pieces.append((line.cstart, line.end))
            return
        if line.indent <= 3:
            call = textexport.classify(
                content,
                self.neighbour(k - 1),
                self.neighbour(k + 1),
                self.family,
                self.in_references,
            )
            if call is not None:
                self.heading(call.kind, line, line.cstart, line.cstart + call.title_end)
                if call.rest_start is not None:
                    self.emit_unit([(line.cstart + call.rest_start, line.end)], "paragraph")
                return
        self.emit_unit([(line.cstart, line.end)], "paragraph")

    def property_line(self, line: Line) -> None:
        m = _PROPERTY.match(self.work, line.cstart, line.end)
        if not m:
            return
        key, value = m.group(1).strip(), (m.group(2) or "").strip()
        self.out.events.append(Property(key, value, line.cstart, line.end))

    def cells(self, line: Line) -> list[tuple[int, int]]:
        """Cell spans of a table row; ``|`` inside ``[[a|b]]``, code or after ``\\`` stays."""
        work = self.work
        cells = []
        start = line.cstart
        depth = 0
        code = False
        k = start
        end = line.end
        while k < end:
            c = work[k]
            if c == "\\":
                k += 2
                continue
            if c == "`":
                code = not code
            elif not code and work.startswith("[[", k):
                depth += 1
                k += 1
            elif not code and depth and work.startswith("]]", k):
                depth -= 1
                k += 1
            elif c == "|" and not code and not depth:
                cells.append((start, k))
                start = k + 1
            k += 1
        cells.append((start, end))
        out = []
        for a, b in cells:
            while a < b and work[a] in " \t":
                a += 1
            while b > a and work[b - 1] in " \t":
                b -= 1
            if a < b:
                out.append((a, b))
        return out


def structure(work: str, lines: list[Line]) -> Structure:
    return _Builder(work, lines).build()
