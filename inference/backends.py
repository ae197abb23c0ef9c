"""Backends turn padded token-id batches into logits. Everything else (tokenising, batching, the decision
rule) is shared in :mod:`inference.scorer`, so backends cannot drift apart.

* ``torch``: the safetensors weights through transformers (float16 on CUDA);
* ``onnx``: ``model.onnx`` or ``model.int8.onnx`` written by ``export``, through ONNX Runtime. A file whose
  recorded source-weights hash differs from ``model.safetensors`` is refused.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from models.directory import WEIGHTS, read_metadata, sha256_file

logger = logging.getLogger(__name__)
BACKENDS = ("torch", "onnx")


def default_threads() -> int:
    """Cores this process may use (respects CPU affinity and cgroup-limited sched masks)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def pad_batch(batch: list[list[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-pad token ids to the longest row: ``(input_ids, attention_mask)`` as int64 arrays."""
    width = max(len(ids) for ids in batch)
    ids = np.full((len(batch), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(batch), width), dtype=np.int64)
    for i, row in enumerate(batch):
        ids[i, :len(row)] = row
        mask[i, :len(row)] = 1
    return ids, mask


class TorchBackend:
    name = "torch"

    def __init__(self, model_dir: str | os.PathLike, device: str = "cpu", threads: int | None = None, half: bool | None = None):
        import torch
        from transformers import AutoModelForSequenceClassification

        from models.stance import select_device

        self.device = select_device(device)
        if self.device == "cpu":
            torch.set_num_threads(threads or default_threads())
        self.model = AutoModelForSequenceClassification.from_pretrained(model_dir, use_safetensors=True, trust_remote_code=False).eval()
        self.half = self.device == "cuda" and half is not False
        if self.device == "cuda":
            self.model.to("cuda")
            if self.half:
                self.model.half()
        self.precision = "fp16" if self.half else "fp32"

    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            ids = torch.from_numpy(input_ids).to(self.device)
            mask = torch.from_numpy(attention_mask).to(self.device)
            return self.model(input_ids=ids, attention_mask=mask).logits.float().cpu().numpy()


ONNX_FILES = {"fp32": "model.onnx", "int8": "model.int8.onnx"}


def onnx_file(model_dir: Path, precision: str | None) -> tuple[Path, str]:
    """The ONNX file to use: ``precision`` if given, else int8 when exported, else fp32."""
    if precision is not None:
        if precision not in ONNX_FILES:
            raise ValueError(f"precision must be one of {', '.join(ONNX_FILES)}, got {precision!r}")
        path = model_dir / ONNX_FILES[precision]
        if not path.is_file():
            flag = " --quantize int8" if precision == "int8" else ""
            raise ValueError(f"{path} does not exist; run: export --model {model_dir}{flag}")
        return path, precision
    for p in ("int8", "fp32"):
        if (model_dir / ONNX_FILES[p]).is_file():
            return model_dir / ONNX_FILES[p], p
    raise ValueError(f"{model_dir} has no exported ONNX model; run: export --model {model_dir} --quantize int8")


class OnnxBackend:
    name = "onnx"

    def __init__(self, model_dir: str | os.PathLike, precision: str | None = None, device: str = "cpu", threads: int | None = None):
        import onnxruntime as ort

        model_dir = Path(model_dir)
        path, self.precision = onnx_file(model_dir, precision)
        meta = read_metadata(model_dir)
        export = meta.get("onnx", {}).get(path.name)
        if export is None:
            raise ValueError(f"{path} is not recorded in {model_dir / 'metadata.json'}; re-run export")
        actual = sha256_file(model_dir / WEIGHTS)
        if export.get("source_weights_sha256") != actual:
            raise ValueError(f"{path} was exported from weights {export.get('source_weights_sha256', '?')[:12]}…, "
                             f"but {WEIGHTS} is {actual[:12]}…; re-run export --model {model_dir}")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or default_threads()
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        providers = ["CPUExecutionProvider"]
        if device == "cuda":
            if "CUDAExecutionProvider" in ort.get_available_providers():
                providers.insert(0, "CUDAExecutionProvider")
            else:
                logger.warning("device 'cuda' requested but ONNX Runtime has no CUDA provider here; running on the CPU")
        self.session = ort.InferenceSession(str(path), options, providers=providers)
        self.device = "cuda" if self.session.get_providers()[0] == "CUDAExecutionProvider" else "cpu"
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.path = path

    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feed = {"input_ids": input_ids, "attention_mask": attention_mask}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        return self.session.run(["logits"], feed)[0].astype(np.float32)


def make_backend(model_dir: str | os.PathLike, backend: str = "torch", *, device: str = "cpu", precision: str | None = None,
                 threads: int | None = None):
    if backend == "torch":
        if precision not in (None, "fp32", "fp16"):
            raise ValueError(f"the torch backend runs fp32 (fp16 on CUDA); precision {precision!r} needs --backend onnx")
        return TorchBackend(model_dir, device=device, threads=threads, half=None if precision is None else precision == "fp16")
    if backend == "onnx":
        return OnnxBackend(model_dir, precision=precision, device=device, threads=threads)
    raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
