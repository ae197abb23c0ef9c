"""The ray backend gives the local backend's outputs (a local Ray of 2 CPUs, started here)."""

import json

import pytest

ray = pytest.importorskip("ray")

from inference.batch import run_scoring
from inference.ray_backend import run_scoring_ray

from test_scoring import make_articles, read_jsonl, write_jsonl


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    yield
    ray.shutdown()


def close_rows(a: list[dict], b: list[dict], tol: float = 1e-6) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.keys() == y.keys()
        for k in x:
            if isinstance(x[k], float):
                assert abs(x[k] - y[k]) <= tol + 1e-12, (k, x[k], y[k])
            elif k.startswith("evidence_"):
                assert [e["sentence_index"] for e in x[k]] == [e["sentence_index"] for e in y[k]]
                assert all(abs(e["probability"] - f["probability"]) <= tol + 1e-12 for e, f in zip(x[k], y[k]))
            else:
                assert x[k] == y[k], k


def test_ray_backend_equals_local_backend(tiny_model, tmp_path, local_ray):
    rows = make_articles(60)
    rows.insert(5, b"{broken json\n")
    rows.insert(9, {"id": "a00001", "text": "A duplicate id, rejected as in the local backend."})
    rows.insert(12, {"id": "empty", "text": ""})
    rows.insert(20, b'{"id": "bytes", "text": "Caf\xe9 owners said the truce held."}\n')
    dump = write_jsonl(tmp_path / "dump.jsonl", rows)
    local = run_scoring(tiny_model, dump, tmp_path / "local", threads=1)
    distributed = run_scoring_ray(tiny_model, dump, tmp_path / "ray", num_workers=2, window_records=16)
    for name in ("sentences.jsonl", "articles.jsonl"):
        close_rows(read_jsonl(tmp_path / "ray" / name), read_jsonl(tmp_path / "local" / name))
    assert read_jsonl(tmp_path / "ray" / "rejects.jsonl") == read_jsonl(tmp_path / "local" / "rejects.jsonl")
    for key in ("records_read", "records_scored", "records_rejected", "duplicate_ids", "non_utf8_records", "sentences"):
        assert distributed[key] == local[key], key
    assert distributed["model"]["fingerprint"] == local["model"]["fingerprint"]
    assert json.loads((tmp_path / "ray" / "summary.json").read_text())["records_rejected"] == 3  # bad JSON, duplicate, empty


def test_ray_backend_from_the_cli(tiny_model, tmp_path, local_ray):
    from inference.cli import score_main

    dump = write_jsonl(tmp_path / "d.jsonl", make_articles(10))
    assert score_main(["--model", str(tiny_model), "--input", str(dump), "--output", str(tmp_path / "out"),
                       "--backend", "ray", "--num-workers", "2", "--quiet"]) == 0
    assert len(read_jsonl(tmp_path / "out" / "articles.jsonl")) == 10
