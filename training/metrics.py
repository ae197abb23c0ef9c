"""Multi-label metrics, threshold tuning, temperature scaling, bootstrap intervals and calibration error.

All functions take 0/1 label matrices ``y`` and probability or logit matrices of shape ``(n, n_labels)``
and are deterministic (bootstraps take a seed).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from models.decision import sigmoid


def _counts(y: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = y.astype(bool)
    pred = pred.astype(bool)
    tp = (y & pred).sum(axis=0).astype(np.float64)
    fp = (~y & pred).sum(axis=0).astype(np.float64)
    fn = (y & ~pred).sum(axis=0).astype(np.float64)
    return tp, fp, fn


def _f1(tp, fp, fn):
    denom = 2 * tp + fp + fn
    return np.divide(2 * tp, denom, out=np.zeros_like(np.asarray(tp, dtype=np.float64)), where=denom > 0)


def f1_scores(y: np.ndarray, pred: np.ndarray) -> dict[str, float | np.ndarray]:
    """Per-label F1 (array), macro F1 (unweighted mean over labels) and micro F1 (pooled counts).

    A label with no positives and no predictions has F1 0, as in scikit-learn's ``zero_division=0``.
    """
    tp, fp, fn = _counts(y, pred)
    per = _f1(tp, fp, fn)
    micro = float(_f1(tp.sum(), fp.sum(), fn.sum()))
    return {"per_label": per, "macro": float(per.mean()) if per.size else 0.0, "micro": micro}


def macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    return float(f1_scores(y, pred)["macro"])


def average_precision(y: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the precision-recall curve (step-wise, as scikit-learn); None when there are no positives."""
    y = np.asarray(y).astype(bool)
    if not y.any():
        return None
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(y, scores))


def tune_thresholds(y: np.ndarray, probs: np.ndarray, lo: float = 0.05, hi: float = 0.95, step: float = 0.01) -> np.ndarray:
    """One F1-maximising threshold per label, searched on a grid in ``[lo, hi]``.

    Ties (a flat stretch of the F1 curve) resolve to the middle of the best stretch, which is less
    sensitive to the exact dev sample than its edge. A label with no positives keeps 0.5 (clipped).
    """
    grid = np.round(np.arange(lo, hi + step / 2, step), 6)
    out = np.empty(y.shape[1])
    for j in range(y.shape[1]):
        yj = y[:, j].astype(bool)
        if not yj.any():
            out[j] = float(np.clip(0.5, lo, hi))
            continue
        pred = probs[:, j][:, None] >= grid[None, :]
        tp = (pred & yj[:, None]).sum(axis=0)
        fp = (pred & ~yj[:, None]).sum(axis=0)
        fn = (~pred & yj[:, None]).sum(axis=0)
        f1 = _f1(tp.astype(float), fp.astype(float), fn.astype(float))
        best = np.flatnonzero(np.isclose(f1, f1.max()))
        # the middle of the longest run of best values that contains the first best
        run = [best[0]]
        for b in best[1:]:
            if b == run[-1] + 1:
                run.append(b)
            else:
                break
        out[j] = grid[run[len(run) // 2]]
    return out


def bce(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean binary cross-entropy of logits against 0/1 targets."""
    logits = np.asarray(logits, dtype=np.float64)
    return float(np.mean(np.logaddexp(0.0, logits) - y * logits))


def fit_temperature(logits: np.ndarray, y: np.ndarray, lo: float = 0.05, hi: float = 20.0, iters: int = 80) -> float:
    """The temperature T minimising BCE of ``sigmoid(logits / T)`` on ``y`` (golden-section search on log T)."""
    a, b = np.log(lo), np.log(hi)
    g = (np.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = bce(logits / np.exp(c), y), bce(logits / np.exp(d), y)
    for _ in range(iters):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = bce(logits / np.exp(c), y)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = bce(logits / np.exp(d), y)
    return float(np.exp((a + b) / 2))


def expected_calibration_error(y: np.ndarray, probs: np.ndarray, bins: int = 10) -> float:
    """ECE over every (sentence, label) probability: equal-width bins, |positive rate - mean prob| weighted by bin size."""
    p = np.asarray(probs, dtype=np.float64).ravel()
    t = np.asarray(y, dtype=np.float64).ravel()
    if p.size == 0:
        return 0.0
    idx = np.minimum((p * bins).astype(int), bins - 1)
    ece = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            ece += m.mean() * abs(t[m].mean() - p[m].mean())
    return float(ece)


def reliability_bins(y: np.ndarray, probs: np.ndarray, bins: int = 10) -> list[dict]:
    """Per-bin mean probability, positive rate and count (for reliability diagrams)."""
    p = np.asarray(probs, dtype=np.float64).ravel()
    t = np.asarray(y, dtype=np.float64).ravel()
    idx = np.minimum((p * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        m = idx == b
        out.append({
            "lo": b / bins, "hi": (b + 1) / bins, "count": int(m.sum()),
            "mean_probability": float(p[m].mean()) if m.any() else None,
            "positive_rate": float(t[m].mean()) if m.any() else None,
        })
    return out


def bootstrap_macro_f1(y: np.ndarray, pred: np.ndarray, n_resamples: int = 1000, seed: int = 0, alpha: float = 0.05) -> tuple[float, float]:
    """Percentile bootstrap interval of macro-F1 over sentences (resampled with replacement)."""
    n = y.shape[0]
    if n == 0:
        return (0.0, 0.0)
    rng = np.random.default_rng(seed)
    yb, pb = y.astype(bool), pred.astype(bool)
    tp_rows, fp_rows, fn_rows = (yb & pb).astype(np.int32), (~yb & pb).astype(np.int32), (yb & ~pb).astype(np.int32)
    scores = np.empty(n_resamples)
    for i in range(n_resamples):
        w = np.bincount(rng.integers(0, n, n), minlength=n)
        tp, fp, fn = w @ tp_rows, w @ fp_rows, w @ fn_rows
        scores[i] = _f1(tp.astype(float), fp.astype(float), fn.astype(float)).mean()
    lo, hi = np.quantile(scores, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def multilabel_report(
    y: np.ndarray,
    probs: np.ndarray,
    thresholds: Sequence[float],
    labels: Sequence[str],
    *,
    ci: bool = False,
    n_resamples: int = 1000,
    seed: int = 0,
) -> dict:
    """Metrics of a decision rule on labelled data, JSON-ready.

    Keys: ``n``, ``macro_f1``, ``micro_f1``, ``per_label`` (precision, recall, f1, support,
    average_precision, threshold), ``ece``; and ``macro_f1_ci95`` when ``ci`` is true.
    """
    y = np.asarray(y)
    probs = np.asarray(probs)
    thr = np.asarray(thresholds, dtype=np.float64)
    pred = probs >= thr[None, :]
    tp, fp, fn = _counts(y, pred)
    f1 = _f1(tp, fp, fn)
    per = {}
    for j, name in enumerate(labels):
        per[name] = {
            "precision": float(tp[j] / (tp[j] + fp[j])) if tp[j] + fp[j] else 0.0,
            "recall": float(tp[j] / (tp[j] + fn[j])) if tp[j] + fn[j] else 0.0,
            "f1": float(f1[j]),
            "support": int(y[:, j].sum()),
            "predicted": int(pred[:, j].sum()),
            "average_precision": average_precision(y[:, j], probs[:, j]),
            "threshold": float(thr[j]),
        }
    report = {
        "n": int(y.shape[0]),
        "macro_f1": float(f1.mean()) if f1.size else 0.0,
        "micro_f1": float(_f1(tp.sum(), fp.sum(), fn.sum())),
        "per_label": per,
        "ece": expected_calibration_error(y, probs),
    }
    if ci:
        lo, hi = bootstrap_macro_f1(y, pred, n_resamples=n_resamples, seed=seed)
        report["macro_f1_ci95"] = [lo, hi]
    return report


def probabilities(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    return sigmoid(np.asarray(logits) / temperature)
