"""The command line, end to end: explorer.cli.main, and the installed `explorer` script."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli, snapshot, write_vault

from explorer import __version__
from explorer.cli import main
from explorer.commands._progress import ProgressBar
from explorer.indexing.pipeline import Progress
from explorer.indexing.vault import scan_vault
from explorer.paths import default_db_path
from explorer.resources import sample_vault

ROOT = Path(__file__).resolve().parents[2]
NOTES = {
    "Attention.md": "# Attention\n\nTransformers attend to every token. See [[Scaling]].\n",
    "Scaling.md": "# Scaling\n\nBigger models memorize more programs.\n\n- Data matters.\n",
    "notes/export.txt": "A plain text export about planning.\n",
}


@pytest.fixture
def vault(tmp_path):
    return write_vault(tmp_path / "My Vault", NOTES)


run = run_cli


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"explorer {__version__}"
    for command in ("index", "stats", "search", "export"):
        with pytest.raises(SystemExit) as exc:
            main([command, "--help"])
        assert exc.value.code == 0
        assert f"usage: explorer {command}" in capsys.readouterr().out


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "usage: explorer" in capsys.readouterr().out


def test_index_uses_a_default_store_outside_the_vault(vault, capsys, data_dir):
    before = snapshot(vault)
    code, out, err = run(capsys, "index", str(vault))
    assert code == 0
    dbp = default_db_path(vault)
    assert dbp.exists() and dbp.parent == data_dir / "vaults"
    assert dbp.name.startswith("My-Vault-") and dbp.suffix == ".db"
    assert f"database: {dbp}" in out
    assert "3 notes, " in out and "0 skipped, 0 errors" in out and " s" in out
    assert err == ""  # not a terminal: no progress bar, and nothing went wrong
    assert snapshot(vault) == before
    code, out, _ = run(capsys, "index", str(vault))
    assert "(0 read, 3 unchanged, 0 removed)" in out


def test_two_vaults_with_one_name_get_two_stores(tmp_path):
    a = write_vault(tmp_path / "a" / "notes", {"x.md": "x"})
    b = write_vault(tmp_path / "b" / "notes", {"x.md": "x"})
    assert default_db_path(a) != default_db_path(b)
    assert default_db_path(a) == default_db_path(tmp_path / "a" / "." / "notes")


def test_stats_text_and_json(vault, capsys):
    run(capsys, "index", str(vault))
    code, out, _ = run(capsys, "stats", str(vault))
    assert code == 0 and "notes      3" in out
    code, out, _ = run(capsys, "stats", str(vault), "--json")
    numbers = json.loads(out)
    assert numbers["notes"] == 3 and numbers["claims"] >= 4
    assert numbers["vault"] == str(vault.resolve())
    assert numbers["database"] == str(default_db_path(vault))


def test_search_prints_note_and_line(vault, capsys):
    run(capsys, "index", str(vault))
    code, out, _ = run(capsys, "search", "memorize", "programs", "--vault", str(vault))
    assert code == 0
    assert out.splitlines() == ["Scaling.md:3: Bigger models [memorize] more [programs]."]
    code, out, _ = run(capsys, "search", "token*", "--vault", str(vault), "--json")
    (hit,) = json.loads(out)
    assert (hit["note"], hit["line"]) == ("Attention.md", 3)
    assert hit["text"].startswith("Transformers attend to every token")
    code, out, err = run(capsys, "search", "quantum", "--vault", str(vault), "--words")
    assert code == 1 and out == "" and "no claim contains any of: quantum" in err
    code, out, _ = run(capsys, "search", "a", "--vault", str(vault), "--limit", "1")
    assert len(out.splitlines()) <= 1


def test_commands_say_what_is_missing(tmp_path, capsys):
    for argv in (["stats"], ["search", "x"], ["export", "-f", "json", "-o", "x.json"]):
        code, _, err = run(capsys, *argv)
        assert code == 2
        assert "no database to read: give a VAULT (its default database is used) or --db" in err
    code, _, err = run(capsys, "stats", "--db", str(tmp_path / "none.db"))
    assert code == 2 and f"no claim store at {tmp_path / 'none.db'}" in err
    assert not (tmp_path / "none.db").exists()
    code, _, err = run(capsys, "search", "x", "--vault", str(tmp_path / "nowhere"))
    assert code == 2 and "vault not found" in err
    code, _, err = run(capsys, "search", "x", "--db", str(tmp_path / "a.db"), "--limit", "0")
    assert code == 2 and "--limit must be at least 1" in err


def test_index_refuses_a_store_inside_the_vault(vault, capsys):
    code, _, err = run(capsys, "index", str(vault), "--db", str(vault / "map.db"))
    assert code == 2 and "is inside the vault" in err
    assert not (vault / "map.db").exists()


def test_export_json_follows_the_contract(vault, tmp_path, capsys):
    (tmp_path / "out").mkdir()
    out_file = tmp_path / "out" / "graph.json"
    code, _, err = run(capsys, "export", str(vault), "--format", "json", "-o", str(out_file))
    assert code == 0 and f"wrote {out_file}" in err
    data = json.loads(out_file.read_text(encoding="utf-8"))
    assert set(data) == {"directed", "multigraph", "graph", "nodes", "edges"}
    assert data["directed"] is True and data["multigraph"] is True
    graph = data["graph"]
    assert (graph["vault"], graph["version"], graph["model"]) == (
        str(vault.resolve()),
        __version__,
        "hashing-384",
    )
    # The graph layer: labelled communities, and what the (here: no) filters hid.
    assert graph["communities"] and all("label" in c for c in graph["communities"].values())
    assert graph["filter_info"]["hidden_nodes"] == 0
    claims = [n for n in data["nodes"] if n["type"] == "claim"]
    assert all({"x", "y", "community", "centrality"} <= n.keys() for n in claims)
    types = {n["type"] for n in data["nodes"]}
    assert {"note", "claim"} <= types
    for node in data["nodes"]:
        assert {"id", "type", "label", "text"} <= node.keys()
        assert node["id"].startswith(
            {"note": "note:", "section": "sec:", "claim": "clm:"}[node["type"]]
        )
    for edge in data["edges"]:
        assert {"source", "target", "type"} <= edge.keys()
    links = {(e["source"], e["target"]) for e in data["edges"] if e["type"] == "links_to"}
    assert ("note:Attention.md", "note:Scaling.md") in links
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["graph.json"]  # no temp file


def test_export_from_an_existing_store_and_bad_formats(vault, tmp_path, capsys):
    run(capsys, "index", str(vault))
    dbp = str(default_db_path(vault))
    target = tmp_path / "g.json"
    code, _, _ = run(capsys, "export", "--db", dbp, "-f", "json", "-o", str(target))
    assert code == 0 and json.loads(target.read_text())["nodes"]
    code, _, err = run(capsys, "export", "--db", dbp, "-f", "docx", "-o", str(target))
    assert code == 2 and "unknown format 'docx'; available: json, " in err
    code, _, err = run(capsys, "export", "--db", dbp, "-f", "json", "-o", str(tmp_path))
    assert code == 2 and "output path is a folder" in err
    code, _, err = run(capsys, "export", "--db", dbp, "-f", "json", "-o", str(vault / "m.json"))
    assert code == 2 and "refusing to write inside the vault" in err
    assert not (vault / "m.json").exists()


def test_export_says_when_it_computes_the_graph_layer_and_how_long_it_took(vault, tmp_path, capsys):
    run(capsys, "index", str(vault))
    dbp = str(default_db_path(vault))
    target = tmp_path / "g.json"
    code, _, first = run(capsys, "export", "--db", dbp, "-f", "json", "-o", str(target))
    assert code == 0
    assert "finding communities and laying out" in first and "nodes: once for this graph" in first
    assert re.search(r"wrote .*g\.json \(json: [\d,]+ nodes, [\d,]+ edges\) in \d+\.\d s", first)
    # The second export reads the stored layer: nothing to announce.
    code, _, second = run(capsys, "export", "--db", dbp, "-f", "json", "-o", str(target))
    assert code == 0 and "finding communities" not in second and "wrote" in second
    code, _, quiet = run(capsys, "export", "--db", dbp, "-f", "json", "-o", str(target), "-q")
    assert code == 0 and quiet == ""


def test_other_formats_come_from_the_exporters_registry(vault, tmp_path, capsys):
    import networkx as nx

    target = tmp_path / "g.graphml"
    code, _, err = run(capsys, "export", str(vault), "-f", "graphml", "-o", str(target), "-q")
    assert code == 0, err
    graph = nx.read_graphml(target)
    assert "note:Scaling.md" in graph


def test_progress_bar_draws_on_a_terminal_only():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = ProgressBar(stream)
        bar.update(Progress("index", 5, 10, "a.md"))
        bar.update(Progress("index", 6, 10, "b.md", "skipped b.md: binary", "warning"))
        bar.update(Progress("index", 10, 10, "c.md"))
        bar.close()
    assert "[##############--------------] 5/10 a.md" in tty.getvalue()
    assert "10/10" in tty.getvalue() and tty.getvalue().endswith("\r\033[K")
    assert pipe.getvalue() == "warning: skipped b.md: binary\n"


def _script() -> Path:
    return Path(sys.executable).parent / "explorer"


def test_the_installed_script_runs_in_a_real_process(vault, tmp_path, data_dir):
    assert _script().exists(), "run `pip install -e .` so the explorer script exists"
    env = dict(os.environ, EXPLORER_DATA_DIR=str(data_dir))
    dbp = tmp_path / "s.db"

    def explorer(*args):
        return subprocess.run(
            [str(_script()), *args], capture_output=True, text=True, env=env, timeout=120
        )

    done = explorer("index", str(vault), "--db", str(dbp))
    assert done.returncode == 0, done.stderr
    assert "3 notes" in done.stdout and done.stderr == ""
    found = explorer("search", "planning", "--db", str(dbp))
    assert found.returncode == 0
    assert found.stdout.startswith("notes/export.txt:1: ")
    missing = explorer("index", str(tmp_path / "absent"))
    assert missing.returncode == 2
    assert f"vault not found: {tmp_path / 'absent'}" in missing.stderr


def test_sample_vault_end_to_end(tmp_path, capsys):
    vault = sample_vault()
    if not vault.is_dir():
        pytest.skip("data/sample-vault is not there yet")
    before = snapshot(vault)
    out_file = tmp_path / "sample.json"
    code, _, err = run(capsys, "export", str(vault), "-f", "json", "-o", str(out_file))
    assert code == 0, err
    data = json.loads(out_file.read_text(encoding="utf-8"))
    notes = [n for n in data["nodes"] if n["type"] == "note" and not n.get("missing")]
    assert len(notes) == len(scan_vault(vault).files)
    assert not any(".obsidian" in n["id"] for n in data["nodes"])
    claims = [n for n in data["nodes"] if n["type"] == "claim"]
    assert len(claims) > 5 * len(notes)
    assert all(n["note"] and n["line"] >= 1 for n in claims)
    assert any(e["type"] == "links_to" for e in data["edges"])
    code, out, _ = run(capsys, "search", "consciousness", "--vault", str(vault))
    assert code == 0 and ".md:" in out
    assert snapshot(vault) == before  # nothing written into the bundled vault


def test_export_filters_cut_every_format_and_an_empty_result_fails(vault, tmp_path, capsys):
    dbp = tmp_path / "f.db"
    assert run(capsys, "index", str(vault), "--db", str(dbp), "-q")[0] == 0
    full = tmp_path / "full.json"
    assert run(capsys, "export", "--db", str(dbp), "-f", "json", "-o", str(full))[0] == 0
    part = tmp_path / "part.json"
    note = json.loads(full.read_text(encoding="utf-8"))["nodes"][0]["id"]
    code, _, _ = run(
        capsys, "export", "--db", str(dbp), "-f", "json", "-o", str(part), "--focus", note
    )
    assert code == 0
    nodes_full = json.loads(full.read_text(encoding="utf-8"))["nodes"]
    nodes_part = json.loads(part.read_text(encoding="utf-8"))["nodes"]
    assert note in {n["id"] for n in nodes_part}
    assert 0 < len(nodes_part) < len(nodes_full)

    empty = tmp_path / "empty.json"
    code, _, err = run(
        capsys, "export", "--db", str(dbp), "-f", "json", "-o", str(empty), "--kinds", "nope"
    )
    assert code != 0 and "nope" in err and not empty.exists()
