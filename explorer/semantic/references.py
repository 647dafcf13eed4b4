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
from explorer.core.words import COMMON_WORDS
from explorer.semantic.context import is_lead_in, lead_in_scopes
from explorer.semantic.prefilter import PatternSet, fold
from explorer.semantic.types import Reference

# What _find reports for each source named: (key, text, kind, url or None).
_Found = tuple[str, str, str, str | None]

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
_CITE_NARRATIVE = re.compile(
    rf"\b({_NAME}(?:\s+et al\.?|\s+(?:and|&)\s+{_NAME})?)\s+\(((?:19|20)\d{{2}}[a-z]?)\)"
)
# "(Brown et al., 2020; Kaplan et al., 2020)", "(see Wei et al. 2022)": each item of a
# parenthesis that holds a year.
_PAREN_WITH_YEAR = re.compile(r"\(([^()]*\b(?:19|20)\d{2}[a-z]?\b[^()]*)\)")
_CITE_ITEM = re.compile(
    rf"(?:^|[;(]|\b(?:see|e\.g\.,?|cf\.?|also)\s)\s*"
    rf"({_NAME}(?:\s+et al\.?|\s+(?:and|&)\s+{_NAME})?),?\s+((?:19|20)\d{{2}}[a-z]?)\b"
)
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
_ATTR_VIA = re.compile(
    rf"\b(?i:according to|via|h/t|per|in the words of)\s+((?:{_NAME})(?:[ /](?:{_NAME}))*)"
)
# "Joscha claims", "Okafor thinks", "Chollet defines", "Hoffmann et al. showed": a
# capitalised name (one or two words, or "X et al.") right before a verb of saying.
# Verbs that also fit things ("Scaling shows", "Retrieval adds") count only after "et al.".
_SAYING = (
    r"(?:claim|argue|say|think|believe|suggest|note|write|propose|posit|predict|reckon|define|"
    r"conclude|observe|maintain|insist|warn|stress|mention|object|counter|repl(?:y|ie)|respond|"
    r"doubt|disagree|agree|admit|emphasi[sz]e|contend|assert|speculate|hypothesi[sz]e)"
)
_ADVERB = r"(?:(?:also|then|later|rightly|famously|once|still|even)\s+)?"
_ATTR_VERB = re.compile(
    rf"\b((?:{_NAME})(?: (?:{_NAME}))?)\s+{_ADVERB}"
    rf"(?:{_SAYING}(?:s|es|ed|d)?|said|thought|wrote|points? out|pointed out|puts? it)\b"
)
# "Prof. Okafor", "Dr Lee": a title marks a person whatever follows.
_TITLED = re.compile(rf"\b(?:Prof\.?|Professor|Dr\.?)\s+({_NAME}(?:\s+{_NAME})?)")
_HANDLE = re.compile(r"(?<![\w@.])@([A-Za-z_]\w{1,30})\b")
_ATTR_ET_AL = re.compile(
    rf"\b({_NAME} et al\.?)\s+{_ADVERB}(?:{_SAYING}(?:s|es|ed|d)?|said|thought|wrote|"
    r"show(?:s|ed|n)?|f(?:ound|ind|inds)|report(?:s|ed)?|demonstrat(?:e|es|ed)|estimat(?:e|es|ed)|"
    r"describ(?:e|es|ed)|introduc(?:e|es|ed)|train(?:s|ed)?)\b"
)
# "the GPT-3 paper", "the BERT and GPT-1 papers", "the original Chinchilla paper".
_PAPER_NAMED = re.compile(
    r"\b(?:[Tt]he\s+)?(?:original\s+|famous\s+|classic\s+|first\s+)?"
    r"((?:[A-Z][\w\-.]*(?:\s+[A-Z0-9][\w\-.]*){0,3})"
    r"(?:(?:,\s*|\s+and\s+|\s*&\s*)[A-Z][\w\-.]*(?:\s+[A-Z0-9][\w\-.]*){0,3})*)"
    r"\s+(?:papers?|(?:technical\s+)?reports?|preprints?)\b"
)
_PAPER_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*")
# A reading-list line: "Chollet, “On the Measure of Intelligence”", "Bender et al., "...".
_AUTHOR_TITLE = re.compile(
    rf"(?:^|[\s(\[])({_NAME}(?:\s+et al\.?|\s+(?:and|&)\s+{_NAME})?),\s*[“\"]([^”\"]{{3,200}})[”\"]"
)
_CITE_NO_YEAR = re.compile(rf"\b({_NAME}) et al\.?(?![.\w])(?!\s*,?\s*\(?(?:19|20)\d\d)")
_POSSESSIVE = re.compile(
    r"\b([A-Z][a-z][\w\-]*)[’']s\s+(?:[A-Z][\w\-]+|(?:paper|talk|argument|book|essay|theory|"
    r"view|claim|post|thesis|framework|lecture|interview|podcast|experiment|critique|term|idea|"
    r"point|words|account|notion|definition|test|objection|distinction|model|proposal|hypothesis|"
    r"analogy|example|position|reply|response|slides?|survey|study|work|results?)\b)"
)
# Parenthesised "(from ...)" that names no source: "(from personal experience in agentic use)".
_NOT_SOURCES = re.compile(
    r"^(?:my|our|own|personal|experience|practice|memory|experiments?|testing|work|"
    r"the (?:above|below|previous|next|same)\b|[\d$€£])|\bto\s+[\d$€£]",
    re.I,
)
# A one-word "X paper" with no "the" before it names a paper only when X looks like a
# model or method name (GPT-1, BERT, DallE), not a capitalised adjective ("Important paper").
# Every pattern _find runs over a text, for its prefilter.
_FIND_SET = PatternSet(
    (_URL, _DOI, _ARXIV, _CITE_PAREN, _CITE_NARRATIVE, _PAREN_WITH_YEAR, _QUOTED)
    + (_AUTHOR_TITLE, _PAPER_NAMED, _CITE_NO_YEAR, _ATTR_PAREN, _ATTR_VIA, _ATTR_VERB)
    + (_ATTR_ET_AL, _POSSESSIVE, _TITLED, _HANDLE)
)
_MODEL_LIKE = re.compile(r"\d|[A-Z].*[A-Z]")
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
    "each",
    "every",
    "all",
    "any",
    "its",
    "their",
    "his",
    "her",
    "our",
    "my",
    "your",
    "no",
    "most",
    "such",
    "both",
    "these",
    "those",
    "other",
    "another",
    "then",
    "when",
    "if",
    "as",
    "in",
    "on",
    "for",
    "with",
    "why",
    "how",
    "let",
    "never",
    "always",
    "often",
    "everybody",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
}


# A person's or source's name: words of letters ("LeCun", "O'Neil", "Jean-Paul"), never
# code ("model_v2", "Foo.bar") or a common word that opens a sentence ("To", "Find").
_NAME_WORD = re.compile(r"[A-Z][^\W\d_]*(?:['’\-][^\W\d_]+)*")
# "@dataclass", "@property": Python decorators and such in pasted code, not handles.
_NOT_HANDLES = {
    "dataclass",
    "property",
    "staticmethod",
    "classmethod",
    "override",
    "param",
    "return",
    "returns",
    "pytest",
    "app",
    "router",
    "media",
    "import",
    "font",
    "keyframes",
    "everyone",
    "here",
    "channel",
}
# Link texts that say nothing about the source they point at.
_GENERIC_LABEL = re.compile(
    r"(?i)^\W*(?:\d+|[ivx]+|youtube(?: video)?|video|link|here|this|source|article|post|"
    r"tweet|thread|paper|pdf|website|site|page|blog(?: post)?|more|read more|click here|"
    r"watch|demo|docs?|repo|github|code)\W*$"
)


def is_name(name: str) -> bool:
    """Whether ``name`` reads as a person's or a source's name."""
    words = name.split()
    if not words or len(words) > 4:
        return False
    if not all(_NAME_WORD.fullmatch(w) or w in ("et", "al", "al.") for w in words):
        return False
    first = words[0].casefold().rstrip("’'s") if words[0].endswith(("'s", "’s")) else words[0]
    return first.casefold() not in COMMON_WORDS and first.casefold() not in _NOT_NAMES


def source_label(label: str | None, url: str) -> str:
    """What a reference to ``url`` is called: its link text, unless that says nothing."""
    text = (label or "").strip()
    if not text or _GENERIC_LABEL.match(text) or not any(ch.isalpha() for ch in text):
        return url
    return text


def ref_id(key: str) -> str:
    return "ref:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


_QUOTE_MARKS = re.compile(r"[“”\"‘’'`]")
_NOT_KEY = re.compile(r"[^\w\s:/.\-]")


def _fold(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).casefold()
    t = _QUOTE_MARKS.sub("", t)
    return " ".join(_NOT_KEY.sub(" ", t).split())


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


def _entry_groups(entries: Sequence[Claim]) -> list[list[Claim]]:
    """Bibliography entries, one group per source line: the splitter cuts "Baars, B. J.
    (1988). A Cognitive Theory of Consciousness. Cambridge University Press." into three
    sentences, but it is one work."""
    groups: list[list[Claim]] = []
    for e in entries:
        if groups and groups[-1][-1].line == e.line and groups[-1][-1].section_id == e.section_id:
            groups[-1].append(e)
        else:
            groups.append([e])
    return groups


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
        ref_sections = {
            s.id
            for s in note.sections
            if is_reference_heading(s.title) and not self._titles_a_note(s, note)
        }
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
            elif c.block == "paragraph" and is_reference_heading(c.text):
                # A bare "References" line of a flat export (a list item that says
                # "Reading List" is a link to a note, not a heading).
                listing, list_section = True, c.section_id
            elif listing:
                entries.append(c)
            else:
                kept.append(c)
        return kept, entries

    @staticmethod
    def _titles_a_note(section, note: ParsedNote) -> bool:
        """A top heading like "Reading List" that names a whole note of sections (Read, To
        read, References): the note is about reading, and only its References section is a
        bibliography."""
        return section.level == 1 and any(
            s.parent_id == section.id and not is_reference_heading(s.title) for s in note.sections
        )

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

        for group in _entry_groups(entries):
            text = " ".join(e.text for e in group)
            ids = {e.id for e in group}
            found = self._find(text)
            urls = [f for f in found if f[2] in ("url", "doi")]
            for link in note.links:
                if link.claim_id in ids and link.target.lower().startswith(("http://", "https://")):
                    urls.append((url_key(link.target), link.target, "url", link.target))
            if urls:
                key, _, kind, url = urls[0]
                add(key, text, kind, [], url, scope="note")
            else:
                add("entry:" + _fold(text), text, "entry", [], None, scope="note")

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
            # A heading names a topic ("Saliency via Backprop"), not who said something.
            for key, text, kind, url in self._find(s.title, attributions=False):
                add(key, text, kind, citing, url)

        claim_ids = {c.id for c in claims}
        for link in note.links:
            citing = [link.claim_id] if link.claim_id in claim_ids else []
            if link.kind in ("url", "markdown") and link.target.lower().startswith(
                ("http://", "https://")
            ):
                label = source_label(link.alias, link.target)
                add(url_key(link.target), label, "url", citing, link.target)
            elif link.target.startswith("data:"):
                continue  # an inline file's placeholder (see core.markdown), not a source
            elif link.kind in ("wikilink", "embed", "transclusion") and link.target:
                add("note:" + _fold(link.target), link.target, "note", citing)
        return list(refs.values())

    def _find(self, text: str, attributions: bool = True) -> list[_Found]:
        """(key, text, kind, url) for each source named in ``text``.

        ``attributions`` off, as in a heading: sources that say what they are (URLs,
        DOIs, dated citations, titles, "(from X)"), not "via X" or "X says".
        """
        out: list[_Found] = []
        # Most texts cite nothing: one literal scan rules out the patterns that cannot
        # match (prefilter.PatternSet) before any of them runs.
        maybe = _FIND_SET.candidates(fold(text))
        if not maybe:
            return out
        patterns = _FIND_SET.patterns
        possible = {patterns[i] for i in maybe}

        def hits(pat: re.Pattern):
            return pat.finditer(text) if pat in possible else ()

        for m in hits(_URL):
            out.append((url_key(m.group()), m.group(), "url", m.group()))
        for m in hits(_DOI):
            doi = m.group(1)
            out.append(("doi:" + doi.casefold(), doi, "doi", "https://doi.org/" + doi))
        for m in hits(_ARXIV):
            out.append(
                ("arxiv:" + m.group(1), m.group(), "url", "https://arxiv.org/abs/" + m.group(1))
            )
        for pat in (_CITE_PAREN, _CITE_NARRATIVE):
            for m in hits(pat):
                first = m.group(1).split()[0].casefold()
                if first not in _NOT_NAMES:
                    out.append((f"cite:{first}:{m.group(2)}", m.group(), "citation", None))
        for group in hits(_PAREN_WITH_YEAR):
            for item in group.group(1).split(";"):
                hit = _CITE_ITEM.search(item)
                if hit:
                    first = hit.group(1).split()[0].casefold()
                    if first not in _NOT_NAMES:
                        cite = f"{hit.group(1)}, {hit.group(2)}"
                        out.append((f"cite:{first}:{hit.group(2)}", cite, "citation", None))
        for m in hits(_QUOTED):
            title = m.group(1).strip()
            words = title.split()
            window = text[max(0, m.start() - 40) : m.end() + 40]
            if (
                2 <= len(words) <= 14
                and not title.endswith((".", "!"))
                and _TITLE_CONTEXT.search(window)
            ):
                out.append(("title:" + _fold(title), title, "title", None))
        for m in hits(_AUTHOR_TITLE):
            title = m.group(2).strip().rstrip(".")
            if 1 <= len(title.split()) <= 25:
                out.append(("title:" + _fold(title), title, "title", None))
        for m in hits(_PAPER_NAMED):
            has_the = m.group().lower().startswith("the")
            for name in _PAPER_SPLIT.split(m.group(1)):
                name = name.strip()
                if not name or name.split()[0].casefold() in _NOT_NAMES:
                    continue
                if has_the or _MODEL_LIKE.search(name):
                    out.append(("title:" + _fold(name), f"the {name} paper", "title", None))
        for m in hits(_CITE_NO_YEAR):
            first = m.group(1).casefold()
            if first not in _NOT_NAMES:
                out.append((f"src:{_fold(m.group(1))} et al", m.group(), "citation", None))
        patterns = (_ATTR_PAREN, _ATTR_VIA, _ATTR_VERB, _ATTR_ET_AL, _POSSESSIVE, _TITLED, _HANDLE)
        # A heading keeps only explicit attributions: "(from ZickZack)", "Prof. Okafor".
        for pat in patterns if attributions else (_ATTR_PAREN, _TITLED):
            for m in hits(pat):
                words = m.group(1).strip(" .,:;").split()
                # "As Hinton puts it": a sentence's capitalised first word is not a name.
                while len(words) > 1 and words[0].casefold() in _NOT_NAMES:
                    words = words[1:]
                name = " ".join(words)
                if words[0].casefold() in _NOT_NAMES or _URL.search(name):
                    continue
                if pat is _ATTR_PAREN and _NOT_SOURCES.match(name):
                    continue
                if pat is _HANDLE:
                    if name.casefold() in _NOT_HANDLES or name.casefold() in COMMON_WORDS:
                        continue
                elif pat is not _ATTR_PAREN and not is_name(name):
                    continue
                out.append(("src:" + _fold(name), name, "attribution", None))
        seen: set[str] = set()
        uniq: list[_Found] = []
        for item in out:
            if item[0] not in seen:
                seen.add(item[0])
                uniq.append(item)
        return uniq
