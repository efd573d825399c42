"""The report pages: daily sales (``/billing/reports/sales``) and the GST summary (``/billing/reports/gst``).

Each is a :func:`jewelerp.ui.report_page.report_page`: this month by default, an optional "every store" scope,
summary figures, the table 50 rows at a time and "Export to Excel" with the whole report.
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from jewelerp.reports import ReportKind
from jewelerp.ui.report_page import ReportMixin, report_page
from jewelerp.ui.state import AppState
from modules.billing.reports import GST, SALES


class SalesReportState(ReportMixin, AppState):
    """The daily sales report page."""

    report: ClassVar[ReportKind] = SALES


class GstReportState(ReportMixin, AppState):
    """The GST summary page."""

    report: ClassVar[ReportKind] = GST


def sales_report_page() -> rx.Component:
    """Daily sales by store, salesperson and category (``/billing/reports/sales``)."""
    return report_page(
        SalesReportState,
        "Sales report",
        "Sales per day (in the store's dates), salesperson and category: taxable value, GST and total. "
        "Cancelled invoices are left out.",
        "Sales by day, salesperson and category",
        "No sales in this period.",
    )


def gst_report_page() -> rx.Component:
    """The GST summary for filing (``/billing/reports/gst``)."""
    return report_page(
        GstReportState,
        "GST summary",
        "Outward supplies by supply type, buyer (B2B with a GSTIN, else B2C), place of supply, HSN/SAC and rate, "
        "less the credit notes written in the period.",
        "GST summary",
        "No invoices or credit notes in this period.",
    )
