"""Sentences per second for four ways of scoring the same 5,000 real sentences, side by side in one run.

    python benchmarks/speed.py --model runs/base [--sentences 5000] [--repeats 3] [--json out.json]

(a) ``transformers.pipeline("text-classification")`` at batch size 32 (the reference);
(b) our torch backend (length-sorted, token-budget batches, de-duplication);
(c) ONNX Runtime fp32 (fused graph);
(d) ONNX Runtime int8 (dynamic quantisation of the fused graph).

Each rate is the median of ``--repeats`` runs, after one warm-up batch. Ratios are to (a), measured in the
same process minutes apart, because absolute rates on shared machines drift. The model directory is
exported first if it has no ONNX files. ``--profile`` adds a breakdown of where (d)'s time goes.
"""

from __future__ import annotations

import argparse
import json
import time

from common import median_rate, real_sentences, threads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--sentences", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, help="our backends: most sentences per batch (default: the backend's)")
    parser.add_argument("--max-tokens", type=int, help="our backends: padded-token budget per batch (default: the backend's)")
    parser.add_argument("--profile", action="store_true", help="break (d) down into tokenising, padding, inference")
    parser.add_argument("--json", help="write the results here too")
    args = parser.parse_args()

    import numpy as np
    import torch
    from transformers import pipeline

    from inference import Scorer
    from inference.export import export_model
    from models.directory import read_metadata

    n_threads = threads()
    torch.set_num_threads(n_threads)
    texts = real_sentences(args.sentences)
    meta = read_metadata(args.model)
    if "model.int8.onnx" not in meta.get("onnx", {}):
        print("exporting ONNX fp32 and int8 ...", flush=True)
        export_model(args.model, quantize="int8")

    results = {}
    pipe = pipeline("text-classification", model=args.model, tokenizer=args.model, device=-1, top_k=None,
                    function_to_apply="sigmoid", truncation=True, max_length=meta["max_length"])
    pipe(texts[:32], batch_size=32)
    rate, runs = median_rate(lambda: pipe(texts, batch_size=32), len(texts), args.repeats)
    results["a_pipeline_bs32"] = {"rate": rate, "runs": runs}
    print(f"(a) transformers pipeline, batch 32: {rate:8.1f} sentences/s", flush=True)

    scorers = {
        "b_torch": Scorer.load(args.model, "torch", threads=n_threads, batch_size=args.batch_size, max_tokens=args.max_tokens),
        "c_onnx_fp32": Scorer.load(args.model, "onnx", precision="fp32", threads=n_threads, batch_size=args.batch_size, max_tokens=args.max_tokens),
        "d_onnx_int8": Scorer.load(args.model, "onnx", precision="int8", threads=n_threads, batch_size=args.batch_size, max_tokens=args.max_tokens),
    }
    probs = {}
    for name, scorer in scorers.items():
        scorer.probabilities(texts[:32])
        rate, runs = median_rate(lambda: scorer.probabilities(texts), len(texts), args.repeats)
        probs[name] = scorer.probabilities(texts)[0]
        results[name] = {"rate": rate, "runs": runs}
        print(f"({name[0]}) {name[2:]:27s}: {rate:8.1f} sentences/s", flush=True)

    base = results["a_pipeline_bs32"]["rate"]
    print("\nbackend                      sentences/s   ratio to (a)")
    for name, r in results.items():
        r["ratio_to_pipeline"] = r["rate"] / base
        print(f"{name:28s} {r['rate']:11.1f}   {r['ratio_to_pipeline']:6.2f}x")
    ref = probs["b_torch"]
    thr = scorers["b_torch"].thresholds
    for name in ("c_onnx_fp32", "d_onnx_int8"):
        diff = float(np.abs(probs[name] - ref).max())
        agree = float(((probs[name] >= thr) == (ref >= thr)).all(axis=1).mean())
        results[name]["max_abs_prob_diff_vs_torch"] = diff
        results[name]["label_agreement_vs_torch"] = agree
        print(f"{name}: max |Δprob| vs torch {diff:.2e}, identical label sets on {agree:.2%} of sentences")

    if args.profile:
        results["profile_d"] = profile(scorers["d_onnx_int8"], texts)
    results["setup"] = {"sentences": len(texts), "threads": n_threads, "repeats": args.repeats, "batch_size": args.batch_size,
                        "max_tokens": args.max_tokens, "unique_sentences": len(set(texts))}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


def profile(scorer, texts) -> dict:
    """Where the int8 backend's time goes: tokenising, batching and padding, the ONNX session, the rest."""
    from inference.backends import pad_batch

    t0 = time.perf_counter()
    uniq = list(dict.fromkeys(texts))
    ids, _ = scorer.encode(uniq)
    t1 = time.perf_counter()
    batches = scorer.batches([len(x) for x in ids])
    padded = [pad_batch([ids[i] for i in b], scorer.pad_id) for b in batches]
    t2 = time.perf_counter()
    real = sum(int(m.sum()) for _, m in padded)
    total = sum(int(m.size) for _, m in padded)
    for input_ids, mask in padded:
        scorer.backend.logits(input_ids, mask)
    t3 = time.perf_counter()
    out = {"tokenise_s": t1 - t0, "batch_and_pad_s": t2 - t1, "onnx_session_s": t3 - t2, "padding_share": 1 - real / total,
           "batches": len(batches), "mean_tokens_per_sentence": real / len(uniq)}
    whole = t3 - t0
    print("\nprofile of (d): " + ", ".join(f"{k} {v:.2f}" for k, v in out.items()) + f"; session share {out['onnx_session_s'] / whole:.0%}")
    return out


if __name__ == "__main__":
    main()
