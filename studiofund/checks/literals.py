"""Which of a fixed set of literal strings occur in a text: the content rules' one look at it.

The content rules look for some thousands of literal strings in each distinct text — the terms
that are plain words, the anchors of the others (:mod:`studiofund.policy.patterns`), the anchors
of the masks, the words of the context lists. Asking ``s in text`` of each, list after list,
cost them about a third of their time on a ledger whose payments are all different.
:class:`Literals` indexes the strings once per check run, by their first two characters (a
one-character string by itself), and answers for a text the set of those that occur in it: a
set intersection with the text's characters and pairs of characters, then one ``in`` test per
string that starts with such a pair (measured on the 2,173 strings of the bundled policy and
the narrations of the varied check bench: 7 µs a text). Every later question — does a word of
this list occur, can this pattern match here — is then a set operation on that answer.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable


class Literals:
    """An index of literal strings; :meth:`present` answers which occur in a text."""

    def __init__(self, strings: Iterable[str]):
        self.strings = frozenset(strings) - {""}
        chars = set()
        by_pair: dict[str, list[str]] = {}
        for s in self.strings:
            if len(s) == 1:
                chars.add(s)
            else:
                by_pair.setdefault(s[:2], []).append(s)
        #: the one-character strings, found by intersecting with the text's characters
        self.chars = frozenset(chars)
        #: the longer ones by their first two characters
        self.by_pair = by_pair
        self.pairs = frozenset(by_pair)

    def present(self, text: str) -> set[str]:
        """The strings of the index that occur in ``text``."""
        found = set(self.chars.intersection(text))
        by_pair = self.by_pair
        for pair in self.pairs.intersection(map(operator.add, text, text[1:])):
            for s in by_pair[pair]:
                if s in text:
                    found.add(s)
        return found

    def within(self, found: set[str], text: str) -> set[str]:
        """The strings of ``found`` (what :meth:`present` answered for a text) that occur in
        ``text``, a copy of that text with parts replaced by a character no string holds: what
        occurs in the copy occurred in the text."""
        return {s for s in found if s in text}

    def covers(self, strings: Iterable[str]) -> bool:
        """Whether every one of ``strings`` is indexed (so :meth:`present` answers for it)."""
        return self.strings.issuperset(strings)
