"""Sentence segmentation for batch scoring.

``segment(text)`` splits an article body into :class:`Sentence` objects whose ``start``/``end`` are
character offsets into the *original* string (``text[s.start:s.end] == s.text``), with surrounding
whitespace stripped. Every non-whitespace character of the input ends up in exactly one sentence.

How it works (the choice of library and the numbers behind it are in ``docs/segmentation.md``):

1. **Blocks.** The text is first cut into blocks on layout alone: blank lines (paragraphs), bullet
   items (``- ``, ``* ``, ``• ``, ``1. `` at the start of a line; ``•`` also inside a line), live-blog
   entries (``09:42 GMT — ...``, ``Update, 14:10: ...`` at the start of a line), and single line
   breaks after a line that has no terminal punctuation and looks like a headline (the next line's
   first word would have fitted on it, so the break is deliberate and not hard wrapping).
2. **Library.** Each block, with every whitespace character replaced by a plain space (same length,
   so offsets stay exact whatever the library does with whitespace), goes to the sentence splitter
   (nupunkt: a Punkt model shipped inside its wheel, no download at run time; its abbreviation list,
   learnt from legal text, is cut down to the abbreviations news text uses).
3. **Rules.** Cuts are corrected with a few rules the library gets wrong in news text: never after a
   title (``Gen.``, ``Dr.``), an initial (``J. Smith``), ``No.``/a month before a number, or before a
   lower-case word in cased text (``"We will respond!" the minister said``); after ``U.S.``/``a.m.``
   only before a typical sentence opener (``The``, ``It``...). Text that is almost entirely lower case
   (the BBC dump) also gets cuts at ``. `` + lower-case word, except after abbreviations.
4. **Length.** Pieces longer than ``max_chars`` are split at the last whitespace before the limit.

The result is a partition of the text at cut positions, so nothing can be lost or duplicated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

__all__ = ["Sentence", "segment"]


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


# A splitter takes one block (whitespace already normalised to single spaces, same length as the
# original) and returns the block-relative offsets where sentences end.
Splitter = Callable[[str], Iterable[int]]


def segment(text: str, *, max_chars: int = 2000) -> list[Sentence]:
    """Split an article body into sentences (see the module docstring)."""
    return _segment(text, max_chars=max_chars, splitter=_nupunkt_cuts)


def _nupunkt_cuts(block: str) -> Iterable[int]:
    return [end for _, end in _nupunkt().span_tokenize(block)]


@cache
def _nupunkt():
    """nupunkt's bundled model, with its abbreviation list cut down for news text.

    The model was trained on legal text and lists about 2,900 ordinary words as abbreviations
    ("month", "reports", "scandal", "port", "ago", "in"), so "... earlier this month. Exorbitant
    fees ..." stayed one sentence. Only the abbreviations that this module's rules know are kept
    among the plain words; dotted ones ("u.s", "e.g") and single letters stay. Own instance:
    ``nupunkt.load("default")`` is shared with every other caller in the process.
    """
    from nupunkt.models import get_default_model_path
    from nupunkt.tokenizers.sentence_tokenizer import PunktSentenceTokenizer

    tokenizer = PunktSentenceTokenizer.load(get_default_model_path())
    keep = _TITLES | _OTHER_ABBREVIATIONS | (_BEFORE_NUMBER - _ALSO_WORDS)
    for abbreviation in tokenizer.abbreviations:
        if _PLAIN_WORD.fullmatch(abbreviation) and abbreviation not in keep:
            tokenizer.remove_abbreviation(abbreviation)
    return tokenizer


# --------------------------------------------------------------------------------------- layout

# every whitespace character -> one space (str.translate: same length, so offsets stay exact)
_TO_SPACE = {i: " " for i in range(0x3001) if chr(i).isspace() and chr(i) != " "}
_LINE = re.compile(r"[^\n]*(?:\n|$)")
_BULLET = re.compile(r"[ \t]*(?:[-*\u2022\u25aa\u25cf\u25e6\u2023\u2013\u2014]|\d{1,3}[.)])[ \t]+\S")
_TZ = r"(?:[ \t]*(?i:[ap]\.?m\.?))?(?:[ \t]+(?:[A-Z]{2,5}|local(?: time)?))?"
_TIMESTAMP = re.compile(  # "09:42 GMT — ...", "Update, 14:10: ...", "10:45 Officials ...", "09.42 BST - ..."
    r"[ \t]*(?:(?i:update[sd]?|breaking|latest)\b[ \t,:\-]*)?"
    rf"(?:\d{{1,2}}:\d{{2}}{_TZ}(?:[ \t]*[\u2014\u2013\-:|,]|[ \t]+(?=[A-Z\"'\u201c])|[ \t]*$)"
    rf"|\d{{1,2}}\.\d{{2}}{_TZ}(?:[ \t]*[\u2014\u2013\-:|]|[ \t]*$))"  # "3.50 percent ..." is no entry
)
_INLINE_BULLET = re.compile(r"(?<=\s)(?=[\u2022\u25aa\u25cf\u25e6\u2023]\s)")
_TERMINAL = re.compile(r"[.!?\u2026:;,]['\"\u2019\u201d)\]]*$")
_OPENS_SENTENCE = re.compile(r"['\"\u2018\u201c(\[]*[A-Z0-9]")
_HEADLINE_MAX = 200


def _lines(text: str) -> list[tuple[int, int] | None]:
    """Lines of text as stripped (start, end) spans; None marks a blank line."""
    out: list[tuple[int, int] | None] = []
    for m in _LINE.finditer(text):
        if m.start() == m.end():
            break
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        out.append((s, e) if s < e else None)
    return out


_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")
_INNER_STOP = re.compile(r"[.!?]\s")
_MINOR_WORDS = frozenset("a an and as at but by for from in into of on or over the to up via vs with".split())


def _title_case(line: str) -> bool:
    """Headline Style: most words (minor words aside) capitalised."""
    if _INNER_STOP.search(line):
        return False
    all_words = _WORD.findall(line)
    words = [w for w in all_words if w.lower() not in _MINOR_WORDS]
    return (
        len(words) >= 2
        and all_words[-1][0].isupper()
        and sum(w[0].isupper() for w in words) >= 0.8 * len(words)
    )


def _is_entry(line: str) -> bool:
    return bool(_BULLET.match(line) or _TIMESTAMP.match(line))


def _blocks(text: str) -> list[tuple[int, int]]:
    """Spans of text between which a sentence boundary is certain (layout only)."""
    lines = _lines(text)
    # group into paragraphs (runs of non-blank lines)
    paragraphs: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for line in lines:
        if line is None:
            if current:
                paragraphs.append(current)
                current = []
        else:
            current.append(line)
    if current:
        paragraphs.append(current)

    blocks: list[tuple[int, int]] = []
    for para in paragraphs:
        width = max(e - s for s, e in para)
        block_start = para[0][0]
        in_entry = _is_entry(text[para[0][0]:para[0][1]])
        for (s, e), (ns, ne) in zip(para, para[1:]):
            line, nxt = text[s:e], text[ns:ne]
            nxt_entry = _is_entry(nxt)
            brk = nxt_entry
            if not brk and not _TERMINAL.search(line) and _OPENS_SENTENCE.match(nxt):
                first_word = nxt.split(None, 1)[0]
                fits = (e - s) + 1 + len(first_word) <= width
                brk = in_entry or ((e - s) <= _HEADLINE_MAX and (fits or _title_case(line)))
            if brk:
                blocks.append((block_start, e))
                block_start = ns
                in_entry = nxt_entry
        blocks.append((block_start, para[-1][1]))

    out: list[tuple[int, int]] = []
    for s, e in blocks:  # inline bullets: "Latest • Strikes hit ... • Baku denies ..."
        for m in _INLINE_BULLET.finditer(text, s, e):
            out.append((s, m.start()))
            s = m.start()
        out.append((s, e))
    return out


# ---------------------------------------------------------------------------------------- rules

# Followed by a name: never end a sentence.
_TITLES = frozenset(
    "mr mrs ms messrs dr prof gen lt col maj capt cpt cpl sgt adm cmdr brig gov sen rep rev hon pres "
    "st mt ft supt insp det amb".split()
)
# Followed by a number: never end a sentence.
_BEFORE_NUMBER = frozenset(
    "no nos nr art arts sec sect fig figs vol vols p pp para ch chap op jan feb mar apr jun jul aug "
    "sep sept oct nov dec ca approx est".split()
)
_ALSO_WORDS = frozenset("no art arts sec op ch p est".split())  # ordinary words too: left to the rules
_PLAIN_WORD = re.compile(r"[a-z]{2,}")
# Ambiguous: end a sentence only before a typical sentence opener.
_OTHER_ABBREVIATIONS = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec jr sr inc ltd co corp bros plc llc ave rd blvd "
    "dept govt univ assn est approx vs etc al cf e.g i.e viz ca".split()
)
_OPENERS = frozenset(
    "the a an he she it its they we i you but and or so yet in on at for from to of by as with after "
    "before during when while since if although though however meanwhile also this that these those "
    "there then his her their our my your one two three some many most all both no not nor neither "
    "officials police authorities troops government residents witnesses analysts critics according "
    "speaking despite instead still earlier later last yesterday today now".split()
)
# In lower-case text only these (prepositions like "on" too often continue "10 a.m. on monday").
_LOWER_OPENERS = frozenset(
    "the a an he she it its they we i you but however meanwhile this these there his her their our".split()
)
_DOTTED = re.compile(r"(?:[A-Za-z]\.){2,}$")  # U.S., U.N., a.m., e.g.
_ABBREV_TOKEN = re.compile(r"([A-Za-z][A-Za-z.\-]*)\.$")
_ENUMERATOR = re.compile(r"(?:\d{1,3}|[A-Za-z])[.)]$")
_TOKEN_LEFT = re.compile(r"\S+$")
_WORD_RIGHT = re.compile(r"['\"\u2018\u201c(\[]*(\S*)")
# Candidate cuts the libraries tend to miss: before a number ("on Monday. 12 trucks"), after a dotted
# abbreviation ("by the U.S. The EU followed"), and in lower-case text before a lower-case word. All
# still go through _keep_cut.
_DIGIT_CUT = re.compile(r"[.!?]+['\"\u2019\u201d)\]]*(?=\s+['\"\u2018\u201c(\[]*\d)")
_DOTTED_CUT = re.compile(r"(?<![\w.])(?:[A-Za-z]\.){2,}(?=\s+['\"\u2018\u201c(\[]*[A-Z])")
_LOWER_CUT = re.compile(r"[.!?]+['\"\u2019\u201d)\]]*(?=\s+['\"\u2018\u201c(\[]*[a-z])")
_ELLIPSIS = re.compile(r"(?:\.\.|\u2026)['\"\u2019\u201d)\]]*$")
_DROP_UPPER = str.maketrans("", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DROP_LOWER = str.maketrans("", "", "abcdefghijklmnopqrstuvwxyz")


def _is_lowercase_text(text: str) -> bool:
    sample = text[:50_000]
    upper = len(sample) - len(sample.translate(_DROP_UPPER))
    lower = len(sample) - len(sample.translate(_DROP_LOWER))
    return lower >= 20 and upper < 0.01 * (upper + lower)


def _keep_cut(text: str, cut: int, block_start: int, block_end: int, lower: bool) -> bool:
    """Whether a candidate boundary at ``cut`` (between two non-space runs) is a sentence boundary."""
    left_end = cut
    while left_end > block_start and text[left_end - 1].isspace():
        left_end -= 1
    right_start = cut
    while right_start < block_end and text[right_start].isspace():
        right_start += 1
    if left_end <= block_start or right_start >= block_end:
        return False
    if left_end == right_start:  # inside a token ("3.5", "mfa.am", "failed.Officials")
        return False
    token_m = _TOKEN_LEFT.search(text, max(block_start, left_end - 60), left_end)
    if token_m and token_m.start() == block_start and _ENUMERATOR.match(token_m.group()):
        return False  # "1." of a numbered list item
    token = token_m.group().lstrip("'\"\u2018\u201c([") if token_m else ""
    word = _WORD_RIGHT.match(text, right_start).group(1)
    first = word[:1]
    if first.islower() and (not lower or _ELLIPSIS.search(token)):
        return False  # "we will respond!" the minister said / U.S. officials / conversation... and
    if not token.endswith("."):
        return True
    abbr_m = _ABBREV_TOKEN.search(token)
    if not abbr_m:
        return True
    abbr = abbr_m.group(1)
    key = abbr.lower()
    if key in _TITLES:
        return False
    if first.isdigit() and (key in _BEFORE_NUMBER or _DOTTED.match(abbr + ".")):
        return False
    if len(abbr) == 1 and abbr.isupper() and not lower:
        return False  # initial: J. Smith
    if _DOTTED.match(abbr + ".") or key in _OTHER_ABBREVIATIONS or (len(abbr) == 1 and lower):
        return word.lower().rstrip(".,;:") in (_LOWER_OPENERS if lower else _OPENERS)
    return True


# ----------------------------------------------------------------------------------- assembling


def _segment(text: str, *, max_chars: int, splitter: Splitter) -> list[Sentence]:
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    if not text or text.isspace():
        return []
    lower = _is_lowercase_text(text)
    cuts: set[int] = set()
    for bs, be in _blocks(text):
        cuts.add(bs)
        cuts.add(be)
        block = text[bs:be].translate(_TO_SPACE)
        candidates = {bs + c for c in splitter(block) if 0 < c < be - bs}
        candidates.update(bs + m.end() for m in _DIGIT_CUT.finditer(block))
        candidates.update(bs + m.end() for m in _DOTTED_CUT.finditer(block))
        if lower:
            candidates.update(bs + m.end() for m in _LOWER_CUT.finditer(block))
        cuts.update(c for c in candidates if _keep_cut(text, c, bs, be, lower))
    return _assemble(text, sorted(cuts), max_chars)


def _assemble(text: str, cuts: list[int], max_chars: int) -> list[Sentence]:
    out: list[Sentence] = []
    bounds = [0, *cuts, len(text)]
    for a, b in zip(bounds, bounds[1:]):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        while b - a > max_chars:  # split over-long pieces at the last whitespace before the limit
            limit = a + max_chars
            split = limit
            while split > a and not text[split].isspace():
                split -= 1
            if split == a:  # no whitespace at all: hard cut
                split = limit
            end = split
            while end > a and text[end - 1].isspace():
                end -= 1
            out.append(Sentence(a, end, text[a:end]))
            a = split
            while a < b and text[a].isspace():
                a += 1
        if a < b:
            out.append(Sentence(a, b, text[a:b]))
    return out
