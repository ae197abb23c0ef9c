"""Compare sentence splitters for batch scoring: accuracy on hand-labelled gold, speed on the shared dumps.

    python benchmarks/segmentation.py                 # all backends, full dumps (a few minutes: pysbd is slow)
    python benchmarks/segmentation.py --limit 500     # first 500 articles of each dump for the speed columns
    python benchmarks/segmentation.py --compare blingfire,nupunkt   # where two backends disagree, to judge

Backends: a regex baseline, pysbd, syntok, blingfire, nupunkt with its stock model (``nupunkt-stock``)
and nupunkt with the abbreviation list cut down as ``inference.segment`` does (``nupunkt``), each ``raw``
(the library alone on the whole text) and ``wrapped`` (the same library inside ``inference.segment``'s
layout blocks and rules; ``nupunkt wrapped`` is exactly ``inference.segment.segment``). A library that is
not installed is listed as missing.

Accuracy is exact-boundary F1: a boundary is the end offset (whitespace stripped) of every sentence but
the last; a predicted boundary counts only if it is at exactly the gold offset.

Gold (``benchmarks/data/segmentation_gold.jsonl``), one JSON object a line:

* ``kind`` seed / quotes / abbreviations / ...: ``text`` and its ``sentences`` in order (hand-written
  hard cases and the seed article ``seeds/articles/armenia-azerbaijan-2022-09.txt``).
* ``kind`` shared-sample: 40 articles of ``../shared/data`` (20 BBC, lower-cased, punctuation partly
  stripped; 20 InSight Crime), stored as ``id``, ``source``, ``sha256`` of the text and the hand-checked
  ``boundaries`` only (no text from the dumps is in the repository). Gold boundaries are judged at every
  position after ``.``/``!``/``?`` (plus closing quotes) and at every cut any backend proposed; the BBC
  dump's stripped question marks and quotes leave boundaries no splitter can see, which are not counted.
  These rows, and the speed columns, are skipped when ../shared is absent.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inference import segment as seg  # noqa: E402

GOLD = ROOT / "benchmarks" / "data" / "segmentation_gold.jsonl"
SHARED = ROOT.parent / "shared" / "data"
DUMPS = ("articles_bbc.jsonl", "articles_insightcrime.jsonl")
LONG = 400  # a "sentence" this long (about 70 words) almost always hides a missed boundary

Splitter = Callable[[str], Iterable[int]]


# ------------------------------------------------------------------------------------------ backends

_REGEX = re.compile(r"[.!?]+['\"\u2019\u201d)\]]*(?=\s+['\"\u2018\u201c(\[]?[A-Z0-9])")


def _regex() -> Splitter:
    return lambda text: [m.end() for m in _REGEX.finditer(text)]


def _pysbd() -> Splitter:
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False)

    def cuts(text: str) -> list[int]:
        # pysbd's own char_span mapping is unreliable on repeated sentences: locate each one in order.
        out, pos = [], 0
        for sentence in segmenter.segment(text):
            sentence = sentence.strip()
            i = text.find(sentence, pos) if sentence else -1
            if i >= 0:
                pos = i + len(sentence)
                out.append(pos)
        return out

    return cuts


def _syntok() -> Splitter:
    import syntok.segmenter as syntok

    def cuts(text: str) -> list[int]:
        out = []
        for paragraph in syntok.analyze(text):
            for sentence in paragraph:
                last = sentence[-1]
                out.append(last.offset + len(last.value))
        return out

    return cuts


def _blingfire() -> Splitter:
    import blingfire

    return lambda text: [end for _, end in blingfire.text_to_sentences_and_offsets(text)[1]] if text.strip() else []


def _nupunkt_stock() -> Splitter:
    import nupunkt

    tokenizer = nupunkt.load("default")
    return lambda text: [end for _, end in tokenizer.span_tokenize(text)]


def _nupunkt() -> Splitter:
    return seg._nupunkt_cuts  # the bundled model with the abbreviation list cut down for news


BACKENDS: dict[str, Callable[[], Splitter]] = {
    "regex": _regex, "pysbd": _pysbd, "syntok": _syntok, "blingfire": _blingfire,
    "nupunkt-stock": _nupunkt_stock, "nupunkt": _nupunkt,
}


def run(text: str, splitter: Splitter, mode: str) -> list[seg.Sentence]:
    if mode == "wrapped":
        return seg._segment(text, max_chars=2000, splitter=splitter)
    if not text or text.isspace():
        return []
    cuts = sorted({c for c in splitter(text) if 0 < c < len(text)})
    return seg._assemble(text, cuts, max_chars=10**9)


# --------------------------------------------------------------------------------------------- gold


def load_gold() -> tuple[list[tuple[str, str, set[int]]], list[tuple[str, str, set[int]]], str | None]:
    """(hard cases + seed, shared sample, why the shared sample is missing) as (id, text, boundaries)."""
    hard, sample, missing = [], [], None
    dumps: dict[str, dict[str, str]] = {}
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["kind"] != "shared-sample":
            text, pos, ends = row["text"], 0, []
            for sentence in row["sentences"]:
                pos = text.index(sentence, pos) + len(sentence)
                ends.append(pos)
            hard.append((row["id"], text, set(ends[:-1])))
            continue
        path = SHARED / row["source"]
        if not path.is_file():
            missing = f"{path} not found"
            continue
        if row["source"] not in dumps:
            dumps[row["source"]] = {
                r["id"]: r["text"] for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())
            }
        text = dumps[row["source"]].get(row["id"])
        if text is None or hashlib.sha256(text.encode()).hexdigest() != row["sha256"]:
            missing = f"{row['id']} missing or changed in {path}"
            continue
        sample.append((row["id"], text, set(row["boundaries"])))
    return hard, sample, missing


def f1(docs: list[tuple[str, str, set[int]]], splitter: Splitter, mode: str) -> tuple[float, list[str]]:
    tp = fp = fn = 0
    wrong = []
    for doc_id, text, gold in docs:
        pred = {s.end for s in run(text, splitter, mode)[:-1]}
        tp, fp, fn = tp + len(pred & gold), fp + len(pred - gold), fn + len(gold - pred)
        if pred != gold:
            wrong.append(doc_id)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return (2 * precision * recall / (precision + recall) if precision + recall else 0.0), wrong


# -------------------------------------------------------------------------------------------- speed


def load_dumps(limit: int | None) -> tuple[list[str], list[str]]:
    """(ids, texts) of the shared dumps, or two empty lists when ../shared is absent."""
    ids, texts = [], []
    for name in DUMPS:
        path = SHARED / name
        if not path.is_file():
            return [], []
        for line in path.read_text(encoding="utf-8").splitlines()[:limit]:
            row = json.loads(line)
            ids.append(row["id"])
            texts.append(row["text"])
    return ids, texts


def speed(texts: list[str], splitter: Splitter, mode: str) -> tuple[float, float, float, float]:
    run("Warm up. Once.", splitter, mode)
    t0 = time.perf_counter()
    results = [run(t, splitter, mode) for t in texts]
    elapsed = time.perf_counter() - t0
    sentences = sum(len(r) for r in results)
    long = sum(1 for r in results for s in r if len(s.text) >= LONG)
    return len(texts) / elapsed, sentences / elapsed, sentences / len(texts), 100 * long / max(sentences, 1)


def compare(texts: list[str], ids: list[str], a: str, b: str, show: int) -> None:
    """Boundaries (wrapped mode) that only one of two backends puts, with random examples to judge."""
    import random

    def shifted(text: str, e: int, others: set[int]) -> bool:
        # the other backend cuts on the other side of a stray marker ('. *** This', '. "" The')
        return any(not re.search(r"\w", text[min(e, o):max(e, o)]) for o in others if abs(o - e) <= 8)

    split_a, split_b = BACKENDS[a](), BACKENDS[b]()
    only: dict[str, list[tuple[str, int, str]]] = {a: [], b: []}
    n_shifted = {a: 0, b: 0}
    for doc_id, text in zip(ids, texts):
        ends_a = {s.end for s in run(text, split_a, "wrapped")[:-1]}
        ends_b = {s.end for s in run(text, split_b, "wrapped")[:-1]}
        for name, mine, theirs in ((a, ends_a, ends_b), (b, ends_b, ends_a)):
            for e in sorted(mine - theirs):
                if shifted(text, e, theirs - mine):
                    n_shifted[name] += 1
                else:
                    only[name].append((doc_id, e, text))
    rng = random.Random(0)
    for name, items in only.items():
        print(f"\nboundaries only {name} puts: {len(items)} "
              f"(plus {n_shifted[name]} that the other puts on the far side of a marker such as *** or \"\")")
        for doc_id, e, text in rng.sample(items, min(show, len(items))):
            print(f"  {doc_id}@{e}: ...{text[max(0, e - 50):e]!r} | {text[e:e + 30]!r}")


# --------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="articles per dump for the speed columns")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated subset")
    parser.add_argument("--modes", default="raw,wrapped")
    parser.add_argument("--compare", metavar="A,B", help="instead of the table: boundaries only A or only B "
                        "puts on the shared dumps, with --show random examples of each to judge by hand")
    parser.add_argument("--show", type=int, default=25)
    parser.add_argument("-v", "--verbose", action="store_true", help="list the gold documents each gets wrong")
    args = parser.parse_args(argv)

    hard, sample, missing = load_gold()
    bbc = [d for d in sample if d[0].startswith("bbc")]
    ic = [d for d in sample if not d[0].startswith("bbc")]
    ids, texts = load_dumps(args.limit)
    if args.compare:
        if not texts:
            print("compare: skipped (../shared absent)")
            return 0
        a, b = args.compare.split(",")
        compare(texts, ids, a, b, args.show)
        return 0
    print(f"python {platform.python_version()} on {platform.machine()}, one process, one thread")
    print(f"gold: {len(hard)} hard cases + seed ({sum(len(b) for _, _, b in hard)} boundaries); "
          f"shared sample: {len(bbc)} BBC + {len(ic)} InSight Crime articles "
          f"({sum(len(b) for _, _, b in sample)} boundaries)" + (f" [skipped: {missing}]" if missing else ""))
    print(f"speed: {len(texts)} articles of ../shared/data" if texts else "speed: skipped (../shared absent)")
    print()
    header = (f"| {'library':<13} | {'mode':<7} | F1 hard+seed | F1 BBC sample | F1 IC sample | articles/s "
              f"| sentences/s | sentences/article | % >= {LONG} chars |")
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for name in args.backends.split(","):
        try:
            splitter = BACKENDS[name]()
        except ImportError as exc:
            print(f"| {name:<13} | missing: {exc} |")
            continue
        for mode in args.modes.split(","):
            f_hard, wrong_hard = f1(hard, splitter, mode)
            f_bbc, wrong_bbc = f1(bbc, splitter, mode) if bbc else (float("nan"), [])
            f_ic, wrong_ic = f1(ic, splitter, mode) if ic else (float("nan"), [])
            if texts:
                arts, sents, per, long = speed(texts, splitter, mode)
                perf = f"{arts:10.0f} | {sents:11.0f} | {per:17.1f} | {long:14.2f}"
            else:
                perf = f"{'-':>10} | {'-':>11} | {'-':>17} | {'-':>14}"
            print(f"| {name:<13} | {mode:<7} | {f_hard:12.3f} | {f_bbc:13.3f} | {f_ic:12.3f} | {perf} |", flush=True)
            if args.verbose:
                for label, wrong in (("hard", wrong_hard), ("bbc", wrong_bbc), ("ic", wrong_ic)):
                    if wrong:
                        print(f"|   wrong ({label}): {', '.join(wrong)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
