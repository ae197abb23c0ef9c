"""Slow tests with the real MiniLM (run with: python -m pytest -q -m slow)."""

import json

import numpy as np
import pytest

import models
from training.config import config_from_dict
from training.loop import train

from conftest import CORPUS

pytestmark = pytest.mark.slow


def test_minilm_fine_tunes_for_one_epoch_on_64_sentences(tmp_path):
    rows = [json.loads(l) for l in CORPUS.read_text().splitlines()]
    assert len(rows) == 64
    config = config_from_dict({
        "name": "minilm-smoke",
        "model": {"base": "minilm", "max_length": 64},
        "data": {"corpus": str(CORPUS)},
        "training": {"epochs": 1, "batch_size": 16, "lr": 5e-5, "seed": 1, "early_stopping_patience": 0},
        "card": {"embedding_baseline": False},
        "output_dir": str(tmp_path / "m"),
    })
    result = train(config)
    model = models.load(result.output_dir)
    probs = model.predict_proba(["Baku accused Yerevan of shelling its positions.", "Shares rose on Monday."])
    assert probs.shape == (2, 4) and np.isfinite(probs).all()
    meta = json.loads((result.output_dir / "metadata.json").read_text())
    assert meta["base_model"] == "minilm" and meta["config"]["model"]["base"] == "minilm"
    assert (result.output_dir / "README.md").read_text().startswith("---\n")
    assert result.history[0]["train_loss"] > 0


def test_minilm_onnx_int8_agrees_with_torch(tmp_path):
    from inference import Scorer
    from inference.export import export_model

    config = config_from_dict({
        "model": {"base": "minilm", "max_length": 64}, "data": {"corpus": str(CORPUS)},
        "training": {"epochs": 1, "batch_size": 16, "seed": 1}, "output_dir": str(tmp_path / "m"),
    })
    out = train(config, write_card=False).output_dir
    export_model(out, quantize="int8")
    texts = [json.loads(l)["text"] for l in CORPUS.read_text().splitlines()]
    a, _ = Scorer.load(out, "torch").probabilities(texts)
    b, _ = Scorer.load(out, "onnx", precision="fp32").probabilities(texts)
    c, _ = Scorer.load(out, "onnx", precision="int8").probabilities(texts)
    assert np.abs(a - b).max() <= 1e-4
    assert np.abs(a - c).max() <= 0.05
