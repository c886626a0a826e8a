"""记账 — the finance officer's desk: one payment at a time, checked before it is written.

A Fava extension page with a form a 用友 user knows (日期, 收款方, 摘要, 支出科目, 金额, 凭证号,
发票号码, 附件, 主持人签字, 审核人签字, and for a person 身份证号 with the computed tax). As the
officer types, ``POST …/extension/Booking/preview`` answers the findings the payment would bring
(against the ledger Fava has loaded: fast); ``error`` findings block saving with the reason and
what to do. ``POST …/extension/Booking/book`` is CONTRACT.md's JSON endpoint: the body's keys are
``studiofund record``'s long option names (``invoice`` a list, amounts decimal strings,
``attach`` a list of ``{"name", "content"}`` with the scan base64-encoded), the answer is
``record --format json`` (each finding also ``advice``, what to do, and ``shown``, its message in
the officer's words: :func:`officer_words`): 200 written, 422 refused, 400 bad input, 403 for auditors. Saving goes
through :func:`studiofund.booking.record.record` — the writer's lock, a full reload, every check.

Every route of the desk lies under ``/<slug>/extension/Booking/``; requests with a JSON body
only, and a request whose ``Origin`` names another host is refused.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from beancount.core import data
from beancount.parser import parser
from fava.ext import FavaExtensionBase, extension_endpoint
from flask import jsonify, request

from studiofund.booking.accounts import BookingUsageError
from studiofund.checks.registry import label as rule_label
from studiofund.booking.attachments import Attachment
from studiofund.booking.complete import Completion, complete, completion_payment, direct_account, find_pending
from studiofund.booking.corrections import Correction, correct as correct_voucher
from studiofund.booking.einvoice import EInvoiceMismatch, apply_einvoice
from studiofund.booking.measures import Measures, lecture_accounts, titles
from studiofund.booking.pending import pending_entries
from studiofund.booking.preview import loaded_from_fava, preview_payment
from studiofund.booking.record import Payment, record
from studiofund.ledger.meta import next_voucher
from studiofund.booking.tax import net_of
from studiofund.ledger.writer import LedgerBusyError, LedgerWriteError
from studiofund.money import fmt, parse_amount
from studiofund.policy.models import BASE_ACCOUNTS, EXPENSE_ACCOUNTS
from studiofund.web.scope import current_access

#: The body keys of ``book`` and ``preview`` (``record``'s long option names).
TEXT_KEYS = ("date", "payee", "narration", "account", "amount", "voucher", "approver", "reviewer",
             "payee-id", "tax", "asset-id", "complete", "corrects", "hours", "title", "persons", "days")
KNOWN_KEYS = frozenset((*TEXT_KEYS, "invoice", "attach", "einvoice", "dry-run", "format"))
#: The body keys of ``correct`` (``studiofund correct``'s options; ``corrects`` the voucher put right).
CORRECT_KEYS = frozenset(("corrects", "how", "date", "amount", "voucher", "payee", "narration", "dry-run"))
#: Options of ``record`` that later work adds.
NOT_YET: dict[str, str] = {}
MAX_BODY = 30 * 1024 * 1024


def _texts(body: dict[str, Any]) -> dict[str, str | None]:
    """The body's :data:`TEXT_KEYS` as stripped text (None when absent or blank)."""
    values: dict[str, str | None] = {}
    for key in TEXT_KEYS:
        value = body.get(key)
        if value is not None and not isinstance(value, (str, int, float)):
            raise BookingUsageError(f"字段 {key} 应为文字。")
        values[key] = None if value is None else str(value).strip() or None
    return values


class DeskError(Exception):
    """A request the desk answers with ``status`` and a Chinese message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Booking(FavaExtensionBase):
    """记账 — book a payment from the dedicated account."""

    report_title = "记账"
    has_js_module = True

    def __init__(self, ledger, config=None) -> None:
        super().__init__(ledger, config)
        self._loaded: tuple[int, Any] | None = None

    # -- what the page shows --------------------------------------------------------------------
    def loaded(self):
        """The studio ledger of Fava's current load (kept until Fava loads the file again)."""

        key = id(self.ledger.all_entries)
        if self._loaded is None or self._loaded[0] != key:
            self._loaded = (key, loaded_from_fava(self.ledger))
        return self._loaded[1]

    def may_book(self) -> bool:

        access = current_access()
        return access is None or not access.read_only

    def desk(self) -> dict[str, Any]:
        """The form's choices: the program's categories, what it demands, the next voucher."""

        loaded = self.loaded()
        policy = loaded.policy
        lectures = lecture_accounts(policy) if policy is not None else ()
        today = datetime.date.today()
        if policy is None:
            return {"usable": False, "why": (loaded.config_errors[0].message if loaded.config_errors
                                              else "账簿没有工作室声明或项目策略。")}
        return {
            "usable": True,
            "studio": loaded.studio.name,
            "program": policy.name,
            "today": today.isoformat(),
            "next_voucher": next_voucher(loaded.entries, today.year),
            "dual_signoff": policy.dual_signoff,
            "asset_threshold": str(policy.asset_threshold),
            "accounts": [{"account": a.account, "label": a.label, "person": a.pays_individuals,
                          "asset": any(a.account == x or a.account.startswith(x + ":") for x in policy.asset_accounts),
                          # what the spending standards measure it by: hours and title, persons and days
                          "lecture": _under(a.account, lectures),
                          "daily": policy.standards.daily_for(a.account) is not None}
                         for a in policy.accounts],
            "titles": [{"title": t, "cap": f"{policy.standards.lecture.caps[t]:,.0f}"} for t in titles(policy)],
            "pending": [p.to_json() for p in pending_entries(loaded.entries, loaded.findings)],
            "to_correct": _to_correct(loaded),
        }

    # -- endpoints ----------------------------------------------------------------------------------
    @extension_endpoint("form")
    def form(self) -> Any:
        return self._answer(lambda: (self.desk(), 200))

    @extension_endpoint("pending")
    def pending(self) -> Any:

        loaded = self.loaded()
        return self._answer(lambda: ({"pending": [p.to_json() for p in pending_entries(loaded.entries, loaded.findings)]},
                                     200))

    @extension_endpoint("preview", ["POST"])
    def preview(self) -> Any:
        return self._answer(self._preview, write=True)

    @extension_endpoint("book", ["POST"])
    def book(self) -> Any:
        return self._answer(self._book, write=True)

    @extension_endpoint("correct", ["POST"])
    def correct(self) -> Any:
        """冲销/整改 of a booked voucher (``studiofund correct``): 200 written, 422 refused."""
        return self._answer(self._correct, write=True)

    # -- the work -----------------------------------------------------------------------------------
    def _preview(self) -> tuple[dict[str, Any], int]:

        body = self._body()
        replaces = None
        if body.get("complete"):
            pending = find_pending(self.loaded(), str(body["complete"]))
            completion = self._completion(body, attachments=False)
            direct = direct_account(self.loaded().policy, completion.account, pending, completion.corrects)
            if direct is not None:  # an income, a liability, a refund: nothing to preview but the lines
                policy = self.loaded().policy
                bank = -pending.amount
                return {"voucher": completion.voucher or pending.voucher or next_voucher(
                            self.loaded().entries, pending.date.year),
                        "account": direct, "label": policy.label(direct), "blocked": False, "findings": [],
                        "tax": None, "lines": [
                            {"side": "借" if bank > 0 else "贷", "label": "专户", "amount": fmt(abs(bank))},
                            {"side": "贷" if bank > 0 else "借", "label": policy.label(direct), "amount": fmt(abs(bank))}]}, 200
            payment = completion_payment(pending, completion, self.loaded().policy)
            replaces = pending.entry
        else:
            payment = self._payment(body, attachments=False)
        result = preview_payment(self.loaded(), payment, replaces=replaces)
        booking = result.booking
        policy = self.loaded().policy
        answer = {
            "voucher": booking.voucher,
            "account": booking.account,
            "label": policy.label(booking.account),
            "blocked": result.refused,
            "findings": [_finding_json(f, policy) for f in result.findings],
            "tax": _tax_json(booking),
            "lines": _voucher_lines(booking, policy, payment),
        }
        if body.get("einvoice"):  # what the e-invoice filled in, for the form to show
            answer["einvoice"] = {"date": payment.date.isoformat(), "payee": payment.payee,
                                  "amount": fmt(payment.amount), "invoice": list(payment.invoices)}
        return answer, 200

    def _book(self) -> tuple[dict[str, Any], int]:

        body = self._body()
        try:
            if body.get("complete"):
                result = complete(self.ledger.beancount_file_path, self._completion(body, attachments=True),
                                  dry_run=bool(body.get("dry-run")), timeout=20, load=getattr(self.ledger, "writer_load", None))
            else:
                payment = self._payment(body, attachments=True)
                result = record(self.ledger.beancount_file_path, payment, dry_run=bool(body.get("dry-run")),
                                timeout=20, load=getattr(self.ledger, "writer_load", None))  # confined on the server
        except LedgerBusyError as exc:
            raise DeskError(503, str(exc)) from None
        except LedgerWriteError as exc:
            raise DeskError(500, str(exc)) from None
        answer = result.to_json()
        policy = self.loaded().policy
        answer["filename"] = _shown_path(answer["filename"], self.ledger.beancount_file_path)
        for item, finding in zip(answer["findings"], result.findings):
            item["filename"] = _shown_path(item["filename"], self.ledger.beancount_file_path)
            item["advice"] = ADVICE.get(finding.rule, "")
            item["shown"] = officer_words(item["message"], policy, finding.rule)  # record's message stays
        answer["lines"] = _voucher_lines_from_result(result, policy)
        return answer, (422 if result.refused and not result.written else 200)

    def _correct(self) -> tuple[dict[str, Any], int]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise DeskError(400, "请求内容不是 JSON 对象。")
        unknown = sorted(k for k in body if k not in CORRECT_KEYS)
        if unknown:
            raise DeskError(400, f"未知的字段：{'、'.join(unknown)}；可用字段：{'、'.join(sorted(CORRECT_KEYS))}。")
        values = {k: (str(v).strip() if v is not None else None) for k, v in body.items() if k != "dry-run"}
        if not values.get("corrects") or not values.get("how"):
            raise BookingUsageError("请填写要整改的凭证号（corrects）和整改方式（how）。")
        try:
            date = datetime.date.fromisoformat(values.get("date") or datetime.date.today().isoformat())
        except ValueError:
            raise BookingUsageError(f"日期“{values.get('date')}”应为 YYYY-MM-DD。") from None
        try:
            amount = parse_amount(values["amount"]) if values.get("amount") else None
        except ValueError as exc:
            raise BookingUsageError(str(exc)) from None
        correction = Correction(voucher=values["corrects"], how=values["how"], date=date, amount=amount,
                                new_voucher=values.get("voucher") or None, payee=values.get("payee") or None,
                                narration=values.get("narration") or None)
        try:
            result = correct_voucher(self.ledger.beancount_file_path, correction, dry_run=bool(body.get("dry-run")),
                                     timeout=20, load=getattr(self.ledger, "writer_load", None))
        except LedgerBusyError as exc:
            raise DeskError(503, str(exc)) from None
        except LedgerWriteError as exc:
            raise DeskError(500, str(exc)) from None
        answer = result.to_json()
        answer["filename"] = _shown_path(answer["filename"], self.ledger.beancount_file_path)
        for item in (*answer["findings"], *answer["corrected"]):
            item["filename"] = _shown_path(item["filename"], self.ledger.beancount_file_path)
            item["shown"] = officer_words(item.get("message", ""), self.loaded().policy, item.get("rule"))
        answer["rebook"] = _rebook(self.loaded(), values["corrects"]) if values["how"] == "reverse" else None
        return answer, (422 if result.refused else 200)

    def _answer(self, work, write: bool = False) -> Any:


        try:
            if write:
                self._guard()
            payload, status = work()
        except DeskError as exc:
            payload, status = {"error": officer_words(str(exc), self._policy())}, exc.status
        except BookingUsageError as exc:
            payload, status = {"error": officer_words(str(exc), self._policy())}, 400
        response = jsonify(payload)
        response.status_code = status
        response.headers["Cache-Control"] = "no-store"
        return response

    def _policy(self):
        try:
            return self.loaded().policy
        except Exception:  # noqa: BLE001 - only the wording of a message depends on it
            return None

    def _guard(self) -> None:
        """Officers only; a JSON body from this site only."""

        if not self.may_book():
            raise DeskError(403, "审计人员为只读权限：不能记账。")
        origin = request.headers.get("Origin")
        if origin is not None and (origin == "null" or urlsplit(origin).netloc != request.host):
            raise DeskError(403, "拒绝来自其他网站的请求。")
        if request.headers.get("Sec-Fetch-Site") == "cross-site":
            raise DeskError(403, "拒绝来自其他网站的请求。")
        if not request.is_json:
            raise DeskError(415, "请以 JSON 提交（Content-Type: application/json）。")
        if (request.content_length or 0) > MAX_BODY:
            raise DeskError(413, "提交的内容太大（附件合计不超过 20 MB）。")

    def _body(self) -> dict[str, Any]:

        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise DeskError(400, "请求内容不是 JSON 对象。")
        later = [k for k in body if k in NOT_YET]
        if later:
            raise DeskError(400, f"本记账台暂不支持 {later[0]}（{NOT_YET[later[0]]}）。")
        unknown = sorted(k for k in body if k not in KNOWN_KEYS)
        if unknown:
            raise DeskError(400, f"未知的字段：{'、'.join(unknown)}；可用字段：{'、'.join(sorted(KNOWN_KEYS))}。")
        return body

    def _payment(self, body: dict[str, Any], *, attachments: bool):

        values = _texts(body)
        einvoice = _einvoice(body.get("einvoice"))  # it fills date, payee and amount
        for key, label in (("date", "日期"), ("payee", "收款方"), ("narration", "摘要"), ("account", "支出科目"),
                           ("amount", "金额")):
            if not values[key] and not (einvoice and key in ("date", "payee", "amount")):
                raise BookingUsageError(f"请填写{label}。")
        date = amount = None
        if values["date"]:
            try:
                date = datetime.date.fromisoformat(values["date"])
            except ValueError:
                raise BookingUsageError(f"日期“{values['date']}”应为 YYYY-MM-DD。") from None
        if values["amount"]:
            try:
                amount = parse_amount(values["amount"])
            except ValueError as exc:
                raise BookingUsageError(str(exc)) from None
            raw_amount = values["amount"].replace(",", "")
            try:
                if Decimal(raw_amount) != amount:
                    raise BookingUsageError(f"金额 {values['amount']} 最多两位小数（精确到分）。")
            except ArithmeticError:
                pass
        invoices = body.get("invoice") or []
        if isinstance(invoices, str):
            invoices = [invoices]
        if not isinstance(invoices, list) or not all(isinstance(i, str) for i in invoices):
            raise BookingUsageError("invoice 应为发票号码的列表。")
        scans = []
        raw = body.get("attach") or []
        if not isinstance(raw, list):
            raise BookingUsageError("attach 应为附件列表（每项含 name 和 base64 编码的 content）。")
        for item in raw:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str) \
                    or not isinstance(item.get("content"), str):
                raise BookingUsageError("attach 的每一项应含 name 和 base64 编码的 content。")
            if attachments:
                try:
                    content = base64.b64decode(item["content"], validate=True)
                except (binascii.Error, ValueError):
                    raise BookingUsageError(f"附件“{item['name']}”的内容不是有效的 base64 编码。") from None
                scans.append(Attachment(item["name"], content))
        payment = Payment(
            date=date, payee=values["payee"] or ("" if einvoice is None else None),
            narration=values["narration"] or "",
            account=values["account"] or "", amount=amount, voucher=values["voucher"],
            invoices=tuple(i for i in invoices if i.strip()), approver=values["approver"],
            reviewer=values["reviewer"], payee_id=values["payee-id"], tax=values["tax"],
            asset_id=values["asset-id"], attachments=tuple(scans), corrects=values["corrects"],
            measures=_measures(values),
        )
        if einvoice is None:
            return payment
        try:
            payment, _ = apply_einvoice(payment, einvoice)
        except EInvoiceMismatch as exc:  # refused, as a finding would be: nothing written
            raise DeskError(422, str(exc)) from None
        if not attachments:  # a preview keeps no scan
            payment = dataclasses.replace(payment, attachments=())
        return payment

    def _completion(self, body: dict[str, Any], *, attachments: bool) -> Completion:
        """A pending entry's completion (``complete``: its bank-ref or voucher): the account and
        the papers from the body; date and amount stay the bank's."""
        values = _texts(body)
        if not values["account"]:
            raise BookingUsageError("请选择科目。")
        if body.get("einvoice"):
            raise BookingUsageError("补全时请填写发票号码并附上发票文件（不能同时用电子发票填写）。")
        shell = dict(body, date="2000-01-01", payee="-", narration="-", amount="1", account=values["account"])
        papers = self._payment(shell, attachments=attachments)  # the invoices and scans, checked the same way
        return Completion(ref=values["complete"] or "", account=values["account"] or "", voucher=values["voucher"],
                          invoices=papers.invoices, approver=values["approver"], reviewer=values["reviewer"],
                          payee_id=values["payee-id"], tax=values["tax"], asset_id=values["asset-id"],
                          attachments=papers.attachments, payee=values["payee"], narration=values["narration"],
                          corrects=values["corrects"], measures=_measures(values))


def _measures(values: dict[str, str | None]) -> Measures:
    """The form's 学时, 职称, 人数, 天数 (checked by the booking, as ``record``'s options are)."""
    return Measures(hours=values["hours"], title=values["title"], persons=values["persons"], days=values["days"])


def _under(account: str, accounts) -> bool:
    return any(account == a or account.startswith(a + ":") for a in accounts)


def _einvoice(item: Any) -> Attachment | None:
    """The desk's uploaded e-invoice: ``{"name", "content"}`` with the file base64-encoded."""
    if item is None:
        return None
    if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not isinstance(item.get("content"), str):
        raise BookingUsageError("einvoice 应含 name 和 base64 编码的 content（电子发票的 XML 或 OFD 文件）。")
    try:
        content = base64.b64decode(item["content"], validate=True)
    except (binascii.Error, ValueError):
        raise BookingUsageError(f"电子发票“{item['name']}”的内容不是有效的 base64 编码。") from None
    return Attachment(item["name"], content)

# -- answers -------------------------------------------------------------------------------------------

#: What to do about each kind of finding, for the desk's message under the form.
ADVICE = {
    "missing-signoff": "请主持人和审核人（法定代表人）签字后，填写两人的姓名。",
    "missing-invoice": "请填写发票号码（多张发票逐张添加）。",
    "duplicate-invoice": "这张发票已经报销过：请核对发票，不能重复报销。",
    "duplicate-voucher": "凭证号已被使用：请清空凭证号使用系统建议的号码。",
    "category-not-permitted": "请改选本项目允许的支出科目。",
    "asset-unregistered": "请先在学校国有资产账登记，再填写资产编号。",
    "payee-undocumented": "请填写收款人身份证号，并计算代扣个人所得税。",
    "overdraft": "专户余额不足：请核对拨款是否已到账并入账。",
    "sealed-period-changed": "该年度已封账：请改用本年度日期，或由负责人重新开账。",
    "after-disqualification": "工作室已被撤销，不能再列支经费。",
    "three-public": "三公经费不得由专项经费列支。",
    "personal-consumption": "个人消费不得由专项经费列支。",
    "school-operating-cost": "学校公用经费不得由专项经费列支。",
    "over-standard": "请核对学时和职称（讲课费）或人数和天数（培训、会议、食宿）；超过开支标准的部分不得列支，"
                     "请按标准核减金额。",
    "tax-withholding": "请按劳务报酬公式代扣个人所得税（选择支付给个人的科目时自动计算）。",
    "invoice-buyer-mismatch": "发票的购买方应为主持人所在学校：请重开发票。",
    "beancount": "请核对日期和金额。",
}


def _finding_json(finding, policy=None) -> dict[str, Any]:
    out = finding.to_json()
    out["advice"] = ADVICE.get(finding.rule, "")
    out["shown"] = officer_words(out["message"], policy, finding.rule)  # what the desk shows
    return out


# -- the officer's words --------------------------------------------------------------------------------
# Findings and messages are written for every reader (bean-check, the CLI, the auditor); the desk's
# officer reads them without the ledger's syntax: accounts by their Chinese names, metadata keys by
# the form's field names, amounts in 元, the rule by its Chinese label.

_ACCOUNT = re.compile(r"(?<![A-Za-z:])(?:Assets|Liabilities|Equity|Income|Expenses)(?::[A-Z][A-Za-z0-9-]*)+")
#: metadata key → the field of the form (CONTRACT.md's metadata)
FIELD_WORDS = {
    "voucher": "凭证号", "invoice": "发票号码", "approver": "主持人签字", "reviewer": "审核人签字",
    "payee-id": "身份证号", "tax-withheld": "代扣个税", "asset-id": "资产编号", "bank-ref": "银行流水号",
    "reviewed": "复核意见", "hours": "学时", "title": "职称", "persons": "人数", "days": "天数",
    "corrects": "所更正的凭证号", "document": "附件", "invoice-items": "发票项目", "invoice-buyer": "购买方",
}
_KEY = "|".join(sorted(map(re.escape, FIELD_WORDS), key=len, reverse=True))
_OPTION = re.compile(r"\s*[（(]--[a-z-]+[）)]")
_OPTION_WORDS = {"--tax": "代扣个税", "--amount": "金额", "--corrects": "更正凭证号", "--payee": "收款方",
                 "--narration": "摘要", "--date": "日期", "--invoice": "发票号码", "--attach": "附件",
                 "--payee-id": "身份证号", "--asset-id": "资产编号", "--voucher": "凭证号"}


def officer_words(text: str, policy=None, rule: str | None = None) -> str:
    """``text`` as the desk shows it: no account names, metadata keys, CNY or rule ids."""
    if not text:
        return text

    def name(account: str) -> str:
        if policy is not None:
            return policy.label(account)
        return BASE_ACCOUNTS.get(account) or EXPENSE_ACCOUNTS.get(account) or "科目"

    if rule:
        text = text.replace(f"·{rule}】", f"·{rule_label(rule)}】")
    text = re.sub(r"·([a-z]+(?:-[a-z]+)+)】", lambda m: f"·{rule_label(m.group(1))}】", text)
    # 学习培训费（Expenses:Training） / Expenses:Training（学习培训费） / Expenses:Training
    text = re.sub(r"\s*[（(]" + _ACCOUNT.pattern + r"[）)]", "", text)
    text = re.sub("(" + _ACCOUNT.pattern + r")[（(][^）)]*[）)]", lambda m: name(m.group(1)), text)
    text = _ACCOUNT.sub(lambda m: name(m.group(0)), text)
    text = re.sub(r"(-?\d[\d,]*(?:\.\d+)?) ?CNY(?![A-Za-z])", r"\1 元", text)
    # where in the ledger's files (the server's paths): the voucher says it
    text = re.sub(r"[，,]?\s*[^\s（()）,，]*\.(?:beancount|bean)(?::\d+)?", "", text)
    text = re.sub(r"\s*[（(]custom\s+\"[^\"]*\"[）)]", "", text)
    text = text.replace("（）", "").replace("()", "")
    # asset-id: "资产编号" → 资产编号; reviewed: "批准文号" → 复核意见“批准文号”
    text = re.sub(r"(?<![A-Za-z-])(" + _KEY + r"):\s*\"([^\"]*)\"",
                  lambda m: FIELD_WORDS[m.group(1)] + ("" if m.group(2) == FIELD_WORDS[m.group(1)] else f"“{m.group(2)}”"),
                  text)
    # 学时 hours: → 学时; （hours:） → ''; title: → 职称
    for key, word in FIELD_WORDS.items():
        text = re.sub(re.escape(word) + r"\s*" + re.escape(key) + r":?(?![A-Za-z-])", word, text)
    text = re.sub(r"\s*[（(](?:" + _KEY + r"):?[）)]", "", text)
    text = re.sub(r"(?<![A-Za-z-])(" + _KEY + r"):\s?", lambda m: FIELD_WORDS[m.group(1)], text)
    # 签字 reviewer → 签字: a key named after the words that say it
    text = re.sub(r"(?<=[\u4e00-\u9fff）)]) (?:" + _KEY + r")(?![A-Za-z:-])", "", text)
    text = _OPTION.sub("", text)
    text = re.sub(r"(?<![A-Za-z-])--[a-z]+(?:-[a-z]+)*", lambda m: _OPTION_WORDS.get(m.group(0), m.group(0)), text)
    return text


def _tax_json(booking) -> dict[str, Any] | None:
    if booking.tax is None:
        return None

    return {"withheld": fmt(booking.tax_amount), "computed": fmt(booking.tax.tax),
            "taxable": fmt(booking.tax.taxable), "net": fmt(net_of(booking.tax, booking.tax_amount)),
            "explanation": booking.tax.explain()}


def _voucher_lines(booking, policy, payment) -> list[dict[str, str]]:
    """The entry as a 记账凭证's lines: 借 the category, 贷 the tax owed and the 专户."""

    amount = payment.amount
    tax = booking.tax_amount or 0
    lines = [{"side": "借", "label": policy.label(booking.account), "amount": fmt(amount)}]
    if tax:
        lines.append({"side": "贷", "label": "应交个人所得税", "amount": fmt(tax)})
    lines.append({"side": "贷", "label": "专户", "amount": fmt(amount - tax)})
    return lines


def _voucher_lines_from_result(result, policy) -> list[dict[str, str]]:

    entries, _, _ = parser.parse_string(result.entry)
    lines = []
    for entry in entries:
        for posting in getattr(entry, "postings", ()):
            number = posting.units.number
            label = "专户" if posting.account == "Assets:Bank:Dedicated" else policy.label(posting.account)
            lines.append({"side": "借" if number > 0 else "贷", "label": label, "amount": f"{abs(number):.2f}"})
    return lines


def _to_correct(loaded) -> list[dict[str, Any]]:
    """The booked payments with an open violation (整改 to do), newest first."""
    found: dict[str, dict[str, Any]] = {}
    for f in loaded.findings:
        entry = f.entry
        if not (f.is_open and f.severity == "error" and f.voucher and type(entry) is data.Transaction):
            continue
        if entry.flag == "!":
            continue  # a pending entry is completed, not corrected
        if not any(p.account.startswith("Expenses:") and p.units is not None and p.units.number > 0
                   for p in entry.postings):
            continue  # no spending to take back (a grant short of its matching): nothing to correct
        item = found.setdefault(f.voucher, {
            "voucher": f.voucher, "date": entry.date.isoformat(), "payee": entry.payee or "",
            "narration": entry.narration or "", "rules": [],
            "amount": fmt(sum((p.units.number for p in entry.postings
                               if p.account.startswith("Expenses:") and p.units is not None and p.units.number > 0),
                              Decimal(0)))})
        name = rule_label(f.rule)
        if name not in item["rules"]:
            item["rules"].append(name)
    return sorted(found.values(), key=lambda i: (i["date"], i["voucher"]), reverse=True)


def _rebook(loaded, voucher: str) -> dict[str, Any] | None:
    """The reversed voucher's fields, for the form to book it again (``corrects`` set)."""
    entry = next((e for e in loaded.entries if type(e) is data.Transaction
                  and str((e.meta or {}).get("voucher", "")) == voucher), None)
    if entry is None:
        return None
    expenses = [p for p in entry.postings if p.account.startswith("Expenses:") and p.units is not None]
    if not expenses:
        return None
    main = max(expenses, key=lambda p: p.units.number)
    return {"corrects": voucher, "payee": entry.payee or "", "narration": entry.narration or "",
            "account": main.account, "amount": fmt(sum((p.units.number for p in expenses), Decimal(0))),
            "date": datetime.date.today().isoformat()}


def _shown_path(filename: str, ledger_path: str) -> str:
    """Paths in answers: relative to the ledger's folder (the server's layout is not the web's)."""

    if not filename:
        return filename
    try:
        return str(Path(filename).resolve().relative_to(Path(ledger_path).resolve().parent))
    except ValueError:
        return Path(filename).name
