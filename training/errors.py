"""Error analysis: the most confident false positives and false negatives per label on a labelled file."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from training.data import Example, label_matrix


def error_analysis(examples: Sequence[Example], probs: np.ndarray, thresholds: Sequence[float], labels: Sequence[str],
                   top: int = 10) -> dict:
    """Per label: counts, and the ``top`` false positives (highest probability) and false negatives (lowest).

    Each listed error has the id, text, probability, threshold and the gold labels of the sentence.
    """
    y = label_matrix(examples, labels)
    thr = np.asarray(thresholds)
    pred = probs >= thr[None, :]
    out = {}
    for j, name in enumerate(labels):
        fp = np.flatnonzero(pred[:, j] & (y[:, j] == 0))
        fn = np.flatnonzero(~pred[:, j] & (y[:, j] == 1))
        fp = fp[np.argsort(-probs[fp, j], kind="stable")][:top]
        fn = fn[np.argsort(probs[fn, j], kind="stable")][:top]

        def row(i):
            ex = examples[i]
            return {"id": ex.id, "text": ex.text, "probability": round(float(probs[i, j]), 4), "gold": ex.labels,
                    "predicted": [l for l, on in zip(labels, pred[i]) if on], **({"conflict": ex.meta["conflict"]} if "conflict" in ex.meta else {})}

        out[name] = {"threshold": float(thr[j]),
                     "false_positives": int((pred[:, j] & (y[:, j] == 0)).sum()),
                     "false_negatives": int((~pred[:, j] & (y[:, j] == 1)).sum()),
                     "top_false_positives": [row(i) for i in fp], "top_false_negatives": [row(i) for i in fn]}
    return out


def format_errors(analysis: dict) -> str:
    """Plain-text listing for the terminal."""
    lines = []
    for label, a in analysis.items():
        lines.append(f"== {label} (threshold {a['threshold']:.2f}): {a['false_positives']} false positives, {a['false_negatives']} false negatives")
        for kind in ("top_false_positives", "top_false_negatives"):
            lines.append(f"  {kind.replace('_', ' ')}:")
            for e in a[kind]:
                lines.append(f"    {e['probability']:.3f}  {e['text']}  [gold: {', '.join(e['gold']) or '-'}]")
    return "\n".join(lines)
