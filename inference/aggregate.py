"""Article-level summaries of scored sentences.

For each label an article gets ``max_<label>`` (its highest sentence probability), ``count_<label>``
(sentences assigned the label by the model's thresholds) and ``evidence_<label>`` (the top 3 sentences
by probability among those assigned the label: index, text, probability).

**Escalation score.** ``escalation_score`` is the mean of the article's three highest
``escalation_risk`` sentence probabilities (over all its sentences if it has fewer than three). It lies in
[0, 1], is high only when several sentences signal escalation with confidence, and does not grow with
article length past three sentences, so a long feature with one alarming line ranks below a short report
whose every line describes fighting. Use ``max_escalation_risk`` for "any signal at all".
"""

from __future__ import annotations

from typing import Sequence

EVIDENCE = 3
ESCALATION_TOP_K = 3


def summarise_article(article_id: str, title: str | None, sentences: Sequence[dict], labels: Sequence[str]) -> dict:
    """One article row from its sentence rows (which carry ``p_<label>`` and ``labels``)."""
    row: dict = {"article_id": article_id, "title": title, "n_sentences": len(sentences)}
    present = []
    for label in labels:
        key = f"p_{label}"
        probs = [s[key] for s in sentences]
        hits = [s for s in sentences if label in s["labels"]]
        hits.sort(key=lambda s: (-s[key], s["sentence_index"]))
        row[f"max_{label}"] = max(probs) if probs else 0.0
        row[f"count_{label}"] = len(hits)
        row[f"evidence_{label}"] = [{"sentence_index": s["sentence_index"], "text": s["text"], "probability": s[key]} for s in hits[:EVIDENCE]]
        if hits:
            present.append(label)
    row["labels"] = present
    if "escalation_risk" in labels:
        top = sorted((s["p_escalation_risk"] for s in sentences), reverse=True)[:ESCALATION_TOP_K]
        row["escalation_score"] = round(sum(top) / len(top), 6) if top else 0.0
    return row
