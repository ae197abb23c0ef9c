"""Shared helpers for the benchmarks: locating ../shared, sampling real sentences, timing and memory."""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO))


def shared(*parts: str) -> Path:
    """A file under ../shared, or exit with a clear message when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.is_file():
        sys.exit(f"{path} not found: this benchmark needs ../shared beside the repository")
    return path


def read_jsonl(path: Path, limit: int | None = None) -> list[dict]:
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
                if limit and len(out) >= limit:
                    break
    return out


def real_sentences(n: int = 5000, min_chars: int = 20) -> list[str]:
    """``n`` real sentences from the shared article dumps, taken in file order, alternating the two dumps.

    The same call always returns the same sentences, so every backend is timed on identical input.
    """
    from inference.segment import segment

    dumps = [read_jsonl(shared("data", "articles_bbc.jsonl")), read_jsonl(shared("data", "articles_insightcrime.jsonl"))]
    pools = [[s.text for a in d for s in segment(a.get("text") or "") if len(s.text) >= min_chars] for d in dumps]
    out, i = [], 0
    while len(out) < n:
        pool = pools[i % 2]
        k = i // 2
        if k < len(pool):
            out.append(pool[k])
        i += 1
    return out


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_rate(fn, items: int, repeats: int = 3) -> tuple[float, list[float]]:
    """Run ``fn`` ``repeats`` times; return the median items/second and every rate."""
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        rates.append(items / (time.perf_counter() - t0))
    return statistics.median(rates), rates


def threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
