"""The user's decisions about the map itself: tensions, own links, saved views, pins.

Like every ``user_*`` row (see user.py), these survive every re-index: rows that name
a claim keep its text hash and note so they follow it when its id changes
(reattach.py), and nothing here is ever written into the vault.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping

from sqlite_utils import Database

from explorer.store.connection import write_transaction
from explorer.store.user import _node_key

DECISIONS = ("accepted", "dismissed")
EDGE_KINDS = ("tension", "link")  # a tension the program found; a link the user made


def _pair(a: str, b: str) -> tuple[str, str]:
    """Both orders of a pair of claims are one decision: keep them sorted."""
    return (a, b) if a <= b else (b, a)


def decide_edge(db: Database, a: str, b: str, edge_type: str, decision: str) -> None:
    """Record the user's decision on the edge ``a``–``b`` (replacing an earlier one).

    ``edge_type`` ``tension``: accept or dismiss a candidate contradiction.
    ``link``: ``accepted`` makes the pair an edge of the user's own; ``dismissed``
    stops suggesting it.
    """
    if edge_type not in EDGE_KINDS:
        raise ValueError(f"edge type must be one of {', '.join(EDGE_KINDS)}, not {edge_type!r}")
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    if a == b:
        raise ValueError("an edge needs two different claims")
    a, b = _pair(a, b)
    with write_transaction(db):
        ha, na = _node_key(db, a, must_be_claim=True)
        hb, nb = _node_key(db, b, must_be_claim=True)
        db.conn.execute(
            "INSERT INTO user_edges (claim_id, text_hash, note, edge_type, other_id, "
            "other_text_hash, other_note, decision, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(claim_id, edge_type, other_id) DO UPDATE SET "
            "decision = excluded.decision, created_at = excluded.created_at",
            (a, ha, na, edge_type, b, hb, nb, decision, time.time()),
        )


def undecide_edge(db: Database, a: str, b: str, edge_type: str) -> bool:
    """Forget a decision; True if there was one."""
    a, b = _pair(a, b)
    with write_transaction(db):
        cur = db.conn.execute(
            "DELETE FROM user_edges WHERE claim_id = ? AND edge_type = ? AND other_id = ?",
            (a, edge_type, b),
        )
    return cur.rowcount > 0


def edge_decisions(db: Database, edge_type: str | None = None) -> dict[tuple[str, str, str], str]:
    """``{(a, edge_type, b): decision}`` with ``a <= b``."""
    sql = "SELECT claim_id, edge_type, other_id, decision FROM user_edges"
    params: tuple = ()
    if edge_type is not None:
        sql += " WHERE edge_type = ?"
        params = (edge_type,)
    out = {}
    for a, t, b, decision in db.conn.execute(sql, params):
        a, b = _pair(a, b)  # stored sorted; a re-attached end may have changed that
        out[(a, t, b)] = decision
    return out


# -- saved views ---------------------------------------------------------------------
def save_view(db: Database, name: str, state: Mapping) -> None:
    """Save (or replace) a named view: any JSON-able mapping (filters, focus, layout, zoom)."""
    name = name.strip()
    if not name:
        raise ValueError("a saved view needs a name")
    text = json.dumps(dict(state), sort_keys=True)
    with write_transaction(db):
        db.conn.execute(
            "INSERT INTO user_views (name, state, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            (name, text, time.time()),
        )


def saved_views(db: Database) -> dict[str, dict]:
    """``{name: state}``, by name; a row whose JSON cannot be read is skipped."""
    out = {}
    for name, text in db.conn.execute("SELECT name, state FROM user_views ORDER BY name"):
        try:
            state = json.loads(text)
        except ValueError:
            continue
        if isinstance(state, dict):
            out[name] = state
    return out


def delete_view(db: Database, name: str) -> bool:
    with write_transaction(db):
        cur = db.conn.execute("DELETE FROM user_views WHERE name = ?", (name,))
    return cur.rowcount > 0


# -- pinned positions ----------------------------------------------------------------
def pin(db: Database, node_id: str, layout: str, x: float, y: float) -> None:
    """Keep a node at ``(x, y)`` (layout coordinates) in ``layout`` whatever the layout
    computes; a claim's pin follows the claim through re-indexes."""
    with write_transaction(db):
        text_hash, note = _node_key(db, node_id)
        db.conn.execute(
            "INSERT INTO user_pins (node_id, text_hash, note, layout, x, y, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(node_id, layout) DO UPDATE SET "
            "x = excluded.x, y = excluded.y, updated_at = excluded.updated_at",
            (node_id, text_hash, note, layout, float(x), float(y), time.time()),
        )


def unpin(db: Database, node_id: str, layout: str) -> bool:
    with write_transaction(db):
        cur = db.conn.execute(
            "DELETE FROM user_pins WHERE node_id = ? AND layout = ?", (node_id, layout)
        )
    return cur.rowcount > 0


def pins(db: Database, layout: str) -> dict[str, tuple[float, float]]:
    """``{node id: (x, y)}`` pinned in ``layout``."""
    rows = db.conn.execute("SELECT node_id, x, y FROM user_pins WHERE layout = ?", (layout,))
    return {n: (float(x), float(y)) for n, x, y in rows}
