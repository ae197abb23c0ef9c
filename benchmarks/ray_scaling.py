"""Ray backend: measured speed-up of 2 local workers over 1, and an estimate for 10 million articles.

    python benchmarks/ray_scaling.py --model runs/base [--articles 400] [--backend onnx]

Scores the same slice of ../shared/data/articles_insightcrime.jsonl with the ray backend on a local Ray,
first with 1 worker, then with 2 (each worker one CPU thread), and prints articles/s and the speed-up.
From the 1-worker rate per core it prints a worked estimate of the wall time for 10 million articles on N
nodes of C cores, assuming the measured 2-worker scaling efficiency holds per added core (Ray Data streams
blocks to actors; the work per article is independent, so the job is embarrassingly parallel apart from
the single reader task per file and the ordered write on the driver).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from common import REPO, read_jsonl, shared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(REPO / "runs" / "base"))
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--backend", default="onnx", choices=["torch", "onnx"])
    parser.add_argument("--cores-per-node", type=int, default=16)
    parser.add_argument("--json")
    args = parser.parse_args()

    import ray

    from inference.ray_backend import run_scoring_ray

    if args.backend == "onnx":
        from inference.export import export_model
        from models.directory import read_metadata

        if "model.int8.onnx" not in read_metadata(args.model).get("onnx", {}):
            export_model(args.model, quantize="int8")
    articles = read_jsonl(shared("data", "articles_insightcrime.jsonl"), limit=args.articles)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "dump.jsonl"
        dump.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        try:
            for workers in (1, 2):
                run_scoring_ray(args.model, dump, Path(tmp) / "warm", backend=args.backend, num_workers=workers, overwrite=True)
                t0 = time.time()
                s = run_scoring_ray(args.model, dump, Path(tmp) / f"w{workers}", backend=args.backend, num_workers=workers,
                                    threads=1, overwrite=True)
                wall = time.time() - t0
                results[workers] = {"wall_seconds": wall, "articles_per_second": s["records_scored"] / wall,
                                    "sentences_per_second": s["sentences"] / wall, "sentences": s["sentences"]}
                print(f"{workers} worker(s): {s['records_scored']} articles, {s['sentences']} sentences in {wall:.1f} s: "
                      f"{results[workers]['articles_per_second']:.1f} articles/s", flush=True)
        finally:
            ray.shutdown()
    speedup = results[2]["articles_per_second"] / results[1]["articles_per_second"]
    efficiency = speedup / 2
    per_core = results[1]["articles_per_second"]
    print(f"\nspeed-up of 2 workers over 1: {speedup:.2f}x (parallel efficiency {efficiency:.0%})")
    print(f"\nestimate for 10,000,000 articles ({args.cores_per_node}-core nodes, one single-threaded worker per core, "
          f"{per_core:.1f} articles/s per core, efficiency {efficiency:.0%} per added core):")
    estimates = {}
    for nodes in (1, 4, 16, 64):
        cores = nodes * args.cores_per_node
        rate = per_core * (1 + (cores - 1) * efficiency)
        hours = 10_000_000 / rate / 3600
        estimates[nodes] = hours
        print(f"  {nodes:3d} node(s), {cores:5d} cores: {rate:9.0f} articles/s, {hours:7.1f} h")
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": results, "speedup": speedup, "estimate_hours": estimates}, indent=2))


if __name__ == "__main__":
    main()
