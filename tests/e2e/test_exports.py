"""Exporting a large list: the page shows the export's progress, the file downloads when it is ready, and the
workbook holds numbers (weights in grams, rupees) and dates, not text."""

from __future__ import annotations

import re
import secrets
from decimal import Decimal

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from jewelerp.db import unit_of_work
from modules.stock.models import Piece

SEEDED = 4_000
WATCH_STATUS = """() => {
    window.__exportStatus = [];
    new MutationObserver(() => {
        for (const el of document.querySelectorAll('[role=status]')) {
            const text = el.textContent || '';
            if (text.startsWith('Exporting') && !window.__exportStatus.includes(text)) window.__exportStatus.push(text);
        }
        if (document.querySelector('[aria-label="Export progress"]')) window.__exportBar = true;
    }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


def _seed_pieces() -> None:
    """Copies of a Mumbai piece with their own SKUs and weights, added at once (no page could add thousands)."""
    with unit_of_work() as session:
        model = session.scalars(select(Piece).where(Piece.sku.like("MUM-%"), Piece.status == "in_stock")).first()
        if session.scalars(select(Piece).where(Piece.sku == "EXP-000001")).first():
            return  # a rerun against the same database
        for n in range(1, SEEDED + 1):
            session.add(
                Piece(
                    sku=f"EXP-{n:06d}",
                    store_id=model.store_id,
                    category_id=model.category_id,
                    metal_id=model.metal_id,
                    gross_weight=Decimal("5.250") + Decimal(n % 7) / 1000,
                    net_weight=Decimal("5.000") + Decimal(n % 7) / 1000,
                    cost_price=Decimal("41000.50"),
                    public_token=secrets.token_urlsafe(24),
                    batch="EXPORT-TEST",
                )
            )


def test_a_large_export_shows_progress_and_downloads_numbers(login_as, base_url, tmp_path):
    _seed_pieces()
    page = login_as("manager")
    page.goto(f"{base_url}/stock/pieces")
    expect(page.get_by_text(re.compile(r"1–25 of 1,000\+"))).to_be_visible()
    page.evaluate(WATCH_STATUS)
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Export to Excel").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    expect(page.get_by_text(re.compile(r"Exported [\d,]+ rows; the download starts now\."))).to_be_visible()
    expect(page.get_by_label("Export progress")).to_have_count(0)  # the bar goes once the file is ready

    seen = page.evaluate("window.__exportStatus")
    assert page.evaluate("window.__exportBar") is True, "no progress bar was shown"
    total = int(re.search(r"of ([\d,]+) rows written", seen[0]).group(1).replace(",", ""))
    assert seen[0] == f"Exporting: 0 of {total:,} rows written" and total >= SEEDED

    sheet = load_workbook(target, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Pieces — every record"
    assert rows[1][:5] == ("SKU", "Category", "Metal", "Net weight", "Gross weight")
    assert len(rows) == 2 + total
    seeded = next(row for row in rows if row[0] == "EXP-000003")
    assert seeded[3] == 5.003 and seeded[4] == 5.253  # weights are numbers in grams
    assert seeded[8] == 41000.5  # the manager sees cost, a number in rupees
    numbers = [row[3] for row in rows[2:]]
    assert all(isinstance(value, float | int) for value in numbers), "a weight was written as text"
    assert all(isinstance(row[0], str) for row in rows[2:])
    assert target.name.startswith("stock-pieces-") and target.suffix == ".xlsx"
