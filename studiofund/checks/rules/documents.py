"""The papers behind each payment: invoices, signatures, asset numbers, payee details.

A *payment* here is a transaction with a positive posting on an ``Expenses:`` account;
reversals (only negative expense postings) are corrections of earlier payments and need no
papers of their own.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from ...ledger.meta import blank, parse_invoice_items, text
from ...policy.patterns import anchors_of
from ..framework import ERROR, REVIEW, Check, Hit, RuleInfo, ledger_rules, transaction_rules

_ZERO = Decimal(0)

MISSING_INVOICE = RuleInfo("missing-invoice", ERROR, "缺少发票", "missing-invoice",
                           reads=("accounts.pays_individuals",))
DUPLICATE_INVOICE = RuleInfo("duplicate-invoice", ERROR, "发票重复报销", "duplicate-invoice")
MISSING_SIGNOFF = RuleInfo("missing-signoff", ERROR, "缺少双方签字", "missing-signoff", reads=("dual_signoff",))
ASSET_UNREGISTERED = RuleInfo("asset-unregistered", ERROR, "固定资产未登记", "asset-unregistered",
                              reads=("asset_threshold", "asset_accounts", "accounts.label", "detection.assets"))
PAYEE_UNDOCUMENTED = RuleInfo("payee-undocumented", ERROR, "个人劳务缺少身份信息或代扣个税", "payee-undocumented",
                              reads=("accounts.pays_individuals", "accounts.label"))


def _within(accounts) -> Callable[[str], bool]:
    """Whether an account is one of ``accounts`` or a sub-account of one (``Expenses:A:B``);
    answered once per account (a ledger has a dozen, its payments thousands)."""
    exact = frozenset(accounts)
    prefixes = tuple(a + ":" for a in exact)
    return functools.cache(lambda account: account in exact or account.startswith(prefixes))


@ledger_rules(MISSING_INVOICE, DUPLICATE_INVOICE, MISSING_SIGNOFF)
class InvoicesAndSignoff:
    """The invoice numbers and signatures of the payments (transactions with a positive expense
    posting), three rules:

    * ``missing-invoice`` — a payment carries its invoice number(s) (``invoice:``), except
      payments to persons (lecture fees, 课酬, 劳务 — the policy's ``pays_individuals``
      categories), which are documented by ``payee-id`` and ``tax-withheld`` instead;
    * ``duplicate-invoice`` — one invoice number is reimbursed once in the whole ledger
      (重复报销), the second use is reported naming the first; a reversal (a transaction with
      only negative expense postings) carrying the number releases it, so the corrected booking
      may use it again; a red-letter invoice's entry (``invoice-kind: "red"``) is neither a use
      nor a release of the numbers it carries (its blue original is void, see
      ``invoice-cancelled``);
    * ``missing-signoff`` — where the program demands dual sign-off, a payment is booked only
      after the studio host (``approver``) and the host school's reviewer or legal
      representative (``reviewer``) have both signed (双方签字后，方可入账核销).

    Each rule's own function below words what is missing. Read in ``finish()``: the common case
    is settled by its shapes and a scan of the values, the rest walks the payments in date order.
    """

    def __init__(self, ctx):
        self.ctx = ctx
        self.to_person = _within(a.account for a in ctx.policy.accounts if a.pays_individuals)
        self.dual_signoff = ctx.policy.dual_signoff

    def finish(self):
        if self._all_in_order():
            return
        txns = self.ctx.txns
        first: dict[str, object] = {}  # invoice number → the payment that reimbursed it first
        needs_invoice: dict[object, bool] = {}  # form → it pays for more than persons
        for txn in txns:
            form = txn.shape.form
            if not form.expenses:
                continue
            meta = txn.meta
            if not form.paid:
                # a reversal releases its invoice numbers — except a red-letter invoice's entry: the
                # blue invoice it cancels is void, not free to be reimbursed again
                if meta.get("invoice-kind") != "red":
                    for number in txn.invoices:
                        first.pop(number, None)
                continue
            numbers = txn.invoices
            if not numbers:
                needs = needs_invoice.get(form)
                if needs is None:
                    needs = needs_invoice[form] = not all(self.to_person(a) for a in form.paid_accounts)
                if needs:  # persons are documented otherwise
                    yield _missing_invoice(txn)
            if meta.get("invoice-kind") == "red":  # a red invoice and its blue one are a pair, not a reuse
                numbers = ()
            for number in numbers:
                found = first.setdefault(number, txn.entry)
                if found is not txn.entry:
                    yield _duplicate_invoice(txn, number, found)
            if self.dual_signoff and (blank(meta.get("approver")) or blank(meta.get("reviewer"))):
                yield _missing_signoff(txn)

    def _all_in_order(self) -> bool:
        """Whether no finding is possible: every payment that needs an invoice number has one
        number of its own (plain ASCII letters and digits, used by no other payment or reversal)
        and, where dual sign-off is the rule, both signatures. Decided per form and by scans
        of the values in C instead of a check of each payment (callgrind, the pass alone over
        the check bench's ledger, bench/rules_pass.py: the papers rules 0.28 G → 0.14 G)."""
        txns = self.ctx.txns
        invoices, approvers, reviewers = [], [], []
        for form, positions in self.ctx.forms:
            if not form.expenses:
                continue
            metas = [txns[i].meta for i in positions]
            if "invoice" in form.keys:
                invoices += map(_INVOICE, metas)
            elif form.paid and not all(self.to_person(a) for a in form.paid_accounts):
                return False  # a payment without its invoice number
            if form.paid and self.dual_signoff:
                if "approver" not in form.keys or "reviewer" not in form.keys:
                    return False
                approvers += map(_APPROVER, metas)
                reviewers += map(_REVIEWER, metas)
        try:
            # one number each, nothing to split: ASCII letters and digits only, tested on the
            # numbers joined (ASCII text's bytes: a table lookup a character; str.isalnum on
            # each number cost 0.012 G on the bench), none blank, none used twice; str.strip:
            # a signature that is blank text; a value that is not text raises TypeError
            joined = "".join(invoices)
            distinct = set(invoices)
            return ((not invoices or joined.isascii() and joined.encode().isalnum())
                    and len(distinct) == len(invoices) and "" not in distinct
                    and all(map(str.strip, approvers)) and all(map(str.strip, reviewers)))
        except TypeError:
            return False


#: the values of a metadata key every transaction of the shape carries
_INVOICE, _APPROVER, _REVIEWER = (operator.itemgetter(k) for k in ("invoice", "approver", "reviewer"))


@transaction_rules(ASSET_UNREGISTERED, PAYEE_UNDOCUMENTED)
def payment_papers(ctx):
    """The papers of one payment (a transaction with a positive expense posting) beyond its
    invoice and signatures, two rules:

    * ``asset-unregistered`` — an expense posting at or above the policy's fixed-asset threshold
      on an equipment-like category (``asset_accounts``) carries an asset-register number
      (``asset-id``), on the transaction or on the posting. Where equipment is the norm
      (``detection.assets.equipment_accounts``: 办公设备购置) that is an ``error`` (a ``review`` when
      the words or items say a service or consumable was paid: 录播系统年度维保); on the other
      asset accounts (资料费, 课题研究, 信息采集 …) it depends on what was bought (:class:`Purchase`):
      equipment words or invoice items → ``error``, a service, rental, book or consumable →
      nothing, neither → ``review``; on any other expense account, a purchase that is plainly
      equipment (its words or invoice items, :class:`Purchase`) needs the number too (``error``:
      a desktop computer booked as 课题研究费 is still a fixed asset);
    * ``payee-undocumented`` — a payment to a person names the recipient's ID number
      (``payee-id``, may be masked) and the personal income tax withheld (``tax-withheld``, an
      amount, 0 allowed).

    Each rule's own function below words what is missing. Only the payments of the shapes that
    can need either are looked at.
    """
    policy = ctx.policy
    to_person = _within(a.account for a in policy.accounts if a.pays_individuals)
    equipment = _within(policy.asset_accounts)
    purchase = Purchase(policy.detection.assets, policy.detection.fold)
    threshold = policy.asset_threshold

    def of_form(form):
        """What the form decides: None for no payment, else (the positions paid to persons,
        the positions that need an asset number once at or above the threshold whatever the
        words, whether the words decide any other position, whether those are all on accounts
        neither equipment-like nor where equipment is the norm)."""
        if not form.paid:
            return None
        accounts = form.accounts
        to_persons = tuple([i for i in form.paid if to_person(accounts[i])])
        if "invoice-items" in form.keys:
            return to_persons, form.paid, False, False  # what was bought: the items decide, per payment
        always = tuple([i for i in form.paid if equipment(accounts[i]) and purchase.norm(accounts[i])])
        rest = [accounts[i] for i in form.paid if i not in always]
        return to_persons, always, bool(rest), not any(equipment(a) or purchase.norm(a) for a in rest)

    forms: dict = {}  # form → of_form(form)

    def facts(shape):
        form = shape.form
        found = forms.get(form, False)
        if found is False:
            found = forms[form] = of_form(form)
        if found is None:
            return None
        to_persons, assets, by_words, plain = found
        # on an account neither equipment-like nor where equipment is the norm, a purchase needs
        # an asset number only if its words or its payee may say equipment: two searches of the
        # four Purchase.kind_of makes, each narration's and each payee's answered once
        # (callgrind, the papers rules alone over the varied bench ledger, as
        # bench/rules_pass.py --varied counts them: 1.71 G -> 0.38 G with the forms)
        if by_words and (not plain or purchase.may_be_equipment(shape.payee, shape.narration)):
            kind, evidence = purchase.kind_of(shape.payee, shape.narration, None)
            accounts = form.accounts
            assets = tuple([i for i in form.paid if _may_be_asset(accounts[i], kind, evidence, equipment, purchase)])
        return _Payment(to_persons, assets) if to_persons or assets else None

    def check(txn, facts):
        meta = txn.meta
        hits = []
        postings = txn.entry.postings
        for i in facts.assets:
            posting = postings[i]
            if posting.units.number >= threshold and not (
                    ("asset-id" in meta and text(meta, "asset-id")) or text(posting.meta, "asset-id")):
                if not equipment(posting.account):
                    # a computer booked as 课题研究费; goods of unknown kind from an electronics shop
                    kind, evidence = purchase.kind(txn)
                    if kind != "equipment" and not evidence:
                        continue
                found = _asset_unregistered(txn, posting, policy, purchase)
                if found is not None:
                    hits.append(found)
        if facts.to_persons and not _documented(meta):
            found = _payee_undocumented(txn, [postings[i] for i in facts.to_persons], policy)
            if found is not None:
                hits.append(found)
        return hits or None

    return Check(check, facts)


class _Payment(NamedTuple):
    """What the papers rule knows of a payment's shape."""

    to_persons: tuple[int, ...]  # the positions of its postings paid to persons
    #: the positions of its paid postings that need an asset number once at or above the
    #: threshold (a service or consumable bought off the equipment accounts never does)
    assets: tuple[int, ...]


def _may_be_asset(account: str, kind: str, evidence, equipment, purchase: Purchase) -> bool:
    """Whether a posting on ``account`` of a purchase of ``kind`` can be ``asset-unregistered``
    (:func:`_asset_unregistered` with the check above it, for every amount)."""
    if not equipment(account) and kind != "equipment" and not evidence:
        return False
    return not (kind == "other" and not purchase.norm(account))


def _missing_invoice(txn) -> Hit:
    return Hit(
        txn.entry,
        "这笔支出没有发票号码。请按发票补记 invoice: \"发票号码\"（多张用逗号分隔）；"
        "无合法票据的支出不得入账报销。",
        rule=MISSING_INVOICE.id,
    )


def _duplicate_invoice(txn, number: str, first) -> Hit:
    meta = first.meta or {}
    voucher = meta.get("voucher")
    which = f"凭证 {voucher}，" if voucher else ""
    return Hit(
        txn.entry,
        f"发票 {number} 已在 {first.date} 报销过（{which}{meta.get('filename')}:{meta.get('lineno')}）："
        "同一张发票不得重复报销。请核对原始票据，删除重复的一笔或改正发票号码。",
        rule=DUPLICATE_INVOICE.id,
    )


def _missing_signoff(txn) -> Hit:
    missing = [label for key, label in (("approver", "主持人签字 approver"),
                                        ("reviewer", "法定代表人（审核人）签字 reviewer"))
               if text(txn.meta, key) is None]
    return Hit(
        txn.entry,
        f"这笔支出缺少{'、'.join(missing)}。须由主持人和主持人所在单位法定代表人（或其授权的审核人）"
        "双方签字后方可入账核销；请补签后记录签字人姓名。",
        rule=MISSING_SIGNOFF.id,
    )


class Purchase:
    """What a payment bought, as the asset rule needs it: ``equipment``, ``other`` (a service,
    rental, book, consumable) or ``unknown``, with the words or invoice items that tell.

    Invoice items decide first (an equipment item makes the purchase equipment; items that are
    all services or goods make it other); then the narration's words, where a service or
    consumable word wins over an equipment word (服务器租用, 摄像机维修)."""

    def __init__(self, assets, fold=str):
        self.fold = fold  # full-width forms and variants, as the content rules read them
        self.norm = _within(assets.equipment_accounts)
        self.equipment = _alternation(assets.equipment)
        self.equipment_items = _alternation(assets.equipment_items)
        self.other = _alternation(assets.not_equipment)
        self.other_items = _alternation(assets.not_equipment_items)
        self.other_payees = _alternation(assets.not_equipment_payees)
        self.equipment_payees = _alternation(assets.equipment_payees)
        self._memo: dict[tuple, tuple[str, tuple[str, ...]]] = {}
        self._equipment_payee: dict[str | None, bool] = {}
        self._equipment_words: dict[str | None, bool] = {}

    def may_be_equipment(self, payee: str | None, narration: str | None) -> bool:
        """Whether a purchase from ``payee`` for ``narration`` without invoice items may be
        ``equipment`` or ``unknown`` with evidence (:meth:`kind_of`): the narration holds an
        equipment word or the payee is an equipment shop (answered once per payee and once per
        narration: books pay the same narration to many payees and a payee for many)."""
        shop = self._equipment_payee.get(payee)
        if shop is None:
            shop = self._equipment_payee[payee] = _occurs(self.equipment_payees, self.fold(payee or ""))
        if shop:
            return True
        words = self._equipment_words.get(narration)
        if words is None:
            words = self._equipment_words[narration] = _occurs(self.equipment, self.fold(narration or ""))
        return words

    def kind(self, txn) -> tuple[str, tuple[str, ...]]:
        entry = txn.entry
        return self.kind_of(entry.payee, entry.narration, txn.meta.get("invoice-items"))

    def kind_of(self, payee: str | None, narration: str | None, items) -> tuple[str, tuple[str, ...]]:
        """What a payment to ``payee`` for ``narration`` with the ``invoice-items:`` value
        ``items`` (None: none) bought."""
        key = (payee, narration, items)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._kind(self.fold(payee or ""), self.fold(narration or ""),
                                                 [i.name for i in parse_invoice_items(items)])
        return found

    def _kind(self, payee: str, narration: str, items: list[str]) -> tuple[str, tuple[str, ...]]:
        equipment = [i for i in items if _search(self.equipment_items, i)]
        if equipment:
            return "equipment", tuple(f"发票项目“{i}”" for i in equipment)
        if items and all(_search(self.other_items, i) for i in items):
            return "other", tuple(f"发票项目“{i}”" for i in items)
        other = _search(self.other, narration)
        if other:
            return "other", (f"词语“{other}”",)
        seller = _search(self.other_payees, payee)
        if seller:
            return "other", (f"收款方“{payee}”",)
        equipment_word = _search(self.equipment, narration)
        if equipment_word:
            return "equipment", (f"词语“{equipment_word}”",)
        if _search(self.equipment_payees, payee):
            # an electronics shop paid for 录课用品一批: what was bought is unknown, where it was
            # bought says it may be a device
            return "unknown", (f"收款方“{payee}”为电器、数码、办公设备商店",)
        return "unknown", ()


class _Alternation:
    """The first match of ``patterns`` in a text as one alternation of them finds it (``re``:
    the leftmost match; of the patterns matching there, the first listed). Compiling the six
    alternations of the policy's 227 asset words cost every check 0.030 G instructions
    (callgrind), more than all the searches a check makes with them: the words that are literal
    (212 of the 227 in the bundled policies) are instead looked for with ``str.find`` — only
    those whose first character the text holds —, the others form an alternation of their own,
    compiled when first searched."""

    def __init__(self, patterns):
        self.size = len(patterns)
        #: the literal words by their first character, each with its place in ``patterns``
        self.words: dict[str, list[tuple[int, str]]] = {}
        self.others = []
        for i, p in enumerate(patterns):
            if p and re.escape(p) == p:
                self.words.setdefault(p[0], []).append((i, p))
            else:
                self.others.append((i, p))
        #: their first characters: intersected with a text's, no set of the text is built, nor a
        #: set of these (callgrind, the papers rules alone over the varied bench ledger,
        #: bench/rules_pass.py --varied: 0.326 G with ``self.words.keys() & set(text)``, 0.295 G so)
        self.chars = frozenset(self.words)
        self.compiled: re.Pattern | None = None
        #: what a match needs (:meth:`occurs`), compiled when first asked
        self.needs: re.Pattern | None = None
        self.needs_known = False

    def occurs(self, text: str) -> bool:
        """Whether any of the patterns matches ``text`` (:meth:`search`'s answer as a yes or no).
        Asked of each distinct narration and payee of the payments that may be equipment, so a
        text is first scanned for what a match needs — one of the literal words, or one of the
        anchors of the other patterns (literal strings one of which each of their matches holds,
        :func:`~studiofund.policy.patterns.anchors_of`) — with one alternation of them, compiled
        when first asked (``re`` finds their first characters in C), and only a text holding
        one is searched (callgrind, the papers rules alone over the varied bench ledger's 7,785
        narrations, bench/rules_pass.py --varied: 0.343 G with :meth:`search` alone, 0.304 G
        with the literal words in one alternation, 0.260 G with the anchors too; over the check
        bench's few narrations, the parse and compile cost 0.010 G more than the searches save)."""
        if not self.needs_known:
            self.needs, self.needs_known = self._needs(), True
        if self.needs is not None and self.needs.search(text) is None:
            return False
        return bool(self.search(text))

    def _needs(self) -> re.Pattern | None:
        """One alternation of the literal words and the anchors of the other patterns; None when
        the anchors of one are unknown, or one carries an inline flag (``(?i)`` would match its
        anchors in either case)."""
        anchors: frozenset[str] | None = frozenset()
        if self.others:
            patterns = [p for _, p in self.others]
            anchors = None if any(map(_FLAGS.search, patterns)) else anchors_of(patterns)
            if anchors is None:
                return None
        words = [word for words in self.words.values() for _, word in words]
        return re.compile("|".join(map(re.escape, [*words, *sorted(anchors)])))

    def _others(self) -> re.Pattern:
        """The patterns that are not literal words as one alternation, compiled when first
        searched: each alternative named by its place in ``patterns``, so that where a word and
        a pattern match at one position, the first listed wins."""
        if self.compiled is None:
            self.compiled = re.compile("|".join(f"(?P<p{i}>{p})" for i, p in self.others))
        return self.compiled

    def search(self, text: str) -> str:
        """The matched text; "" when no pattern matches."""
        at, first, found = len(text) + 1, self.size, ""
        for char in self.chars.intersection(text):
            for i, word in self.words[char]:
                where = text.find(word)
                if where >= 0 and (where < at or (where == at and i < first)):
                    at, first, found = where, i, word
        if self.others:
            m = self._others().search(text)
            if m is not None and (m.start() < at or (m.start() == at and int(m.lastgroup[1:]) < first)):
                found = m.group(0)
        return found


#: an inline flag in a pattern: (?i), (?i:…), (?-i:…) and the others
_FLAGS = re.compile(r"\(\?[-aiLmsux]")


def _alternation(patterns) -> _Alternation | None:
    return _Alternation(patterns) if patterns else None


def _occurs(pattern: _Alternation | None, text: str) -> bool:
    return pattern is not None and bool(text) and pattern.occurs(text)


def _search(pattern: _Alternation | None, text: str) -> str:
    return pattern.search(text) if pattern is not None and text else ""


#: words that bundle a service with a purchase: 投影仪（含三年维保）
_BUNDLED = ("含", "包括", "附带", "赠送")
_UNITS = "个台支只套件把张部块副顶盏架"
#: an amount as the words write it: 299, 299.50, 1,299 or 1，299 (thousands grouped)
_NUMBER = r"(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?"
#: a unit price in the words: 单价299, 299元/支, 每台299元, 10支×299元, 单价1,299元
_UNIT_PRICE = re.compile(
    rf"单价\s*[:：]?\s*(?P<a>{_NUMBER})|(?P<b>{_NUMBER})\s*元?\s*[/每]\s*[{_UNITS}]"
    rf"|每[{_UNITS}]\s*(?P<c>{_NUMBER})\s*元|\d+\s*[{_UNITS}]\s*[×xX*]\s*(?P<d>{_NUMBER})")


def _each_below(narration: str, threshold: Decimal) -> bool:
    """Whether the words give a unit price below the fixed-asset threshold (单价299, 299元/支): a
    fixed asset is reckoned by its unit value, and ten recorders at 299 are no asset of 2,990. A
    count alone (课桌椅40套) does not divide the amount: a batch of like furniture is managed as
    fixed assets."""
    price = _UNIT_PRICE.search(narration)  # (asked of the few purchases at or above the threshold)
    if price is None:
        return False
    value = next(v for v in price.groups() if v)
    return Decimal(value.replace(",", "").replace("，", "")) < threshold


def _asset_unregistered(txn, posting, policy, purchase: Purchase) -> Hit | None:
    if _each_below(purchase.fold(txn.entry.narration or ""), policy.asset_threshold):
        return None
    kind, evidence = purchase.kind(txn)
    norm = purchase.norm(posting.account)
    if kind == "other" and not norm:
        # a service, rental, book or consumable off the equipment accounts: nothing to say (half
        # the bench ledger's payments of 1,000 CNY or more; decided before any text is formatted)
        return None
    what = f"{policy.label(posting.account)}（{posting.account}）{posting.units.number:.2f} CNY"
    limit = f"固定资产标准（{policy.asset_threshold:.2f} CNY）"
    register = "请在学校国有资产账登记后补记 asset-id: \"资产编号\"。"
    if norm:
        # a service on the equipment account (维保, 租赁), said by the words or the invoice items —
        # not by the seller, and not bundled with a purchase (投影仪含三年维保): a person confirms
        if kind == "other" and not evidence[0].startswith("收款方") and not any(word in (txn.entry.narration or "") for word in _BUNDLED):
            return Hit(txn.entry,
                       f"{what}达到{limit}，但摘要或发票项目显示所付的是服务或耗材（{'，'.join(evidence)}），"
                       f"请确认不属于固定资产：属于的，{register}不属于的，由审核人加 reviewed: \"说明\"。",
                       REVIEW, rule=ASSET_UNREGISTERED.id, evidence=evidence)
        return Hit(txn.entry, f"{what}达到{limit}但没有资产编号。{register}", rule=ASSET_UNREGISTERED.id,
                   evidence=(f"{posting.units.number:.2f} CNY ≥ {policy.asset_threshold:.2f} CNY",))
    if kind == "equipment":
        return Hit(txn.entry, f"{what}购置的是设备（{'，'.join(evidence)}），达到{limit}但没有资产编号。{register}",
                   rule=ASSET_UNREGISTERED.id, evidence=evidence)
    seller = "收款方为电器、数码、办公设备商店，" if evidence else ""
    return Hit(txn.entry,
               f"{what}达到{limit}，{seller}摘要和发票项目无法判断所购是否为设备、家具等固定资产。"
               f"属于固定资产的，{register}不属于的（服务、耗材、图书等），请在摘要写明所购内容，"
               "或由审核人加 reviewed: \"说明\"。",
               REVIEW, rule=ASSET_UNREGISTERED.id,
               evidence=(*evidence, f"{posting.units.number:.2f} CNY ≥ {policy.asset_threshold:.2f} CNY"))


def _amount(value) -> Decimal | None:
    number = getattr(value, "number", value)
    if number is None:
        return None
    try:
        return Decimal(str(number).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


def _documented(meta) -> bool:
    """Whether a payment to persons names the recipient's ID and an amount of tax (0 or more)
    on the transaction itself, as most do: then :func:`_payee_undocumented` has nothing to say,
    and is not called (callgrind, bench/rules_pass.py: 0.014 G less for the bench's 2,043
    lecture fees)."""
    payee_id = meta.get("payee-id")
    number = getattr(meta.get("tax-withheld"), "number", None)
    return (payee_id.__class__ is str and not blank(payee_id)
            and number.__class__ is Decimal and number >= _ZERO)


def _payee_undocumented(txn, paid, policy) -> Hit | None:
    """What a payment to persons (``paid``: its postings on ``pays_individuals`` categories)
    lacks of the recipient's ID number and the tax withheld; None when nothing."""
    meta = txn.meta
    problems = []
    if text(meta, "payee-id") is None and not any(text(p.meta, "payee-id") for p in paid):
        problems.append("收款人身份证号 payee-id")
    tax = meta.get("tax-withheld")
    if tax is None:
        tax = next((p.meta.get("tax-withheld") for p in paid if p.meta and p.meta.get("tax-withheld") is not None), None)
    if tax is None or (isinstance(tax, str) and not tax.strip()):
        problems.append("代扣个人所得税 tax-withheld")
    else:
        amount = _amount(tax)
        if amount is None or amount < 0:
            problems.append(f"代扣个人所得税 tax-withheld（“{tax}”不是金额）")
    if not problems:
        return None
    who = f"“{txn.entry.payee}”" if txn.entry.payee else "个人"
    total = sum((p.units.number for p in paid), _ZERO)
    return Hit(
        txn.entry,
        f"支付给{who}的{policy.label(paid[0].account)} {total:.2f} CNY 缺少{'、'.join(problems)}。"
        "向个人支付讲课费、课酬、劳务费须登记收款人身份信息并依法代扣代缴个人所得税"
        "（未达起征点记 0）；请补记。",
        rule=PAYEE_UNDOCUMENTED.id,
    )
