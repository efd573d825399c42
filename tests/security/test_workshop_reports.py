"""The workshop reports page called as anyone with a websocket can call it: a forged report choice or "every store"
(these reports cover this store only) is refused with a message, showing nothing. Staff without
``repairs.report.view`` are refused in tests/security/test_report_permissions.py."""

from __future__ import annotations

from modules.repairs.report_page import WorkshopReportState
from tests.modules.repairs.jobrows import job_row
from tests.security.test_report_permissions import _call, _page

FORM = {"date_from": "2026-11-01", "date_to": "2026-11-30", "report": "stage"}


def test_a_forged_report_or_every_store_shows_nothing(world):
    job_row(world.mum, "repair", "received")
    page = _page(WorkshopReportState, "manager@test.in")
    _call(page, "open_page")
    assert page.choices == {"report": "stage"} and page.row_count > 0
    assert [o["value"] for o in page.filter_options["report"]] == ["stage", "karigar", "turnaround", "loss"]
    _call(page, "apply", FORM | {"report": "../../etc/passwd"})
    assert page.errors == {"report": "Choose a report."} and page.rows == []
    _call(page, "apply", FORM | {"scope": "all"})
    assert set(page.errors) == {"scope"} and page.rows == [] and page.summary == []
