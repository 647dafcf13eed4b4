"""Key terms: recurring noun phrases and acronyms, merged across spellings and plurals.

No part-of-speech tagger: a phrase is a run of two or three content words between
stopwords and punctuation, an acronym is two or more capitals. Precision comes from
the vault-wide pass (:func:`vault_concepts`), which keeps a term only when two claims
mention it or a heading or link names it. "LLMs", "LLM" and "large language models"
become one concept through plural folding and initials matching.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from explorer.core.inline import without_math
from explorer.core.model import ParsedNote
from explorer.semantic.types import Concept

_STOP = set(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "almost",
        "along",
        "already",
        "also",
        "although",
        "always",
        "am",
        "among",
        "an",
        "and",
        "another",
        "any",
        "anyone",
        "anything",
        "are",
        "aren't",
        "around",
        "as",
        "at",
        "away",
        "back",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "either",
        "else",
        "enough",
        "etc",
        "even",
        "ever",
        "every",
        "few",
        "for",
        "from",
        "further",
        "get",
        "gets",
        "getting",
        "give",
        "given",
        "go",
        "goes",
        "going",
        "gone",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "however",
        "i",
        "if",
        "in",
        "into",
        "is",
        "isn't",
        "it",
        "its",
        "itself",
        "just",
        "least",
        "less",
        "let",
        "like",
        "likely",
        "made",
        "make",
        "makes",
        "making",
        "many",
        "may",
        "maybe",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "my",
        "near",
        "need",
        "needs",
        "neither",
        "never",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "often",
        "on",
        "once",
        "one",
        "only",
        "onto",
        "or",
        "other",
        "others",
        "otherwise",
        "our",
        "out",
        "over",
        "own",
        "per",
        "perhaps",
        "please",
        "put",
        "quite",
        "rather",
        "really",
        "same",
        "say",
        "says",
        "see",
        "seem",
        "seems",
        "seen",
        "several",
        "shall",
        "she",
        "should",
        "since",
        "so",
        "some",
        "something",
        "sometimes",
        "still",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "thing",
        "things",
        "this",
        "those",
        "though",
        "through",
        "thus",
        "to",
        "too",
        "toward",
        "towards",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "use",
        "used",
        "uses",
        "using",
        "very",
        "via",
        "was",
        "we",
        "well",
        "were",
        "what",
        "whatever",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yet",
        "you",
        "your",
        "yours",
        "e.g",
        "i.e",
        "vs",
        "via",
        "lot",
        "lots",
        "way",
        "ways",
        "kind",
        "kinds",
        "sort",
        "able",
        "actually",
        "basically",
        "better",
        "best",
        "big",
        "bigger",
        "certain",
        "clearly",
        "different",
        "easy",
        "entire",
        "especially",
        "first",
        "good",
        "great",
        "hard",
        "high",
        "huge",
        "last",
        "long",
        "low",
        "main",
        "new",
        "next",
        "old",
        "possible",
        "real",
        "right",
        "small",
        "true",
        "whole",
        "wrong",
        "own",
        "simple",
        "specific",
        "various",
        "just",
        "already",
        "instead",
        "else",
        "else's",
        "know",
        "knew",
        "known",
        "think",
        "thought",
        "want",
        "wants",
        "take",
        "takes",
        "took",
        "try",
        "tries",
        "tried",
        "seem",
        "look",
        "looks",
        "show",
        "shows",
        "shown",
        "find",
        "finds",
        "found",
        "keep",
        "keeps",
        "work",
        "works",
        "worked",
        "call",
        "called",
        "come",
        "comes",
        "came",
        "become",
        "becomes",
        "became",
        "tell",
        "tells",
        "told",
        "ask",
        "asks",
        "asked",
        "read",
        "write",
        "writes",
        "wrote",
        "learn",
        "learns",
        "predict",
        "predicts",
        "generate",
        "generates",
        "create",
        "creates",
        "build",
        "builds",
        "run",
        "runs",
        "produce",
        "produces",
        "mean",
        "means",
        "get",
        "got",
        "allow",
        "allows",
        "help",
        "helps",
        "start",
        "starts",
        "add",
        "adds",
    ]
)
# Verbs, adverbs and predicative adjectives that are rarely the head of a key term but
# slip into runs of content words ("Joscha claims", "LLMs struggle", "system acting",
# "second point nowadays"). Words that are as often nouns ("claims", "notes", "changes")
# are left alone: the vault-wide pass filters what is mentioned once.
_NOT_HEADS = {
    "argue",
    "argues",
    "argued",
    "struggle",
    "struggles",
    "struggled",
    "defines",
    "defined",
    "lowers",
    "degrade",
    "degrades",
    "falls",
    "turned",
    "diverges",
    "competes",
    "compete",
    "possess",
    "possesses",
    "feeds",
    "grows",
    "buys",
    "commits",
    "meet",
    "meets",
    "simulate",
    "simulates",
    "appear",
    "appears",
    "stick",
    "sticks",
    "live",
    "lives",
    "stays",
    "holds",
    "knows",
    "achieves",
    "acting",
    "trying",
    "kept",
    "built",
    "chosen",
    "written",
    "taken",
    "given",
    "seen",
    "spend",
    "spends",
    "combine",
    "combines",
    "explain",
    "explains",
    "discover",
    "discovers",
    "recognize",
    "recognise",
    "treat",
    "treats",
    "happens",
    "happen",
    "suggests",
    "believes",
    "reckons",
    "claimed",
    "says",
    "said",
    "seems",
    "seemed",
    "becomes",
    "remains",
    "needs",
    "needed",
    "requires",
    "required",
    "lacks",
    "fails",
    "failed",
    "helps",
    "helped",
    "makes",
    "gives",
    "uses",
    "used",
    "lists",
    "nowadays",
    "anymore",
    "afterwards",
    "together",
    "underneath",
    "alone",
    "ago",
    "across",
    "according",
    "inside",
    "outside",
    "unless",
    "plus",
    "myself",
    "themselves",
    "yourself",
    "itself",
    "nobody",
    "nothing",
    "everyone",
    "someone",
    "ones",
    "conscious",
    "capable",
    "aware",
    "unable",
    "necessary",
    "typical",
    "sure",
    "worse",
    "longer",
    "closer",
}
_SAYING = {
    "claims",
    "argues",
    "says",
    "thinks",
    "believes",
    "suggests",
    "notes",
    "writes",
    "defines",
    "proposes",
    "reckons",
    "predicts",
    "posits",
    "points",
    "warns",
    "insists",
}
_ACRONYM = re.compile(r"\b([A-Z][A-Z0-9]*[A-Z](?:-[0-9A-Z]+)?)(s?)\b")
_ACRONYM_STOP = {
    "OK",
    "TODO",
    "NB",
    "FYI",
    "IMO",
    "IMHO",
    "TL",
    "DR",
    "TLDR",
    "PS",
    "AM",
    "PM",
    "II",
    "III",
    "IV",
    "VS",
}
# Words that never start or continue a term, in one set for the token loop below.
_NOT_TERM = frozenset(_STOP) | frozenset(_NOT_HEADS)
# Letters of any script ("Über Bewusstsein" is two words, not "ber Bewusstsein").
_L = r"[^\W\d_]"
_TOKEN = re.compile(rf"{_L}(?:{_L}|[\-’'])*{_L}|{_L}|[^\s\w]+|[\d_]+")
_WORD = re.compile(rf"^{_L}(?:{_L}|-)*$")


def singular(word: str) -> str:
    """Crude English singular of a lowercase word: enough to fold plurals of key terms."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is", "ics", "ous")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def concept_key(term: str) -> str:
    """The merge key: lowercase, singular last word, no spaces or hyphens."""
    words = term.casefold().replace("-", " ").split()
    if not words:
        return ""
    words[-1] = singular(words[-1])
    return "".join(words)


_NOT_SLUG = re.compile(r"[^\w\s-]")


def slug(term: str) -> str:
    words = _NOT_SLUG.sub("", term.casefold()).replace("_", " ").replace("-", " ").split()
    if words:
        words[-1] = singular(words[-1])
    return "-".join(words)


# Encoded data, never words: base64 runs (a pasted image), hex digests, long identifiers.
_ENCODED = re.compile(r"[A-Za-z0-9+/=_-]{32,}|\b[0-9A-Fa-f]{12,}\b")


def candidates(text: str) -> list[tuple[str, bool]]:
    """(surface term, is_acronym) pairs found in one text.

    Inline math and encoded runs (base64, hex) are left out: "ZRL9M7V" inside a pasted
    image's data is no acronym.
    """
    out: list[tuple[str, bool]] = []
    text = without_math(text)
    if len(text) >= 12:
        text = _ENCODED.sub(" ", text)
    for m in _ACRONYM.finditer(text):
        if m.group(1) not in _ACRONYM_STOP and len(m.group(1)) <= 10:
            out.append((m.group(1), True))
    run: list[str] = []

    def flush() -> None:
        # "Joscha claims", "Chollet notes": a name and a verb of saying, not a term.
        while len(run) >= 2 and run[-1].casefold() in _SAYING and run[-2][:1].isupper():
            run.pop()
        words = [w for w in run if not w.isupper() or len(w) < 2]
        if len(words) == len(run) and 2 <= len(run) <= 3:
            out.append((" ".join(run), False))
        elif len(run) > 3:
            # Long runs: the head noun is at the end in English, so keep the tail.
            out.append((" ".join(run[-2:]), False))
        run.clear()

    not_term = _NOT_TERM
    for tok in _TOKEN.findall(text):
        w = tok.replace("’", "'")
        # Cheapest tests first; a run only ends when there is one (flush of none is a no-op).
        if (
            len(w) >= 3
            and (f := w.casefold()) not in not_term
            and not f.endswith("ly")
            and _WORD.match(w)
        ):
            run.append(w)
            continue
        if run:
            flush()
    flush()
    return out


class NullConceptExtractor:
    """Finds no concepts (a no-op stage)."""

    def extract(self, note: ParsedNote, items: Sequence[tuple[str, str]]) -> list[Concept]:
        return []


class ConceptExtractor:
    """Concept candidates of one note, with the claim (or annotation) ids that mention them."""

    def extract(self, note: ParsedNote, items: Sequence[tuple[str, str]]) -> list[Concept]:
        """``items`` are (id, text) pairs: claims and annotations."""
        found: dict[str, Concept] = {}
        surface: dict[str, Counter] = {}

        def add(term: str, acronym: bool, owner: str | None, heading: bool) -> None:
            key = term if acronym else concept_key(term)
            if not key:
                return
            c = found.get(key)
            if c is None:
                cid = "con:" + (term.casefold() if acronym else slug(term))
                c = found[key] = Concept(cid, term, set(), [], False)
                surface[key] = Counter()
            c.variants.add(term)
            surface[key][term] += 1
            if owner and owner not in c.claim_ids:
                c.claim_ids.append(owner)
            c.in_heading = c.in_heading or heading

        for owner, text in items:
            for term, acr in candidates(text):
                add(term, acr, owner, False)
        headings = [s.title for s in note.sections] + [
            link.target for link in note.links if link.kind in ("wikilink", "embed")
        ]
        for text in headings:
            for term, acr in candidates(text):
                add(term, acr, None, True)
        for key, c in found.items():
            # Display the commonest spelling; acronyms keep their capitals.
            c.term = surface[key].most_common(1)[0][0]
        return list(found.values())


def _initials(key_term: str) -> str:
    return "".join(w[0] for w in key_term.casefold().replace("-", " ").split())


def fold_key(term: str) -> str | None:
    """The key under which :func:`vault_concepts` folds an expansion into an acronym:
    the casefolded term of a term in capitals, the initials of a term of several
    words, else None. Two candidates can fold together only if their keys are equal.

    >>> fold_key("LLM"), fold_key("large language models"), fold_key("transformer")
    ('llm', 'llm', None)
    """
    if term.isupper():
        return term.casefold()
    if " " in term:
        return _initials(term)
    return None


def vault_concepts(per_note: Iterable[Sequence[Concept]], min_claims: int = 2) -> list[Concept]:
    """Merge every note's candidates into vault concepts and keep the precise ones.

    A concept survives when at least ``min_claims`` claims mention it or a heading or
    link names it. An expansion whose initials spell a surviving acronym ("large
    language models" and "LLM") is folded into the acronym.
    """
    merged: dict[str, Concept] = {}
    # Each concept's claim ids as a set beside the ordered list: a concept that a
    # large vault mentions thousands of times would make list lookups quadratic.
    seen: dict[str, set[str]] = {}
    for concepts in per_note:
        for c in concepts:
            m = merged.get(c.id)
            if m is None:
                m = merged[c.id] = Concept(c.id, c.term, set(), [], False)
                seen[c.id] = set()
            m.variants |= c.variants
            m.in_heading = m.in_heading or c.in_heading
            have = seen[c.id]
            for cid in c.claim_ids:
                if cid not in have:
                    have.add(cid)
                    m.claim_ids.append(cid)
    acronyms = {c.term.casefold(): c for c in merged.values() if c.term.isupper()}
    for cid in list(merged):
        c = merged[cid]
        if c.term.isupper() or " " not in c.term:
            continue
        acro = acronyms.get(_initials(c.term))
        if acro is not None and acro is not c:
            acro.variants |= c.variants
            have = seen[acro.id]
            for x in c.claim_ids:
                if x not in have:
                    have.add(x)
                    acro.claim_ids.append(x)
            acro.in_heading = acro.in_heading or c.in_heading
            del merged[cid]
    return [c for c in merged.values() if len(c.claim_ids) >= min_claims or c.in_heading]


def concept_mapping(concepts: Sequence[Concept], candidates: Iterable[Concept]) -> dict[str, str]:
    """candidate id -> the vault concept it joined: the concept with its id, else the
    one whose variants hold its term (an expansion folded into its acronym). Later
    concepts and candidates win, in the order given."""
    by_id = {c.id: c.id for c in concepts}
    by_variant = {v.casefold(): c.id for c in concepts for v in c.variants}
    mapping = {}
    for cand in candidates:
        target = by_id.get(cand.id) or by_variant.get(cand.term.casefold())
        if target:
            mapping[cand.id] = target
    return mapping
