"""Evaluate a model directory on a labelled JSONL file with its stored thresholds and temperature.

``evaluate_file(model_dir, path)`` returns the JSON report printed by the ``evaluate`` command:
``n``, ``macro_f1``, ``micro_f1``, ``macro_f1_ci95`` (percentile bootstrap, 1,000 resamples over
sentences), ``per_label`` (precision, recall, f1, support, average_precision, threshold), ``ece``
(10 equal-width bins over every sentence-label probability), plus ``reliability`` bins, a per-conflict
breakdown when records carry ``conflict``, and the data file's sha256. ``plot_report`` draws the PNGs.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from models.directory import sha256_file
from training.data import Example, label_matrix, read_examples
from training.metrics import multilabel_report, reliability_bins

logger = logging.getLogger(__name__)

EVAL_DIR = "eval"


def dataset_name(path: str | os.PathLike) -> str:
    """A short name for an evaluation file: its stem (``realnews_dev`` for realnews_dev.jsonl)."""
    name = Path(path).name
    for suffix in (".gz", ".jsonl", ".json"):
        name = name.removesuffix(suffix)
    return name


def score_examples(model, examples: Sequence[Example], batch_size: int = 128) -> np.ndarray:
    """Calibrated probabilities of a loaded StanceModel for the examples."""
    return model.predict_proba([ex.text for ex in examples], batch_size=batch_size)


def report_for(examples: Sequence[Example], probs: np.ndarray, thresholds: Sequence[float], labels: Sequence[str],
               *, n_resamples: int = 1000, seed: int = 0) -> dict:
    """The evaluation report for already-scored examples (shared by the model and the baselines)."""
    y = label_matrix(examples, labels)
    report = multilabel_report(y, probs, thresholds, labels, ci=True, n_resamples=n_resamples, seed=seed)
    report["reliability"] = reliability_bins(y, probs)
    if examples and any("conflict" in ex.meta for ex in examples):
        from training.loop import group_report

        report["by_conflict"] = group_report(examples, y, probs >= np.asarray(thresholds)[None, :], "conflict", labels)
    return report


def evaluate_examples(model, examples: Sequence[Example], *, seed: int = 0, n_resamples: int = 1000) -> tuple[dict, np.ndarray]:
    probs = score_examples(model, examples)
    return report_for(examples, probs, model.rule.thresholds, model.labels, n_resamples=n_resamples, seed=seed), probs


def evaluate_file(model_dir: str | os.PathLike, data: str | os.PathLike, *, model=None, seed: int = 0,
                  plots_dir: str | os.PathLike | None = None, text_field: str = "text", labels_field: str = "labels",
                  id_field: str = "id") -> dict:
    """Score a labelled JSONL with the model's stored rule and return the report (see module doc).

    A malformed file raises DataError naming its lines. ``model`` may be a loaded StanceModel.
    """
    from models.stance import StanceModel

    model = model or StanceModel.load(model_dir)
    examples = read_examples(data, text_field=text_field, labels_field=labels_field, id_field=id_field, labels=model.labels)
    report, probs = evaluate_examples(model, examples, seed=seed)
    report["data"] = {"path": str(data), "name": dataset_name(data), "sha256": sha256_file(data)}
    if plots_dir is not None:
        report["plots"] = plot_report(examples, probs, report, model.labels, Path(plots_dir), prefix=dataset_name(data))
    return report


# ---------------------------------------------------------------- plots

def plot_report(examples: Sequence[Example], probs: np.ndarray, report: dict, labels: Sequence[str], out: Path,
                prefix: str = "eval") -> dict[str, str]:
    """Write PR curves (threshold marked), a reliability diagram and per-label error counts as PNGs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    out.mkdir(parents=True, exist_ok=True)
    y = label_matrix(examples, labels)
    files = {}

    fig, axes = plt.subplots(1, len(labels), figsize=(4 * len(labels), 3.6), squeeze=False)
    for j, (name, ax) in enumerate(zip(labels, axes[0])):
        thr = report["per_label"][name]["threshold"]
        if y[:, j].any():
            p, r, t = precision_recall_curve(y[:, j], probs[:, j])
            ax.plot(r, p, color="#1f5f99")
            pred = probs[:, j] >= thr
            tp = (pred & (y[:, j] == 1)).sum()
            prec = tp / pred.sum() if pred.sum() else 0.0
            rec = tp / y[:, j].sum()
            ax.plot([rec], [prec], "o", color="#c0392b", label=f"threshold {thr:.2f}")
            ax.legend(loc="lower left", fontsize=8)
        else:
            ax.text(0.5, 0.5, "no positives", ha="center")
        ap = report["per_label"][name]["average_precision"]
        ax.set_title(f"{name}\nAP {ap:.3f}" if ap is not None else name, fontsize=9)
        ax.set_xlabel("recall")
        ax.set_ylabel("precision")
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
    fig.tight_layout()
    files["pr_curves"] = str(out / f"{prefix}_pr_curves.png")
    fig.savefig(files["pr_curves"], dpi=90)
    plt.close(fig)

    bins = report.get("reliability") or reliability_bins(y, probs)
    fig, ax = plt.subplots(figsize=(4.2, 4))
    xs = [b["mean_probability"] for b in bins if b["count"]]
    ys = [b["positive_rate"] for b in bins if b["count"]]
    ax.plot([0, 1], [0, 1], "--", color="grey", linewidth=1)
    ax.plot(xs, ys, "o-", color="#1f5f99")
    for b in bins:
        if b["count"]:
            ax.annotate(str(b["count"]), (b["mean_probability"], b["positive_rate"]), fontsize=7, xytext=(3, -9), textcoords="offset points")
    ax.set_xlabel("mean predicted probability")
    ax.set_ylabel("observed positive rate")
    ax.set_title(f"reliability (ECE {report['ece']:.3f})", fontsize=10)
    fig.tight_layout()
    files["reliability"] = str(out / f"{prefix}_reliability.png")
    fig.savefig(files["reliability"], dpi=90)
    plt.close(fig)

    thr = np.asarray([report["per_label"][name]["threshold"] for name in labels])
    pred = probs >= thr[None, :]
    fp = (pred & (y == 0)).sum(axis=0)
    fn = (~pred & (y == 1)).sum(axis=0)
    fig, ax = plt.subplots(figsize=(6, 3.4))
    x = np.arange(len(labels))
    ax.bar(x - 0.2, fp, 0.4, label="false positives", color="#c0392b")
    ax.bar(x + 0.2, fn, 0.4, label="false negatives", color="#1f5f99")
    ax.set_xticks(x, [l.replace("_", "\n") for l in labels], fontsize=8)
    ax.set_ylabel("sentences")
    ax.legend(fontsize=8)
    ax.set_title("errors per label", fontsize=10)
    fig.tight_layout()
    files["errors"] = str(out / f"{prefix}_errors.png")
    fig.savefig(files["errors"], dpi=90)
    plt.close(fig)
    return files
