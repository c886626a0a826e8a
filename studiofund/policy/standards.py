"""Spending standards (开支标准): what a lecture hour or a person-day of training or meeting may cost.

Shenzhen's 办法 第三条 says “项目支出标准必须严格执行我市相关规定”; the other programs follow the
same national references. They are policy data, each cap with its source, in
``programs/_standards.toml`` (shared by every bundled program); a bureau's own policy file
overrides a value with the same keys (``[standards.lecture.caps]`` ``"正高" = "800.00"``).

* **lecture fees** — per 学时 (teaching hour), by the lecturer's title, after tax
  (《中央和国家机关培训费管理办法》（财行〔2016〕540号）第十条: 副高 500, 正高 1,000, 院士/全国知名专家
  1,500; many local rules add 中级 300). A payment carries ``hours:`` and ``title:``;
* **training** and **meetings** — per person-day, all-in (住宿、伙食、场地资料交通、其他), by the
  event's class (第九条 of the training rules; 第十二条 of 《中央和国家机关会议费管理办法》). A studio's
  events are those of its members (teachers, principals: 处级及以下) — the policy names the class that
  applies and why. A payment carries ``persons:`` and ``days:``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal

from .fields import STRICT, Frozen, check, check_account


def _check_caps(caps: dict[str, Decimal], field_name: str) -> None:
    check(bool(caps), field_name, "至少需要一个标准上限")
    for name, cap in caps.items():
        check(bool(name.strip()), field_name, "标准上限需要名称（职称或类别）")
        check(cap > 0, f"{field_name}.{name}", f"标准上限应为正数（现为 {cap}）")


@dataclass(kw_only=True, eq=False, repr=False)
class LectureFeeStandard(Frozen):
    """The cap on a lecture fee per 学时, by the lecturer's title."""

    __pydantic_config__ = STRICT

    #: the document (and clause) that sets the caps
    source: str
    #: title → the most a 学时 may earn (CNY)
    caps: dict[str, Decimal]
    #: other words for a title (教授 → 正高), so ``title: "教授"`` is understood
    aliases: dict[str, str] = field(default_factory=dict)
    #: the caps are after tax (税后): the fee net of the tax withheld is compared
    after_tax: bool = True
    #: the accounts whose payments are lecture fees
    accounts: tuple[str, ...] = ("Expenses:LecturerFees",)

    def __post_init__(self) -> None:
        check(bool(self.source.strip()), "source", "请写明标准出自的文件和条款")
        _check_caps(self.caps, "caps")
        for alias, title in self.aliases.items():
            check(title in self.caps, f"aliases.{alias}",
                  f"{title!r} 不是 [caps] 中的职称（{'、'.join(self.caps)}）")
        for account in self.accounts:
            check_account(account, "accounts")

    @functools.cached_property
    def lowest(self) -> Decimal:
        """The lowest cap: a fee at or below it per 学时 passes whatever the title."""
        return min(self.caps.values())

    def title_of(self, text: str) -> str | None:
        """The title of ``caps`` that ``text`` names (itself or an alias), or None."""
        text = text.strip()
        if text in self.caps:
            return text
        return self.aliases.get(text)

    def cap(self, title: str) -> Decimal | None:
        found = self.title_of(title)
        return None if found is None else self.caps[found]


@dataclass(kw_only=True, eq=False, repr=False)
class DailyStandard(Frozen):
    """The all-in cap per person-day of an event (training, meeting), by its class."""

    __pydantic_config__ = STRICT

    #: what the standard is for, in Chinese (培训费, 会议费) — shown in findings
    label: str
    #: the document (and clause) that sets the caps
    source: str
    #: class → the most a person-day may cost (CNY)
    caps: dict[str, Decimal]
    #: the class that applies to this program's events
    applies: str
    #: why that class applies (who takes part), shown with the finding
    why: str = ""
    #: the accounts whose payments with ``persons:`` and ``days:`` are measured against it
    accounts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check(bool(self.source.strip()), "source", "请写明标准出自的文件和条款")
        _check_caps(self.caps, "caps")
        check(self.applies in self.caps, "applies",
              f"{self.applies!r} 不是 [caps] 中的类别（{'、'.join(self.caps)}）")
        check(bool(self.accounts), "accounts", "请写明本标准适用的科目")
        for account in self.accounts:
            check_account(account, "accounts")

    @property
    def cap(self) -> Decimal:
        return self.caps[self.applies]


@dataclass(kw_only=True, eq=False, repr=False)
class SpendingStandards(Frozen):
    """The spending standards a program follows (``[standards]``); a missing one is not checked."""

    __pydantic_config__ = STRICT

    lecture: LectureFeeStandard | None = None
    training: DailyStandard | None = None
    meeting: DailyStandard | None = None

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for name in ("training", "meeting"):
            standard = getattr(self, name)
            for account in standard.accounts if standard else ():
                check(account not in seen, f"{name}.accounts",
                      f"{account} 已由 [standards.{seen.get(account)}] 计量")
                seen[account] = name

    def daily(self) -> tuple[DailyStandard, ...]:
        return tuple(s for s in (self.training, self.meeting) if s is not None)

    def daily_for(self, account: str) -> DailyStandard | None:
        """The per-person-day standard of ``account`` (or of the account it is a sub-account of)."""
        for standard in self.daily():
            for measured in standard.accounts:
                if account == measured or account.startswith(measured + ":"):
                    return standard
        return None

