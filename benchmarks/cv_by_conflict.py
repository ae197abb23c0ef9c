"""Grouped cross-validation by conflict: how well does the model do on conflicts it never saw?

    python benchmarks/cv_by_conflict.py --cv-by conflict --folds 5 [--config configs/base.yaml] [--set KEY=VALUE ...]

The seed corpus's conflicts are dealt into ``--folds`` groups (seeded, balanced by sentences). For each fold
the model is trained on the other folds' conflicts, with one of them held out as dev (epoch choice,
thresholds, temperature), and tested on the fold, so every test conflict is unseen in training. Documents
about no armed conflict are spread over the folds the same way, document by document. Prints macro-F1 per
fold and its mean and standard deviation over folds. Not part of CI: it trains ``--folds`` models.
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import tempfile
from pathlib import Path

import numpy as np

from common import REPO


def group(record: dict) -> str:
    """The unit kept whole inside one fold: the conflict, or the document for non-conflict documents."""
    return record["conflict"] if record["conflict"] != "none" else f"doc:{record['doc_id']}"


def fold_of_groups(records: list[dict], folds: int, seed: int) -> dict[str, int]:
    """Deal groups into folds, largest first, each to the fold with the fewest sentences so far."""
    sizes = collections.Counter(group(r) for r in records)
    rng = np.random.default_rng(seed)
    groups = sorted(sizes, key=lambda g: (-sizes[g], rng.random()))
    load = [0] * folds
    out = {}
    for g in groups:
        f = int(np.argmin(load))
        out[g] = f
        load[f] += sizes[g]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cv-by", default="conflict", choices=["conflict"])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--config", default=str(REPO / "configs" / "base.yaml"))
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json")
    args = parser.parse_args()

    from training import corpus as C
    from training.config import load_config
    from training.loop import train

    records, problems = C.read_corpus(C.DEFAULT_CORPUS)
    assert not problems, problems[:3]
    fold = fold_of_groups(records, args.folds, args.seed)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.folds):
            dev_fold = (k + 1) % args.folds
            recs = []
            for r in records:
                f = fold[group(r)]
                recs.append({**{x: y for x, y in r.items() if not x.startswith("_")},
                             "split": "test" if f == k else "dev" if f == dev_fold else "train"})
            corpus = Path(tmp) / f"fold{k}"
            C.write_corpus(recs, corpus)
            config = load_config(args.config, args.overrides + [f"data.corpus={corpus}", f"output_dir={Path(tmp) / f'model{k}'}",
                                                                "card.baselines=false", "card.behaviour=false", "card.eval_files=[]"])
            result = train(config, write_card=False)
            test = result.metrics["test"]
            conflicts = sorted({r["conflict"] for r in recs if r["split"] == "test" and r["conflict"] != "none"})
            results.append({"fold": k, "test_conflicts": conflicts, "n": test["n"], "macro_f1": test["macro_f1"],
                            "per_label_f1": {l: v["f1"] for l, v in test["per_label"].items()}})
            print(f"fold {k}: macro-F1 {test['macro_f1']:.3f} on {test['n']} sentences ({', '.join(conflicts)})", flush=True)
    scores = [r["macro_f1"] for r in results]
    summary = {"folds": results, "mean_macro_f1": statistics.mean(scores), "std_macro_f1": statistics.stdev(scores) if len(scores) > 1 else 0.0}
    labels = list(results[0]["per_label_f1"])
    summary["per_label_mean_f1"] = {l: statistics.mean(r["per_label_f1"][l] for r in results) for l in labels}
    print(f"\nmacro-F1 over {args.folds} folds by {args.cv_by}: {summary['mean_macro_f1']:.3f} ± {summary['std_macro_f1']:.3f} (mean ± sd)")
    print("per-label mean F1: " + ", ".join(f"{l} {v:.3f}" for l, v in summary["per_label_mean_f1"].items()))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
