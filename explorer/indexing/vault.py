"""Read a vault: find its note files and decode them. Never writes anything there.

A vault is any folder. Notes are files ending in ``.md``, ``.markdown`` or ``.txt``
(any case). Hidden files and folders are skipped, which covers Obsidian's
``.obsidian/`` settings and ``.trash/``. Paths handed on are vault-relative with
forward slashes, on every platform.

Symlinks are followed, because people link shared folders into vaults, but a
folder reached twice (a loop such as ``loop -> ..``, or two links to one folder) is
walked once, with a warning. Only regular files are read: a FIFO named ``x.md``
would otherwise block the reader for ever.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from explorer.core.model import NOTE_SUFFIXES
from explorer.core.pickling import compact_pickle
from explorer.errors import ExplorerError

# Larger notes are skipped with a message: a note is prose written by a person, and a
# file this size is almost always a log or a dump that would stall parsing.
DEFAULT_MAX_NOTE_BYTES = 10 * 1024 * 1024

# Binary files (images, PDFs, archives renamed .md) hold NUL bytes and bytes that are not
# UTF-8 in their first few KiB, or NUL bytes in bulk (UTF-16 without a BOM). A text note
# with a few stray NULs (pasted terminal output in a code block) is still text: the
# parser reads each NUL as a space.
_SNIFF_BYTES = 8192
_NUL_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class NoteFile:
    """One note file found by :func:`scan_vault`, with the stat the skip test needs."""

    path: str  # vault-relative, forward slashes
    abspath: Path
    size: int
    mtime_ns: int


@dataclass(slots=True)
class VaultScan:
    """What :func:`scan_vault` found: note files in path order, and what it passed over."""

    files: list[NoteFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@compact_pickle
@dataclass(frozen=True, slots=True)
class NoteText:
    """A decoded note. ``size`` and ``mtime_ns`` are from before the read (see read_note)."""

    text: str
    sha: str  # hash of the raw bytes
    size: int
    mtime_ns: int
    warnings: tuple[str, ...] = ()


class VaultError(ExplorerError):
    """The vault itself cannot be used (missing, not a folder)."""


class VaultMissingError(VaultError):
    """The vault folder does not exist (any more)."""

    def __init__(self, vault: str | os.PathLike[str], message: str = "") -> None:
        self.vault = Path(vault)
        super().__init__(message or f"vault not found: {self.vault}")


class NoteReadError(ExplorerError):
    """One note cannot be read; the message names the file and the reason."""


class NoteVanished(NoteReadError):
    """The note was deleted between the scan and the read."""


def check_vault(root: str | os.PathLike[str]) -> Path:
    """Return the vault's absolute path, or raise :class:`VaultError` naming it."""
    path = Path(root).expanduser()
    if not path.exists():
        raise VaultMissingError(path)
    if not path.is_dir():
        raise VaultError(f"vault is not a folder: {path}")
    return path.resolve()


def is_note_name(name: str) -> bool:
    """True for a visible file name with a note suffix.

    >>> [is_note_name(n) for n in ("a.md", "B.MARKDOWN", "c.txt", ".hidden.md", "d.pdf")]
    [True, True, True, False, False]
    """
    return not name.startswith(".") and name.lower().endswith(NOTE_SUFFIXES)


def scan_vault(root: str | os.PathLike[str]) -> VaultScan:
    """List the note files under ``root`` (sorted by relative path) and what was skipped."""
    base = check_vault(root)
    scan = VaultScan()
    seen_dirs: dict[tuple[int, int], str] = {}
    root_stat = os.stat(base)
    seen_dirs[(root_stat.st_dev, root_stat.st_ino)] = "."

    def on_error(err: OSError) -> None:
        scan.warnings.append(f"cannot list folder {_rel(base, err.filename)}: {err.strerror}")

    for dirpath, dirnames, filenames in os.walk(base, onerror=on_error, followlinks=True):
        folder = _rel(base, dirpath)  # once a folder: relpath per file was most of a scan
        keep = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue  # hidden, .obsidian and .trash included
            full = os.path.join(dirpath, name)
            rel = _rel(base, full)
            try:
                st = os.stat(full)
            except OSError as err:
                scan.warnings.append(f"skipped folder {rel}: {_reason(err)}")
                continue
            key = (st.st_dev, st.st_ino)
            if key in seen_dirs:
                first = seen_dirs[key]
                what = "symlink loop" if _is_ancestor(first, rel) else "folder already read"
                scan.warnings.append(f"skipped {rel}: {what} (same folder as {first})")
                continue
            seen_dirs[key] = rel
            keep.append(name)
        dirnames[:] = keep

        for name in sorted(filenames):
            if not is_note_name(name):
                continue
            full = os.path.join(dirpath, name)
            rel = name if folder == "." else f"{folder}/{name}"
            try:
                st = os.stat(full)
            except OSError as err:
                scan.warnings.append(f"skipped {rel}: {_reason(err)}")
                continue
            if not stat.S_ISREG(st.st_mode):
                scan.warnings.append(f"skipped {rel}: not a regular file")
                continue
            scan.files.append(NoteFile(rel, Path(full), st.st_size, st.st_mtime_ns))
    scan.files.sort(key=lambda f: f.path)
    return scan


def read_note(
    file: NoteFile, *, max_bytes: int = DEFAULT_MAX_NOTE_BYTES, retries: int = 2
) -> NoteText:
    """Read and decode one note, or raise :class:`NoteReadError` saying why not.

    The size and mtime returned are taken from the open file *before* its bytes are
    read, so a note edited during the read is recorded with its older stat and is
    read again on the next index. If the stat moves during the read, the read is
    repeated (up to ``retries`` times) so the text stored is a consistent version.
    """
    for attempt in range(retries + 1):
        try:
            with _open(file.abspath) as handle:
                before = os.fstat(handle.fileno())
                if before.st_size > max_bytes:
                    raise NoteReadError(
                        f"skipped {file.path}: {_mib(before.st_size)} is over the "
                        f"{_mib(max_bytes)} note size limit"
                    )
                data = handle.read(max_bytes + 1)
                after = os.fstat(handle.fileno())
        except FileNotFoundError:
            raise NoteVanished(f"{file.path} was deleted while indexing") from None
        except IsADirectoryError:
            raise NoteReadError(f"skipped {file.path}: it is a folder") from None
        except NoteReadError:
            raise
        except OSError as err:
            raise NoteReadError(f"cannot read {file.path}: {_reason(err)}") from None
        if len(data) > max_bytes:
            raise NoteReadError(
                f"skipped {file.path}: grew past the {_mib(max_bytes)} note size limit"
            )
        stable = (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns)
        if stable or attempt == retries:
            break
    text, warnings = decode_note(data, file.path)
    if not stable:
        warnings.append(f"{file.path} kept changing while it was read; it will be read again")
    sha = hashlib.blake2b(data, digest_size=16).hexdigest()
    return NoteText(text, sha, before.st_size, before.st_mtime_ns, tuple(warnings))


def decode_note(data: bytes, path: str) -> tuple[str, list[str]]:
    """Decode a note's bytes: UTF-8 (BOM stripped) or UTF-16 with a BOM.

    Invalid UTF-8 is decoded with replacement characters and a warning naming the
    file; a binary file raises :class:`NoteReadError`.

    >>> decode_note("café".encode(), "a.md")
    ('café', [])
    >>> decode_note(b"caf\\xe9", "a.md")[1]
    ['a.md: not valid UTF-8 (1 invalid sequence replaced with U+FFFD)']
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            pass  # not really UTF-16: fall through to the binary check
    nuls = data.count(b"\x00", 0, _SNIFF_BYTES)
    if nuls and _looks_binary(data[:_SNIFF_BYTES], nuls):
        raise NoteReadError(f"skipped {path}: looks like a binary file, not text")
    notes = []
    if nuls or b"\x00" in data:
        total = data.count(b"\x00")
        notes.append(f"{path}: {total} NUL byte{'s' if total != 1 else ''} read as spaces")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), notes
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
        plural = "sequence" if bad == 1 else "sequences"
        return text, notes + [
            f"{path}: not valid UTF-8 ({bad} invalid {plural} replaced with U+FFFD)"
        ]


def _looks_binary(head: bytes, nuls: int) -> bool:
    """NULs in bulk, or NULs beside bytes that are not UTF-8: not a note."""
    if nuls > _NUL_SHARE * len(head):
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start < len(head) - 3  # a character cut at the sniff's end is fine
    return False


def _open(path: Path):
    # One seam for every read, so tests can simulate unreadable files even as root.
    return open(path, "rb")  # noqa: SIM115 - the caller closes it


def _rel(base: Path, full: str | None) -> str:
    if not full:
        return "?"
    rel = os.path.relpath(full, base)
    return "." if rel == "." else rel.replace(os.sep, "/")


def _is_ancestor(folder: str, rel: str) -> bool:
    return folder == "." or rel.startswith(folder + "/")


def _reason(err: OSError) -> str:
    import errno

    if err.errno == errno.ELOOP:
        return "symlink loop"
    if err.errno == errno.ENOENT:
        return "broken symlink or file vanished"
    return err.strerror or str(err)


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"
