"""Seeded, realistic concept graphs that follow docs/EXPORT.md, for tests and benchmarks.

The graph layer and the exporters must be testable without a vault, a store or a
model. ``synthetic_graph`` builds a ``MultiDiGraph`` shaped like the one the store
produces: notes hold sections, sections hold claims with kinds, some claims carry the
author's annotations, cite references and mention concepts, and claims about the same
topic are linked by ``similar`` edges. Claim texts draw on a per-topic vocabulary, so
community detection and community labels have something real to find.

``synthetic_vault`` adds the note texts behind such a graph (each node's ``line``
points at its text), with positions and communities already on: the window's demo
mode and its tests (``explorer.gui.fake_backend``) stand on it. Both generators share
one vocabulary, one id scheme and one maker of annotation attributes.

``bag_of_words_vectors`` gives claims deterministic pseudo-embeddings (a mean of
per-word random vectors), so texts that share words land near each other, which is
all the semantic map needs in a test.

>>> G = synthetic_graph(60, seed=1)
>>> sum(1 for _, d in G.nodes(data=True) if d["type"] == "claim")
60
>>> synthetic_graph(60, seed=1).nodes == G.nodes
True
"""

from __future__ import annotations

import hashlib
import re
import zlib

import networkx as nx
import numpy as np

from explorer.core.model import STANCES
from explorer.graph.build import annotation_attrs

KINDS = ("capability", "limitation", "consciousness-criterion", "question", "assertion")
_KIND_WEIGHTS = (0.25, 0.2, 0.05, 0.1, 0.4)

# Topic vocabularies: each topic's claims use these words often, so they are the
# terms a community label should find.
_TOPICS = (
    ("transformer", "attention", "token", "context", "layer", "head", "embedding", "decoder"),
    ("agent", "planning", "tool", "memory", "reflection", "task", "browser", "loop"),
    ("benchmark", "evaluation", "score", "leaderboard", "dataset", "metric", "arc", "test"),
    ("consciousness", "qualia", "experience", "awareness", "subjective", "feeling", "mind", "self"),
    ("reasoning", "logic", "chain", "thought", "step", "proof", "math", "search"),
    ("image", "diffusion", "pixel", "prompt", "style", "render", "vision", "photo"),
    ("audio", "speech", "voice", "whisper", "music", "transcript", "sound", "speaker"),
    ("code", "compiler", "program", "repository", "bug", "refactor", "typescript", "python"),
    ("gpu", "inference", "latency", "throughput", "cluster", "memory-bandwidth", "chip", "cost"),
    ("alignment", "safety", "reward", "preference", "feedback", "policy", "rlhf", "values"),
    ("retrieval", "index", "vector", "rag", "chunk", "rerank", "document", "query"),
    ("training", "gradient", "loss", "scaling", "compute", "data", "pretraining", "epoch"),
)
_FILLER = (
    "the",
    "a",
    "is",
    "are",
    "can",
    "not",
    "more",
    "than",
    "with",
    "without",
    "for",
    "of",
    "in",
    "on",
    "when",
    "that",
    "it",
    "they",
    "often",
    "still",
    "only",
    "most",
    "some",
    "model",
    "models",
    "system",
    "people",
    "work",
    "better",
    "worse",
    "new",
    "old",
    "good",
)
_TENSION_REASONS = ("negation", "opposite stance", "contradicting number")


def hashed_id(prefix: str, *parts: object) -> str:
    digest = hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:12]
    return f"{prefix}:{digest}"


def _sentence(rng: np.random.Generator, topic: tuple[str, ...]) -> str:
    n = int(rng.integers(7, 16))
    words = [
        topic[int(rng.integers(len(topic)))]
        if rng.random() < 0.45
        else _FILLER[int(rng.integers(len(_FILLER)))]
        for _ in range(n)
    ]
    return (" ".join(words)).capitalize() + "."


def synthetic_graph(
    n_claims: int = 200,
    *,
    seed: int = 0,
    n_topics: int | None = None,
    claims_per_note: int = 40,
    hostile_text: str | None = None,
) -> nx.MultiDiGraph:
    """A seeded concept graph with ``n_claims`` claims and the nodes around them.

    ``hostile_text``, when given, becomes the text of the first claim and the title of
    the first note (for escaping tests). The result depends only on the arguments.
    """
    rng = np.random.default_rng(seed)
    if n_topics is None:
        n_topics = int(min(len(_TOPICS), max(3, n_claims // 120)))
    topics = _TOPICS[:n_topics]
    G = nx.MultiDiGraph(vault="/synthetic/vault", version="synthetic", model="bag-of-words")
    if n_claims <= 0:
        return G

    n_notes = max(1, -(-n_claims // claims_per_note))
    note_ids: list[str] = []
    note_topic: list[int] = []
    for i in range(n_notes):
        t = i % n_topics
        folder = ("Research", "Daily notes", "Ideen für später")[i % 3]
        path = f"{folder}/{topics[t][0].title()} note {i:04d}.md"
        nid = f"note:{path}"
        title = f"{topics[t][0].title()} note {i}"
        if i == 0 and hostile_text is not None:
            title = hostile_text
        G.add_node(nid, type="note", label=title[:60], text=title, note=path)
        note_ids.append(nid)
        note_topic.append(t)

    # Sections: one to four per note, some nested one level.
    note_sections: list[list[str]] = []
    for nid in note_ids:
        path = G.nodes[nid]["note"]
        secs: list[str] = []
        for s in range(int(rng.integers(1, 5))):
            title = f"Part {s + 1}"
            sid = hashed_id("sec", seed, path, s)
            nested = s > 0 and rng.random() < 0.3
            parent = secs[-1] if nested else nid
            heading = f"{G.nodes[parent]['label']} > {title}" if nested else title
            G.add_node(sid, type="section", label=title, text=heading, note=path, line=1 + s * 20)
            G.add_edge(parent, sid, type="contains")
            secs.append(sid)
        note_sections.append(secs)

    claims: list[str] = []
    claim_topic: list[int] = []
    line_in_note = [3] * n_notes
    for c in range(n_claims):
        ni = c % n_notes
        t = note_topic[ni] if rng.random() < 0.85 else int(rng.integers(n_topics))
        text = _sentence(rng, topics[t])
        if c == 0 and hostile_text is not None:
            text = hostile_text
        sid = note_sections[ni][int(rng.integers(len(note_sections[ni])))]
        cid = hashed_id("clm", seed, c)
        kind = KINDS[int(rng.choice(len(KINDS), p=_KIND_WEIGHTS))]
        source = ("rule", "embedding", "default", "user")[int(rng.integers(4))]
        G.add_node(
            cid,
            type="claim",
            label=text[:60],
            text=text,
            note=G.nodes[note_ids[ni]]["note"],
            line=line_in_note[ni],
            section=G.nodes[sid]["text"],
            kind=kind,
            confidence=1.0 if source == "user" else round(float(rng.uniform(0.4, 1.0)), 3),
            kind_source=source,
        )
        line_in_note[ni] += int(rng.integers(1, 4))
        # Now and then a list item nests under the previous claim of the same note.
        parent = sid
        if c >= n_notes and rng.random() < 0.1:
            parent = claims[c - n_notes]
        G.add_edge(parent, cid, type="contains")
        claims.append(cid)
        claim_topic.append(t)

    by_topic: list[list[int]] = [[] for _ in range(n_topics)]
    for i, t in enumerate(claim_topic):
        by_topic[t].append(i)

    # similar edges, mostly within a topic, each pair once.
    seen: set[tuple[int, int]] = set()
    for i, t in enumerate(claim_topic):
        for _ in range(int(rng.integers(1, 4))):
            pool = by_topic[t] if rng.random() < 0.92 else range(n_claims)
            j = int(pool[int(rng.integers(len(pool)))])
            a, b = min(i, j), max(i, j)
            if a == b or (a, b) in seen:
                continue
            seen.add((a, b))
            w = round(float(rng.uniform(0.55, 0.95)), 3)
            etype = "duplicate" if w > 0.94 else "similar"
            G.add_edge(claims[a], claims[b], type=etype, weight=w)
    for _ in range(max(1, n_claims // 50)):
        t = int(rng.integers(n_topics))
        if len(by_topic[t]) < 2:
            continue
        a, b = rng.choice(by_topic[t], size=2, replace=False)
        reason = _TENSION_REASONS[int(rng.integers(len(_TENSION_REASONS)))]
        w = round(float(rng.uniform(0.6, 0.9)), 3)
        G.add_edge(claims[int(a)], claims[int(b)], type="tension", weight=w, reason=reason)

    # The author's own annotations on about one claim in twelve.
    for i in rng.choice(n_claims, size=max(1, n_claims // 12), replace=False):
        cid = claims[int(i)]
        stance = STANCES[int(rng.integers(len(STANCES)))]
        text = f"My take ({stance}): " + _sentence(rng, topics[claim_topic[int(i)]])
        aid = hashed_id("ann", seed, int(i))
        cd = G.nodes[cid]
        attrs = annotation_attrs(
            text, stance, note=cd["note"], source="author", line=cd["line"] + 1,
            section=cd["section"],
        )  # fmt: skip
        G.add_node(aid, **attrs)
        G.add_edge(aid, cid, type="annotates", stance=stance, confidence=0.8)

    # References, cited mostly by claims of their topic.
    for r in range(max(1, n_claims // 20)):
        t = r % n_topics
        year = 2015 + int(rng.integers(10))
        text = f"Author {r}. {topics[t][0].title()} and {topics[t][1]} ({year})."
        rid = hashed_id("ref", seed, r)
        attrs = {"type": "reference", "label": text[:60], "text": text}
        if rng.random() < 0.6:
            attrs["url"] = f"https://example.org/paper/{r}"
        G.add_node(rid, **attrs)
        for _ in range(int(rng.integers(1, 6))):
            i = by_topic[t][int(rng.integers(len(by_topic[t])))] if by_topic[t] else 0
            G.add_edge(claims[i], rid, type="cites")

    # Concepts: topic terms, mentioned by claims whose text holds the term.
    for t, vocab in enumerate(topics):
        for term in vocab[:3]:
            con = f"con:{term}"
            G.add_node(con, type="concept", label=term, text=term)
            members = by_topic[t]
            k = min(len(members), max(1, len(members) // 8))
            for i in rng.choice(members, size=k, replace=False) if members else ():
                G.add_edge(claims[int(i)], con, type="mentions")

    # Wikilinks between notes, some to notes that do not exist.
    for i, nid in enumerate(note_ids):
        if n_notes > 1 and rng.random() < 0.5:
            j = int(rng.integers(n_notes))
            if j != i:
                G.add_edge(nid, note_ids[j], type="links_to", line=2)
        if rng.random() < 0.1:
            missing = f"note:Missing note {i}.md"
            G.add_node(
                missing,
                type="note",
                label=f"Missing note {i}",
                text=f"Missing note {i}",
                note=f"Missing note {i}.md",
                missing=True,
            )
            G.add_edge(nid, missing, type="links_to", line=4)
    return G


def bag_of_words_vectors(G: nx.Graph, dim: int = 64, *, seed: int = 0) -> dict[str, np.ndarray]:
    """Deterministic pseudo-embeddings for claims: the unit mean of per-word vectors."""
    cache: dict[str, np.ndarray] = {}
    out: dict[str, np.ndarray] = {}
    for n, d in G.nodes(data=True):
        if d.get("type") != "claim":
            continue
        words = [w.strip(".,:;()").lower() for w in str(d.get("text", "")).split()]
        words = [w for w in words if w and w not in _FILLER] or ["empty"]
        vec = np.zeros(dim)
        for w in words:
            if w not in cache:
                r = np.random.default_rng([seed, zlib.crc32(w.encode())])
                cache[w] = r.standard_normal(dim)
            vec += cache[w]
        out[n] = (vec / (np.linalg.norm(vec) or 1.0)).astype(np.float32)
    return out


def cheap_graph(n_nodes: int, *, community_size: int = 2000, seed: int = 0) -> nx.MultiDiGraph:
    """A large graph built in seconds, already carrying the graph layer (community,
    centrality, x, y): claims in square blocks, one block per community, one note per
    hundred claims, and a chain of ``similar`` edges. For size tests (100,000 nodes),
    where community detection and layout would cost more than the test is about.
    """
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph(vault="/synthetic/cheap", version="synthetic", model="")
    n_notes = max(1, n_nodes // 101)
    n_claims = n_nodes - n_notes
    side = int(np.ceil(np.sqrt(community_size)))
    blocks = int(np.ceil(np.sqrt(max(1, n_claims / community_size))))
    kinds = rng.choice(len(KINDS), size=n_claims, p=_KIND_WEIGHTS)
    G.graph["communities"] = {}
    for c in range(n_claims):
        comm, k = divmod(c, community_size)
        bx, by = comm % blocks, comm // blocks
        x = (bx * (side + 3) + k % side) * 40.0
        y = (by * (side + 3) + k // side) * 40.0
        note = f"Cheap/{c // 100:05d}.md"
        G.add_node(
            f"clm:{c}",
            type="claim",
            label=f"Claim {c} about topic {comm}",
            text=f"Claim {c} about topic {comm}.",
            note=note,
            line=c % 100 + 1,
            section="",
            kind=KINDS[int(kinds[c])],
            confidence=0.5,
            kind_source="default",
            community=comm,
            centrality=0.1,
            x=x,
            y=y,
        )
        G.graph["communities"].setdefault(comm, {"label": f"topic {comm}", "terms": [], "size": 0})
        G.graph["communities"][comm]["size"] += 1
        if c % community_size:
            G.add_edge(f"clm:{c - 1}", f"clm:{c}", type="similar", weight=0.7)
    for i in range(n_notes):
        first = min(i * 100, n_claims - 1)
        x, y = G.nodes[f"clm:{first}"]["x"], G.nodes[f"clm:{first}"]["y"]
        nid = f"note:Cheap/{i:05d}.md"
        G.add_node(nid, type="note", label=f"Note {i}", text=f"Note {i}", note=f"Cheap/{i:05d}.md",
                   centrality=0.5, x=x - 20.0, y=y - 20.0)  # fmt: skip
        for c in range(i * 100, min((i + 1) * 100, n_claims)):
            G.add_edge(nid, f"clm:{c}", type="contains")
    return G


# ---------------------------------------------------------------------- synthetic vaults
# Note texts and the graph drawn from them, with positions and communities already on:
# the window's demo mode and its tests (``explorer.gui.fake_backend``) stand on this,
# with the vocabulary above.
_KIND_CUE = {
    "capability": "{a} can {b} {c} {d}.",
    "limitation": "{a} cannot {b} {c} without {d}.",
    "consciousness-criterion": "{a} with {b} would be a sign of consciousness if {c} {d}.",
    "question": "Does {a} really {b} the {c} {d}?",
    "assertion": "{a} is {b} {c} than {d}.",
}
WORD = re.compile(r"[a-z0-9]+")


def link_edge(G: nx.MultiDiGraph, u: str, v: str, **attrs) -> None:
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
        sec_ids = [hashed_id("sec", path, si) for si in range(n_sections)]
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
                link_edge(G, note_id, sec_ids[si], type="contains")
            kind = KINDS[int(rng.choice(len(KINDS), p=_KIND_WEIGHTS))]
            pick = [words[int(rng.integers(len(words)))] for _ in range(3)]
            filler = _FILLER[int(rng.integers(len(_FILLER)))]
            text = _KIND_CUE[kind].format(a=pick[0].capitalize(), b=pick[1], c=filler, d=pick[2])
            text = f"{text[:-1]} (claim {len(claims)}){text[-1]}"
            lines.append(f"- {text}")
            cid = hashed_id("clm", path, ci, text)
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
            link_edge(G, sec_ids[si], cid, type="contains")
            claims.append(cid)
            claim_topic.append(topic)
            if rng.random() < 0.08:
                stance = STANCES[int(rng.integers(len(STANCES)))]
                atext = f"Later: I {stance} with this about {pick[1]}."
                lines.append(f"  - {atext}")
                aid = hashed_id("ann", cid, atext)
                attrs = annotation_attrs(
                    atext,
                    stance,
                    note=path,
                    source="author",
                    line=len(lines),
                    section=f"{title} > {sec_title}",
                )
                G.add_node(aid, **attrs, community=topic)
                link_edge(G, aid, cid, type="annotates", stance=stance, confidence=0.9)
        notes[path] = "\n".join(lines) + "\n"
    # Concepts: the topic words; references: a shared pool.
    for t in range(n_topics):
        for w in _TOPICS[t]:
            G.add_node(f"con:{w}", type="concept", label=w, text=w, community=t)
    n_refs = max(2, n_claims // 60)
    refs = []
    for r in range(n_refs):
        rid = hashed_id("ref", r)
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
        text_words = set(WORD.findall(G.nodes[cid]["text"].lower()))
        for w in _TOPICS[t]:
            if w in text_words and rng.random() < 0.5:
                link_edge(G, cid, f"con:{w}", type="mentions")
        if rng.random() < 0.1:
            pool = refs_by_topic[t]
            link_edge(G, cid, pool[int(rng.integers(len(pool)))], type="cites")
        nearby = near[i] if rng.random() < 0.98 else np.arange(len(claims))
        j = int(nearby[int(rng.integers(len(nearby)))])
        if j != i:
            link_edge(
                G, cid, claims[j], type="similar", weight=round(float(rng.uniform(0.55, 0.95)), 3)
            )
        if rng.random() < 0.03:
            j = int(near[i][int(rng.integers(len(near[i])))])
            if j != i:
                link_edge(
                    G,
                    cid,
                    claims[j],
                    type="tension",
                    weight=round(float(rng.uniform(0.6, 0.9)), 3),
                    reason=_TENSION_REASONS[int(rng.integers(len(_TENSION_REASONS)))],
                )
    note_ids = [n for n, t in G.nodes(data="type") if t == "note"]
    for n in note_ids:
        if len(note_ids) > 1 and rng.random() < 0.6:
            other = note_ids[int(rng.integers(len(note_ids)))]
            if other != n:
                link_edge(G, n, other, type="links_to", line=1)
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


def kind_ring_positions(G: nx.MultiDiGraph, seed: int) -> dict[str, tuple[float, float]]:
    """A second, different arrangement: claims grouped by kind around a ring."""
    rng = np.random.default_rng(seed + 1)
    ring = {k: i for i, k in enumerate(KINDS)}
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
