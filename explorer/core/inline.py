"""Inline Markdown and Obsidian syntax inside one block of text.

``scan`` finds the tokens a sentence splitter must not look into (code, links, embeds, URLs,
math) and the ones the parser collects (tags, block ids, block references, inline fields).
``mask`` hides them behind same-length filler, so every offset found in the masked string is
an offset in the original; ``render`` turns a span back into clean claim text.

Every pattern here is linear: no nested quantifiers, and each one stops at the next
delimiter, so a 50 MB line costs a single pass.

>>> s = "See [[Note#Part|the part]] and `x.y()` at https://a.b/c. Done #tag/sub"
>>> [(t.kind, t.display) for t in scan(s)]
[('wikilink', 'the part'), ('code', 'x.y()'), ('url', ''), ('tag', 'tag/sub')]
>>> render(s, 0, len(s), scan(s))
'See the part and x.y() at. Done'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

# Kinds whose source is not claim text at all (shown as nothing in a claim).
HIDDEN = frozenset(
    {"embed", "image", "url", "blockid", "blockref", "footnote", "field", "html", "transclusion"}
)
LINK_KINDS = frozenset(
    {"wikilink", "embed", "markdown", "image", "url", "transclusion", "blockref"}
)


@dataclass(slots=True)
class Token:
    kind: str  # code | math | wikilink | embed | markdown | image | url | tag | blockid |
    #            blockref | footnote | field | html | transclusion
    start: int
    end: int
    display: str = ""  # what a reader sees in the claim text
    target: str = ""
    heading: str | None = None
    block: str | None = None
    alias: str | None = None


_URL_BODY = r"[^\s<>\[\]\"'`]*[^\s<>\[\]\"'`.,;:!?*_~]"

_INLINE = re.compile(
    r"(?P<code2>``(?:[^`\n]|`(?!`))+``)"
    r"|(?P<code>`[^`\n]+`)"
    r"|(?P<embed>!\[\[(?P<et>[^\[\]\n]{1,1000})\]\])"
    r"|(?P<wiki>\[\[(?P<wt>[^\[\]\n]{1,1000})\]\](?!\())"
    r"|(?P<md>(?P<bang>!?)\[(?P<mt>(?:[^\[\]\n]|\[[^\[\]\n]*\]){0,2000})\]"
    r"\(\s*(?P<mu><[^<>\n]*>|(?:[^\s()]|\([^\s()]*\)){0,4000})"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?\s*\))"
    r"|(?P<footnote>\[\^[^\]\s]{1,100}\])"
    r"|(?P<field>[\[(](?P<fk>[A-Za-z](?:[\w -]{0,40}?\w)?)::[ \t]*(?P<fv>[^\[\]()\n]{0,500})[\])])"
    r"|(?P<auto><(?:https?|ftp|mailto|obsidian):[^<>\s]{1,4000}>)"
    r"|(?P<url>\b(?:https?://|ftp://|www\.)" + _URL_BODY + r")"
    r"|(?P<math2>\$\$[^$\n]{1,4000}\$\$)"
    r"|(?P<math>\$(?=[^\s$])[^$\n]{0,4000}(?<=[^\s$])\$(?!\d))"
    r"|(?P<math3>\\\((?:[^\n\\]|\\(?!\))){1,4000}\\\)|\\\[(?:[^\n\\]|\\(?!\])){1,4000}\\\])"
    r"|(?P<html></?(?:br|b|i|u|em|strong|span|div|p|sup|sub|mark|a|img|font|small|s|del|ins"
    r"|kbd|center|details|summary|hr|code|pre|ul|ol|li|blockquote|iframe|video|audio|source"
    r"|figure|figcaption|table|tr|td|th|tbody|thead|h[1-6])\b(?:[^<>\n ]|[ ]+){0,500}>)"
    r"|(?P<tag>(?<![^\s(\[,;])#(?=[\w/-]*[^\W\d_])[\w/-]{1,200})"
    r"|(?P<blockid>(?<=\s)\^[A-Za-z0-9-]{1,64}[ \t]*$)"
    r"|(?P<blockref>(?<![^\s(\[,;])\^(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]{2,63}"
    r"(?![A-Za-z0-9-]))",
    re.IGNORECASE | re.MULTILINE,
)
# Where a token can start: the first character of every alternative of _INLINE.
_STARTER = re.compile(r"[`!\[(<$#^\\]|(?i:\b(?:https?://|ftp://|www\.))")
_TRANSCLUDE = re.compile(r"[ \t]*Transclude of (?P<t>\S[^\n]{0,1000}?)[ \t]*$")
_NESTED = re.compile(r"[`!\[<$]|https?://")
_BARE_URL = re.compile(r"(?:https?://|www\.)\S*|[\w.-]+\.[a-z]{2,6}/\S*", re.IGNORECASE)
_TLDS = r"(?:com|org|net|io|ai|dev|co|edu|gov|app|xyz|so|gg|tv|info|tt|sh|ly|me|us|uk|de)"
_TLD_SLASH = re.compile(r"\." + _TLDS + "/", re.IGNORECASE)
_DOMAIN_URL = re.compile(
    r"(?<![\w@./-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\." + _TLDS + "/" + _URL_BODY,
    re.IGNORECASE,
)
_CITATION = re.compile(r"\[?\s*\d{1,4}\s*\]?")
_URL_TRAIL = re.compile(r"[.,;:!?*_~]+$")


def scan(s: str) -> list[Token]:
    """Inline tokens of ``s`` in order, never overlapping."""
    tokens: list[Token] = []
    if "Transclude of" in s:
        m = _TRANSCLUDE.match(s)
        if m:
            target, heading, block = _split_target(m.group("t"))
            return [Token("transclusion", 0, len(s), "", target, heading, block)]
    match = _INLINE.match
    n = len(s)
    pos = 0
    while pos < n:
        # jump to the next place a token can start; trying the whole alternation at every
        # position is what made a plain regex scan slow
        hit = _STARTER.search(s, pos)
        if hit is None:
            break
        m = match(s, hit.start())
        if m is None:
            pos = hit.start() + 1
            continue
        pos = m.end() if m.end() > m.start() else m.start() + 1
        kind = m.lastgroup  # the outermost named group: each alternative is one
        if kind == "code" or kind == "code2":
            ticks = 2 if kind == "code2" else 1
            inner = m.group()[ticks:-ticks]
            if ticks == 2 and inner.startswith(" ") and inner.endswith(" "):
                inner = inner[1:-1]
            tokens.append(Token("code", m.start(), m.end(), inner))
        elif kind == "tag":
            name = m.group()[1:]
            tokens.append(Token("tag", m.start(), m.end(), name, name))
        elif kind == "wiki" or kind == "embed":
            target, heading, block, alias = _wiki_parts(m.group("wt" if kind == "wiki" else "et"))
            if kind == "embed":
                tokens.append(Token("embed", m.start(), m.end(), "", target, heading, block, alias))
            else:
                shown = alias or target or heading or block or ""
                tokens.append(
                    Token("wikilink", m.start(), m.end(), shown, target, heading, block, alias)
                )
        elif kind == "md":
            tokens.append(_markdown_link(m))
        elif kind == "url":
            url = m.group()
            while url.endswith(")") and url.count("(") < url.count(")"):
                url = _URL_TRAIL.sub("", url[:-1])  # "(see https://x.y/z)": the paren is prose
            if len(url) > 4:
                tokens.append(Token("url", m.start(), m.start() + len(url), "", url))
        elif kind == "auto":
            tokens.append(Token("url", m.start(), m.end(), "", m.group()[1:-1]))
        elif kind == "math" or kind == "math2" or kind == "math3":
            tokens.append(Token("math", m.start(), m.end(), m.group()))
        elif kind == "footnote" or kind == "html":
            tokens.append(Token(kind, m.start(), m.end()))
        elif kind == "field":
            key, value = m.group("fk").strip(), m.group("fv").strip()
            tokens.append(Token("field", m.start(), m.end(), "", key, alias=value))
        elif kind == "blockid":
            tokens.append(Token("blockid", m.start(), m.end(), "", block=m.group().strip()[1:]))
        else:  # blockref
            tokens.append(Token("blockref", m.start(), m.end(), "", block=m.group()[1:]))
    if "/" in s and _TLD_SLASH.search(s):
        tokens = _add_domain_urls(s, tokens)
    return tokens


def _add_domain_urls(s: str, tokens: list[Token]) -> list[Token]:
    """``arxiv.org/abs/2301.00303``: a link without a scheme, in the text between tokens."""
    extra = []
    pos = 0
    for k in range(len(tokens) + 1):
        gap_end = tokens[k].start if k < len(tokens) else len(s)
        if gap_end - pos > 5 and _TLD_SLASH.search(s, pos, gap_end):
            for m in _DOMAIN_URL.finditer(s, pos, gap_end):
                extra.append(Token("url", m.start(), m.end(), "", m.group()))
        if k < len(tokens):
            pos = max(pos, tokens[k].end)
    if not extra:
        return tokens
    return sorted(tokens + extra, key=lambda t: t.start)


def _split_target(raw: str) -> tuple[str, str | None, str | None]:
    """``note#heading`` / ``note#^block`` into its parts."""
    target, _, frag = raw.partition("#")
    target = target.strip()
    heading = block = None
    if frag:
        frag = frag.strip()
        if frag.startswith("^"):
            block = frag[1:] or None
        else:
            heading = frag or None
    return target, heading, block


def _wiki_parts(inner: str) -> tuple[str, str | None, str | None, str | None]:
    alias = None
    for sep in ("\\|", "|"):  # inside tables the pipe is escaped
        if sep in inner:
            inner, _, alias = inner.partition(sep)
            alias = alias.strip() or None
            break
    target, heading, block = _split_target(inner)
    if target.lower().endswith(".md"):
        target = target[:-3]
    return target, heading, block, alias


def _markdown_link(m: re.Match) -> Token:
    text = m.group("mt")
    url = m.group("mu").strip()
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1]
    if m.group("bang"):
        return Token("image", m.start(), m.end(), "", url, alias=text or None)
    heading = block = None
    target = url
    if "://" not in url and not url.startswith(("mailto:", "www.")):
        # a link to another note of the vault: name it the way a wikilink would
        path, _, frag = unquote(url).partition("#")
        target = path[:-3] if path.lower().endswith(".md") else path
        if frag.startswith("^"):
            block = frag[1:] or None
        elif frag:
            heading = frag
    # the text may hold an image or code ([![img](src)](href)); show what a reader sees
    shown = render(text, 0, len(text), scan(text)) if _NESTED.search(text) else plain(text)
    if _CITATION.fullmatch(shown) or _BARE_URL.fullmatch(shown):
        shown = ""  # [4] citation markers and [https://x](https://x) say nothing of their own
    return Token("markdown", m.start(), m.end(), shown, target, heading, block, text or None)


# Inline math in clean claim text (``render`` keeps it verbatim): ``$…$``, ``$$…$$``,
# ``\(…\)``, ``\[…\]``. What lies inside is never mined for asides, references or concepts.
MATH = re.compile(
    r"\$\$[^$\n]{1,4000}\$\$|\$(?=[^\s$])[^$\n]{0,4000}(?<=[^\s$])\$(?!\d)"
    r"|\\\((?:[^\n\\]|\\(?!\))){1,4000}\\\)|\\\[(?:[^\n\\]|\\(?!\])){1,4000}\\\]"
)


def math_spans(s: str) -> list[tuple[int, int]]:
    """Where inline math sits in ``s``, as (start, end) pairs."""
    if "$" not in s and "\\" not in s:
        return []
    return [m.span() for m in MATH.finditer(s)]


def without_math(s: str) -> str:
    """``s`` with each inline formula replaced by a space."""
    if "$" not in s and "\\" not in s:
        return s
    return MATH.sub(" ", s)


# ---------------------------------------------------------------------------- masking

_FILL = "x"


def is_hidden(t: Token) -> bool:
    """Tokens that show nothing in a claim: URLs, embeds, block ids, ``[4]`` markers…"""
    return t.kind in HIDDEN or (t.kind == "markdown" and not t.display)


def mask(s: str, tokens: list[Token]) -> str:
    """``s`` with each token replaced by filler of the same length.

    A token that shows text is replaced by letters, starting with the first letter a reader
    sees (so "[[Note]]. Next" still has a capital after its full stop); a hidden token
    (a URL, an embed, a citation marker) by spaces, so "Fact.[4] Next" still splits.
    Neither filler holds sentence punctuation.
    """
    if not tokens:
        return s
    parts: list[str] = []
    pos = 0
    for t in tokens:
        parts.append(s[pos : t.start])
        n = t.end - t.start
        if is_hidden(t):
            parts.append(" " * n)
        else:
            first = t.display[:1] if t.display[:1].isalnum() else _FILL
            parts.append(first + _FILL * (n - 1))
        pos = t.end
    parts.append(s[pos:])
    return "".join(parts)


# ---------------------------------------------------------------------------- rendering

_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~=$<>])")
_EMPH = re.compile(
    r"(?<![\w*_~=])(?:\*{1,3}|_{1,3}|~~|==)(?=[^\s*_~=])"
    r"|(?<=[^\s*_~=])(?:\*{1,3}|_{1,3}|~~|==)(?![\w*_~=])"
)
_WS = re.compile(r"\s+")
_SPACE_BEFORE = re.compile(r" +(?=[,.;:!?)\]”’](?:\s|$))")
_SPACE_AFTER = re.compile(r"(?<=[(\[“‘]) +")
_GONE = "\ufdd0"  # stands for a hidden token while a claim's text is put together
_BLANK = " \t\n\r\f\v" + _GONE
_AROUND_GONE = re.compile(r"\(\s*\ufdd0[\s\ufdd0]*\)|\[\s*\ufdd0[\s\ufdd0]*\]")
_DANGLING = re.compile(r"\s*[,:;]+(?=[.!?]?$|[.!?]\s)")
_LEAD_JUNK = " •◦▪‣·→⇒➔➜⟶>|-="
_ARROW_PREFIX = re.compile(r"^\s*(?:->|=>|-->|[→⇒➔➜⟶])\s*")


def plain(s: str) -> str:
    """Markdown emphasis and escapes removed from text that holds no tokens."""
    if "\\" in s:
        s = _ESCAPE.sub(r"\1", s)
    if "*" in s or "_" in s or "~" in s or "=" in s:
        s = _EMPH.sub("", s)
    return s


def tidy(s: str) -> str:
    """Whitespace collapsed, no space before closing punctuation, no leading bullets."""
    s = " ".join(s.split())
    if " " in s:
        s = _SPACE_BEFORE.sub("", s)
        if "(" in s or "[" in s or "“" in s or "‘" in s:
            s = _SPACE_AFTER.sub("", s)
    if ":" in s or "," in s or ";" in s:
        s = _DANGLING.sub("", s)  # "Whisper: <url>." -> "Whisper."
    if s[:1] in _LEAD_JUNK:
        s = _ARROW_PREFIX.sub("", s).lstrip(_LEAD_JUNK)
    return s.rstrip(" |")


def render(s: str, start: int, end: int, tokens: list[Token]) -> str:
    """Clean text of ``s[start:end]``: links shown by their text, hidden tokens removed.

    Tags at the edges of the span are dropped (they label the claim); a tag inside a
    sentence keeps its word.
    """
    parts: list[tuple[str, str]] = []  # (kind, text); kind "" for plain text
    pos = start
    for t in tokens:
        if t.end <= start or t.start >= end:
            continue
        if t.start > pos:
            parts.append(("", plain(s[pos : t.start])))
        kind = t.kind
        if is_hidden(t):
            parts.append((kind, _GONE))
        elif kind == "wikilink":
            parts.append((kind, plain(t.display)))
        else:
            parts.append((kind, t.display))
        pos = max(pos, t.end)
    if pos < end:
        parts.append(("", plain(s[pos:end])))
    first, last = 0, len(parts)
    while first < last and (parts[first][0] == "tag" or not parts[first][1].strip(_BLANK)):
        first += 1
    while last > first and (parts[last - 1][0] == "tag" or not parts[last - 1][1].strip(_BLANK)):
        last -= 1
    out = "".join(text for _, text in parts[first:last])
    if _GONE in out:
        if "(" in out or "[" in out:
            out = _AROUND_GONE.sub(" ", out)  # "(see <url>)" leaves no empty "( )" behind
        out = out.replace(_GONE, " ")
    return tidy(out)
