"""The evaluation suite behind the model card: everything is written under ``MODEL_DIR/eval/``.

``run_evaluation(model_dir, eval_files)`` writes

* ``eval/<dataset>.json``: the ``evaluate`` report of the model on the seed test split (``seed_test``)
  and on each extra labelled file (for example ``realnews_dev``), plus PNG plots in ``eval/plots/``;
* ``eval/errors_<dataset>.json``: top false positives and false negatives per label;
* ``eval/baselines.json``: the baselines (trained on the same train split, thresholds tuned on dev),
  scored on the same datasets, side by side with the fine-tuned model;
* ``eval/behaviour.json``: the CheckList-style behavioural suite;
* ``eval/index.json``: what was evaluated, with data hashes.

The card reads only these files and ``metrics.json``; regenerating them updates the card.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from models.directory import read_json, read_metadata, sha256_file, write_json_atomic
from training.data import Example, Splits, label_matrix, read_examples
from training.errors import error_analysis
from training.evaluate import EVAL_DIR, dataset_name, plot_report, report_for
from training.metrics import tune_thresholds

logger = logging.getLogger(__name__)
SEED_TEST = "seed_test"


def splits_from_metadata(model_dir: Path) -> Splits | None:
    """Reload the train/dev/test data named in the model's stored config; None if it is not there."""
    from training.config import DataSection
    from training.data import load_splits

    meta = read_metadata(model_dir)
    data_cfg = DataSection.model_validate(meta["config"]["data"])
    try:
        splits = load_splits(data_cfg, meta["labels"])
    except (ValueError, OSError) as exc:
        logger.warning("training data of %s is not available (%s); baselines and the seed test split are skipped", model_dir, exc)
        return None
    stored = meta.get("data", {}).get("files", {})
    changed = [p for p, h in splits.files.items() if stored.get(p) not in (None, h)]
    if changed:
        logger.warning("training data changed since %s was trained: %s", model_dir, changed)
    return splits


def _summary(report: dict, labels: Sequence[str]) -> dict:
    return {"n": report["n"], "macro_f1": report["macro_f1"], "macro_f1_ci95": report.get("macro_f1_ci95"),
            "micro_f1": report["micro_f1"], "ece": report["ece"],
            "per_label_f1": {l: report["per_label"][l]["f1"] for l in labels},
            "thresholds": {l: report["per_label"][l]["threshold"] for l in labels}}


def run_baselines(splits: Splits, datasets: dict[str, list[Example]], labels: Sequence[str], *, seed: int = 0,
                  include_embeddings: bool = True, base: str = "minilm") -> dict:
    """Fit every baseline on train, tune its thresholds on dev, report it on each dataset."""
    from training.baselines import all_baselines

    y_train = label_matrix(splits.train, labels)
    y_dev = label_matrix(splits.dev, labels)
    out = {}
    for baseline in all_baselines(seed=seed, base=base, include_embeddings=include_embeddings):
        logger.info("baseline %s", baseline.name)
        baseline.fit([e.text for e in splits.train], y_train)
        thresholds = tune_thresholds(y_dev, baseline.predict_proba([e.text for e in splits.dev]))
        results = {}
        for name, examples in datasets.items():
            probs = baseline.predict_proba([e.text for e in examples])
            results[name] = _summary(report_for(examples, probs, thresholds, labels, seed=seed), labels)
        out[baseline.name] = {"description": baseline.description, "results": results}
    return out


def run_evaluation(model_dir: str | os.PathLike, eval_files: Sequence[str | os.PathLike] = (), *, model=None,
                   splits: Splits | None = None, baselines: bool = True, include_embeddings: bool = True,
                   behaviour: bool = True, plots: bool = True, seed: int = 0) -> dict:
    """Evaluate the model directory on its seed test split and ``eval_files``; write ``eval/`` (see module doc).

    Missing eval files are skipped with a warning (``../shared`` is not everywhere). Returns the index.
    """
    from models.stance import StanceModel

    model_dir = Path(model_dir)
    model = model or StanceModel.load(model_dir)
    labels = list(model.labels)
    out = model_dir / EVAL_DIR
    out.mkdir(exist_ok=True)
    splits = splits or splits_from_metadata(model_dir)

    datasets: dict[str, list[Example]] = {}
    sources: dict[str, dict] = {}
    if splits is not None and splits.test:
        datasets[SEED_TEST] = splits.test
        sources[SEED_TEST] = {"path": "seed corpus, split=test", "files": splits.files}
    for path in eval_files:
        path = Path(path)
        if not path.is_file():
            logger.warning("evaluation file %s not found; skipped", path)
            continue
        name = dataset_name(path)
        datasets[name] = read_examples(path, labels=labels)
        sources[name] = {"path": str(path), "sha256": sha256_file(path)}

    index = {"datasets": {}, "files": {}}
    for name, examples in datasets.items():
        probs = model.predict_proba([e.text for e in examples])
        report = report_for(examples, probs, model.rule.thresholds, labels, seed=seed)
        report["data"] = {"name": name, **sources[name]}
        if plots:
            report["plots"] = {k: str(Path(v).relative_to(model_dir)) for k, v in
                               plot_report(examples, probs, report, labels, out / "plots", prefix=name).items()}
        write_json_atomic(out / f"{name}.json", report)
        write_json_atomic(out / f"errors_{name}.json", error_analysis(examples, probs, model.rule.thresholds, labels))
        index["datasets"][name] = {"n": report["n"], "macro_f1": report["macro_f1"], **sources[name]}
        index["files"][name] = f"{EVAL_DIR}/{name}.json"
        logger.info("%s: macro-F1 %.3f %s, ECE %.3f", name, report["macro_f1"], report["macro_f1_ci95"], report["ece"])

    if baselines and splits is not None and datasets:
        comparison = {"fine_tuned": {"description": f"{read_metadata(model_dir).get('base_model', 'base')} fine-tuned (this model)",
                                     "results": {n: _summary(read_json(out / f"{n}.json"), labels) for n in datasets}}}
        base = read_metadata(model_dir).get("config", {}).get("model", {}).get("base", "minilm")
        comparison.update(run_baselines(splits, datasets, labels, seed=seed, include_embeddings=include_embeddings, base=base))
        write_json_atomic(out / "baselines.json", {"datasets": list(datasets), "models": comparison})
        index["files"]["baselines"] = f"{EVAL_DIR}/baselines.json"

    if behaviour:
        from training.behaviour import run_suite

        suite = run_suite(model.predict_proba, model.rule.thresholds, labels)
        write_json_atomic(out / "behaviour.json", suite)
        index["files"]["behaviour"] = f"{EVAL_DIR}/behaviour.json"
        logger.info("behaviour: %s", {k: f"{v['passed']}/{v['n']}" for k, v in suite.items()})
    write_json_atomic(out / "index.json", index)
    return index
