"""The project's structural rules, checked by the same tools a developer runs by hand."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_import_boundaries_hold():
    """Only explorer.gui imports Qt; the pure core touches no storage, model or UI."""
    result = _run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


def test_ruff_is_clean():
    result = _run(str(BIN / "ruff"), "check", "explorer", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_help_does_not_import_heavy_libraries():
    """`explorer --help` must be instant: no torch, sentence-transformers, pyvis or Qt."""
    code = (
        "import sys, contextlib, io\n"
        "from explorer.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'pyvis', 'PySide6', 'networkx')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = _run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"imported at --help: {result.stdout.strip()}"


def _import_graph(level: int | None = None):
    """Who imports whom inside ``explorer`` (function-level imports included), as
    grimp, import-linter's engine, reads the source; ``level`` 2 folds modules into
    their top package (``explorer.store.user`` -> ``explorer.store``)."""
    import grimp
    import networkx as nx

    graph = grimp.build_graph("explorer", cache_dir=None)
    G = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = (
                (".".join(m.split(".")[:level]) for m in (module, imported))
                if level
                else (module, imported)
            )
            if a != b:
                G.add_edge(a, b)
    return G


def _cycles(G) -> list[list[str]]:
    import networkx as nx

    return [sorted(c) for c in nx.strongly_connected_components(G) if len(c) > 1]


def test_no_module_imports_itself_through_others():
    """A cycle (pipeline <-> index_stages once) means two modules that cannot be
    understood, tested or moved apart; none may come back, lazy imports included."""
    assert _cycles(_import_graph()) == []


def test_no_package_imports_itself_through_others():
    """The layers stay layers: no cycle among explorer's packages either."""
    assert _cycles(_import_graph(2)) == []


def test_qt_free_packages_type_check():
    """mypy over every package but the window (pyproject.toml's [tool.mypy]): the
    signatures say what flows where (the TextEmbedder protocol, Path | None, events)."""
    result = _run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_moved_modules_keep_their_old_names():
    """Scripts and branches written before the moves still import; the old name is the
    moved module itself, not a copy."""
    import importlib

    from explorer._moved import MOVED

    for old, new in MOVED.items():
        if old.startswith("explorer.gui."):
            continue  # needs Qt's package; the alias works the same way
        assert importlib.import_module(old) is importlib.import_module(new), old
