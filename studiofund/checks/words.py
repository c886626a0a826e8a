"""Word segmentation for the content rules: jieba, with a small dictionary of our own.

A term of a signal must match a *word* of the narration, not a fragment of a longer one: 员工
is not in 学员工作餐 (学员 | 工作餐), 家属 not in 家属院, 海参 not in 上海参加 (上海 | 参加).
:class:`Segmenter` cuts a text with jieba's dictionary method and answers the positions where
words begin and end; a match of a term counts only when it starts and ends on such positions.

The dictionary is not jieba's bundled one: building its prefix dictionary costs about a second
and loading jieba's cache of it a third of one — more than checking a whole ledger. It is
``studiofund/policy/programs/_words.txt`` (policy data, jieba's ``word frequency`` format):
the words of jieba's dictionary that can decide whether a term is a word — those containing a
term, and common ones overlapping one at its edges (上海 and 参加 around 海参) — with jieba's
frequencies (about 2,000 words: loading them costs a few milliseconds). ``python -m studiofund.checks.words`` rebuilds it from the bundled
detection data when the terms change. At run time the policy's own ``words`` and the literal
core of every term are added (a bureau's new terms too). jieba is imported and the dictionary
loaded the first time a transaction's words contain a candidate term — a ledger without one
never pays for it; jieba keeps its prefix-dictionary cache in the studiofund cache directory
(``$STUDIOFUND_CACHE_DIR/jieba`` or ``${XDG_CACHE_HOME:-~/.cache}/studiofund/jieba``).
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import sys
import tempfile
import types
from collections.abc import Iterable
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


def _cache_dir() -> Path:
    base = os.environ.get("STUDIOFUND_CACHE_DIR")
    if base:
        return Path(base) / "jieba"
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(xdg) / "studiofund" / "jieba"


class _LazyFinalseg(types.ModuleType):
    """Stands for ``jieba.finalseg`` (jieba's HMM for words its dictionary lacks) until something
    reads it: we cut with ``HMM=False`` and never do, and importing it loads its 1.3 MB emission
    table — half of jieba's import (callgrind: ``import jieba`` 0.135 G instructions, 0.067 G
    without it, on each check of a ledger whose words hold a candidate term). Any use imports the
    real module."""

    def __getattr__(self, name):
        if sys.modules.get("jieba.finalseg") is self:
            del sys.modules["jieba.finalseg"]
        real = importlib.import_module("jieba.finalseg")
        jieba = sys.modules.get("jieba")
        if jieba is not None and getattr(jieba, "finalseg", None) is self:
            jieba.finalseg = real
        return getattr(real, name)


def _import_jieba():
    """jieba, imported without ``pkg_resources``: jieba 0.42 tries ``import pkg_resources``
    (deprecated, ~150 ms of imports) only to open its own data files, and falls back to a plain
    ``open`` when the import fails — which is all it needs here; and without loading its HMM
    until it is used (:class:`_LazyFinalseg`)."""
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    sys.modules.setdefault("jieba.finalseg", _LazyFinalseg("jieba.finalseg"))
    try:
        import jieba
    finally:
        if blocked:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)  # it logs its dictionary building at DEBUG on stderr
    return jieba


def _read(path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= 2 and not parts[0].startswith("#"):
                out[parts[0]] = int(parts[1])
    return out


class Segmenter:
    """Word boundaries of texts, cut with the bundled dictionary plus ``words``; one text is
    cut once."""

    def __init__(self, words: Iterable[str]):
        self.words = sorted({w.strip() for w in words if w and w.strip() and " " not in w.strip()})
        self._tokenizer = None
        self._bounds: dict[str, frozenset[int]] = {}

    def boundaries(self, text: str) -> frozenset[int]:
        """The positions in ``text`` where a word begins or ends (0 and len(text) included)."""
        found = self._bounds.get(text)
        if found is None:
            tokenizer = self._tokenizer or self._build()
            position, out = 0, {0}
            for word in tokenizer.cut(text, HMM=False):
                position += len(word)
                out.add(position)
            found = self._bounds[text] = frozenset(out)
        return found

    def words_of(self, text: str) -> list[str]:
        """The words of ``text`` (for tests and explanations)."""
        bounds = sorted(self.boundaries(text))
        return [text[a:b] for a, b in zip(bounds, bounds[1:])]

    def _build(self):
        jieba = _import_jieba()
        folder = _writable(_cache_dir())
        bundled = BUNDLED.read_bytes()
        extra = "".join(f"{w}\n" for w in self.words).encode("utf-8")
        digest = hashlib.sha256(bundled + b"\0" + extra).hexdigest()[:16]
        path = folder / f"words-{digest}.txt"
        if not path.is_file():
            frequencies = _read(BUNDLED)
            for word in self.words:
                frequencies[word] = max(frequencies.get(word, 0), POLICY_FREQUENCY)
            content = "".join(f"{w} {f}\n" for w, f in frequencies.items()).encode("utf-8")
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.replace(tmp, path)
        tokenizer = jieba.Tokenizer(dictionary=str(path))
        tokenizer.tmp_dir = str(folder)  # jieba's cache of the prefix dictionary goes beside it
        tokenizer.initialize()
        self._tokenizer = tokenizer
        return tokenizer


def _writable(folder: Path) -> Path:
    """``folder``, created; a fresh temporary directory when it cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix="studiofund-jieba-"))


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
    jieba = _import_jieba()
    detection = load_program("shenzhen-district").detection
    anchors = {a for s in detection.all_signals for a in (s.anchors or ())} | set(detection.all_words)
    source = Path(jieba.__file__).with_name("dict.txt")
    words = relevant_words(_read(source), anchors)
    header = ("# studiofund's segmentation dictionary (jieba format: word frequency), generated by\n"
              "# `python -m studiofund.checks.words` from jieba's dict.txt and the detection data.\n")
    target.write_text(header + "".join(f"{w} {f}\n" for w, f in sorted(words.items())), encoding="utf-8")
    return len(words)


if __name__ == "__main__":
    print(f"{BUNDLED}: {rebuild()} words")
