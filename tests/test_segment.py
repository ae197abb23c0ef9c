"""inference.segment: exact offsets, nothing lost, and the hard cases of benchmarks/data/segmentation_gold.jsonl."""

from __future__ import annotations

import dataclasses
import json
import random
import time
from pathlib import Path

import pytest

from inference.segment import Sentence, segment

from conftest import shared_file

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "benchmarks" / "data" / "segmentation_gold.jsonl"
SEED = ROOT / "seeds" / "articles" / "armenia-azerbaijan-2022-09.txt"
GOLD_CASES = [row for row in map(json.loads, GOLD.read_text(encoding="utf-8").splitlines()) if "text" in row]


def check(text: str, sentences: list[Sentence], max_chars: int = 2000) -> None:
    """Offsets exact, stripped, in order, no overlap, every non-space character in exactly one sentence."""
    pos = 0
    for s in sentences:
        assert text[s.start:s.end] == s.text
        assert s.text and s.text == s.text.strip()
        assert len(s.text) <= max_chars
        assert pos <= s.start < s.end
        assert text[pos:s.start].strip() == "", f"lost {text[pos:s.start]!r}"
        pos = s.end
    assert text[pos:].strip() == "", f"lost {text[pos:]!r}"


def texts(text: str, **kwargs) -> list[str]:
    sentences = segment(text, **kwargs)
    check(text, sentences, **kwargs)
    return [s.text for s in sentences]


# ------------------------------------------------------------------------------------------ the API


def test_sentence_is_a_frozen_dataclass():
    s = Sentence(0, 3, "Yes")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.start = 1  # type: ignore[misc]
    assert dataclasses.asdict(s) == {"start": 0, "end": 3, "text": "Yes"}


@pytest.mark.parametrize("text", ["", " ", "\n\n \t\r\n", "\u00a0\u2003"])
def test_empty_or_whitespace_gives_nothing(text):
    assert segment(text) == []


def test_offsets_index_the_original_string_not_a_normalised_copy():
    text = "  \t Shelling resumed.\r\n\r\nThe\tministry  said\u00a0nothing. \u201cWe wait,\u201d said Dr. \u00c9lise Roux.\n"
    sentences = segment(text)
    check(text, sentences)
    assert [s.text for s in sentences] == [
        "Shelling resumed.", "The\tministry  said\u00a0nothing.", "\u201cWe wait,\u201d said Dr. \u00c9lise Roux."]
    assert sentences[0].start == 4


def test_invalid_max_chars():
    with pytest.raises(ValueError):
        segment("Text.", max_chars=0)


# ----------------------------------------------------------------------------------- the hard cases


@pytest.mark.parametrize("case", GOLD_CASES, ids=[c["id"] for c in GOLD_CASES])
def test_gold_case(case):
    assert texts(case["text"]) == case["sentences"]


def test_gold_covers_every_requirement():
    kinds = {c["kind"] for c in GOLD_CASES}
    assert {"seed", "quotes", "abbreviations", "numbers", "bullets", "timestamps", "lowercase", "headlines"} <= kinds


def test_seed_article():
    text = SEED.read_text(encoding="utf-8")
    got = texts(text)
    assert got[0] == "Armenia confirms it has lost territory to Azerbaijan"
    assert len(got) == 11
    assert any(s.startswith('"We expect that') and "9:00 a.m. Moscow time (06:00 GMT) on Sept. 13" in s for s in got)


def test_quote_with_attribution_stays_whole():
    assert texts('"We will respond," the minister said. Troops moved.') == [
        '"We will respond," the minister said.', "Troops moved."]
    assert texts("\u201cWill you withdraw?\u201d the envoy asked. \u201cNever!\u201d he replied.") == [
        "\u201cWill you withdraw?\u201d the envoy asked.", "\u201cNever!\u201d he replied."]


@pytest.mark.parametrize("text", [
    "The U.S. and the U.N. condemned the attack on Sept. 13 at 9:00 a.m. local time.",
    "Gen. Ahmadi met Dr. Ortiz and J. Smith at No. 10 on Jan. 5 before the 4 p.m. briefing.",
    "Talks in Feb. 2023, Mar. 2023, Apr. 2023, Aug. 2023, Oct. 2023, Nov. 2023 and Dec. 2023 failed.",
    "Lt. Col. Ivan Petrov, Sgt. Ana Ruiz, Mr. Haddad and Mrs. Okafor were held, the U.K.-based group said.",
    "Growth was 3.5 percent, the rouble fell 12.75% and shelling began at 06:00 GMT, or 9.15 local time.",
])
def test_no_split_inside_abbreviations_and_numbers(text):
    assert texts(text) == [text]


def test_abbreviation_at_the_end_of_a_sentence():
    assert texts("The sanctions came from the U.S. The EU followed. Talks ended at 4 p.m. It was late.") == [
        "The sanctions came from the U.S.", "The EU followed.", "Talks ended at 4 p.m.", "It was late."]


def test_bullets_each_item_separate():
    text = "Key points:\n- Russia brokered a truce\n* Armenia reported 105 dead\n\u2022 Baku denied it. It blamed Yerevan.\n1. First step\n2) Second step"
    assert texts(text) == ["Key points:", "- Russia brokered a truce", "* Armenia reported 105 dead",
                           "\u2022 Baku denied it.", "It blamed Yerevan.", "1. First step", "2) Second step"]


def test_live_blog_timestamps():
    text = ("09:42 GMT \u2014 Shelling resumed near Jermuk\n09:55 GMT \u2014 Baku says its posts came under fire\n"
            "Update, 14:10: Moscow calls for restraint\n14:32 BST: The UN will meet. More soon.")
    assert texts(text) == ["09:42 GMT \u2014 Shelling resumed near Jermuk", "09:55 GMT \u2014 Baku says its posts came under fire",
                           "Update, 14:10: Moscow calls for restraint", "14:32 BST: The UN will meet.", "More soon."]


def test_headline_line_without_punctuation_ends_a_sentence():
    assert texts("Ceasefire Collapses On Border\nShelling resumed on Wednesday, officials said.") == [
        "Ceasefire Collapses On Border", "Shelling resumed on Wednesday, officials said."]
    assert texts("Armenia says it lost territory\nInternational efforts failed. Clashes went on.") == [
        "Armenia says it lost territory", "International efforts failed.", "Clashes went on."]


def test_hard_wrapped_prose_is_not_split_at_line_breaks():
    text = ("Officials in Yerevan said the foreign ministry had summoned the ambassador of\n"
            "Azerbaijan and the chargé d'affaires of Russia to protest against the shelling\n"
            "Prime Minister Nikol Pashinyan called unprovoked. No one else commented.")
    assert texts(text) == [text[: text.index(" No one")], "No one else commented."]


def test_wrapped_line_starting_with_a_decimal_is_not_a_live_blog_entry():
    text = ("Consumer prices across the region went up on average by\n"
            "3.50 percent over the year, officials in the capital said.\nPrices rose again.")
    assert texts(text) == [text[: text.index("\nPrices")], "Prices rose again."]


def test_lower_case_text_without_quotes_splits_sensibly():
    text = ("armenia said on tuesday that 105 soldiers had been killed. azerbaijan put its losses at 50.  "
            "the clashes are the worst since 2020  officials said. mr pashinyan has asked russia for help. "
            "the talks resume at 10 a.m. on monday. growth was 3.5% in 2004. it was a disaster! "
            "the vote at no. 10 was delayed... but not for long. 12% of voters stayed home.")
    assert texts(text) == [
        "armenia said on tuesday that 105 soldiers had been killed.", "azerbaijan put its losses at 50.",
        "the clashes are the worst since 2020  officials said.", "mr pashinyan has asked russia for help.",
        "the talks resume at 10 a.m. on monday.", "growth was 3.5% in 2004.", "it was a disaster!",
        "the vote at no. 10 was delayed... but not for long.", "12% of voters stayed home."]


# -------------------------------------------------------------------------------------- max_chars


def test_over_long_sentence_is_split_at_the_last_whitespace_before_the_limit():
    words = [f"word{i}" for i in range(2000)]
    text = "Start " + " ".join(words) + " end. Next sentence."
    got = segment(text, max_chars=100)
    check(text, got, max_chars=100)
    assert got[-1].text == "Next sentence."
    for s in got[:-2]:  # each full piece ends before a space, and the next word would not have fitted
        assert text[s.end] == " "
        nxt = text[s.end + 1:].split(" ", 1)[0]
        assert len(s.text) + 1 + len(nxt) > 100
    assert max(len(s.text) for s in got) <= 100


def test_default_max_chars_is_2000():
    text = ("x " * 3000) + "done."
    got = segment(text)
    check(text, got, max_chars=2000)
    assert [len(s.text) for s in got] == [1999, 1999, 1999, 5]  # 6,005 characters, no sentence end


def test_token_longer_than_max_chars_is_cut_hard_not_dropped():
    text = "See " + "a" * 250 + " now."
    got = segment(text, max_chars=100)
    check(text, got, max_chars=100)
    assert "".join(s.text for s in got).replace(" ", "") == text.replace(" ", "")


# ---------------------------------------------------------------------------------- size and fuzz


def test_five_megabyte_article_is_fully_segmented():
    rng = random.Random(5)
    paragraphs = [
        'Russia said it brokered a ceasefire on Sept. 13, but the U.S. said shelling went on. "We will respond," '
        "Gen. Ahmadi said. Growth slowed to 3.5% in 2022.",
        "Key points\n- Shelling resumed\n- 105 killed\n1. Withdraw\n2. Talk",
        "09:42 GMT \u2014 Baku says its posts came under fire\nUpdate, 14:10: Moscow calls for restraint",
        "the talks resume at 10 a.m. on monday  officials said. no date has been set. it was a disaster!",
        " ".join(["unpunctuated"] * 700),
    ]
    parts, size = [], 0
    while size < 5_000_000:
        p = rng.choice(paragraphs)
        parts.append(p)
        size += len(p) + 2
    text = "\n\n".join(parts)
    t0 = time.perf_counter()
    got = segment(text)
    elapsed = time.perf_counter() - t0
    check(text, got)
    assert sum(len(s.text.replace(" ", "").replace("\n", "")) for s in got) == len(
        text.replace(" ", "").replace("\n", ""))
    assert elapsed < 60, f"5 MB took {elapsed:.1f}s"


def test_one_five_megabyte_paragraph_without_line_breaks():
    text = "The army withdrew from the border. Talks resumed in Geneva on Monday. " * 72_000
    got = segment(text)
    check(text, got)
    assert len(got) == 144_000


ALPHABET = list("abcXYZ 019.,!?:;\"'()-*\u2022\u201c\u201d\u2014\n\n\t\u00a0") + ["U.S. ", "Dr. ", "09:42 GMT \u2014 ", "\n- ", "\n1. "]


@pytest.mark.parametrize("seed", range(300))
def test_random_text_never_loses_characters(seed):
    rng = random.Random(seed)
    text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 400)))
    max_chars = rng.choice([5, 40, 2000])
    check(text, segment(text, max_chars=max_chars), max_chars=max_chars)


# ---------------------------------------------------------------------------------- the real dumps


@pytest.mark.shared
@pytest.mark.parametrize("name", ["articles_bbc.jsonl", "articles_insightcrime.jsonl"])
def test_shared_dumps_segment_without_loss(name):
    path = shared_file("data", name)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:300]]
    n_sentences = 0
    for row in rows:
        got = segment(row["text"])
        check(row["text"], got)
        n_sentences += len(got)
    assert n_sentences / len(rows) > 8  # the lower-cased BBC text splits too, not one sentence an article
