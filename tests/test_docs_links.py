"""README and docs stand alone: every relative link leads to a file of the repository, and none
names a document that is not in it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "ledgers" / "README.md"]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def links(page: Path) -> list[str]:
    return [t for t in LINK.findall(page.read_text(encoding="utf-8"))
            if not t.startswith(("http://", "https://", "mailto:", "#"))]


def test_every_relative_link_leads_into_the_repository():
    broken = []
    for page in PAGES:
        for target in links(page):
            path = (page.parent / target.split("#", 1)[0]).resolve()
            if not path.is_relative_to(ROOT) or not path.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert broken == []


def test_no_page_names_a_document_outside_the_repository():
    named = [f"{page.relative_to(ROOT)}: {word}" for page in PAGES
             for word in ("CONTRACT.md", "DOMAIN.md", "shared/")
             if word in page.read_text(encoding="utf-8")]
    assert named == []


def test_a_link_out_of_the_repository_is_found(tmp_path):
    page = ROOT / "docs" / "x.md"
    assert [t for t in LINK.findall("see [the contract](../../shared/CONTRACT.md) and [web](https://a.b)")
            if not t.startswith("https://")] == ["../../shared/CONTRACT.md"]
    assert not (page.parent / "../../shared/CONTRACT.md").resolve().is_relative_to(ROOT)
