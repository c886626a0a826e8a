"""Invoice scans kept by voucher in the ledger's documents folder.

A scan of voucher ``2021-018`` paid on 2021-04-12 from ``Expenses:Materials`` is kept as
``<documents>/Expenses/Materials/2021-04-12.2021-018.pdf`` — where Beancount's documents
option finds it (a dated file under the account's folder) — and the transaction carries
``document: "2021-04-12.2021-018.pdf"``, which Fava's ``link_documents`` plugin links to that
document: the auditor opens it from the entry.

The documents folder is the ledger's first ``option "documents"`` that lies inside the ledger's
directory (ledger content is untrusted: a folder elsewhere is never written to); a ledger without
one gets ``option "documents" "<name>.documents"``, and a ledger without the plugin gets
``plugin "fava.plugins.link_documents"`` before its own plugin line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from studiofund.ledger.studio import PLUGIN_NAME
from studiofund.ledger.template import LINK_DOCUMENTS, documents_folder
from studiofund.ledger.text import insert_header_line, quote

from .accounts import BookingUsageError

#: What a scan may be: images, PDF, OFD and the e-invoice's XML.
EXTENSIONS = frozenset({"pdf", "jpg", "jpeg", "png", "gif", "webp", "tif", "tiff", "bmp", "ofd", "xml"})
MAX_BYTES = 20 * 1024 * 1024


class Attachment(NamedTuple):
    """A scan as uploaded or given on the command line: its original name and content."""

    name: str
    data: bytes


class PlacedScan(NamedTuple):
    path: Path  # where it is kept
    name: str  # the document: metadata value (its file name)


def extension_of(name: str) -> str:
    suffix = Path(str(name)).suffix.lower().lstrip(".")
    if suffix not in EXTENSIONS:
        allowed = "、".join(sorted(EXTENSIONS))
        raise BookingUsageError(f"附件“{name}”的类型不受支持；请上传 {allowed} 格式的发票或单据扫描件。")
    return suffix


def check_attachment(attachment: Attachment) -> None:
    extension_of(attachment.name)
    if not attachment.data:
        raise BookingUsageError(f"附件“{attachment.name}”是空文件。")
    if len(attachment.data) > MAX_BYTES:
        raise BookingUsageError(f"附件“{attachment.name}”超过 {MAX_BYTES // 1024 // 1024} MB；请压缩后再上传。")


def _safe(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z\u4e00-\u9fff._-]", "_", text)


def documents_root(ledger: Path, options_map: dict) -> tuple[Path, str | None]:
    """The folder scans go to, and the option line to add (None when the ledger has one)."""
    base = ledger.resolve().parent
    for folder in options_map.get("documents") or ():
        resolved = (base / folder).resolve()
        if resolved == base or resolved.is_relative_to(base):
            return resolved, None
    name = documents_folder(ledger.name)
    return base / name, f'option "documents" {quote(name)}'


def place_scans(ledger: Path, options_map: dict, account: str, date, voucher: str,
                attachments: list[Attachment]) -> tuple[list[PlacedScan], list[str]]:
    """Where each scan goes (``document:`` names), and the header lines the ledger still needs."""
    if not attachments:
        return [], []
    root, option = documents_root(ledger, options_map)
    folder = root.joinpath(*account.split(":"))
    placed: list[PlacedScan] = []
    for i, attachment in enumerate(attachments, start=1):
        check_attachment(attachment)
        suffix = "" if len(attachments) == 1 else f"-{i}"
        name = f"{date}.{_safe(voucher)}{suffix}.{extension_of(attachment.name)}"
        placed.append(PlacedScan(folder / name, name))
    header = [option] if option else []
    if LINK_DOCUMENTS not in [name for name, _ in options_map.get("plugin") or ()]:
        header.append(f'plugin "{LINK_DOCUMENTS}"')
    return placed, header


def add_header_lines(text: str, lines: list[str]) -> str:
    """The ledger's text with the documents option and the plugin line added."""
    for line in lines:
        if line.startswith("plugin"):
            text = insert_header_line(text, line, before=f'plugin "{PLUGIN_NAME}"')
        else:
            text = insert_header_line(text, line)
    return text
