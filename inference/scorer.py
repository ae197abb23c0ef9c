"""Score sentences and articles with a model directory: the Python API behind ``score``.

>>> from inference import Scorer
>>> scorer = Scorer.load("runs/base")                                 # doctest: +SKIP
>>> scorer.score_sentences(["Baku accused Yerevan of shelling its positions."])  # doctest: +SKIP
[{'text': ..., 'p_accusation': 0.97, ..., 'labels': ['accusation', 'escalation_risk'], 'truncated': False}]
>>> for result in scorer.score_articles([{"id": "a1", "title": "...", "text": "..."}]):  # doctest: +SKIP
...     result.article, result.sentences

Speed comes from what happens around the network: sentences are tokenised once, a sentence that repeats
within a window is scored once, and unique sentences are sorted by token length and cut into batches under
a token budget, so padding stays small.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from inference.aggregate import summarise_article
from inference.backends import make_backend, pad_batch
from inference.segment import segment
from models.directory import check_model_dir, fingerprint, read_decision_rule, read_metadata

logger = logging.getLogger(__name__)

#: Longest sentence handed to the model, in characters; longer stretches are split by the segmenter.
MAX_SENTENCE_CHARS = 2000

#: Default (batch_size, max_tokens) per (device, precision), from benchmarks/speed.py on 2 CPU cores.
BATCHING = {("cpu", "int8"): (16, 1024), ("cpu", "fp32"): (32, 2048), ("cuda", "fp16"): (256, 32768), ("cuda", "fp32"): (256, 32768)}


@dataclass
class Segment:
    part: str  # "title" or "body"
    start: int
    end: int
    text: str


@dataclass
class Article:
    id: str
    title: str | None
    segments: list[Segment]


@dataclass
class ArticleResult:
    article: dict
    sentences: list[dict]


@dataclass
class Counters:
    sentences: int = 0
    unique_sentences: int = 0
    truncated: int = 0
    batches: int = 0
    padded_tokens: int = 0
    real_tokens: int = 0

    def add(self, other: "Counters") -> None:
        for k in self.__dataclass_fields__:
            setattr(self, k, getattr(self, k) + getattr(other, k))


@dataclass
class Fields:
    text: str = "text"
    id: str = "id"
    title: str | None = "title"


def prepare_article(record: dict, number: int, fields: Fields = Fields()) -> Article | str:
    """Validate one input record and segment it; return an Article, or the reason to reject it."""
    text = record.get(fields.text)
    if fields.text not in record or text is None:
        return f"missing text field '{fields.text}'"
    if not isinstance(text, str):
        return f"text field '{fields.text}' is {type(text).__name__}, not a string"
    if not text.strip():
        return f"text field '{fields.text}' is empty"
    rid = record.get(fields.id)
    if rid is None or (isinstance(rid, str) and not rid.strip()):
        rid = f"record-{number}"
    elif isinstance(rid, bool) or not isinstance(rid, (str, int)):
        return f"id field '{fields.id}' is {type(rid).__name__}, not a string or integer"
    title = record.get(fields.title) if fields.title else None
    if not isinstance(title, str) or not title.strip():
        title = None
    segments = []
    if title:
        segments += [Segment("title", s.start, s.end, s.text) for s in segment(title, max_chars=MAX_SENTENCE_CHARS)]
    segments += [Segment("body", s.start, s.end, s.text) for s in segment(text, max_chars=MAX_SENTENCE_CHARS)]
    if not segments:
        return f"text field '{fields.text}' holds no sentences"
    return Article(str(rid), title, segments)


class Scorer:
    """A model directory loaded for scoring with one backend (``torch`` or ``onnx``)."""

    def __init__(self, model_dir: Path, backend, tokenizer, *, batch_size: int = 32, max_tokens: int = 2048):
        self.model_dir = Path(model_dir)
        self.backend = backend
        self.tokenizer = tokenizer
        self.rule = read_decision_rule(model_dir)
        self.meta = read_metadata(model_dir)
        self.max_length = int(self.meta["max_length"])
        self.labels = self.rule.labels
        self.thresholds = np.asarray(self.rule.thresholds)
        self.fingerprint = fingerprint(model_dir)
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.pad_id = tokenizer.pad_token_id or 0
        self.sep_id = tokenizer.sep_token_id
        self.counters = Counters()

    @classmethod
    def load(cls, model_dir: str | os.PathLike, backend: str = "torch", *, device: str = "cpu", precision: str | None = None,
             threads: int | None = None, batch_size: int | None = None, max_tokens: int | None = None) -> "Scorer":
        """Load ``model_dir`` for scoring. ``threads`` defaults to every available core.

        ``batch_size`` (most sentences per forward pass) and ``max_tokens`` (most padded tokens per pass)
        default to what measured fastest for the backend on CPU (benchmarks/speed.py): small batches for
        int8, whose kernels are cache-bound, larger ones for fp32; on CUDA, large batches.
        """
        from transformers import AutoTokenizer

        model_dir = check_model_dir(model_dir)
        tokenizer = AutoTokenizer.from_pretrained(model_dir, trust_remote_code=False)
        if not getattr(tokenizer, "is_fast", False):
            raise ValueError(f"{model_dir}: a fast (Rust) tokenizer is required; tokenizer.json is missing")
        engine = make_backend(model_dir, backend, device=device, precision=precision, threads=threads)
        default_batch, default_tokens = BATCHING.get((engine.device, engine.precision), (32, 2048))
        return cls(model_dir, engine, tokenizer, batch_size=batch_size or default_batch, max_tokens=max_tokens or default_tokens)

    # ------------------------------------------------------------ sentences

    def encode(self, texts: Sequence[str]) -> tuple[list[list[int]], np.ndarray]:
        """Token ids per text, truncated to ``max_length`` (keeping the final [SEP]); and which were truncated."""
        enc = self.tokenizer(list(texts), add_special_tokens=True, truncation=False, verbose=False,
                             return_attention_mask=False, return_token_type_ids=False)["input_ids"]
        limit = self.max_length
        truncated = np.array([len(ids) > limit for ids in enc], dtype=bool)
        ids = [row if len(row) <= limit else row[:limit - 1] + [self.sep_id] for row in enc]
        return ids, truncated

    def batches(self, lengths: Sequence[int]) -> list[list[int]]:
        """Index batches over length-sorted sentences: at most ``batch_size`` rows and ``max_tokens`` padded tokens."""
        order = sorted(range(len(lengths)), key=lambda i: lengths[i])
        out, current, width = [], [], 0
        for i in order:
            w = max(width, lengths[i])
            if current and (len(current) >= self.batch_size or w * (len(current) + 1) > self.max_tokens):
                out.append(current)
                current, w = [], lengths[i]
            current.append(i)
            width = w
        if current:
            out.append(current)
        return out

    def probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated probabilities ``(n, n_labels)`` and truncation flags; repeated texts are scored once."""
        texts = list(texts)
        probs = np.zeros((len(texts), len(self.labels)))
        if not texts:
            return probs, np.zeros(0, dtype=bool)
        unique: dict[str, int] = {}
        where = [unique.setdefault(t, len(unique)) for t in texts]
        uniq = list(unique)
        ids, truncated = self.encode(uniq)
        lengths = [len(x) for x in ids]
        logits = np.zeros((len(uniq), len(self.labels)), dtype=np.float32)
        counters = Counters(sentences=len(texts), unique_sentences=len(uniq), truncated=int(truncated[where].sum()))
        for batch in self.batches(lengths):
            input_ids, mask = pad_batch([ids[i] for i in batch], self.pad_id)
            logits[batch] = self.backend.logits(input_ids, mask)
            counters.batches += 1
            counters.padded_tokens += int(input_ids.size)
            counters.real_tokens += int(mask.sum())
        self.counters.add(counters)
        return self.rule.probabilities(logits)[where], truncated[where]

    def sentence_rows(self, texts: Sequence[str]) -> list[dict]:
        probs, truncated = self.probabilities(texts)
        decide = probs >= self.thresholds[None, :]
        rows = []
        for text, p, on, trunc in zip(texts, probs, decide, truncated):
            row = {"text": text}
            row.update({f"p_{l}": round(float(v), 6) for l, v in zip(self.labels, p)})
            row["labels"] = [l for l, o in zip(self.labels, on) if o]
            row["truncated"] = bool(trunc)
            rows.append(row)
        return rows

    def score_sentences(self, texts: Sequence[str]) -> list[dict]:
        """One dict per sentence: the text, ``p_<label>`` per label, ``labels`` and ``truncated``."""
        return self.sentence_rows(texts)

    # ------------------------------------------------------------ articles

    def score_prepared(self, articles: Sequence[Article]) -> list[ArticleResult]:
        """Score a window of prepared articles together (one sort-and-batch pass over all their sentences)."""
        texts = [s.text for a in articles for s in a.segments]
        rows = self.sentence_rows(texts)
        results, k = [], 0
        for art in articles:
            sentences = []
            for i, seg in enumerate(art.segments):
                row = rows[k]
                k += 1
                sentences.append({"article_id": art.id, "sentence_index": i, "part": seg.part, "start": seg.start, "end": seg.end, **row})
            results.append(ArticleResult(summarise_article(art.id, art.title, sentences, self.labels), sentences))
        return results

    def score_articles(self, records: Iterable[dict], *, fields: Fields = Fields(), window_sentences: int = 4096,
                       on_reject: Callable[[int, dict, str], None] | None = None) -> Iterator[ArticleResult]:
        """Score article dicts in input order. A bad record calls ``on_reject(number, record, reason)``;
        without ``on_reject`` it raises ValueError naming the record number and the reason."""
        window: list[Article] = []
        size = 0
        for number, record in enumerate(records, 1):
            art = prepare_article(record, number, fields) if isinstance(record, dict) else f"record is {type(record).__name__}, not a dict"
            if isinstance(art, str):
                if on_reject is None:
                    raise ValueError(f"record {number}: {art}")
                on_reject(number, record, art)
                continue
            window.append(art)
            size += len(art.segments)
            if size >= window_sentences:
                yield from self.score_prepared(window)
                window, size = [], 0
        if window:
            yield from self.score_prepared(window)
