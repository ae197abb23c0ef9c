"""Batch scoring on a Ray cluster with Ray Data: the same model directory, outputs and reject rules as
:mod:`inference.batch`, spread over an actor pool.

Pipeline::

    read (Ray Data datasource over the dump: our readers, so numbering and rejects match the local backend)
      -> map_batches(ScoringActor, concurrency=N)   # each actor loads the model directory once, segments
                                                    # and scores a window of records, de-duplicating
                                                    # repeated sentences and batching by length
      -> iterate in order on the driver             # duplicate ids (first one wins), then the same
                                                    # sentences / articles / rejects / summary files

Without ``address`` a local Ray is started with the machine's CPUs. With ``device="cuda"`` each actor asks
Ray for one GPU. Records are read where the driver and workers can all see the path (a local disk for a
single machine, a shared filesystem for a cluster).

Resume: a Ray job is retried by Ray at the task level; it does not keep the per-chunk state of the local
backend, so a killed ray job is re-run from the start (into a fresh ``--output``).
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from inference.batch import Outputs, _reject
from inference.readers import RawRecord, check_fields, detect_format, iter_records
from inference.scorer import Fields
from models.directory import check_model_dir, fingerprint, write_json_atomic

logger = logging.getLogger(__name__)

RECORDS_PER_BLOCK = 500


def _dump_datasource(path: str, fmt: str, columns: list[str]):
    """A Ray Data datasource that streams our reader's records, numbered exactly as the local backend."""
    from ray.data.block import BlockMetadata
    from ray.data.datasource import Datasource, ReadTask

    class DumpDatasource(Datasource):
        def estimate_inmemory_data_size(self) -> int | None:
            p = Path(path)
            return p.stat().st_size if p.is_file() else None

        def get_name(self) -> str:
            return "ArticleDump"

        def get_read_tasks(self, parallelism: int, per_task_row_limit=None, data_context=None) -> list:
            def read():
                import pyarrow as pa

                rows = []
                for raw in iter_records(path, fmt, None, columns=columns):
                    rows.append(_raw_row(raw))
                    if len(rows) >= RECORDS_PER_BLOCK:
                        yield pa.Table.from_pylist(rows, schema=RAW_SCHEMA())
                        rows = []
                if rows:
                    yield pa.Table.from_pylist(rows, schema=RAW_SCHEMA())

            meta = BlockMetadata(num_rows=None, size_bytes=self.estimate_inmemory_data_size(), exec_stats=None, input_files=(path,))
            return [ReadTask(read, meta)]

    return DumpDatasource()


def RAW_SCHEMA():
    """Explicit column types, so that a block whose ``source`` or ``error`` is all null keeps string type."""
    import pyarrow as pa

    return pa.schema([("number", pa.int64()), ("line", pa.int64()), ("source", pa.string()), ("error", pa.string()),
                      ("non_utf8", pa.bool_()), ("data", pa.string())])


def _raw_row(raw: RawRecord) -> dict:
    return {"number": raw.number, "line": raw.line, "source": raw.source, "error": raw.error, "non_utf8": raw.non_utf8,
            "data": json.dumps(raw.data, ensure_ascii=False, default=str) if raw.data is not None else None}


class ScoringActor:
    """Loads the model directory once; turns a batch of raw records into one result row per record."""

    def __init__(self, model_dir: str, fields: dict, backend: str, device: str, precision: str | None,
                 threads: int | None, batch_size: int | None):
        from inference.scorer import Scorer

        self.fields = Fields(**fields)
        self.scorer = Scorer.load(model_dir, backend, device=device, precision=precision, threads=threads, batch_size=batch_size)

    def __call__(self, batch) -> dict:
        """``batch`` is a pyarrow Table of raw rows (see :func:`_raw_row`)."""
        from inference.scorer import prepare_article

        rows = batch.to_pylist()
        results: dict[int, dict] = {}
        articles, numbers = [], []
        for r in rows:
            number = int(r["number"])
            raw = RawRecord(number, None, r["error"], r["line"], r["source"], bool(r["non_utf8"]))
            if r["error"]:
                results[number] = {"kind": "reject", "reject": _reject(raw, r["error"])}
                continue
            data = json.loads(r["data"])
            art = prepare_article(data, number, self.fields)
            if isinstance(art, str):
                results[number] = {"kind": "reject", "reject": _reject(raw, art, data.get(self.fields.id))}
                continue
            articles.append(art)
            numbers.append(number)
            generated = data.get(self.fields.id) in (None, "")
            results[number] = {"kind": "article", "generated_id": generated, "line": raw.line, "source": raw.source}
        before = self.scorer.counters.truncated, self.scorer.counters.unique_sentences
        for number, res in zip(numbers, self.scorer.score_prepared(articles)):
            results[number].update({"article": res.article, "sentences": res.sentences})
        truncated = self.scorer.counters.truncated - before[0]
        unique = self.scorer.counters.unique_sentences - before[1]
        ordered = [int(r["number"]) for r in rows]
        return {
            "number": ordered,
            "non_utf8": [bool(r["non_utf8"]) for r in rows],
            "result": [json.dumps(results[n], ensure_ascii=False) for n in ordered],
            # window-level counters ride on the first row of the batch
            "truncated": [truncated if i == 0 else 0 for i in range(len(rows))],
            "unique": [unique if i == 0 else 0 for i in range(len(rows))],
        }


def run_scoring_ray(model_dir: str | os.PathLike, input_path: str | os.PathLike, output_dir: str | os.PathLike, *,
                    input_format: str | None = None, fields: Fields = Fields(), output_format: str = "jsonl",
                    backend: str = "torch", device: str = "cpu", precision: str | None = None, threads: int | None = None,
                    batch_size: int | None = None, window_records: int = 200, num_workers: int | None = None,
                    address: str | None = None, overwrite: bool = False) -> dict:
    """Score ``input_path`` with Ray Data into ``output_dir``; same outputs as :func:`inference.batch.run_scoring`."""
    import ray
    from ray.data import ActorPoolStrategy, DataContext

    model_dir = str(check_model_dir(model_dir).resolve())
    input_path = str(Path(input_path).resolve())
    input_format = input_format or detect_format(input_path)
    check_fields(input_path, input_format, [fields.text])
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    from models.directory import read_decision_rule

    labels = read_decision_rule(model_dir).labels
    outputs = Outputs(out, output_format, labels)
    if outputs.existing() and not overwrite:
        raise ValueError(f"{out} already holds outputs; use a new --output or --overwrite")
    for p in outputs.existing():
        if p.is_dir():
            for part in p.iterdir():
                part.unlink()
            p.rmdir()
        else:
            p.unlink()

    started_here = False
    if not ray.is_initialized():
        ray.init(address=address, ignore_reinit_error=True, log_to_driver=False, include_dashboard=False,
                 **({} if address else {"num_cpus": os.cpu_count()}))
        started_here = True
    try:
        resources = ray.cluster_resources()
        if device == "cuda":
            workers = num_workers or max(1, int(resources.get("GPU", 0)))
            per_actor = {"num_gpus": 1, "num_cpus": 1}
        else:
            workers = num_workers or max(1, int(resources.get("CPU", 1)))
            per_actor = {"num_cpus": max(1, threads or 1)}
        ctx = DataContext.get_current()
        ctx.execution_options.preserve_order = True
        t0 = time.time()
        columns = [c for c in (fields.text, fields.id, fields.title) if c]
        # The reader is light I/O and JSON parsing; asking for no CPU keeps it schedulable while the actor
        # pool holds every core (otherwise a pool as large as the cluster deadlocks waiting for input).
        ds = ray.data.read_datasource(_dump_datasource(input_path, input_format, columns), num_cpus=0)
        scored = ds.map_batches(
            ScoringActor,
            fn_constructor_kwargs={"model_dir": model_dir, "fields": {"text": fields.text, "id": fields.id, "title": fields.title},
                                   "backend": backend, "device": device, "precision": precision,
                                   "threads": (threads or 1) if device == "cpu" else threads, "batch_size": batch_size},
            batch_size=window_records, batch_format="pyarrow", compute=ActorPoolStrategy(size=workers), **per_actor,
        )
        totals = {"records_read": 0, "records_scored": 0, "records_rejected": 0, "duplicate_ids": 0, "non_utf8_records": 0,
                  "generated_ids": 0, "sentences": 0, "unique_sentences_scored": 0, "sentences_truncated": 0}
        seen: dict[str, int] = {}
        chunk, part = [], 0

        def flush(rows):
            nonlocal part
            part += 1
            sentences = [s for r in rows if r["kind"] == "article" for s in r["sentences"]]
            articles = [r["article"] for r in rows if r["kind"] == "article"]
            rejects = [r["reject"] for r in rows if r["kind"] == "reject"]
            outputs.write(part, sentences, articles, rejects)

        for batch in scored.iter_batches(batch_size=window_records, batch_format="numpy"):
            for number, non_utf8, result, trunc, uniq in zip(batch["number"], batch["non_utf8"], batch["result"], batch["truncated"], batch["unique"]):
                res = json.loads(result)
                totals["records_read"] += 1
                totals["non_utf8_records"] += bool(non_utf8)
                totals["sentences_truncated"] += int(trunc)
                totals["unique_sentences_scored"] += int(uniq)
                if res["kind"] == "article":
                    aid = res["article"]["article_id"]
                    if aid in seen:
                        raw = RawRecord(int(number), None, None, res.get("line"), res.get("source"))
                        res = {"kind": "reject", "reject": _reject(raw, f"duplicate id {aid!r} (first at record {seen[aid]})", aid)}
                        totals["duplicate_ids"] += 1
                    else:
                        seen[aid] = int(number)
                        totals["records_scored"] += 1
                        totals["generated_ids"] += bool(res.get("generated_id"))
                        totals["sentences"] += len(res["sentences"])
                if res["kind"] == "reject":
                    totals["records_rejected"] += 1
                chunk.append(res)
            if len(chunk) >= window_records:
                flush(chunk)
                chunk = []
        if chunk:
            flush(chunk)
        wall = time.time() - t0
        summary = {
            **totals,
            "sentences_per_second": round(totals["sentences"] / wall, 2) if wall else None,
            "articles_per_second": round(totals["records_scored"] / wall, 2) if wall else None,
            "wall_seconds": round(wall, 2),
            "runs": 1,
            "complete": True,
            "model": {"path": model_dir, "fingerprint": fingerprint(model_dir), "backend": f"ray/{backend}", "device": device,
                      "workers": workers},
            "settings": {"input": input_path, "input_format": input_format, "text_field": fields.text, "id_field": fields.id,
                         "title_field": fields.title, "output_format": output_format, "backend": "ray", "workers": workers,
                         "ray_address": address or "local"},
            "outputs": {name: outputs.path(name).name for name in ("sentences", "articles", "rejects")},
        }
        write_json_atomic(out / "summary.json", summary)
        return summary
    finally:
        if started_here:
            ray.shutdown()
