"""Build the concept graph (``networkx.MultiDiGraph``) from a claim store.

The node and edge types, and their attributes, are the contract in docs/EXPORT.md.
``graph_from_store`` covers the structural layer: notes, sections and claims, joined
by ``contains`` and ``links_to`` edges. Edge keys are the edge type, so two nodes
have at most one edge of each type.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from urllib.parse import unquote

import networkx as nx
from sqlite_utils import Database

from explorer import __version__
from explorer.store.meta import get_meta
from explorer.store.user import hidden_claims, hidden_edges, user_kinds

LABEL_CHARS = 60
NOTE_SUFFIXES = (".md", ".markdown", ".txt")
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
    """Notes, sections and claims of the store, with ``contains`` and ``links_to`` edges.

    Claims the user hid are left out (their sub-items hang from the next visible
    container) unless ``include_hidden``; then they carry ``hidden: true``. Edges the
    user hid are always left out.
    """
    graph = nx.MultiDiGraph(
        vault=get_meta(db, "vault"), version=__version__, model=get_meta(db, "model")
    )
    hidden = hidden_claims(db)
    hidden_edge_keys = hidden_edges(db)
    kinds = user_kinds(db)

    paths = []
    for path, title in db.conn.execute("SELECT path, title FROM notes ORDER BY path"):
        paths.append(path)
        graph.add_node(note_id(path), type="note", label=label(title), text=title, note=path)

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
        "COALESCE(s.heading_path, '') FROM claims c LEFT JOIN sections s ON s.id = c.section_id "
        "ORDER BY c.note, c.position"
    ).fetchall()
    parent_of = {cid: parent for cid, _, _, _, _, parent, _ in claims}
    for cid, note, text, line, _, _, heading in claims:
        if cid in hidden and not include_hidden:
            continue
        attrs = dict(type="claim", label=label(text), text=text, note=note, line=line)
        if heading:
            attrs["section"] = heading
        if cid in kinds:
            attrs.update(kind=kinds[cid], confidence=1.0, kind_source="user")
        if cid in hidden:
            attrs["hidden"] = True
        graph.add_node(_prefixed("clm:", cid), **attrs)
    for cid, note, _, _, section_id, parent, _ in claims:
        if cid in hidden and not include_hidden:
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
        _edge(graph, source, _prefixed("clm:", cid), "contains", hidden_edge_keys)

    _add_links(db, graph, NoteResolver(paths), hidden_edge_keys)
    return graph


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
    if (source, kind, target) in hidden:
        return
    graph.add_edge(source, target, key=kind, type=kind, **attrs)
