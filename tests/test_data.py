import json

import pytest

from training.config import config_from_dict
from training.data import DataError, load_splits, read_examples

from conftest import CORPUS


def write_jsonl(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def test_fixture_corpus_loads_into_three_splits():
    config = config_from_dict({"data": {"corpus": str(CORPUS)}})
    splits = load_splits(config.data)
    assert splits.counts() == {"train": 40, "dev": 12, "test": 12}
    assert list(splits.files) == [str(CORPUS)]


@pytest.mark.parametrize("record, message", [
    ({"id": "a", "text": "x", "labels": ["accusaton"]}, r"f\.jsonl:1: field 'labels': unknown label\(s\) \['accusaton'\]"),
    ({"id": "a", "text": "", "labels": []}, r"f\.jsonl:1: field 'text' is empty"),
    ({"id": "a", "text": 5, "labels": []}, r"f\.jsonl:1: field 'text' must be a string, got int"),
    ({"id": "a", "labels": []}, r"f\.jsonl:1: field 'text' must be a string, got nothing"),
    ({"id": "a", "text": "x", "labels": "ceasefire"}, r"f\.jsonl:1: field 'labels' must be a list"),
    ({"text": "x", "labels": []}, r"f\.jsonl:1: field 'id' must be"),
    ({"id": "a", "text": "x", "labels": ["ceasefire", "ceasefire"]}, r"repeated label"),
])
def test_record_errors_name_file_line_and_field(tmp_path, record, message):
    path = write_jsonl(tmp_path / "f.jsonl", [record])
    with pytest.raises(DataError, match=message):
        read_examples(path)


def test_invalid_json_and_duplicate_ids_name_their_lines(tmp_path):
    path = write_jsonl(tmp_path / "f.jsonl", [
        {"id": "a", "text": "one", "labels": []},
        "{not json",
        {"id": "a", "text": "two", "labels": []},
    ])
    with pytest.raises(DataError) as info:
        read_examples(path)
    problems = info.value.problems
    assert any(p.startswith(f"{path}:2: invalid JSON") for p in problems)
    assert any(p.startswith(f"{path}:3: field 'id': duplicate id 'a' (first at {path}:1)") for p in problems)


def test_same_text_in_two_splits_is_rejected(tmp_path):
    train = write_jsonl(tmp_path / "train.jsonl", [{"id": "1", "text": "Rebels shelled the town.", "labels": ["escalation_risk"]}])
    dev = write_jsonl(tmp_path / "dev.jsonl", [{"id": "2", "text": "rebels  shelled the town", "labels": []}])
    config = config_from_dict({"data": {"train": str(train), "dev": str(dev)}})
    with pytest.raises(DataError, match=r"dev\.jsonl:1: field 'text': the same text is in train"):
        load_splits(config.data)


def test_ids_must_be_unique_across_split_files(tmp_path):
    train = write_jsonl(tmp_path / "train.jsonl", [{"id": "1", "text": "One.", "labels": []}])
    dev = write_jsonl(tmp_path / "dev.jsonl", [{"id": "1", "text": "Two.", "labels": []}])
    config = config_from_dict({"data": {"train": str(train), "dev": str(dev)}})
    with pytest.raises(DataError, match=r"id '1' also in"):
        load_splits(config.data)


def test_bad_split_value(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [{"id": "1", "text": "One.", "labels": [], "split": "validation"}])
    config = config_from_dict({"data": {"corpus": str(path)}})
    with pytest.raises(DataError, match=r"c\.jsonl:1: field 'split' must be one of train, dev, test"):
        load_splits(config.data)


def test_non_utf8_line(tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_bytes(b'{"id": "1", "text": "caf\xe9", "labels": []}\n')
    with pytest.raises(DataError, match=r"f\.jsonl:1: not UTF-8"):
        read_examples(path)
