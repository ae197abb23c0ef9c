"""Shared fixtures: a tiny randomly initialised BERT (built here, no download) and a tiny trained model."""

from __future__ import annotations

import json
import os
import re
import string
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "corpus.jsonl"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared_file(*parts: str) -> Path:
    """A file under ../shared, or skip the test cleanly when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"{path} not available")
    return path


def build_tiny_bert(path: Path, texts: list[str], seed: int = 0) -> Path:
    """Write a 2-layer, 32-wide random BERT with a word-piece vocabulary covering ``texts``.

    Single letters and digits (and their ``##`` forms) are in the vocabulary, so any English text
    tokenises without [UNK]; frequent words from ``texts`` are whole tokens.
    """
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    words = sorted({w for t in texts for w in re.findall(r"[a-z0-9]+", t.lower())})
    chars = list(string.ascii_lowercase + string.digits)
    punct = list(string.punctuation) + ["\u2014", "\u2019", "\u201c", "\u201d"]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars + ["##" + c for c in chars] + punct + words
    vocab = list(dict.fromkeys(vocab))
    path.mkdir(parents=True, exist_ok=True)
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab=str(path / "vocab.txt"), do_lower_case=True)
    tokenizer.model_max_length = 128
    tokenizer.save_pretrained(path)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=130, type_vocab_size=2)
    BertModel(config).save_pretrained(path, safe_serialization=True)
    return path


def read_fixture_texts() -> list[str]:
    return [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory) -> Path:
    return build_tiny_bert(tmp_path_factory.mktemp("tiny_base"), read_fixture_texts())


def tiny_config_dict(tiny_base: Path, output_dir: Path, **training) -> dict:
    cfg = {
        "name": "tiny",
        "model": {"base": str(tiny_base), "max_length": 64},
        "data": {"corpus": str(CORPUS)},
        "training": {"epochs": 3, "batch_size": 8, "lr": 5e-3, "warmup_ratio": 0.0, "seed": 7,
                     "early_stopping_patience": 0, "threads": 1, **training},
        "output_dir": str(output_dir),
    }
    return cfg


@pytest.fixture(scope="session")
def tiny_model(tiny_base, tmp_path_factory) -> Path:
    """A tiny model directory trained once per session on the fixture corpus."""
    from training.config import config_from_dict
    from training.loop import train

    out = tmp_path_factory.mktemp("tiny_model") / "model"
    train(config_from_dict(tiny_config_dict(tiny_base, out, epochs=12)))
    return out


def pytest_configure(config):
    # Progress bars from transformers and datasets only clutter test logs.
    import datasets
    from transformers.utils import logging as hf_logging

    datasets.disable_progress_bars()
    hf_logging.disable_progress_bar()
