from pathlib import Path

import pytest

from training.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str, name: str = "exp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_base_config_is_valid_and_names_the_run():
    config = load_config(REPO / "configs" / "base.yaml")
    assert config.name == "base"
    assert config.model.base == "minilm"
    assert config.resolved_output_dir() == Path("runs/base")
    assert config.data.corpus == (REPO / "seeds" / "corpus").resolve()


def test_every_key_of_base_config_is_commented():
    lines = (REPO / "configs" / "base.yaml").read_text().splitlines()
    keyed = [l for l in lines if ":" in l and not l.lstrip().startswith("#") and l.strip()]
    uncommented = [l for l in keyed if "#" not in l]
    assert not uncommented, uncommented


def test_override_is_type_checked_and_applied(tmp_path):
    cfg = write(tmp_path, "data:\n  corpus: c.jsonl\n")
    config = load_config(cfg, ["training.lr=3e-5", "training.epochs=2", "model.max_length=64"])
    assert config.training.lr == pytest.approx(3e-5)
    assert config.training.epochs == 2
    assert config.name == "exp"
    assert config.data.corpus == (tmp_path / "c.jsonl").resolve()


def test_unknown_key_in_file_names_file_and_key(tmp_path):
    cfg = write(tmp_path, "data:\n  corpus: c.jsonl\ntraining:\n  learning_rate: 0.1\n")
    with pytest.raises(ConfigError, match=r"exp\.yaml: unknown key 'training\.learning_rate'"):
        load_config(cfg)


def test_unknown_override_key_is_named(tmp_path):
    cfg = write(tmp_path, "data:\n  corpus: c.jsonl\n")
    with pytest.raises(ConfigError, match=r"unknown key 'training\.lrate'"):
        load_config(cfg, ["training.lrate=3e-5"])
    with pytest.raises(ConfigError, match=r"unknown key 'optimizer'"):
        load_config(cfg, ["optimizer.name=adam"])


def test_wrong_type_names_key_and_expected_type(tmp_path):
    cfg = write(tmp_path, "data:\n  corpus: c.jsonl\ntraining:\n  epochs: many\n")
    with pytest.raises(ConfigError, match=r"exp\.yaml: key 'training\.epochs': .*expected int.*'many'"):
        load_config(cfg)


def test_bad_override_value_type(tmp_path):
    cfg = write(tmp_path, "data:\n  corpus: c.jsonl\n")
    with pytest.raises(ConfigError, match=r"key 'training\.lr'.*expected float"):
        load_config(cfg, ["training.lr=fast"])
    with pytest.raises(ConfigError, match=r"key 'training\.imbalance'"):
        load_config(cfg, ["training.imbalance=oversample"])


def test_override_without_equals_sign(tmp_path):
    cfg = write(tmp_path, "data:\n  corpus: c.jsonl\n")
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        load_config(cfg, ["training.lr"])


def test_data_needs_a_source(tmp_path):
    cfg = write(tmp_path, "data:\n  text_field: sentence\n")
    with pytest.raises(ConfigError, match="give either data.corpus"):
        load_config(cfg)


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.yaml")
    cfg = write(tmp_path, "data: [unclosed\n")
    with pytest.raises(ConfigError, match=r"exp\.yaml:\d+: not valid YAML"):
        load_config(cfg)
