"""Export a model directory to ONNX, optimise it with ONNX Runtime's transformer fusions, and quantise it.

``export_model(DIR, quantize="int8")`` writes into the model directory:

* ``model.onnx``: fp32, with ORT's BERT graph fusions (attention, skip-layer-norm, bias-GELU, embedding
  layer-norm) applied offline, so every session starts from the fused graph;
* ``model.int8.onnx``: dynamic int8 quantisation of the fused graph (weights int8 per channel,
  activations quantised at run time);

and records each file in ``metadata.json`` under ``onnx``: its sha256, the sha256 of the source
``model.safetensors`` (the onnx backend refuses a file whose source hash does not match the weights),
the opset, the fusions applied and library versions.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path

from models.directory import WEIGHTS, check_model_dir, library_versions, read_metadata, sha256_file, update_metadata

logger = logging.getLogger(__name__)


def _export_fp32(model_dir: Path, path: Path, opset: int) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification

    # Eager attention exports to the MatMul/Softmax pattern that ORT's BERT fusion recognises.
    model = AutoModelForSequenceClassification.from_pretrained(model_dir, use_safetensors=True, trust_remote_code=False,
                                                               attn_implementation="eager").eval()
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    types = torch.zeros((2, 16), dtype=torch.long)
    axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
            "token_type_ids": {0: "batch", 1: "sequence"}, "logits": {0: "batch"}}
    import warnings

    with torch.inference_mode(), warnings.catch_warnings():
        # The tracer notes that the padding branch is frozen; inputs always come with a full-width mask.
        warnings.simplefilter("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message="Exporting aten::index operator")
        torch.onnx.export(model, (ids, mask, types), str(path), input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["logits"], dynamic_axes=axes, opset_version=opset, do_constant_folding=True, dynamo=False)


def _optimise(src: Path, dst: Path, model_dir: Path) -> list[str]:
    """Apply ORT's offline BERT fusions; return the fused operator counts that changed."""
    import json

    from onnxruntime.transformers.optimizer import optimize_model

    config = json.loads((model_dir / "config.json").read_text())
    opt = optimize_model(str(src), model_type="bert", num_heads=int(config["num_attention_heads"]),
                         hidden_size=int(config["hidden_size"]), opt_level=1, use_gpu=False)
    stats = opt.get_fused_operator_statistics()
    opt.save_model_to_file(str(dst))
    return [f"{k}:{v}" for k, v in sorted(stats.items()) if v]


def _quantise(src: Path, dst: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Fused ORT operators (com.microsoft domain) defeat ONNX shape inference; their outputs are float.
    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})


def export_model(model_dir: str | os.PathLike, quantize: str | None = None, opset: int = 17) -> dict:
    """Write model.onnx (and model.int8.onnx with ``quantize="int8"``); record them in metadata.json."""
    if quantize not in (None, "int8"):
        raise ValueError(f"quantize must be 'int8' or None, got {quantize!r}")
    model_dir = check_model_dir(model_dir)
    source_hash = sha256_file(model_dir / WEIGHTS)
    versions = library_versions()
    records = dict(read_metadata(model_dir).get("onnx", {}))
    with tempfile.TemporaryDirectory(dir=model_dir, prefix=".export-") as tmp:
        raw = Path(tmp) / "raw.onnx"
        fused = Path(tmp) / "model.onnx"
        t0 = time.time()
        _export_fp32(model_dir, raw, opset)
        fusions = _optimise(raw, fused, model_dir)
        logger.info("exported and fused in %.1f s: %s", time.time() - t0, ", ".join(fusions) or "no fusions")
        outputs = [("model.onnx", fused, "fp32")]
        if quantize == "int8":
            q = Path(tmp) / "model.int8.onnx"
            _quantise(fused, q)
            outputs.append(("model.int8.onnx", q, "int8"))
        for name, path, precision in outputs:
            os.replace(path, model_dir / name)
            records[name] = {"sha256": sha256_file(model_dir / name), "source_weights_sha256": source_hash, "precision": precision,
                             "opset": opset, "fusions": fusions, "quantization": "dynamic, int8 weights per channel" if precision == "int8" else None,
                             "versions": {k: versions.get(k) for k in ("torch", "transformers", "onnx", "onnxruntime")},
                             "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    if quantize is None and "model.int8.onnx" in records and records["model.int8.onnx"]["source_weights_sha256"] != source_hash:
        (model_dir / "model.int8.onnx").unlink(missing_ok=True)  # stale: from other weights
        records.pop("model.int8.onnx")
    update_metadata(model_dir, onnx=records)
    return {"model_dir": str(model_dir), "files": {k: v for k, v in records.items()}}


def main() -> int:  # pragma: no cover - `python -m inference.export`
    from inference.cli import export_main

    return export_main()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
