"""The typed training config: one YAML file, validated once, passed down.

``load_config(path, overrides)`` reads the YAML file, applies dotted overrides such as
``training.lr=3e-5`` (values parsed as YAML, then type-checked), and validates the result. Every error is a
:class:`ConfigError` naming the file, the key and what was expected.

Relative input paths (``data.*``) are resolved against the directory of the config file, so a config works
from any working directory. ``output_dir`` is an output: relative to the working directory, and
``runs/<config name>`` when not given.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class ConfigError(ValueError):
    """A config file or override is invalid; the message names the file and key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelSection(_Section):
    base: str = Field("minilm", description="'minilm' (bundled), a local directory, or a hub id used only when online")
    max_length: int = Field(128, ge=8, le=512, description="tokens per sentence; longer sentences are truncated")


class DataSection(_Section):
    corpus: Optional[Path] = Field(None, description="one JSONL file or a directory of *.jsonl with a split field")
    train: Optional[Path] = None
    dev: Optional[Path] = None
    test: Optional[Path] = None
    text_field: str = "text"
    labels_field: str = "labels"
    split_field: str = "split"
    id_field: str = "id"

    @model_validator(mode="after")
    def _one_source(self) -> "DataSection":
        if self.corpus is None and (self.train is None or self.dev is None):
            raise ValueError("give either data.corpus, or data.train and data.dev (data.test optional)")
        if self.corpus is not None and any(p is not None for p in (self.train, self.dev, self.test)):
            raise ValueError("give either data.corpus or data.train/dev/test, not both")
        return self


class TrainingSection(_Section):
    epochs: int = Field(5, ge=1, le=100)
    batch_size: int = Field(32, ge=1, le=4096)
    eval_batch_size: int = Field(128, ge=1, le=8192)
    lr: float = Field(5e-5, gt=0, lt=1)
    weight_decay: float = Field(0.01, ge=0, lt=1)
    warmup_ratio: float = Field(0.1, ge=0, lt=1)
    max_grad_norm: float = Field(1.0, gt=0)
    imbalance: Literal["none", "pos_weight"] = "pos_weight"
    pos_weight_max: float = Field(5.0, ge=1.0, description="cap on neg/pos for each label's BCE pos_weight")
    group_by_length: bool = True
    seed: int = 13
    early_stopping_patience: int = Field(2, ge=0, description="epochs without dev macro-F1 gain before stopping; 0 = never")
    log_every: int = Field(20, ge=1, description="log the running loss every N optimizer steps")
    threads: Optional[int] = Field(None, ge=1, description="torch CPU threads; default: all cores")


class CalibrationSection(_Section):
    threshold_min: float = Field(0.05, gt=0, lt=1)
    threshold_max: float = Field(0.95, gt=0, lt=1)
    temperature: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> "CalibrationSection":
        if self.threshold_min >= self.threshold_max:
            raise ValueError("calibration.threshold_min must be below calibration.threshold_max")
        return self


class CardSection(_Section):
    eval_files: list[Path] = Field(default_factory=list, description="extra labelled JSONL files evaluated for the card; missing ones are skipped")
    baselines: bool = Field(True, description="train the baselines and compare them in the card")
    embedding_baseline: bool = Field(True, description="include the frozen-MiniLM baseline (the slowest)")
    behaviour: bool = Field(True, description="run the behavioural suite")


class TrainConfig(_Section):
    name: str = Field("base", description="run name; defaults to the config file's stem")
    model: ModelSection = ModelSection()
    data: DataSection
    training: TrainingSection = TrainingSection()
    calibration: CalibrationSection = CalibrationSection()
    output_dir: Optional[Path] = None
    card: CardSection = CardSection()

    def resolved_output_dir(self) -> Path:
        return self.output_dir if self.output_dir is not None else Path("runs") / self.name


def _type_name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def _format_errors(source: str, exc: ValidationError, model: type[BaseModel] = TrainConfig) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            lines.append(f"{source}: unknown key '{key}'")
            continue
        expected = _expected_type(model, err["loc"])
        got = err.get("input")
        detail = f" (got {got!r})" if got is not None and not isinstance(got, dict) else ""
        hint = f"; expected {expected}" if expected else ""
        lines.append(f"{source}: key '{key}': {err['msg']}{hint}{detail}")
    return "\n".join(lines)


def _expected_type(model: type[BaseModel], loc: tuple) -> str | None:
    current: Any = model
    field = None
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(str(part))
        if field is None:
            return None
        current = field.annotation
    return _type_name(field.annotation) if field is not None else None


def _known_keys(model: type[BaseModel], path: list[str]) -> None:
    """Raise KeyError naming the first part of ``path`` that the schema does not know."""
    current: Any = model
    for i, part in enumerate(path):
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            raise KeyError(".".join(path[: i + 1]))
        field = current.model_fields.get(part)
        if field is None:
            raise KeyError(".".join(path[: i + 1]))
        current = field.annotation


def parse_override(text: str) -> tuple[list[str], Any]:
    """Split ``"training.lr=3e-5"`` into ``(["training", "lr"], 3e-05)``; the value is parsed as YAML."""
    if "=" not in text:
        raise ConfigError(f"override {text!r}: expected KEY=VALUE, e.g. training.lr=3e-5")
    key, raw = text.split("=", 1)
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise ConfigError(f"override {text!r}: empty key")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError as exc:
        raise ConfigError(f"override {text!r}: value is not valid YAML: {exc}") from None
    return key.split("."), value


def apply_overrides(data: dict, overrides: list[str], source: str = "--set") -> dict:
    """Return a copy of ``data`` with dotted overrides applied; unknown keys are errors."""
    data = _deep_copy(data)
    for text in overrides:
        path, value = parse_override(text)
        try:
            _known_keys(TrainConfig, path)
        except KeyError as exc:
            raise ConfigError(f"{source} {text!r}: unknown key '{exc.args[0]}'") from None
        node = data
        for part in path[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[path[-1]] = value
    return data


def _deep_copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _deep_copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_deep_copy(v) for v in data]
    return data


def load_config(path: str | os.PathLike, overrides: list[str] | None = None) -> TrainConfig:
    """Read, override and validate a YAML config. Raises ConfigError naming file and key."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections, got {type(raw).__name__}")
    raw.setdefault("name", path.stem)
    data = apply_overrides(raw, overrides or [], source=f"{path} --set")
    try:
        config = TrainConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(str(path), exc)) from None
    return _resolve_paths(config, path.parent)


def config_from_dict(data: dict, base_dir: str | os.PathLike = ".", source: str = "<dict>") -> TrainConfig:
    """Validate a config given as a dict (tests, notebooks); paths resolve against ``base_dir``."""
    try:
        config = TrainConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(source, exc)) from None
    return _resolve_paths(config, Path(base_dir))


def _resolve_paths(config: TrainConfig, base: Path) -> TrainConfig:
    def fix(p: Optional[Path]) -> Optional[Path]:
        if p is None:
            return None
        p = p.expanduser()
        return p if p.is_absolute() else (base / p).resolve()

    data = config.data.model_copy(update={k: fix(getattr(config.data, k)) for k in ("corpus", "train", "dev", "test")})
    base_model = config.model.base
    if base_model.startswith((".", "~")) or ("/" in base_model and (base / base_model).exists()):
        base_model = str(fix(Path(base_model)))
    return config.model_copy(update={
        "data": data,
        "model": config.model.model_copy(update={"base": base_model}),
        "card": config.card.model_copy(update={"eval_files": [fix(p) for p in config.card.eval_files]}),
    })


def config_to_dict(config: TrainConfig) -> dict:
    """JSON-safe dict of the resolved config (stored in the model directory)."""
    return config.model_dump(mode="json")
