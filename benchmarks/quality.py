"""The fine-tuned model against the baselines, side by side, on the seed test split and on real news.

    python benchmarks/quality.py --model runs/base [--eval ../shared/data/realnews_dev.jsonl] [--json quality.json] [--rerun]

Baselines (trained on the same train split, thresholds tuned on the same dev split, scored the same way):
TF-IDF + logistic regression, the keyword lexicon, frozen MiniLM embeddings + logistic regression.
Reads ``MODEL_DIR/eval/baselines.json`` (written by ``model-card`` and by ``train``) or, with ``--rerun`` or
when it is missing, runs the evaluation first. Prints one table: macro-F1 with its 95% bootstrap interval
and per-label F1 for every model and dataset; writes the same numbers as JSON.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from common import REPO, SHARED


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(REPO / "runs" / "base"))
    parser.add_argument("--eval", action="append", default=None, help="labelled JSONL (default: ../shared/data/realnews_dev.jsonl)")
    parser.add_argument("--rerun", action="store_true", help="re-run the evaluation and baselines")
    parser.add_argument("--json", help="write the table here as JSON")
    args = parser.parse_args()

    from training.report import run_evaluation

    model = Path(args.model)
    evals = args.eval if args.eval is not None else [str(SHARED / "data" / "realnews_dev.jsonl")]
    path = model / "eval" / "baselines.json"
    wanted = {Path(e).name.removesuffix(".jsonl") for e in evals if Path(e).is_file()}
    if args.rerun or not path.is_file() or not wanted <= set(json.loads(path.read_text())["datasets"]):
        run_evaluation(model, evals)
    table = json.loads(path.read_text())
    labels = list(next(iter(table["models"].values()))["results"][table["datasets"][0]]["per_label_f1"])
    short = {"accusation": "acc", "ceasefire": "cease", "escalation_risk": "escal", "third_party_alignment": "3rd-p"}
    for dataset in table["datasets"]:
        print(f"\n{dataset}")
        print(f"  {'model':22s} {'macro-F1':>8s} {'95% CI':>15s} " + " ".join(f"{short.get(l, l):>6s}" for l in labels))
        for name, m in table["models"].items():
            r = m["results"].get(dataset)
            if r is None:
                continue
            lo, hi = r["macro_f1_ci95"]
            print(f"  {name:22s} {r['macro_f1']:8.3f} {f'{lo:.3f}-{hi:.3f}':>15s} " + " ".join(f"{r['per_label_f1'][l]:6.3f}" for l in labels))
        ft = table["models"]["fine_tuned"]["results"][dataset]["macro_f1"]
        tf = table["models"].get("tfidf_logreg", {}).get("results", {}).get(dataset, {}).get("macro_f1")
        if tf is not None:
            print(f"  fine-tuned minus TF-IDF: {ft - tf:+.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps(table, indent=2))


if __name__ == "__main__":
    main()
