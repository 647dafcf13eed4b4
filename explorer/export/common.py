"""What every exporter shares: output checks, atomic writes, flat attribute values.

Gephi, Cytoscape and the networkx readers accept only scalar attribute values, and a
key must have one type across all nodes (or all edges). ``flatten_graph`` makes a copy
that obeys both rules: lists become ``"a; b"`` strings, dicts become JSON strings,
``None`` and missing values become the key's empty value (``""``, ``0``, ``0.0`` or
``False``, chosen per key from the values present), and a key holding mixed types is
written as strings throughout.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from pathlib import Path

import networkx as nx

from explorer.errors import ExplorerError


class ExportError(ExplorerError):
    """An export could not be written; the message names the path or value at fault."""


def output_file(path: str | os.PathLike, G: nx.Graph | None = None) -> Path:
    """The checked output path of a single-file export.

    Its folder must exist (it is not created: a typo should not scatter folders), the
    path must not be a folder, and it must not lie inside the vault the graph was read
    from (the program never writes into a vault).
    """
    p = Path(path).expanduser()
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"output folder does not exist: {folder.resolve()}")
    if p.is_dir():
        raise ExportError(f"output path is a folder, expected a file name: {p.resolve()}")
    _refuse_vault(p, G)
    return p


def output_folder(path: str | os.PathLike, G: nx.Graph | None = None) -> Path:
    """The checked output folder of a multi-file export (CSV); created if its parent
    exists, refused when its parent does not."""
    p = Path(path).expanduser()
    if p.exists() and not p.is_dir():
        raise ExportError(f"output path is a file, expected a folder: {p.resolve()}")
    parent = p.parent if str(p.parent) else Path(".")
    if not p.exists() and not parent.is_dir():
        raise ExportError(f"output folder does not exist: {parent.resolve()}")
    _refuse_vault(p, G)
    p.mkdir(exist_ok=True)
    return p


def _refuse_vault(p: Path, G: nx.Graph | None) -> None:
    vault = (G.graph.get("vault") if G is not None else None) or ""
    if not vault:
        return
    target = p.resolve()
    root = Path(vault).expanduser().resolve()
    if target == root or root in target.parents:
        raise ExportError(
            f"refusing to write inside the vault ({root}): choose an output outside it"
        )


@contextmanager
def atomic_text(path: Path, newline: str | None = None):
    """Open a UTF-8 temporary file beside ``path``; it replaces ``path`` only when the
    block finishes, so a failed export never leaves half a file behind."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:
            yield fh
        # mkstemp makes the file private (0600); an export is an ordinary file.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def scalar(value):
    """One attribute value made flat: str, int, float or bool; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item") and not isinstance(value, Mapping):  # numpy scalars
        try:
            return scalar(value.item())
        except (TypeError, ValueError):
            pass
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, Iterable):
        return "; ".join(str(scalar(v)) for v in value if v is not None)
    return str(value)


def _empty_for(values: list) -> tuple[str, object]:
    """The type a key is written as and the value that fills its gaps."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "bool", False
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "int", 0
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "float", 0.0
    return "str", ""


def _flat_table(rows: list[dict], skip: Iterable[str] = ()) -> tuple[list[dict], dict]:
    skip = set(skip)
    flat = [{k: scalar(v) for k, v in row.items() if k not in skip} for row in rows]
    keys: dict[str, list] = {}
    for row in flat:
        for k, v in row.items():
            keys.setdefault(k, []).append(v)
    kinds = {k: _empty_for(vs) for k, vs in keys.items()}
    out = []
    for row in flat:
        new = {}
        for k, (kind, empty) in kinds.items():
            v = row.get(k)
            if v is None:
                v = empty
            elif kind == "str" and not isinstance(v, str):
                v = str(v).lower() if isinstance(v, bool) else str(v)
            elif kind == "float":
                v = float(v)
            new[k] = v
        out.append(new)
    return out, {k: kind for k, (kind, _) in kinds.items()}


def flatten_graph(G: nx.Graph, *, skip_node_keys=(), skip_edge_keys=()) -> nx.Graph:
    """A copy of ``G`` (same class, same keys) whose attributes are all flat and typed
    consistently per key; see the module docstring."""
    H = G.__class__()
    H.graph.update({k: v for k, v in ((k, scalar(v)) for k, v in G.graph.items()) if v is not None})
    nodes = list(G.nodes)
    node_rows, _ = _flat_table([dict(G.nodes[n]) for n in nodes], skip_node_keys)
    H.add_nodes_from(zip(nodes, node_rows, strict=True))
    if G.is_multigraph():
        edges = list(G.edges(keys=True, data=True))
        edge_rows, _ = _flat_table([dict(d) for *_, d in edges], skip_edge_keys)
        H.add_edges_from((u, v, k, d) for (u, v, k, _), d in zip(edges, edge_rows, strict=True))
    else:
        edges = list(G.edges(data=True))
        edge_rows, _ = _flat_table([dict(d) for *_, d in edges], skip_edge_keys)
        H.add_edges_from((u, v, d) for (u, v, _), d in zip(edges, edge_rows, strict=True))
    return H


def node_positions(G: nx.Graph, seed: int = 0) -> dict:
    """``{node: (x, y)}`` from the nodes' ``x``/``y``; when any node lacks them, a fresh
    force layout of the whole graph (exporters never show half a cached layout)."""
    if all(
        isinstance(d.get("x"), int | float) and isinstance(d.get("y"), int | float)
        for _, d in G.nodes(data=True)
    ):
        return {n: (float(d["x"]), float(d["y"])) for n, d in G.nodes(data=True)}
    from explorer.graph.layout import force_layout

    return force_layout(G, seed=seed)
