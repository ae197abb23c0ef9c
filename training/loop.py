"""Fine-tune a transformer into a calibrated multi-label stance classifier and write its model directory.

``train(config)`` is the whole pipeline behind the ``train`` command:

1. validate the data (``training.data``) and seed everything;
2. fine-tune with BCE-with-logits (``pos_weight`` for imbalance), AdamW, linear warm-up and decay, dynamic
   padding and length-grouped batches, evaluating dev macro-F1 every epoch and keeping the best epoch's
   weights (early stopping on dev macro-F1);
3. fit temperature scaling and then one F1-maximising threshold per label on dev;
4. compute dev and test metrics with that stored rule, and write the model directory and its card.
"""

from __future__ import annotations

import logging
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from models.decision import DecisionRule
from models.directory import METRICS, hardware, save_model_dir, write_json_atomic
from models.labels import LABELS
from training.config import TrainConfig, config_to_dict
from training.corpus import provenance
from training.data import Example, Splits, label_matrix, load_splits
from training.metrics import fit_temperature, macro_f1, multilabel_report, tune_thresholds

logger = logging.getLogger(__name__)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch, and ask torch for deterministic kernels."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def length_grouped_batches(lengths: Sequence[int], batch_size: int, rng: np.random.Generator, group: bool = True,
                           mega: int = 50) -> list[list[int]]:
    """Shuffled batches of indices; with ``group``, each batch holds sentences of similar length.

    As in transformers' LengthGroupedSampler: shuffle, cut into mega-batches of ``mega * batch_size``,
    sort each by length, cut into batches, then shuffle the batch order, so padding stays small while
    every epoch still sees a new order.
    """
    order = rng.permutation(len(lengths))
    if not group:
        return [order[i:i + batch_size].tolist() for i in range(0, len(order), batch_size)]
    batches: list[list[int]] = []
    size = mega * batch_size
    for start in range(0, len(order), size):
        chunk = sorted(order[start:start + size].tolist(), key=lambda i: -lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    perm = rng.permutation(len(batches))
    return [batches[i] for i in perm]


def compute_pos_weight(y: np.ndarray, cap: float) -> np.ndarray:
    """Per-label negatives/positives, clipped to ``[1, cap]`` (1 where a label has no positives)."""
    pos = y.sum(axis=0)
    neg = y.shape[0] - pos
    ratio = np.divide(neg, pos, out=np.ones_like(pos, dtype=np.float64), where=pos > 0)
    return np.clip(ratio, 1.0, cap)


@dataclass
class Encoded:
    input_ids: list[list[int]]
    y: np.ndarray

    @property
    def lengths(self) -> list[int]:
        return [len(ids) for ids in self.input_ids]


def encode(tokenizer, examples: Sequence[Example], max_length: int, labels: Sequence[str]) -> Encoded:
    """Tokenise once (no padding) through a ``datasets.Dataset``; padding happens per batch."""
    from datasets import Dataset

    ds = Dataset.from_dict({"text": [ex.text for ex in examples]})
    ds = ds.map(lambda b: tokenizer(b["text"], truncation=True, max_length=max_length), batched=True,
                remove_columns=["text"], desc=None, load_from_cache_file=False, keep_in_memory=True)
    return Encoded(list(ds["input_ids"]), label_matrix(examples, labels))


def _collate(tokenizer, input_ids: list[list[int]]):
    return tokenizer.pad({"input_ids": input_ids}, padding=True, return_tensors="pt")


def predict_logits(model, tokenizer, input_ids: list[list[int]], batch_size: int) -> np.ndarray:
    """Logits for pre-tokenised inputs, batched by length, returned in input order."""
    import torch

    model.eval()
    out = np.zeros((len(input_ids), model.config.num_labels), dtype=np.float32)
    order = sorted(range(len(input_ids)), key=lambda i: len(input_ids[i]))
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            batch = _collate(tokenizer, [input_ids[i] for i in idx])
            out[idx] = model(**batch).logits.float().numpy()
    return out


@dataclass
class TrainResult:
    output_dir: Path
    metrics: dict
    rule: DecisionRule
    history: list[dict]


def load_base(config: TrainConfig, labels: Sequence[str]):
    """Tokenizer and a fresh classification model on top of the configured base weights."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    from models.base import resolve_base_model

    source = resolve_base_model(config.model.base)
    tokenizer = AutoTokenizer.from_pretrained(source, trust_remote_code=False)
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # the "classifier weights newly initialised" report is expected here
    try:
        model = AutoModelForSequenceClassification.from_pretrained(
            source,
            num_labels=len(labels),
            problem_type="multi_label_classification",
            id2label=dict(enumerate(labels)),
            label2id={name: i for i, name in enumerate(labels)},
            use_safetensors=True,
            trust_remote_code=False,
        )
    finally:
        hf_logging.set_verbosity(verbosity)
    return source, tokenizer, model


def train(config: TrainConfig, *, progress: bool = False, labels: Sequence[str] = LABELS,
          splits: Splits | None = None, write_card: bool = True,
          on_epoch: Callable[[dict], None] | None = None) -> TrainResult:
    """Run the whole training pipeline for ``config`` and return where the model directory was written.

    ``progress`` shows a tqdm bar over optimiser steps (the CLI turns it on). ``splits`` may be passed to
    skip reading the data again. Same config and seed give the same weights and metrics on one machine.
    """
    import torch
    from tqdm.auto import tqdm
    from transformers import get_linear_schedule_with_warmup

    started = time.time()
    tc = config.training
    if tc.threads:
        torch.set_num_threads(tc.threads)
    seed_everything(tc.seed)
    splits = splits or load_splits(config.data, labels)
    logger.info("data: %s", splits.counts())

    source, tokenizer, model = load_base(config, labels)
    logger.info("base model: %s (%s)", config.model.base, source)
    train_enc = encode(tokenizer, splits.train, config.model.max_length, labels)
    dev_enc = encode(tokenizer, splits.dev, config.model.max_length, labels)
    test_enc = encode(tokenizer, splits.test, config.model.max_length, labels) if splits.test else None

    pos_weight = compute_pos_weight(train_enc.y, tc.pos_weight_max) if tc.imbalance == "pos_weight" else np.ones(len(labels))
    logger.info("pos_weight: %s", dict(zip(labels, np.round(pos_weight, 2).tolist())))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight, dtype=torch.float32))

    no_decay = ("bias", "LayerNorm.weight", "layernorm.weight", "norm.weight")
    params = [
        {"params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)], "weight_decay": tc.weight_decay},
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(params, lr=tc.lr)
    steps_per_epoch = (len(train_enc.input_ids) + tc.batch_size - 1) // tc.batch_size
    total_steps = steps_per_epoch * tc.epochs
    scheduler = get_linear_schedule_with_warmup(optimizer, int(tc.warmup_ratio * total_steps), total_steps)
    rng = np.random.default_rng(tc.seed)

    history: list[dict] = []
    best_f1, best_epoch, best_state, stale = -1.0, 0, None, 0
    bar = tqdm(total=total_steps, desc="train", unit="step", disable=not progress, dynamic_ncols=True)
    step = 0
    for epoch in range(1, tc.epochs + 1):
        model.train()
        running, seen = 0.0, 0
        for batch_idx in length_grouped_batches(train_enc.lengths, tc.batch_size, rng, tc.group_by_length):
            batch = _collate(tokenizer, [train_enc.input_ids[i] for i in batch_idx])
            target = torch.from_numpy(train_enc.y[batch_idx])
            logits = model(**batch).logits
            loss = loss_fn(logits, target)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), tc.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            running += loss.item() * len(batch_idx)
            seen += len(batch_idx)
            bar.update(1)
            bar.set_postfix(epoch=epoch, loss=f"{running / seen:.4f}")
            if step % tc.log_every == 0:
                logger.info("epoch %d step %d/%d loss %.4f lr %.2e", epoch, step, total_steps, running / seen, scheduler.get_last_lr()[0])
        dev_logits = predict_logits(model, tokenizer, dev_enc.input_ids, tc.eval_batch_size)
        dev_probs = 1 / (1 + np.exp(-dev_logits.astype(np.float64)))
        thr = tune_thresholds(dev_enc.y, dev_probs, config.calibration.threshold_min, config.calibration.threshold_max)
        record = {
            "epoch": epoch,
            "step": step,
            "train_loss": running / max(seen, 1),
            "dev_loss": float(loss_fn(torch.from_numpy(dev_logits), torch.from_numpy(dev_enc.y)).item()),
            "dev_macro_f1_at_0.5": macro_f1(dev_enc.y, dev_probs >= 0.5),
            "dev_macro_f1": macro_f1(dev_enc.y, dev_probs >= thr[None, :]),
        }
        history.append(record)
        logger.info("epoch %d: train loss %.4f, dev loss %.4f, dev macro-F1 %.4f (tuned thresholds), %.4f (at 0.5)",
                    epoch, record["train_loss"], record["dev_loss"], record["dev_macro_f1"], record["dev_macro_f1_at_0.5"])
        if on_epoch:
            on_epoch(record)
        if record["dev_macro_f1"] > best_f1:
            best_f1, best_epoch, stale = record["dev_macro_f1"], epoch, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            stale += 1
            if tc.early_stopping_patience and stale >= tc.early_stopping_patience:
                logger.info("early stopping: no dev macro-F1 gain for %d epochs (best %.4f at epoch %d)", stale, best_f1, best_epoch)
                break
    bar.close()
    assert best_state is not None
    model.load_state_dict(best_state)

    # Decision rule: undo pos_weight's prior shift, fit the temperature on dev, then tune thresholds on the
    # calibrated dev probabilities.
    dev_logits = predict_logits(model, tokenizer, dev_enc.input_ids, tc.eval_batch_size)
    offsets = tuple(float(o) for o in np.log(pos_weight))
    shifted = dev_logits - np.asarray(offsets)[None, :]
    temperature = fit_temperature(shifted, dev_enc.y) if config.calibration.temperature else 1.0
    dev_cal = DecisionRule(tuple(labels), tuple(0.5 for _ in labels), temperature, offsets).probabilities(dev_logits)
    thresholds = tune_thresholds(dev_enc.y, dev_cal, config.calibration.threshold_min, config.calibration.threshold_max)
    rule = DecisionRule(tuple(labels), tuple(float(t) for t in thresholds), temperature, offsets)
    logger.info("temperature %.3f, logit offsets %s, thresholds %s", temperature, rule.to_dict()["logit_offsets"], rule.to_dict()["thresholds"])

    metrics = {"dev": multilabel_report(dev_enc.y, dev_cal, rule.thresholds, labels, ci=True, seed=tc.seed)}
    metrics["dev"]["note"] = "thresholds and temperature were tuned on dev: optimistic"
    if test_enc is not None:
        test_logits = predict_logits(model, tokenizer, test_enc.input_ids, tc.eval_batch_size)
        test_probs = rule.probabilities(test_logits)
        metrics["test"] = multilabel_report(test_enc.y, test_probs, rule.thresholds, labels, ci=True, seed=tc.seed)
        metrics["test"]["by_conflict"] = group_report(splits.test, test_enc.y, test_probs >= np.asarray(rule.thresholds)[None, :], "conflict", labels)
    metrics["selection"] = {"criterion": "dev macro-F1 with thresholds tuned on dev each epoch", "best_epoch": best_epoch,
                            "best_dev_macro_f1": best_f1, "history": history}

    out = config.resolved_output_dir()
    seconds = time.time() - started
    save_model_dir(out, model, tokenizer, rule, max_length=config.model.max_length, extra={
        "name": config.name,
        "base_model": config.model.base,
        "base_model_source": source,
        "config": config_to_dict(config),
        "data": {"files": splits.files, "counts": splits.counts(), **provenance(splits, config.data.corpus),
                 "label_counts": {s: {name: int(v) for name, v in zip(labels, enc.y.sum(axis=0))}
                                  for s, enc in (("train", train_enc), ("dev", dev_enc), ("test", test_enc)) if enc is not None}},
        "training": {"seconds": round(seconds, 1), "epochs_run": len(history), "best_epoch": best_epoch,
                     "pos_weight": dict(zip(labels, pos_weight.tolist())), "hardware": hardware(), "history": history},
    })
    write_json_atomic(out / METRICS, metrics)
    if write_card:
        from training.card import write_card
        from training.report import run_evaluation

        card = config.card
        run_evaluation(out, card.eval_files, splits=splits, baselines=card.baselines,
                       include_embeddings=card.embedding_baseline, behaviour=card.behaviour, seed=tc.seed)
        write_card(out)
    logger.info("wrote %s in %.0f s", out, seconds)
    return TrainResult(out, metrics, rule, history)


def group_report(examples: Sequence[Example], y: np.ndarray, pred: np.ndarray, key: str, labels: Sequence[str]) -> dict:
    """Macro-F1 per group (e.g. per conflict), over the labels that occur in the group."""
    from training.metrics import f1_scores

    groups: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault(str(ex.meta.get(key, "unknown")), []).append(i)
    out = {}
    for name, idx in sorted(groups.items()):
        yy, pp = y[idx], pred[idx]
        present = yy.sum(axis=0) > 0
        per = f1_scores(yy, pp)["per_label"]
        out[name] = {"n": len(idx), "macro_f1": float(per[present].mean()) if present.any() else None,
                     "labels_present": [l for l, p in zip(labels, present) if p],
                     "f1": {l: float(f) for l, f, p in zip(labels, per, present) if p}}
    return out
