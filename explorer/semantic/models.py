"""Which embedder runs a model, and where exported ONNX models live.

A model is chosen as ``default`` (the shipped all-MiniLM-L6-v2), a folder, or
``hashing`` (the test stand-in); the *runtime* says what runs it:

* ``onnx``: ONNX Runtime on the model's exported ONNX form (no torch at run time).
  A sentence-transformers folder is exported on first use when torch is installed.
* ``onnx-int8``: the same with weights quantised to int8 (a separate vector identity).
* ``torch``: sentence-transformers on torch (CUDA when torch sees it).
* ``auto`` (the default): torch when a CUDA build of torch sees a GPU, else onnx;
  torch too when there is no ONNX form and it cannot be made (no onnxruntime, or a
  model the ONNX path cannot reproduce).

Exported folders live in ``<data folder>/models/<name>-<fingerprint>-onnx``
(``$EXPLORER_MODELS_DIR`` moves them); the PyInstaller build carries the shipped
model's at ``<bundle>/models/all-MiniLM-L6-v2-onnx``. Nothing here imports torch,
sentence-transformers, transformers or onnxruntime: deciding is file checks only.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from explorer.semantic.embedder import (
    DEFAULT_MODEL_NAME,
    Embedder,
    EmbedderError,
    HashingEmbedder,
    check_model_dir,
    cuda_torch_available,
    default_model_dir,
    model_name_for,
)
from explorer.semantic.onnx_embedder import (
    FP32_FILE,
    INT8_FILE,
    INT8_SUFFIX,
    OnnxEmbedder,
    is_onnx_dir,
    read_manifest,
)

RUNTIMES = ("auto", "onnx", "onnx-int8", "torch")
RUNTIME_ENV = "EXPLORER_RUNTIME"
MODELS_ENV = "EXPLORER_MODELS_DIR"
# The shipped model's ONNX folder inside the PyInstaller bundle.
BUNDLED_DIR = Path("models") / f"{DEFAULT_MODEL_NAME}-onnx"


def models_dir() -> Path:
    """Where exported models are kept: $EXPLORER_MODELS_DIR, else <data folder>/models."""
    override = os.environ.get(MODELS_ENV)
    if override:
        return Path(override).expanduser()
    from explorer.paths import data_dir

    return data_dir() / "models"


def onnx_dir_for(source: Path) -> Path:
    """The folder the ONNX form of the sentence-transformers folder ``source`` goes to."""
    name = model_name_for(source).replace("@", "-")
    return models_dir() / re.sub(r"[^\w.-]+", "-", f"{name}-onnx")


def bundled_onnx_dir() -> Path | None:
    """The shipped model's ONNX folder in a PyInstaller bundle, or None."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle and is_onnx_dir(Path(bundle) / BUNDLED_DIR):
        return Path(bundle) / BUNDLED_DIR
    return None


def default_onnx_dir() -> Path:
    """The exported folder of the shipped model (``explorer model export`` writes it):
    what the PyInstaller spec copies to ``<bundle>/models/all-MiniLM-L6-v2-onnx``."""
    return onnx_dir_for(default_model_dir())


def find_onnx(source: Path) -> Path | None:
    """The exported ONNX folder of ``source`` as it is now, or None."""
    from explorer.semantic.onnx_export import same_source

    folder = onnx_dir_for(source)
    return folder if is_onnx_dir(folder) and same_source(folder, source) else None


def runtime_choice(runtime: str | None = None, stored_model: str = "") -> str:
    """``--runtime``, else $EXPLORER_RUNTIME, else the variant the store's vectors were
    made with (int8 stays int8), else ``auto``."""
    chosen = runtime or os.environ.get(RUNTIME_ENV) or ""
    if not chosen:
        chosen = "onnx-int8" if stored_model.endswith(INT8_SUFFIX) else "auto"
    if chosen not in RUNTIMES:
        raise EmbedderError(f"unknown runtime {chosen!r}; choose one of {', '.join(RUNTIMES)}")
    return chosen


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def torch_installed() -> bool:
    return _installed("torch") and _installed("sentence_transformers")


def onnx_runtime_installed() -> bool:
    return _installed("onnxruntime") and _installed("tokenizers")


def _stderr(message: str) -> None:
    print(f"explorer: {message}", file=sys.stderr, flush=True)


def make_embedder(
    choice: str,
    runtime: str = "auto",
    *,
    say: Callable[[str], None] | None = None,
):
    """The embedder for a model ``choice`` run by ``runtime`` (see the module docstring).

    Raises :class:`EmbedderError` naming the folder when the model cannot be used by
    the runtime asked for. Loads nothing: weights load on the first ``encode``.
    """
    say = say or _stderr
    if choice == "hashing" or choice.startswith("hashing-"):
        dim = int(choice.split("-", 1)[1]) if "-" in choice else 384
        return HashingEmbedder(dim=dim)
    if runtime not in RUNTIMES:
        raise EmbedderError(f"unknown runtime {runtime!r}; choose one of {', '.join(RUNTIMES)}")
    int8 = runtime == "onnx-int8"
    default = choice in ("", "default")
    if default:
        bundled = bundled_onnx_dir()
        if bundled is not None and runtime != "torch":
            return OnnxEmbedder(bundled, int8=int8, source="")
        source = default_model_dir()
    else:
        source = Path(choice).expanduser().resolve()
        if source.is_dir() and is_onnx_dir(source):
            if runtime == "torch":
                raise EmbedderError(
                    f"{source} holds an exported ONNX model, which --runtime torch cannot run; "
                    "give the sentence-transformers folder it was exported from"
                )
            return OnnxEmbedder(source, int8=int8, source=str(source))
    check_model_dir(source)  # names the folder when it is neither form
    record = "" if default else str(source)
    if runtime == "torch" or (runtime == "auto" and cuda_torch_available()):
        return Embedder(None if default else source)
    folder = find_onnx(source)
    if folder is not None and (not int8 or (folder / INT8_FILE).is_file()):
        return OnnxEmbedder(folder, int8=int8, source=record)
    problem = _cannot_export(source)
    if problem is None:
        return ExportingEmbedder(source, onnx_dir_for(source), int8=int8, record=record, say=say)
    if runtime == "auto" and torch_installed():
        return Embedder(None if default else source)
    raise EmbedderError(problem)


def _cannot_export(source: Path) -> str | None:
    """Why ``source`` cannot be exported to ONNX here and now, or None when it can."""
    from explorer.semantic.onnx_export import export_plan

    where = onnx_dir_for(source)
    if not onnx_runtime_installed():
        return f"onnxruntime and tokenizers are not installed, so {source} cannot run on ONNX"
    if not torch_installed():
        return (
            f"{source} has no exported ONNX form (looked in {where}) and torch is not installed "
            "to make one: run `explorer model export` where sentence-transformers is installed "
            "and give the folder it writes with --model"
        )
    try:
        export_plan(source)
    except EmbedderError as exc:
        return str(exc)
    return None


class ExportingEmbedder:
    """An ONNX embedder whose model is exported (once, with torch) on its first use.

    Its ``name`` is known before the export (the source's), so a store whose vectors
    are all cached never triggers the export at all.
    """

    runtime = "onnx"

    def __init__(
        self,
        source: Path,
        folder: Path,
        *,
        int8: bool = False,
        record: str = "",
        say: Callable[[str], None] = _stderr,
    ) -> None:
        self.source_dir = source
        self.folder = folder
        self.int8 = int8
        self.source = record
        self.path = source
        self.say = say
        self.name = model_name_for(source) + (INT8_SUFFIX if int8 else "")
        self.calls = 0
        self._inner: OnnxEmbedder | None = None

    def load(self) -> OnnxEmbedder:
        if self._inner is None:
            from explorer.semantic.onnx_export import export_onnx, same_source

            wanted = [FP32_FILE] + ([INT8_FILE] if self.int8 else [])
            ready = (
                is_onnx_dir(self.folder)
                and same_source(self.folder, self.source_dir)
                and all((self.folder / f).is_file() for f in wanted)
            )
            if not ready:
                export_onnx(self.source_dir, self.folder, int8=self.int8, progress=self.say)
            self._inner = OnnxEmbedder(self.folder, int8=self.int8, source=self.source)
            self.path = self._inner.path
        return self._inner

    @property
    def dim(self) -> int:
        return self.load().dim

    @property
    def device(self) -> str:
        return "cpu"

    def encode(self, texts):
        self.calls += 1
        return self.load().encode(texts)


def model_status(choice: str, runtime: str = "auto") -> tuple[bool, str]:
    """Whether ``choice`` can embed here, and if not why; file checks only."""
    if choice.startswith("hashing"):
        return True, ""
    default = choice in ("", "default")
    if default and runtime != "torch" and bundled_onnx_dir() is not None:
        return True, ""
    try:
        source = default_model_dir() if default else Path(choice).expanduser().resolve()
        if not default and source.is_dir() and is_onnx_dir(source):
            read_manifest(source)
            if not onnx_runtime_installed():
                return False, "onnxruntime is not installed, so no claim is embedded"
            return True, ""
        check_model_dir(source)
    except EmbedderError as exc:
        return False, str(exc)
    if runtime == "torch":
        ok = torch_installed()
        return ok, "" if ok else "sentence-transformers is not installed, so no claim is embedded"
    if onnx_runtime_installed() and find_onnx(source) is not None:
        return True, ""
    problem = _cannot_export(source)
    if problem is None or (runtime == "auto" and torch_installed()):
        return True, ""
    return False, problem


def bundle_datas(*, export: bool = True) -> list[tuple[str, str]]:
    """PyInstaller ``datas`` pairs (file, folder in the bundle) that ship the shipped
    model's ONNX form at ``<bundle>/models/all-MiniLM-L6-v2-onnx`` (fp32 only: int8 is
    opt-in), where :func:`bundled_onnx_dir` finds it. For ``packaging/explorer.spec``::

        from explorer.semantic.models import bundle_datas
        datas += bundle_datas()

    Exports the model first (torch, once) when it has not been, unless ``export`` is
    false; raises EmbedderError when there is no export and none can be made.
    """
    source = default_model_dir()
    folder = find_onnx(source)
    if folder is None:
        if not export:
            raise EmbedderError(
                f"{source} has not been exported to ONNX (run `explorer model export`)"
            )
        from explorer.semantic.onnx_export import export_onnx

        folder = export_onnx(source, onnx_dir_for(source))
    pairs = []
    for f in sorted(folder.rglob("*")):
        rel = f.relative_to(folder)
        if f.is_file() and f.name != INT8_FILE and not rel.parts[0].startswith("."):
            pairs.append((str(f), (BUNDLED_DIR / rel.parent).as_posix()))
    return pairs
