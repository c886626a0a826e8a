"""Reading fully digital e-invoices (数电票): the XML file, or an OFD file that carries it.

The XML follows the Ministry of Finance's 电子凭证会计数据标准 for 全面数字化的电子发票. Its
elements, as public samples and parsers spell them (docs/einvoice.md names the sources)::

    EInvoice
      Header/EIid                       电子发票标识 (= the 20-digit invoice number)
      Header/EInvoiceTag, Version
      Header/InherentLabel/InIssuType/LabelCode      Y 蓝字发票, N 红字发票 (是否蓝字发票标志)
      Header/InherentLabel/EInvoiceType, GeneralOrSpecialVAT   票种 (电子发票 / 普通发票 …)
      EInvoiceData/SellerInformation/SellerIdNum, SellerName
      EInvoiceData/BuyerInformation/BuyerIdNum, BuyerName
      EInvoiceData/BasicInformation/TotalAmWithoutTax, TotalTaxAm, TotalTax-includedAmount,
                                    RequestTime
      EInvoiceData/IssuItemInformation (repeated)/ItemName, SpecMod, MeaUnits, Quantity, UnPrice,
                                    Amount, TaxRate, ComTaxAm, TotaltaxIncludedAmount,
                                    TaxClassificationCode
      EInvoiceData/SpecificInformation/RedEInvoice/OriginalInvoiceCode   the blue number a red
                                    invoice cancels (and CreditNoteNumber, 红字确认单编号)
      EInvoiceData/AdditionalInformation/Remark      备注; a red invoice's says
                                    「被红冲蓝字数电票号码：…」
      TaxSupervisionInfo/InvoiceNumber, IssueTime, TaxBureauCode, TaxBureauName

Element names are matched by local name, so a namespace (or the ``ofd:ObjectData`` wrapper some
issuers put inside each element) does not matter. A red invoice's amounts are negative as printed.

An OFD file is a zip (GB/T 33190): ``OFD.xml`` → ``DocBody/DocRoot`` → ``Document.xml`` →
``Attachments`` → each ``Attachment/FileLoc``. Issuers that embed the invoice data attach it
there (often ``Doc_0/Attachs/…xml``); the reader looks at the attachments first, then at every
other XML member, for an ``EInvoice`` with a number. Many OFDs carry only the printed page and a
few ``CustomData`` values; for those the error says so and names the number they show.

Untrusted input: XML is parsed with defusedxml (no DTD, no entities), files and zip members are
size-limited, and every problem is an :class:`EInvoiceError` naming the file — in Chinese.
"""

from __future__ import annotations

import datetime
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterator, Literal
from xml.etree.ElementTree import Element, ParseError

from studiofund.files import read_source
from studiofund.ledger.meta import format_invoice_items, item_category
from studiofund.policy.taxcodes import category_of_code

#: Larger files are refused: a real e-invoice XML is a few kilobytes, an OFD well under a megabyte.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: An OFD member read for invoice data may not unpack to more than this (zip bombs).
MAX_MEMBER_BYTES = 5 * 1024 * 1024
MAX_MEMBERS = 5000

CENT = Decimal("0.01")

Kind = Literal["blue", "red"]


class EInvoiceError(Exception):
    """An e-invoice file that cannot be read: which file, what is wrong, what to do."""

    def __init__(self, source: str, problem: str):
        self.source = source
        self.problem = problem
        super().__init__(f"电子发票 {source}：{problem}")


@dataclass(frozen=True)
class Party:
    """The seller or the buyer: name and tax id (统一社会信用代码/纳税人识别号), as printed."""

    name: str
    tax_id: str | None


@dataclass(frozen=True)
class Item:
    """One 开票项目."""

    name: str  #: 项目名称 as printed, e.g. ``*餐饮服务*餐费``
    category: str | None  #: the short name between the asterisks, else by the tax code's prefix
    code: str | None  #: 税收分类编码 (19 digits)
    quantity: Decimal | None
    unit: str | None
    unit_price: Decimal | None
    amount: Decimal  #: 金额 without tax
    tax_rate: Decimal | str | None  #: a fraction (0.06), or the printed words (免税, 不征税)
    tax: Decimal
    total: Decimal  #: 价税合计 of the item


@dataclass(frozen=True)
class EInvoice:
    """A 数电票 as read from its XML."""

    number: str  #: 发票号码 (20 digits)
    date: datetime.date  #: 开票日期
    kind: Kind  #: blue (蓝字) or red (红字)
    original_number: str | None  #: the blue invoice a red one cancels
    seller: Party
    buyer: Party
    items: tuple[Item, ...]
    amount: Decimal  #: 合计金额 without tax
    tax: Decimal  #: 合计税额
    total: Decimal  #: 价税合计
    remark: str | None = None  #: 备注
    source: str = ""  #: the file it was read from

    def to_json(self) -> dict:
        """The JSON object of ``studiofund invoice read --format json`` (CONTRACT.md)."""
        return {
            "number": self.number,
            "date": self.date.isoformat(),
            "kind": self.kind,
            "original_number": self.original_number,
            "seller": {"name": self.seller.name, "tax_id": self.seller.tax_id},
            "buyer": {"name": self.buyer.name, "tax_id": self.buyer.tax_id},
            "items": [
                {
                    "name": item.name,
                    "category": item.category,
                    "code": item.code,
                    "quantity": _plain(item.quantity),
                    "unit": item.unit,
                    "unit_price": _plain(item.unit_price),
                    "amount": _money(item.amount),
                    "tax_rate": _plain(item.tax_rate) if isinstance(item.tax_rate, Decimal) else item.tax_rate,
                    "tax": _money(item.tax),
                    "total": _money(item.total),
                }
                for item in self.items
            ],
            "amount": _money(self.amount),
            "tax": _money(self.tax),
            "total": _money(self.total),
            "remark": self.remark,
        }


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def _plain(value: Decimal | None) -> str | None:
    """A decimal without exponent or trailing zeros (``2``, ``0.06``, ``99.0099``)."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


# --------------------------------------------------------------------------- files


def read_einvoice(path: str | Path) -> EInvoice:
    """Read an e-invoice file: 数电票 XML, or an OFD that carries its XML."""
    path = Path(path)
    source = str(path)
    if path.is_dir():
        raise EInvoiceError(source, "这是一个文件夹，不是发票文件；请指定 XML 或 OFD 文件。")
    # regular files only (a FIFO or /dev/zero would never end), at most MAX_FILE_BYTES
    data, problem = read_source(path, max_bytes=MAX_FILE_BYTES, max_line=None)
    if data is None:
        if "超过" in problem:
            raise EInvoiceError(source, "文件过大，不是电子发票；请检查所选文件。")
        raise EInvoiceError(source, f"{problem}；请检查路径，指定 XML 或 OFD 发票文件。")
    return parse_einvoice(data, source)


def parse_einvoice(data: bytes, source: str = "<上传的文件>") -> EInvoice:
    """Read an e-invoice from its bytes (an upload); ``source`` names it in errors."""
    if len(data) > MAX_FILE_BYTES:
        raise EInvoiceError(source, f"文件过大（{len(data)} 字节），不是电子发票；请检查所选文件。")
    if not data.strip():
        raise EInvoiceError(source, "文件是空的；请重新下载发票文件。")
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        return _read_ofd(data, source)
    if data[:5] == b"%PDF-":
        raise EInvoiceError(
            source, "这是 PDF 版式文件，其中没有结构化的发票数据；请从电子发票服务平台下载同一张发票的 XML 文件。"
        )
    return einvoice_from_xml(_parse_xml(data, source), source)


def _parse_xml(data: bytes, source: str, where: str = "") -> Element:
    """The root element, parsed safely; a clear error for everything that is not good XML."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    prefix = f"{where}：" if where else ""
    try:
        return fromstring(_decoded(data), forbid_dtd=True)
    except DefusedXmlException:
        raise EInvoiceError(
            source, f"{prefix}XML 中含有 DTD 或实体声明，电子发票不会有这些，出于安全不予读取；请使用从税务平台下载的原始文件。"
        ) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        if "no element found" in str(exc) or "unclosed token" in str(exc):
            problem = f"XML 不完整（在第 {line} 行第 {column} 列处中断），文件可能没有下载完整；请重新下载。"
        else:
            reason = _EXPAT_REASONS.get(str(exc).split(":")[0], str(exc).split(":")[0])
            problem = f"不是有效的 XML（第 {line} 行第 {column} 列：{reason}）；请确认这是数电票的 XML 文件。"
        raise EInvoiceError(source, prefix + problem) from None


#: expat's messages, as an officer reads them.
_EXPAT_REASONS = {
    "mismatched tag": "开始标签与结束标签不匹配",
    "not well-formed (invalid token)": "含有无效的字符或标记",
    "junk after document element": "根元素之后还有多余的内容",
    "syntax error": "语法错误，开头不是 XML",
    "undefined entity": "使用了未定义的实体",
    "duplicate attribute": "属性重复",
    "unbound prefix": "使用了未声明的命名空间前缀",
}

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"'][^>]*\?>", re.IGNORECASE)
#: Encodings expat reads by itself; any other declared one (GBK, GB2312 …) is decoded here.
_EXPAT_ENCODINGS = {"utf-8", "utf8", "utf-16", "utf16", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1"}


def _decoded(data: bytes) -> bytes | str:
    """The document for the XML parser: the bytes themselves when expat can read their encoding;
    otherwise text — a declared GBK/GB2312/GB18030 (expat reads no multi-byte Chinese encoding), or
    GB18030 bytes that are not UTF-8 and declare nothing (a file re-saved on a Chinese Windows)."""
    declared = _DECLARATION.match(data)
    if declared:
        encoding = declared.group(1).decode("ascii").lower()
        if encoding in _EXPAT_ENCODINGS:
            return data
        if encoding in ("gbk", "gb2312", "gb18030", "cp936"):
            encoding = "gb18030"  # a superset of both
        try:
            return data[declared.end():].decode(encoding)
        except (LookupError, UnicodeDecodeError):
            return data  # expat then says what is wrong
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return data
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            return data


# --------------------------------------------------------------------------- the XML


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(parent: Element | None, name: str) -> Element | None:
    if parent is None:
        return None
    for child in parent:
        if _local(child.tag) == name:
            return child
    return None


def _children(parent: Element | None, name: str) -> Iterator[Element]:
    if parent is None:
        return
    for child in parent:
        if _local(child.tag) == name:
            yield child


def _path(parent: Element | None, *names: str) -> Element | None:
    for name in names:
        parent = _child(parent, name)
    return parent


def _text(element: Element | None) -> str | None:
    """The element's text, including text inside wrappers (``<ofd:ObjectData>``), stripped."""
    if element is None:
        return None
    value = "".join(element.itertext()).strip()
    return value or None


def _get(parent: Element | None, *names: str) -> str | None:
    return _text(_path(parent, *names))


def einvoice_from_xml(root: Element, source: str) -> EInvoice:
    """The invoice of a parsed 数电票 XML (root ``EInvoice``)."""
    if _local(root.tag) != "EInvoice":
        raise EInvoiceError(
            source,
            f"根元素是 <{_local(root.tag)}>，不是数电票 XML 的 <EInvoice>；请确认这是全面数字化的电子发票（数电票）的 XML 文件。",
        )
    header = _child(root, "Header")
    data = _child(root, "EInvoiceData")
    supervision = _child(root, "TaxSupervisionInfo")
    if data is None:
        raise EInvoiceError(source, "缺少发票数据 <EInvoiceData>，文件不完整；请重新下载。")

    number = _get(supervision, "InvoiceNumber") or _get(header, "EIid")
    if not number:
        raise EInvoiceError(source, "没有发票号码（TaxSupervisionInfo/InvoiceNumber 与 Header/EIid 都缺失）；文件不完整，请重新下载。")
    number = re.sub(r"\s+", "", number)
    if not re.fullmatch(r"\d{8,20}", number):
        raise EInvoiceError(source, f"发票号码 {number!r} 不是数字号码（数电票为 20 位数字）；文件可能已损坏。")

    date = _issue_date(_get(supervision, "IssueTime") or _get(data, "BasicInformation", "RequestTime"), source)

    basic = _child(data, "BasicInformation")
    seller = _party(_child(data, "SellerInformation"), "Seller", "销售方", source)
    buyer = _party(_child(data, "BuyerInformation"), "Buyer", "购买方", source)
    remark = _get(data, "AdditionalInformation", "Remark")

    items = tuple(_item(element, i, source) for i, element in enumerate(_children(data, "IssuItemInformation"), 1))

    amount = _amount(basic, "TotalAmWithoutTax", "合计金额", source)
    tax = _amount(basic, "TotalTaxAm", "合计税额", source)
    total = _amount(basic, "TotalTax-includedAmount", "价税合计", source)
    if amount is None and items:
        amount = sum((item.amount for item in items), Decimal("0"))
    if tax is None and items:
        tax = sum((item.tax for item in items), Decimal("0"))
    if total is None and amount is not None and tax is not None:
        total = amount + tax
    if total is None:
        raise EInvoiceError(source, "没有价税合计（BasicInformation/TotalTax-includedAmount），也没有可以相加的金额与税额；文件不完整。")
    if amount is None or tax is None:
        amount = total if amount is None else amount
        tax = total - amount if tax is None else tax
    if abs(amount + tax - total) > CENT:
        raise EInvoiceError(
            source, f"价税合计 {total} 不等于合计金额 {amount} 与合计税额 {tax} 之和；文件内容不一致，可能被改动过，请向开票方核实。"
        )

    kind, original = _kind(header, data, remark, total)
    return EInvoice(
        number=number, date=date, kind=kind, original_number=original, seller=seller, buyer=buyer,
        items=items, amount=amount, tax=tax, total=total, remark=remark, source=source,
    )


def _party(element: Element | None, prefix: str, label: str, source: str) -> Party:
    name = _get(element, f"{prefix}Name")
    if not name:
        raise EInvoiceError(source, f"没有{label}名称（{prefix}Information/{prefix}Name）；文件不完整，请重新下载。")
    tax_id = _get(element, f"{prefix}IdNum")
    return Party(name=name, tax_id=re.sub(r"\s+", "", tax_id) if tax_id else None)


_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y年%m月%d日")


def _issue_date(value: str | None, source: str) -> datetime.date:
    if not value:
        raise EInvoiceError(source, "没有开票日期（TaxSupervisionInfo/IssueTime）；文件不完整，请重新下载。")
    head = value.strip().replace("T", " ").split(" ")[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    digits = re.match(r"(\d{4})(\d{2})(\d{2})\d*$", head)  # 20240920101112
    if digits:
        try:
            return datetime.date(*map(int, digits.groups()))
        except ValueError:
            pass
    raise EInvoiceError(source, f"开票日期 {value!r} 无法识别（应如 2024-09-20）；文件可能已损坏。")


def _decimal(value: str | None, label: str, source: str) -> Decimal | None:
    if value is None:
        return None
    cleaned = value.replace(",", "").replace("，", "").replace("¥", "").replace("￥", "").strip()
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise EInvoiceError(source, f"{label} {value!r} 不是数字；文件可能已损坏。") from None
    if not number.is_finite():
        raise EInvoiceError(source, f"{label} {value!r} 不是数字；文件可能已损坏。")
    return number


def _amount(parent: Element | None, name: str, label: str, source: str) -> Decimal | None:
    number = _decimal(_get(parent, name), label, source)
    return None if number is None else number.quantize(CENT)


def _tax_rate(value: str | None) -> Decimal | str | None:
    """``0.06``, ``6%`` and ``6`` are all 6 % (as the fraction 0.06); 免税/不征税/*** stay words."""
    if value is None:
        return None
    text = value.strip().replace("％", "%")
    try:
        if text.endswith("%"):
            return Decimal(text[:-1].strip()) / 100
        number = Decimal(text)
    except InvalidOperation:
        return text
    return number / 100 if number >= 1 else number


def _item(element: Element, index: int, source: str) -> Item:
    where = f"第 {index} 个开票项目"
    name = _get(element, "ItemName")
    if not name:
        raise EInvoiceError(source, f"{where}没有项目名称（ItemName）；文件不完整。")
    code = _get(element, "TaxClassificationCode")
    code = re.sub(r"\s+", "", code) if code else None
    amount = _amount(element, "Amount", f"{where}的金额", source)
    tax = _amount(element, "ComTaxAm", f"{where}的税额", source)
    total = _amount(element, "TotaltaxIncludedAmount", f"{where}的价税合计", source)
    if amount is None and total is not None:
        amount = total - (tax or Decimal("0.00"))
    if amount is None:
        raise EInvoiceError(source, f"{where}（{name}）没有金额（Amount）；文件不完整。")
    tax = tax if tax is not None else Decimal("0.00")
    return Item(
        name=name,
        category=item_category(name) or category_of_code(code),
        code=code,
        quantity=_decimal(_get(element, "Quantity"), f"{where}的数量", source),
        unit=_get(element, "MeaUnits"),
        unit_price=_decimal(_get(element, "UnPrice"), f"{where}的单价", source),
        amount=amount,
        tax_rate=_tax_rate(_get(element, "TaxRate")),
        tax=tax,
        total=total if total is not None else amount + tax,
    )


# 「被红冲蓝字数电票号码：…」 (also 数电发票号码, 发票号码) in a red invoice's remark.
_CANCELLED_IN_REMARK = re.compile(r"被红冲蓝字(?:数电)?(?:发)?票号码\s*[:：]?\s*(\d{8,20})")


def _kind(header: Element | None, data: Element, remark: str | None, total: Decimal) -> tuple[Kind, str | None]:
    """Blue or red, and the blue number a red invoice cancels.

    ``InIssuType/LabelCode`` says it (Y blue, N red); without that label an invoice is red when it
    names an original (``RedEInvoice``) or its total is negative."""
    original = _get(data, "SpecificInformation", "RedEInvoice", "OriginalInvoiceCode")
    if original:
        original = re.sub(r"\s+", "", original)
    elif remark:
        found = _CANCELLED_IN_REMARK.search(remark)
        original = found.group(1) if found else None
    label = (_get(header, "InherentLabel", "InIssuType", "LabelCode") or "").upper()
    if label == "N":
        return "red", original
    if label == "Y":
        return "blue", None
    return ("red", original) if (original or total < 0) else ("blue", None)


# --------------------------------------------------------------------------- OFD


def _read_ofd(data: bytes, source: str) -> EInvoice:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise EInvoiceError(source, "OFD 文件无法打开（压缩包已损坏或不完整）；请重新下载。") from None
    if len(infos) > MAX_MEMBERS:
        raise EInvoiceError(source, f"OFD 文件中有 {len(infos)} 个部件，不是电子发票；请检查所选文件。")
    with archive:
        names = {info.filename.lstrip("/"): info for info in infos if not info.is_dir()}
        if "OFD.xml" not in names:
            raise EInvoiceError(source, "这是一个压缩包，但没有 OFD.xml，不是 OFD 版式文件；请选择发票的 XML 或 OFD 文件。")

        def member(name: str) -> bytes:
            info = names[name]
            if info.file_size > MAX_MEMBER_BYTES:
                raise EInvoiceError(source, f"OFD 部件 {name} 过大，不予读取。")
            try:
                with archive.open(info) as handle:
                    content = handle.read(MAX_MEMBER_BYTES + 1)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
                raise EInvoiceError(source, f"OFD 部件 {name} 无法解压（文件已损坏或已加密）；请重新下载。") from None
            if len(content) > MAX_MEMBER_BYTES:
                raise EInvoiceError(source, f"OFD 部件 {name} 过大，不予读取。")
            return content

        ofd_root = _parse_xml(member("OFD.xml"), source, "OFD.xml")
        candidates = list(_attachment_files(ofd_root, names, member, source))
        candidates += sorted(n for n in names if n.lower().endswith(".xml") and n not in candidates)
        legacy = False
        for name in candidates:
            content = member(name)  # a member too large to read is an error, not skipped
            try:
                root = _parse_xml(content, source, name)
            except EInvoiceError:
                continue
            if _local(root.tag) == "EInvoice" and _carries_data(root):
                return einvoice_from_xml(root, f"{source}（{name}）")
            if _local(root.tag) == "eInvoice":
                legacy = True
    shown = _custom_data(ofd_root)
    if legacy:
        problem = "OFD 中附带的是旧版增值税电子发票的数据（eInvoice），不是数电票（全面数字化的电子发票）；本工具只读取数电票。"
    else:
        problem = "OFD 文件中没有附带数电票的结构化数据（只有版式页面）"
        if shown.get("发票号码"):
            problem += f"，版式元数据显示发票号码 {shown['发票号码']}"
        problem += "。"
    raise EInvoiceError(source, problem + "请从电子发票服务平台（税务数字账户）下载同一张发票的 XML 文件再读取。")


def _carries_data(root: Element) -> bool:
    """An ``EInvoice`` with the invoice's values, not a custom-tag index whose elements only point
    at objects of the printed page (``<ofd:ObjectRef>5</ofd:ObjectRef>``)."""
    if any(_local(element.tag) == "ObjectRef" for element in root.iter()):
        return False
    number = _get(root, "TaxSupervisionInfo", "InvoiceNumber") or _get(root, "Header", "EIid") or ""
    return bool(re.fullmatch(r"\d{8,20}", number.strip()))


def _attachment_files(ofd_root: Element, names: dict, member, source: str) -> Iterator[str]:
    """The files that the documents of an OFD list as attachments (``Attachment/FileLoc``)."""
    for body in _children(ofd_root, "DocBody"):
        doc_root = _resolve("OFD.xml", _get(body, "DocRoot"))
        if doc_root not in names:
            continue
        try:
            document = _parse_xml(member(doc_root), source, doc_root)
        except EInvoiceError:
            continue
        listing = _resolve(doc_root, _get(document, "Attachments"))
        if listing not in names:
            continue
        try:
            attachments = _parse_xml(member(listing), source, listing)
        except EInvoiceError:
            continue
        for attachment in _children(attachments, "Attachment"):
            loc = _get(attachment, "FileLoc")
            for base in (listing, doc_root):  # relative to the listing, or (some issuers) the document
                found = _resolve(base, loc)
                if found in names:
                    yield found
                    break


def _resolve(base: str, loc: str | None) -> str | None:
    """An OFD location (ST_Loc): absolute from the package root, else relative to ``base``."""
    if not loc:
        return None
    loc = loc.strip().replace("\\", "/")
    joined = loc.lstrip("/") if loc.startswith("/") else posixpath.join(posixpath.dirname(base), loc)
    return posixpath.normpath(joined)


def _custom_data(ofd_root: Element) -> dict[str, str]:
    """``DocInfo/CustomDatas/CustomData`` of OFD.xml: what the printed invoice shows (发票号码 …)."""
    found = {}
    for body in _children(ofd_root, "DocBody"):
        for datum in _children(_path(body, "DocInfo", "CustomDatas"), "CustomData"):
            name = datum.get("Name")
            if name:
                found[name] = _text(datum) or ""
    return found


# --------------------------------------------------------------------------- booking


@dataclass(frozen=True)
class BookingFacts:
    """What an e-invoice fills in when a payment is booked from it (``record --einvoice``)."""

    payee: str  #: the seller
    date: datetime.date  #: the issue date
    amount: Decimal  #: 价税合计 (negative on a red invoice)
    meta: dict[str, str]  #: the entry's metadata, in the order they are written


def booking_facts(inv: EInvoice) -> BookingFacts:
    """The payee, date, amount and metadata an entry takes from ``inv``.

    Metadata: ``invoice`` (the number), ``invoice-items`` (the item names, ``*餐饮服务*餐费; …`` —
    an item printed without a short name gets its code's category between asterisks, so that the
    content rules see it), ``invoice-buyer`` and ``invoice-buyer-tax-id`` (for the buyer rule),
    and on a red invoice ``invoice-kind: "red"`` and ``invoice-original`` (the cancelled number)."""
    names = []
    for item in inv.items:
        name = item.name
        if item_category(name) is None and item.category:
            name = f"*{item.category}*{name}"
        names.append(name)
    meta = {"invoice": inv.number}
    if names:
        meta["invoice-items"] = format_invoice_items(names)
    meta["invoice-buyer"] = inv.buyer.name
    if inv.buyer.tax_id:
        meta["invoice-buyer-tax-id"] = inv.buyer.tax_id
    if inv.kind == "red":
        meta["invoice-kind"] = "red"
        if inv.original_number:
            meta["invoice-original"] = inv.original_number
    return BookingFacts(payee=inv.seller.name, date=inv.date, amount=inv.total, meta=meta)
