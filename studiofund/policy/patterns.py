"""Literal anchors of regular expressions: the prefilter of the content rules.

Scanning every transaction with a few hundred alternatives is slow in Python's ``re``; instead
each term is reduced (from its parsed form) to *anchors*: literal strings one of which any
match must contain (the longest literal run, or the alternatives of a mandatory group). The
anchors are indexed by their first two characters, so a transaction costs one set
intersection and a few substring tests; only signals whose anchors occur are scored.

This is the one module that reads the parsed form of a pattern, through ``re._parser`` and
``re._constants`` — private modules of the standard library (``sre_parse`` before Python 3.11):
Python has no public parser of its regular expressions. Nothing else in studiofund imports
them. ``tests/test_rules_content.py`` (the requirements and anchors of known patterns, and the
context lists matched against the whole list's alternation on every corpus text) fails loudly
if a Python release changes them.
"""

from __future__ import annotations

_MAX_EXPANSION = 64


def _char_options(item) -> set[str] | None:
    from re import _constants as C

    op, av = item
    if op is C.LITERAL:
        return {chr(av)}
    if op is C.IN:
        chars = set()
        for o, a in av:
            if o is not C.LITERAL:
                return None
            chars.add(chr(a))
        return chars if 0 < len(chars) <= 8 else None
    if op is C.SUBPATTERN and len(av[-1]) == 1:
        return _char_options(av[-1][0])
    return None


def _runs(items) -> list[set[str]]:
    """The literal strings of each maximal run of single-character items."""
    out, current = [], {""}
    for item in list(items) + [None]:
        options = _char_options(item) if item is not None else None
        if options and len(current) * len(options) <= _MAX_EXPANSION:
            current = {c + o for c in current for o in options}
            continue
        if current != {""}:
            out.append(current)
        current = {o for o in options} if options else {""}
    return out


def _candidates(items) -> list[set[str]]:
    """Sets of literal strings: every match of ``items`` contains one string of each set."""
    from re import _constants as C

    candidates = _runs(items)
    for op, av in items:
        found = None
        if op is C.SUBPATTERN:
            found = _anchors(av[-1])
        elif op is C.BRANCH:
            alternatives = [_anchors(alt) for alt in av[1]]
            if all(alternatives):
                found = set().union(*alternatives)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
            found = _anchors(av[2])
        if found:
            candidates.append(found)
    return candidates


def _anchors(items) -> set[str] | None:
    """Literal strings one of which every match of ``items`` contains (None: unknown)."""
    candidates = _candidates(items)
    if not candidates:
        return None
    return max(candidates, key=lambda c: (min(map(len, c)), -len(c)))


def anchors_of(patterns) -> frozenset[str] | None:
    """Anchors of a list of alternative patterns (None if any pattern has none)."""
    from re import _parser

    out: set[str] = set()
    for pattern in patterns:
        found = _anchors(_parser.parse(pattern))
        if not found:
            return None
        out |= found
    return frozenset(out)




def requirements_of(pattern: str) -> tuple[frozenset[str], ...] | None:
    """Every set of literal strings of which a match of ``pattern`` contains one (None: none
    known): (成员|学员)…(羽毛球|乒乓球) needs one of each group. A text that lacks one of a set
    cannot match, so the check neither compiles nor searches the pattern there."""
    from re import _parser

    found = tuple(frozenset(c) for c in _candidates(_parser.parse(pattern)) if c and "" not in c)
    return found or None


#: What :attr:`Signal.anchors <studiofund.policy.detection.Signal.anchors>` says of terms that
#: name the studio's host school: their anchors are known only once the studio is.
UNKNOWN = "<host-school>"
