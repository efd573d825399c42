"""The customer RFM and lifetime value report page (``/clienteling/reports/rfm``)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from jewelerp.reports import ReportKind
from jewelerp.ui.report_page import ReportMixin, report_page
from jewelerp.ui.state import AppState
from modules.clienteling.rfm import RFM


class RfmState(ReportMixin, AppState):
    """The customer RFM page."""

    report: ClassVar[ReportKind] = RFM


def rfm_page() -> rx.Component:
    """Customers who bought in the period by RFM segment, with their lifetime value."""
    return report_page(
        RfmState,
        "Customer RFM",
        "Customers who bought in the period, scored 1–5 for recency, frequency and spend among them, grouped "
        "into segments, with what each has bought in all (lifetime value).",
        "Customers by RFM segment",
        "No customer bought in this period.",
    )
