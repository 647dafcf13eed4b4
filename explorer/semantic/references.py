"""Sources a note names: bibliography entries, URLs, DOIs, citations, titles, people, notes.

Each source becomes one :class:`Reference` keyed by a normalised form of it, so the same
paper or person named in many notes is one node. The claims citing it are the claim that
names it, or, when a heading or a lead-in line names it ("Limitations of autoregressive
LLMs: (mostly from lecun at lex)"), the claims under that heading or line.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

from explorer.core.model import Claim, ParsedNote
from explorer.semantic.context import is_lead_in, lead_in_scopes
from explorer.semantic.types import Reference

REFERENCE_HEADINGS = re.compile(
    r"^\s*(?:references?|sources?|bibliography|further reading|citations|literature|"
    r"reading list|works cited|papers|resources)\s*:?\s*$",
    re.I,
)
_URL = re.compile(r"\bhttps?://[^\s<>()\[\]\"'“”]+[^\s<>()\[\]\"'“”.,;:!?]", re.I)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]*[^\s\"<>.,;:)\]])")
_ARXIV = re.compile(r"\barxiv[:\s]\s*(\d{4}\.\d{4,5})(?:v\d+)?", re.I)
_NAME = r"[A-Z][\w’'\-]+"
_CITE_PAREN = re.compile(
    rf"\(({_NAME}(?:\s+(?:et al\.?|(?:and|&)\s+{_NAME}))?),?\s+((?:19|20)\d{{2}}[a-z]?)\)"
)
_CITE_NARRATIVE = re.compile(rf"\b({_NAME}(?:\s+et al\.?)?)\s+\(((?:19|20)\d{{2}}[a-z]?)\)")
_QUOTED = re.compile(r"[“\"]([^”\"]{3,120})[”\"]")
_TITLE_CONTEXT = re.compile(
    r"\b(?:paper|papers|article|book|talk|blog|essay|post|titled|called|video|podcast|read|lecture|thesis)\b",
    re.I,
)
_ATTR_PAREN = re.compile(
    r"\(\s*(?:(?:mostly|partly|largely|all|based on|adapted|taken|quote[sd]?)\s+)?"
    r"(?:from|via|by|according to|h/t|hat tip|source:?|cf\.?)\s+([^()]{2,60})\)",
    re.I,
)
_ATTR_VIA = re.compile(rf"\b(?i:according to|via|h/t)\s+((?:{_NAME})(?:[ /](?:{_NAME}))*)")
_ATTR_VERB = re.compile(
    rf"\b((?:{_NAME})(?: (?:{_NAME}))?)\s+(?:claims|argues|says|said|thinks|believes|suggests|"
    r"points out|notes|writes|wrote|proposes|posits|predicts|reckons)\b"
)
_PAPER_NAMED = re.compile(r"\bthe ((?:[A-Z][\w\-.]*\s){1,4})paper\b")
_POSSESSIVE = re.compile(
    r"\b([A-Z][a-z][\w\-]*)[’']s\s+(?:[A-Z][\w\-]+|(?:paper|talk|argument|book|essay|theory|"
    r"view|claim|post|thesis|framework|lecture|interview|podcast|experiment|critique)\b)"
)
# Capitalised words that open sentences or name things, never sources.
_NOT_NAMES = {
    "this",
    "that",
    "it",
    "he",
    "she",
    "they",
    "we",
    "one",
    "everyone",
    "someone",
    "paper",
    "the",
    "a",
    "an",
    "llm",
    "llms",
    "model",
    "models",
    "gpt",
    "ai",
    "research",
    "nobody",
    "who",
    "which",
    "what",
    "there",
    "here",
    "also",
    "and",
    "but",
    "so",
    "some",
    "many",
}


def ref_id(key: str) -> str:
    return "ref:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _fold(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).casefold()
    t = re.sub(r"[“”\"‘’'`]", "", t)
    return " ".join(re.sub(r"[^\w\s:/.\-]", " ", t).split())


def url_key(url: str) -> str:
    """A URL without scheme, 'www.', fragment, tracking parameters or trailing slash."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "url:" + url.strip().casefold()
    host = parts.netloc.casefold().removeprefix("www.")
    query = "&".join(
        q for q in parts.query.split("&") if q and not q.startswith(("utm_", "ref=", "s=", "t="))
    )
    path = parts.path.rstrip("/")
    return "url:" + urlunsplit(("", host, path, query, "")).lstrip("/")


def is_reference_heading(text: str) -> bool:
    return bool(REFERENCE_HEADINGS.match(text))


class NullReferenceExtractor:
    """Finds no references (a no-op stage)."""

    def split(self, note: ParsedNote, claims: Sequence[Claim]):
        return list(claims), []

    def extract(self, note: ParsedNote, claims: Sequence[Claim], entries: Sequence[Claim] = ()):
        return []


class ReferenceExtractor:
    """Finds the sources a note names and the claims that cite them."""

    def split(self, note: ParsedNote, claims: Sequence[Claim]) -> tuple[list[Claim], list[Claim]]:
        """Claims, and the bibliography entries taken out of them (a reference list is not claims)."""
        ref_sections = {s.id for s in note.sections if is_reference_heading(s.title)}
        # Subsections of a References section are references too.
        for s in note.sections:
            if s.parent_id in ref_sections:
                ref_sections.add(s.id)
        kept, entries = [], []
        listing = False  # inside a list opened by a bare "References" line (flat exports)
        list_section: str | None = None
        for c in claims:
            if listing and (c.section_id != list_section or is_lead_in(c.text)):
                listing = False
            if c.section_id is not None and c.section_id in ref_sections:
                entries.append(c)
            elif is_reference_heading(c.text):
                listing, list_section = True, c.section_id
            elif listing:
                entries.append(c)
            else:
                kept.append(c)
        return kept, entries

    def extract(
        self, note: ParsedNote, claims: Sequence[Claim], entries: Sequence[Claim] = ()
    ) -> list[Reference]:
        refs: dict[str, Reference] = {}

        def add(
            key: str,
            text: str,
            kind: str,
            citing: list[str],
            url: str | None = None,
            scope: str = "claim",
        ):
            r = refs.get(key)
            if r is None:
                r = refs[key] = Reference(ref_id(key), key, text.strip(), kind, url, [], scope)
            for cid in citing:
                if cid not in r.claim_ids:
                    r.claim_ids.append(cid)

        for e in entries:
            found = self._find(e.text)
            urls = [f for f in found if f[2] in ("url", "doi")]
            for link in note.links:
                if link.claim_id == e.id and link.target.lower().startswith(
                    ("http://", "https://")
                ):
                    urls.append((url_key(link.target), link.target, "url", link.target))
            if urls:
                key, _, kind, url = urls[0]
                add(key, e.text, kind, [], url, scope="note")
            else:
                add("entry:" + _fold(e.text), e.text, "entry", [], None, scope="note")

        scopes = lead_in_scopes(list(claims))
        for c in claims:
            citing = [c.id] + scopes.get(c.id, [])
            for key, text, kind, url in self._find(c.text):
                add(key, text, kind, citing, url)

        # Headings name sources for every claim beneath them.
        by_section: dict[str, list[str]] = {}
        for c in claims:
            by_section.setdefault(c.section_id or "", []).append(c.id)
        for s in note.sections:
            under = [x.id for x in note.sections if x.path[: len(s.path)] == s.path]
            citing = [cid for sid in under for cid in by_section.get(sid, [])]
            for key, text, kind, url in self._find(s.title):
                add(key, text, kind, citing, url)

        claim_ids = {c.id for c in claims}
        for link in note.links:
            citing = [link.claim_id] if link.claim_id in claim_ids else []
            if link.kind in ("url", "markdown") and link.target.lower().startswith(
                ("http://", "https://")
            ):
                add(url_key(link.target), link.alias or link.target, "url", citing, link.target)
            elif link.kind in ("wikilink", "embed", "transclusion") and link.target:
                add("note:" + _fold(link.target), link.target, "note", citing)
        return list(refs.values())

    def _find(self, text: str) -> list[tuple[str, str, str, str | None]]:
        """(key, text, kind, url) for each source named in ``text``."""
        out = []
        for m in _URL.finditer(text):
            out.append((url_key(m.group()), m.group(), "url", m.group()))
        for m in _DOI.finditer(text):
            doi = m.group(1)
            out.append(("doi:" + doi.casefold(), doi, "doi", "https://doi.org/" + doi))
        for m in _ARXIV.finditer(text):
            out.append(
                ("arxiv:" + m.group(1), m.group(), "url", "https://arxiv.org/abs/" + m.group(1))
            )
        for pat in (_CITE_PAREN, _CITE_NARRATIVE):
            for m in pat.finditer(text):
                first = m.group(1).split()[0].casefold()
                if first not in _NOT_NAMES:
                    out.append((f"cite:{first}:{m.group(2)}", m.group(), "citation", None))
        for m in _QUOTED.finditer(text):
            title = m.group(1).strip()
            words = title.split()
            window = text[max(0, m.start() - 40) : m.end() + 40]
            if (
                2 <= len(words) <= 14
                and not title.endswith((".", "!"))
                and _TITLE_CONTEXT.search(window)
            ):
                out.append(("title:" + _fold(title), title, "title", None))
        for m in _PAPER_NAMED.finditer(text):
            name = m.group(1).strip()
            out.append(("title:" + _fold(name), f"the {name} paper", "title", None))
        for pat in (_ATTR_PAREN, _ATTR_VIA, _ATTR_VERB, _POSSESSIVE):
            for m in pat.finditer(text):
                name = m.group(1).strip(" .,:;")
                if name.split()[0].casefold() in _NOT_NAMES or _URL.search(name):
                    continue
                out.append(("src:" + _fold(name), name, "attribution", None))
        seen, uniq = set(), []
        for item in out:
            if item[0] not in seen:
                seen.add(item[0])
                uniq.append(item)
        return uniq
