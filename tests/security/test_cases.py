"""The service-case handlers, called as anyone with a websocket can call them: without a session they read nothing;
with one, another store's case answers "not found" and stays as it was; junk arguments change nothing."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import SessionEnded
from modules.clienteling.case_lists import CaseQueueTable, MyCasesTable
from modules.clienteling.case_page import CaseState
from modules.clienteling.cases import CaseInput, open_case
from modules.clienteling.models import CaseNote, ServiceCase
from modules.clienteling.profile_page import ProfileState
from tests.modules.clienteling.helpers import add_customer
from tests.security.test_account_handlers import _call, _page, _signed_in


class Trap(dict):
    """A form that fails the test the moment a handler reads it."""

    def get(self, *_args, **_kwargs):
        raise AssertionError("the handler read its arguments before checking the session")

    def __getitem__(self, key):
        return self.get(key)


def _open(actor, customer_id: int) -> int:
    with unit_of_work(actor) as session:
        case = open_case(session, actor, customer_id, CaseInput("complaint", "phone", "high", "Stone fell out"))
        return case.id


def _snapshot() -> tuple:
    with read_session() as session:
        cases = [
            (c.id, c.status, c.assigned_user_id, c.subject) for c in session.exec(select(ServiceCase).order_by("id"))
        ]
        return cases, session.exec(select(func.count()).select_from(CaseNote)).one()


@pytest.fixture
def cases(world) -> dict[str, int]:
    """A Mumbai customer with a Mumbai case, and a Delhi case nobody working in Mumbai may see or touch."""
    customer = add_customer(world.actor("manager"), name="Anjali Menon", phone="9820040001").id
    return {
        "customer": customer,
        "mumbai": _open(world.actor("manager"), customer),
        "delhi": _open(world.actor("manager", world.dl), customer),
    }


def _case_page(monkeypatch, cookie: str, case_id: int) -> CaseState:
    monkeypatch.setattr(CaseState, "_id", lambda self: case_id)  # the id the URL names
    return _page(CaseState, cookie=cookie)


@pytest.mark.parametrize(
    ("state_class", "handler", "args"),
    [
        (CaseState, "load", ()),
        (CaseState, "add", (Trap(note="Forged", shown="on"),)),
        (CaseState, "move", ("resolved",)),
        (CaseState, "assign", ("1",)),
        (CaseState, "assign", ("",)),
        (ProfileState, "open_case", (Trap(case_subject="Forged"),)),
        (MyCasesTable, "load", ()),
        (CaseQueueTable, "load", ()),
    ],
)
def test_without_a_session_nothing_is_read_or_changed(world, cases, monkeypatch, state_class, handler, args):
    def url_trap(_state):
        raise AssertionError("the handler read the URL before checking the session")

    monkeypatch.setattr(CaseState, "_id", url_trap)
    state = _page(state_class, cookie="jewelerp_session=forged")
    if state_class is ProfileState:
        state.profile = {"id": str(cases["customer"])}
    before = _snapshot()
    with pytest.raises(SessionEnded):
        _call(state, handler, *args)
    assert _snapshot() == before
    assert getattr(state, "case", {}) == {} and getattr(state, "rows", []) == []


def test_another_stores_case_answers_not_found_and_stays_as_it_was(world, cases, monkeypatch):
    state = _case_page(monkeypatch, _signed_in("manager@test.in"), cases["delhi"])  # working in Mumbai
    before = _snapshot()
    _call(state, "load")
    assert (state.found, state.case, state.thread) == (False, {}, [])
    assert state.message == "That case does not exist in this store."
    for handler, args in (
        ("add", ({"note": "Forged note", "shown": "on"},)),
        ("move", ("resolved",)),
        ("assign", (str(world.users["manager"]),)),
        ("assign", ("",)),
    ):
        _call(state, handler, *args)
        assert state.message == "That case does not exist in this store.", handler
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("handler", "args"),
    [
        ("add", (None,)),
        ("add", ({"note": {"evil": 1}, "shown": ["on"]},)),
        ("add", ({"note": "   "},)),
        ("add", ({"note": "x" * 100_000},)),
        ("move", (None,)),
        ("move", ({"status": "closed"},)),
        ("move", ("deleted",)),
        ("move", ("open",)),  # already open
        ("assign", (None,)),
        ("assign", ("-1",)),
        ("assign", ("9" * 40,)),
        ("assign", ({"user": 1},)),
        ("assign", ("99999",)),
    ],
)
def test_junk_arguments_change_nothing(world, cases, monkeypatch, handler, args):
    state = _case_page(monkeypatch, _signed_in("manager@test.in"), cases["mumbai"])
    _call(state, "load")
    assert state.found
    before = _snapshot()
    _call(state, handler, *args)
    assert _snapshot() == before
    assert not state.message_ok


def test_a_junk_opening_form_on_the_360_page_opens_nothing(world, cases):
    state = _page(ProfileState, cookie=_signed_in("sales@test.in"))
    state.profile = {"id": str(cases["customer"])}
    before = _snapshot()
    for form in (None, {"case_kind": ["complaint"], "case_subject": {"a": 1}}, {"case_due_on": "2001-01-01"}):
        _call(state, "open_case", form)
        assert _snapshot() == before
        assert "case_subject" in state.errors or "case_kind" in state.errors


def test_a_designer_cannot_change_a_case_through_the_page(world, cases, monkeypatch):
    state = _case_page(monkeypatch, _signed_in("designer@test.in"), cases["mumbai"])
    _call(state, "load")
    assert state.found and not state.can_edit and not state.can_assign
    before = _snapshot()
    for handler, args in (("add", ({"note": "Hi"},)), ("move", ("resolved",)), ("assign", ("",))):
        _call(state, handler, *args)
        assert state.message == "You do not have permission to do this.", handler
    assert _snapshot() == before
