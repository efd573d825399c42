"""Helpers shared by the billing browser tests: demo pieces to sell, receipt numbers, the text of a PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2
from playwright.sync_api import expect
from sqlalchemy import select

RECEIPT = r"MUM/R\d{4}/\d{5}"


def small_pieces_in_mumbai(count: int = 1) -> list[tuple[int, str]]:
    """(id, SKU) of the lightest in-stock MUM jewellery without stones (HSN 7113, not coins) of the demo, so a
    sale stays below the PAN limit and the approval amount."""
    from jewelerp.core.models import Store
    from jewelerp.db import read_session
    from modules.stock.models import Category, Piece

    with read_session() as session:
        rows = session.execute(
            select(Piece.id, Piece.sku)
            .join(Store, Store.id == Piece.store_id)
            .join(Category, Category.id == Piece.category_id)
            .where(Store.code == "MUM", Category.hsn == "7113", Piece.status == "in_stock", Piece.net_weight > 0)
            .where(Piece.stone_weight == 0)
            .order_by(Piece.net_weight, Piece.id)
            .limit(count)
        ).all()
    assert len(rows) == count, "the demo has too few in-stock pieces in Mumbai"
    return [(piece_id, sku) for piece_id, sku in rows]


def receipt_in_status(page) -> str:
    """The receipt number the page's message announces."""
    status = page.get_by_role("status").filter(has_text="Receipt")
    expect(status).to_contain_text(re.compile(RECEIPT))
    return re.search(RECEIPT, status.inner_text()).group(0)


def pdf_text(path: Path) -> str:
    """Every page's text of a PDF, with runs of white space as one space."""
    document = pypdfium2.PdfDocument(path.read_bytes())
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    return " ".join(text.split())
