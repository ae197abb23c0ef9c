"""The decision rule stored with every model: a prior correction, temperature scaling, one threshold per label.

Probabilities are ``sigmoid((logit - offset) / temperature)``; a label is assigned when its probability is
at least its threshold. The per-label ``offset`` undoes the prior shift that a class-weighted loss puts
into the logits: training with BCE ``pos_weight`` w makes the network learn ``log(w * p / (1 - p))``, so
``offset = log(w)`` restores calibrated log-odds before the temperature is fitted. Every backend (torch,
ONNX, Ray) goes through this one rule, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function, float64 in, same shape out."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


@dataclass(frozen=True)
class DecisionRule:
    """Labels, per-label thresholds and a temperature. Immutable; build a new one to change it."""

    labels: tuple[str, ...]
    thresholds: tuple[float, ...]
    temperature: float = 1.0
    offsets: tuple[float, ...] | None = None  # per-label logit offsets; None = all zero

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.thresholds):
            raise ValueError(f"{len(self.labels)} labels but {len(self.thresholds)} thresholds")
        if self.offsets is not None and len(self.offsets) != len(self.labels):
            raise ValueError(f"{len(self.labels)} labels but {len(self.offsets)} logit offsets")
        if not self.temperature > 0:
            raise ValueError(f"temperature must be positive, got {self.temperature}")
        for name, t in zip(self.labels, self.thresholds):
            if not 0.0 < t < 1.0:
                raise ValueError(f"threshold for {name!r} must lie in (0, 1), got {t}")

    @classmethod
    def default(cls, labels: Sequence[str]) -> "DecisionRule":
        """The uncalibrated rule: temperature 1, threshold 0.5 for every label."""
        return cls(tuple(labels), tuple(0.5 for _ in labels), 1.0)

    @classmethod
    def from_dict(cls, data: Mapping) -> "DecisionRule":
        labels = tuple(data["labels"])
        thresholds = data["thresholds"]
        if isinstance(thresholds, Mapping):
            missing = [name for name in labels if name not in thresholds]
            if missing:
                raise ValueError(f"thresholds missing for labels {missing}")
            thresholds = [thresholds[name] for name in labels]
        offsets = data.get("logit_offsets")
        if isinstance(offsets, Mapping):
            offsets = [offsets.get(name, 0.0) for name in labels]
        return cls(labels, tuple(float(t) for t in thresholds), float(data.get("temperature", 1.0)),
                   tuple(float(o) for o in offsets) if offsets is not None else None)

    def to_dict(self) -> dict:
        return {
            "labels": list(self.labels),
            "thresholds": {name: float(t) for name, t in zip(self.labels, self.thresholds)},
            "temperature": float(self.temperature),
            "logit_offsets": {name: float(o) for name, o in zip(self.labels, self.offsets or [0.0] * len(self.labels))},
        }

    def calibrated_logits(self, logits: np.ndarray) -> np.ndarray:
        """``(logit - offset) / temperature``, float64."""
        logits = np.asarray(logits, dtype=np.float64)
        if logits.ndim != 2 or logits.shape[1] != len(self.labels):
            raise ValueError(f"expected logits of shape (n, {len(self.labels)}), got {logits.shape}")
        if self.offsets is not None:
            logits = logits - np.asarray(self.offsets)[None, :]
        return logits / self.temperature

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        """Calibrated probabilities, shape ``(n, len(labels))``, float64."""
        return sigmoid(self.calibrated_logits(logits))

    def decide(self, probabilities: np.ndarray) -> np.ndarray:
        """Boolean matrix: which labels each row carries."""
        return np.asarray(probabilities) >= np.asarray(self.thresholds)[None, :]

    def label_names(self, probabilities: np.ndarray) -> list[list[str]]:
        """Label names per row, in schema order."""
        return [[name for name, on in zip(self.labels, row) if on] for row in self.decide(probabilities)]
