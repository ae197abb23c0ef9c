"""Behavioural checks in the style of CheckList (Ribeiro et al., 2020), on small hand-written files.

* invariance: swapping the two belligerents or moving the story to another conflict must not change the
  predicted label set (``resources/behaviour/invariance.jsonl``);
* hard negatives: non-conflict uses of "accused", "ceasefire", "escalating", "attack" must get none of the
  listed labels (``hard_negatives.jsonl``);
* directional: a denial instead of an accusation must lower the accusation probability, counter-blame
  must raise it, mediation instead of backing must lower third_party_alignment, ... (``directional.jsonl``).

``run_suite(model)`` returns pass rates per test type and every failure, for the model card.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

BEHAVIOUR_DIR = Path(__file__).parent / "resources" / "behaviour"


def _read(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: invalid JSON: {exc.msg}") from None
    return rows


def run_suite(predict_proba: Callable[[Sequence[str]], np.ndarray], thresholds: Sequence[float], labels: Sequence[str],
              directory: Path = BEHAVIOUR_DIR) -> dict:
    """Run the three test types with a probability function and the model's thresholds."""
    thr = np.asarray(thresholds)
    idx = {l: j for j, l in enumerate(labels)}
    inv, neg, dirs = (_read(directory / f) for f in ("invariance.jsonl", "hard_negatives.jsonl", "directional.jsonl"))

    texts: list[str] = []
    for t in inv:
        texts += t["texts"]
    texts += [t["text"] for t in neg]
    for t in dirs:
        texts += [t["base"], t["variant"]]
    unique = list(dict.fromkeys(texts))
    probs = dict(zip(unique, predict_proba(unique)))

    def names(text):
        return [l for l, on in zip(labels, probs[text] >= thr) if on]

    results = {}
    fails = []
    for t in inv:
        sets = [names(x) for x in t["texts"]]
        ok = all(s == sets[0] for s in sets)
        if not ok:
            fails.append({"id": t["id"], "kind": t["kind"], "texts": t["texts"], "predicted": sets})
    results["invariance"] = {"description": "swap belligerents or move the story to another conflict: same labels",
                             "n": len(inv), "passed": len(inv) - len(fails), "failures": fails}
    by_kind = {}
    for t in inv:
        k = t["kind"]
        by_kind.setdefault(k, [0, 0])
        by_kind[k][0] += 1
        by_kind[k][1] += t["id"] not in {f["id"] for f in fails}
    results["invariance"]["by_kind"] = {k: {"n": n, "passed": p} for k, (n, p) in by_kind.items()}

    fails = []
    for t in neg:
        got = [l for l in names(t["text"]) if l in t["absent"]]
        if got:
            fails.append({"id": t["id"], "text": t["text"], "wrongly_predicted": got,
                          "probabilities": {l: round(float(probs[t["text"]][idx[l]]), 3) for l in got}})
    results["hard_negatives"] = {"description": "non-conflict uses of conflict words: no conflict label",
                                 "n": len(neg), "passed": len(neg) - len(fails), "failures": fails}

    fails = []
    for t in dirs:
        j = idx[t["label"]]
        before, after = float(probs[t["base"]][j]), float(probs[t["variant"]][j])
        ok = after < before if t["direction"] == "down" else after > before
        if not ok:
            fails.append({"id": t["id"], "label": t["label"], "direction": t["direction"], "base": t["base"], "variant": t["variant"],
                          "p_base": round(before, 3), "p_variant": round(after, 3)})
    results["directional"] = {"description": "a denial lowers accusation, counter-blame raises it, mediation instead of backing lowers alignment, ...",
                              "n": len(dirs), "passed": len(dirs) - len(fails), "failures": fails}
    for r in results.values():
        r["pass_rate"] = r["passed"] / r["n"] if r["n"] else None
    return results
