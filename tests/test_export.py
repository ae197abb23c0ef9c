import json
import shutil

import numpy as np
import pytest

from inference import Scorer
from inference.export import export_model
from models.directory import METADATA, sha256_file

from conftest import read_fixture_texts


@pytest.fixture(scope="module")
def exported(tiny_model, tmp_path_factory):
    """A copy of the tiny model with model.onnx and model.int8.onnx."""
    path = tmp_path_factory.mktemp("exported") / "model"
    shutil.copytree(tiny_model, path)
    export_model(path, quantize="int8")
    return path


def fixture_sentences() -> list[str]:
    texts = read_fixture_texts()
    return texts + [t.upper() for t in texts] + [" ".join(texts[i:i + 3]) for i in range(0, len(texts), 3)]


def test_export_writes_files_and_records_them(exported):
    meta = json.loads((exported / METADATA).read_text())
    weights = sha256_file(exported / "model.safetensors")
    for name, precision in (("model.onnx", "fp32"), ("model.int8.onnx", "int8")):
        assert (exported / name).is_file()
        record = meta["onnx"][name]
        assert record["source_weights_sha256"] == weights
        assert record["sha256"] == sha256_file(exported / name)
        assert record["precision"] == precision and record["opset"] == 17
        assert {"torch", "onnxruntime"} <= set(record["versions"])
    assert any(f.startswith("Attention:") for f in meta["onnx"]["model.onnx"]["fusions"]), "transformer fusion did not apply"


def test_fp32_onnx_matches_torch(exported):
    texts = fixture_sentences()
    torch_p, _ = Scorer.load(exported, "torch", threads=1).probabilities(texts)
    onnx_p, _ = Scorer.load(exported, "onnx", precision="fp32", threads=1).probabilities(texts)
    assert np.abs(torch_p - onnx_p).max() <= 1e-4


def test_int8_onnx_is_close_to_torch(exported):
    texts = fixture_sentences()
    torch_s = Scorer.load(exported, "torch", threads=1)
    int8_s = Scorer.load(exported, "onnx", threads=1)  # int8 is the default when it exists
    assert int8_s.backend.precision == "int8"
    a, _ = torch_s.probabilities(texts)
    b, _ = int8_s.probabilities(texts)
    assert np.abs(a - b).max() <= 0.05
    agree = ((a >= torch_s.thresholds) == (b >= int8_s.thresholds)).all(axis=1).mean()
    assert agree >= 0.98


def test_onnx_refuses_files_from_other_weights(exported, tmp_path):
    path = tmp_path / "model"
    shutil.copytree(exported, path)
    from safetensors.numpy import load_file, save_file

    weights = load_file(path / "model.safetensors")
    key = next(k for k in weights if k.startswith("classifier"))
    weights[key] = weights[key] + 1.0
    save_file(weights, path / "model.safetensors", metadata={"format": "pt"})
    with pytest.raises(ValueError, match="was exported from weights .* re-run export"):
        Scorer.load(path, "onnx")


def test_onnx_backend_without_export_says_what_to_run(tiny_model):
    with pytest.raises(ValueError, match="export --model"):
        Scorer.load(tiny_model, "onnx")


def test_cuda_request_falls_back_to_cpu_with_a_warning(exported, caplog):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with caplog.at_level("WARNING"):
        scorer = Scorer.load(exported, "torch", device="cuda", threads=1)
    assert scorer.backend.device == "cpu"
    assert "no GPU is available" in caplog.text
