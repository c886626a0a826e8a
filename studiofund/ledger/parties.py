"""Who an e-invoice names: comparing organisation names and telling a person from an organisation.

Used by the buyer rule (is the buyer the host school?) and by the e-invoice reader. Names are
compared after NFKC folding (全角 → 半角, so ``（`` and ``(`` agree), without spaces and with one
kind of bracket. Tax ids are told apart by their check characters: the 18-character 统一社会信用代码
(GB 32100-2015) of an organisation, the 18-character 居民身份证号码 (GB 11643-1999) of a person.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

_BRACKETS = str.maketrans({"[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "{": "(", "}": ")"})
#: what a name may hold between its words besides white space (the ideographic space is white space)
_DOTS = str.maketrans("", "", "·•")


def _without_spaces(text: str) -> str:
    return "".join(text.translate(_DOTS).split())


def normalize_name(name: str | None) -> str:
    """A name folded for comparison: NFKC (全角/半角), one kind of bracket, no spaces, case-folded."""
    if not name:
        return ""
    folded = unicodedata.normalize("NFKC", name).translate(_BRACKETS)
    return _without_spaces(folded).casefold()


def same_name(a: str | None, b: str | None) -> bool:
    """Two names that differ only in width, brackets, spaces or case."""
    return bool(normalize_name(a)) and normalize_name(a) == normalize_name(b)


def normalize_tax_id(tax_id: str | None) -> str:
    """A tax id for comparison: NFKC, no spaces, upper case."""
    if not tax_id:
        return ""
    return _without_spaces(unicodedata.normalize("NFKC", tax_id)).upper()


# GB 32100-2015: 18 characters from this alphabet (no I, O, Z, S, V); the last is a check character.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def is_uscc(tax_id: str | None) -> bool:
    """A valid 统一社会信用代码 (its check character agrees)."""
    code = normalize_tax_id(tax_id)
    if len(code) != 18 or any(ch not in _USCC_ALPHABET for ch in code):
        return False
    total = sum(_USCC_ALPHABET.index(ch) * w for ch, w in zip(code[:17], _USCC_WEIGHTS))
    return _USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def is_resident_id(tax_id: str | None) -> bool:
    """A valid 18-digit 居民身份证号码: a real birth date and an agreeing check digit (ISO 7064)."""
    code = normalize_tax_id(tax_id)
    if not re.fullmatch(r"\d{17}[\dX]", code):
        return False
    try:
        born = datetime.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return False
    if not datetime.date(1900, 1, 1) <= born <= datetime.date.today():
        return False
    total = sum(int(ch) * w for ch, w in zip(code[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == code[17]


#: Words that make a name an organisation's (a school, a bureau, a company …), found with ``in``:
#: compiling them as one pattern cost every check 0.0045 G instructions (callgrind), for a rule
#: that reads them only for e-invoices made out to a name without a tax id.
_ORGANISATION_WORDS = (
    "学校", "学院", "大学", "中学", "小学", "幼儿园", "学堂", "教育", "研究", "中心", "局", "委员会", "办公室", "政府",
    "医院", "公司", "集团", "厂", "店", "部", "社", "所", "馆", "站", "院", "会", "处", "室", "队", "行", "园", "协会",
    "基金", "工作室", "事务所", "合作社", "个体工商户",
)
_PERSON_WORDS = {"个人", "自然人", "个人消费者", "个人(消费者)"}


def looks_like_person(name: str | None, tax_id: str | None) -> bool:
    """A buyer who is a natural person: a resident id number as tax id (and no organisation code),
    the name 个人/自然人, or — without any tax id — a short name of two to four Chinese characters
    with no organisation word (张三, 欧阳明华)."""
    folded = normalize_name(name)
    if folded in _PERSON_WORDS:
        return True
    code = normalize_tax_id(tax_id)
    if code:
        return is_resident_id(code) and not is_uscc(code)
    return (bool(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", folded))
            and not any(word in folded for word in _ORGANISATION_WORDS))
