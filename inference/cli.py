"""``score`` and ``export`` commands: thin wrappers over :mod:`inference.batch` and :mod:`inference.export`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Sequence

from training.cli import run_cli


def _score(args: argparse.Namespace) -> int:
    from inference.scorer import Fields

    fields = Fields(args.text_field, args.id_field, args.title_field or None)
    if args.backend == "ray":
        from inference.ray_backend import run_scoring_ray

        summary = run_scoring_ray(args.model, args.input, args.output, input_format=args.input_format, fields=fields,
                                  output_format=args.format, device=args.device, batch_size=args.batch_size,
                                  num_workers=args.num_workers, address=args.ray_address, overwrite=args.overwrite)
        print(json.dumps(summary, indent=2))
        return 0

    from tqdm.auto import tqdm

    from inference.batch import run_scoring

    bar = tqdm(desc="score", unit=" articles", disable=args.quiet or args.no_progress, dynamic_ncols=True)
    start, sentences = time.time(), 0

    def progress(n_articles: int, n_sentences: int) -> None:
        nonlocal sentences
        sentences += n_sentences
        bar.update(n_articles)
        bar.set_postfix({"sentences": sentences, "sent/s": f"{sentences / max(time.time() - start, 1e-9):.0f}"})

    summary = run_scoring(args.model, args.input, args.output, input_format=args.input_format, fields=fields,
                          output_format=args.format, backend=args.backend, device=args.device, precision=args.precision,
                          threads=args.threads, batch_size=args.batch_size, window_sentences=args.window,
                          overwrite=args.overwrite, progress=progress)
    bar.close()
    print(json.dumps(summary, indent=2))
    return 0


def score_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="score", description="Label every sentence of an article dump and summarise every article. "
                                     "Re-running the same command after a kill resumes where it stopped.")
    parser.add_argument("--model", required=True, help="model directory written by train")
    parser.add_argument("--input", required=True, help="JSONL (also .gz), CSV, Parquet, or a directory of .txt files")
    parser.add_argument("--output", required=True, help="output directory (created)")
    parser.add_argument("--input-format", choices=["jsonl", "csv", "parquet", "txt"], help="default: from the input's name")
    parser.add_argument("--text-field", default="text")
    parser.add_argument("--id-field", default="id")
    parser.add_argument("--title-field", default="title", help="'' for none")
    parser.add_argument("--batch-size", type=int, help="most sentences per forward pass (default: fastest measured for the backend)")
    parser.add_argument("--window", type=int, default=4096, help="sentences sorted by length and de-duplicated together (a chunk)")
    parser.add_argument("--backend", choices=["torch", "onnx", "ray"], default="torch")
    parser.add_argument("--precision", choices=["fp32", "int8", "fp16"], help="onnx: int8 (default when exported) or fp32; torch: fp16 on cuda")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="cuda falls back to the CPU with a warning when absent")
    parser.add_argument("--threads", type=int, help="CPU threads (default: all available cores)")
    parser.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl", help="output format")
    parser.add_argument("--overwrite", action="store_true", help="discard a previous run in --output instead of resuming it")
    parser.add_argument("--ray-address", help="ray backend: address of an existing cluster (default: start a local one)")
    parser.add_argument("--num-workers", type=int, help="ray backend: scoring actors (default: available CPUs, or GPUs with --device cuda)")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--quiet", action="store_true")
    return run_cli(_score, parser, argv)


def _export(args: argparse.Namespace) -> int:
    from inference.export import export_model

    result = export_model(args.model, quantize=args.quantize, opset=args.opset)
    print(json.dumps(result, indent=2))
    return 0


def export_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="export", description="Export a model directory to ONNX (model.onnx) and optionally int8 (model.int8.onnx).")
    parser.add_argument("--model", required=True)
    parser.add_argument("--quantize", choices=["int8"], help="also write a dynamically quantised int8 model")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--quiet", action="store_true")
    return run_cli(_export, parser, argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(score_main())
