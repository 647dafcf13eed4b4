"""The graph-layer cache: what goes in comes out, and anything else is a miss."""

from __future__ import annotations

import zlib

from explorer.store import open_db
from explorer.store.layers import KEEP, decode_layer, encode_layer, load_layer, save_layer


def test_round_trip_keeps_numbers_and_community_keys():
    nodes = {"c1": {"community": 0, "centrality": 0.25, "x": 1.5, "y": -2.0}, "r:x": {}}
    communities = {0: {"label": "a · b", "terms": ["a", "b"], "size": 1}, 3: {"size": 0}}
    assert decode_layer(encode_layer(nodes, communities)) == (nodes, communities)


def test_garbage_reads_as_a_miss():
    assert decode_layer(b"") is None
    assert decode_layer(b"not zlib") is None
    assert decode_layer(zlib.compress(b"[1, 2]")) is None
    assert decode_layer(zlib.compress(b'{"nodes": [], "communities": []}')) is None


def test_save_keeps_the_newest_rows_of_a_layout(tmp_path):
    db = open_db(tmp_path / "s.db")
    for i in range(KEEP + 2):
        save_layer(db, f"v{i}", "force", {"n": {"community": i}}, {i: {"size": 1}})
    save_layer(db, "s0", "semantic", {"n": {}}, {})
    kept = [v for (v,) in db.conn.execute("SELECT version FROM graph_layers ORDER BY version")]
    assert kept == ["s0"] + [f"v{i}" for i in range(2, KEEP + 2)]
    assert load_layer(db, "v0") is None
    assert load_layer(db, f"v{KEEP + 1}") == (
        {"n": {"community": KEEP + 1}},
        {KEEP + 1: {"size": 1}},
    )
