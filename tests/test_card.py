import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from training.card import SECTIONS, write_card
from training.report import run_evaluation

from conftest import CORPUS


@pytest.fixture(scope="module")
def carded(tiny_model, tmp_path_factory):
    """A copy of the tiny model, evaluated on the seed test split and on one extra labelled file."""
    path = tmp_path_factory.mktemp("carded") / "model"
    shutil.copytree(tiny_model, path, ignore=shutil.ignore_patterns("eval", "README.md", "card.html"))
    extra = path.parent / "extra_eval.jsonl"
    rows = [json.loads(l) for l in CORPUS.read_text().splitlines()][:30]
    extra.write_text("".join(json.dumps({"id": r["id"], "text": r["text"], "labels": r["labels"]}) + "\n" for r in rows))
    run_evaluation(path, [extra, path.parent / "missing.jsonl"])
    write_card(path)
    return path


def front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def test_card_has_every_section_in_order(carded):
    text = (carded / "README.md").read_text()
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    assert headings == SECTIONS


def test_model_index_parses_with_huggingface_hub(carded):
    from huggingface_hub import ModelCard

    card = ModelCard((carded / "README.md").read_text())
    assert card.data.pipeline_tag == "text-classification"
    assert card.data.library_name == "transformers"
    results = card.data.eval_results
    assert results, "model-index has no results"
    datasets = {r.dataset_type for r in results}
    assert datasets == {"seed_test", "extra_eval"}


def test_card_numbers_equal_the_files(carded):
    text = (carded / "README.md").read_text()
    meta = front_matter(text)
    metrics = json.loads((carded / "metrics.json").read_text())
    seed = json.loads((carded / "eval" / "seed_test.json").read_text())
    extra = json.loads((carded / "eval" / "extra_eval.json").read_text())
    # seed test in the card == test in metrics.json (same model, same rule, same data)
    assert seed["macro_f1"] == pytest.approx(metrics["test"]["macro_f1"])
    by_name = {(r["dataset"]["type"], m["name"]): m["value"] for r in meta["model-index"][0]["results"] for m in r["metrics"]}
    for name, rep in (("seed_test", seed), ("extra_eval", extra)):
        assert by_name[(name, "Macro F1")] == round(rep["macro_f1"], 4)
        assert by_name[(name, "Micro F1")] == round(rep["micro_f1"], 4)
        for label, v in rep["per_label"].items():
            assert by_name[(name, f"F1 ({label})")] == round(v["f1"], 4)
            # the per-label table row in the body carries the same numbers
            row = re.search(rf"^\| {label} \| {v['precision']:.3f} \| {v['recall']:.3f} \| {v['f1']:.3f} \|", text, flags=re.M)
            assert row, (name, label)
        assert f"Macro-F1 **{rep['macro_f1']:.3f}** (95% bootstrap interval {rep['macro_f1_ci95'][0]:.3f}–{rep['macro_f1_ci95'][1]:.3f}" in text
        assert f"ECE **{rep['ece']:.3f}**" in text
    thresholds = json.loads((carded / "metadata.json").read_text())["thresholds"]
    for label, t in thresholds.items():
        assert f"{label} {t:.2f}" in text


def test_regenerating_after_new_evaluation_updates_the_card(carded, tmp_path):
    path = tmp_path / "model"
    shutil.copytree(carded, path)
    report = json.loads((path / "eval" / "seed_test.json").read_text())
    report["macro_f1"] = 0.123456
    (path / "eval" / "seed_test.json").write_text(json.dumps(report))
    write_card(path)
    assert "Macro-F1 **0.123**" in (path / "README.md").read_text()


class _Collector(HTMLParser):
    VOID = {"meta", "img", "input", "br", "hr", "link", "col", "source", "area", "base", "wbr", "embed", "param", "track"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.urls = [], [], []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href", "action", "data", "poster") and v:
                self.urls.append(v)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}>, open: {self.stack[-3:]}")
        else:
            self.stack.pop()


def test_html_is_well_formed_and_self_contained(carded):
    page = (carded / "card.html").read_text()
    parser = _Collector()
    parser.feed(page)
    parser.close()
    assert not parser.errors and not parser.stack, (parser.errors, parser.stack)
    assert parser.urls, "no images embedded"
    assert all(u.startswith("data:image/png;base64,") or u.startswith("#") for u in parser.urls), [u[:40] for u in parser.urls]
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page))
    assert page.count('type="checkbox"') >= 8
    for section in SECTIONS:
        assert f">{section}</h2>" in page


def test_headless_chromium_renders_the_card(carded, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not chromium:
        pytest.skip("Chromium is not installed")
    shot = tmp_path / "card.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,3000", f"--screenshot={shot}",
                    (carded / "card.html").as_uri()], check=True, capture_output=True, timeout=120)
    assert shot.stat().st_size > 20_000
