"""The locks agree with pyproject.toml.

packaging/setup installs from packaging/requirements*.lock alone (hash-checked, --no-deps), so a
dependency added to pyproject.toml but not to the lock would be missing on a fresh machine, and
one left in the lock after pyproject.toml dropped it would ship for nothing. packaging/update-lock
regenerates both; these tests fail until someone runs it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
FULL = ROOT / "packaging" / "requirements.lock"
RUN = ROOT / "packaging" / "requirements-run.lock"
# uv's annotation for a package that pyproject.toml asks for by name.
DIRECT = "concept-map-explorer (pyproject.toml)"
# Markers are evaluated for the platform the locks are made for (packaging/update-lock).
LOCK_ENV = {
    "python_version": "3.11",
    "python_full_version": "3.11.7",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
}


def requirements(pyproject_text: str, extras: tuple[str, ...] | None = None) -> list[Requirement]:
    """The project's requirements: its dependencies plus the named extras (None: all)."""
    project = tomllib.loads(pyproject_text)["project"]
    groups = project.get("optional-dependencies", {})
    chosen = groups if extras is None else {k: groups[k] for k in extras}
    reqs = [Requirement(r) for r in project.get("dependencies", [])]
    reqs += [Requirement(r) for group in chosen.values() for r in group]
    return [r for r in reqs if r.marker is None or r.marker.evaluate(LOCK_ENV)]


def parse_lock(lock_text: str) -> dict[str, dict]:
    """name -> {"version", "hashes", "via"} for every package pinned in a uv-style lock."""
    pins: dict[str, dict] = {}
    current: dict | None = None
    for line in lock_text.splitlines():
        pin = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line)
        if pin:
            current = {"version": pin.group(2), "hashes": [], "via": []}
            pins[canonicalize_name(pin.group(1))] = current
        elif current is not None and "--hash=" in line:
            current["hashes"].append(line.split("--hash=")[1].strip(" \\"))
        elif current is not None and line.strip().startswith("#"):
            via = line.strip().lstrip("#").strip()
            via = via.removeprefix("via").strip()
            if via:
                current["via"].append(via)
    return pins


def lock_problems(pyproject_text: str, lock_text: str, extras=None) -> list[str]:
    """Every way the lock and pyproject.toml disagree, as sentences; [] when they agree."""
    reqs = requirements(pyproject_text, extras)
    pins = parse_lock(lock_text)
    problems = []
    for req in reqs:
        pin = pins.get(canonicalize_name(req.name))
        if pin is None:
            problems.append(f"{req.name} is in pyproject.toml but not in the lock")
        elif not req.specifier.contains(pin["version"], prereleases=True):
            problems.append(f"{req.name}=={pin['version']} in the lock does not satisfy '{req}'")
    wanted = {canonicalize_name(r.name) for r in reqs}
    for name, pin in pins.items():
        if DIRECT in pin["via"] and name not in wanted:
            problems.append(
                f"{name} is in the lock as a direct dependency pyproject.toml no longer has"
            )
        if not pin["hashes"]:
            problems.append(f"{name} has no hash in the lock")
    return problems


def test_the_full_lock_matches_pyproject():
    assert lock_problems(PYPROJECT.read_text(), FULL.read_text()) == []


def test_the_run_lock_matches_pyproject_and_the_full_lock():
    run_text = RUN.read_text()
    assert lock_problems(PYPROJECT.read_text(), run_text, extras=("torch",)) == []
    full, run = parse_lock(FULL.read_text()), parse_lock(run_text)
    for name, pin in run.items():
        assert name in full, f"{name} is in the run lock only"
        assert pin["version"] == full[name]["version"], f"{name}: the two locks disagree"
        assert set(pin["hashes"]) <= set(full[name]["hashes"]), f"{name}: hashes differ"


def test_the_lock_pins_the_cpu_build_of_torch():
    """A bare torch pin would install the multi-GB CUDA build on a machine without a GPU."""
    for lock in (FULL, RUN):
        assert parse_lock(lock.read_text())["torch"]["version"].endswith("+cpu"), lock.name


@pytest.mark.parametrize(
    "edit, expected",
    [
        # A dependency added to pyproject.toml alone.
        (
            lambda t: t.replace('"networkx>=3.2",', '"networkx>=3.2",\n    "leftpad>=1.0",'),
            "leftpad is in pyproject.toml but not in the lock",
        ),
        # A range moved past the pinned version.
        (
            lambda t: t.replace('"networkx>=3.2"', '"networkx>=99"'),
            "does not satisfy 'networkx>=99'",
        ),
        # A dependency removed from pyproject.toml but left in the lock.
        (
            lambda t: t.replace('"networkx>=3.2",', ""),
            "networkx is in the lock as a direct dependency pyproject.toml no longer has",
        ),
    ],
)
def test_a_disagreement_is_reported(edit, expected):
    edited = edit(PYPROJECT.read_text())
    assert edited != PYPROJECT.read_text(), "the edit no longer applies to pyproject.toml"
    problems = lock_problems(edited, FULL.read_text())
    assert any(expected in p for p in problems), problems


def test_a_pin_without_a_hash_is_reported():
    lock = FULL.read_text()
    stripped = re.sub(r"(networkx==\S+) \\\n(    --hash=\S+( \\)?\n)+", r"\1\n", lock)
    assert stripped != lock
    assert "networkx has no hash in the lock" in lock_problems(PYPROJECT.read_text(), stripped)
