"""The seed corpus: validation in CI, and the machinery that enforces it."""

import json
from pathlib import Path

import pytest

from training import corpus as C

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def records():
    recs, problems = C.read_corpus(C.DEFAULT_CORPUS)
    assert not problems, problems[:5]
    return recs


def test_corpus_validates(records):
    problems = C.validate(records)
    assert not problems, problems[:10]


def test_corpus_meets_its_targets(records):
    stats = C.statistics(records)
    assert C.check_targets(stats) == []
    assert stats["sentences"] >= 4000 and stats["documents"] >= 300 and stats["conflicts"] >= 30


def test_validate_command_passes():
    assert C.main(["validate"]) == 0


def test_datasheet_statistics_come_from_the_script(records):
    stats = C.statistics(records, C.read_passes())
    assert C.datasheet_in_sync(stats), "seeds/README.md is stale: run python -m training.corpus datasheet"


def test_every_sentence_is_double_annotated_and_adjudicated(records):
    passes = {p["id"]: p for p in C.read_passes()}
    assert set(passes) == {r["id"] for r in records}
    for r in records:
        p = passes[r["id"]]
        assert p["final"] == r["labels"]
        if set(p["pass_a"]) != set(p["pass_b"]):
            assert p.get("ruling", "").startswith("R"), r["id"]
    agreement = C.agreement(list(passes.values()))
    assert all(v["kappa"] >= 0.8 for v in agreement["per_label"].values()), agreement["per_label"]


def test_seed_article_is_in_its_own_document(records):
    seed = [r for r in records if r["doc_id"] == "seed-armenia-azerbaijan-2022"]
    text = (REPO / "seeds" / "articles" / "armenia-azerbaijan-2022-09.txt").read_text(encoding="utf-8")
    assert len(seed) >= 5
    assert all(r["text"] in text for r in seed)
    assert {r["conflict"] for r in seed} == {"armenia-azerbaijan"}


def test_guidelines_restate_the_authoritative_definitions():
    guidelines = (REPO / "seeds" / "GUIDELINES.md").read_text(encoding="utf-8")
    labels_md = REPO.parent / "shared" / "LABELS.md"
    if not labels_md.is_file():
        pytest.skip("../shared/LABELS.md not available")
    import re

    for label in ("accusation", "ceasefire", "escalation_risk", "third_party_alignment"):
        section = re.search(rf"## {label}\n(.*?)(?=\n## |\Z)", labels_md.read_text(encoding="utf-8"), re.S).group(1)
        first = " ".join(section.split()[:25])
        assert first in " ".join(guidelines.split()), f"GUIDELINES.md does not restate the definition of {label}"


def test_near_duplicates_are_caught():
    texts = [
        "Artillery fire hit the outskirts of the town overnight, killing two soldiers.",
        "Artillery fire hit the outskirts of the town overnight, killing three soldiers.",
        "The two supermarket chains agreed to a ceasefire in their price war.",
        "Rebels seized the airport after a week of fighting.",
    ]
    pairs = C.near_duplicate_pairs(texts)
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]
    assert pairs[0][2] > 0.8


def test_near_duplicate_search_is_exact_against_brute_force():
    import random

    rng = random.Random(0)
    base = ["the army said rebels shelled the town", "a truce took effect at dawn on monday", "shares fell sharply in early trade"]
    texts = []
    for _ in range(120):
        t = list(rng.choice(base))
        for _ in range(rng.randint(0, 6)):
            t[rng.randrange(len(t))] = rng.choice("abcdefghij ")
        texts.append("".join(t))
    fast = {(i, j) for i, j, _ in C.near_duplicate_pairs(texts)}
    grams = [C.char_grams(t) for t in texts]
    slow = {(i, j) for i in range(len(texts)) for j in range(i + 1, len(texts))
            if len(grams[i] & grams[j]) / len(grams[i] | grams[j]) > 0.8}
    assert fast == slow and slow


def test_validation_messages_name_file_line_and_field(tmp_path):
    rec = {"id": "d-00", "doc_id": "d", "sentence_index": 0, "text": "x", "labels": ["accuse"], "conflict": "c", "genre": "blog", "split": "train"}
    (tmp_path / "c.jsonl").write_text(json.dumps(rec) + "\n" + json.dumps({**rec, "id": "d-00", "sentence_index": 1}) + "\n")
    recs, _ = C.read_corpus(tmp_path)
    problems = C.validate(recs)
    assert any(p.endswith("c.jsonl:1: field 'labels': unknown label(s) ['accuse']") for p in problems)
    assert any("c.jsonl:1: field 'genre'" in p for p in problems)
    assert any("c.jsonl:2: field 'id': duplicate id 'd-00'" in p for p in problems)
    assert any("document 'd' has 2 sentences" in p for p in problems)


def test_conflict_in_two_splits_is_a_problem(records):
    recs = [dict(r) for r in records if r["conflict"] == "cyprus"]
    recs[0]["split"] = "test" if recs[0]["split"] != "test" else "dev"
    assert any("conflict 'cyprus' appears in several splits" in p for p in C.validate(recs))


def test_split_assignment_keeps_conflicts_together_and_labels_in_dev_and_test(records):
    assign = C.assign_splits(records, seed=3, tries=200)
    by_conflict = {}
    for r in records:
        key = r["conflict"] if r["conflict"] != "none" else f"doc:{r['doc_id']}"
        by_conflict.setdefault(r["conflict"], set()).add(assign[key])
    assert all(len(s) == 1 for c, s in by_conflict.items() if c != "none")
    for split in ("dev", "test"):
        got = [r for r in records if assign[r["conflict"] if r["conflict"] != "none" else f"doc:{r['doc_id']}"] == split]
        assert all(any(l in r["labels"] for r in got) for l in ("accusation", "ceasefire", "escalation_risk", "third_party_alignment"))
