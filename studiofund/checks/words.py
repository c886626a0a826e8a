"""Word segmentation for the content rules: jieba's dictionary method, with a small dictionary of
our own.

A term of a signal must match a *word* of the narration, not a fragment of a longer one: 员工
is not in 学员工作餐 (学员 | 工作餐), 家属 not in 家属院, 海参 not in 上海参加 (上海 | 参加).
:class:`Segmenter` cuts a text as jieba's ``Tokenizer.cut(text, HMM=False)`` does — the most
probable path through the dictionary's words (jieba's DAG and route, repeated here line for
line) — and answers the positions where words begin and end; a match of a term counts only when
it starts and ends on such positions. ``tests/test_rules_content.py`` holds the cut to jieba's
own on every text of the corpora and on random texts.

The cut is ours, not jieba's, for what jieba costs before it cuts anything: its import and
reading its prefix dictionary back from its cache file with ``marshal.load`` on a file object
(one method call per object read) cost every first check that segments a text 0.087 G
instructions (callgrind, check bench), building the same prefix dictionary here from the words
0.008 G; and jieba kept that cache in the user's cache directory. jieba is needed only to
generate the dictionary (``python -m studiofund.checks.words``) and by the test.

The dictionary is not jieba's bundled one (350,000 words: building its prefix dictionary costs
about a second). It is ``studiofund/policy/programs/_words.txt`` (policy data, jieba's ``word
frequency`` format): the words of jieba's dictionary that can decide whether a term is a word —
those containing a term, and common ones overlapping one at its edges (上海 and 参加 around 海参)
— with jieba's frequencies (about 2,000 words). ``python -m studiofund.checks.words`` rebuilds
it from the bundled detection data when the terms change. At run time the policy's own ``words``
and the literal core of every term are added (a bureau's new terms too). The dictionary is read
the first time a transaction's words contain a candidate term as a substring — a ledger without
one never pays for it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from math import log
from pathlib import Path

from ..policy import load_program

BUNDLED = Path(__file__).resolve().parent.parent / "policy" / "programs" / "_words.txt"
#: the frequency of a policy word or term that jieba's dictionary does not know (or knows as
#: rarer): about that of a common two-character word, so that it is cut whole
POLICY_FREQUENCY = 3000
#: how frequent (in jieba's dictionary) a word containing a term, and a word overlapping one,
#: must be to be in ours
MIN_CONTAINING = 20
MIN_OVERLAPPING = 2000
#: what jieba cuts with its dictionary (its ``re_han_default``): runs of CJK ideographs
#: (U+4E00–U+9FD5), ASCII letters and digits and ``+#&._%-``; anything else is one character a
#: word ("\r\n" one word). Tested character by character: compiling jieba's pattern (its range
#: of 20,950 code points) cost 0.01 G instructions
_WORDISH = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+#&._%-")
#: a one-character word that jieba joins with the next ones of this kind (its ``re_eng``)
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _read(path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= 2 and not parts[0].startswith("#"):
                out[parts[0]] = int(parts[1])
    return out


def _read_bundled() -> dict[str, int]:
    """:data:`BUNDLED`, which :func:`rebuild` writes as a header of comments, then a word and its
    frequency a line: split at once (0.008 G instructions against 0.014 G for :func:`_read`'s
    line by line)."""
    text = BUNDLED.read_text(encoding="utf-8")
    while text.startswith("#"):
        text = text[text.index("\n") + 1:]
    fields = text.split()
    return dict(zip(fields[0::2], map(int, fields[1::2])))


def _in_block(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fd5" or char in _WORDISH


class Segmenter:
    """Word boundaries of texts, cut with the bundled dictionary plus ``words``; one text is
    cut once."""

    def __init__(self, words: Iterable[str]):
        self.words = sorted({w.strip() for w in words if w and w.strip() and " " not in w.strip()})
        self._frequency: dict[str, int] | None = None  # read on first use
        self._log_total = 0.0
        self._longest = 1
        self._bounds: dict[str, frozenset[int]] = {}

    def frequencies(self) -> dict[str, int]:
        """The dictionary: the bundled words and ours, with their frequencies."""
        frequencies = _read_bundled()
        for word in self.words:
            frequencies[word] = max(frequencies.get(word, 0), POLICY_FREQUENCY)
        return frequencies

    def boundaries(self, text: str) -> frozenset[int]:
        """The positions in ``text`` where a word begins or ends (0 and len(text) included)."""
        found = self._bounds.get(text)
        if found is None:
            out = {0}
            start, n = 0, len(text)
            while start < n:
                if _in_block(text[start]):
                    end = start + 1
                    while end < n and _in_block(text[end]):
                        end += 1
                    out.update(start + at for at in self._ends(text[start:end]))
                else:
                    end = start + (2 if text.startswith("\r\n", start) else 1)
                    out.add(end)
                start = end
            found = self._bounds[text] = frozenset(out)
        return found

    def words_of(self, text: str) -> list[str]:
        """The words of ``text`` (for tests and explanations)."""
        bounds = sorted(self.boundaries(text))
        return [text[a:b] for a, b in zip(bounds, bounds[1:])]

    def _ends(self, block: str) -> list[int]:
        """Where the words of ``block`` (a run of :func:`_in_block` characters) end, as jieba's
        ``__cut_DAG_NO_HMM`` cuts it: the same route, with the same arithmetic in the same order.
        jieba finds the words starting at a position by extending a fragment while it is a
        prefix of a word (its prefix dictionary); here every fragment up to the longest word is
        looked up — the same words, without building the prefix dictionary (0.017 G)."""
        frequency = self._frequency if self._frequency is not None else self._load()
        log_total, longest, n = self._log_total, self._longest, len(block)
        route: list[tuple[float, int]] = [(0, 0)] * (n + 1)
        for idx in range(n - 1, -1, -1):
            # jieba's DAG: where the dictionary's words starting at idx end (or idx alone)
            ends = [i for i in range(idx, min(n, idx + longest)) if frequency.get(block[idx:i + 1])] or [idx]
            route[idx] = max((log(frequency.get(block[idx:x + 1]) or 1) - log_total + route[x + 1][0], x)
                             for x in ends)
        out, joined, x = [], False, 0
        while x < n:
            y = route[x][1] + 1
            if y - x == 1 and block[x] in _ALNUM:  # one letter or digit: joined with the next ones
                joined = True
            else:
                if joined:
                    out.append(x)
                    joined = False
                out.append(y)
            x = y
        if joined:
            out.append(n)
        return out

    def _load(self) -> dict[str, int]:
        frequency = self.frequencies()
        self._log_total = log(sum(frequency.values()))
        self._longest = max(map(len, frequency), default=1)
        self._frequency = frequency
        return frequency


def relevant_words(frequencies: dict[str, int], anchors: Iterable[str]) -> dict[str, int]:
    """The words of ``frequencies`` (jieba's dictionary) that can decide whether an anchor is
    a word: words that contain an anchor (at least :data:`MIN_CONTAINING` frequent: 加油站,
    家属院) and common words (at least :data:`MIN_OVERLAPPING`) that end with the beginning of
    one or begin with the end of one (上海 | 参加 around 海参). Rarer words would make the
    dictionary, and loading it, ten times larger for little."""
    anchors = {a for a in anchors if len(a) > 1}
    heads = {a[:k] for a in anchors for k in range(1, len(a))}
    tails = {a[-k:] for a in anchors for k in range(1, len(a))}
    longest = max(map(len, anchors), default=1)
    out = {}
    for word, frequency in frequencies.items():
        n = len(word)
        if n < 2 or frequency < min(MIN_CONTAINING, MIN_OVERLAPPING):
            continue
        if frequency >= MIN_CONTAINING and any(
                word[i:j] in anchors for i in range(n) for j in range(i + 2, min(n, i + longest) + 1) if j - i < n):
            out[word] = frequency
        elif frequency >= MIN_OVERLAPPING and (any(word[-k:] in heads for k in range(1, n))
                                               or any(word[:k] in tails for k in range(1, n))):
            out[word] = frequency
    return out


def rebuild(target: Path = BUNDLED) -> int:
    """Write ``_words.txt`` from jieba's dictionary and the bundled detection data."""
    detection = load_program("shenzhen-district").detection
    anchors = {a for s in detection.all_signals for a in (s.anchors or ())} | set(detection.all_words)
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("重新生成分词词典需要 jieba（pip install jieba）")
    source = Path(spec.submodule_search_locations[0]) / "dict.txt"
    words = relevant_words(_read(source), anchors)
    header = ("# studiofund's segmentation dictionary (jieba format: word frequency), generated by\n"
              "# `python -m studiofund.checks.words` from jieba's dict.txt and the detection data.\n")
    target.write_text(header + "".join(f"{w} {f}\n" for w, f in sorted(words.items())), encoding="utf-8")
    return len(words)


if __name__ == "__main__":
    print(f"{BUNDLED}: {rebuild()} words")
