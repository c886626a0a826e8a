"""What the money was spent on: 三公经费, 个人消费, 学校公用经费.

The three content rules read what a payment was for — the words of its narration and
descriptive metadata, the kind of business its payee is, the items of its e-invoice, its
amount and headcount, who was paid and on which account — and score them against the signals
of the policy's ``[detection]`` table (``studiofund/policy/detection.py`` states the scoring,
``programs/_detection.toml`` holds the data). A clear case is an ``error``; a case a person
must decide is a ``review`` — never silently passed. Every finding names its evidence: the
words, the payee type, the invoice items, the amount or the role that decided it.

One transaction is assessed once for all three rules. Ledgers repeat the same payee and words
many times (taxis, books, monthly fees), so each distinct combination is assessed once per run;
a plain payment is assessed once for its shape (:class:`~..framework.Shape`), and a shape whose
words can hold no term and whose payee is of no suspicious type — almost every one — is never
looked at again (the bench, ``bench/bench_check.py``, runs 20,000 transactions of 152 shapes
through this path).

Real books repeat less: a date or an occasion in each 摘要, many businesses (``bench_check.py
--varied``: 18,905 shapes). So what a distinct text costs is kept small: every literal string
the rules look for (plain terms, the anchors of the other terms, of the masks and of the context
patterns, the context words) is found in a text by one look (:meth:`Detector.present`, through
:class:`~..literals.Literals`), and every later question — which masks apply, which terms can
occur (:meth:`Detector.term_places`), whether a context list matches — is a set operation on
that answer; a text is folded, masked and looked at once a run. The rules pass over the varied
ledger (``bench/rules_pass.py --varied``, callgrind) fell from 12.07 G to 5.17 G instructions
with it, the content rules' share from 8.67 G to 1.77 G (3.40 G without them).

How a list of words and patterns (context words, masks, payee types, terms) is found in a text
without compiling what need not be is :mod:`..textmatch`'s; this module holds the detector, its
index of the terms, and the three rules.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from ...ledger.meta import invoice_items
from ...policy.patterns import UNKNOWN, anchors_of
from ..framework import DEDICATED, ERROR, REVIEW, Check, Hit, RuleInfo, transaction_rules
from ..literals import Literals
from ..textmatch import LITERAL, Masks, Patterns, PayeeType, alternation, expand, finder, needed, pattern_list
from ..words import Segmenter

_SEP = "｜"
#: what a mask (an innocent phrase) is replaced with before terms are matched
_MASK = "□"
_ZERO = Decimal(0)

THREE_PUBLIC = "three-public"
PERSONAL_CONSUMPTION = "personal-consumption"
SCHOOL_OPERATING_COST = "school-operating-cost"
RULES = (THREE_PUBLIC, PERSONAL_CONSUMPTION, SCHOOL_OPERATING_COST)
RULE_INFOS = (
    RuleInfo(THREE_PUBLIC, ERROR, "三公经费支出", THREE_PUBLIC, reads=("detection",)),
    RuleInfo(PERSONAL_CONSUMPTION, ERROR, "个人消费支出", PERSONAL_CONSUMPTION, reads=("detection",)),
    RuleInfo(SCHOOL_OPERATING_COST, ERROR, "学校公用经费支出", SCHOOL_OPERATING_COST, reads=("detection",)),
)

#: what of a payment's amount a verdict reads (:meth:`Detector.interest`); ROUND_ONLY: whether it
#: is a round sum, and nothing fires when it is not
WORDS, ROUNDNESS, AMOUNT, ROUND_ONLY = range(4)
#: a headcount in the words: 42人, 12名, 8位, 共42人次
_PERSONS = re.compile(r"(\d{1,4})\s*(?:人|名|位)(?:次)?")
#: an amount per person in the words: 42人×30元 (not 5人×3天), 30元×42人, 人均30元, 每人30元,
#: 30元/人 — and per person and day: 每人每天150元, 150元/人/天, 150元/人天
_PER_PERSON = re.compile(
    r"\d{1,4}\s*(?:人|名|位)次?\s*[×xX*]\s*(?P<a>\d+(?:\.\d+)?)(?![\d.]|\s*[天日晚次间夜])\s*元?"
    r"|(?P<b>\d+(?:\.\d+)?)\s*元?\s*(?:/|每)\s*人(?:次)?(?P<b_day>\s*(?:/|每|·)?\s*[天日])?"
    r"|(?:人均|每人)(?P<c_day>\s*每?[天日])?\s*(?:餐费|伙食费?|标准)?\s*(?P<c>\d+(?:\.\d+)?)\s*元"
    r"|(?P<d>\d+(?:\.\d+)?)\s*元\s*[×xX*]\s*\d{1,4}\s*(?:人|名|位)")
#: words that say an amount pays for more than meals: it is then not divided by the headcount
_NOT_ONLY_MEALS = re.compile(r"住宿|食宿|房费|会议室|会场|场地|场租|租赁|租金|资料|交通|培训费|会务费|讲课")
#: what a 摘要 adds to a thing to say it was paid for: 住院费, 配镜费, 取暖款, 游船票
_FEE = ("费", "款", "票")
#: what follows a name on a payee line without changing who it is: 张晓燕老师, 王建国（成员）
_NAME_SUFFIX = re.compile(r"[（(].*?[)）]|\s|(?:老师|教授|校长|主任|副校长|书记|同志|女士|先生)$")
#: a payee line naming persons rather than one: 张宏伟等5人, 工作室成员张宏伟、李晓东, 张宏伟 李晓东
_PERSONS_PAYEE = re.compile(r"等\s*\d*\s*(?:人|名|位)|成员|[、，,/ ]")
#: a payee line naming a batch of persons by a headcount or the bank's batch, not by a name:
#: 曲江一小教师（3人）, 张宏伟等5人, 批量代发 — who was paid is then read from the words
_BATCH = re.compile(r"\d+\s*(?:人|名|位)\s*[)）]?\s*$|批量|代发")
#: :meth:`Detector.role` of such a payee
BATCH = "批量"
#: what a business's or an office's name ends or is made with (a shop may hold a person's name)
_BUSINESS = re.compile(r"公司|店|行$|院|校|局|中心|部|厂|社|所|馆|(?<!工作)室|站|园|城|场|会$|协会|学会|银行|集团|商户|经营")


class Match(NamedTuple):
    """One signal that fired: its id and label, the evidence that fired it, its score."""

    signal: str
    label: str
    evidence: tuple[str, ...]
    score: int


class Assessment(NamedTuple):
    """A content rule's verdict on one transaction."""

    rule: str
    score: int
    severity: str | None  # ERROR, REVIEW or None (nothing to report)
    matches: tuple[Match, ...]

    @property
    def evidence(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e for m in self.matches for e in m.evidence))


class PerHead(NamedTuple):
    amount: Decimal
    persons: int | None
    per_day: bool


class Facts(NamedTuple):
    """What a payment shows, beyond its words."""

    payee: str
    payee_type: object | None  # PayeeType
    role: str | None  # 主持人 / 成员
    items: tuple[str, ...]
    accounts: tuple[str, ...]
    flags: frozenset[str]
    amount: Decimal | None
    meta: dict


#: what :attr:`_Signal.terms` says of a literal term: it is its own anchor
_ITSELF = "itself"


class _Signal:
    """One signal with its patterns compiled on first use (most never fire in a ledger: compiling
    them all costs as much as checking 20,000 transactions). Terms are compiled separately: a
    term counts only on word boundaries, and one term failing them must not hide another."""

    def __init__(self, spec, host_school: str, permitted, present, index: int):
        self.spec = spec
        self.index = index
        self.present = present
        self.id = spec.id
        self.host_school = host_school
        self.term_patterns = expand(spec.terms, host_school)
        self.anchors = spec.anchors if spec.anchors != UNKNOWN else anchors_of(self.term_patterns)
        self.context_clears_on = tuple(a for a in spec.context_clears_on
                                       if permitted(a) and permitted(spec.context_needs.get(a, a)))
        self.has_items = bool(spec.items)

    @functools.cached_property
    def terms(self) -> list[tuple[str, object]]:
        """``(term, needs)`` for each term, longer literal terms first (加油站 before 加油):
        ``needs`` is :data:`_ITSELF` for a literal term (searched only where it is present), else
        the sets of strings of which a text must hold one of each for the term to match there
        (None: unknown)."""
        order = sorted(self.term_patterns, key=len, reverse=True)
        if self.spec.anchors == UNKNOWN:  # a term names the host school: anchors unknown
            return [(t, _ITSELF if LITERAL.fullmatch(t) else None) for t in order]
        needs = self.spec.term_anchors  # (the policy keeps them for the terms that are not literal)
        return [(t, needs[t] if t in needs else _ITSELF) for t in order]

    @functools.cached_property
    def finders(self) -> list:
        """A finder ``(text, pos) → (start, end) | None`` for each of :attr:`terms`."""
        return [finder(t) for t, _ in self.terms]

    def term_strings(self) -> set[str]:
        """The literal strings whose presence in a text the terms ask about."""
        out = set()
        for term, needs in self.terms:
            if needs is _ITSELF:
                out.add(term)
            else:
                out.update(a for need in needs or () for a in need)
        return out

    @functools.cached_property
    def innocent(self) -> Patterns | None:
        return pattern_list(self.spec.innocent, self.host_school, self.spec.context_anchors, self.present)

    @functools.cached_property
    def suspicious(self) -> Patterns | None:
        return pattern_list(self.spec.suspicious, self.host_school, self.spec.context_anchors, self.present)

    @functools.cached_property
    def clear(self) -> Patterns | None:
        return pattern_list(self.spec.clear, self.host_school, self.spec.context_anchors, self.present)

    def context_strings(self) -> set[str]:
        """The literal strings whose presence in a text the context lists ask about."""
        needs = self.spec.context_anchors  # (kept by the policy for the patterns not literal)
        out = set()
        for pattern in (*self.spec.innocent, *self.spec.suspicious, *self.spec.clear):
            if "{host-school}" in pattern:
                out |= needed(expand((pattern,), self.host_school), None)
            elif pattern in needs:
                out.update(a for need in needs[pattern] or () for a in need)
            else:
                out.add(pattern)
        return out

    @functools.cached_property
    def items(self) -> re.Pattern | None:
        return alternation(self.spec.items)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two matches, each ``(end, length)``, share a character."""
    return a[0] - a[1] < b[0] and b[0] - b[1] < a[0]


def _within(account: str, accounts) -> bool:
    return any(account == a or account.startswith(a + ":") for a in accounts)


class Detector:
    """The compiled ``[detection]`` table of one policy for one studio."""

    def __init__(self, detection, studio=None, permitted=None):
        self.policy = detection
        self.fold = detection.fold
        host_school = getattr(studio, "host_school", studio) or ""
        self.people = {name: "主持人" for name in getattr(studio, "host", ()) or ()}
        for name in getattr(studio, "members", ()) or ():
            self.people.setdefault(name, "成员")
        permitted = permitted or (lambda account: True)
        self.text_meta = tuple(detection.text_meta)
        self.text_keys = frozenset(self.text_meta)
        self.signals = [_Signal(spec, host_school, permitted, self.present, i)
                        for i, spec in enumerate(detection.all_signals)]
        self.by_id = {s.id: s for s in self.signals}
        self.types = [PayeeType(t, host_school, i) for i, t in enumerate(detection.all_payee_types)]
        self.masks = Masks(detection.all_masks, detection.mask_anchors, host_school, self.present)
        self.negation = re.compile(f"(?:{'|'.join(detection.negations)})$") if detection.negations else None
        self.topic_after = alternation(detection.topics)
        self.topic_before = re.compile(f"(?:{'|'.join(detection.topics_before)})$") if detection.topics_before else None
        self.bought_before = re.compile(f"(?:{'|'.join(detection.bought_before)})$") if detection.bought_before else None
        self.meal_terms = pattern_list(detection.meals.terms, present=self.present)
        self.round_unless = pattern_list(detection.round_sums.unless, present=self.present)
        self.role_terms = pattern_list(detection.roles.terms, present=self.present)
        self.role_clear = pattern_list(detection.roles.clear, present=self.present)
        self.role_fees = pattern_list(detection.roles.fee_terms, present=self.present)
        self.transfer = detection.transfer
        # which payee types, items and amounts can make a payment interesting at all
        self.typed = {t for s in self.signals for t in s.spec.payee_types} | set(detection.round_sums.payee_types)
        self.flag_meta = tuple(sorted({k for s in self.signals for k in s.spec.innocent_meta}))
        # the signals a payee type or invoice items make scored whatever the words
        self.by_type: dict[str, frozenset[int]] = {}
        for i, s in enumerate(self.signals):
            for t in s.spec.payee_types:
                self.by_type[t] = self.by_type.get(t, frozenset()) | {i}
        self.by_items = frozenset(i for i, s in enumerate(self.signals) if s.has_items)
        # the anchors of the terms (:meth:`anchored`), and the signals whose anchors are unknown
        self.always = [i for i, s in enumerate(self.signals) if s.term_patterns and s.anchors is None]
        self.anchors = frozenset(a for s in self.signals for a in s.anchors or ())
        # the terms by the strings that make them searched (:meth:`term_places`): a literal term by
        # itself, a pattern by the anchors of its first set of needs (the others are checked then),
        # a pattern of unknown anchors always
        self.term_index: dict[str, list[tuple[int, int, object]]] = {}
        self.terms_always: list[tuple[int, int]] = []
        for i, s in enumerate(self.signals):
            for place, (term, needs) in enumerate(s.terms):
                if needs is _ITSELF:
                    self.term_index.setdefault(term, []).append((i, place, needs))
                elif needs is None:
                    self.terms_always.append((i, place))
                else:
                    for anchor in needs[0]:
                        self.term_index.setdefault(anchor, []).append((i, place, needs[1:]))
        self.term_keys = frozenset(self.term_index)
        self._places: dict[str, dict[int, list[int]]] = {}
        self._finds: dict[str, bool] = {}
        self._counts: dict[str, bool] = {}
        self._masked: dict[str, str] = {}
        # every literal string looked for in the words, indexed once (:meth:`present`)
        strings = set(self.anchors) | self.masks.strings()
        for s in self.signals:
            strings |= s.term_strings() | s.context_strings()
        for extra in (self.meal_terms, self.round_unless, self.role_terms, self.role_clear, self.role_fees):
            strings |= extra.strings() if extra is not None else set()
        self.literals = Literals(strings)
        #: whether no indexed string holds the mask's replacement (:meth:`masked`)
        self._mask_apart = not any(_MASK in string for string in strings)
        self._present: dict[str, set[str]] = {}
        # the same for the payee types' literals and anchors, in the names of payees
        self.type_literals = Literals(set().union(*(t.strings for t in self.types)))
        self.types_always = frozenset(t.order for t in self.types if t.always)
        self.types_by_string: dict[str, list[int]] = {}
        for t in self.types:
            for string in t.strings:
                self.types_by_string.setdefault(string, []).append(t.order)
        words = [*detection.all_words]
        for s in self.signals:
            words += [a for a in (s.anchors or ()) if len(a) > 1]
        self.segmenter = Segmenter(words)
        self._types: dict[str, PayeeType | None] = {}
        self._roles: dict[str, str | None] = {}
        self._memo: dict[tuple, dict[str, Assessment]] = {}

    def present(self, text: str) -> set[str]:
        """The literal strings the content rules look for (terms, anchors, masks' anchors,
        context words) that occur in ``text`` — found once a text (:class:`~..literals.Literals`)."""
        found = self._present.get(text)
        if found is None:
            found = self._present[text] = self.literals.present(text)
        return found

    def masked(self, text: str) -> str:
        """``text`` with the masks (innocent phrases) replaced: what terms are matched in."""
        found = self._masked.get(text)
        if found is None:
            found = self._masked[text] = self.masks.sub(_MASK, text)
            if found != text and found not in self._present and self._mask_apart:
                # what occurs in the masked copy occurred in the text: the strings found there,
                # tested again, not the whole index (586 texts of the varied check bench;
                # callgrind, ``bench/rules_pass.py --varied``: 2.504 G → 2.495 G)
                self._present[found] = self.literals.within(self.present(text), found)
        return found

    def term_places(self, text: str) -> dict[int, list[int]]:
        """The terms that occur in ``text``: signal → the places of its terms (in
        :attr:`_Signal.terms`, in order) that are literal and present, or patterns whose anchors
        are and that match there. A signal not named here finds no word in ``text``.

        A pattern is searched here, once a text, not only when a verdict looks for words: its
        anchors say little (赴北京研修机票 holds every anchor of a trip abroad's 赴…机票 and is
        none), and words where no term matches ask no verdict, nor score the signals of their
        patterns (callgrind, ``bench/rules_pass.py --varied``: 2.710 G → 2.652 G, 713 verdicts
        fewer; the check bench's pass 0.886 G → 0.889 G: it compiles a pattern that a clearing
        context spared it)."""
        found = self._places.get(text)
        if found is None:
            present = self.present(text)
            places: dict[int, set[int]] = {}
            for i, place in self.terms_always:
                if self._matches(i, place, text):
                    places.setdefault(i, set()).add(place)
            for string in self.term_keys.intersection(present):
                for i, place, needs in self.term_index[string]:
                    if needs is _ITSELF or (all(not need.isdisjoint(present) for need in needs)
                                            and self._matches(i, place, text)):
                        places.setdefault(i, set()).add(place)
            found = self._places[text] = {i: sorted(p) for i, p in places.items()}
        return found

    def _matches(self, i: int, place: int, text: str) -> bool:
        """Whether the term at ``place`` of signal ``i`` matches in ``text``, and not empty
        (:meth:`_terms_found` stops at an empty match)."""
        span = self.signals[i].finders[place](text, 0)
        return span is not None and span[1] > span[0]

    # -- what a transaction shows ----------------------------------------------------------------
    def words(self, entry) -> str:
        """The narration and the text metadata, folded (:meth:`DetectionPolicy.fold`) and
        joined: what terms are looked for in."""
        return self.words_of(entry.narration, entry.meta or {})

    def words_of(self, narration: str | None, meta: dict) -> str:
        if not meta:  # a plain payment's words: its narration alone
            return self.fold(narration) if narration else ""
        parts = [narration or ""]
        parts += [str(meta[k]) for k in self.text_meta if meta.get(k) not in (None, "")]
        return _SEP.join(self.fold(p) for p in parts if p)

    def payee_type(self, payee: str) -> PayeeType | None:
        """The kind of business ``payee`` is: the type whose match ends last in the (folded)
        name (the longer on a tie). A generic type (a mall, a supermarket) gives way to a
        specific one matched elsewhere in the name (新华书店（欧亚卖场店）, 好又多烟酒超市), not
        to one inside its own match (the 楼 of 百货大楼)."""
        found = self._types.get(payee, False)
        if found is False:
            name = self.fold(payee)
            present = self.type_literals.present(name)
            reached = set(self.types_always)
            for string in present:
                reached.update(self.types_by_string[string])
            best: dict[bool, tuple] = {}
            for i in sorted(reached):  # in the types' order: the first listed wins a tie
                t = self.types[i]
                match = t.last_match(name, present)
                if match is not None and (t.generic not in best or match > best[t.generic][0]):
                    best[t.generic] = (match, t)
            specific, generic = best.get(False), best.get(True)
            if specific and generic and _overlap(specific[0], generic[0]) and generic[0] > specific[0]:
                found = generic[1]
            else:
                found = (specific or generic or (None, None))[1]
            self._types[payee] = found
        return found

    def role(self, payee: str) -> str | None:
        """主持人 or 成员 when ``payee`` is one of the studio's declared people: the name alone
        (张晓燕老师, 王建国（成员）), or a batch of persons a bank export names by its first
        (张宏伟等5人, 工作室成员张宏伟、李晓东) — never a business's name that holds one;
        :data:`BATCH` when it names a batch of persons by a headcount (曲江一小教师（3人）): the
        words may name them (:meth:`verdicts`)."""
        if not self.people or not payee:
            return None
        found = self._roles.get(payee, False)
        if found is False:
            name = self.fold(payee)
            found = self.people.get(payee) or self.people.get(_NAME_SUFFIX.sub("", name))
            if found is None and _PERSONS_PAYEE.search(name) and not _BUSINESS.search(name):
                found = next((role for person, role in self.people.items() if len(person) >= 2 and person in name),
                             None)
            if found is None and _BATCH.search(name):
                found = BATCH
            self._roles[payee] = found
        return found

    def anchored(self, text: str) -> bool:
        """Whether an anchor of a term occurs in ``text`` (or a signal has terms of unknown
        anchors): otherwise no term can."""
        return bool(self.always) or (bool(text) and not self.anchors.isdisjoint(self.present(text)))

    def interest(self, entry) -> int | None:
        """What of ``entry`` beyond its words and accounts the verdict reads: None — nothing can
        fire (its words hold no candidate term, its payee is of no type a signal names, it is
        not the host or a member); :data:`WORDS` — only the words and accounts; :data:`ROUNDNESS`
        — also whether the amount is a round sum (a retailer); :data:`AMOUNT` — the amount
        itself (a headcount may divide it); :data:`ROUND_ONLY` — whether the amount is a round
        sum, nothing firing when it is not (a retailer no signal names, words finding nothing)."""
        return self.interest_of(entry.payee or "", self.words(entry), "persons" in (entry.meta or {}))

    def interest_of(self, payee: str, text: str, persons: bool) -> int | None:
        """:meth:`interest` of a payment to ``payee`` with the words ``text`` (:meth:`words`),
        ``persons`` telling whether it carries ``persons:``."""
        ptype = self.payee_type(payee)
        role = self.role(payee)
        if not (ptype is not None and ptype.id in self.typed or role is not None):
            # an anchor is a cheap first test; a term that can occur in the masked words, or a
            # meal that can be counted, the exact one: on the varied check bench 7,174 of the
            # 8,745 distinct words holding an anchor have neither (学员工作餐 holds the anchor 员工,
            # 3月5日 the anchor 月), and the verdicts asked fell from 12,262 to 4,282 (callgrind,
            # ``bench/rules_pass.py --varied``: the rules pass 7.51 G → 5.42 G)
            if not self.words_find(text):
                return None
        elif role is None and ptype.id not in self.by_type and not self.words_find(text):
            # a retailer no signal names (京东, a supermarket for its round sums alone), paid for
            # words that find nothing: only a round sum can fire (the varied check bench's 945
            # verdicts on purchases at online shops, callgrind ``bench/rules_pass.py --varied``:
            # 2.623 G → 2.540 G)
            return ROUND_ONLY
        if persons or self._headcount(text):  # a headcount (12名) may divide the amount
            return AMOUNT
        if ptype is not None and ptype.id in self.policy.round_sums.payee_types:
            return ROUNDNESS
        return WORDS

    def words_find(self, text: str) -> bool:
        """Whether a verdict on the words ``text`` can find anything where neither the payee nor
        invoice items speak (:meth:`may_find`, after the cheaper :meth:`anchored`), once a text:
        a ledger's texts repeat across payees (the varied check bench: 18,905 shapes, 7,785
        narrations; callgrind, ``bench/rules_pass.py --varied``, with :meth:`_headcount`:
        2.652 G → 2.623 G)."""
        found = self._finds.get(text)
        if found is None:
            found = self._finds[text] = bool(self.anchored(text) and self.may_find(text))
        return found

    def _headcount(self, text: str) -> bool:
        """Whether ``text`` may state a headcount (人, 12名), once a text."""
        found = self._counts.get(text)
        if found is None:
            found = self._counts[text] = "人" in text or _PERSONS.search(text) is not None
        return found

    def may_find(self, text: str) -> bool:
        """Whether a verdict on the words ``text`` can find anything where neither the payee
        (its type, its role) nor invoice items speak: when a term can occur in the masked words
        (:meth:`term_places`) or a meal be counted (:meth:`_derived`)."""
        masked = self.masked(text)
        return bool(self.term_places(masked)) or (self.meal_terms is not None and self.meal_terms.search(masked))

    def amount_key(self, kind: int, amount: Decimal):
        """The part of the amount a verdict of ``kind`` (:meth:`interest`) reads."""
        if kind == AMOUNT:
            return amount
        if kind == ROUNDNESS or kind == ROUND_ONLY:
            # a round sum's evidence names it (整数金额 5000.00 元): the amount itself, False
            # when the sum is not round
            rs = self.policy.round_sums
            return amount if amount >= rs.minimum and amount % rs.multiple == 0 else False
        return None

    # -- assessment ------------------------------------------------------------------------------
    def assess(self, entry) -> dict[str, Assessment]:
        """Every content rule's verdict on ``entry`` (memoised on what the verdict reads)."""
        spends, transfer = _spending(entry, self.transfer.exempt)
        if not spends and not transfer:
            return {}
        meta = entry.meta or {}
        amount = sum((p.units.number for p in entry.postings if p.account.startswith("Expenses:") and _sign(p) > 0),
                     _ZERO)
        key = (entry.payee, entry.narration, tuple(map(meta.get, self.text_meta)), meta.get("invoice-items"),
               meta.get("persons"), meta.get("days"), tuple(bool(meta.get(k)) for k in self.flag_meta),
               tuple((p.account, _sign(p)) for p in entry.postings), self.amount_key(AMOUNT, amount),
               tuple(transfer))
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._assess(entry, amount, transfer)
        return found

    def _assess(self, entry, amount: Decimal, transfer: list[str]) -> dict[str, Assessment]:
        accounts = tuple(p.account for p in entry.postings if p.account.startswith("Expenses:") and _sign(p) > 0)
        return self.verdicts(entry.payee or "", entry.narration, entry.meta or {}, accounts, amount, transfer)

    def verdicts(self, payee: str, narration: str | None, meta: dict, accounts: tuple[str, ...],
                 amount: Decimal | None, transfer: list[str]) -> dict[str, Assessment]:
        """Every content rule's verdict on a payment to ``payee`` for ``narration`` with
        ``meta``, paying ``amount`` on ``accounts`` (its positive expense postings) and moving
        money to the ``transfer`` accounts."""
        text = self.masked(self.words_of(narration, meta))
        role, paid = self.role(payee), payee
        if role == BATCH:
            # a batch of persons paid: the studio's own people among them when the words name them
            # (批量代发｜工作室成员雷建军、惠彩霞 培训授课课酬)
            role, paid = next(((r, person) for person, r in self.people.items() if len(person) >= 2 and person in text),
                              (None, payee))
        facts = Facts(
            payee=paid,
            payee_type=self.payee_type(payee),
            role=role,
            items=tuple(item.name for item in invoice_items(meta)) if meta else (),
            accounts=accounts,
            flags=frozenset(k for k in self.flag_meta if meta.get(k) not in (None, "")) if meta else frozenset(),
            amount=amount or None,
            meta=meta,
        )
        matches: list[Match] = []
        if transfer and self.transfer.weight:
            matches.append(Match("transfer", self.transfer.label, tuple(f"转入账户 {a}" for a in transfer),
                                 self.transfer.weight))
        per_head = self._per_head(text, facts)
        # the signals a term of which can occur (those of anchors only would find no word: the
        # same verdict), of the payee's type, of invoice items
        chosen = set(self.term_places(text))
        ptype = facts.payee_type
        if ptype is not None:
            chosen |= self.by_type.get(ptype.id, frozenset())
        if facts.items:
            chosen |= self.by_items
        for i in sorted(chosen):  # in the signals' order, as the findings list them
            match = self._score(self.signals[i], text, facts, per_head)
            if match is not None:
                matches.append(match)
        matches += self._derived(text, facts, per_head)
        fired = {m.signal for m in matches}
        matches = [m for m in matches if m.signal not in self.by_id
                   or not fired.intersection(self.by_id[m.signal].spec.yields_to)]
        return self._verdicts(matches)

    def _verdicts(self, matches: list[Match]) -> dict[str, Assessment]:
        by_rule: dict[str, list[Match]] = {}
        for m in matches:
            rule = self.by_id[m.signal].spec.rule if m.signal in self.by_id else self._derived_rule(m.signal)
            by_rule.setdefault(rule, []).append(m)
        out: dict[str, Assessment] = {}
        extra = self.policy.corroboration
        for rule, found in by_rule.items():
            found.sort(key=lambda m: -m.score)
            score = found[0].score + extra * (len(found) - 1)
            limits = self.policy.threshold(rule)
            severity = ERROR if score >= limits.error else REVIEW if score >= limits.review else None
            out[rule] = Assessment(rule, score, severity, tuple(found))
        return out

    def _derived_rule(self, signal: str) -> str:
        p = self.policy
        return {"transfer": p.transfer.rule, "meals": p.meals.rule, "round-sum": p.round_sums.rule,
                "role": p.roles.rule}[signal]

    def _terms_found(self, s: _Signal, text: str) -> list[str]:
        """The distinct terms of ``s`` found as words of ``text`` (not negated); a term found
        inside another one found (停车 in 停车费) is the same word, not a second one."""
        found: list[str] = []
        spans: list[tuple[int, int]] = []
        bounds = None
        places = self.term_places(text).get(s.index)
        if not places:
            return found
        finders = s.finders
        for place in places:
            find = finders[place]
            pos = 0
            while True:
                span = find(text, pos)
                if span is None:
                    break
                start, end = span
                if end == start:
                    break
                if bounds is None:
                    bounds = self.segmenter.boundaries(text)
                # a word, or words: it begins a word and ends one — or ends inside a word that
                # began within it (车辆保险 in 车辆|保险费) or only before the 费/款/票 of it (住院 in
                # 住院费), never inside the word it began otherwise (家属 in 家属院)
                if start in bounds and (end in bounds or any(start < b < end for b in bounds)
                                        or (text[end:end + 1] in _FEE and end + 1 in bounds)) and not (
                        self.negation is not None and self.negation.search(text, max(0, start - 4), start)) \
                        and not (s.spec.topical and self._topic(text, start, end)):
                    word = text[start:end]
                    if word not in found and not any(a <= start and end <= b for a, b in spans):
                        inner = [i for i, (a, b) in enumerate(spans) if start <= a and b <= end]
                        for i in reversed(inner):
                            del spans[i], found[i]
                        found.append(word)
                        spans.append((start, end))
                    pos = end
                else:
                    pos = start + 1
        return found

    def _topic(self, text: str, start: int, end: int) -> bool:
        """Whether the term at ``text[start:end]`` is the subject of a lesson, study or survey
        (policy ``topics`` / ``topics_before``). Only read once a term is found as a word — a few
        payments a ledger — so it costs nothing on the check bench's common path. A term right after a
        verb of buying (policy ``bought_before``: 购白酒 课题研究用) is what was bought."""
        if self.bought_before is not None and self.bought_before.search(text, max(0, start - 4), start):
            return False
        return bool((self.topic_after is not None and self.topic_after.match(text, end))
                    or (self.topic_before is not None and self.topic_before.search(text, max(0, start - 24), start)))

    def _score(self, s: _Signal, text: str, f: Facts, per_head: PerHead | None) -> Match | None:
        """The signal's match, None if it does not score."""
        spec = s.spec
        # a signal a compliant context clears scores nothing whatever its words: asked first, it
        # spares finding them (and cutting the text into words, jieba) — the clearing reads the
        # text, the payee, the accounts and the amount, never the words found (callgrind, rules
        # pass ``bench/rules_pass.py --varied``: 2.814 G → 2.710 G; the check bench's 0.887 G →
        # 0.886 G: 646 staff-meal texts of the varied ledger are no longer cut)
        if not spec.hard and self._cleared(s, text, f, per_head):
            return None
        sources: list[int] = []
        evidence: list[str] = []
        words = self._terms_found(s, text) if s.term_patterns and text else []
        if words:
            sources.append(spec.weight)
            evidence += [f"词语“{w}”" for w in words]
        ptype = f.payee_type
        if ptype is not None and ptype.id in spec.payee_types:
            sources.append(spec.payee_types[ptype.id])
            evidence.append(f"收款方为{ptype.label}")
        items = [i for i in f.items if s.items.search(i)] if f.items and s.has_items else []
        if items:
            sources.append(spec.item_weight)
            evidence += [f"发票项目“{i}”" for i in items]
        if not sources:
            return None
        extra = self.policy.corroboration
        score = max(sources) + extra * (len(sources) - 1 + min(max(len(words) - 1, 0), 2))
        if not spec.hard and ((s.innocent is not None and s.innocent.search(text)) or f.flags.intersection(spec.innocent_meta)):
            score -= spec.innocent_weight
        if spec.cap is not None:
            score = min(score, spec.cap)
        if s.suspicious is not None:
            m = s.suspicious.first(text)  # the payee speaks through its type, not its letters (酒店 ≠ 酒)
            if m is not None:
                score += spec.suspicious_weight
                if f"词语“{m}”" not in evidence:
                    evidence.append(f"词语“{m}”")
        if spec.accounts:
            score += max((d for a, d in spec.accounts.items() for acc in f.accounts if _within(acc, (a,))), default=0)
        if score <= 0:
            return None
        return Match(s.id, spec.label, tuple(evidence), score)

    def _cleared(self, s: _Signal, text: str, f: Facts, per_head: PerHead | None) -> bool:
        """Whether a compliant context clears the signal fully."""
        spec = s.spec
        if s.clear is not None and s.clear.search(text):
            return True
        if f.payee_type is not None and f.payee_type.id in spec.clear_payee_types:
            return True
        if spec.per_head and per_head is not None and per_head.amount <= self._standard(per_head):
            return True
        # innocent context clears fully on an account that feeds people, unless something
        # suspicious (领导, 客人, 专家组) stands next to it
        if s.context_clears_on and s.innocent is not None and s.innocent.search(text) and \
                any(_within(a, s.context_clears_on) for a in f.accounts) and \
                not (s.suspicious is not None and s.suspicious.search(text)):
            return True
        return False

    def _standard(self, per_head: PerHead) -> Decimal:
        meals = self.policy.meals
        return meals.standard_per_day if per_head.per_day else meals.standard

    def _per_head(self, text: str, f: Facts) -> PerHead | None:
        """The amount per person (and day) when the words say it (42人×30元, 人均30元,
        150元/人/天), else the amount divided by the headcount of the words or ``persons:``
        (and by ``days:``)."""
        if "人" in text or "名" in text or "位" in text:
            heads = _PERSONS.search(text)
            explicit = _PER_PERSON.search(text)
        else:  # every headcount and amount per person names 人, 名 or 位
            heads = explicit = None
        if explicit is not None:
            a, b, b_day, c_day, c, d = explicit.group("a", "b", "b_day", "c_day", "c", "d")
            return PerHead(Decimal(a or b or c or d), int(heads.group(1)) if heads else None, bool(b_day or c_day))
        persons = _number(f.meta.get("persons"))
        if persons is None and heads is not None:
            persons = Decimal(heads.group(1))
        if not persons or persons <= 0 or not f.amount or _NOT_ONLY_MEALS.search(text):
            return None
        days = _number(f.meta.get("days"))
        share = f.amount / persons / (days if days and days > 0 else 1)
        return PerHead(share.quantize(Decimal("0.01")), int(persons), bool(days))

    def _derived(self, text: str, f: Facts, per_head: PerHead | None) -> list[Match]:
        """The signals of amounts and roles: meals above the standard, round sums at
        retailers, pay to the studio's own host and members."""
        p = self.policy
        out = []
        meal = self.meal_terms is not None and (self.meal_terms.search(text) or any(
            self.meal_terms.search(i) for i in f.items))
        if per_head is not None and meal:
            limit = p.meals.review_above_per_day if per_head.per_day else p.meals.review_above
            if per_head.amount > limit:
                unit = "人天" if per_head.per_day else "人"
                who = f"（{per_head.persons} 人）" if per_head.persons else ""
                out.append(Match("meals", p.meals.label,
                                 (f"人均 {per_head.amount:.2f} 元/{unit}{who}，标准 {self._standard(per_head):.0f} 元",),
                                 p.meals.weight))
        rs = p.round_sums
        if (f.payee_type is not None and f.payee_type.id in rs.payee_types and f.amount is not None
                and f.amount >= rs.minimum and f.amount % rs.multiple == 0
                and not (self.round_unless is not None and self.round_unless.search(text))):
            out.append(Match("round-sum", rs.label, (f"收款方为{f.payee_type.label}", f"整数金额 {f.amount:.2f} 元"),
                             rs.weight))
        if f.role is not None:
            fee = self.role_fees.first(text) if self.role_fees is not None else None
            pays = fee or (self.role_terms is not None and self.role_terms.search(text)) or any(
                _within(a, p.roles.pay_accounts) for a in f.accounts)
            if pays and not (self.role_clear is not None and self.role_clear.search(text)):
                evidence = (f"收款人“{f.payee}”是本工作室{f.role}",) + ((f"词语“{fee}”",) if fee else ())
                out.append(Match("role", p.roles.label, evidence, p.roles.fee_weight if fee else p.roles.weight))
        return out


def _number(value) -> Decimal | None:
    number = getattr(value, "number", value)
    if number is None:
        return None
    try:
        return Decimal(str(number).strip())
    except (InvalidOperation, ValueError):
        return None


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
        elif number > 0 and not _within(account, exempt):
            if not account.startswith("Income:"):
                others.append(account)
    return spends, (others if outflow else [])


def _to_report(verdicts: dict[str, Assessment]) -> tuple[Assessment, ...]:
    return tuple(verdicts[rule] for rule in RULES if rule in verdicts and verdicts[rule].severity is not None)


@transaction_rules(*RULE_INFOS)
def spending_content(ctx):
    """What a payment was spent on, three rules assessed together:

    * ``three-public`` — no 三公经费: official trips abroad (incl. Hong Kong, Macao, Taiwan),
      purchase and running of official vehicles, official receptions;
    * ``personal-consumption`` — no 个人消费: gifts and cards, phones, clothing, cosmetics,
      tobacco and alcohol, medicines, relatives and tourism, entertainment, parties, allowances
      handed out to persons, pay to the studio's own host and members;
    * ``school-operating-cost`` — not the host school's 公用经费: utilities, property, canteen,
      building repairs, routine office costs, staff welfare, transfers into the school's other
      accounts.

    Clear cases are errors, cases a person must decide are reviews (the thresholds of the
    policy's detection table); each finding carries its evidence.
    """
    det = Detector(ctx.policy.detection, ctx.studio, ctx.policy.is_permitted)
    text_keys = frozenset(det.text_meta)
    flag_meta = det.flag_meta
    # the metadata that can make a payment's verdict differ from another's of the same words,
    # accounts and amount (``days`` divides an amount per person by the days)
    settles = frozenset(("invoice-items", "persons", "days", *flag_meta))
    interest: dict[tuple, int | None] = {}  # payee and words → Detector.interest of them
    findable: dict[tuple, bool] = {}  # payee and words → Detector.may_find of them
    reported: dict[tuple, tuple[tuple, ...]] = {}  # a payment's key → the hits' contents
    judged: dict[tuple, dict[str, Assessment]] = {}  # what a verdict reads → the verdicts

    def verdicts_of(key: tuple, payee: str | None, assess) -> dict[str, Assessment]:
        """The verdicts of a payment of the memo key ``key`` (of :data:`reported`: its words
        first, its payee first of them), assessed by ``assess()`` once for what they read of the
        payee: its type and role, its name only when it is the studio's own (the evidence names
        it). A ledger pays the same words to many payees of one
        type (the varied check bench: 18,893 payees and narrations, 7,785 narrations; callgrind,
        ``bench/rules_pass.py --varied``: 2.540 G → 2.504 G; the check bench's 0.883 G → 0.885 G)."""
        role = det.role(payee or "")
        words = key[0]
        named = payee if role is not None else None
        narrow = ((det.payee_type(payee or ""), role, named, *words[1:]), *key[1:])
        found = judged.get(narrow)
        if found is None:
            found = judged[narrow] = assess()
        return found

    def facts(shape):
        """How the payments of a shape are assessed (:class:`_Plan`), None when no payment of
        it can fire: a plain payment (expense postings and the dedicated account only) whose
        words are its narration and that carries none of the metadata that settles a verdict —
        almost every payment — is assessed here, once for its shape, or once for each part of
        its amount the verdict reads."""
        if shape.form.others:  # money moved to another account: the general way
            return _Plan(_GENERAL)
        if not shape.form.paid:
            return None
        if not (text_keys.isdisjoint(shape.form.keys) and settles.isdisjoint(shape.form.keys)):
            return _Plan(_BY_VALUES)  # its words or what settles its verdict are metadata values
        words = (shape.payee, shape.narration)
        kind = det.interest_of(shape.payee or "", det.words_of(shape.narration, {}), False)
        if kind is None:
            return None
        key = (words, shape.form.paid_accounts)
        if kind != WORDS:
            return _Plan(_BY_AMOUNT, key, kind)
        found = reported.get(key + (None,))
        if found is None:
            verdicts = verdicts_of(key + (None,), shape.payee, lambda: det.verdicts(
                shape.payee or "", shape.narration, {}, shape.form.paid_accounts, None, []))
            found = reported[key + (None,)] = tuple(_contents(v, shape.payee, shape.narration, det)
                                                    for v in _to_report(verdicts))
        return _Plan(_FOUND, found=found) if found else None

    def check(txn, plan):
        entry = txn.entry
        how = plan.how
        if how == _FOUND:
            found = plan.found
        elif how == _BY_AMOUNT:
            postings = entry.postings
            amount = sum([postings[i].units.number for i in txn.shape.form.paid])
            part = det.amount_key(plan.kind, amount)
            if plan.kind == ROUND_ONLY and not part:
                return None
            key = plan.key + (part,)
            found = reported.get(key)
            if found is None:
                verdicts = verdicts_of(key, entry.payee, lambda: det._assess(entry, amount, []))
                found = reported[key] = tuple(_contents(v, entry.payee, entry.narration, det)
                                              for v in _to_report(verdicts))
        elif how == _GENERAL:
            found = _to_report(det.assess(entry))
            return [_hit(verdict, txn, det) for verdict in found] if found else None
        else:
            found = by_values(txn)
        return [Hit(entry, text, severity, rule=rule, evidence=evidence) for text, severity, rule, evidence in found] \
            if found else None

    def by_values(txn):
        """The hits' contents of a payment whose words or verdict read metadata values. Ledgers
        repeat the same words many times, so each is looked at once and each payment that could
        fire is assessed once for its words, accounts, what of its amount counts and the values
        that settle a verdict."""
        entry, meta = txn.entry, txn.meta
        paid = txn.paid
        words = ((entry.payee, entry.narration) if text_keys.isdisjoint(meta)
                 else (entry.payee, entry.narration, tuple(map(meta.get, det.text_meta))))
        kind = interest.get(words, False)
        if kind is False:
            kind = interest[words] = det.interest(entry)
        plain = settles.isdisjoint(meta)
        if kind is None:
            if plain:
                return ()
            if "invoice-items" not in meta:
                # what settles a verdict here (persons, days, an innocent flag such as asset-id)
                # can divide an amount or lower a score, never make a signal fire: only words
                # can (the varied check bench's 1,845 purchases with an asset number, each
                # assessed before: the rules pass 5.42 G → 5.17 G, callgrind)
                may = findable.get(words)
                if may is None:
                    may = findable[words] = det.may_find(det.words(entry))
                if not may:
                    return ()
            kind = WORDS
        if kind == ROUND_ONLY:
            if "invoice-items" not in meta:  # (items would speak)
                amount = sum([p.units.number for p in paid])
                if not det.amount_key(ROUND_ONLY, amount):
                    return ()
            kind = ROUNDNESS
        if not plain and "persons" in meta:
            kind = AMOUNT
        amount = sum([p.units.number for p in paid]) if kind != WORDS else None
        key = (words, tuple([p.account for p in paid]), det.amount_key(kind, amount) if kind != WORDS else None)
        if not plain:
            key += (meta.get("invoice-items"), meta.get("persons"), meta.get("days"),
                    tuple([bool(meta.get(k)) for k in flag_meta]))
        found = reported.get(key)
        if found is None:
            if amount is None:
                amount = sum([p.units.number for p in paid])
            verdicts = verdicts_of(key, entry.payee, lambda: det._assess(entry, amount, []))
            found = reported[key] = tuple(_contents(v, entry.payee, entry.narration, det)
                                          for v in _to_report(verdicts))
        return found

    return Check(check, facts)


#: how the payments of a shape are assessed: the general way (money moved to another account),
#: by the metadata values of each, by the part of its amount the verdict reads, or found for the
#: shape once
_GENERAL, _BY_VALUES, _BY_AMOUNT, _FOUND = "general", "by values", "by amount", "found"


class _Plan(NamedTuple):
    """The content rules' facts of a shape."""

    how: str
    key: tuple = ()  # _BY_AMOUNT: the memo key of its words and accounts
    kind: int | None = None  # _BY_AMOUNT: what of the amount the verdict reads
    found: tuple = ()  # _FOUND: the hits' contents, the same for every payment of the shape


def _describe(payee: str | None, narration: str | None, det: Detector) -> str:
    parts = []
    if payee:
        ptype = det.payee_type(payee)
        kind = f"（{ptype.label}）" if ptype is not None else ""
        parts.append(f"收款方“{payee}”{kind}")
    if narration:
        parts.append(f"摘要“{narration}”")
    return "、".join(parts) or "本笔支出"


def _contents(verdict: Assessment, payee: str | None, narration: str | None,
              det: Detector) -> tuple[str, str, str, tuple[str, ...]]:
    """A finding's message, severity, rule and evidence (the same for every payment of the same
    words, accounts and amount)."""
    kinds = "；".join(f"{m.label}（{'，'.join(m.evidence)}）" if m.evidence else m.label for m in verdict.matches)
    advice = det.policy.advice.get(verdict.rule, "")
    if verdict.severity == ERROR:
        text = f"{_describe(payee, narration, det)}属于{kinds}。{advice}"
    else:
        text = f"{_describe(payee, narration, det)}可能属于{kinds}，须人工判定。{det.policy.review_advice}{advice}"
    return text, verdict.severity, verdict.rule, verdict.evidence


def _hit(verdict: Assessment, txn, det: Detector) -> Hit:
    text, severity, rule, evidence = _contents(verdict, txn.entry.payee, txn.entry.narration, det)
    return Hit(txn.entry, text, severity, rule=rule, evidence=evidence)
