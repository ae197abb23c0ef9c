"""Load a model directory and label sentences with it (the torch backend)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from models.decision import DecisionRule
from models.directory import check_model_dir, read_decision_rule, read_metadata

logger = logging.getLogger(__name__)


def select_device(requested: str = "cpu") -> str:
    """Return ``requested`` if usable; fall back from ``cuda`` to ``cpu`` with a warning."""
    import torch

    if requested not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {requested!r}")
    if requested == "cuda" and not torch.cuda.is_available():
        logger.warning("device 'cuda' requested but no GPU is available; running on the CPU")
        return "cpu"
    return requested


class StanceModel:
    """A fine-tuned multi-label sentence classifier with its stored decision rule.

    ``predict_proba`` returns calibrated probabilities (temperature applied); ``predict`` applies the
    per-label thresholds. Both accept any sequence of strings and keep its order.
    """

    def __init__(self, model, tokenizer, rule: DecisionRule, max_length: int, *, path: Path | None = None,
                 metadata: dict | None = None, device: str = "cpu") -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.rule = rule
        self.max_length = int(max_length)
        self.path = path
        self.metadata = metadata or {}
        self.device = device

    @classmethod
    def load(cls, path: str | os.PathLike, device: str = "cpu", half: bool | None = None) -> "StanceModel":
        """Load weights (safetensors only, no remote code), tokenizer and decision rule from ``path``.

        On ``cuda`` the weights run in float16 unless ``half=False``.
        """
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        path = check_model_dir(path)
        meta = read_metadata(path)
        rule = read_decision_rule(path)
        device = select_device(device)
        model = AutoModelForSequenceClassification.from_pretrained(
            path, use_safetensors=True, trust_remote_code=False
        )
        if model.config.num_labels != len(rule.labels):
            raise ValueError(f"{path}: config.json has {model.config.num_labels} outputs, metadata.json {len(rule.labels)} labels")
        model.eval()
        if device == "cuda":
            model.to("cuda")
            if half is None or half:
                model.half()
        tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False)
        return cls(model, tokenizer, rule, meta["max_length"], path=path, metadata=meta, device=device)

    @property
    def labels(self) -> tuple[str, ...]:
        return self.rule.labels

    @property
    def thresholds(self) -> dict[str, float]:
        return dict(zip(self.rule.labels, self.rule.thresholds))

    @property
    def temperature(self) -> float:
        return self.rule.temperature

    def token_lengths(self, texts: Sequence[str]) -> list[int]:
        """Token counts before truncation (special tokens included)."""
        enc = self.tokenizer(list(texts), add_special_tokens=True, truncation=False, verbose=False)
        return [len(ids) for ids in enc["input_ids"]]

    def logits(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Raw logits, shape ``(len(texts), n_labels)``, float32, in input order.

        Texts are sorted by length before batching so that padding stays small; each text is truncated
        to ``max_length`` tokens.
        """
        import torch

        texts = list(texts)
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                idx = order[start:start + batch_size]
                enc = self.tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                     max_length=self.max_length, return_tensors="pt")
                enc = {k: v.to(self.device) for k, v in enc.items()}
                out[idx] = self.model(**enc).logits.float().cpu().numpy()
        return out

    def predict_proba(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Calibrated probabilities, shape ``(len(texts), n_labels)``."""
        return self.rule.probabilities(self.logits(texts, batch_size=batch_size))

    def predict(self, texts: Sequence[str], batch_size: int = 64) -> list[list[str]]:
        """Label names for each text, by the stored thresholds."""
        return self.rule.label_names(self.predict_proba(texts, batch_size=batch_size))


def load(path: str | os.PathLike, device: str = "cpu") -> StanceModel:
    """Shorthand for :meth:`StanceModel.load`."""
    return StanceModel.load(path, device=device)
