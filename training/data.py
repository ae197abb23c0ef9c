"""Read and validate labelled JSONL data before anything is trained on it.

A record is ``{"id": ..., "text": "...", "labels": [...]}`` plus optional metadata (``conflict``,
``doc_id``, ``split``, ``genre``, ...). Validation collects every problem and raises one
:class:`DataError` whose lines name file, line and field, so a user fixes a file in one pass.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from models.directory import sha256_file
from models.labels import LABELS, to_multi_hot

MAX_ERRORS_SHOWN = 30


class DataError(ValueError):
    """Invalid training or evaluation data; the message lists file:line: field: problem."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        shown = self.problems[:MAX_ERRORS_SHOWN]
        more = len(self.problems) - len(shown)
        msg = "\n".join(shown) + (f"\n... and {more} more problems" if more > 0 else "")
        super().__init__(msg)


@dataclass
class Example:
    """One labelled sentence and where it came from."""

    id: str
    text: str
    labels: list[str]
    source: str  # "file:line"
    meta: dict = field(default_factory=dict)

    def multi_hot(self, labels: Sequence[str] = LABELS) -> list[float]:
        return to_multi_hot(self.labels, labels)


def normalise_text(text: str) -> str:
    """Case-, accent-, punctuation- and whitespace-insensitive form used to find the same text twice."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]+", " ", text)).strip()


def iter_jsonl_files(path: Path) -> list[Path]:
    """A JSONL file, or the sorted ``*.jsonl`` files of a directory."""
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise DataError([f"{path}: directory holds no *.jsonl files"])
        return files
    if not path.is_file():
        raise DataError([f"{path}: file does not exist"])
    return [path]


def read_examples(
    path: str | Path,
    *,
    text_field: str = "text",
    labels_field: str = "labels",
    id_field: str = "id",
    labels: Sequence[str] = LABELS,
    require_labels: bool = True,
) -> list[Example]:
    """Read and validate every record of a JSONL file (or directory of them).

    Checks per record: valid JSON object; ``text`` a non-empty string; ``labels`` a list of known label
    names without repeats; ``id`` present (a string or integer) and unique across the files read.
    Raises DataError listing every problem found.
    """
    problems: list[str] = []
    examples: list[Example] = []
    seen_ids: dict[str, str] = {}
    known = set(labels)
    for file in iter_jsonl_files(Path(path)):
        with open(file, "rb") as handle:
            for lineno, raw in enumerate(handle, 1):
                where = f"{file}:{lineno}"
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    problems.append(f"{where}: not UTF-8 ({exc.reason} at byte {exc.start})")
                    continue
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    problems.append(f"{where}: invalid JSON: {exc.msg} (column {exc.colno})")
                    continue
                if not isinstance(record, dict):
                    problems.append(f"{where}: expected a JSON object, got {type(record).__name__}")
                    continue
                bad = False
                text = record.get(text_field)
                if not isinstance(text, str):
                    problems.append(f"{where}: field '{text_field}' must be a string, got {type(text).__name__ if text_field in record else 'nothing'}")
                    bad = True
                elif not text.strip():
                    problems.append(f"{where}: field '{text_field}' is empty")
                    bad = True
                rid = record.get(id_field)
                if rid is None or isinstance(rid, bool) or not isinstance(rid, (str, int)) or (isinstance(rid, str) and not rid.strip()):
                    problems.append(f"{where}: field '{id_field}' must be a non-empty string or integer")
                    bad = True
                else:
                    rid = str(rid)
                    if rid in seen_ids:
                        problems.append(f"{where}: field '{id_field}': duplicate id {rid!r} (first at {seen_ids[rid]})")
                        bad = True
                    else:
                        seen_ids[rid] = where
                value = record.get(labels_field)
                if value is None and not require_labels:
                    value = []
                if not isinstance(value, list):
                    problems.append(f"{where}: field '{labels_field}' must be a list of label names, got {type(value).__name__ if labels_field in record else 'nothing'}")
                    bad = True
                else:
                    unknown = [v for v in value if not isinstance(v, str) or v not in known]
                    if unknown:
                        problems.append(f"{where}: field '{labels_field}': unknown label(s) {unknown}; known: {', '.join(labels)}")
                        bad = True
                    elif len(set(value)) != len(value):
                        problems.append(f"{where}: field '{labels_field}': repeated label in {value}")
                        bad = True
                if bad:
                    continue
                meta = {k: v for k, v in record.items() if k not in (text_field, labels_field, id_field)}
                examples.append(Example(rid, text, list(value), where, meta))
    if problems:
        raise DataError(problems)
    return examples


@dataclass
class Splits:
    """Train, dev and (optionally empty) test examples, plus the hashes of the files they came from."""

    train: list[Example]
    dev: list[Example]
    test: list[Example]
    files: dict[str, str]  # path -> sha256

    def counts(self) -> dict[str, int]:
        return {"train": len(self.train), "dev": len(self.dev), "test": len(self.test)}


def load_splits(data_cfg, labels: Sequence[str] = LABELS) -> Splits:
    """Load train/dev/test from a config's ``data`` section and validate them together.

    Beyond per-record checks: ids unique across splits, no normalised text in two splits, every split
    field one of train/dev/test, and train and dev non-empty.
    """
    kw = dict(text_field=data_cfg.text_field, labels_field=data_cfg.labels_field, id_field=data_cfg.id_field, labels=labels)
    problems: list[str] = []
    if data_cfg.corpus is not None:
        files = iter_jsonl_files(Path(data_cfg.corpus))
        examples = read_examples(data_cfg.corpus, **kw)
        parts: dict[str, list[Example]] = {"train": [], "dev": [], "test": []}
        for ex in examples:
            split = ex.meta.get(data_cfg.split_field)
            if split not in parts:
                problems.append(f"{ex.source}: field '{data_cfg.split_field}' must be one of train, dev, test; got {split!r}")
                continue
            parts[split].append(ex)
    else:
        files = []
        parts = {}
        for name in ("train", "dev", "test"):
            p = getattr(data_cfg, name)
            if p is None:
                parts[name] = []
                continue
            files += iter_jsonl_files(Path(p))
            parts[name] = read_examples(p, **kw)
        seen: dict[str, str] = {}
        for name in ("train", "dev", "test"):
            for ex in parts[name]:
                if ex.id in seen:
                    problems.append(f"{ex.source}: field '{data_cfg.id_field}': id {ex.id!r} also in {seen[ex.id]}")
                seen[ex.id] = ex.source
    owner: dict[str, tuple[str, str]] = {}
    for name in ("train", "dev", "test"):
        for ex in parts[name]:
            key = normalise_text(ex.text)
            if key in owner and owner[key][0] != name:
                problems.append(f"{ex.source}: field '{data_cfg.text_field}': the same text is in {owner[key][0]} ({owner[key][1]}) and {name}")
            owner.setdefault(key, (name, ex.source))
    for name in ("train", "dev"):
        if not parts[name] and not problems:
            problems.append(f"{data_cfg.corpus or getattr(data_cfg, name)}: the {name} split is empty")
    if problems:
        raise DataError(problems)
    hashes = {str(f): sha256_file(f) for f in files}
    return Splits(parts["train"], parts["dev"], parts["test"], hashes)


def label_matrix(examples: Iterable[Example], labels: Sequence[str] = LABELS) -> np.ndarray:
    """0/1 float32 matrix, one row per example."""
    rows = [ex.multi_hot(labels) for ex in examples]
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), len(labels))
