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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(train_main())
