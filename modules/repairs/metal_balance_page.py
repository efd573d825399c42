"""The karigar metal balance page (``/repairs/reports/karigar-metal``)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from jewelerp.reports import ReportKind
from jewelerp.ui.report_page import ReportMixin, report_page
from jewelerp.ui.state import AppState
from modules.repairs.metal_balance import METAL_BALANCE


class MetalBalanceState(ReportMixin, AppState):
    """The karigar metal balance page."""

    report: ClassVar[ReportKind] = METAL_BALANCE


def metal_balance_page() -> rx.Component:
    """Each karigar's fine metal for the period: opening, issued, returned, closing, lost and in work."""
    return report_page(
        MetalBalanceState,
        "Karigar metal balance",
        "Fine metal per karigar for the period: what they held at its start, what was issued and came back, what "
        "they hold at its end, and how much of that was lost on finished jobs.",
        "Karigar metal balance",
        "No karigar had metal in this period.",
    )
