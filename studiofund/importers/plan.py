"""What an import does to a ledger: the lines it does not have yet, the hand-booked entries
that already book a line (linked: they gain its ``bank-ref``), accounts to open, the closing
balance — and, before anything is written, whether the balances agree.

A line is already in the ledger when an entry carries its ``bank-ref`` (the bank's serial, or
the computed key of date, time, amount, counterparty and balance). A line that an entry booked
by hand already books is linked to it (:mod:`.reconcile`). A balance assertion is already there
when the ledger asserts the same amount on the same day.

Balances are checked on the plan, not left to the assertion: the ledger's balance before the
statement must be the statement's opening balance (the first line's balance less its amount),
and the ledger's balance after it the closing one. When they differ, the plan names both
figures, the difference, the hand-booked entries no line matched, and the fix.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data
from beancount.parser import printer

from studiofund.ledger.meta import text as meta_text
from studiofund.money import CURRENCY, ZERO, fmt, fmt_cn
from studiofund.policy.models import BASE_ACCOUNTS, EXPENSE_ACCOUNTS

from .booking import Rules, book_line, closing_balance
from .reconcile import BANK_REF, MATCH_DAYS, bank_amount, hand_booked, reconcile
from .statement import Statement, StatementLine


def existing_refs(entries: list[data.Directive]) -> set[str]:
    """The ``bank-ref`` of every entry of the ledger."""
    return {ref for e in entries if (ref := meta_text(getattr(e, "meta", None), BANK_REF))}


def is_duplicate(entry: data.Directive, refs: set[str], balances: set[tuple]) -> bool:
    if isinstance(entry, data.Balance):
        return (entry.date, entry.account, entry.amount.number) in balances
    ref = meta_text(getattr(entry, "meta", None), BANK_REF)
    return ref is not None and ref in refs


def existing_balances(entries: list[data.Directive]) -> set[tuple]:
    return {(e.date, e.account, e.amount.number) for e in entries if isinstance(e, data.Balance)}


@dataclass(frozen=True)
class Link:
    """A statement line that an entry booked by hand already books."""

    line: StatementLine
    key: str
    entry: data.Transaction

    @property
    def voucher(self) -> str | None:
        return meta_text(self.entry.meta, "voucher")

    @property
    def where(self) -> str:
        return f"{self.entry.meta.get('filename', '')}:{self.entry.meta.get('lineno', '?')}"


@dataclass(frozen=True)
class Ambiguous:
    """A line that more than one hand-booked entry could be: shown, neither linked nor added."""

    line: StatementLine
    key: str
    candidates: tuple[data.Transaction, ...]


@dataclass
class StatementResult:
    statement: Statement
    new: list[data.Directive] = field(default_factory=list)
    skipped: int = 0
    links: list[Link] = field(default_factory=list)
    ambiguous: list[Ambiguous] = field(default_factory=list)
    problem: str | None = None  # the balances do not agree: why, and what to do

    @property
    def path(self) -> str:
        return self.statement.path

    @property
    def bank(self) -> str:
        return self.statement.label

    @property
    def lines(self) -> int:
        return len(self.statement.lines)

    @property
    def new_transactions(self) -> int:
        return sum(isinstance(e, data.Transaction) for e in self.new)


@dataclass
class ImportPlan:
    results: list[StatementResult]
    opens: list[data.Open]

    @property
    def entries(self) -> list[data.Directive]:
        return [*self.opens, *(e for r in self.results for e in r.new)]

    @property
    def links(self) -> list[Link]:
        return [link for r in self.results for link in r.links]

    @property
    def problems(self) -> list[str]:
        return [r.problem for r in self.results if r.problem]

    @property
    def is_empty(self) -> bool:
        return not self.entries and not self.links


class _Bank:
    """The bank account's movements as the plan goes: the ledger's and the planned ones."""

    def __init__(self, entries: list[data.Directive], account: str):
        self.account = account
        self.moves: list[tuple[datetime.date, Decimal, int]] = []  # date, amount, id(entry)
        for entry in entries:
            if isinstance(entry, data.Transaction):
                self.add(entry)

    def add(self, entry: data.Transaction) -> None:
        amount = bank_amount(entry, self.account)
        if amount is not None:
            self.moves.append((entry.date, amount, id(entry)))

    def before(self, date: datetime.date, leave_out: set[int] = frozenset()) -> Decimal:
        return sum((a for d, a, i in self.moves if d < date and i not in leave_out), ZERO)

    def has_moves_before(self, date: datetime.date) -> bool:
        return any(d < date for d, _, _ in self.moves)


def plan_import(statements: list[Statement], existing: list[data.Directive], rules: Rules,
                labels: dict[str, str], *, forced: dict[str, str] | None = None) -> ImportPlan:
    """The entries that ``statements`` add to a ledger whose entries are ``existing``, and the
    hand-booked entries they link. ``labels`` gives the Chinese name of every account that may
    need opening; ``forced`` maps a line's bank-ref to the voucher of the entry that books it
    (``import --link``), for lines the matching finds ambiguous."""
    account = rules.bank_account
    refs = existing_refs(existing)
    balances = existing_balances(existing)
    bank = _Bank(existing, account)
    pool = hand_booked(existing, account)
    by_voucher = {v: e for e in pool if (v := meta_text(e.meta, "voucher"))}
    _check_forced(forced or {}, statements, refs, by_voucher)
    claimed: set[int] = set()
    results: list[StatementResult] = []
    for statement in sorted(statements, key=lambda s: (s.first_date, s.last_date)):
        result = StatementResult(statement)
        pending: list[tuple[StatementLine, str]] = []
        for line, key in zip(statement.lines, statement.keys()):
            if key in refs:
                result.skipped += 1
            elif line.amount != 0:
                pending.append((line, key))
        pending = _forced_links(pending, forced or {}, by_voucher, claimed, result)
        found = reconcile(pending, pool, account, claimed)
        result.links += [Link(line, key, entry) for line, key, entry in found.links]
        result.ambiguous += [Ambiguous(line, key, tuple(c)) for line, key, c in found.ambiguous]
        for line, key in found.unmatched:
            entry = book_line(line, key, rules, statement.path)
            result.new.append(entry)
            bank.add(entry)
            refs.add(key)
        refs.update(link.key for link in result.links)
        result.problem = _check_dates(statement, existing, account)
        if result.problem is None:
            _check_balances(result, bank, existing, pool, claimed, rules, balances)
        results.append(result)
    opens = missing_opens([e for r in results for e in r.new], existing, labels)
    return ImportPlan(results, opens)


class PlanError(ValueError):
    """A request the plan cannot follow (an ``--link`` naming no line or no entry), in Chinese."""


def _check_forced(forced: dict[str, str], statements: list[Statement], refs: set[str],
                  by_voucher: dict[str, data.Transaction]) -> None:
    keys = {key for s in statements for key in s.keys()}
    for key, voucher in forced.items():
        if key not in keys:
            raise PlanError(f"--link {key}={voucher}：对账单中没有这个流水号（bank-ref）；"
                            "请用导入时“待确认”一行给出的流水号。")
        if key in refs:
            raise PlanError(f"--link {key}={voucher}：这笔流水已经在账簿中（已有分录带 bank-ref: \"{key}\"）。")
        if voucher not in by_voucher:
            raise PlanError(f"--link {key}={voucher}：账簿中没有凭证号为 {voucher}、尚未对账（没有 bank-ref）的专户分录。")


def _check_dates(statement: Statement, existing, account: str) -> str | None:
    """A line dated before the dedicated account is opened in the ledger cannot be booked."""
    opened = _opened(existing, account)
    first = statement.lines[0]
    if opened is not None and first.date < opened:
        return (f"{statement.path}：第 {first.row} 行的日期 {first.date} 早于账簿中专户（{account}）的开设日期 {opened}；"
                f"未做任何修改。请确认对账单属于本工作室的建设周期，或把账簿中 {account} 的 open 日期改到 {first.date} 或更早。")
    return None


def _forced_links(pending, forced, by_voucher, claimed, result) -> list[tuple[StatementLine, str]]:
    """Link the lines ``--link KEY=VOUCHER`` names; the others stay pending."""
    rest = []
    for line, key in pending:
        voucher = forced.get(key)
        entry = by_voucher.get(voucher) if voucher else None
        if entry is not None and id(entry) not in claimed:
            claimed.add(id(entry))
            result.links.append(Link(line, key, entry))
        else:
            rest.append((line, key))
    return rest


def _check_balances(result: StatementResult, bank: _Bank, existing, pool, claimed, rules,
                    balances: set[tuple]) -> None:
    """The statement's opening and closing balances against the ledger's; the closing balance
    assertion goes on the first day after the statement on which they agree."""
    st = result.statement
    first, last = st.lines[0], st.lines[-1]
    linked = {id(link.entry) for link in result.links}
    opening = st.opening_balance
    if opening is not None:
        before = bank.before(first.date, leave_out=linked)
        if before != opening:
            result.problem = _opening_problem(result, before, opening, bank, existing, rules)
            return
    closing = st.closing_balance
    if closing is None:
        return
    # A hand-booked entry a line was linked to (or may be) can be dated after the statement's
    # last day: the assertion goes after it, on the first day the balances agree.
    later = [link.entry.date for link in result.links]
    later += [e.date for a in result.ambiguous for e in a.candidates]
    latest = max([last.date] + later)
    day = last.date + datetime.timedelta(days=1)
    while day <= latest + datetime.timedelta(days=1):
        if bank.before(day) == closing:
            assertion = closing_balance(st, rules, day)
            if (assertion.date, assertion.account, assertion.amount.number) not in balances:
                result.new.append(assertion)
                balances.add((assertion.date, assertion.account, assertion.amount.number))
            return
        day += datetime.timedelta(days=1)
    after = bank.before(last.date + datetime.timedelta(days=1))
    result.problem = _closing_problem(result, after, closing, pool, claimed)


def _opening_problem(result: StatementResult, before: Decimal, opening: Decimal, bank: _Bank,
                     existing, rules) -> str:
    st = result.statement
    first = st.lines[0].date
    head = (f"{st.path}：对账单第一笔交易（{first}，第 {st.lines[0].row} 行）之前的余额是 {fmt_cn(opening)} 元"
            f"（该笔余额 {fmt_cn(st.lines[0].balance)} − 发生额 {fmt_cn(st.lines[0].amount)}），"
            f"而账簿中专户在 {first} 之前的余额是 {fmt_cn(before)} 元，相差 {fmt_cn(opening - before)} 元；未做任何修改。")
    if not bank.has_moves_before(first):
        start = _opened(existing, rules.bank_account) or first - datetime.timedelta(days=1)
        return (head + "账簿中专户此前没有任何收支：若这是专户的第一份对账单，请先把期初余额（上年结余）记入账簿，"
                "例如在账簿末尾加上\n\n"
                f'{start} * "上年结转" "期初余额（上年结余结转）"\n'
                f"  Assets:Bank:Dedicated  {fmt(opening)} CNY\n"
                "  Equity:CarryForward\n\n"
                "（新建账簿时可用 studiofund init --opening-balance），再导入。")
    window = datetime.timedelta(days=MATCH_DAYS)
    linked = {id(link.entry) for link in result.links}
    loose = [e for e in hand_booked(existing, rules.bank_account)
             if id(e) not in linked and first - window <= e.date < first]
    tail = ""
    if loose:
        tail = ("\n对账单开始前几天内以下手工录入的专户分录没有对上银行流水，请一并核对：\n"
                + "\n".join(f"  {describe_entry(e)}" for e in loose))
    return (head + "可能漏导了更早的对账单（请先导入上一期的对账单，使两期首尾相接），"
            "或账簿中此前的分录有误（重复录入、金额不符）；请核对后再导入。" + tail)


def _opened(existing, account: str) -> datetime.date | None:
    return next((e.date for e in existing if isinstance(e, data.Open) and e.account == account), None)


def _closing_problem(result: StatementResult, after: Decimal, closing: Decimal, pool, claimed) -> str:
    st = result.statement
    first, last = st.lines[0].date, st.lines[-1].date
    window = datetime.timedelta(days=MATCH_DAYS)
    loose = [e for e in pool if id(e) not in claimed and first - window <= e.date <= last + window]
    out = [f"{st.path}：导入后账簿中专户在 {last} 日终的余额将是 {fmt_cn(after)} 元，"
           f"而对账单的期末余额是 {fmt_cn(closing)} 元，相差 {fmt_cn(after - closing)} 元；未做任何修改。"]
    if loose:
        out.append("这段时间内以下手工录入的专户分录没有对上任何一笔银行流水（可能重复录入，或金额、日期、对方名称与银行不一致）：")
        out += [f"  {describe_entry(e)}" for e in sorted(loose, key=lambda e: e.date)]
    if result.ambiguous:
        out.append("以下流水可能对应多笔手工分录，未自动对上：")
        out += [f"  {describe_line(a.line)}：{'；'.join(describe_entry(e) for e in a.candidates)}"
                for a in result.ambiguous]
    out.append("请核对：重复录入的分录请删除或冲销；确属同一笔的，在该分录上加上元数据 bank-ref: \"流水号\""
               "（或导入时用 --link 流水号=凭证号 指明），再导入。")
    return "\n".join(out)


def describe_line(line: StatementLine) -> str:
    who = line.counterparty or line.summary or "（无对方户名）"
    return f"第 {line.row} 行 {line.date} {fmt_cn(line.amount)} 元 {who}"


def describe_entry(entry: data.Transaction) -> str:
    voucher = meta_text(entry.meta, "voucher")
    amount = next((p.units.number for p in entry.postings if p.account.startswith("Assets:Bank")), None)
    where = f"{entry.meta.get('filename', '')}:{entry.meta.get('lineno', '?')}"
    who = entry.payee or entry.narration or ""
    return f"凭证 {voucher or '（无凭证号）'} {entry.date} {fmt_cn(amount)} 元 {who}（{where}）"


def account_labels(policy=None, importing=None) -> dict[str, str]:
    """The Chinese name of every account an import may open: the chart, the program's own
    labels, and the fee and holding accounts of the importing policy."""

    labels = {**BASE_ACCOUNTS, **EXPENSE_ACCOUNTS}
    if policy is not None:
        labels.update({a.account: a.label for a in policy.accounts})
        importing = importing or policy.importing
    if importing is not None:
        labels[importing.fee_account] = importing.fee_label
        labels[importing.holding_account] = importing.holding_label
    return labels


def missing_opens(new: list[data.Directive], existing: list[data.Directive],
                  labels: dict[str, str]) -> list[data.Open]:
    """``open`` directives for the accounts ``new`` uses that ``existing`` never opens."""
    opened = {e.account: e.date for e in existing if isinstance(e, data.Open)}
    used: dict[str, datetime.date] = {}
    for entry in new:
        if isinstance(entry, data.Transaction):
            accounts = [p.account for p in entry.postings]
        elif isinstance(entry, data.Balance):
            accounts = [entry.account]
        else:
            continue
        for account in accounts:
            if account not in opened:
                used[account] = min(entry.date, used.get(account, entry.date))
    # Open with the ledger's first accounts, so an older statement imported later still fits.
    start = min(opened.values(), default=None)
    opens = []
    for account in sorted(used):
        meta = data.new_metadata("<studiofund import>", 0)
        meta["name"] = labels.get(account, account)
        date = min(start, used[account]) if start else used[account]
        opens.append(data.Open(meta, date, account, [CURRENCY], None))
    return opens


def render_plan(plan: ImportPlan) -> str:
    """The Beancount text a plan appends: a comment per statement, then its entries."""
    out: list[str] = []
    if plan.opens:
        out.append("; 导入时新开的科目（待分类支出、银行手续费等需财务人员处理的科目）")
        out += [printer.format_entry(e) for e in plan.opens]
    for result in plan.results:
        if not result.new:
            continue
        dates = [e.date for e in result.new if isinstance(e, data.Transaction)]
        span = f"，{min(dates)} 至 {max(dates)}" if dates else ""
        linked = f"，对上手工分录 {len(result.links)} 笔" if result.links else ""
        out.append(
            f"; 导入 {result.bank} 对账单 {_basename(result.path)}：新增 {result.new_transactions} 笔{span}"
            f"（已有 {result.skipped} 笔跳过{linked}）。标记为 ! 的分录须补全凭证号、发票号和签字后改为 *。"
        )
        out += [printer.format_entry(e) for e in result.new]
    return "\n".join(out)


def link_edits(plan: ImportPlan) -> dict[str, list[tuple[int, str]]]:
    """The metadata lines a plan's links add: file → [(line number of the entry, text)]."""
    edits: dict[str, list[tuple[int, str]]] = {}
    for link in plan.links:
        filename = str(link.entry.meta.get("filename", ""))
        lineno = int(link.entry.meta.get("lineno", 0) or 0)
        edits.setdefault(filename, []).append((lineno, f'  {BANK_REF}: "{_escape(link.key)}"'))
    return edits


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def summary_lines(plan: ImportPlan) -> list[str]:
    """What the import does, for the terminal: a line a statement, then every link and every
    ambiguous line."""
    lines = []
    for r in plan.results:
        bal = next((e for e in r.new if isinstance(e, data.Balance)), None)
        tail = f"，期末余额 {fmt(bal.amount.number)} 元（断言于 {bal.date}）" if bal else ""
        linked = f"，对上手工分录 {len(r.links)} 笔" if r.links else ""
        unsure = f"，待确认 {len(r.ambiguous)} 笔" if r.ambiguous else ""
        lines.append(f"{r.path}（{r.bank}）：{r.lines} 笔流水，新增 {r.new_transactions} 笔，"
                     f"已存在 {r.skipped} 笔{linked}{unsure}{tail}")
        for link in r.links:
            lines.append(f"  对上：{describe_line(link.line)} ⇄ {describe_entry(link.entry)}，"
                         f"该分录加上 bank-ref: \"{link.key}\"")
        for a in r.ambiguous:
            lines.append(f"  待确认：{describe_line(a.line)}（bank-ref {a.key}）可能是以下任一笔，未自动对上，也未新增：")
            lines += [f"    {describe_entry(e)}" for e in a.candidates]
            lines.append(f"    确认后用 --link {a.key}=凭证号 重新导入，或在该分录上加上 bank-ref: \"{a.key}\"。")
    return lines

