"""An in-memory stand-in for the real backend: a seeded synthetic vault and graph.

Used by the GUI tests, the GUI benchmark and the hidden ``explorer gui --demo`` mode.
It is a fake, not a product: search is word overlap, "meaning" search is word
overlap on topic words, export writes node-link JSON for every format. What it does
faithfully is the *contract* of :class:`explorer.app.api.Backend`: the graph
follows docs/EXPORT.md, corrections change what ``graph()`` and ``details()`` return,
``index`` honours cancel and raises when the vault is gone, and every call is
counted in ``calls`` so tests can assert on the traffic.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import numpy as np

from explorer.app.errors import DatabaseDamagedError, VaultMissingError
from explorer.core.model import STANCES
from explorer.graph.ids import parse_edge_id
from explorer.gui.graphops import details_from_graph
from explorer.indexing.events import Progress
from explorer.style import default_kinds

_TOPICS = (
    ("transformer", "attention", "token", "context", "layer", "decoder"),
    ("agent", "planning", "tool", "memory", "reflection", "browser"),
    ("benchmark", "evaluation", "score", "leaderboard", "dataset", "metric"),
    ("consciousness", "qualia", "experience", "awareness", "subjective", "feeling"),
    ("reasoning", "logic", "chain", "thought", "proof", "math"),
    ("image", "diffusion", "pixel", "prompt", "style", "vision"),
    ("speech", "voice", "whisper", "music", "transcript", "speaker"),
    ("code", "compiler", "program", "repository", "bug", "refactor"),
    ("gpu", "inference", "latency", "throughput", "cluster", "chip"),
    ("alignment", "safety", "reward", "preference", "feedback", "policy"),
    ("retrieval", "index", "vector", "chunk", "rerank", "document"),
    ("training", "gradient", "loss", "scaling", "compute", "pretraining"),
)
_FILLER = (
    "the",
    "more",
    "than",
    "with",
    "for",
    "of",
    "in",
    "when",
    "often",
    "still",
    "most",
    "some",
    "new",
)
_KINDS = tuple(default_kinds())
_KIND_P = (0.25, 0.2, 0.05, 0.1, 0.4)
_KIND_CUE = {
    "capability": "{a} can {b} {c} {d}.",
    "limitation": "{a} cannot {b} {c} without {d}.",
    "consciousness-criterion": "{a} with {b} would be a sign of consciousness if {c} {d}.",
    "question": "Does {a} really {b} the {c} {d}?",
    "assertion": "{a} is {b} {c} than {d}.",
}
_REASONS = ("negation", "opposite stance", "contradicting number")
_WORD = re.compile(r"[a-z0-9]+")


def _hid(prefix: str, *parts: object) -> str:
    return f"{prefix}:" + hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:12]


def _link(G: nx.MultiDiGraph, u: str, v: str, **attrs) -> None:
    """As the store's graph does: the edge's type is its key (one edge per type and pair)."""
    G.add_edge(u, v, key=attrs["type"], **attrs)


def synthetic_vault(n_claims: int = 300, seed: int = 0, claims_per_note: int = 30):
    """A seeded graph (docs/EXPORT.md, with x/y/community/centrality) and its note texts.

    Returns ``(G, notes)`` where ``notes`` maps a vault-relative path to the note's
    text, whose lines are the ones the nodes' ``line`` attributes point at.
    """
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph(vault="", version="fake", model="fake-bag-of-words")
    n_notes = max(1, -(-n_claims // claims_per_note))
    n_topics = min(len(_TOPICS), max(2, n_notes))
    # Community centres on a sunflower spiral: clusters spread evenly over a disc.
    golden = np.pi * (3 - np.sqrt(5))
    centres = np.array(
        [
            (np.sqrt(i + 0.5) * np.cos(i * golden), np.sqrt(i + 0.5) * np.sin(i * golden))
            for i in range(n_topics)
        ]
    )
    spread = 0.45 * (1 + n_claims / 4000) ** 0.5
    centres *= 1 + n_claims / 4000
    notes: dict[str, str] = {}
    claims: list[str] = []
    claim_topic: list[int] = []
    remaining = n_claims
    for ni in range(n_notes):
        topic = int(rng.integers(n_topics))
        words = _TOPICS[topic]
        path = f"{words[0]}/note-{ni:04d}.md"
        title = f"Note {ni} on {words[0]}"
        note_id = f"note:{path}"
        lines = [f"# {title}", ""]
        G.add_node(note_id, type="note", label=title, text=title, note=path, community=topic)
        count = min(remaining, claims_per_note)
        remaining -= count
        n_sections = max(1, min(4, count // 8))
        sec_ids = [_hid("sec", path, si) for si in range(n_sections)]
        current = -1
        for ci in range(count):
            si = ci * n_sections // max(1, count)
            if si != current:
                current = si
                sec_title = f"Section {si + 1}: {words[(si + 1) % len(words)]}"
                lines += ["", f"## {sec_title}"]
                G.add_node(
                    sec_ids[si],
                    type="section",
                    label=sec_title,
                    text=sec_title,
                    note=path,
                    line=len(lines),
                    community=topic,
                )
                _link(G, note_id, sec_ids[si], type="contains")
            kind = _KINDS[int(rng.choice(len(_KINDS), p=_KIND_P))]
            pick = [words[int(rng.integers(len(words)))] for _ in range(3)]
            filler = _FILLER[int(rng.integers(len(_FILLER)))]
            text = _KIND_CUE[kind].format(a=pick[0].capitalize(), b=pick[1], c=filler, d=pick[2])
            text = f"{text[:-1]} (claim {len(claims)}){text[-1]}"
            lines.append(f"- {text}")
            cid = _hid("clm", path, ci, text)
            src = str(rng.choice(["rule", "embedding", "default"], p=[0.5, 0.35, 0.15]))
            G.add_node(
                cid,
                type="claim",
                label=text if len(text) <= 60 else text[:57] + "...",
                text=text,
                note=path,
                line=len(lines),
                section=f"{title} > {sec_title}",
                kind=kind,
                confidence=round(float(rng.uniform(0.3, 1.0)), 2),
                kind_source=src,
                community=topic,
            )
            _link(G, sec_ids[si], cid, type="contains")
            claims.append(cid)
            claim_topic.append(topic)
            if rng.random() < 0.08:
                stance = STANCES[int(rng.integers(len(STANCES)))]
                atext = f"Later: I {stance} with this about {pick[1]}."
                lines.append(f"  - {atext}")
                aid = _hid("ann", cid, atext)
                G.add_node(
                    aid,
                    type="annotation",
                    label=atext,
                    text=atext,
                    note=path,
                    line=len(lines),
                    section=f"{title} > {sec_title}",
                    stance=stance,
                    community=topic,
                )
                _link(G, aid, cid, type="annotates", stance=stance, confidence=0.9)
        notes[path] = "\n".join(lines) + "\n"
    # Concepts: the topic words; references: a shared pool.
    for t in range(n_topics):
        for w in _TOPICS[t]:
            G.add_node(f"con:{w}", type="concept", label=w, text=w, community=t)
    n_refs = max(2, n_claims // 60)
    refs = []
    for r in range(n_refs):
        rid = _hid("ref", r)
        G.add_node(
            rid,
            type="reference",
            label=f"Author {r} et al. (20{10 + r % 15})",
            text=f"Author {r} et al. A paper on things ({2010 + r % 15}).",
            url=f"https://example.org/paper/{r}",
            community=r % n_topics,
        )
        refs.append(rid)
    topic_arr = np.array(claim_topic, dtype=np.int64)
    by_topic = {t: np.flatnonzero(topic_arr == t) for t in range(n_topics)}
    refs_by_topic = {
        t: [r for i, r in enumerate(refs) if i % n_topics == t] or refs for t in range(n_topics)
    }
    # Claims scatter around their community's centre; a claim's similar claims are
    # among its nearest neighbours, as in a force or semantic layout.
    claim_xy = centres[topic_arr] + rng.normal(0, spread, size=(len(claims), 2))
    near: dict[int, np.ndarray] = {}
    for members in by_topic.values():
        for lo in range(0, len(members), 512):
            chunk = members[lo : lo + 512]
            d2 = ((claim_xy[chunk, None, :] - claim_xy[None, members, :]) ** 2).sum(axis=2)
            k = min(9, len(members))
            nearest = np.argpartition(d2, k - 1, axis=1)[:, :k]
            for row, i in enumerate(chunk.tolist()):
                near[i] = members[nearest[row]]
    for i, cid in enumerate(claims):
        t = claim_topic[i]
        text_words = set(_WORD.findall(G.nodes[cid]["text"].lower()))
        for w in _TOPICS[t]:
            if w in text_words and rng.random() < 0.5:
                _link(G, cid, f"con:{w}", type="mentions")
        if rng.random() < 0.1:
            pool = refs_by_topic[t]
            _link(G, cid, pool[int(rng.integers(len(pool)))], type="cites")
        pool = near[i] if rng.random() < 0.98 else np.arange(len(claims))
        j = int(pool[int(rng.integers(len(pool)))])
        if j != i:
            _link(
                G, cid, claims[j], type="similar", weight=round(float(rng.uniform(0.55, 0.95)), 3)
            )
        if rng.random() < 0.03:
            j = int(near[i][int(rng.integers(len(near[i])))])
            if j != i:
                _link(
                    G,
                    cid,
                    claims[j],
                    type="tension",
                    weight=round(float(rng.uniform(0.6, 0.9)), 3),
                    reason=_REASONS[int(rng.integers(len(_REASONS)))],
                )
    note_ids = [n for n, t in G.nodes(data="type") if t == "note"]
    for n in note_ids:
        if len(note_ids) > 1 and rng.random() < 0.6:
            other = note_ids[int(rng.integers(len(note_ids)))]
            if other != n:
                _link(G, n, other, type="links_to", line=1)
    _place(G, rng, dict(zip(claims, claim_xy.tolist(), strict=True)), spread)
    deg = dict(G.degree())
    top = max(deg.values()) if deg else 1
    for n in G.nodes:
        G.nodes[n]["centrality"] = round(deg[n] / top, 4)
    return G, notes


def _place(G: nx.MultiDiGraph, rng: np.random.Generator, claim_xy: dict, spread: float) -> None:
    """Claims keep their place; every other node sits among the claims it is linked to."""
    for n, (x, y) in claim_xy.items():
        G.nodes[n]["x"], G.nodes[n]["y"] = round(x, 4), round(y, 4)
    placed = dict(claim_xy)
    # Two passes: sections, concepts and references sit among their claims first,
    # then notes among their sections.
    for _ in range(2):
        for n in G.nodes:
            if n in placed:
                continue
            nbrs = [placed[m] for m in nx.all_neighbors(G, n) if m in placed]
            if nbrs:
                jitter = rng.normal(0, spread * 0.1, size=2)
                x, y = np.mean(nbrs, axis=0) + jitter
                placed[n] = (float(x), float(y))
    for n, d in G.nodes(data=True):
        if n not in claim_xy:
            x, y = placed.get(n, (0.0, 0.0))
            d["x"], d["y"] = round(x, 4), round(y, 4)


def _semantic_positions(G: nx.MultiDiGraph, seed: int) -> dict[str, tuple[float, float]]:
    """A second, different arrangement: claims grouped by kind around a ring."""
    rng = np.random.default_rng(seed + 1)
    ring = {k: i for i, k in enumerate(_KINDS)}
    out = {}
    for n, d in G.nodes(data=True):
        slot = ring.get(d.get("kind"), len(ring))
        a = 2 * np.pi * slot / (len(ring) + 1)
        r = 3.0 if d.get("type") == "claim" else 0.8
        out[n] = (
            r * np.cos(a) + float(rng.normal(0, 0.6)),
            r * np.sin(a) + float(rng.normal(0, 0.6)),
        )
    return out


def _counted(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            self.calls[method.__name__] += 1
        return method(self, *args, **kwargs)

    return wrapper


class FakeBackend:
    """A :class:`~explorer.app.api.Backend` over :func:`synthetic_vault`.

    Knobs for tests: ``index_steps`` and ``index_delay`` (seconds per step) shape
    indexing; ``corrupt=True`` makes ``open`` raise DatabaseDamagedError until
    ``rebuild_database``; ``semantic=(False, reason)`` switches meaning search off.
    ``calls`` counts every method call by name.
    """

    def __init__(
        self,
        n_claims: int = 300,
        seed: int = 0,
        *,
        index_steps: int = 5,
        index_delay: float = 0.0,
        corrupt: bool = False,
        semantic: tuple[bool, str] = (True, ""),
    ):
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._G, self._notes = synthetic_vault(n_claims, seed)
        self._seed = seed
        self.index_steps = index_steps
        self.index_delay = index_delay
        self.corrupt = corrupt
        self.semantic = semantic
        self.vault: Path | None = None
        self._db: Path | None = None
        self.exports: list[tuple[str, Path, int]] = []
        self.views: dict[str, dict] = {}
        self.pinned: dict[tuple[str, str], tuple[float, float]] = {}

    def write_vault(self, folder: Path) -> Path:
        """Write the synthetic notes as files, so a test or the demo has a real folder."""
        folder = Path(folder)
        for rel, text in self._notes.items():
            p = folder / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
        return folder

    # -- Backend ---------------------------------------------------------------------
    @_counted
    def open(self, vault: Path, db_path: Path | None = None) -> None:
        vault = Path(vault)
        if not vault.is_dir():
            raise VaultMissingError(vault)
        self.vault = vault
        self._db = Path(db_path) if db_path else vault.parent / f".{vault.name}.explorer-fake.db"
        if self.corrupt:
            raise DatabaseDamagedError(self._db, "file is not a database")
        self._G.graph["vault"] = str(vault)

    @_counted
    def close(self) -> None:
        self.vault = None

    @property
    def db_path(self) -> Path | None:
        return self._db

    @_counted
    def index(self, cancel: threading.Event | None = None) -> Iterator[Progress]:
        cancel = cancel or threading.Event()
        for i in range(self.index_steps):
            if cancel.is_set():
                return
            if self.vault is None or not self.vault.is_dir():
                raise VaultMissingError(self.vault or "")
            if self.index_delay:
                time.sleep(self.index_delay)
            yield Progress(
                "parse", i + 1, self.index_steps, message=f"step {i + 1} of {self.index_steps}"
            )

    @_counted
    def graph(self) -> nx.MultiDiGraph:
        H = self._G.copy()
        H.remove_edges_from([(u, v, k) for u, v, k, h in H.edges(keys=True, data="hidden") if h])
        H.remove_nodes_from([n for n, h in H.nodes(data="hidden") if h])
        for (n, layout), (x, y) in self.pinned.items():
            if layout == "force" and n in H:
                H.nodes[n].update(x=x, y=y, pinned=True)
        H.graph["saved_views"] = dict(self.views)
        return H

    @_counted
    def layouts(self) -> list[str]:
        return ["force", "semantic"]

    @_counted
    def positions(self, layout: str) -> dict[str, tuple[float, float]]:
        if layout == "force":
            return {n: (d["x"], d["y"]) for n, d in self._G.nodes(data=True)}
        if layout == "semantic":
            return _semantic_positions(self._G, self._seed)
        raise KeyError(f"unknown layout: {layout}")

    @_counted
    def search(self, text: str, mode: str, limit: int = 50) -> list[dict]:
        if mode != "words" and not self.semantic[0]:
            raise RuntimeError(f"meaning search is off: {self.semantic[1]}")
        q = set(_WORD.findall(text.lower()))
        if not q:
            return []
        hits = []
        for n, d in self._G.nodes(data=True):
            if d.get("type") not in ("claim", "annotation") or d.get("hidden"):
                continue
            words = set(_WORD.findall(d["text"].lower()))
            score = len(q & words) / len(q)
            if score > 0:
                hits.append(
                    {
                        "id": n,
                        "text": d["text"],
                        "kind": d.get("kind", ""),
                        "note": d.get("note", ""),
                        "line": d.get("line", 0),
                        "score": round(score, 3),
                    }
                )
        hits.sort(key=lambda h: (-h["score"], len(h["text"])))
        return hits[:limit]

    @_counted
    def details(self, node_id: str) -> dict:
        return details_from_graph(self._G, node_id)

    @_counted
    def note_lines(self, note: str, line: int, context: int = 3) -> list[tuple[int, str]]:
        if self.vault is None:
            raise FileNotFoundError(note)
        path = self.vault / note
        lines = path.read_text(encoding="utf-8").splitlines()
        lo, hi = max(1, line - context), min(len(lines), line + context)
        return [(i, lines[i - 1]) for i in range(lo, hi + 1)]

    @_counted
    def set_kind(self, claim_id: str, kind: str) -> None:
        d = self._G.nodes[claim_id]
        if d.get("type") != "claim":
            raise ValueError(f"not a claim: {claim_id}")
        d.update(kind=kind, kind_source="user", confidence=1.0)

    @_counted
    def add_annotation(self, claim_id: str, text: str, stance: str) -> str:
        if stance not in STANCES:
            raise ValueError(f"unknown stance: {stance}")
        c = self._G.nodes[claim_id]
        aid = _hid("ann", claim_id, text, "user")
        self._G.add_node(
            aid,
            type="annotation",
            label=text if len(text) <= 60 else text[:57] + "...",
            text=text,
            note=c.get("note", ""),
            line=c.get("line", 0),
            stance=stance,
            source="user",
            community=c.get("community", 0),
            centrality=0.0,
            x=c.get("x", 0.0) + 0.05,
            y=c.get("y", 0.0) + 0.05,
        )
        _link(self._G, aid, claim_id, type="annotates", stance=stance, confidence=1.0)
        return aid

    @_counted
    def hide(self, item_id: str) -> None:
        edge = parse_edge_id(item_id)
        if edge is None:
            self._G.nodes[item_id]["hidden"] = True
            return
        u, v, t = edge
        for _, d in (self._G.get_edge_data(u, v) or {}).items():
            if d.get("type") == t:
                d["hidden"] = True

    @_counted
    def semantic_status(self) -> tuple[bool, str]:
        return self.semantic

    @_counted
    def model_name(self) -> str:
        return "fake-bag-of-words" if self.semantic[0] else ""

    @_counted
    def kind_styles(self) -> dict[str, dict]:
        return default_kinds()

    @_counted
    def export_formats(self) -> list[tuple[str, str, str]]:
        return [
            ("json", "Node-link JSON", ".json"),
            ("html", "Standalone HTML", ".html"),
            ("graphml", "GraphML", ".graphml"),
            ("gexf", "GEXF", ".gexf"),
            ("canvas", "JSON Canvas", ".canvas"),
            ("csv", "CSV", ".csv"),
        ]

    @_counted
    def export(self, fmt: str, graph: nx.MultiDiGraph, path: Path) -> dict:
        data = nx.node_link_data(graph, edges="edges")
        Path(path).write_text(json.dumps({"format": fmt, **data}, default=str), encoding="utf-8")
        self.exports.append((fmt, Path(path), graph.number_of_nodes()))
        return {"path": str(path), "nodes": graph.number_of_nodes()}

    @_counted
    def decide_edge(self, a: str, b: str, edge_type: str, decision: str) -> None:
        if edge_type == "tension":
            for key in ("tension",):
                for u, v in ((a, b), (b, a)):
                    d = (self._G.get_edge_data(u, v) or {}).get(key)
                    if d is not None:
                        if decision == "dismissed":
                            d["hidden"] = True
                        else:
                            d["decision"] = decision
        elif edge_type == "link":
            if decision == "accepted":
                _link(self._G, a, b, type="user_link", by="user")
            else:
                self._G.graph.setdefault("dismissed_links", []).append([a, b])
        else:
            raise ValueError(f"unknown edge type {edge_type!r}")

    @_counted
    def save_view(self, name: str, state: dict) -> None:
        if not name.strip():
            raise ValueError("a saved view needs a name")
        self.views[name.strip()] = json.loads(json.dumps(state))

    @_counted
    def saved_views(self) -> dict[str, dict]:
        return dict(sorted(self.views.items()))

    @_counted
    def delete_view(self, name: str) -> bool:
        return self.views.pop(name, None) is not None

    @_counted
    def pin(self, node_id: str, layout: str, x: float, y: float) -> None:
        self.pinned[(node_id, layout)] = (float(x), float(y))

    @_counted
    def unpin(self, node_id: str, layout: str) -> bool:
        return self.pinned.pop((node_id, layout), None) is not None

    @_counted
    def rebuild_database(self) -> Path:
        self.corrupt = False
        assert self._db is not None
        return self._db.with_name(self._db.name + ".backup")
