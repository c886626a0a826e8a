"""What the money was spent on: 三公经费, 个人消费, 学校公用经费 — read from the words.

The three content rules read a spending transaction's payee, narration and descriptive
metadata (Chinese), and score them against the signals of the policy's ``[detection]`` table
(``studiofund/policy/detection.py`` states the scoring). A clear case is an ``error``; a case
the words cannot decide is a ``review`` — never silently passed. Legitimate studio spending
(lodging on a study visit, meals at a training event, a taxi to a member school…) carries no
signal or carries the innocent context that cancels it.

The patterns are compiled once per check run (:func:`spending_content`), and one transaction is
scored once for all three rules.
"""

from __future__ import annotations

import functools
import operator
import re
from decimal import Decimal
from typing import NamedTuple

from ...policy.patterns import UNKNOWN, anchors_of
from ..framework import DEDICATED, ERROR, REVIEW, Hit, RuleInfo, transaction_rules

_ZERO = Decimal(0)
_SEP = "｜"
_account = operator.attrgetter("account")

THREE_PUBLIC = "three-public"
PERSONAL_CONSUMPTION = "personal-consumption"
SCHOOL_OPERATING_COST = "school-operating-cost"
RULES = (THREE_PUBLIC, PERSONAL_CONSUMPTION, SCHOOL_OPERATING_COST)
RULE_INFOS = (
    RuleInfo(THREE_PUBLIC, ERROR, "三公经费支出", THREE_PUBLIC, reads=("detection",)),
    RuleInfo(PERSONAL_CONSUMPTION, ERROR, "个人消费支出", PERSONAL_CONSUMPTION, reads=("detection",)),
    RuleInfo(SCHOOL_OPERATING_COST, ERROR, "学校公用经费支出", SCHOOL_OPERATING_COST, reads=("detection",)),
)


class Match(NamedTuple):
    """One signal that fired: its label, the words that fired it, its score."""

    label: str
    words: tuple[str, ...]
    score: int


class Assessment(NamedTuple):
    """A content rule's verdict on one transaction."""

    rule: str
    score: int
    severity: str | None  # ERROR, REVIEW or None (nothing to report)
    matches: tuple[Match, ...]


class _Compiled:
    """One signal with its patterns compiled on first use (most never fire in a ledger)."""

    def __init__(self, spec, host_school: str):
        self.spec = spec
        self.fields = tuple(spec.fields)
        self.host_school = host_school
        self.term_patterns = _expand(spec.terms, host_school)
        # a match contains one of the anchors (None: unknown); computed once with the policy,
        # unless a term names the studio's host school
        self.anchors = spec.anchors if spec.anchors != UNKNOWN else anchors_of(self.term_patterns)

    @functools.cached_property
    def terms(self) -> re.Pattern | None:
        return _alternation(self.term_patterns)

    @functools.cached_property
    def innocent(self) -> re.Pattern | None:
        return _alternation(self.spec.innocent, self.host_school)

    @functools.cached_property
    def suspicious(self) -> re.Pattern | None:
        return _alternation(self.spec.suspicious, self.host_school)


def _expand(patterns, host_school: str) -> list[str]:
    out = []
    for pattern in patterns:
        if "{host-school}" in pattern:
            if not host_school:
                continue  # an empty school name would match everything
            pattern = pattern.replace("{host-school}", re.escape(host_school))
        out.append(pattern)
    return out


def _alternation(patterns, host_school: str = "") -> re.Pattern | None:
    parts = [f"(?:{p})" for p in _expand(patterns, host_school)]
    return re.compile("|".join(parts)) if parts else None


# -- a literal prefilter: most transactions contain no term at all ----------------------------
# (see studiofund.policy.patterns: each term reduced to literal anchors, indexed by their
# first two characters; the anchors of a signal's terms are kept with the cached policy)


def _keys(text: str) -> set[str]:
    """The index keys a text offers: its characters and its two-character substrings."""
    keys = set(text)
    keys.update(text[i:i + 2] for i in range(len(text) - 1))
    return keys


class Detector:
    """The compiled ``[detection]`` table of one policy for one studio."""

    def __init__(self, detection, host_school: str = ""):
        self.policy = detection
        self.text_meta = tuple(detection.text_meta)
        self._mask_patterns = (detection.all_masks, host_school)
        self.signals = [_Compiled(spec, host_school) for spec in detection.all_signals]
        self.signals = [sig for sig in self.signals if sig.term_patterns]
        # anchor index: first two characters (or the one) → [(anchor, signal index)]
        self.always = [i for i, sig in enumerate(self.signals) if sig.anchors is None]
        self.index: dict[str, list[tuple[str, int]]] = {}
        for i, sig in enumerate(self.signals):
            for anchor in sig.anchors or ():
                self.index.setdefault(anchor[:2], []).append((anchor, i))
        self.transfer = detection.transfer
        # metadata whose presence (not value) matters: an asset number clears a tablet
        self.flag_meta = tuple(sorted({k for sig in self.signals for k in sig.spec.innocent_meta}))
        self._memo: dict[tuple, dict[str, Assessment]] = {}

    # -- the words of a transaction ------------------------------------------------------------
    def texts(self, entry) -> dict[str, str]:
        meta = entry.meta or {}
        extra = [str(meta[k]) for k in self.text_meta if meta.get(k) not in (None, "")]
        return {
            "payee": entry.payee or "",
            "narration": entry.narration or "",
            "meta": _SEP.join(extra),
        }

    def could_fire(self, entry) -> bool:
        """Whether any signal's anchors occur in the words of ``entry`` at all."""
        return bool(self.always) or bool(self._candidates(self.texts(entry)))

    def score_payment(self, entry) -> dict[str, Assessment]:
        """Score a plain payment (expense postings and the dedicated account only) by its words."""
        return self._score(entry, self.texts(entry), [])

    def _candidates(self, texts: dict[str, str]) -> set[int]:
        """The signals whose anchors occur in the words (a superset of those that fire)."""
        whole = _SEP.join(v for v in texts.values() if v)
        candidates = set(self.always)
        if whole:
            index = self.index
            for key in index.keys() & _keys(whole):
                for anchor, i in index[key]:
                    if anchor in whole:
                        candidates.add(i)
        return candidates

    def assess(self, entry) -> dict[str, Assessment]:
        """Score any transaction for every content rule.

        The verdict depends only on the words, the metadata the signals read, and the
        accounts with the direction of each posting. Ledgers repeat the same payee and narration
        many times (taxis, books, monthly fees), so identical transactions are scored once.
        """
        meta = entry.meta or {}
        key = (
            entry.payee, entry.narration, tuple(map(meta.get, self.text_meta)),
            tuple([meta.get(k) not in (None, "") for k in self.flag_meta]),
            tuple([(p.account, _sign(p)) for p in entry.postings]),
        )
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._assess_uncached(entry)
        return found

    def _assess_uncached(self, entry) -> dict[str, Assessment]:
        spends, transfer = _spending(entry, self.transfer.exempt)
        if not spends and not transfer:
            return {}
        return self._score(entry, self.texts(entry), transfer)

    def _score(self, entry, texts, transfer) -> dict[str, Assessment]:
        matches: dict[str, list[Match]] = {}
        if transfer and self.transfer.weight:
            matches.setdefault(self.transfer.rule, []).append(
                Match(self.transfer.label, tuple(transfer), self.transfer.weight)
            )
        candidates = self._candidates(texts)
        if candidates:
            self._score_words(entry, texts, sorted(candidates), matches)
        out: dict[str, Assessment] = {}
        extra = self.policy.corroboration
        for rule, found in matches.items():
            scores = sorted((m.score for m in found if m.score > 0), reverse=True)
            score = scores[0] + extra * (len(scores) - 1) if scores else 0
            limits = self.policy.threshold(rule)
            severity = ERROR if score >= limits.error else REVIEW if score >= limits.review else None
            out[rule] = Assessment(rule, score, severity, tuple(m for m in found if m.score > 0))
        return out

    @functools.cached_property
    def masks(self) -> re.Pattern | None:
        return _alternation(*self._mask_patterns)

    def _score_words(self, entry, texts, candidates, matches) -> None:
        if self.masks is not None:
            texts = {k: self.masks.sub("□", v) if v else v for k, v in texts.items()}
        whole = _SEP.join(v for v in texts.values() if v)
        meta = entry.meta or {}
        accounts = [p.account for p in entry.postings if p.account.startswith("Expenses:")]
        by_fields: dict[tuple[str, ...], str] = {}
        for i in candidates:
            sig = self.signals[i]
            text = by_fields.get(sig.fields)
            if text is None:
                text = by_fields[sig.fields] = _SEP.join(texts[f] for f in sig.fields if texts[f])
            if not text:
                continue
            found = _distinct(sig.terms.finditer(text))
            if not found:
                continue
            spec = sig.spec
            score = spec.weight
            if sig.suspicious is not None and sig.suspicious.search(whole):
                score += spec.suspicious_weight
            if (sig.innocent is not None and sig.innocent.search(whole)) or any(
                meta.get(k) not in (None, "") for k in spec.innocent_meta
            ):
                score -= spec.innocent_weight
            if spec.accounts:
                score += max(
                    (d for a, d in spec.accounts.items() for acc in accounts
                     if acc == a or acc.startswith(a + ":")),
                    default=0,
                )
            if score > 0:
                score += self.policy.corroboration * min(len(found) - 1, 2)
            matches.setdefault(spec.rule, []).append(Match(spec.label, found, max(score, 0)))


def _to_report(verdicts: dict[str, Assessment]) -> tuple[Assessment, ...]:
    return tuple(verdicts[rule] for rule in RULES if rule in verdicts and verdicts[rule].severity is not None)


def _distinct(found) -> tuple[str, ...]:
    words: list[str] = []
    for m in found:
        word = m.group(0)
        if word not in words:
            words.append(word)
            if len(words) == 3:
                break
    return tuple(words)


def _sign(posting) -> int:
    number = getattr(posting.units, "number", None)
    if not isinstance(number, Decimal):
        return 0
    return 1 if number > 0 else -1 if number < 0 else 0


def _spending(entry, exempt) -> tuple[bool, list[str]]:
    """Whether ``entry`` spends (a positive expense posting) and where money leaves the
    dedicated account to, other than spending and the exempt accounts."""
    spends = False
    outflow = False
    others: list[str] = []
    for posting in entry.postings:
        number = getattr(posting.units, "number", None)
        if not isinstance(number, Decimal):
            continue
        account = posting.account
        if account.startswith("Expenses:"):
            spends = spends or number > 0
        elif account == DEDICATED:
            outflow = outflow or number < 0
        elif number > 0 and not any(account == e or account.startswith(e + ":") for e in exempt):
            if not account.startswith("Income:"):
                others.append(account)
    return spends, (others if outflow else [])


@transaction_rules(*RULE_INFOS)
def spending_content(ctx):
    """What a payment was spent on, three rules scored together from the same words:

    * ``three-public`` — no 三公经费: official trips abroad (incl. Hong Kong, Macao, Taiwan),
      purchase and running of official vehicles, official receptions;
    * ``personal-consumption`` — no 个人消费: gifts and cards, phones, clothing, cosmetics,
      tobacco and alcohol, family travel, allowances handed out to persons;
    * ``school-operating-cost`` — not the host school's 公用经费: utilities, property, canteen,
      building repairs, routine office costs, staff welfare, transfers into the school's other
      accounts.

    Clear cases are errors, unclear ones review (the thresholds of the policy's detection table).
    """
    host = ctx.studio.host_school if ctx.studio is not None else ""
    det = Detector(ctx.policy.detection, host)
    text_meta, flag_meta = det.text_meta, det.flag_meta
    text_keys, flag_keys = frozenset(text_meta), frozenset(flag_meta)
    could_fire: dict[tuple, bool] = {}  # the words → whether any signal's anchors occur in them
    reported: dict[tuple, tuple[Assessment, ...]] = {}  # a plain payment's key → what to report

    def check(txn):
        # A plain payment (expense postings and the dedicated account only) is settled by its
        # words, which flag metadata it carries and its expense accounts, not by its amounts —
        # and ledgers repeat the same words many times: each is scored once. Anything else
        # (money moved to another account) goes the general way, Detector.assess.
        if txn.others:
            found = _to_report(det.assess(txn.entry))
        elif not txn.paid:
            return None
        else:
            entry = txn.entry
            meta = txn.meta
            # most payments carry none of the descriptive metadata: a set test, not seven lookups
            words = ((entry.payee, entry.narration) if text_keys.isdisjoint(meta)
                     else (entry.payee, entry.narration, tuple(map(meta.get, text_meta))))
            could = could_fire.get(words)
            if could is None:
                could = could_fire[words] = det.could_fire(entry)
            if not could:
                return None
            flags = () if flag_keys.isdisjoint(meta) else tuple(
                [meta.get(k) not in (None, "") for k in flag_meta])
            key = (words, flags, tuple(map(_account, txn.expenses)))
            found = reported.get(key)
            if found is None:
                found = reported[key] = _to_report(det.score_payment(entry))
        return [_hit(verdict, txn, det) for verdict in found] if found else None

    return check


def _describe(txn) -> str:
    entry = txn.entry
    parts = []
    if entry.payee:
        parts.append(f"收款方“{entry.payee}”")
    if entry.narration:
        parts.append(f"摘要“{entry.narration}”")
    return "、".join(parts) or "本笔支出"


def _hit(verdict: Assessment, txn, det: Detector) -> Hit:
    kinds = "；".join(
        f"{m.label}（“{'”“'.join(m.words)}”）" if m.words else m.label for m in verdict.matches
    )
    advice = det.policy.advice.get(verdict.rule, "")
    if verdict.severity == ERROR:
        text = f"{_describe(txn)}属于{kinds}。{advice}"
    else:
        text = f"{_describe(txn)}可能属于{kinds}，无法自动判定。{det.policy.review_advice}{advice}"
    return Hit(txn.entry, text, verdict.severity, rule=verdict.rule)
