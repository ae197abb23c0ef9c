"""Batch scoring of an article dump into OUT_DIR, resumable after a kill at any moment.

Outputs (``jsonl`` or ``parquet``):

* ``sentences.jsonl``: article id, sentence index, part (title/body), start and end character offsets
  into that part, text, ``p_<label>`` per label, ``labels``, ``truncated``;
* ``articles.jsonl``: per article the title, number of sentences, per label the maximum probability,
  the count of labelled sentences and the top 3 evidence sentences, and the escalation score (see
  :mod:`inference.aggregate`);
* ``rejects.jsonl``: each record that could not be scored, with its record number, line and reason;
* ``summary.json``: counts, speed, wall time, the settings and the model directory's fingerprint.

With ``--format parquet`` the sentences and articles go to ``sentences.parquet/`` and
``articles.parquet/``: directories of part files that pyarrow, pandas or DuckDB read as one table.

**How resume works.** The dump is read in chunks (a window of a few thousand sentences). A chunk's
output is appended to every output file and flushed to disk *before* a SQLite transaction in
``_state.sqlite`` records it as committed, with the new file sizes, the reader's position and the ids
seen. A run that finds that state truncates every output back to the last committed sizes (or deletes
uncommitted parquet parts) and continues from the recorded position, so a ``kill -9`` at any moment
leaves outputs equal to an uninterrupted run's: nothing duplicated, nothing lost. Seen ids live in the
same SQLite file, so memory stays flat however large the dump.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from inference.readers import RawRecord, check_fields, detect_format, iter_records
from inference.scorer import Article, Counters, Fields, Scorer, prepare_article
from models.directory import write_json_atomic

logger = logging.getLogger(__name__)

STATE = "_state.sqlite"
OUTPUTS = ("sentences", "articles", "rejects")


@dataclass
class ScoreSettings:
    """What decides the content of the outputs; a resumed run must match the original exactly."""

    input: str
    input_format: str
    text_field: str = "text"
    id_field: str = "id"
    title_field: str | None = "title"
    output_format: str = "jsonl"
    backend: str = "torch"
    precision: str | None = None
    model_fingerprint: str = ""


@dataclass
class Totals:
    records_read: int = 0
    records_scored: int = 0
    records_rejected: int = 0
    duplicate_ids: int = 0
    non_utf8_records: int = 0
    generated_ids: int = 0
    sentences: int = 0
    unique_sentences: int = 0
    sentences_truncated: int = 0
    chunks: int = 0
    active_seconds: float = 0.0


class StateError(ValueError):
    pass


class RunState:
    """The SQLite file that makes a run resumable: settings, committed chunks and seen ids."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS chunks (idx INTEGER PRIMARY KEY, position TEXT, sizes TEXT NOT NULL,
                                               totals TEXT NOT NULL, committed_at REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS ids (id TEXT PRIMARY KEY, record INTEGER NOT NULL);
            """
        )

    def get(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, value: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    def last_chunk(self) -> tuple[int, Any, dict, Totals]:
        row = self.db.execute("SELECT idx, position, sizes, totals FROM chunks ORDER BY idx DESC LIMIT 1").fetchone()
        if row is None:
            return 0, None, {}, Totals()
        position = json.loads(row[1])
        if isinstance(position, list):
            position = tuple(position)
        return row[0], position, json.loads(row[2]), Totals(**json.loads(row[3]))

    def known_ids(self, ids: list[str]) -> dict[str, int]:
        found = {}
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            q = f"SELECT id, record FROM ids WHERE id IN ({','.join('?' * len(part))})"
            found.update(dict(self.db.execute(q, part).fetchall()))
        return found

    def commit(self, idx: int, position: Any, sizes: dict, totals: Totals, ids: list[tuple[str, int]]) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany("INSERT INTO ids VALUES (?, ?)", ids)
            self.db.execute("INSERT INTO chunks VALUES (?, ?, ?, ?, ?)",
                            (idx, json.dumps(position), json.dumps(sizes), json.dumps(asdict(totals)), time.time()))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()


class Outputs:
    """The output files of one run; JSONL is appended per chunk, parquet gets one part file per chunk."""

    def __init__(self, out: Path, fmt: str, labels):
        if fmt not in ("jsonl", "parquet"):
            raise ValueError(f"output format must be jsonl or parquet, got {fmt!r}")
        self.out, self.fmt, self.labels = out, fmt, labels
        self.rejects = out / "rejects.jsonl"

    def path(self, name: str) -> Path:
        if name == "rejects":
            return self.rejects
        return self.out / f"{name}.{self.fmt}"

    def sizes(self) -> dict:
        sizes = {"rejects": self.rejects.stat().st_size if self.rejects.exists() else 0}
        if self.fmt == "jsonl":
            for name in ("sentences", "articles"):
                p = self.path(name)
                sizes[name] = p.stat().st_size if p.exists() else 0
        return sizes

    def existing(self) -> list[Path]:
        return [p for p in (self.path(n) for n in OUTPUTS) if p.exists()]

    def rollback(self, sizes: dict, chunk: int) -> None:
        """Cut every output back to what the last committed chunk left."""
        for name in OUTPUTS:
            p = self.path(name)
            if p.is_file():
                keep = sizes.get(name, 0)
                if p.stat().st_size > keep:
                    with open(p, "r+b") as f:
                        f.truncate(keep)
            elif p.is_dir():
                for part in p.glob("part-*.parquet"):
                    if int(part.stem.split("-")[1]) > chunk:
                        part.unlink()
                for tmp in p.glob(".*.tmp"):
                    tmp.unlink()

    def write(self, chunk: int, sentences: list[dict], articles: list[dict], rejects: list[dict]) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        if self.fmt == "jsonl":
            for name, rows in (("sentences", sentences), ("articles", articles)):
                _append_jsonl(self.path(name), rows)
        else:
            for name, rows in (("sentences", sentences), ("articles", articles)):
                if rows:
                    _write_parquet_part(self.path(name), chunk, rows, name, self.labels)
        _append_jsonl(self.rejects, rejects)


def _append_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "ab") as f:
        if rows:
            f.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())


def parquet_schema(kind: str, labels):
    import pyarrow as pa

    if kind == "sentences":
        fields = [("article_id", pa.string()), ("sentence_index", pa.int32()), ("part", pa.string()), ("start", pa.int64()),
                  ("end", pa.int64()), ("text", pa.string())]
        fields += [(f"p_{l}", pa.float64()) for l in labels]
        fields += [("labels", pa.list_(pa.string())), ("truncated", pa.bool_())]
    else:
        evidence = pa.list_(pa.struct([("sentence_index", pa.int32()), ("text", pa.string()), ("probability", pa.float64())]))
        fields = [("article_id", pa.string()), ("title", pa.string()), ("n_sentences", pa.int32())]
        for l in labels:
            fields += [(f"max_{l}", pa.float64()), (f"count_{l}", pa.int32()), (f"evidence_{l}", evidence)]
        fields += [("labels", pa.list_(pa.string())), ("escalation_score", pa.float64())]
    return pa.schema(fields)


def _write_parquet_part(directory: Path, chunk: int, rows: list[dict], kind: str, labels) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    directory.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(rows, schema=parquet_schema(kind, labels))
    final = directory / f"part-{chunk:06d}.parquet"
    tmp = directory / f".{final.name}.tmp"
    pq.write_table(table, tmp)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, final)


@dataclass
class _Chunk:
    articles: list[Article] = field(default_factory=list)
    article_raws: list[RawRecord] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)
    sentences: int = 0
    records: int = 0
    non_utf8: int = 0
    generated_ids: int = 0
    position: Any = None


def _reject(raw: RawRecord, reason: str, rid: Any = None) -> dict:
    row = {"record": raw.number, "line": raw.line, "source": raw.source, "id": rid if isinstance(rid, (str, int)) else None, "reason": reason}
    return {k: v for k, v in row.items() if v is not None}


def run_scoring(model_dir: str | os.PathLike, input_path: str | os.PathLike, output_dir: str | os.PathLike, *,
                input_format: str | None = None, fields: Fields = Fields(), output_format: str = "jsonl",
                backend: str = "torch", device: str = "cpu", precision: str | None = None, threads: int | None = None,
                batch_size: int | None = None, window_sentences: int = 4096, max_chunk_records: int = 2000,
                overwrite: bool = False, scorer: Scorer | None = None,
                progress: Callable[[int, int], None] | None = None) -> dict:
    """Score every article of ``input_path`` into ``output_dir``; resume if a previous run was killed.

    ``progress(articles, sentences)`` is called after each committed chunk with the increments.
    Returns the summary (also written to ``summary.json``).
    """
    out = Path(output_dir)
    input_format = input_format or detect_format(input_path)
    check_fields(input_path, input_format, [f for f in (fields.text,) if f])
    scorer = scorer or Scorer.load(model_dir, backend, device=device, precision=precision, threads=threads, batch_size=batch_size)
    settings = ScoreSettings(str(Path(input_path).resolve()), input_format, fields.text, fields.id, fields.title, output_format,
                             scorer.backend.name, getattr(scorer.backend, "precision", None), scorer.fingerprint)
    out.mkdir(parents=True, exist_ok=True)
    outputs = Outputs(out, output_format, scorer.labels)
    state_path = out / STATE
    if overwrite:
        for p in outputs.existing() + [state_path, out / "summary.json"]:
            if p.is_dir():
                for part in p.iterdir():
                    part.unlink()
                p.rmdir()
            elif p.exists():
                p.unlink()
        for extra in (Path(str(state_path) + "-wal"), Path(str(state_path) + "-shm")):
            extra.unlink(missing_ok=True)
    elif not state_path.exists() and outputs.existing():
        raise ValueError(f"{out} already holds outputs of another run (no {STATE}); use a new --output or --overwrite")
    state = RunState(state_path)
    try:
        stored = state.get("settings")
        if stored is None:
            state.put("settings", asdict(settings))
            state.put("runs", 0)
        elif stored != asdict(settings):
            diff = {k: (stored.get(k), v) for k, v in asdict(settings).items() if stored.get(k) != v}
            raise StateError(f"{out} holds a run with different settings {diff}; use the same command to resume, or a new --output")
        runs = state.get("runs") + 1
        state.put("runs", runs)
        chunk_idx, position, sizes, totals = state.last_chunk()
        outputs.rollback(sizes, chunk_idx)
        if chunk_idx:
            logger.info("resuming after chunk %d (%d records done)", chunk_idx, totals.records_read)
        if state.get("complete"):
            logger.info("%s is already complete", out)
        else:
            started = time.time()
            records = iter_records(input_path, input_format, position,
                                   columns=[c for c in (fields.text, fields.id, fields.title) if c])
            exhausted = False
            while not exhausted:
                chunk_started = time.time()
                chunk = _Chunk(position=position)
                seen_in_chunk: dict[str, int] = {}
                for raw in records:
                    chunk.records += 1
                    chunk.position = raw.next_position
                    chunk.non_utf8 += raw.non_utf8
                    if raw.error:
                        chunk.rejects.append(_reject(raw, raw.error))
                    else:
                        art = prepare_article(raw.data, raw.number, fields)
                        if isinstance(art, str):
                            chunk.rejects.append(_reject(raw, art, raw.data.get(fields.id)))
                        elif art.id in seen_in_chunk:
                            chunk.rejects.append(_reject(raw, f"duplicate id {art.id!r} (first at record {seen_in_chunk[art.id]})", art.id))
                        else:
                            if raw.data.get(fields.id) in (None, ""):
                                chunk.generated_ids += 1
                            seen_in_chunk[art.id] = raw.number
                            chunk.articles.append(art)
                            chunk.article_raws.append(raw)
                            chunk.sentences += len(art.segments)
                    if chunk.sentences >= window_sentences or chunk.records >= max_chunk_records:
                        break
                else:
                    exhausted = True
                if chunk.records == 0:
                    break
                known = state.known_ids(list(seen_in_chunk))
                if known:
                    keep = []
                    for art, raw in zip(chunk.articles, chunk.article_raws):
                        if art.id in known:
                            chunk.rejects.append(_reject(raw, f"duplicate id {art.id!r} (first at record {known[art.id]})", art.id))
                            del seen_in_chunk[art.id]
                            chunk.sentences -= len(art.segments)
                        else:
                            keep.append(art)
                    chunk.articles = keep
                    chunk.rejects.sort(key=lambda r: r["record"])
                before = Counters(**asdict(scorer.counters))
                results = scorer.score_prepared(chunk.articles)
                sentence_rows = [s for r in results for s in r.sentences]
                article_rows = [r.article for r in results]
                chunk_idx += 1
                outputs.write(chunk_idx, sentence_rows, article_rows, chunk.rejects)
                c = scorer.counters
                totals.records_read += chunk.records
                totals.records_scored += len(article_rows)
                totals.records_rejected += len(chunk.rejects)
                totals.duplicate_ids += sum(1 for r in chunk.rejects if r["reason"].startswith("duplicate id"))
                totals.non_utf8_records += chunk.non_utf8
                totals.generated_ids += chunk.generated_ids
                totals.sentences += len(sentence_rows)
                totals.unique_sentences += c.unique_sentences - before.unique_sentences
                totals.sentences_truncated += c.truncated - before.truncated
                totals.chunks = chunk_idx
                totals.active_seconds += time.time() - chunk_started
                state.commit(chunk_idx, chunk.position, outputs.sizes(), totals, [(i, n) for i, n in seen_in_chunk.items()])
                position = chunk.position
                if c.truncated - before.truncated:
                    logger.warning("chunk %d: %d sentences longer than %d tokens were truncated", chunk_idx, c.truncated - before.truncated, scorer.max_length)
                if progress:
                    progress(chunk.records, len(sentence_rows))
            state.put("complete", True)
            state.put("finished_at", time.time())
            state.put("wall_seconds", (state.get("wall_seconds") or 0.0) + time.time() - started)
        summary = _summary(out, outputs, settings, totals, state, scorer)
        write_json_atomic(out / "summary.json", summary)
        return summary
    finally:
        state.close()


def _summary(out: Path, outputs: Outputs, settings: ScoreSettings, totals: Totals, state: RunState, scorer: Scorer) -> dict:
    wall = state.get("wall_seconds") or 0.0
    return {
        "records_read": totals.records_read,
        "records_scored": totals.records_scored,
        "records_rejected": totals.records_rejected,
        "duplicate_ids": totals.duplicate_ids,
        "non_utf8_records": totals.non_utf8_records,
        "generated_ids": totals.generated_ids,
        "sentences": totals.sentences,
        "unique_sentences_scored": totals.unique_sentences,
        "sentences_truncated": totals.sentences_truncated,
        "sentences_per_second": round(totals.sentences / totals.active_seconds, 2) if totals.active_seconds else None,
        "articles_per_second": round(totals.records_scored / totals.active_seconds, 2) if totals.active_seconds else None,
        "wall_seconds": round(wall, 2),
        "runs": state.get("runs"),
        "complete": bool(state.get("complete")),
        "model": {"path": str(scorer.model_dir), "fingerprint": scorer.fingerprint, "backend": settings.backend,
                  "precision": settings.precision, "device": getattr(scorer.backend, "device", "cpu"),
                  "max_length": scorer.max_length, "thresholds": dict(zip(scorer.labels, scorer.rule.thresholds)),
                  "temperature": scorer.rule.temperature},
        "settings": asdict(settings),
        "outputs": {name: outputs.path(name).name for name in OUTPUTS},
    }
