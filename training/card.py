"""The model card: ``README.md`` (a Hugging Face card) and ``card.html`` (a self-contained review page).

Every number in the card is read from the model directory: ``metadata.json``, ``metrics.json`` and the
evaluation outputs in ``eval/`` written by :func:`training.report.run_evaluation`. Nothing is typed in;
re-running ``model-card`` after a new evaluation updates the card. Sections follow "Model Cards for Model
Reporting" (Mitchell et al., 2019).
"""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path
from typing import Any

import yaml

from models.directory import CARD, CARD_HTML, METRICS, fingerprint, read_json, read_metadata
from models.labels import LABEL_SUMMARIES
from training.evaluate import EVAL_DIR

DATASET_TITLES = {
    "seed_test": "Seed corpus, test split (conflicts unseen in training)",
    "realnews_dev": "Real news sentences (300, double-annotated)",
}
SECTIONS = [
    "Model details", "Intended uses and users", "Out-of-scope uses", "Training data", "Evaluation data", "Metrics",
    "Calibration", "Behavioural tests", "Error analysis", "Limitations and biases", "How to use", "Reproducibility",
]
REVIEW_CHECKLIST = [
    "The intended use matches how the model will be used, and no out-of-scope use is planned.",
    "Macro-F1 and its confidence interval on real news are good enough for the decision at hand.",
    "Every label's precision and recall on real news are acceptable; weak labels are known to users.",
    "The model beats the baselines by a margin larger than the confidence intervals.",
    "Calibration (ECE, reliability diagram) is good enough to read probabilities as probabilities.",
    "Behavioural-test failures were read, and none is a blocker for this use.",
    "The false positives and false negatives listed were read, and their pattern is acceptable.",
    "The training data (a corpus written for the project) is appropriate for the sources to be scored.",
    "The thresholds per label suit the cost of false alarms versus misses in this use.",
    "The reproducibility record (config, seed, data hashes, versions) is complete.",
]


def _f(x: Any, nd: int = 3) -> str:
    return "–" if x is None else f"{x:.{nd}f}"


def _title(name: str) -> str:
    return DATASET_TITLES.get(name, f"`{name}`")


def _load(model_dir: Path) -> dict:
    ctx: dict = {"dir": model_dir, "meta": read_metadata(model_dir), "metrics": read_json(model_dir / METRICS)}
    ev = model_dir / EVAL_DIR
    ctx["index"] = read_json(ev / "index.json") if (ev / "index.json").is_file() else {"datasets": {}, "files": {}}
    ctx["datasets"] = {n: read_json(ev / f"{n}.json") for n in ctx["index"]["datasets"] if (ev / f"{n}.json").is_file()}
    ctx["errors"] = {n: read_json(ev / f"errors_{n}.json") for n in ctx["datasets"] if (ev / f"errors_{n}.json").is_file()}
    ctx["baselines"] = read_json(ev / "baselines.json") if (ev / "baselines.json").is_file() else None
    ctx["behaviour"] = read_json(ev / "behaviour.json") if (ev / "behaviour.json").is_file() else None
    ctx["fingerprint"] = fingerprint(model_dir)
    ctx["config"] = read_json(model_dir / "config.json")
    return ctx


# ---------------------------------------------------------------- YAML metadata

def card_metadata(ctx: dict) -> dict:
    """The YAML front matter, with a model-index holding the real per-label results."""
    meta = ctx["meta"]
    labels = meta["labels"]
    results = []
    for name, rep in ctx["datasets"].items():
        metrics = [
            {"type": "f1", "value": round(rep["macro_f1"], 4), "name": "Macro F1"},
            {"type": "f1", "value": round(rep["micro_f1"], 4), "name": "Micro F1"},
        ]
        for l in labels:
            pl = rep["per_label"][l]
            metrics += [
                {"type": "f1", "value": round(pl["f1"], 4), "name": f"F1 ({l})"},
                {"type": "precision", "value": round(pl["precision"], 4), "name": f"Precision ({l})"},
                {"type": "recall", "value": round(pl["recall"], 4), "name": f"Recall ({l})"},
            ]
        metrics.append({"type": "ece", "value": round(rep["ece"], 4), "name": "Expected calibration error (10 bins)"})
        results.append({
            "task": {"type": "text-classification", "name": "Multi-label conflict-news sentence classification"},
            "dataset": {"name": DATASET_TITLES.get(name, name), "type": name, "split": "test" if name == "seed_test" else "validation"},
            "metrics": metrics,
        })
    base = meta.get("base_model")
    return {
        "language": ["en"],
        "license": "apache-2.0",
        "library_name": "transformers",
        "pipeline_tag": "text-classification",
        "tags": ["multi-label-classification", "conflict-monitoring", "news", "early-warning", "stance"],
        "base_model": "sentence-transformers/all-MiniLM-L6-v2" if base == "minilm" else str(base),
        "datasets": ["conflict-stance-seed-corpus"] + [n for n in ctx["datasets"] if n != "seed_test"],
        "metrics": ["f1", "precision", "recall", "average_precision", "ece"],
        "model-index": [{"name": meta.get("name", ctx["dir"].name), "results": results}],
    }


# ---------------------------------------------------------------- sections (markdown)

def _per_label_table(rep: dict, labels: list[str]) -> list[str]:
    L = ["| label | precision | recall | F1 | average precision | support | threshold |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for l in labels:
        p = rep["per_label"][l]
        L.append(f"| {l} | {_f(p['precision'])} | {_f(p['recall'])} | {_f(p['f1'])} | {_f(p['average_precision'])} | {p['support']} | {_f(p['threshold'], 2)} |")
    return L


def sections(ctx: dict) -> dict[str, list[str]]:
    meta, metrics = ctx["meta"], ctx["metrics"]
    labels = meta["labels"]
    data = meta.get("data", {})
    tr = meta.get("training", {})
    cfg = meta.get("config", {})
    S: dict[str, list[str]] = {}

    S["Model details"] = [
        f"- **Name:** {meta.get('name')} (fingerprint `{ctx['fingerprint']}`)",
        f"- **Architecture:** {meta.get('base_model')} ({ctx['config'].get('model_type', '?')}, {ctx['config'].get('num_hidden_layers', '?')} layers, "
        f"{ctx['config'].get('hidden_size', '?')} hidden) fine-tuned with a {len(labels)}-unit multi-label head "
        f"(binary cross-entropy), max {meta['max_length']} tokens per sentence.",
        f"- **Labels** (definitions: `LABELS.md`; annotation rules: `seeds/GUIDELINES.md`):",
        *[f"  - `{l}`: {LABEL_SUMMARIES.get(l, '')}" for l in labels],
        f"- **Decision rule:** probabilities are `sigmoid((logit - b) / T)`: the per-label offset b = log(pos_weight) undoes the "
        "prior shift of the class-weighted training loss (" + ", ".join(f"{l} {_f(meta.get('logit_offsets', {}).get(l, 0.0), 2)}" for l in labels)
        + f"), and the temperature T = {_f(meta['temperature'])} is fitted on dev; "
        "a label is assigned when its probability reaches its threshold, tuned on dev to maximise F1 (clipped to [0.05, 0.95]): "
        + ", ".join(f"{l} {_f(meta['thresholds'][l], 2)}" for l in labels) + ".",
        f"- **Trained:** {tr.get('epochs_run')} epochs (best: {tr.get('best_epoch')}) in {_f(tr.get('seconds'), 0)} s; "
        f"library versions in Reproducibility.",
        "- **License:** Apache-2.0 (code and model); the seed corpus is written for the project.",
    ]
    S["Intended uses and users"] = [
        "Early-warning teams, newsroom researchers and conflict-monitoring analysts who need to **triage** large volumes of "
        "English news: find sentences where one conflict actor accuses another, where ceasefires and talks are discussed, "
        "where fighting is intensifying or threatened, and where outside states take sides.",
        "",
        "- Rank and filter articles for human reading (the `score` command writes per-article evidence sentences).",
        "- Count and trend signals across many sources, with the per-label precision and recall below in mind.",
        "- Every output is a probability with the evidence sentence: a lead for an analyst, not a finding.",
    ]
    S["Out-of-scope uses"] = [
        "- **Automated decisions about people**: eligibility, asylum, sanctions, arrests, or any decision affecting an individual.",
        "- **Targeting**: selecting people, places or groups for military, police or intelligence action.",
        "- Attributing responsibility for an event: `accusation` marks that someone *blames* someone, not that the blame is true.",
        "- Non-English text, social media, transcripts and other genres far from news-wire prose (not evaluated).",
        "- Measuring the *truth* or the *severity* of events; the labels describe what a sentence reports.",
    ]
    counts = data.get("counts", {})
    lc = data.get("label_counts", {})
    L = [
        f"The seed corpus (`seeds/corpus/`, datasheet in `seeds/README.md`): news-style sentences **written for this project**, "
        "document by document (headline, then body), not copied from any article; split **by conflict**, so that no conflict "
        "is in two splits and the test split measures generalisation to conflicts the model never saw.",
        "",
        "| split | sentences | documents | conflicts | " + " | ".join(labels) + " |",
        "| --- | ---: | ---: | ---: | " + " | ".join("---:" for _ in labels) + " |",
    ]
    for split in ("train", "dev", "test"):
        if split in counts:
            L.append(f"| {split} | {counts[split]} | {data.get('documents', {}).get(split, '–')} | {len(data.get('conflicts', {}).get(split, []))} | "
                     + " | ".join(str(lc.get(split, {}).get(l, "–")) for l in labels) + " |")
    conf = data.get("conflicts", {})
    if conf:
        L += ["", "Conflicts per split:", ""] + [f"- **{s}:** {', '.join(c)}" for s, c in conf.items() if c]
    ann = data.get("annotation")
    if ann:
        L += ["", f"**Annotation.** Each of the {ann['sentences']} sentences was labelled twice, independently (pass B blind to pass A), by the "
              "guidelines; Cohen's kappa before adjudication: " + ", ".join(f"{l} {_f(k)}" for l, k in ann["kappa"].items())
              + f". The {ann['adjudicated']} sentences with any disagreement were adjudicated against the guidelines."]
    files = data.get("files", {})
    L += ["", f"Data files and their sha256 are listed under Reproducibility ({len(files)} files)."]
    S["Training data"] = L

    L = []
    for name, rep in ctx["datasets"].items():
        src = rep.get("data", {})
        L.append(f"- **{_title(name)}**: {rep['n']} sentences" + (f", `{src.get('path')}`" if src.get("path") and name != "seed_test" else "") + ".")
    if "realnews_dev" in ctx["datasets"]:
        L.append("- The real-news sentences are **only** evaluated: never trained on, never used to tune thresholds or temperature.")
    if not L:
        L = ["No evaluation outputs were found in `eval/`; run `model-card --model DIR`."]
    S["Evaluation data"] = L

    L = []
    for name, rep in ctx["datasets"].items():
        ci = rep.get("macro_f1_ci95")
        L += [f"### {_title(name)}", "",
              f"Macro-F1 **{_f(rep['macro_f1'])}** (95% bootstrap interval {_f(ci[0])}–{_f(ci[1])}, 1,000 resamples), "
              f"micro-F1 {_f(rep['micro_f1'])}, n = {rep['n']}.", ""]
        L += _per_label_table(rep, labels)
        plots = rep.get("plots", {})
        if plots.get("pr_curves"):
            L += ["", f"![Precision-recall curves with the chosen thresholds]({plots['pr_curves']})"]
        by = rep.get("by_conflict")
        if by:
            L += ["", "Per conflict (macro-F1 over the labels present in the conflict):", "", "| conflict | sentences | macro-F1 | " + " | ".join(labels) + " |",
                  "| --- | ---: | ---: | " + " | ".join("---:" for _ in labels) + " |"]
            for c, v in by.items():
                L.append(f"| {c} | {v['n']} | {_f(v['macro_f1'])} | " + " | ".join(_f(v["f1"].get(l)) for l in labels) + " |")
        L.append("")
    dev = metrics.get("dev")
    if dev:
        L += ["### Dev split (used to choose the epoch, thresholds and temperature: optimistic)", "",
              f"Macro-F1 {_f(dev['macro_f1'])}, micro-F1 {_f(dev['micro_f1'])}, n = {dev['n']}.", ""]
    bl = ctx["baselines"]
    if bl:
        L += ["### Comparison with baselines", "",
              "Trained on the same train split, thresholds tuned on the same dev split, scored the same way. Macro-F1 with 95% interval:", "",
              "| model | " + " | ".join(_title(d) for d in bl["datasets"]) + " |", "| --- | " + " | ".join("---" for _ in bl["datasets"]) + " |"]
        for m, v in bl["models"].items():
            cells = []
            for d in bl["datasets"]:
                r = v["results"].get(d)
                cells.append(f"{_f(r['macro_f1'])} ({_f(r['macro_f1_ci95'][0])}–{_f(r['macro_f1_ci95'][1])})" if r else "–")
            L.append(f"| {m}: {v['description']} | " + " | ".join(cells) + " |")
        for d in bl["datasets"]:
            L += ["", f"Per-label F1 on {_title(d)}:", "", "| model | " + " | ".join(labels) + " |", "| --- | " + " | ".join("---:" for _ in labels) + " |"]
            for m, v in bl["models"].items():
                r = v["results"].get(d)
                if r:
                    L.append(f"| {m} | " + " | ".join(_f(r["per_label_f1"][l]) for l in labels) + " |")
    S["Metrics"] = L

    L = [f"The class-weight prior shift is removed analytically (offsets under Model details) and temperature scaling "
         f"(T = {_f(meta['temperature'])}) is fitted on dev. Expected calibration error (10 equal-width bins over "
         "every sentence-label probability):", ""]
    L += [f"- {_title(n)}: ECE **{_f(r['ece'])}**" for n, r in ctx["datasets"].items()]
    for n, r in ctx["datasets"].items():
        if r.get("plots", {}).get("reliability"):
            L += ["", f"![Reliability diagram, {n}]({r['plots']['reliability']})"]
    S["Calibration"] = L

    beh = ctx["behaviour"]
    if beh:
        L = ["CheckList-style tests on small hand-written files (`training/resources/behaviour/`):", "",
             "| test | what it checks | passed | pass rate |", "| --- | --- | ---: | ---: |"]
        for k, v in beh.items():
            L.append(f"| {k} | {v['description']} | {v['passed']}/{v['n']} | {_f(v['pass_rate'], 2)} |")
        for k, v in beh.items():
            if v["failures"]:
                L += ["", f"Failures ({k}, first 5):", ""]
                for fl in v["failures"][:5]:
                    if k == "invariance":
                        L.append(f"- {' / '.join(fl['texts'])} → " + " / ".join(', '.join(p) or 'none' for p in fl["predicted"]))
                    elif k == "hard_negatives":
                        L.append(f"- \"{fl['text']}\" → {', '.join(f'{l} {p}' for l, p in fl['probabilities'].items())}")
                    else:
                        L.append(f"- {fl['label']} should go {fl['direction']}: \"{fl['base']}\" ({fl['p_base']}) → \"{fl['variant']}\" ({fl['p_variant']})")
    else:
        L = ["Not run."]
    S["Behavioural tests"] = L

    L = []
    for name, err in ctx["errors"].items():
        L += [f"### {_title(name)}", ""]
        for l in labels:
            e = err[l]
            L.append(f"**{l}** (threshold {_f(e['threshold'], 2)}): {e['false_positives']} false positives, {e['false_negatives']} false negatives.")
            L.append("")
            for kind, title in (("top_false_positives", "false positives"), ("top_false_negatives", "false negatives")):
                for x in e[kind][:3]:
                    L.append(f"- {title[:-1]}, p = {_f(x['probability'])}: \"{x['text']}\" (gold: {', '.join(x['gold']) or 'none'})")
            L.append("")
    S["Error analysis"] = L or ["No evaluation outputs."]

    S["Limitations and biases"] = [
        "- **English only**, and **news-wire style**: the model was trained on sentences written like wire reports, statements, "
        "analysis, live updates, interviews, editorials and briefs. Other registers (social media, speeches, transcripts) were not evaluated.",
        "- **The training text was written for the project**, not sampled from real news: real sentences are messier, and the gap "
        "between the seed test split and real news in Metrics measures what this costs.",
        "- **Coverage of conflicts is uneven**: the corpus covers the conflicts listed under Training data; actors, place names and "
        "idioms of other conflicts may be missed. The per-conflict table shows how results vary.",
        "- **Hard boundaries stay hard**: reported blame versus the narrator's own report (`accusation`) and side-taking versus neutral "
        "mediation (`third_party_alignment`) are where annotators disagree most and where the model errs most (see Error analysis).",
        "- **Sentence-level only**: a sentence is read alone; pronouns (\"they accused them\") lose the document context annotators had.",
        "- Label frequencies in real news differ from the corpus; thresholds tuned on dev may not be optimal for a given source.",
    ]
    name = meta.get("name", "base")
    S["How to use"] = [
        "Command line:", "", "```bash",
        f"score --model runs/{name} --input articles.jsonl --output scored/          # sentences, articles, rejects, summary",
        f"evaluate --model runs/{name} --data labelled.jsonl --plots plots/          # metrics with this model's decision rule",
        f"model-card --model runs/{name} --eval labelled.jsonl                        # regenerate this card", "```", "",
        "Python:", "", "```python", "import models", f"model = models.load('runs/{name}')",
        "model.predict(['Baku accused Yerevan of shelling its positions overnight.'])",
        "model.predict_proba(['Moscow urged both sides to respect the ceasefire.'])", "",
        "from inference import Scorer", f"scorer = Scorer.load('runs/{name}')",
        "for result in scorer.score_articles([{'id': 'a1', 'title': '...', 'text': '...'}]):",
        "    print(result.article['labels'], result.article['escalation_score'])", "```",
    ]
    tc = cfg.get("training", {})
    L = [f"- **Config** (resolved, also in `metadata.json`): base `{cfg.get('model', {}).get('base')}`, max length {cfg.get('model', {}).get('max_length')}, "
         f"epochs {tc.get('epochs')}, batch {tc.get('batch_size')}, lr {tc.get('lr')}, weight decay {tc.get('weight_decay')}, warm-up {tc.get('warmup_ratio')}, "
         f"imbalance `{tc.get('imbalance')}` (cap {tc.get('pos_weight_max')}), early stopping patience {tc.get('early_stopping_patience')}.",
         f"- **Seed:** {tc.get('seed')}. Same config and seed give the same weights and metrics on the same CPU.",
         f"- **Weights sha256:** `{meta.get('weights_sha256')}`",
         "- **Data files (sha256):**"]
    L += [f"  - `{Path(p).name}` `{h[:16]}…`" for p, h in sorted(files.items())[:60]]
    if len(files) > 60:
        L.append(f"  - … and {len(files) - 60} more in metadata.json")
    L += ["- **Library versions:** " + ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items()),
          f"- **Training time:** {_f(tr.get('seconds'), 0)} s on {tr.get('hardware', {}).get('cpu_model', '?')} "
          f"({tr.get('hardware', {}).get('cpu_count', '?')} cores, {tr.get('hardware', {}).get('torch_threads', '?')} torch threads)."]
    S["Reproducibility"] = L
    return S


def render_markdown(ctx: dict) -> str:
    front = yaml.safe_dump(card_metadata(ctx), sort_keys=False, allow_unicode=True, width=1000)
    body = [f"# {ctx['meta'].get('name')}: conflict-news stance and escalation classifier", "",
            "Labels English news sentences as **accusation**, **ceasefire**, **escalation_risk** and **third_party_alignment** "
            "(multi-label). Every number below is read from this directory's `metrics.json` and `eval/` files.", ""]
    for title, lines in sections(ctx).items():
        body += [f"## {title}", "", *lines, ""]
    return f"---\n{front}---\n\n" + "\n".join(body).rstrip() + "\n"


# ---------------------------------------------------------------- HTML

def _png_data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def _extra_plots(ctx: dict) -> dict[str, str]:
    """Per-conflict bars and thresholds per label, drawn from the eval files (as data URIs)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = {}
    labels = ctx["meta"]["labels"]

    def uri(fig) -> str:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90)
        plt.close(fig)
        return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()

    fig, ax = plt.subplots(figsize=(5.5, 2.8))
    thr = [ctx["meta"]["thresholds"][l] for l in labels]
    ax.barh(range(len(labels)), thr, color="#1f5f99")
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.axvline(0.5, color="grey", linestyle="--", linewidth=1)
    ax.set_xlim(0, 1)
    ax.set_xlabel("threshold (dashed: 0.5)")
    ax.set_title("decision threshold per label", fontsize=10)
    fig.tight_layout()
    out["thresholds"] = uri(fig)
    for name, rep in ctx["datasets"].items():
        by = rep.get("by_conflict")
        if not by:
            continue
        items = [(c, v["macro_f1"]) for c, v in by.items() if v["macro_f1"] is not None]
        fig, ax = plt.subplots(figsize=(5.5, 0.35 * len(items) + 1))
        ax.barh(range(len(items)), [v for _, v in items], color="#2e8b57")
        ax.set_yticks(range(len(items)), [c for c, _ in items], fontsize=8)
        ax.set_xlim(0, 1)
        ax.set_xlabel("macro-F1")
        ax.set_title(f"per conflict: {name}", fontsize=10)
        fig.tight_layout()
        out[f"conflicts_{name}"] = uri(fig)
    return out


CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1050px;margin:2em auto;padding:0 1em;color:#1d1d1d;line-height:1.45}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:.25em .5em}th{background:#f2f4f7}
td:not(:first-child){text-align:right}img{max-width:100%;border:1px solid #eee;margin:.4em 0}code{background:#f4f4f4;padding:0 .2em}
pre{background:#f4f4f4;padding:.6em;overflow-x:auto}h2{border-bottom:2px solid #1f5f99;padding-bottom:.2em;margin-top:1.6em}
.checklist li{list-style:none;margin:.3em 0}.meta{color:#555;font-size:.9em}
"""


def render_html(ctx: dict, markdown_text: str) -> str:
    """The card as one self-contained page: plots inlined as data URIs, no external references."""
    import markdown as md

    body_md = markdown_text.split("---\n", 2)[2]
    model_dir = ctx["dir"]

    def inline(m: re.Match) -> str:
        alt, src = m.group(1), m.group(2)
        path = model_dir / src
        return f"![{alt}]({_png_data_uri(path)})" if path.is_file() else f"*({alt}: image missing)*"

    body_md = re.sub(r"!\[([^\]]*)\]\(([^)]+\.png)\)", inline, body_md)
    body = md.markdown(body_md, extensions=["tables", "fenced_code"])
    extra = _extra_plots(ctx)
    figures = [f'<h2>Figures</h2><p>Thresholds per label:</p><img alt="thresholds per label" src="{extra["thresholds"]}">']
    figures += [f'<p>{html.escape(k)}:</p><img alt="{html.escape(k)}" src="{v}">' for k, v in extra.items() if k != "thresholds"]
    checklist = "".join(f'<li><label><input type="checkbox"> {html.escape(item)}</label></li>' for item in REVIEW_CHECKLIST)
    review = (f'<h2>Review checklist</h2><p>Tick each item before this model is used.</p><ul class="checklist">{checklist}</ul>'
              '<p><label>Reviewer: <input type="text" size="30"></label> <label>Date: <input type="text" size="12"></label></p>'
              '<p><label>Decision: <select><option>not reviewed</option><option>approved for the intended use</option>'
              '<option>approved with restrictions</option><option>rejected</option></select></label></p>')
    title = html.escape(f"Model card: {ctx['meta'].get('name')}")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{CSS}</style></head>'
            f'<body><p class="meta">Model directory fingerprint <code>{ctx["fingerprint"]}</code></p>{body}{"".join(figures)}{review}</body></html>\n')


def write_card(model_dir: str | Path) -> dict[str, Path]:
    """Write ``README.md`` and ``card.html`` into the model directory from its files; return their paths."""
    model_dir = Path(model_dir)
    ctx = _load(model_dir)
    text = render_markdown(ctx)
    (model_dir / CARD).write_text(text, encoding="utf-8")
    (model_dir / CARD_HTML).write_text(render_html(ctx, text), encoding="utf-8")
    return {"readme": model_dir / CARD, "html": model_dir / CARD_HTML}
