"""The examples in the Qt-free packages' docstrings run, so they stay true.

``--doctest-modules`` over every package that imports no Qt (the window's modules are
tested with a real window instead). A module added to one of these packages has its
examples run here without any change to this file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QT_FREE = [
    "explorer/core",
    "explorer/store",
    "explorer/semantic",
    "explorer/graph",
    "explorer/export",
    "explorer/app",
    "explorer/indexing",
    "explorer/commands",
    "explorer/style.py",
    "explorer/errors.py",
    "explorer/claim_search.py",
    "explorer/paths.py",
    "explorer/resources.py",
]


def test_docstring_examples_of_the_qt_free_packages_run():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--doctest-modules", "-p", "no:cacheprovider"]
        + QT_FREE,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "no tests ran" not in result.stdout
