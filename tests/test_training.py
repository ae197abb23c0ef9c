import json

import numpy as np
import pytest

import models
from models.directory import METADATA, METRICS, fingerprint, sha256_file
from training.config import config_from_dict
from training.data import load_splits
from training.loop import length_grouped_batches, train

from conftest import CORPUS, tiny_config_dict

LABELS = list(models.LABELS)


def test_few_steps_lower_the_training_loss(tiny_base, tmp_path):
    history = []
    config = config_from_dict(tiny_config_dict(tiny_base, tmp_path / "m", epochs=10))
    train(config, on_epoch=history.append, write_card=False)
    losses = [h["train_loss"] for h in history]
    assert losses[-1] < losses[0] * 0.9, losses


def test_model_directory_contents(tiny_model):
    names = {p.name for p in tiny_model.iterdir()}
    assert {"model.safetensors", "config.json", METADATA, METRICS, "README.md", "tokenizer.json"} <= names
    assert not any(n.endswith((".bin", ".pt", ".pkl")) for n in names)
    config = json.loads((tiny_model / "config.json").read_text())
    assert config["problem_type"] == "multi_label_classification"
    assert config["id2label"] == {str(i): name for i, name in enumerate(LABELS)}
    assert config["label2id"] == {name: i for i, name in enumerate(LABELS)}
    meta = json.loads((tiny_model / METADATA).read_text())
    assert meta["labels"] == LABELS
    assert set(meta["thresholds"]) == set(LABELS)
    assert all(0.05 <= t <= 0.95 for t in meta["thresholds"].values())
    assert meta["temperature"] > 0
    assert meta["max_length"] == 64
    assert meta["weights_sha256"] == sha256_file(tiny_model / "model.safetensors")
    assert meta["data"]["files"] == {str(CORPUS): sha256_file(CORPUS)}
    assert meta["config"]["training"]["seed"] == 7
    assert {"torch", "transformers"} <= set(meta["versions"])
    assert meta["training"]["seconds"] > 0 and "cpu_count" in meta["training"]["hardware"]


def test_metrics_json_has_dev_and_test(tiny_model):
    metrics = json.loads((tiny_model / METRICS).read_text())
    for split in ("dev", "test"):
        m = metrics[split]
        assert set(m["per_label"]) == set(LABELS)
        for values in m["per_label"].values():
            assert {"precision", "recall", "f1", "support", "average_precision", "threshold"} <= set(values)
        assert 0 <= m["macro_f1"] <= 1 and 0 <= m["micro_f1"] <= 1
        assert m["macro_f1"] == pytest.approx(np.mean([v["f1"] for v in m["per_label"].values()]))
    assert metrics["test"]["n"] == 12
    assert "mountain-pass" in metrics["test"]["by_conflict"]


def test_reloaded_directory_gives_identical_probabilities(tiny_model):
    texts = ["The army accused rebels of shelling the town.", "Shares rose on Monday.", "A truce took effect."]
    a = models.load(tiny_model)
    b = models.load(tiny_model)
    pa, pb = a.predict_proba(texts), b.predict_proba(texts)
    assert np.array_equal(pa, pb)
    # batch size and order do not change results beyond float noise
    pc = a.predict_proba(texts[::-1], batch_size=1)[::-1]
    assert np.allclose(pa, pc, atol=1e-5)


def test_stored_temperature_and_thresholds_are_applied(tiny_model):
    model = models.load(tiny_model)
    texts = [json.loads(l)["text"] for l in CORPUS.read_text().splitlines()][:20]
    logits = model.logits(texts)
    meta = json.loads((tiny_model / METADATA).read_text())
    offsets = np.array([meta["logit_offsets"][l] for l in LABELS])
    assert np.allclose(offsets, np.log([meta["training"]["pos_weight"][l] for l in LABELS]))
    expected = 1 / (1 + np.exp(-(logits.astype(np.float64) - offsets) / meta["temperature"]))
    probs = model.predict_proba(texts)
    assert np.allclose(probs, expected, atol=1e-6)
    thr = np.array([meta["thresholds"][l] for l in LABELS])
    assert model.predict(texts) == [[l for l, on in zip(LABELS, row >= thr) if on] for row in probs]
    assert model.thresholds == meta["thresholds"] and model.temperature == meta["temperature"]


def test_test_metrics_use_the_stored_rule(tiny_model):
    model = models.load(tiny_model)
    config = config_from_dict({"data": {"corpus": str(CORPUS)}})
    test = load_splits(config.data).test
    pred = model.predict([ex.text for ex in test])
    tp = sum(1 for ex, p in zip(test, pred) for l in p if l in ex.labels)
    fp = sum(1 for ex, p in zip(test, pred) for l in p if l not in ex.labels)
    fn = sum(1 for ex, p in zip(test, pred) for l in ex.labels if l not in p)
    micro = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    metrics = json.loads((tiny_model / METRICS).read_text())
    assert metrics["test"]["micro_f1"] == pytest.approx(micro)


def test_same_seed_same_model_and_metrics(tiny_base, tmp_path):
    runs = []
    for name in ("a", "b"):
        config = config_from_dict(tiny_config_dict(tiny_base, tmp_path / name, epochs=2))
        train(config, write_card=False)
        runs.append(tmp_path / name)
    assert sha256_file(runs[0] / "model.safetensors") == sha256_file(runs[1] / "model.safetensors")
    ma, mb = (json.loads((r / METRICS).read_text()) for r in runs)
    for m in (ma, mb):
        for h in m["selection"]["history"]:
            h.pop("seconds", None)
    assert ma == mb
    assert fingerprint(runs[0]) == fingerprint(runs[1])


def test_different_seed_changes_the_model(tiny_base, tmp_path):
    a = config_from_dict(tiny_config_dict(tiny_base, tmp_path / "a", epochs=1, seed=1))
    b = config_from_dict(tiny_config_dict(tiny_base, tmp_path / "b", epochs=1, seed=2))
    train(a, write_card=False)
    train(b, write_card=False)
    assert sha256_file(tmp_path / "a" / "model.safetensors") != sha256_file(tmp_path / "b" / "model.safetensors")


def test_length_grouped_batches_cover_every_index_once():
    rng = np.random.default_rng(0)
    lengths = list(rng.integers(3, 60, size=1003))
    batches = length_grouped_batches(lengths, 16, np.random.default_rng(1))
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(1003))
    spread = np.mean([max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches])
    random_spread = np.mean([max(lengths[i] for i in b) - min(lengths[i] for i in b)
                             for b in length_grouped_batches(lengths, 16, np.random.default_rng(1), group=False)])
    assert spread < random_spread / 3


def test_missing_base_model_is_a_clear_error(tmp_path):
    config = config_from_dict(tiny_config_dict(tmp_path / "no_such_model", tmp_path / "out"))
    with pytest.raises(ValueError, match="no_such_model.*not a directory"):
        train(config)


def test_hub_id_offline_is_refused_without_download(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from models.base import resolve_base_model
    with pytest.raises(ValueError, match="hub is not reachable"):
        resolve_base_model("someorg/some-model")


def test_bundled_minilm_resolves():
    from models.base import resolve_base_model
    path = resolve_base_model("minilm")
    assert path.endswith("model")
