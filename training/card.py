"""Model card (placeholder until the full card lands): writes a minimal README.md from metrics.json."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from models.directory import CARD, METRICS, read_json, read_metadata


def write_card(model_dir: str | Path, eval_files: Sequence[Path] = ()) -> Path:
    model_dir = Path(model_dir)
    meta = read_metadata(model_dir)
    metrics = read_json(model_dir / METRICS)
    lines = [f"# {meta.get('name', model_dir.name)}", "", "| split | macro-F1 | micro-F1 |", "| --- | --- | --- |"]
    for split in ("dev", "test"):
        if split in metrics:
            lines.append(f"| {split} | {metrics[split]['macro_f1']:.3f} | {metrics[split]['micro_f1']:.3f} |")
    (model_dir / CARD).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return model_dir / CARD
