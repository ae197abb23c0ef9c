import csv
import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inference import Scorer
from inference.batch import run_scoring
from inference.scorer import Fields

from conftest import read_fixture_texts

REPO = Path(__file__).resolve().parents[1]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def make_articles(n: int, start: int = 0) -> list[dict]:
    texts = read_fixture_texts()
    out = []
    for i in range(start, start + n):
        body = " ".join(texts[(i * 7 + k) % len(texts)] for k in range(3 + i % 5))
        out.append({"id": f"a{i:05d}", "title": f"Report number {i} from the border", "text": body})
    return out


def write_jsonl(path: Path, rows) -> Path:
    with open(path, "wb") as f:
        for r in rows:
            f.write(r if isinstance(r, bytes) else (json.dumps(r) + "\n").encode())
    return path


@pytest.fixture(scope="module")
def scorer(tiny_model):
    return Scorer.load(tiny_model, threads=1)


def test_score_sentences_api(scorer):
    rows = scorer.score_sentences(["The army accused rebels of shelling the town.", "Shares rose on Monday."])
    assert [r["text"] for r in rows] == ["The army accused rebels of shelling the town.", "Shares rose on Monday."]
    for r in rows:
        assert set(r) == {"text", "labels", "truncated", *(f"p_{l}" for l in scorer.labels)}
        assert all(0 <= r[f"p_{l}"] <= 1 for l in scorer.labels)
        assert r["labels"] == [l for l in scorer.labels if r[f"p_{l}"] >= scorer.thresholds[list(scorer.labels).index(l)]]


def test_api_matches_models_predict_proba(scorer, tiny_model):
    import models

    texts = read_fixture_texts()
    probs, _ = scorer.probabilities(texts)
    ref = models.load(tiny_model).predict_proba(texts)
    assert abs(probs - ref).max() < 1e-5


def test_repeated_sentences_are_scored_once(scorer):
    before = scorer.counters.unique_sentences
    scorer.score_sentences(["Fighting spread to the port."] * 50 + ["A truce took effect."] * 50)
    assert scorer.counters.unique_sentences - before == 2


def test_bad_records_are_rejected_and_counted(tiny_model, tmp_path):
    long_sentence = " ".join(["word"] * 2000) + "."
    big = " ".join(read_fixture_texts()) + " "
    big_article = (big * (5_000_000 // len(big) + 1))[:5_000_000]
    rows = [
        {"id": "good1", "title": "Clashes at the border", "text": "Artillery fire hit the town overnight. Officials said rebels were to blame."},
        b"{not json\n",
        {"id": "notext", "title": "x"},
        {"id": "empty", "text": "   "},
        {"id": "number", "text": 42},
        b'{"id": "latin1", "text": "Caf\xe9 owners said the truce held."}\n',
        {"id": "good1", "text": "A second record with the same id."},
        {"id": "big", "text": big_article},
        {"id": "long", "text": long_sentence},
        {"id": "good2", "text": "The two sides agreed to a ceasefire."},
        b"[1, 2, 3]\n",
    ]
    dump = write_jsonl(tmp_path / "dump.jsonl", rows)
    out = tmp_path / "out"
    summary = run_scoring(tiny_model, dump, out, threads=1)
    rejects = read_jsonl(out / "rejects.jsonl")
    reasons = {r["record"]: r["reason"] for r in rejects}
    assert reasons[2].startswith("invalid JSON") and rejects[0]["line"] == 2
    assert "missing text field 'text'" in reasons[3]
    assert "is empty" in reasons[4]
    assert "is int, not a string" in reasons[5]
    assert reasons[7] == "duplicate id 'good1' (first at record 1)"
    assert reasons[11].startswith("expected a JSON object")
    assert len(rejects) == 6
    assert summary["records_read"] == 11
    assert summary["records_rejected"] == 6 and summary["records_scored"] == 5
    assert summary["duplicate_ids"] == 1
    assert summary["non_utf8_records"] == 1
    assert summary["sentences_truncated"] >= 1
    articles = {a["article_id"]: a for a in read_jsonl(out / "articles.jsonl")}
    assert set(articles) == {"good1", "latin1", "big", "long", "good2"}
    sentences = read_jsonl(out / "sentences.jsonl")
    # the 5 MB article is split into sentences, and every character of it is inside one of them
    big_rows = [s for s in sentences if s["article_id"] == "big"]
    assert len(big_rows) > 10_000
    covered = sum(s["end"] - s["start"] for s in big_rows)
    assert covered >= len(big_article.replace(" ", "")) and all(big_article[s["start"]:s["end"]] == s["text"] for s in big_rows[:2000])
    long_rows = [s for s in sentences if s["article_id"] == "long"]
    assert any(s["truncated"] for s in long_rows)
    assert "\ufffd" in next(s for s in sentences if s["article_id"] == "latin1")["text"]


def test_outputs_have_the_documented_schema(tiny_model, tmp_path):
    dump = write_jsonl(tmp_path / "d.jsonl", make_articles(5))
    out = tmp_path / "out"
    summary = run_scoring(tiny_model, dump, out, threads=1)
    labels = ["accusation", "ceasefire", "escalation_risk", "third_party_alignment"]
    sent = read_jsonl(out / "sentences.jsonl")[0]
    assert set(sent) == {"article_id", "sentence_index", "part", "start", "end", "text", "labels", "truncated", *(f"p_{l}" for l in labels)}
    art = read_jsonl(out / "articles.jsonl")[0]
    for l in labels:
        assert {f"max_{l}", f"count_{l}", f"evidence_{l}"} <= set(art)
        assert len(art[f"evidence_{l}"]) <= 3
    assert {"article_id", "title", "n_sentences", "labels", "escalation_score"} <= set(art)
    assert 0 <= art["escalation_score"] <= 1
    for key in ("records_read", "records_scored", "records_rejected", "sentences_per_second", "wall_seconds"):
        assert key in summary
    assert summary["model"]["fingerprint"] == Scorer.load(tiny_model).fingerprint
    assert json.loads((out / "summary.json").read_text()) == summary


def test_title_and_offsets(tiny_model, tmp_path):
    art = {"id": "x", "title": "Rebels take the town", "text": "Fighting spread on Monday. The U.S. envoy urged calm."}
    out = tmp_path / "out"
    run_scoring(tiny_model, write_jsonl(tmp_path / "d.jsonl", [art]), out, threads=1)
    rows = read_jsonl(out / "sentences.jsonl")
    assert [(r["part"], r["sentence_index"]) for r in rows] == [("title", 0), ("body", 1), ("body", 2)]
    for r in rows:
        source = art["title"] if r["part"] == "title" else art["text"]
        assert source[r["start"]:r["end"]] == r["text"]


def test_api_and_cli_give_the_same_rows(tiny_model, tmp_path, scorer):
    articles = make_articles(30)
    dump = write_jsonl(tmp_path / "d.jsonl", articles)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "inference.cli", "--model", str(tiny_model), "--input", str(dump), "--output", str(out),
                           "--threads", "1", "--quiet"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["records_scored"] == 30
    api = list(scorer.score_articles(articles))
    assert read_jsonl(out / "articles.jsonl") == [json.loads(json.dumps(r.article)) for r in api]
    assert read_jsonl(out / "sentences.jsonl") == [json.loads(json.dumps(s)) for r in api for s in r.sentences]


def test_api_rejects_bad_records(scorer):
    rejected = []
    results = list(scorer.score_articles([{"id": 1, "text": "A truce took effect."}, {"id": 2}],
                                         on_reject=lambda n, rec, why: rejected.append((n, why))))
    assert [r.article["article_id"] for r in results] == ["1"]
    assert rejected == [(2, "missing text field 'text'")]
    with pytest.raises(ValueError, match="record 1: text field 'text' is empty"):
        list(scorer.score_articles([{"id": 1, "text": ""}]))


def test_input_formats_give_identical_rows(tiny_model, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    articles = make_articles(12)
    write_jsonl(tmp_path / "d.jsonl", articles)
    with gzip.open(tmp_path / "d.jsonl.gz", "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(a) + "\n" for a in articles)
    with open(tmp_path / "d.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["id", "title", "text"])
        w.writeheader()
        w.writerows(articles)
    pq.write_table(pa.Table.from_pylist(articles), tmp_path / "d.parquet")
    results = {}
    for name in ("d.jsonl", "d.jsonl.gz", "d.csv", "d.parquet"):
        run_scoring(tiny_model, tmp_path / name, tmp_path / f"out_{name}", threads=1)
        results[name] = read_jsonl(tmp_path / f"out_{name}" / "sentences.jsonl")
    assert results["d.jsonl"] == results["d.jsonl.gz"] == results["d.csv"] == results["d.parquet"]
    txt = tmp_path / "txt"
    txt.mkdir()
    for a in articles:
        (txt / f"{a['id']}.txt").write_text(a["text"], encoding="utf-8")
    run_scoring(tiny_model, txt, tmp_path / "out_txt", threads=1)
    body = [{k: v for k, v in r.items() if k != "sentence_index"} for r in results["d.jsonl"] if r["part"] == "body"]
    got = [{k: v for k, v in r.items() if k != "sentence_index"} for r in read_jsonl(tmp_path / "out_txt" / "sentences.jsonl")]
    assert got == body


def test_csv_without_the_text_column_is_a_clear_error(tiny_model, tmp_path):
    (tmp_path / "d.csv").write_text("id,body\n1,hello\n")
    with pytest.raises(ValueError, match=r"column\(s\) \['text'\] not found.*--text-field"):
        run_scoring(tiny_model, tmp_path / "d.csv", tmp_path / "out")


def test_parquet_output_equals_jsonl_output(tiny_model, tmp_path):
    import pyarrow.dataset as ds

    dump = write_jsonl(tmp_path / "d.jsonl", make_articles(20))
    run_scoring(tiny_model, dump, tmp_path / "j", threads=1, window_sentences=30)
    run_scoring(tiny_model, dump, tmp_path / "p", threads=1, window_sentences=30, output_format="parquet")
    for name in ("sentences", "articles"):
        table = ds.dataset(tmp_path / "p" / f"{name}.parquet", format="parquet").to_table().to_pylist()
        assert table == read_jsonl(tmp_path / "j" / f"{name}.jsonl")


def test_other_settings_in_the_same_output_are_refused(tiny_model, tmp_path):
    dump = write_jsonl(tmp_path / "d.jsonl", make_articles(3))
    run_scoring(tiny_model, dump, tmp_path / "out", threads=1)
    with pytest.raises(ValueError, match="different settings"):
        run_scoring(tiny_model, dump, tmp_path / "out", threads=1, fields=Fields(title=None))
    run_scoring(tiny_model, dump, tmp_path / "out", threads=1, fields=Fields(title=None), overwrite=True)


def _committed_chunks(out: Path) -> int:
    db = out / "_state.sqlite"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as con:
            return con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.parametrize("format", ["jsonl", "parquet"])
def test_resume_after_kill_gives_the_uninterrupted_outputs(tiny_model, tmp_path, format):
    dump = write_jsonl(tmp_path / "d.jsonl", make_articles(400))
    cmd = [sys.executable, "-m", "inference.cli", "--model", str(tiny_model), "--input", str(dump), "--threads", "1",
           "--window", "40", "--batch-size", "8", "--format", format, "--quiet"]
    reference = tmp_path / "reference"
    subprocess.run(cmd + ["--output", str(reference)], cwd=REPO, check=True, capture_output=True)

    out = tmp_path / "resumed"
    kills = 0
    for wait_for in (2, 5, 9):
        proc = subprocess.Popen(cmd + ["--output", str(out)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while proc.poll() is None and _committed_chunks(out) < wait_for and time.time() < deadline:
            time.sleep(0.01)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills >= 1, "the run finished before it could be killed; make the dump bigger"
    final = subprocess.run(cmd + ["--output", str(out)], cwd=REPO, capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    summary = json.loads(final.stdout)
    assert summary["runs"] == kills + 1 and summary["records_scored"] == 400
    if format == "jsonl":
        for name in ("sentences.jsonl", "articles.jsonl", "rejects.jsonl"):
            assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    else:
        import pyarrow.dataset as ds

        for name in ("sentences.parquet", "articles.parquet"):
            a = ds.dataset(out / name, format="parquet").to_table().to_pylist()
            b = ds.dataset(reference / name, format="parquet").to_table().to_pylist()
            assert a == b
            ids = [r.get("article_id") for r in a]
            if name == "articles.parquet":
                assert len(ids) == len(set(ids)) == 400
