"""Stream records out of article dumps: JSONL (also ``.gz``), CSV, Parquet, or a directory of ``.txt`` files.

Readers never raise on a bad record: each yields :class:`RawRecord` with either ``data`` (a dict) or
``error`` (why it could not be read), so the caller can reject it and carry on. Every record has a
1-based ``number``; JSONL and CSV records also have the ``line`` where they start. Readers resume from an
opaque position (:attr:`RawRecord.next_position`) so a killed run continues where it stopped.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

FORMATS = ("jsonl", "csv", "parquet", "txt")
REPLACEMENT = "\ufffd"


@dataclass
class RawRecord:
    number: int  # 1-based ordinal of the record in the dump
    data: dict | None
    error: str | None = None
    line: int | None = None  # 1-based line where the record starts (JSONL, CSV)
    source: str | None = None  # file the record came from (txt directories)
    non_utf8: bool = False  # invalid UTF-8 bytes were replaced with U+FFFD
    next_position: Any = None  # where to resume after this record


def detect_format(path: str | os.PathLike) -> str:
    """Input format from the path: a directory is ``txt``; otherwise the (de-gzipped) suffix."""
    path = Path(path)
    if path.is_dir():
        return "txt"
    name = path.name.lower().removesuffix(".gz")
    for suffix, fmt in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "jsonl"), (".csv", "csv"), (".parquet", "parquet"), (".pq", "parquet")):
        if name.endswith(suffix):
            return fmt
    raise ValueError(f"{path}: cannot tell the input format from the name; use .jsonl, .jsonl.gz, .csv, .parquet or a directory of .txt files")


def _decode(raw: bytes) -> tuple[str, bool]:
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), True


def iter_jsonl(path: Path, position: Any = None) -> Iterator[RawRecord]:
    """JSONL records. Position: ``(byte_offset, number, line)`` for plain files, ``(None, number, line)`` for gzip."""
    gz = path.name.lower().endswith(".gz")
    offset, number, lineno = position or (0, 0, 0)
    opener = gzip.open if gz else open
    with opener(path, "rb") as handle:
        if gz:
            for _ in range(lineno):  # gzip cannot seek cheaply: skip what was done
                handle.readline()
        else:
            handle.seek(offset)
        while True:
            raw = handle.readline()
            if not raw:
                return
            lineno += 1
            if not raw.strip():
                continue
            number += 1
            pos = (None if gz else handle.tell(), number, lineno)
            text, bad_bytes = _decode(raw)
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                yield RawRecord(number, None, f"invalid JSON: {exc.msg} (column {exc.colno})", lineno, non_utf8=bad_bytes, next_position=pos)
                continue
            if not isinstance(data, dict):
                yield RawRecord(number, None, f"expected a JSON object, got {type(data).__name__}", lineno, non_utf8=bad_bytes, next_position=pos)
                continue
            yield RawRecord(number, data, None, lineno, non_utf8=bad_bytes, next_position=pos)


class _LineCounter(io.TextIOBase):
    """Wrap a text stream and count the newlines handed to the csv module, to report record lines."""

    def __init__(self, inner):
        self.inner, self.lines = inner, 0

    def __iter__(self):
        for line in self.inner:
            self.lines += 1
            yield line


def iter_csv(path: Path, position: Any = None) -> Iterator[RawRecord]:
    """CSV with a header row. Position: number of records already done."""
    done = position or 0
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 5 MB article must fit in one field
    gz = path.name.lower().endswith(".gz")
    raw = gzip.open(path, "rb") if gz else open(path, "rb")
    with raw, io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="") as text:
        counter = _LineCounter(text)
        reader = csv.reader(iter(counter))
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValueError(f"{path}: unreadable CSV header: {exc}") from None
        number = 0
        while True:
            start = counter.lines + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                number += 1
                if number > done:
                    yield RawRecord(number, None, f"malformed CSV: {exc}", start, next_position=number)
                continue
            if not row:
                continue
            number += 1
            if number <= done:
                continue
            bad = any(REPLACEMENT in c for c in row)
            if len(row) != len(header):
                yield RawRecord(number, None, f"expected {len(header)} columns, got {len(row)}", start, non_utf8=bad, next_position=number)
                continue
            yield RawRecord(number, dict(zip(header, row)), None, start, non_utf8=bad, next_position=number)


def iter_parquet(path: Path, position: Any = None, columns: list[str] | None = None) -> Iterator[RawRecord]:
    """Parquet rows, read batch by batch (only ``columns`` when given). Position: rows already done."""
    import pyarrow.parquet as pq

    done = position or 0
    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    cols = [c for c in (columns or names) if c in names]
    number = 0
    for batch in pf.iter_batches(batch_size=1024, columns=cols):
        if number + batch.num_rows <= done:
            number += batch.num_rows
            continue
        for row in batch.to_pylist():
            number += 1
            if number <= done:
                continue
            yield RawRecord(number, row, None, None, next_position=number)


def iter_txt_dir(path: Path, position: Any = None) -> Iterator[RawRecord]:
    """One article per ``*.txt`` file (recursively, sorted): ``id`` = relative path without suffix."""
    done = position or 0
    files = sorted(p for p in path.rglob("*.txt") if p.is_file())
    for number, file in enumerate(files, 1):
        if number <= done:
            continue
        rel = file.relative_to(path).with_suffix("").as_posix()
        try:
            text, bad = _decode(file.read_bytes())
        except OSError as exc:
            yield RawRecord(number, None, f"unreadable file: {exc}", source=str(file), next_position=number)
            continue
        yield RawRecord(number, {"id": rel, "text": text}, None, source=str(file), non_utf8=bad, next_position=number)


def iter_records(path: str | os.PathLike, fmt: str | None = None, position: Any = None, columns: list[str] | None = None) -> Iterator[RawRecord]:
    """Records of a dump of any supported format, from ``position`` (None = the start)."""
    path = Path(path)
    if not path.exists():
        raise ValueError(f"input {path} does not exist")
    fmt = fmt or detect_format(path)
    if fmt == "jsonl":
        return iter_jsonl(path, position)
    if fmt == "csv":
        return iter_csv(path, position)
    if fmt == "parquet":
        return iter_parquet(path, position, columns)
    if fmt == "txt":
        if not path.is_dir():
            raise ValueError(f"{path}: txt input must be a directory of .txt files")
        return iter_txt_dir(path, position)
    raise ValueError(f"unknown input format {fmt!r}; one of {', '.join(FORMATS)}")


def check_fields(path: str | os.PathLike, fmt: str, fields: list[str]) -> None:
    """For columnar inputs (CSV, Parquet), fail early when a required column does not exist at all."""
    path = Path(path)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        names = pq.ParquetFile(path).schema_arrow.names
    elif fmt == "csv":
        gz = path.name.lower().endswith(".gz")
        with (gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="") if gz else open(path, encoding="utf-8", errors="replace", newline="")) as f:
            names = next(csv.reader(f), [])
    else:
        return
    missing = [f for f in fields if f not in names]
    if missing:
        raise ValueError(f"{path}: column(s) {missing} not found; columns are {names}. Use --text-field/--id-field/--title-field")
