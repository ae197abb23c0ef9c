"""Peak memory stays flat however large the dump: score a 1 GB JSONL dump and watch resident memory.

    python benchmarks/memory_1gb.py --model runs/base [--size-gb 1.0] [--backend onnx] [--repeat 50]

Builds a dump of ``--size-gb`` from the shared article dumps (each article repeated ``--repeat`` times in a
row under new ids, so it takes minutes rather than hours on 2 cores: within a window, repeated sentences are
scored once, which is the scorer's own de-duplication at work). Every record is still read, validated,
segmented, checked against the seen-id store, aggregated and written: the whole streaming path runs over the
full gigabyte. The script samples the scorer's resident memory (VmRSS) twice a second and prints it against
the share of the dump done, plus the peak. Flat memory from 10% to 100% is the claim.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, read_jsonl, shared


def rss_mb(pid: int) -> float | None:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def done_fraction(out: Path, size: int) -> float:
    db = out / "_state.sqlite"
    if not db.exists():
        return 0.0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as con:
            row = con.execute("SELECT position FROM chunks ORDER BY idx DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        return float("nan")
    return json.loads(row[0])[0] / size if row else 0.0


def build_dump(path: Path, size_bytes: int, repeat: int) -> int:
    sources = read_jsonl(shared("data", "articles_bbc.jsonl")) + read_jsonl(shared("data", "articles_insightcrime.jsonl"))
    written, k = 0, 0
    with open(path, "w", encoding="utf-8") as f:
        while written < size_bytes:
            a = sources[k % len(sources)]
            for r in range(repeat):
                line = json.dumps({"id": f"{k}-{r}", "title": a.get("title"), "text": a.get("text")}, ensure_ascii=False) + "\n"
                f.write(line)
                written += len(line.encode("utf-8"))
            k += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(REPO / "runs" / "base"))
    parser.add_argument("--size-gb", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--backend", default="onnx")
    parser.add_argument("--workdir", help="where the dump and outputs go (default: a temporary directory; needs ~5x the dump size)")
    parser.add_argument("--json")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(dir=args.workdir)
    work = Path(tmp.name)
    dump = work / "dump.jsonl"
    t0 = time.time()
    size = build_dump(dump, int(args.size_gb * 1024**3), args.repeat)
    print(f"built {size / 1024**3:.2f} GiB dump in {time.time() - t0:.0f} s", flush=True)
    out = work / "out"
    cmd = [sys.executable, "-m", "inference.cli", "--model", args.model, "--input", str(dump), "--output", str(out),
           "--backend", args.backend, "--quiet"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples, start = [], time.time()
    while proc.poll() is None:
        r = rss_mb(proc.pid)
        if r is not None:
            samples.append((time.time() - start, done_fraction(out, size), r))
        time.sleep(0.5)
    stdout, stderr = proc.communicate()
    if proc.returncode:
        sys.exit(stderr)
    summary = json.loads(stdout)
    print(f"scored {summary['records_scored']} articles, {summary['sentences']} sentences "
          f"({summary['unique_sentences_scored']} unique within windows) in {time.time() - start:.0f} s")
    print("\nshare of dump done   resident memory (MiB)")
    marks = [0.1, 0.25, 0.5, 0.75, 0.9]
    rows = []
    for m in marks:
        hit = next((s for s in samples if s[1] >= m), None)
        if hit:
            rows.append({"done": m, "seconds": round(hit[0]), "rss_mb": round(hit[2])})
            print(f"  {m:>5.0%}  (t={hit[0]:5.0f} s)   {hit[2]:8.0f}")
    peak = max(s[2] for s in samples)
    later = [s[2] for s in samples if s[1] >= 0.1]
    print(f"peak {peak:.0f} MiB; from 10% to the end resident memory stayed within {min(later):.0f}-{max(later):.0f} MiB")
    if args.json:
        Path(args.json).write_text(json.dumps({"dump_bytes": size, "summary": summary, "marks": rows, "peak_rss_mb": peak,
                                               "rss_range_after_10pct": [min(later), max(later)]}, indent=2))


if __name__ == "__main__":
    main()
