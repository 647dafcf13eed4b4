"""Build the concept graph (``networkx.MultiDiGraph``) from a claim store.

The node and edge types, and their attributes, are the contract in docs/EXPORT.md.
``graph_from_store`` builds the structural layer (notes, sections and claims, joined
by ``contains`` and ``links_to`` edges) and the semantic layer the index stored:
claim kinds, annotations (the author's and the user's own), references, concepts,
and ``annotates``, ``cites``, ``mentions``, ``similar``, ``duplicate`` and
``tension`` edges. Edge keys are the edge type, so two nodes have at most one edge of
each type.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from urllib.parse import unquote

import networkx as nx
from sqlite_utils import Database

from explorer import __version__
from explorer.core.model import NOTE_SUFFIXES
from explorer.graph.ids import user_annotation_id
from explorer.store.curation import edge_decisions
from explorer.store.meta import get_meta
from explorer.store.user import hidden_claims, hidden_edges

LABEL_CHARS = 60
# Link kinds that point at another note (a bare URL never does).
NOTE_LINK_KINDS = ("wikilink", "embed", "transclusion", "markdown")


def label(text: str, limit: int = LABEL_CHARS) -> str:
    """Short display text: one line, at most ``limit`` characters.

    >>> label("A long sentence " * 6)
    'A long sentence A long sentence A long sentence A long…'
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] if " " in flat[: limit - 1] else flat[: limit - 1]
    return cut + "…"


def note_id(path: str) -> str:
    return f"note:{path}"


def _prefixed(prefix: str, raw: str) -> str:
    # The parser's ids carry their type prefix; add it if one ever does not.
    return raw if raw.startswith(prefix) else prefix + raw


class NoteResolver:
    """Resolve a link target to a note path the way Obsidian does.

    A target names a note by its path without suffix (``folder/Note``) or by its file
    name alone (``Note``); case is ignored; when a name is shared, the shortest path
    wins. Markdown links may be relative (``../x.md``) and URL-encoded.

    >>> r = NoteResolver(["a/Note.md", "Other.md", "b/c/Note.md"])
    >>> r.resolve("note"), r.resolve("b/c/Note"), r.resolve("Missing"), r.resolve("img.png")
    ('a/Note.md', 'b/c/Note.md', None, None)
    """

    def __init__(self, paths: list[str]) -> None:
        self.by_path: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        for path in sorted(paths, key=lambda p: (p.count("/"), len(p), p)):
            stem = _strip_suffix(path).lower()
            self.by_path.setdefault(stem, path)
            self.by_name.setdefault(stem.rsplit("/", 1)[-1], path)

    def resolve(self, target: str, source: str = "", kind: str = "wikilink") -> str | None:
        name = target.split("#", 1)[0].split("|", 1)[0].strip()
        if kind == "markdown":
            if "://" in name or name.startswith(("mailto:", "#")):
                return None
            name = unquote(name)
            if not name.startswith("/"):
                joined = posixpath.normpath(posixpath.join(posixpath.dirname(source), name))
                hit = self.by_path.get(_strip_suffix(joined).lower())
                if hit:
                    return hit
        name = name.lstrip("./").lstrip("/") if name.startswith(("./", "/")) else name
        if not name or _has_other_suffix(name):
            return None
        key = _strip_suffix(name).lower()
        return self.by_path.get(key) or self.by_name.get(key.rsplit("/", 1)[-1])

    def is_note_target(self, target: str, kind: str) -> bool:
        """False for links that can never be notes (URLs, images, PDFs)."""
        name = target.split("#", 1)[0].split("|", 1)[0].strip()
        if kind == "markdown" and ("://" in name or name.startswith(("mailto:", "#"))):
            return False
        if name.startswith("data:"):
            return False  # the placeholder of an inline file (a pasted image)
        return bool(name) and not _has_other_suffix(name)


def _strip_suffix(path: str) -> str:
    lower = path.lower()
    for suffix in NOTE_SUFFIXES:
        if lower.endswith(suffix):
            return path[: -len(suffix)]
    return path


def _has_other_suffix(name: str) -> bool:
    last = name.rsplit("/", 1)[-1]
    if "." not in last:
        return False
    ext = last.rsplit(".", 1)[-1].lower()
    # "Note 2.0" or "v1.5 ideas" are note names, not files with an extension.
    return (
        f".{ext}" not in NOTE_SUFFIXES
        and ext.isalnum()
        and not ext.isdigit()
        and len(ext) <= 5
        and " " not in ext
    )


def graph_from_store(db: Database, *, include_hidden: bool = False) -> nx.MultiDiGraph:
    """The concept graph of the store (docs/EXPORT.md).

    Claims the user hid are left out (their sub-items hang from the next visible
    container, and annotations of a hidden claim go with it) unless
    ``include_hidden``; then they carry ``hidden: true``. Edges the user hid are
    always left out. A kind the user chose wins over the computed one.
    """
    graph = nx.MultiDiGraph(
        vault=get_meta(db, "vault"), version=__version__, model=get_meta(db, "model")
    )
    hidden = hidden_claims(db)
    hidden_edge_keys = hidden_edges(db)

    paths = []
    for path, title, frontmatter in db.conn.execute(
        "SELECT path, title, frontmatter FROM notes ORDER BY path"
    ):
        paths.append(path)
        attrs = dict(type="note", label=label(title), text=title, note=path)
        when = note_date(frontmatter, path)
        if when:
            attrs["date"] = when
        graph.add_node(note_id(path), **attrs)

    sections: dict[str, str] = {}  # stored id -> node id
    rows = db.conn.execute(
        "SELECT id, note, title, parent_id, line FROM sections ORDER BY note, start_char"
    ).fetchall()
    for sid, note, title, _, line in rows:
        sections[sid] = _prefixed("sec:", sid)
        graph.add_node(
            sections[sid], type="section", label=label(title), text=title, note=note, line=line
        )
    for sid, note, _, parent, _ in rows:
        source = sections.get(parent) if parent else None
        _edge(graph, source or note_id(note), sections[sid], "contains", hidden_edge_keys)

    claims = db.conn.execute(
        "SELECT c.id, c.note, c.text, c.line, c.section_id, c.parent_id, "
        "COALESCE(s.heading_path, ''), c.kind, c.confidence, c.kind_source, c.kind_reason, "
        "u.kind, c.fragment, c.voice, c.voice_confidence, c.answers "
        "FROM claims c LEFT JOIN sections s ON s.id = c.section_id "
        "LEFT JOIN user_kinds u ON u.claim_id = c.id ORDER BY c.note, c.position"
    ).fetchall()
    parent_of = {row[0]: row[5] for row in claims}
    claim_node: dict[str, str] = {}  # stored id -> node id, for the claims in the graph
    answers: dict[str, str] = {}  # reaction claim id -> the claim it answers
    for row in claims:
        cid, note, text, line, _, _, heading, kind, conf, source, reason, user, frag = row[:13]
        voice = row[13:]
        if cid in hidden and not include_hidden:
            continue
        attrs = dict(type="claim", label=label(text), text=text, note=note, line=line)
        if heading:
            attrs["section"] = heading
        if user is not None:
            attrs.update(kind=user, confidence=1.0, kind_source="user")
        elif kind is not None:
            attrs.update(kind=kind, confidence=round(float(conf or 0.0), 4), kind_source=source)
            if reason:
                attrs["kind_reason"] = reason
        if cid in hidden:
            attrs["hidden"] = True
        if frag:
            attrs["fragment"] = True  # views leave it out unless asked (graph/filters.py)
        if voice[0]:  # whose voice: the note's source or its author (semantic/voice.py)
            attrs.update(voice=voice[0], voice_confidence=round(float(voice[1] or 0.0), 4))
        if voice[2] and voice[2] != cid:
            answers[cid] = voice[2]
        claim_node[cid] = _prefixed("clm:", cid)
        graph.add_node(claim_node[cid], **attrs)
    for cid, note, _, _, section_id, parent, *_ in claims:
        if cid not in claim_node:
            continue
        # The nearest visible list item above, else the section, else the note.
        while parent and parent in hidden and not include_hidden:
            parent = parent_of.get(parent)
        if parent and parent in parent_of:
            source = _prefixed("clm:", parent)
        elif section_id in sections:
            source = sections[section_id]
        else:
            source = note_id(note)
        _edge(graph, source, claim_node[cid], "contains", hidden_edge_keys)

    # The author's unmarked reactions comment on the claim they answer, like an annotation.
    for cid, target in answers.items():
        if cid in claim_node and target in claim_node:
            d = graph.nodes[claim_node[cid]]
            _edge(
                graph,
                claim_node[cid],
                claim_node[target],
                "annotates",
                hidden_edge_keys,
                stance="note",
                confidence=d.get("voice_confidence", 0.0),
                reaction=True,
            )
    _add_links(db, graph, NoteResolver(paths), hidden_edge_keys)
    _add_annotations(db, graph, claim_node, sections, hidden, include_hidden, hidden_edge_keys)
    _add_references(db, graph, claim_node, hidden_edge_keys)
    _add_concepts(db, graph, claim_node, hidden_edge_keys)
    _add_similarity(db, graph, claim_node, hidden_edge_keys)
    _add_user_links(db, graph, claim_node, hidden_edge_keys)
    return graph


_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)-([01]\d)-([0-3]\d)(?!\d)")


def note_date(frontmatter: str | None, path: str) -> str:
    """The note's date as ``YYYY-MM-DD``: its front matter's ``date``, ``created`` or
    ``updated``, else a date in its file name (daily notes); "" when it has none.

    >>> note_date('{"created": "2024-03-05T10:00"}', "x.md"), note_date("{}", "2023-01-02 log.md")
    ('2024-03-05', '2023-01-02')
    """
    try:
        fm = json.loads(frontmatter or "{}")
    except ValueError:
        fm = {}
    if isinstance(fm, dict):
        for key in ("date", "created", "updated", "Date", "Created"):
            m = _DATE.search(str(fm.get(key) or ""))
            if m:
                return "-".join(m.groups())
    m = _DATE.search(path.rsplit("/", 1)[-1])
    return "-".join(m.groups()) if m else ""


def annotation_attrs(
    text: str,
    stance: str,
    *,
    note: str,
    source: str,
    line: int | None = None,
    section: str | None = None,
) -> dict:
    """The attributes of an annotation node (docs/EXPORT.md), the one place they are
    made: the store's graph, a workspace's details, the map's local correction and the
    synthetic graphs all call this. ``source`` is ``author`` (found in the notes) or
    ``user`` (added in the window).

    >>> annotation_attrs("Not sure.", "doubt", note="a.md", source="user", line=3)
    {'type': 'annotation', 'label': 'Not sure.', 'text': 'Not sure.', 'note': 'a.md', 'line': 3, 'stance': 'doubt', 'source': 'user'}
    """
    attrs: dict = {"type": "annotation", "label": label(text), "text": text, "note": note}
    if line is not None:
        attrs["line"] = line
    attrs.update(stance=stance, source=source)
    if section:
        attrs["section"] = section
    return attrs


def _add_annotations(db, graph, claim_node, sections, hidden, include_hidden, hidden_edges):
    """The author's annotations found in the notes, and the user's own."""
    rows = db.conn.execute(
        "SELECT a.id, a.note, a.claim_id, a.section_id, a.text, a.stance, a.confidence, a.line, "
        "COALESCE(s.heading_path, '') FROM annotations a "
        "LEFT JOIN sections s ON s.id = a.section_id ORDER BY a.note, a.seq"
    )
    for aid, note, target, section_id, text, stance, conf, line, heading in rows:
        if target is not None and target not in claim_node:
            if target in hidden and not include_hidden:
                continue  # it goes with the claim it comments on
            target = None  # its claim is gone from the store
        attrs = annotation_attrs(
            text, stance, note=note, source="author", line=line, section=heading
        )
        node = _prefixed("ann:", aid)
        graph.add_node(node, **attrs)
        if target is not None:
            _edge(
                graph,
                node,
                claim_node[target],
                "annotates",
                hidden_edges,
                stance=stance,
                confidence=round(float(conf), 4),
            )
        else:  # nothing before it to comment on: it hangs from its section or note
            source = sections.get(section_id) or note_id(note)
            _edge(graph, source, node, "contains", hidden_edges)
    rows = db.conn.execute(
        "SELECT a.id, a.claim_id, a.text, a.stance, c.note, c.line, "
        "COALESCE(s.heading_path, '') FROM user_annotations a "
        "JOIN claims c ON c.id = a.claim_id LEFT JOIN sections s ON s.id = c.section_id "
        "ORDER BY a.id"
    )
    for uid, cid, text, stance, note, line, heading in rows:
        if cid not in claim_node:
            continue
        node = user_annotation_id(uid)
        attrs = annotation_attrs(text, stance, note=note, source="user", line=line, section=heading)
        graph.add_node(node, **attrs)
        _edge(
            graph, node, claim_node[cid], "annotates", hidden_edges, stance=stance, confidence=1.0
        )


def _add_references(db, graph, claim_node, hidden_edges) -> None:
    """Sources, cited by claims, or by a note for the entries of its References section.

    Wikilinks are references of kind ``note`` in the store, but not nodes here: the
    ``links_to`` edges already say that one note names another.
    """
    refs: dict = {}
    for rid, lab, text, url, kind in db.conn.execute(
        "SELECT id, label, text, url, kind FROM refs WHERE kind != 'note' ORDER BY note, rowid"
    ):
        refs.setdefault(rid, (lab, text, url, kind))
    for note, cid, rid in db.conn.execute(
        "SELECT note, claim_id, ref_id FROM cites ORDER BY note, rowid"
    ):
        if rid not in refs:
            continue
        if cid is None:
            source = note_id(note)
        elif cid in claim_node:
            source = claim_node[cid]
        else:
            continue
        if rid not in graph:
            lab, text, url, kind = refs[rid]
            attrs = dict(type="reference", label=label(text), text=text, ref_kind=kind)
            if url:
                attrs["url"] = url
            graph.add_node(rid, **attrs)
        _edge(graph, source, rid, "cites", hidden_edges)


def _add_concepts(db, graph, claim_node, hidden_edges) -> None:
    """Vault concepts, mentioned by claims and annotations."""
    concepts = {
        cid: (term, n)
        for cid, term, n in db.conn.execute("SELECT id, term, mentions FROM vault_concepts")
    }
    rows = db.conn.execute(
        "SELECT m.claim_id, cm.concept_id FROM mentions m "
        "JOIN concept_map cm ON cm.candidate_id = m.concept_id ORDER BY m.note, m.rowid"
    )
    for owner, concept in rows:
        source = claim_node.get(owner) or (owner if owner in graph else None)
        if source is None or concept not in concepts:
            continue
        if concept not in graph:
            term, n = concepts[concept]
            graph.add_node(concept, type="concept", label=label(term), text=term, mentions=n)
        _edge(graph, source, concept, "mentions", hidden_edges)


def _add_similarity(db, graph, claim_node, hidden_edges) -> None:
    """similar, duplicate and tension edges between visible claims."""
    rows = db.conn.execute(
        "SELECT source, target, type, weight, reason FROM sim_edges ORDER BY source, target, type"
    )
    decided = edge_decisions(db, "tension")
    # Both ends are nodes already: ``_put_edge``, with the cache cleared once at the end.
    for a, b, kind, weight, reason in rows:
        u, v = claim_node.get(a), claim_node.get(b)
        if u is None or v is None or (hidden_edges and (u, kind, v) in hidden_edges):
            continue
        attrs: dict[str, object] = {"type": kind, "weight": round(float(weight), 4)}
        if kind == "tension":
            decision = decided.get((min(a, b), "tension", max(a, b)))
            if decision == "dismissed":
                continue  # the user said it is no contradiction: hidden everywhere
            attrs["reason"] = reason
            if decision:
                attrs["decision"] = decision
        _put_edge(graph, u, v, kind, attrs)
    nx._clear_cache(graph)


def _add_user_links(db, graph, claim_node, hidden_edges) -> None:
    """Links the user accepted from the suggestions: ``user_link`` edges, never in the
    vault. The suggestions they dismissed are listed in ``graph.graph["dismissed_links"]``
    (pairs of node ids) so that no view suggests them again."""
    dismissed = []
    for (a, _, b), decision in sorted(edge_decisions(db, "link").items()):
        if decision == "dismissed" and a in claim_node and b in claim_node:
            dismissed.append([claim_node[a], claim_node[b]])
        if decision == "accepted" and a in claim_node and b in claim_node:
            _edge(graph, claim_node[a], claim_node[b], "user_link", hidden_edges, by="user")
    if dismissed:
        graph.graph["dismissed_links"] = dismissed


def _add_links(
    db: Database, graph: nx.MultiDiGraph, resolver: NoteResolver, hidden: Mapping | set
) -> None:
    marks = ",".join("?" * len(NOTE_LINK_KINDS))
    rows = db.conn.execute(
        f"SELECT note, target, kind, line FROM links WHERE kind IN ({marks}) "
        "ORDER BY note, line, start_char",
        NOTE_LINK_KINDS,
    )
    for note, target, kind, line in rows:
        if not resolver.is_note_target(target, kind):
            continue
        path = resolver.resolve(target, note, kind)
        if path == note:
            continue  # a link to a heading of the same note
        if path is None:
            name = target.split("#", 1)[0].split("|", 1)[0].strip()
            dest = note_id(name)
            if dest not in graph:
                graph.add_node(dest, type="note", label=label(name), text=name, missing=True)
        else:
            dest = note_id(path)
        source = note_id(note)
        if not graph.has_edge(source, dest, key="links_to"):
            _edge(graph, source, dest, "links_to", hidden, line=line)


def _edge(graph: nx.MultiDiGraph, source: str, target: str, kind: str, hidden, **attrs) -> None:
    if hidden and (source, kind, target) in hidden:
        return
    if source not in graph._succ or target not in graph._succ:
        graph.add_edge(source, target, key=kind, type=kind, **attrs)
        return
    _put_edge(graph, source, target, kind, {"type": kind, **attrs})
    nx._clear_cache(graph)


def _put_edge(graph: nx.MultiDiGraph, u: str, v: str, kind: str, attrs: dict) -> None:
    """``graph.add_edge(u, v, key=kind, **attrs)`` for two existing nodes, without its
    per-call checks and cache clearing (the caller clears it): a large vault has close to
    a million edges, and those checks were half of reading the graph."""
    keys = graph._succ[u].get(v)
    if keys is None:
        keys = graph._succ[u][v] = graph._pred[v][u] = graph.edge_key_dict_factory()
    if kind in keys:
        keys[kind].update(attrs)
    else:
        keys[kind] = attrs
