"""The report pack's pages, called as anyone with a websocket can call them: the margin shows cost prices only to
those who may see them, a report page does nothing without its permission, and "every store" never reaches a
store where the user may not see reports."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date

import pytest
from reflex.istate.data import SessionData

from jewelerp.auth import service as auth
from jewelerp.core.roles import set_grant
from jewelerp.core.users import UserInput, create_user
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import PermissionDenied, SessionEnded
from jewelerp.reports import ReportRequest, report_stores
from jewelerp.ui.state import AppState
from modules.billing.report_pages import ComparisonReportState, MarginReportState
from modules.billing.sales_compare import margin, margin_stores
from modules.repairs.report_page import WorkshopReportState
from modules.stock.report_pages import AgeingState, DeadStockState
from tests.conftest import PASSWORD

CLIENT_IP = "203.0.113.67"
FORM = {"date_from": "2026-11-01", "date_to": "2026-11-30", "scope": "all", "group": "branch"}


def _page(state_class: type[AppState], email: str = "") -> AppState:
    cookie = f"jewelerp_session={auth.begin_session(auth.login(email, PASSWORD, CLIENT_IP).ticket)}" if email else ""
    state = state_class(_reflex_internal_init=True)
    headers = replace(state.router.headers, cookie=cookie or "jewelerp_session=forged")
    state.router = replace(state.router, session=SessionData(client_ip=CLIENT_IP), headers=headers)
    return state


def _call(state: AppState, handler: str, *args: object) -> object:
    result = getattr(type(state), handler).fn(state, *args)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def _revoke_cost(world) -> None:
    admin = world.actor("admin")
    with unit_of_work(admin) as session:
        set_grant(session, admin, "manager", "stock.cost.view", False)


def test_the_margin_refuses_a_manager_without_the_cost_permission(world):
    _revoke_cost(world)
    with read_session() as session, pytest.raises(PermissionDenied):
        margin(session, world.actor("manager"), ReportRequest(date(2026, 11, 1), date(2026, 11, 30)))
    page = _page(MarginReportState, "manager@test.in")
    _call(page, "open_page")
    _call(page, "apply", FORM)
    assert not page.message_ok and "permission" in page.message.lower()
    assert page.headers == [] and page.rows == [] and page.summary == []
    assert _call(page, "export") is None  # no file is written or offered


@pytest.mark.parametrize(
    "state_class", [AgeingState, DeadStockState, ComparisonReportState, MarginReportState, WorkshopReportState]
)
def test_staff_without_the_report_permission_see_nothing(world, state_class):
    page = _page(state_class, "sales@test.in")
    _call(page, "open_page")
    _call(page, "apply", FORM)
    assert not page.message_ok and "permission" in page.message.lower()
    assert page.rows == [] and page.filter_options == {}
    assert _call(page, "export") is None


@pytest.mark.parametrize("handler", ["open_page", "apply", "export", "next_page", "previous_page"])
def test_without_a_session_a_report_handler_goes_to_sign_in(world, handler):
    page = _page(MarginReportState)
    with pytest.raises(SessionEnded):
        _call(page, handler, *([FORM] if handler == "apply" else []))


def test_every_store_covers_only_stores_where_the_user_may_see_reports(world):
    """Sales staff given the reports in Mumbai (their only store) asking for every store get Mumbai alone."""
    admin = world.actor("admin")
    with unit_of_work(admin) as session:
        set_grant(session, admin, "sales", "billing.report.view", True)
        set_grant(session, admin, "manager", "billing.report.view", False)
    with read_session() as session:
        assert [s.code for s in report_stores(session, world.actor("sales"), "billing.report.view", True)] == ["MUM"]
    page = _page(ComparisonReportState, "sales@test.in")
    _call(page, "open_page")
    _call(page, "apply", FORM)
    assert page.message == "" and not page.several_stores
    assert page.headers[0] == "Branch"


def test_a_report_page_takes_any_junk_without_failing_or_changing_what_it_shows(world):
    page = _page(ComparisonReportState, "manager@test.in")
    _call(page, "open_page")
    shown = (page.date_from, page.date_to, page.headers)
    for junk in ("not a form", ["date_from"], {"date_from": ["2026-11-01"], "date_to": {"$gt": 1}}, {"group": 7}):
        _call(page, "apply", junk)
    assert (page.date_from, page.date_to) == shown[:2]
    _call(page, "apply", {"date_from": "2026-11-30", "date_to": "2026-11-01"})
    assert (
        page.errors
        == {"date_to": "The last day comes before the first day: choose a period that ends after it starts."}
        and page.rows == []
    )
    assert (page.date_from, page.date_to) == shown[:2]
    page = _page(DeadStockState, "manager@test.in")
    _call(page, "open_page")
    _call(page, "apply", {"days": "-5"})
    assert "days" in page.errors and page.choices == {"category": "", "days": ""}


def test_the_margin_of_every_store_covers_only_stores_where_the_user_may_see_costs(world):
    """A manager in Mumbai who is sales staff in Delhi, where sales staff may see reports but not cost prices."""
    admin = world.actor("admin")
    with unit_of_work(admin) as session:
        set_grant(session, admin, "sales", "billing.report.view", True)
        mixed = create_user(
            session, admin, UserInput("Mixed", "mixed@test.in"), PASSWORD, {"MUM": "manager", "DEL": "sales"}
        )
    with read_session() as session:
        actor = auth.build_actor(session, mixed.id, world.mum)
        assert [s.code for s in report_stores(session, actor, "billing.report.view", True)] == ["DEL", "MUM"]
        assert [s.code for s in margin_stores(session, actor, True)] == ["MUM"]
