"""Stock report pages: ageing (``/stock/reports/ageing``) and dead stock (``/stock/reports/dead-stock``)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from jewelerp.reports import ReportKind
from jewelerp.ui.report_page import ReportMixin, report_page
from jewelerp.ui.state import AppState
from modules.stock.ageing import AGEING, DEAD_STOCK


class AgeingState(ReportMixin, AppState):
    """The stock ageing page."""

    report: ClassVar[ReportKind] = AGEING


class DeadStockState(ReportMixin, AppState):
    """The dead stock page."""

    report: ClassVar[ReportKind] = DEAD_STOCK


def ageing_page() -> rx.Component:
    """Pieces held today by days in stock and category, with weight and value (``/stock/reports/ageing``)."""
    return report_page(
        AgeingState,
        "Stock ageing",
        "Pieces held today by days since they were received (0–30, 31–90, 91–180, 181–365, over 365) and "
        "category: pieces, net weight and value at today's rates. Consignment pieces are the vendor's and left out.",
        "Stock by days in stock and category",
        "No pieces in stock.",
    )


def dead_stock_page() -> rx.Component:
    """Pieces unsold for longer than the threshold, oldest first (``/stock/reports/dead-stock``)."""
    return report_page(
        DeadStockState,
        "Dead stock",
        "Pieces held unsold for longer than the threshold (the store's setting unless you type another), "
        "oldest first, with their value at today's rates.",
        "Dead stock, oldest first",
        "No piece has been in stock that long.",
    )
