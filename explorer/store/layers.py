"""The graph layer's results, cached per graph: communities, centrality and positions.

Louvain and PageRank on a large vault's graph take a minute of CPU, and their result
depends only on the graph (its nodes, edges, weights and texts) and the code's
version: the caller passes a ``version`` string that says all of that (see
``Workspace.graph``). A row is never updated in place; a new graph gets a new row and
the older rows of its layout beyond the newest ``KEEP`` (by insertion: ``INSERT OR
REPLACE`` gives a replaced row a new rowid) are dropped.

The payload is zlib-compressed JSON, so a damaged or foreign row reads as a miss.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Mapping

from sqlite_utils import Database

from explorer.store.connection import write_transaction

# Rows kept per layout: the graph with hidden claims and the one without, say.
KEEP = 2


def encode_layer(nodes: Mapping[str, Mapping[str, object]], communities: Mapping) -> bytes:
    """``nodes`` (node id -> attributes) and ``communities`` (number -> facts) as bytes."""
    data = {
        "nodes": nodes,
        # JSON keys are strings; the numbers come back as ints in decode_layer.
        "communities": [[int(c), facts] for c, facts in communities.items()],
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode(), 6)


def decode_layer(payload: bytes) -> tuple[dict[str, dict], dict[int, dict]] | None:
    """What :func:`encode_layer` wrote, or None when ``payload`` is not that."""
    try:
        data = json.loads(zlib.decompress(payload))
        nodes = data["nodes"]
        communities = {int(c): facts for c, facts in data["communities"]}
    except (zlib.error, ValueError, TypeError, KeyError):
        return None
    if not isinstance(nodes, dict):
        return None
    return nodes, communities


def load_layer(db: Database, version: str) -> tuple[dict[str, dict], dict[int, dict]] | None:
    """The layer stored under ``version``, or None."""
    row = db.conn.execute(
        "SELECT payload FROM graph_layers WHERE version = ?", (version,)
    ).fetchone()
    return None if row is None else decode_layer(row[0])


def save_layer(
    db: Database,
    version: str,
    layout: str,
    nodes: Mapping[str, Mapping[str, object]],
    communities: Mapping,
) -> None:
    """Store a layer under ``version``; older rows of ``layout`` beyond ``KEEP`` go."""
    payload = encode_layer(nodes, communities)
    with write_transaction(db):
        db.conn.execute(
            "INSERT OR REPLACE INTO graph_layers (version, layout, payload, updated_at) "
            "VALUES (?, ?, ?, ?)",
            (version, layout, payload, time.time()),
        )
        db.conn.execute(
            "DELETE FROM graph_layers WHERE layout = ? AND version NOT IN "
            "(SELECT version FROM graph_layers WHERE layout = ? "
            "ORDER BY rowid DESC LIMIT ?)",
            (layout, layout, KEEP),
        )
