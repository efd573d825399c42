"""The report pages: daily sales (``/billing/reports/sales``), the GST summary (``/billing/reports/gst``), sales
against a year earlier (``/billing/reports/comparison``), the margin (``/billing/reports/margin``) and the old gold
bought with its disposition (``/billing/reports/old-gold``).

Each is a :func:`jewelerp.ui.report_page.report_page`: this month by default, an optional "every store" scope,
summary figures, the table 50 rows at a time and "Export to Excel" with the whole report.
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from jewelerp.reports import ReportKind
from jewelerp.ui.report_page import ReportMixin, report_page
from jewelerp.ui.state import AppState
from modules.billing.old_gold_report import OLD_GOLD
from modules.billing.reports import GST, SALES
from modules.billing.sales_compare import COMPARISON, MARGIN


class SalesReportState(ReportMixin, AppState):
    """The daily sales report page."""

    report: ClassVar[ReportKind] = SALES


class GstReportState(ReportMixin, AppState):
    """The GST summary page."""

    report: ClassVar[ReportKind] = GST


class ComparisonReportState(ReportMixin, AppState):
    """The sales comparison page."""

    report: ClassVar[ReportKind] = COMPARISON


class MarginReportState(ReportMixin, AppState):
    """The margin page (cost prices: only with ``stock.cost.view``)."""

    report: ClassVar[ReportKind] = MARGIN


class OldGoldReportState(ReportMixin, AppState):
    """The old gold bought page."""

    report: ClassVar[ReportKind] = OLD_GOLD


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


def comparison_page() -> rx.Component:
    """Sales by branch, salesperson, category or metal against a year earlier (``/billing/reports/comparison``)."""
    return report_page(
        ComparisonReportState,
        "Sales comparison",
        "Taxable value of the invoices issued in the period, grouped as you choose, beside the same dates a year "
        "earlier and the change.",
        "Sales this period and a year earlier",
        "No sales in this period or a year earlier.",
    )


def margin_page() -> rx.Component:
    """Sale less recorded cost of the pieces sold, per group (``/billing/reports/margin``)."""
    return report_page(
        MarginReportState,
        "Margin",
        "For the pieces sold in the period: sale (taxable value) less the recorded cost price, and the margin as a "
        "% of the sale.",
        "Margin of the pieces sold",
        "No piece with a recorded cost was sold in this period.",
    )


def old_gold_report_page() -> rx.Component:
    """Old gold bought in the period and where its metal went (``/billing/reports/old-gold``)."""
    return report_page(
        OldGoldReportState,
        "Old gold bought",
        "Purchase vouchers (exchanges and buy-backs) of the period by metal and tested fineness, and where the "
        "metal is now: sent to a refiner, melted, returned or still held.",
        "Old gold bought and its disposition",
        "No old gold was bought in this period.",
    )
