"""What the spending standards (开支标准) measure a payment by: ``hours:`` and ``title:`` on a
lecture fee, ``persons:`` and ``days:`` on training, meetings, board and lodging (CONTRACT.md's
metadata). ``record --hours/--title/--persons/--days`` and the desk's fields give them; they are
checked here before anything is planned, so a typo is a clear message (exit 2), not a value the
``over-standard`` rule silently cannot read.

    measures = Measures(hours="4", title="教授")
    measure_meta(policy, "Expenses:LecturerFees", measures)   # [("hours", "4"), ("title", '"正高"')]

A title is written as the standard's own word (``教授`` → ``正高``): the rule, the reports and a
bureau's policy file then agree on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from studiofund.ledger.text import clean_text, quote

from .accounts import BookingUsageError

#: Beyond these a figure is a typing mistake, not a lecture or an event of a studio.
MAX_HOURS = Decimal(500)
MAX_PERSONS = 100_000
MAX_DAYS = 366

_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_UNITS = {"hours": r"(?:学时|课时|小时)", "persons": r"(?:人次|人|名)", "days": r"(?:天|日)"}
_WHAT = {"hours": "学时", "persons": "人数", "days": "天数"}


@dataclass(frozen=True)
class Measures:
    """As the officer typed them (text or numbers); None when not given."""

    hours: str | Decimal | int | None = None
    title: str | None = None
    persons: str | int | None = None
    days: str | int | None = None

    def given(self) -> bool:
        return any(_blank(v) is not None for v in (self.hours, self.title, self.persons, self.days))


def _blank(value):
    if value is None:
        return None
    return value if str(value).strip() else None


def _number(value, key: str, *, integer: bool) -> Decimal | None:
    """``value`` as a positive number (``4``, ``"4.5"``, ``"４学时"``, ``"30人"``); raises
    :class:`BookingUsageError` saying what to write."""
    if _blank(value) is None:
        return None
    what = _WHAT[key]
    text = str(value).strip().translate(_FULLWIDTH)
    text = re.sub(_UNITS[key] + r"$", "", text).strip()
    example = {"hours": "4 或 1.5", "persons": "30", "days": "2"}[key]
    try:
        number = Decimal(text) if re.fullmatch(r"[-+]?\d+(?:\.\d+)?", text) else None
    except InvalidOperation:
        number = None
    if number is None:
        raise BookingUsageError(f"{what}“{value}”不是数字；请填写{'整数' if integer else '数字'}，如 {example}。")
    if number <= 0:
        raise BookingUsageError(f"{what}应大于 0（填写的是 {value}）。")
    if integer and number != number.to_integral_value():
        raise BookingUsageError(f"{what}应为整数（填写的是 {value}）。")
    if not integer and number != round(number, 2):
        raise BookingUsageError(f"学时最多两位小数（填写的是 {value}），如 1.5。")
    limit = {"hours": MAX_HOURS, "persons": MAX_PERSONS, "days": MAX_DAYS}[key]
    if number > limit:
        raise BookingUsageError(f"{what} {value} 不合理（一笔支出最多 {limit}）；请核对是否多输了数字。")
    return number.to_integral_value() if integer else number.normalize()


def _under(account: str, accounts) -> bool:
    return any(account == a or account.startswith(a + ":") for a in accounts)


def _plain(number: Decimal) -> str:
    """A Beancount number literal: ``4``, ``1.5`` (never ``4E+1``)."""
    return f"{number:f}"


def lecture_accounts(policy) -> tuple[str, ...]:
    """The accounts of lecture fees: the standard's, else (no standard) those paying persons."""
    lecture = policy.standards.lecture
    if lecture is not None:
        return tuple(lecture.accounts)
    return tuple(a.account for a in policy.accounts if a.pays_individuals)


def titles(policy) -> tuple[str, ...]:
    """The titles the program's lecture-fee standard knows (its caps), in its order."""
    lecture = policy.standards.lecture
    return tuple(lecture.caps) if lecture is not None else ()


def measure_meta(policy, account: str, measures: Measures | None) -> list[tuple[str, str]]:
    """The metadata lines (key, rendered value) of ``measures`` on a payment to ``account``;
    raises :class:`BookingUsageError` for a value the standards could not read."""
    if measures is None or not measures.given():
        return []
    out: list[tuple[str, str]] = []
    label = policy.label(account)
    hours = _number(measures.hours, "hours", integer=False)
    title_text = clean_text(measures.title) if _blank(measures.title) is not None else None
    if hours is not None or title_text is not None:
        lectures = lecture_accounts(policy)
        if not _under(account, lectures):
            names = "、".join(policy.label(a) for a in lectures) or "讲课费"
            raise BookingUsageError(f"学时和职称只记在讲课费上（{names}）；{label}不按学时和职称计酬，请不要填写。")
    if hours is not None:
        out.append(("hours", _plain(hours)))
    if title_text is not None:
        lecture = policy.standards.lecture
        if lecture is not None:
            title = lecture.title_of(title_text)
            if title is None:
                raise BookingUsageError(
                    f"职称“{title_text}”不在本项目的讲课费标准之列；请填写{'、'.join(lecture.caps)}之一"
                    "（也可写教授、副教授、高级教师、一级教师等，按对应职称计）。")
        else:
            if len(title_text) > 20:
                raise BookingUsageError(f"职称“{title_text}”太长；请写中级、副高、正高或院士。")
            title = title_text
        out.append(("title", quote(title)))
    persons = _number(measures.persons, "persons", integer=True)
    days = _number(measures.days, "days", integer=True)
    daily = policy.standards.daily_for(account)
    if daily is not None and (persons is None) != (days is None):
        missing = "天数" if days is None else "人数"
        raise BookingUsageError(f"{label}按每人每天核对{daily.label}标准：请同时填写人数和天数（缺{missing}）。")
    if persons is not None:
        out.append(("persons", _plain(persons)))
    if days is not None:
        out.append(("days", _plain(days)))
    return out
