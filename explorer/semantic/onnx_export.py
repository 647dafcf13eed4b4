"""Export a sentence-transformers model folder to an ONNX model folder (torch, once).

This is the only place, besides the torch embedder, that imports torch and
transformers, and only when called: ``explorer model export`` and the first use of a
model that has no ONNX form yet. What it writes is described in
:mod:`explorer.semantic.onnx_embedder`; what it learnt the hard way:

* the Hugging Face model is loaded with ``attn_implementation="eager"`` (the SDPA
  path does not trace into a graph with dynamic shapes) and wrapped to return
  ``last_hidden_state`` only;
* inputs ``input_ids``, ``attention_mask`` and ``token_type_ids`` are all int64
  (BERT needs ``token_type_ids``), with dynamic batch and sequence axes, opset 17,
  exported by the TorchScript exporter (``dynamo=False``: the dynamo one needs
  onnxscript);
* int8 is quantised per channel: onnxruntime's default per-tensor ``quantize_dynamic``
  moves vectors too far (cosine down to 0.79 with the fp32 ones).

The folder is written beside its destination and renamed into place, so an
interrupted export never leaves a half-written model that looks finished.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from explorer.semantic.embedder import (
    EmbedderError,
    check_model_dir,
    model_fingerprint,
    model_name_for,
)
from explorer.semantic.onnx_embedder import (
    FORMAT_VERSION,
    FP32_FILE,
    INT8_FILE,
    MANIFEST,
    TOKENIZER_FILE,
    is_onnx_dir,
    read_manifest,
)

OPSET = 17
# Copied beside the graph: what the run time reads, and what a person inspecting the
# folder expects to find (the model's own configs).
COPIED = (
    TOKENIZER_FILE,
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "config.json",
    "config_sentence_transformers.json",
    "sentence_bert_config.json",
    "modules.json",
    "1_Pooling/config.json",
)
# The sentence-transformers modules the ONNX run time reproduces.
SUPPORTED_MODULES = {"Transformer", "Pooling", "Normalize"}


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise EmbedderError(f"cannot read {path}: {exc}") from exc


def export_plan(source: Path) -> dict:
    """What an export of ``source`` will hold; raises EmbedderError for what the ONNX
    run time cannot reproduce (extra modules, pooling other than mean)."""
    check_model_dir(source)
    if not (source / TOKENIZER_FILE).is_file():
        raise EmbedderError(
            f"cannot export {source} to ONNX: it has no {TOKENIZER_FILE} (a fast tokenizer)"
        )
    modules = _json(source / "modules.json") if (source / "modules.json").is_file() else []
    kinds = {str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules}
    extra = sorted(kinds - SUPPORTED_MODULES)
    if extra:
        raise EmbedderError(
            f"cannot export {source} to ONNX: modules {', '.join(extra)} are not supported "
            "(use --runtime torch)"
        )
    pooling_dir = next(
        (m.get("path", "") for m in modules if str(m.get("type", "")).endswith("Pooling")),
        "1_Pooling",
    )
    pooling_file = source / pooling_dir / "config.json"
    if pooling_file.is_file():
        pooling = _json(pooling_file)
        others = [
            k
            for k, v in pooling.items()
            if k.startswith("pooling_mode_") and v and k != "pooling_mode_mean_tokens"
        ]
        if others:
            raise EmbedderError(
                f"cannot export {source} to ONNX: pooling {', '.join(others)} is not supported "
                "(only mean pooling; use --runtime torch)"
            )
    st_config = source / "sentence_bert_config.json"
    max_len = _json(st_config).get("max_seq_length") if st_config.is_file() else None
    config = _json(source / "config.json") if (source / "config.json").is_file() else {}
    if max_len is None:
        max_len = min(int(config.get("max_position_embeddings", 512)), 512)
    return {
        "format": FORMAT_VERSION,
        "name": model_name_for(source),
        "source": str(source),
        "source_fingerprint": model_fingerprint(source),
        "dim": int(config.get("hidden_size", 0)) or None,
        "max_seq_length": int(max_len),
        "pad_token_id": config.get("pad_token_id", 0),
        "pooling": "mean",
        "normalize": True,
        "opset": OPSET,
    }


def export_onnx(
    source: str | os.PathLike,
    out: str | os.PathLike,
    *,
    int8: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write the ONNX model folder of the sentence-transformers folder ``source`` to
    ``out`` (replaced when it exists). Returns ``out``. Raises EmbedderError naming the
    folder at fault when the model cannot be read or torch is not installed."""
    say = progress or (lambda _msg: None)
    source = Path(source).expanduser().resolve()
    out = Path(out).expanduser().absolute()
    manifest = export_plan(source)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        umask = os.umask(0)
        os.umask(umask)
        work.chmod(0o777 & ~umask)  # mkdtemp makes it private; the model is not
    except OSError as exc:
        raise EmbedderError(f"cannot write the ONNX model to {out}: {exc.strerror or exc}") from exc
    try:
        started = time.perf_counter()
        say(f"exporting {source} to ONNX (once; torch is loaded for it) ...")
        versions = _export_graph(source, work / FP32_FILE)
        manifest["versions"] = versions
        if int8:
            say("quantising to int8 (per channel) ...")
            manifest["versions"]["onnxruntime"] = _quantise(work / FP32_FILE, work / INT8_FILE)
        for rel in COPIED:
            src = source / rel
            if src.is_file():
                (work / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, work / rel)
        manifest["files"] = [FP32_FILE] + ([INT8_FILE] if int8 else [])
        manifest["exported_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _replace_dir(work, out)
        say(f"exported in {time.perf_counter() - started:.1f} s: {out}")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return out


def _replace_dir(work: Path, out: Path) -> None:
    """Move the finished ``work`` folder to ``out``; an old ``out`` goes only then."""
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(work, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        try:
            os.replace(work, out)
        except OSError:
            # Another process finished the same export first: keep its folder.
            if not is_onnx_dir(out):
                raise
            shutil.rmtree(work, ignore_errors=True)


def _export_graph(source: Path, target: Path) -> dict:
    """Trace the transformer to ``target``; returns the versions that made it."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise EmbedderError(
            f"exporting {source} to ONNX needs torch and transformers (pip install "
            f"'concept-map-explorer[torch]'), or give an already exported folder: {exc}"
        ) from exc
    import warnings

    transformers.utils.logging.disable_progress_bar()  # "Loading weights" is noise here
    try:
        model = transformers.AutoModel.from_pretrained(
            str(source), attn_implementation="eager", local_files_only=True
        )
    except Exception as exc:  # many kinds for a broken folder
        raise EmbedderError(f"could not load the model from {source}: {exc}") from exc
    model.eval()

    class LastHidden(torch.nn.Module):
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
            ).last_hidden_state

    dummy = tuple(torch.ones((2, 8), dtype=torch.int64) for _ in range(3))
    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notices
        torch.onnx.export(
            LastHidden(model),
            dummy,
            str(target),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": axes,
                "attention_mask": axes,
                "token_type_ids": axes,
                "last_hidden_state": axes,
            },
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )
    versions = {"torch": torch.__version__, "transformers": transformers.__version__}
    try:
        import sentence_transformers

        versions["sentence_transformers"] = sentence_transformers.__version__
    except ImportError:
        pass
    return versions


def _quantise(fp32: Path, int8: Path) -> str:
    """Dynamic int8 quantisation of the weights, per output channel."""
    try:
        import onnxruntime
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise EmbedderError(
            f"the int8 export needs onnx (pip install 'concept-map-explorer[torch]'): {exc}"
        ) from exc
    import logging

    # It logs a pre-processing hint on the root logger, meant for image models.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        quantize_dynamic(str(fp32), str(int8), per_channel=True, weight_type=QuantType.QInt8)
    finally:
        root.setLevel(level)
    return onnxruntime.__version__


def same_source(onnx_dir: Path, source: Path) -> bool:
    """Whether ``onnx_dir`` was exported from ``source`` as it is now."""
    try:
        manifest = read_manifest(onnx_dir)
    except EmbedderError:
        return False
    return manifest.get("source_fingerprint") == model_fingerprint(source)
