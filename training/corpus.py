"""Seed-corpus tooling: validate, report statistics and agreement, assign splits, regenerate the datasheet.

    python -m training.corpus validate [--corpus seeds/corpus]     # exit 1 on any problem
    python -m training.corpus stats                                # counts, distinct n-grams, kappa (JSON)
    python -m training.corpus split --seed 0                       # (re)assign split by conflict
    python -m training.corpus datasheet                            # rewrite the statistics in seeds/README.md

The corpus is a directory of JSONL files, one record per sentence:
``{id, doc_id, sentence_index, text, labels, conflict, genre, split[, topic, year]}``.
Documents are 5 to 25 consecutive sentences (headline first); ``conflict`` is ``none`` for documents
about no armed conflict. Annotation passes live in ``seeds/annotation/passes.jsonl``:
``{id, pass_a, pass_b, final[, ruling]}``.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import re
import sys
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from models.labels import LABELS

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO / "seeds" / "corpus"
DEFAULT_PASSES = REPO / "seeds" / "annotation" / "passes.jsonl"
DATASHEET = REPO / "seeds" / "README.md"
GENRES = ("wire", "statement", "analysis", "live", "interview", "editorial", "brief")
SPLITS = ("train", "dev", "test")
NEAR_DUPLICATE_JACCARD = 0.8
REQUIRED = {"id": str, "doc_id": str, "sentence_index": int, "text": str, "labels": list, "conflict": str, "genre": str, "split": str}
OPTIONAL = {"topic": str, "year": int}


# ---------------------------------------------------------------- reading

def read_corpus(corpus: Path = DEFAULT_CORPUS) -> tuple[list[dict], list[str]]:
    """All records (with ``_where`` = file:line) and the problems found while parsing."""
    records, problems = [], []
    files = sorted(Path(corpus).glob("*.jsonl"))
    if not files:
        return [], [f"{corpus}: no *.jsonl files"]
    for file in files:
        for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{file}:{n}: invalid JSON: {exc.msg}")
                continue
            if not isinstance(rec, dict):
                problems.append(f"{file}:{n}: not a JSON object")
                continue
            rec["_where"] = f"{file.relative_to(REPO) if file.is_relative_to(REPO) else file}:{n}"
            records.append(rec)
    return records, problems


def clean(rec: dict) -> dict:
    return {k: v for k, v in rec.items() if not k.startswith("_")}


# ---------------------------------------------------------------- near duplicates

def char_grams(text: str, n: int = 5) -> set[str]:
    """Character n-grams of the normalised text (lower case, alphanumerics and single spaces)."""
    t = re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]", " ", text.lower())).strip()
    if len(t) <= n:
        return {t}
    return {t[i:i + n] for i in range(len(t) - n + 1)}


def near_duplicate_pairs(texts: Sequence[str], threshold: float = NEAR_DUPLICATE_JACCARD) -> list[tuple[int, int, float]]:
    """Every pair (i, j, jaccard) with 5-gram Jaccard above ``threshold``; exact, via prefix filtering.

    Each gram set is ordered by global gram frequency (rarest first). Two sets with Jaccard > t share at
    least one gram among the first ``|s| - ceil(t * |s|) + 1`` of each, so only pairs meeting there are
    compared in full.
    """
    sets = [char_grams(t) for t in texts]
    freq = collections.Counter(g for s in sets for g in s)
    ordered = [sorted(s, key=lambda g: (freq[g], g)) for s in sets]
    index: dict[str, list[int]] = collections.defaultdict(list)
    out = []
    for i, grams in enumerate(ordered):
        prefix = len(grams) - math.ceil(threshold * len(grams)) + 1
        candidates = set()
        for g in grams[:max(prefix, 1)]:
            candidates.update(index[g])
            index[g].append(i)
        for j in candidates:
            inter = len(sets[i] & sets[j])
            jac = inter / (len(sets[i]) + len(sets[j]) - inter)
            if jac > threshold:
                out.append((min(i, j), max(i, j), jac))
    return sorted(out)


# ---------------------------------------------------------------- validation

def validate(records: list[dict], labels: Sequence[str] = LABELS) -> list[str]:
    """Every problem with the corpus, as 'file:line: field: message' strings (empty = valid)."""
    problems: list[str] = []
    known = set(labels)
    ids: dict[str, str] = {}
    docs: dict[str, list[dict]] = collections.defaultdict(list)
    for rec in records:
        where = rec.get("_where", "?")
        for key, typ in REQUIRED.items():
            if key not in rec:
                problems.append(f"{where}: field '{key}' is missing")
            elif not isinstance(rec[key], typ) or isinstance(rec[key], bool):
                problems.append(f"{where}: field '{key}' must be {typ.__name__}, got {type(rec[key]).__name__}")
        for key, typ in OPTIONAL.items():
            if key in rec and (not isinstance(rec[key], typ) or isinstance(rec[key], bool)):
                problems.append(f"{where}: field '{key}' must be {typ.__name__}")
        extra = set(rec) - set(REQUIRED) - set(OPTIONAL) - {"_where"}
        if extra:
            problems.append(f"{where}: unknown field(s) {sorted(extra)}")
        if isinstance(rec.get("text"), str) and not rec["text"].strip():
            problems.append(f"{where}: field 'text' is empty")
        if isinstance(rec.get("labels"), list):
            bad = [l for l in rec["labels"] if l not in known]
            if bad:
                problems.append(f"{where}: field 'labels': unknown label(s) {bad}")
            if len(set(map(str, rec["labels"]))) != len(rec["labels"]):
                problems.append(f"{where}: field 'labels': repeated label")
        if rec.get("genre") not in GENRES:
            problems.append(f"{where}: field 'genre': {rec.get('genre')!r} is not one of {', '.join(GENRES)}")
        if rec.get("split") not in SPLITS:
            problems.append(f"{where}: field 'split': {rec.get('split')!r} is not one of {', '.join(SPLITS)}")
        if rec.get("conflict") == "none" and not rec.get("topic"):
            problems.append(f"{where}: field 'topic' is required when conflict is 'none'")
        rid = rec.get("id")
        if isinstance(rid, str):
            if rid in ids:
                problems.append(f"{where}: field 'id': duplicate id {rid!r} (first at {ids[rid]})")
            ids.setdefault(rid, where)
        if isinstance(rec.get("doc_id"), str):
            docs[rec["doc_id"]].append(rec)
    for doc_id, recs in docs.items():
        where = recs[0].get("_where", "?")
        idx = sorted(r.get("sentence_index", -1) for r in recs if isinstance(r.get("sentence_index"), int))
        if idx != list(range(len(recs))):
            problems.append(f"{where}: document {doc_id!r}: sentence_index must run 0..{len(recs) - 1} without gaps")
        if not 5 <= len(recs) <= 25:
            problems.append(f"{where}: document {doc_id!r} has {len(recs)} sentences (5 to 25 allowed)")
        for key in ("conflict", "genre", "split"):
            values = {r.get(key) for r in recs}
            if len(values) > 1:
                problems.append(f"{where}: document {doc_id!r} mixes {key} values {sorted(map(str, values))}")
    conflict_splits: dict[str, set] = collections.defaultdict(set)
    for rec in records:
        if rec.get("conflict") not in (None, "none"):
            conflict_splits[rec["conflict"]].add(rec.get("split"))
    for conflict, splits in sorted(conflict_splits.items()):
        if len(splits) > 1:
            problems.append(f"conflict {conflict!r} appears in several splits {sorted(map(str, splits))}: splits must be by conflict")
    texts = [r["text"] for r in records if isinstance(r.get("text"), str)]
    wheres = [r.get("_where", "?") for r in records if isinstance(r.get("text"), str)]
    for i, j, jac in near_duplicate_pairs(texts):
        problems.append(f"{wheres[j]}: near-duplicate of {wheres[i]} (5-gram Jaccard {jac:.2f}): {texts[j][:70]!r}")
    return problems


# ---------------------------------------------------------------- statistics

def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())


def distinct_ngrams(texts: Iterable[str], n: int) -> float:
    """Distinct n-grams / total n-grams over the texts (word level); 0 when there are none."""
    total, seen = 0, set()
    for t in texts:
        w = words(t)
        grams = [tuple(w[i:i + n]) for i in range(len(w) - n + 1)]
        total += len(grams)
        seen.update(grams)
    return len(seen) / total if total else 0.0


def cohen_kappa(a: Sequence[int], b: Sequence[int]) -> float:
    """Cohen's kappa of two 0/1 annotations (1.0 when both are constant and equal)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    po = float(np.mean(a == b))
    pa, pb = a.mean(), b.mean()
    pe = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if pe == 1 else float((po - pe) / (1 - pe))


def read_passes(path: Path = DEFAULT_PASSES) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def agreement(passes: list[dict], labels: Sequence[str] = LABELS) -> dict:
    """Per-label Cohen's kappa and raw agreement between pass A and pass B, and how many were adjudicated."""
    out: dict = {"n": len(passes), "per_label": {}}
    for name in labels:
        a = [int(name in p["pass_a"]) for p in passes]
        b = [int(name in p["pass_b"]) for p in passes]
        out["per_label"][name] = {
            "kappa": round(cohen_kappa(a, b), 3) if passes else None,
            "agreement": round(float(np.mean(np.equal(a, b))), 4) if passes else None,
            "pass_a_positive": int(sum(a)), "pass_b_positive": int(sum(b)),
        }
    disagree = [p for p in passes if set(p["pass_a"]) != set(p["pass_b"])]
    out["sentences_with_disagreement"] = len(disagree)
    out["final_equals_pass_a"] = sum(1 for p in disagree if set(p["final"]) == set(p["pass_a"]))
    out["final_equals_pass_b"] = sum(1 for p in disagree if set(p["final"]) == set(p["pass_b"]))
    out["final_differs_from_both"] = len(disagree) - out["final_equals_pass_a"] - out["final_equals_pass_b"]
    rulings = collections.Counter()
    for p in disagree:
        for rule in re.findall(r"\bR\d+\b", p.get("ruling", "")):
            rulings[rule] += 1
    out["rulings_cited"] = dict(sorted(rulings.items(), key=lambda kv: int(kv[0][1:])))
    return out


def statistics(records: list[dict], passes: list[dict] | None = None, labels: Sequence[str] = LABELS) -> dict:
    """Everything the datasheet reports, computed from the corpus files."""
    n = len(records)
    docs = {r["doc_id"] for r in records}
    label_counts = collections.Counter(l for r in records for l in r["labels"])
    by_split = {s: [r for r in records if r["split"] == s] for s in SPLITS}
    conflicts = sorted({r["conflict"] for r in records if r["conflict"] != "none"})
    per_conflict = {}
    for c in conflicts + ["none"]:
        rs = [r for r in records if r["conflict"] == c]
        per_conflict[c] = {"documents": len({r["doc_id"] for r in rs}), "sentences": len(rs), "split": sorted({r["split"] for r in rs}),
                           "labels": {l: sum(l in r["labels"] for r in rs) for l in labels}}
    genre_docs = collections.Counter({r["doc_id"]: r["genre"] for r in records}.values())
    lengths = [len(words(r["text"])) for r in records]
    stats = {
        "sentences": n,
        "documents": len(docs),
        "conflicts": len(conflicts),
        "non_conflict_documents": len({r["doc_id"] for r in records if r["conflict"] == "none"}),
        "labels": {l: label_counts[l] for l in labels},
        "no_label": sum(not r["labels"] for r in records),
        "two_or_more_labels": sum(len(r["labels"]) >= 2 for r in records),
        "splits": {s: {"sentences": len(rs), "documents": len({r['doc_id'] for r in rs}),
                       "conflicts": sorted({r["conflict"] for r in rs if r["conflict"] != "none"}),
                       "labels": {l: sum(l in r["labels"] for r in rs) for l in labels},
                       "no_label": sum(not r["labels"] for r in rs)} for s, rs in by_split.items()},
        "genres": {g: {"documents": genre_docs[g], "sentences": sum(r["genre"] == g for r in records)} for g in GENRES},
        "topics": dict(collections.Counter(doc_topic for doc_topic in {r["doc_id"]: r.get("topic") for r in records if r["conflict"] == "none"}.values())),
        "per_conflict": per_conflict,
        "sentence_words": {"mean": round(float(np.mean(lengths)), 1) if lengths else 0, "min": min(lengths, default=0),
                           "max": max(lengths, default=0), "p50": int(np.median(lengths)) if lengths else 0},
    }
    groups = {l: [r["text"] for r in records if l in r["labels"]] for l in labels}
    groups["(none)"] = [r["text"] for r in records if not r["labels"]]
    stats["distinct_ngrams"] = {g: {f"distinct_{k}": round(distinct_ngrams(texts, k), 3) for k in (1, 2, 3)} for g, texts in groups.items()}
    if passes is not None:
        stats["agreement"] = agreement(passes, labels)
    return stats


def check_targets(stats: dict) -> list[str]:
    """The corpus targets of the seed-corpus issue that the statistics do not meet."""
    misses = []
    if stats["sentences"] < 4000:
        misses.append(f"{stats['sentences']} sentences (target 4,000)")
    if stats["documents"] < 300:
        misses.append(f"{stats['documents']} documents (target 300)")
    if stats["conflicts"] < 30:
        misses.append(f"{stats['conflicts']} conflicts (target 30)")
    if stats["non_conflict_documents"] < 60:
        misses.append(f"{stats['non_conflict_documents']} non-conflict documents (target 60)")
    for l, c in stats["labels"].items():
        if c < 500:
            misses.append(f"{l}: {c} sentences (target 500)")
    if stats["no_label"] < 0.35 * stats["sentences"]:
        misses.append(f"no-label share {stats['no_label'] / stats['sentences']:.1%} (target 35%)")
    if stats["two_or_more_labels"] < 0.10 * stats["sentences"]:
        misses.append(f"two-or-more-labels share {stats['two_or_more_labels'] / stats['sentences']:.1%} (target 10%)")
    for s in ("dev", "test"):
        for l, c in stats["splits"][s]["labels"].items():
            if c == 0:
                misses.append(f"{l} absent from {s}")
    return misses


# ---------------------------------------------------------------- splits

def assign_splits(records: list[dict], seed: int = 0, shares: tuple[float, float, float] = (0.70, 0.15, 0.15),
                  labels: Sequence[str] = LABELS, tries: int = 2000) -> dict[str, str]:
    """Map conflict (and, for non-conflict documents, doc_id) to a split.

    Conflicts are dealt in a seeded random order to the split furthest below its sentence share; among
    the tries, the assignment whose split sizes are closest to ``shares`` while putting every label
    in dev and test (with at least 8% of each label's sentences) is kept.
    """
    groups: dict[str, list[dict]] = collections.defaultdict(list)
    for r in records:
        key = r["conflict"] if r["conflict"] != "none" else f"doc:{r['doc_id']}"
        groups[key].append(r)
    keys = sorted(groups)
    total = len(records)
    label_total = {l: sum(l in r["labels"] for r in records) for l in labels}
    rng = np.random.default_rng(seed)
    best, best_cost = None, math.inf
    for _ in range(tries):
        order = [keys[i] for i in rng.permutation(len(keys))]
        size = dict.fromkeys(SPLITS, 0)
        assign = {}
        for key in order:
            need = {s: shares[i] * total - size[s] for i, s in enumerate(SPLITS)}
            s = max(SPLITS, key=lambda x: need[x] / shares[SPLITS.index(x)])
            assign[key] = s
            size[s] += len(groups[key])
        ok = True
        for s in ("dev", "test"):
            for l in labels:
                got = sum(l in r["labels"] for k, g in groups.items() if assign[k] == s for r in g)
                if got < 0.08 * label_total[l]:
                    ok = False
        cost = sum(abs(size[s] / total - shares[i]) for i, s in enumerate(SPLITS))
        if ok and cost < best_cost:
            best, best_cost = assign, cost
    if best is None:
        raise ValueError("no split assignment puts every label in dev and test; add documents for the missing labels")
    return best


def write_corpus(records: list[dict], corpus: Path = DEFAULT_CORPUS) -> None:
    """Rewrite the corpus files, one per conflict (``none.jsonl`` for the rest), records in document order."""
    by_file: dict[str, list[dict]] = collections.defaultdict(list)
    for r in records:
        by_file[r["conflict"]].append(clean(r))
    corpus.mkdir(parents=True, exist_ok=True)
    for old in corpus.glob("*.jsonl"):
        if old.stem not in by_file:
            old.unlink()
    order = ["id", "doc_id", "sentence_index", "text", "labels", "conflict", "genre", "topic", "year", "split"]
    for name, rs in by_file.items():
        rs.sort(key=lambda r: (r["doc_id"], r["sentence_index"]))
        with open(corpus / f"{name}.jsonl", "w", encoding="utf-8") as f:
            for r in rs:
                f.write(json.dumps({k: r[k] for k in order if k in r}, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- datasheet

BEGIN, END = "<!-- stats:begin (generated by python -m training.corpus datasheet) -->", "<!-- stats:end -->"


def render_statistics(stats: dict) -> str:
    """Markdown tables of the statistics, for the datasheet."""
    n = stats["sentences"]
    pct = lambda c, d=n: f"{c / d:.1%}" if d else "-"
    L = [BEGIN, "", f"**{n:,} sentences in {stats['documents']} documents**, {stats['conflicts']} conflicts, "
         f"{stats['non_conflict_documents']} documents about no armed conflict. Sentence length: mean "
         f"{stats['sentence_words']['mean']} words (median {stats['sentence_words']['p50']}, range "
         f"{stats['sentence_words']['min']}–{stats['sentence_words']['max']}).", "",
         "### Labels", "", "| label | sentences | share | distinct-1 | distinct-2 | distinct-3 |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for l, c in stats["labels"].items():
        d = stats["distinct_ngrams"][l]
        L.append(f"| {l} | {c:,} | {pct(c)} | {d['distinct_1']:.3f} | {d['distinct_2']:.3f} | {d['distinct_3']:.3f} |")
    d = stats["distinct_ngrams"]["(none)"]
    L.append(f"| (no label) | {stats['no_label']:,} | {pct(stats['no_label'])} | {d['distinct_1']:.3f} | {d['distinct_2']:.3f} | {d['distinct_3']:.3f} |")
    L.append(f"| two or more labels | {stats['two_or_more_labels']:,} | {pct(stats['two_or_more_labels'])} | | | |")
    L += ["", "Distinct-n is the number of distinct word n-grams divided by all word n-grams in the sentences with that label.", "",
          "### Splits (by conflict: no conflict is in two splits)", "",
          "| split | sentences | documents | " + " | ".join(LABELS) + " | no label | conflicts |",
          "| --- | ---: | ---: | " + " | ".join("---:" for _ in LABELS) + " | ---: | --- |"]
    for s, v in stats["splits"].items():
        L.append(f"| {s} | {v['sentences']:,} ({pct(v['sentences'])}) | {v['documents']} | " + " | ".join(str(v["labels"][l]) for l in LABELS)
                 + f" | {v['no_label']} | {', '.join(v['conflicts'])} |")
    L += ["", "### Conflicts", "", "| conflict | split | documents | sentences | " + " | ".join(LABELS) + " |",
          "| --- | --- | ---: | ---: | " + " | ".join("---:" for _ in LABELS) + " |"]
    for c, v in stats["per_conflict"].items():
        L.append(f"| {c} | {', '.join(v['split'])} | {v['documents']} | {v['sentences']} | " + " | ".join(str(v["labels"][l]) for l in LABELS) + " |")
    L += ["", "### Genres", "", "| genre | documents | sentences |", "| --- | ---: | ---: |"]
    for g, v in stats["genres"].items():
        L.append(f"| {g} | {v['documents']} | {v['sentences']:,} |")
    L += ["", "Topics of the documents about no armed conflict: " + ", ".join(f"{t} {c}" for t, c in sorted(stats["topics"].items(), key=lambda kv: -kv[1])) + "."]
    ag = stats.get("agreement")
    if ag and ag["n"]:
        L += ["", "### Agreement (pass A vs pass B, before adjudication)", "", "| label | Cohen's kappa | raw agreement | pass A positives | pass B positives |", "| --- | ---: | ---: | ---: | ---: |"]
        for l, v in ag["per_label"].items():
            L.append(f"| {l} | {v['kappa']:.3f} | {v['agreement']:.1%} | {v['pass_a_positive']} | {v['pass_b_positive']} |")
        L += ["", f"{ag['n']:,} sentences double-annotated; {ag['sentences_with_disagreement']} had a disagreement on at least one label and were "
              f"adjudicated: the final labels equal pass A in {ag['final_equals_pass_a']}, pass B in {ag['final_equals_pass_b']}, and neither in "
              f"{ag['final_differs_from_both']}. Rules cited in rulings: " + ", ".join(f"{k} {v}" for k, v in ag["rulings_cited"].items()) + "."]
    L += ["", END]
    return "\n".join(L)


def update_datasheet(stats: dict, path: Path = DATASHEET) -> bool:
    """Replace the generated block of the datasheet; return True when it changed."""
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise ValueError(f"{path} lacks the markers {BEGIN!r} ... {END!r}")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = head + render_statistics(stats) + tail
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def datasheet_in_sync(stats: dict, path: Path = DATASHEET) -> bool:
    text = path.read_text(encoding="utf-8")
    return render_statistics(stats) in text


# ---------------------------------------------------------------- for the model directory

def provenance(splits, corpus: Path | None) -> dict:
    """What the model card reports about the training data, stored in metadata.json at training time.

    Conflicts and genres per split come from the examples' metadata; agreement comes from
    ``<corpus>/../annotation/passes.jsonl`` when the corpus is the seed corpus layout.
    """
    out: dict = {"conflicts": {}, "genres": {}, "documents": {}}
    for name in ("train", "dev", "test"):
        exs = getattr(splits, name)
        out["conflicts"][name] = sorted({str(e.meta["conflict"]) for e in exs if e.meta.get("conflict") not in (None, "none")})
        out["genres"][name] = dict(collections.Counter(str(e.meta.get("genre", "unknown")) for e in exs))
        out["documents"][name] = len({e.meta.get("doc_id") for e in exs if e.meta.get("doc_id")})
        out.setdefault("no_conflict_sentences", {})[name] = sum(1 for e in exs if e.meta.get("conflict") == "none")
    if corpus is not None:
        passes_file = Path(corpus).parent / "annotation" / "passes.jsonl"
        passes = read_passes(passes_file)
        if passes:
            ag = agreement(passes)
            out["annotation"] = {"file": str(passes_file), "sentences": ag["n"],
                                 "kappa": {l: v["kappa"] for l, v in ag["per_label"].items()},
                                 "adjudicated": ag["sentences_with_disagreement"]}
    return out


# ---------------------------------------------------------------- CLI

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.corpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["validate", "stats", "split", "datasheet"])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--passes", type=Path, default=DEFAULT_PASSES)
    parser.add_argument("--seed", type=int, default=0, help="split: seed of the conflict shuffle")
    args = parser.parse_args(argv)
    records, problems = read_corpus(args.corpus)
    if args.command == "split":
        assign = assign_splits(records, seed=args.seed)
        for r in records:
            r["split"] = assign[r["conflict"] if r["conflict"] != "none" else f"doc:{r['doc_id']}"]
        write_corpus(records, args.corpus)
        records, problems = read_corpus(args.corpus)
    problems += validate(records)
    if args.command == "validate":
        for p in problems:
            print(p)
        if problems:
            print(f"{len(problems)} problems", file=sys.stderr)
            return 1
        stats = statistics(records)
        print(f"ok: {stats['sentences']} sentences, {stats['documents']} documents, {stats['conflicts']} conflicts")
        print("distinct n-gram ratios per label (word 1/2/3-grams):")
        for l, d in stats["distinct_ngrams"].items():
            print(f"  {l:24s} {d['distinct_1']:.3f} {d['distinct_2']:.3f} {d['distinct_3']:.3f}")
        misses = check_targets(stats)
        for m in misses:
            print(f"target missed: {m}")
        return 1 if misses else 0
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        return 1
    stats = statistics(records, read_passes(args.passes))
    if args.command == "stats":
        print(json.dumps(stats, indent=2))
    elif args.command == "datasheet":
        changed = update_datasheet(stats)
        print(f"{DATASHEET}: {'updated' if changed else 'already up to date'}")
    elif args.command == "split":
        print(json.dumps({s: v["sentences"] for s, v in stats["splits"].items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
