"""Train the base model exactly as a user would and report time, memory and quality.

    python benchmarks/train_base.py [--config configs/base.yaml] [--set KEY=VALUE ...]

Runs ``train --config ...`` in a child process and prints wall time, the child's peak resident memory,
and the dev and test macro-F1 from the model directory's metrics.json (plus real-news macro-F1 when the
card evaluated it). Goal on a 2-core CPU: at most 15 minutes for the full seed corpus.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(REPO / "configs" / "base.yaml"))
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()

    from training.config import load_config

    out = load_config(args.config, args.overrides).resolved_output_dir()
    cmd = [sys.executable, "-m", "training.cli", "--config", args.config, "--no-progress"]
    for o in args.overrides:
        cmd += ["--set", o]
    t0 = time.time()
    proc = subprocess.run(cmd, cwd=REPO)
    wall = time.time() - t0
    if proc.returncode:
        sys.exit(f"train failed with exit code {proc.returncode}")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    model_dir = out if out.is_absolute() else REPO / out  # train ran with cwd=REPO
    metrics = json.loads((model_dir / "metrics.json").read_text())
    meta = json.loads((model_dir / "metadata.json").read_text())
    figures = {
        "wall_seconds": round(wall, 1),
        "training_seconds": meta["training"]["seconds"],
        "peak_rss_mb": round(peak_mb),
        "epochs_run": meta["training"]["epochs_run"],
        "best_epoch": meta["training"]["best_epoch"],
        "dev_macro_f1": round(metrics["dev"]["macro_f1"], 4),
        "test_macro_f1": round(metrics["test"]["macro_f1"], 4),
        "test_macro_f1_ci95": [round(x, 4) for x in metrics["test"]["macro_f1_ci95"]],
        "cpu": meta["training"]["hardware"].get("cpu_model"),
        "threads": meta["training"]["hardware"].get("torch_threads"),
    }
    real = model_dir / "eval" / "realnews_dev.json"
    if real.is_file():
        r = json.loads(real.read_text())
        figures["realnews_macro_f1"] = round(r["macro_f1"], 4)
        figures["realnews_macro_f1_ci95"] = [round(x, 4) for x in r["macro_f1_ci95"]]
        figures["realnews_ece"] = round(r["ece"], 4)
    for k, v in figures.items():
        print(f"{k:24s} {v}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
