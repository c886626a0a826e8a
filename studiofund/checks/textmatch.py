"""Finding a policy's lists of words and patterns in a text, as the content rules do.

The detection data (``studiofund/policy/detection.py``) holds lists of regular expressions:
context words (innocent, suspicious, clearing), masks, payee types, terms. Compiling them all
costs more than checking a ledger, and most never match in one. So a list is searched as its
alternation would be, without compiling what it need not:

* its literal members (most) are not compiled at all: whether one occurs in a text is a set
  operation on the strings :class:`~.literals.Literals` found in it (one look at a text for
  every list: ``Detector.present`` of :mod:`.rules.content`);
* the others are compiled on first use, and searched only in a text holding one string of each
  of their anchors (:func:`~studiofund.policy.patterns.requirements_of`): a pattern whose text
  lacks one cannot match there, so leaving it out of the alternation changes nothing.

:class:`Patterns` is a context list, :class:`Masks` the masks, :class:`PayeeType` one payee
type's names, :func:`finder` one term. What each saved is measured where it is defined.
"""

from __future__ import annotations

import re

from .literals import Literals


def expand(patterns, host_school: str) -> list[str]:
    """``patterns`` with the studio's host school put in for ``{host-school}``; those naming it
    are left out when the studio names none."""
    out = []
    for pattern in patterns:
        if "{host-school}" in pattern:
            if not host_school:
                continue  # an empty school name would match everything
            pattern = pattern.replace("{host-school}", re.escape(host_school))
        out.append(pattern)
    return out


def alternation(patterns, host_school: str = "") -> re.Pattern | None:
    """The compiled alternation of ``patterns`` (:func:`expand`-ed), None when there are none."""
    parts = [f"(?:{p})" for p in expand(patterns, host_school)]
    return re.compile("|".join(parts)) if parts else None


#: a pattern that is a literal string (no character special to ``re``)
LITERAL = re.compile(r"[^\\.^$*+?{}\[\]|()]+")


class Patterns:
    """A list of patterns (a context list: innocent, suspicious, clearing words …) searched as
    their alternation would be, without compiling the literal ones: most lists are all literal,
    and compiling a literal alternation is dear — the meal's 33 innocent words and the hotel's 34
    clearing words cost about 5 ms each, half of what the content rules spent compiling on the
    check bench's ledger. The others are compiled on first use, and only those that can match in
    the text: ``anchors`` (pattern → the sets of literal strings of which every match contains
    one of each, :func:`~studiofund.policy.patterns.requirements_of`; None or missing: unknown);
    a pattern whose text lacks one of a set cannot match there, so the alternation of the rest
    matches what the whole list's would (callgrind, check bench: the
    clearing and context patterns compiled cost 0.028 G, now 0.013 G instructions).

    Which literal words and anchors occur in a text is asked of ``present`` (text → the set of
    the indexed strings occurring in it, ``Detector.present``: one look at a text for every
    list), which must index every string :meth:`strings` names; alone, a list indexes its own."""

    def __init__(self, patterns, anchors=None, present=None):
        self.patterns = list(patterns)
        self.literals = [p for p in self.patterns if LITERAL.fullmatch(p)]
        self.literal_set = frozenset(self.literals)
        #: each literal word's first place in the list (the alternation prefers the first listed)
        self.order = {w: i for i, w in reversed(list(enumerate(self.literals)))}
        self.others = [(p, (anchors or {}).get(p)) for p in self.patterns if not LITERAL.fullmatch(p)]
        self.present = present or Literals(self.strings()).present
        self._compiled: dict[tuple[str, ...], re.Pattern | None] = {}

    def strings(self) -> set[str]:
        """The literal strings whose presence in a text the list asks about."""
        return needed(self.patterns, dict(self.others))

    def _others(self, present: set[str]) -> re.Pattern | None:
        """The alternation of the patterns that are not literal and can match in a text holding
        the indexed strings ``present``."""
        chosen = tuple(p for p, needs in self.others
                       if needs is None or all(not need.isdisjoint(present) for need in needs))
        compiled = self._compiled.get(chosen, False)
        if compiled is False:
            compiled = self._compiled[chosen] = alternation(chosen)
        return compiled

    def search(self, text: str) -> bool:
        """Whether a pattern occurs in ``text``."""
        present = self.present(text)
        if not self.literal_set.isdisjoint(present):
            return True
        others = self._others(present) if self.others else None
        return others is not None and others.search(text) is not None

    def first(self, text: str) -> str | None:
        """What the alternation's search would match: the earliest match, the first pattern in
        the list among those matching there."""
        present = self.present(text)
        best = None
        for word in self.literal_set.intersection(present):
            at = (text.find(word), self.order[word])
            if best is None or at < best[0]:
                best = (at, word)
        if best is not None:
            best = (best[0][0], best[1])
        others = self._others(present) if self.others else None
        m = others.search(text) if others is not None else None
        if m is None or (best is not None and best[0] < m.start()):
            return None if best is None else best[1]
        if best is not None and best[0] == m.start():
            # both match here: the alternation takes the one listed first (a rare case, so the
            # others are compiled one by one only for it)
            for p in self.patterns:
                hit = (text.startswith(p, m.start()) and p) if p in self.literal_set else (
                    (one := re.compile(p).match(text, m.start())) and one.group(0))
                if hit:
                    return hit
        return m.group(0)


class Masks:
    """The masks (innocent phrases replaced before matching), applied as their alternation
    would be, but only those one of whose anchors occurs in the text: a mask none of whose
    anchors occurs cannot match there, so leaving it out of the alternation changes nothing.
    Compiling the alternation of all the bundled masks (584 characters) cost every check that
    assesses a payment's words 0.008 G instructions (callgrind, check bench); the masks its
    words reach (a book title, 粤港澳大湾区) are compiled alone. The masks a text reaches are
    read off the anchors ``present`` finds in it (``Detector.present``), not tried one by
    one (that cost 53 µs a text, profiled, on the varied check bench)."""

    def __init__(self, masks, anchors, host_school: str, present):
        kept = [(mask, found) for mask, found in zip(masks, anchors)
                if "{host-school}" not in mask or host_school]  # (expand leaves those out)
        self.masks = [mask for mask, _ in kept]
        self.always = frozenset(i for i, (_, found) in enumerate(kept) if found is None)
        #: anchor → the masks (their places) it is an anchor of
        self.by_anchor: dict[str, list[int]] = {}
        for i, (_, found) in enumerate(kept):
            for a in found or ():
                self.by_anchor.setdefault(a, []).append(i)
        self.anchors = frozenset(self.by_anchor)
        self.host_school = host_school
        self.present = present
        self._compiled: dict[tuple[int, ...], re.Pattern | None] = {}

    def strings(self) -> set[str]:
        return set(self.by_anchor)

    def sub(self, replacement: str, text: str) -> str:
        chosen = set(self.always)
        for a in self.anchors.intersection(self.present(text)):
            chosen.update(self.by_anchor[a])
        if not chosen:
            return text
        key = tuple(sorted(chosen))
        compiled = self._compiled.get(key, False)
        if compiled is False:
            compiled = self._compiled[key] = alternation([self.masks[i] for i in key], self.host_school)
        return compiled.sub(replacement, text) if compiled is not None else text


def needed(patterns, anchors) -> set[str]:
    """The literal strings whose presence in a text a list of ``patterns`` asks about: the
    literal patterns, and the ``anchors`` (pattern → sets of strings, as :class:`Patterns`
    takes them) of the others."""
    out = set()
    for p in patterns:
        if LITERAL.fullmatch(p):
            out.add(p)
        else:
            out.update(a for need in (anchors or {}).get(p) or () for a in need)
    return out


def pattern_list(patterns, host_school: str = "", anchors=None, present=None) -> Patterns | None:
    """``patterns`` with the studio's host school put in, their ``anchors`` (pattern → anchors)
    kept for those that do not name it."""
    expanded = expand(patterns, host_school)
    return Patterns(expanded, anchors, present) if expanded else None


class PayeeType:
    """A payee type's patterns: the literal ones (most) are found with ``str.rfind``, the others
    searched one by one, each only when one of its literal anchors occurs in the name, and
    compiled then — compiling all of them with ``re`` cost a third of the content rules' time on
    the check bench; with the anchors, a ledger whose payees are bookshops, printers and
    universities compiles none of the restaurant, scenic-site or shop patterns. Which literals
    and anchors occur in a name is asked once for all the types (``Detector.payee_type``)."""

    def __init__(self, spec, host_school: str, order: int):
        self.id, self.label, self.order, self.generic = spec.id, spec.label, order, spec.generic
        self.literals: list[str] = []
        self.others: list[tuple[str, frozenset[str] | None]] = []
        anchors = spec.anchors  # (the policy keeps them for the patterns that are not literal)
        for pattern in spec.patterns:
            if "{host-school}" in pattern:
                expanded = expand((pattern,), host_school)
                if not expanded:
                    continue
                if LITERAL.fullmatch(expanded[0]):
                    self.literals.append(expanded[0])
                else:
                    self.others.append((expanded[0], None))
            elif pattern in anchors:
                self.others.append((pattern, anchors[pattern]))
            else:
                self.literals.append(pattern)
        #: the literal strings whose presence in a name :meth:`last_match` asks about
        self.strings = {*self.literals, *(a for _, found in self.others for a in found or ())}
        #: whether a pattern of it is searched in every name (its anchors unknown)
        self.always = any(found is None for _, found in self.others)
        self._compiled: dict[str, re.Pattern] = {}

    def last_match(self, name: str, present: set[str]) -> tuple[int, int] | None:
        """(end, length) of the match that ends last in ``name`` (the longer on a tie), over all
        the patterns; ``present``: the strings of :meth:`strings` that occur in ``name``.
        Matches of a pattern may overlap (温泉度假酒店: 温泉度假 and 度假酒店), so its search
        restarts after each match's start."""
        best = None
        for literal in self.literals:
            if literal not in present:
                continue
            at = name.rfind(literal)
            if best is None or (at + len(literal), len(literal)) > best:
                best = (at + len(literal), len(literal))
        for pattern, anchors in self.others:
            if anchors is not None and anchors.isdisjoint(present):
                continue
            compiled = self._compiled.get(pattern)
            if compiled is None:
                compiled = self._compiled[pattern] = re.compile(pattern)
            pos = 0
            while (m := compiled.search(name, pos)) is not None:
                if m.end() > m.start():
                    found = (m.end(), m.end() - m.start())
                    if best is None or found > best:
                        best = found
                pos = m.start() + 1
        return best


def finder(term: str):
    """Where ``term`` occurs in a text from a position on: ``str.find`` for a literal term (most
    are: 221 of the 270 terms the check bench looks for), the compiled pattern otherwise.
    Compiling a literal as a regular expression cost more than all the searches a run makes
    with it (with ``Txn.invoices``, the rules pass over the check bench's ledger fell from 1.65 G
    to 1.47 G instructions under callgrind). A pattern is compiled on first use; the caller
    searches it only in a text holding one string of each of its anchors (``_Signal.terms``):
    most patterns of a signal never do (callgrind, check bench: the content rules on the bench
    ledger fell from 0.53 G to 0.47 G)."""
    if LITERAL.fullmatch(term):
        size = len(term)

        def find(text: str, pos: int) -> tuple[int, int] | None:
            at = text.find(term, pos)
            return None if at < 0 else (at, at + size)
    else:
        compiled: list[re.Pattern] = []

        def find(text: str, pos: int) -> tuple[int, int] | None:
            if not compiled:
                compiled.append(re.compile(term))
            m = compiled[0].search(text, pos)
            return None if m is None else m.span()
    return find
