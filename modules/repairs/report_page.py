"""The workshop reports page (``/repairs/reports``): one of the four workshop reports (chosen in the page's "Report"
filter) for a period, the last 90 days by default in the store's dates, on the platform's report page."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from jewelerp.reports import ReportKind
from jewelerp.ui.report_page import ReportMixin, report_page
from jewelerp.ui.state import AppState
from modules.repairs.reports import WORKSHOP


class WorkshopReportState(ReportMixin, AppState):
    """The workshop reports page."""

    report: ClassVar[ReportKind] = WORKSHOP


def workshop_report_page() -> rx.Component:
    """Workshop reports (``/repairs/reports``)."""
    return report_page(
        WorkshopReportState,
        "Workshop reports",
        "Jobs by stage and by karigar (jobs taken in during the period), turnaround (jobs delivered in it) "
        "and metal loss per karigar (work closed in it).",
        "Workshop report",
        "Nothing in this period.",
    )
