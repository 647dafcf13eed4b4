"""What several test modules share, in one place (tests import it as ``helpers``).

- a small, predictable parser, vaults written from a dict, and snapshots of a folder;
- a copy of the sample vault, claims of a graph by attribute, a damaged store page;
- the command line run in-process, and a click on the next question box (Qt).

The parser:

The real parser's splitting is not what these tests are about, so notes here are
line based: ``# Title`` is a section (level = number of ``#``), ``- item`` a list
item (two spaces of indent per level), any other non-empty line one claim.
``[[Target]]`` / ``[[Target|alias]]`` become wikilinks, ``http(s)://...`` URLs.
A note starting with ``---`` and no closing ``---`` gets a front-matter warning.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from pathlib import Path

from explorer.core.model import Claim, Link, ParsedNote, Section

_WIKI = re.compile(r"\[\[([^\]|#]+)(?:#([^\]|]+))?(?:\|([^\]]+))?\]\]")
_URL = re.compile(r"https?://\S+")


def _h(*parts: object) -> str:
    return hashlib.sha1("\0".join(map(str, parts)).encode()).hexdigest()[:16]


def line_parser(text: str, path: str, *, positional_ids: bool = False) -> ParsedNote:
    """Parse ``text`` line by line. With ``positional_ids`` a claim's id also depends
    on its position, so inserting a line above a claim changes its id (as some
    parsers do): the case re-attachment exists for."""
    note = ParsedNote(path=path, title=path.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    lines = text.split("\n")
    if lines and lines[0].strip() == "---" and "---" not in [x.strip() for x in lines[1:]]:
        note.warnings.append("front matter is not closed by ---; read as text")
    stack: list[Section] = []
    items: list[tuple[int, str]] = []  # (indent, claim id) of open list items
    seen: dict[str, int] = {}
    offset = 0
    for number, raw in enumerate(lines, 1):
        start, end = offset, offset + len(raw)
        offset = end + 1
        line = raw.strip()
        if not line or line == "---":
            continue
        if line.startswith("#") and line.lstrip("#").startswith(" "):
            level = len(line) - len(line.lstrip("#"))
            title = line.lstrip("#").strip()
            while stack and stack[-1].level >= level:
                stack.pop()
            parent = stack[-1] if stack else None
            section = Section(
                id="sec:" + _h(path, title, number),
                title=title,
                level=level,
                path=(*(parent.path if parent else ()), title),
                parent_id=parent.id if parent else None,
                line=number,
                start=start,
                end=end,
            )
            note.sections.append(section)
            stack.append(section)
            items.clear()
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        is_item = line.startswith("- ")
        body = line[2:] if is_item else line
        n = seen.get(body, 0)
        seen[body] = n + 1
        key = (path, body, n, len(note.claims)) if positional_ids else (path, body, n)
        cid = "clm:" + _h(*key)
        parent_id = None
        if is_item:
            while items and items[-1][0] >= indent:
                items.pop()
            parent_id = items[-1][1] if items else None
            items.append((indent, cid))
        else:
            items.clear()
        note.claims.append(
            Claim(
                id=cid,
                text=body,
                section_id=stack[-1].id if stack else None,
                parent_id=parent_id,
                block="list_item" if is_item else "paragraph",
                position=len(note.claims),
                line=number,
                end_line=number,
                start=start,
                end=end,
            )
        )
        for m in _WIKI.finditer(raw):
            note.links.append(
                Link(
                    target=m.group(1).strip(),
                    kind="wikilink",
                    line=number,
                    start=start + m.start(),
                    end=start + m.end(),
                    alias=m.group(3),
                    heading=m.group(2),
                    claim_id=cid,
                )
            )
        for m in _URL.finditer(raw):
            note.links.append(
                Link(m.group(), "url", number, start + m.start(), start + m.end(), claim_id=cid)
            )
    return note


def positional_parser(text: str, path: str) -> ParsedNote:
    return line_parser(text, path, positional_ids=True)


class CountingParser:
    """Wraps a parser and records the paths it was asked to parse."""

    def __init__(self, inner=line_parser) -> None:
        self.inner = inner
        self.calls: list[str] = []
        self.__qualname__ = "CountingParser"

    def __call__(self, text: str, path: str) -> ParsedNote:
        self.calls.append(path)
        return self.inner(text, path)


def write_vault(root, notes: dict[str, str]):
    """Create ``root`` with the given ``{relative path: text}`` files; return it."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in notes.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def snapshot(root) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root`` (hidden ones too) with its bytes and mtime."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[str(path.relative_to(root))] = (path.read_bytes(), path.stat().st_mtime_ns)
    return out


def assert_fts_matches_claims(db) -> None:
    """The search index holds exactly the claims rows, no stale or missing entry.

    FTS5's own 'integrity-check' does not compare an external-content index with its
    table in this SQLite, so the rowids are compared through an fts5vocab table.
    """
    db.conn.execute("INSERT INTO claims_fts(claims_fts) VALUES ('integrity-check')")
    db.conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.claims_vocab "
        "USING fts5vocab(main, claims_fts, 'instance')"
    )
    indexed = {r[0] for r in db.conn.execute("SELECT DISTINCT doc FROM temp.claims_vocab")}
    stored = {
        r[0] for r in db.conn.execute("SELECT seq FROM claims WHERE text GLOB '*[a-zA-Z0-9]*'")
    }
    assert indexed == stored, f"only indexed: {indexed - stored}, not indexed: {stored - indexed}"


# ---------------------------------------------------------------------- shared helpers
def copy_vault(tmp_path: Path) -> Path:
    """A copy of the bundled sample vault in ``tmp_path/vault`` (tests may change it)."""
    from explorer.resources import sample_vault

    return Path(shutil.copytree(sample_vault(), tmp_path / "vault"))


def graph_claims(G, **attrs) -> list[str]:
    """The claim nodes of ``G`` whose attributes equal ``attrs``, in graph order."""
    return [
        n
        for n, d in G.nodes(data=True)
        if d["type"] == "claim" and all(d.get(k) == v for k, v in attrs.items())
    ]


def damage_table(db_path: Path, table: str) -> None:
    """Overwrite the root page of ``table`` with noise, as a failing disk would."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    with open(db_path, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(bytes((i * 37 + 11) % 256 for i in range(page_size)))


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """``explorer ARGV...`` in this process: (exit status, stdout, stderr)."""
    from explorer.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def answer_next_question(button) -> None:
    """Click ``button`` in the next modal question box the window opens (Qt tests)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    def click():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(button).click()
        else:
            QTimer.singleShot(50, click)

    QTimer.singleShot(50, click)


def check_vault_loss_is_reported(qtbot, win, claim_id: str) -> None:
    """Delete an open window's vault folder: the window says so, stops indexing, and the
    map and details still work from the database (with the fake or the real backend)."""
    shutil.rmtree(win.vault)
    qtbot.waitUntil(lambda: any(t == "Vault folder missing" for t, _ in win.messages), timeout=5000)
    assert not win.act_reindex.isEnabled()
    win.reindex()  # nothing to index; no crash
    win.select_node(claim_id)  # the map still works from the database
    assert "not in the vault any more" in win.details.browser.toPlainText()


# Columns that hold the time of the run, not the vault's content.
CLOCK_COLUMNS = {"indexed_at", "created_at", "updated_at"}


def store_dump(db_path: Path) -> dict[str, list]:
    """Every row of every table but the full-text indexes' internals, clock columns out."""
    conn = sqlite3.connect(db_path)
    try:
        tables = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if "_fts" not in name and not name.startswith("sqlite_")
        ]
        out = {}
        for table in tables:
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            keep = [c for c in cols if c not in CLOCK_COLUMNS]
            rows = conn.execute(f'SELECT {", ".join(keep)} FROM "{table}"').fetchall()
            if table == "meta":  # a store's own name for the vector files beside it
                rows = [r for r in rows if r[0] != "vector_file_token"]
            out[table] = sorted(rows, key=repr)
        out["claims_fts"] = conn.execute(
            "SELECT rowid FROM claims_fts WHERE claims_fts MATCH 'models' ORDER BY rowid"
        ).fetchall()
    finally:
        conn.close()
    return out
