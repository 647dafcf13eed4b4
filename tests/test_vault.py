"""The vault reader: which files are notes, how they decode, what is passed over."""

from __future__ import annotations

import codecs
import doctest
import importlib
import os

import pytest

from explorer.indexing.vault import (
    NoteFile,
    NoteReadError,
    NoteVanished,
    VaultError,
    read_note,
    scan_vault,
)


def make(root, files):
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data if isinstance(data, bytes) else data.encode())
    return root


def test_scan_finds_note_suffixes_and_skips_hidden_and_settings(tmp_path):
    make(
        tmp_path,
        {
            "a.md": "x",
            "B.MARKDOWN": "x",
            "sub/dir/c.txt": "x",
            "image.png": "x",
            "doc.pdf": "x",
            ".hidden.md": "x",
            ".obsidian/workspace.md": "x",
            ".trash/deleted.md": "x",
            "sub/.git/notes.md": "x",
        },
    )
    scan = scan_vault(tmp_path)
    assert [f.path for f in scan.files] == ["B.MARKDOWN", "a.md", "sub/dir/c.txt"]
    assert scan.warnings == []
    f = scan.files[2]
    assert f.abspath == tmp_path / "sub" / "dir" / "c.txt" and f.size == 1 and f.mtime_ns > 0


def test_missing_vault_and_file_as_vault(tmp_path):
    with pytest.raises(VaultError, match=r"vault not found: .*nowhere"):
        scan_vault(tmp_path / "nowhere")
    (tmp_path / "f.md").write_text("x")
    with pytest.raises(VaultError, match="not a folder"):
        scan_vault(tmp_path / "f.md")


def test_symlink_loop_is_detected_and_walk_continues(tmp_path):
    make(tmp_path, {"a/n.md": "x", "b/m.md": "y"})
    os.symlink("..", tmp_path / "a" / "up")  # a/up -> vault root: a loop
    os.symlink(tmp_path / "b", tmp_path / "a" / "b-again")  # a second way into b
    scan = scan_vault(tmp_path)
    assert [f.path for f in scan.files] == ["a/n.md", "b/m.md"]
    assert any("a/up" in w and "symlink loop" in w for w in scan.warnings), scan.warnings
    assert any("a/b-again" in w and "already read" in w for w in scan.warnings), scan.warnings


def test_symlinked_file_loops_and_dangling_links_are_reported(tmp_path):
    make(tmp_path, {"real.md": "x"})
    os.symlink("loop2.md", tmp_path / "loop1.md")
    os.symlink("loop1.md", tmp_path / "loop2.md")
    os.symlink("gone.md", tmp_path / "dangling.md")
    os.symlink("real.md", tmp_path / "alias.md")
    scan = scan_vault(tmp_path)
    assert [f.path for f in scan.files] == ["alias.md", "real.md"]
    text = "\n".join(scan.warnings)
    assert "loop1.md: symlink loop" in text and "loop2.md: symlink loop" in text
    assert "dangling.md: broken symlink" in text


def test_fifo_named_md_is_skipped_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.md")
    make(tmp_path, {"ok.md": "x"})
    scan = scan_vault(tmp_path)
    assert [f.path for f in scan.files] == ["ok.md"]
    assert scan.warnings == ["skipped pipe.md: not a regular file"]


def test_a_folder_named_like_a_note_is_walked_not_read(tmp_path):
    make(tmp_path, {"x.md/inner.md": "x"})
    assert [f.path for f in scan_vault(tmp_path).files] == ["x.md/inner.md"]


def note(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    st = path.stat()
    return NoteFile(name, path, st.st_size, st.st_mtime_ns)


def test_read_decodes_utf8_bom_and_utf16(tmp_path):
    assert read_note(note(tmp_path, "a.md", "Über\n".encode())).text == "Über\n"
    bom = read_note(note(tmp_path, "b.md", codecs.BOM_UTF8 + b"hi"))
    assert bom.text == "hi" and bom.warnings == ()
    utf16 = read_note(note(tmp_path, "c.md", "Ünïcode".encode("utf-16")))
    assert utf16.text == "Ünïcode"


def test_read_reports_stat_hash_and_replaces_bad_utf8(tmp_path):
    f = note(tmp_path, "bad.md", b"caf\xe9 au lait\n")
    got = read_note(f)
    assert got.text == "caf\ufffd au lait\n"
    assert got.warnings == ("bad.md: not valid UTF-8 (1 invalid sequence replaced with U+FFFD)",)
    assert (got.size, got.mtime_ns) == (f.size, f.mtime_ns)
    assert got.sha != read_note(note(tmp_path, "good.md", b"cafe au lait\n")).sha


def test_read_refuses_binary_and_oversize(tmp_path):
    with pytest.raises(NoteReadError, match="skipped img.md: looks like a binary file"):
        read_note(note(tmp_path, "img.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
    with pytest.raises(NoteReadError, match=r"skipped big.md: 0.0 MiB is over the 0.0 MiB"):
        read_note(note(tmp_path, "big.md", b"x" * 2000), max_bytes=1000)


def test_read_of_a_vanished_file(tmp_path):
    f = note(tmp_path, "gone.md", b"x")
    (tmp_path / "gone.md").unlink()
    with pytest.raises(NoteVanished, match="gone.md was deleted while indexing"):
        read_note(f)


def test_docstring_examples_run():
    # By name: explorer.store re-exports functions that shadow some module attributes.
    for name in (
        "explorer.indexing.vault",
        "explorer.paths",
        "explorer.store.search",
        "explorer.store.notes",
        "explorer.store.connection",
        "explorer.graph.build",
    ):
        module = importlib.import_module(name)
        result = doctest.testmod(module)
        assert result.failed == 0, module.__name__
        assert result.attempted > 0, module.__name__
