"""The loyalty liability report page (``/loyalty/reports/liability``)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from jewelerp.reports import ReportKind
from jewelerp.ui.report_page import ReportMixin, report_page
from jewelerp.ui.state import AppState
from modules.loyalty.liability_report import LIABILITY


class LoyaltyLiabilityState(ReportMixin, AppState):
    """The loyalty liability page."""

    report: ClassVar[ReportKind] = LIABILITY


def liability_report_page() -> rx.Component:
    """Scheme and points liability per branch as of today."""
    return report_page(
        LoyaltyLiabilityState,
        "Loyalty liability",
        "What the store owes today: per scheme, the instalments paid in and the bonus accrued less what was "
        "redeemed; per branch, the unexpired points at the program's point value.",
        "Scheme and points liability",
        "Nothing is owed on schemes or points.",
    )
