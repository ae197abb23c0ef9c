"""Baselines trained on the same train split and scored the same way (thresholds tuned on dev).

* ``tfidf_logreg``: TF-IDF of word 1-2-grams and character 2-5-grams, one-vs-rest logistic regression;
* ``lexicon``: the readable keyword rules in ``training/resources/lexicon.yaml``;
* ``minilm_frozen_logreg``: frozen MiniLM sentence embeddings (mean pooling) with logistic regression.

Each baseline has ``fit(train_texts, Y)`` and ``predict_proba(texts) -> (n, n_labels)``.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Sequence

import numpy as np
import yaml

from models.labels import LABELS

logger = logging.getLogger(__name__)
LEXICON = Path(__file__).parent / "resources" / "lexicon.yaml"


class TfidfBaseline:
    name = "tfidf_logreg"
    description = "TF-IDF (word 1-2-grams + char 2-5-grams) with one-vs-rest logistic regression"

    def __init__(self, C: float = 4.0, seed: int = 0):
        self.C, self.seed = C, seed

    def fit(self, texts: Sequence[str], y: np.ndarray) -> "TfidfBaseline":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import FeatureUnion, make_pipeline

        features = FeatureUnion([
            ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, lowercase=True)),
        ])
        clf = OneVsRestClassifier(LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000, random_state=self.seed))
        self.pipeline = make_pipeline(features, clf).fit(list(texts), y.astype(int))
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.pipeline.predict_proba(list(texts)), dtype=np.float64)


class LexiconBaseline:
    name = "lexicon"
    description = "keyword lexicon (training/resources/lexicon.yaml), score 1 - 0.5^matches"

    def __init__(self, path: Path = LEXICON, labels: Sequence[str] = LABELS):
        rules = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        unknown = set(rules) - set(labels)
        if unknown:
            raise ValueError(f"{path}: unknown label(s) {sorted(unknown)}")
        self.labels = list(labels)
        self.patterns = {l: [re.compile(rf"\b(?:{p})\b", re.IGNORECASE) for p in rules.get(l, [])] for l in labels}

    def fit(self, texts=None, y=None) -> "LexiconBaseline":
        return self  # rules are fixed; only the thresholds are tuned on dev

    def matches(self, text: str) -> dict[str, list[str]]:
        return {l: [p.pattern for p in pats if p.search(text)] for l, pats in self.patterns.items()}

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.labels)))
        for i, t in enumerate(texts):
            for j, l in enumerate(self.labels):
                hits = sum(1 for p in self.patterns[l] if p.search(t))
                out[i, j] = 1 - 0.5 ** hits
        return out


class FrozenEmbeddingBaseline:
    name = "minilm_frozen_logreg"
    description = "frozen base-model sentence embeddings (mean pooling) with logistic regression per label"

    def __init__(self, base: str = "minilm", C: float = 1.0, seed: int = 0, batch_size: int = 128):
        self.base, self.C, self.seed, self.batch_size = base, C, seed, batch_size
        self._encoder = None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import torch
        from transformers import AutoModel, AutoTokenizer

        from models.base import resolve_base_model

        if self._encoder is None:
            source = resolve_base_model(self.base)
            self._encoder = (AutoTokenizer.from_pretrained(source), AutoModel.from_pretrained(source, use_safetensors=True).eval())
        tok, enc = self._encoder
        texts = list(texts)
        out = np.zeros((len(texts), enc.config.hidden_size), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for s in range(0, len(order), self.batch_size):
                idx = order[s:s + self.batch_size]
                b = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=128, return_tensors="pt")
                h = enc(**b).last_hidden_state
                m = b["attention_mask"].unsqueeze(-1).float()
                v = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
                out[idx] = torch.nn.functional.normalize(v, dim=-1).numpy()
        return out

    def fit(self, texts: Sequence[str], y: np.ndarray) -> "FrozenEmbeddingBaseline":
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier

        self.clf = OneVsRestClassifier(LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000, random_state=self.seed))
        self.clf.fit(self.embed(texts), y.astype(int))
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.clf.predict_proba(self.embed(texts)), dtype=np.float64)


def all_baselines(seed: int = 0, base: str = "minilm", include_embeddings: bool = True) -> list:
    out = [TfidfBaseline(seed=seed), LexiconBaseline()]
    if include_embeddings:
        out.append(FrozenEmbeddingBaseline(base=base, seed=seed))
    return out
