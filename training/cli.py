"""Command-line entry points for training, evaluation and the model card: thin wrappers over library calls."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Callable, Sequence

logger = logging.getLogger("training.cli")


def setup_logging(quiet: bool = False) -> None:
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    for noisy in ("httpx", "urllib3", "datasets", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def run_cli(main: Callable[[argparse.Namespace], int], parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    """Parse, set up logging, run; user errors (ValueError and its kin) print one message and exit 2."""
    args = parser.parse_args(argv)
    setup_logging(getattr(args, "quiet", False))
    try:
        return main(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _train(args: argparse.Namespace) -> int:
    from training.config import load_config
    from training.loop import train

    config = load_config(args.config, args.overrides)
    result = train(config, progress=not args.quiet and not args.no_progress)
    summary = {"output_dir": str(result.output_dir),
               "dev_macro_f1": result.metrics["dev"]["macro_f1"],
               "test_macro_f1": result.metrics.get("test", {}).get("macro_f1")}
    print(json.dumps(summary))
    return 0


def train_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="train", description="Fine-tune the stance classifier from a YAML config and write a model directory.")
    parser.add_argument("--config", required=True, help="YAML config, e.g. configs/base.yaml")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="dotted override, type-checked, e.g. --set training.lr=3e-5 (repeatable)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs only)")
    parser.add_argument("--quiet", action="store_true", help="warnings and the final JSON summary only")
    return run_cli(_train, parser, argv)


def _evaluate(args: argparse.Namespace) -> int:
    from models.directory import write_json_atomic
    from training.evaluate import evaluate_file

    report = evaluate_file(args.model, args.data, plots_dir=args.plots, seed=args.seed,
                           text_field=args.text_field, labels_field=args.labels_field, id_field=args.id_field)
    if args.output:
        write_json_atomic(args.output, report)
    print(json.dumps(report, indent=None if args.compact else 2))
    return 0


def evaluate_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="evaluate", description="Score a labelled JSONL with a model's stored thresholds and temperature; print metrics as JSON.")
    parser.add_argument("--model", required=True, help="model directory written by train")
    parser.add_argument("--data", required=True, help="labelled JSONL: {id, text, labels}")
    parser.add_argument("--output", help="also write the JSON report here")
    parser.add_argument("--plots", help="directory for PR curves, reliability diagram and error counts (PNG)")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    parser.add_argument("--text-field", default="text")
    parser.add_argument("--labels-field", default="labels")
    parser.add_argument("--id-field", default="id")
    parser.add_argument("--compact", action="store_true", help="one-line JSON")
    parser.add_argument("--quiet", action="store_true")
    return run_cli(_evaluate, parser, argv)


def _errors(args: argparse.Namespace) -> int:
    from models.stance import StanceModel
    from training.data import read_examples
    from training.errors import error_analysis, format_errors

    model = StanceModel.load(args.model)
    examples = read_examples(args.data, labels=model.labels)
    probs = model.predict_proba([e.text for e in examples])
    analysis = error_analysis(examples, probs, model.rule.thresholds, model.labels, top=args.top)
    print(json.dumps(analysis, indent=2) if args.json else format_errors(analysis))
    return 0


def errors_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="errors", description="List the most confident false positives and false negatives per label.")
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True, help="labelled JSONL")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quiet", action="store_true")
    return run_cli(_errors, parser, argv)


def _model_card(args: argparse.Namespace) -> int:
    from training.card import write_card
    from training.report import run_evaluation

    if not args.no_eval:
        run_evaluation(args.model, args.eval, baselines=not args.no_baselines, include_embeddings=not args.no_embedding_baseline)
    paths = write_card(args.model)
    print(json.dumps({k: str(v) for k, v in paths.items()}))
    return 0


def model_card_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="model-card", description="Evaluate a model directory and write its model card (README.md) and card.html.")
    parser.add_argument("--model", required=True)
    parser.add_argument("--eval", action="append", default=[], metavar="FILE.jsonl", help="extra labelled file to report (repeatable)")
    parser.add_argument("--no-eval", action="store_true", help="only re-render the card from the existing eval/ files")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--no-embedding-baseline", action="store_true", help="skip the frozen-MiniLM baseline (slowest)")
    parser.add_argument("--quiet", action="store_true")
    return run_cli(_model_card, parser, argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(train_main())
