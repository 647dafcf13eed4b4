"""Ids of graph items the store does not name: edges, and the user's own annotations.

>>> edge_id("clm:a", "clm:b", "similar")
'edge:["clm:a", "clm:b", "similar"]'
>>> parse_edge_id(edge_id("note:x y.md", "clm:b", "contains"))
('note:x y.md', 'clm:b', 'contains')
>>> parse_edge_id("clm:a") is None
True
>>> parse_user_annotation_id("ann:user-12"), parse_user_annotation_id("ann:3f2a")
(12, None)
"""

from __future__ import annotations

import json

USER_ANNOTATION_PREFIX = "ann:user-"


def edge_id(source: str, target: str, edge_type: str) -> str:
    """The id ``hide()`` receives for an edge: ``edge:["<source>", "<target>", "<type>"]``.

    JSON, because a note path inside a node id may hold any character.
    """
    return "edge:" + json.dumps([source, target, edge_type], ensure_ascii=False)


def parse_edge_id(item_id: str) -> tuple[str, str, str] | None:
    """Inverse of :func:`edge_id`; ``None`` for a node id."""
    if not item_id.startswith("edge:"):
        return None
    source, target, edge_type = json.loads(item_id[5:])
    return source, target, edge_type


def user_annotation_id(row_id: int) -> str:
    """The graph node id of the user's annotation stored as ``user_annotations.id``."""
    return f"{USER_ANNOTATION_PREFIX}{int(row_id)}"


def parse_user_annotation_id(node_id: str) -> int | None:
    """The ``user_annotations`` row of a node id from :func:`user_annotation_id`;
    None for any other id."""
    rest = node_id[len(USER_ANNOTATION_PREFIX) :]
    if node_id.startswith(USER_ANNOTATION_PREFIX) and rest.isdigit():
        return int(rest)
    return None
