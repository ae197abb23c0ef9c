"""Score a real article dump end to end and compare with transformers.pipeline in the same run.

    python benchmarks/score_dump.py --model runs/base [--input ../shared/data/articles_bbc.jsonl]
                                    [--backend onnx] [--pipeline-sample 5000] [--json out.json]

1. Runs ``score`` on the dump in a child process and reports articles/s, sentences/s (from its
   summary.json) and the child's peak resident memory.
2. Pushes the same sentences (the first ``--pipeline-sample`` of them, in the dump's order) through
   ``transformers.pipeline("text-classification")`` at batch size 32 and times it; prints the ratio of the
   two rates.
3. False-positive check: the share of articles that get any label, per label, and the 10 most confident
   flagged sentences from distinct articles, for reading by hand (most BBC articles are not about war).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, read_jsonl, shared, threads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(REPO / "runs" / "base"))
    parser.add_argument("--input", default=None)
    parser.add_argument("--backend", default="onnx", choices=["torch", "onnx"])
    parser.add_argument("--precision", default=None)
    parser.add_argument("--pipeline-sample", type=int, default=5000)
    parser.add_argument("--output", help="keep the scored output here (default: a temporary directory)")
    parser.add_argument("--json")
    args = parser.parse_args()
    dump = Path(args.input) if args.input else shared("data", "articles_bbc.jsonl")

    if args.backend == "onnx":
        from inference.export import export_model
        from models.directory import read_metadata

        if "model.int8.onnx" not in read_metadata(args.model).get("onnx", {}):
            export_model(args.model, quantize="int8")

    tmp = tempfile.TemporaryDirectory()
    out = Path(args.output or tmp.name) / "scored"
    cmd = [sys.executable, "-m", "inference.cli", "--model", args.model, "--input", str(dump), "--output", str(out),
           "--backend", args.backend, "--overwrite", "--quiet"]
    if args.precision:
        cmd += ["--precision", args.precision]
    t0 = time.time()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    wall = time.time() - t0
    if proc.returncode:
        sys.exit(proc.stderr)
    summary = json.loads(proc.stdout)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    ours = summary["sentences_per_second"]
    print(f"score ({args.backend}{'/' + summary['model']['precision'] if summary['model'].get('precision') else ''}, {threads()} threads): "
          f"{summary['records_scored']} articles, {summary['sentences']} sentences in {wall:.0f} s (process wall), "
          f"{summary['articles_per_second']:.1f} articles/s, {ours:.1f} sentences/s, peak RSS {peak:.0f} MiB")

    sentences = read_jsonl(out / "sentences.jsonl")
    sample = [s["text"] for s in sentences[: args.pipeline_sample]]
    import torch
    from transformers import pipeline

    torch.set_num_threads(threads())
    meta = json.loads((Path(args.model) / "metadata.json").read_text())
    pipe = pipeline("text-classification", model=args.model, tokenizer=args.model, device=-1, top_k=None,
                    function_to_apply="sigmoid", truncation=True, max_length=meta["max_length"])
    pipe(sample[:32], batch_size=32)
    t0 = time.perf_counter()
    pipe(sample, batch_size=32)
    pipe_rate = len(sample) / (time.perf_counter() - t0)
    print(f"transformers pipeline, batch 32, on the first {len(sample)} of those sentences: {pipe_rate:.1f} sentences/s")
    print(f"ratio (score / pipeline): {ours / pipe_rate:.2f}x")

    articles = read_jsonl(out / "articles.jsonl")
    labels = meta["labels"]
    flagged = [a for a in articles if a["labels"]]
    share = {l: sum(l in a["labels"] for a in articles) / len(articles) for l in labels}
    print(f"\narticles with any label: {len(flagged)}/{len(articles)} = {len(flagged) / len(articles):.1%}; per label: "
          + ", ".join(f"{l} {v:.1%}" for l, v in share.items()))
    top, seen = [], set()
    for s in sorted(sentences, key=lambda s: -max(s[f"p_{l}"] for l in s["labels"]) if s["labels"] else 0):
        if not s["labels"] or s["article_id"] in seen:
            continue
        seen.add(s["article_id"])
        top.append({"article_id": s["article_id"], "labels": s["labels"], "p": max(s[f"p_{l}"] for l in s["labels"]), "text": s["text"]})
        if len(top) == 10:
            break
    print("\n10 most confident flagged sentences (distinct articles):")
    for t in top:
        print(f"  {t['p']:.3f} {','.join(t['labels']):40s} [{t['article_id']}] {t['text'][:160]}")
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "process_wall_seconds": wall, "peak_rss_mb": peak,
                                               "pipeline_sentences_per_second": pipe_rate, "ratio": ours / pipe_rate,
                                               "share_flagged": len(flagged) / len(articles), "share_per_label": share,
                                               "top_flagged": top}, indent=2))


if __name__ == "__main__":
    main()
