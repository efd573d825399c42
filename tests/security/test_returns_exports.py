"""The accountant's exports page, called as anyone with a websocket can call it: without a session nothing is
written and the browser goes to sign-in; without the permission, or for a store the user does not work in,
no file is written; the return of the user's own store is written behind a download token."""

from __future__ import annotations

import json

import pytest

from jewelerp.core.models import Store
from jewelerp.db import unit_of_work
from jewelerp.errors import SessionEnded
from jewelerp.ui import table_query
from jewelerp.ui.table_query import take_export
from modules.billing.returns_pages import ReturnsState
from tests.modules.billing.conftest import MUMBAI_GSTIN, price_gold, sell_november
from tests.security.test_account_handlers import _call, _page, _signed_in

HANDLERS = ("download_json", "download_excel", "download_tally")


@pytest.fixture
def november(world) -> dict[str, int | str]:
    """Mumbai's hand-computed November (tests/modules/billing/conftest.py)."""
    return sell_november(world, price_gold(world))


@pytest.fixture
def exports(tmp_path, monkeypatch):
    folder = tmp_path / "exports"
    monkeypatch.setattr(table_query, "EXPORT_DIR", folder)
    return folder


def _files(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _chosen(cookie: str, store_id: int, month: str = "2026-11") -> ReturnsState:
    state = _page(ReturnsState, cookie)
    state.month, state.store_id = month, str(store_id)
    return state


@pytest.mark.parametrize("handler", HANDLERS)
def test_without_a_session_nothing_is_written(world, november, exports, handler):
    with pytest.raises(SessionEnded):
        _call(_chosen("jewelerp_session=forged", world.mum), handler)
    assert _files(exports) == []


@pytest.mark.parametrize("handler", HANDLERS)
def test_sales_staff_get_no_file(world, november, exports, handler):
    state = _chosen(_signed_in("sales@test.in"), world.mum)
    assert _call(state, handler) is None
    assert _files(exports) == [] and not state.message_ok and "permission" in state.message.lower()


@pytest.mark.parametrize("handler", HANDLERS)
def test_a_store_the_manager_does_not_work_in_is_refused(world, november, exports, handler):
    with unit_of_work() as session:
        pune = Store(code="PUN", name="Pune", state="Maharashtra", state_code="27", gstin=MUMBAI_GSTIN)
        session.add(pune)
        session.flush()
        pune_id = pune.id
    state = _chosen(_signed_in("manager@test.in"), pune_id)
    assert _call(state, handler) is None
    assert _files(exports) == [] and state.message == "You may not export the returns of that store."


def test_the_managers_own_store_is_written_behind_a_token(world, november, exports):
    state = _chosen(_signed_in("manager@test.in"), world.mum)
    assert _call(state, "download_json") is not None
    (path,) = _files(exports)
    assert path.name == f"GSTR1-{MUMBAI_GSTIN}-112026.json"
    assert json.loads(path.read_text())["fp"] == "112026"
    token = path.parent.name
    assert take_export(token) == path  # the token in the download link names this file


def test_a_bad_month_or_store_is_named_and_nothing_written(world, november, exports):
    state = _chosen(_signed_in("manager@test.in"), world.mum, month="November")
    assert _call(state, "download_json") is None
    state.store_id = "MUM"
    assert _call(state, "download_tally") is None
    assert set(state.errors) == {"month", "store"} and _files(exports) == []
