"""The header search box's handlers, called as anyone with a websocket can call them: without a session they
read nothing; with one they find only the caller's store's records, open only what they showed, and shrug off
huge or odd input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jewelerp.db import unit_of_work
from jewelerp.errors import SessionEnded
from jewelerp.search import MAX_QUERY
from jewelerp.ui.search_box import SearchState
from modules.billing.models import Invoice
from tests.modules.clienteling.helpers import add_customer
from tests.security.test_account_handlers import _call, _page, _signed_in


@pytest.fixture
def delhi(world) -> dict[str, int]:
    """A Delhi customer and a Delhi invoice, which nobody working in Mumbai may find."""
    customer = add_customer(world.actor("manager", world.dl), name="Kavya Rao", phone="+91 99111 22222")
    with unit_of_work() as session:
        invoice = Invoice(store_id=world.dl, number="DEL/2627/000001", status="issued", total=Decimal("1000.00"))
        session.add(invoice)
        session.flush()
        return {"customer": customer.id, "invoice": invoice.id}


@pytest.mark.parametrize(
    ("handler", "args"), [("search", ("Kavya",)), ("key", ("Enter",)), ("open_hit", (0,)), ("close", ())]
)
def test_without_a_session_nothing_is_searched_or_opened(world, delhi, handler, args):
    state = _page(SearchState, cookie="jewelerp_session=forged")
    with pytest.raises(SessionEnded):
        _call(state, handler, *args)
    assert (state.query, state.results) == ("", [])


def test_another_stores_customers_and_documents_are_not_found(world, delhi):
    state = _page(SearchState, cookie=_signed_in("manager@test.in"))  # working in Mumbai
    for typed in ("Kavya Rao", "+91 99111 22222", f"#{delhi['customer']}", "DEL/2627/000001"):
        _call(state, "search", typed)
        assert state.results == [], typed
        assert state.is_open  # the list says "Nothing found in this store."


def test_only_a_result_the_box_showed_can_be_opened(world, delhi):
    add_customer(world.actor("manager"), name="Priya Shah", phone="+91 98200 12345")
    state = _page(SearchState, cookie=_signed_in("sales@test.in"))
    _call(state, "search", "98200 12345")
    assert [r["title"] for r in state.results] == ["Priya Shah"]
    for forged in (1, -1, "0", f"/billing/invoices/{delhi['invoice']}", None, 10**30):
        assert _call(state, "open_hit", forged) is None  # no redirect anywhere
    assert [r["title"] for r in state.results] == ["Priya Shah"]
    opened = _call(state, "open_hit", 0)
    assert "/clienteling/customers/" in str(opened)
    assert (state.query, state.results, state.is_open) == ("", [], False)


@pytest.mark.parametrize(
    "typed",
    [
        "9" * 1_000_000,
        "%" * 5000,
        "_%\\" * 20,
        "MUM/%",
        "MUM_",
        "\x00" * 100,
        "AB\ud7ff",
        "AB\U0010ffff",
        {"a": 1},
        None,
    ],
)
def test_huge_or_odd_input_searches_nothing_and_keeps_the_state_small(world, delhi, typed):
    state = _page(SearchState, cookie=_signed_in("manager@test.in"))
    _call(state, "search", typed)
    assert state.results == [] and len(state.query) <= MAX_QUERY
    assert not (isinstance(typed, str) and len(typed) > MAX_QUERY and state.is_open)


def test_keys_move_only_within_the_results(world):
    for n, name in enumerate(("Asha Iyer", "Asha Menon")):
        add_customer(world.actor("manager"), name=name, phone=f"+91 98200 1000{n}")
    state = _page(SearchState, cookie=_signed_in("manager@test.in"))
    _call(state, "search", "asha")
    assert [r["title"] for r in state.results] == ["Asha Iyer", "Asha Menon"]
    _call(state, "key", "ArrowUp")
    assert state.active == 1  # up from nothing highlights the last
    _call(state, "key", "ArrowDown")
    assert state.active == 0  # and wraps round
    _call(state, "key", "Tab")
    assert state.active == 0
    _call(state, "key", "Escape")
    assert (state.is_open, state.active) == (False, -1)
    assert _call(state, "key", "Enter") is None  # a closed list opens nothing
