"""The author's voice end to end: indexed into the real store, in the graph, in the window."""

from __future__ import annotations

import sqlite3

import pytest
from helpers import write_vault

from explorer.app.workspace import Workspace

TALK = """---
title: Notes on a talk about memory
speaker: Dr. Example
---
# Talk: memory in agents

The speaker argues that agents need a long-term store.
- retrieval helps with facts
  - helps less with plans than they claim?
- summaries lose detail over time

## My questions
- [ ] reread the second half
"""
OWN = "# Log\n\nModels plan badly over long horizons.\nI find this the most common failure.\n"


@pytest.fixture
def ws(tmp_path):
    vault = write_vault(tmp_path / "v", {"talk.md": TALK, "log.md": OWN})
    w = Workspace(vault, tmp_path / "s.db", model_path="hashing")
    w.run_index()
    yield w
    w.close()


def rows(ws):
    con = sqlite3.connect(ws.db_path)
    try:
        return {
            t: (v, c, a)
            for t, v, c, a in con.execute(
                "SELECT text, voice, voice_confidence, answers FROM claims"
            )
        }
    finally:
        con.close()


def test_voice_is_stored_and_drawn_and_survives_a_forced_reindex(ws):
    r = rows(ws)
    assert r["The speaker argues that agents need a long-term store."][0] == "source"
    assert r["reread the second half"][0] == "author"
    assert r["Models plan badly over long horizons."][0] == "author"
    hedged = r["helps less with plans than they claim?"]
    assert hedged[0] == "author" and 0 < hedged[1] <= 1
    ids = {t: i for i, t in sqlite3.connect(ws.db_path).execute("SELECT id, text FROM claims")}
    assert hedged[2] == ids["retrieval helps with facts"]

    G = ws.graph()
    node = G.nodes[ids["helps less with plans than they claim?"]]
    assert node["voice"] == "author"
    edge = G.get_edge_data(
        ids["helps less with plans than they claim?"], ids["retrieval helps with facts"]
    )
    assert edge and edge["annotates"]["reaction"] is True
    verdict = ids["I find this the most common failure."]
    assert G.has_edge(verdict, ids["Models plan badly over long horizons."])

    ws.run_index(force=True)
    assert rows(ws) == r


def test_workspace_details_carry_the_voice(ws):
    ids = {t: i for i, t in sqlite3.connect(ws.db_path).execute("SELECT id, text FROM claims")}
    d = ws.details(ids["The speaker argues that agents need a long-term store."])
    assert d["voice"] == "source" and 0 < d["voice_confidence"] <= 1
    assert d["kind"] and d["kind_source"] != "user"
