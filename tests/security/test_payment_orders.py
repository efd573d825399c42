"""The payment orders page's handlers, called as anyone with a websocket can call them: without a session they
read nothing (not even the address or the form); without the permission they show nothing; another store's order
cannot be marked refunded; junk arguments change nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from jewelerp.db import read_session
from jewelerp.errors import SessionEnded
from modules.payments.models import PaymentOrder
from modules.payments.pages import PaymentOrdersTable
from tests.modules.payments.refund_orders import paid_twice
from tests.modules.payments.webhooks import set_webhook_secret, use_test_gateway
from tests.security.test_account_handlers import _call, _page, _signed_in


class Trap(dict):
    """A form that fails the test the moment a handler reads it."""

    def get(self, *_args, **_kwargs):
        raise AssertionError("the handler read its arguments before checking the session")

    def __getitem__(self, key):
        return self.get(key)


@pytest.fixture
def refunds(world) -> dict[str, int]:
    """An order needing a refund in Mumbai and one in Delhi."""
    use_test_gateway(world)
    set_webhook_secret(world)
    return {
        "mumbai": paid_twice(world.actor("manager"), "JOB-7", "1500.00"),
        "delhi": paid_twice(world.actor("manager", world.dl), "JOB-9", "900.00", payment_id="pay_Delhi000001"),
    }


def _snapshot() -> list[tuple]:
    with read_session() as session:
        rows = session.exec(select(PaymentOrder).order_by(PaymentOrder.id))
        return [(o.id, o.status, o.refund_note, o.refunded_at) for o in rows]


def _no_url(_state) -> None:
    raise AssertionError("the handler read the address before checking the session")


HANDLERS = [
    ("load", ()),
    ("set_filter", ("status", "to_refund")),
    ("set_date", ("from", "2026-12-01")),
    ("start_refund", ("1",)),
    ("save_refund", (Trap(refund_note="rfnd_1"),)),
]


@pytest.mark.parametrize(("handler", "args"), HANDLERS)
@pytest.mark.parametrize("cookie", ["", "jewelerp_session=forged"])
def test_without_a_session_nothing_is_read_or_changed(world, refunds, monkeypatch, cookie, handler, args):
    monkeypatch.setattr(PaymentOrdersTable, "_load", _no_url)
    state = _page(PaymentOrdersTable, cookie=cookie)
    before = _snapshot()
    with pytest.raises(SessionEnded):
        _call(state, handler, *args)
    assert _snapshot() == before
    assert (state.rows, state.refunding, state.filters) == ([], {}, {})


@pytest.mark.parametrize(("handler", "args"), HANDLERS)
def test_without_the_permission_nothing_shows_or_changes(world, refunds, handler, args):
    state = _page(PaymentOrdersTable, cookie=_signed_in("sales@test.in"))
    state.refunding = {"id": str(refunds["mumbai"])}  # as if the form had been open
    before = _snapshot()
    args = ({"refund_note": "rfnd_1"},) if handler == "save_refund" else args
    _call(state, handler, *args)
    assert _snapshot() == before
    assert (state.rows, state.refunding, state.refund_count, state.message_ok) == ([], {}, 0, False)
    assert state.message == "You do not have permission to do this."


def test_another_stores_order_cannot_be_marked_refunded(world, refunds):
    state = _page(PaymentOrdersTable, cookie=_signed_in("manager@test.in"))  # working in Mumbai
    _call(state, "load")
    assert [r["id"] for r in state.rows] == [str(refunds["mumbai"])] and state.refund_count == 1
    _call(state, "start_refund", str(refunds["delhi"]))
    assert state.refunding == {}  # only a row this page shows opens the form
    state.refunding = {"id": str(refunds["delhi"])}  # forged
    before = _snapshot()
    _call(state, "save_refund", {"refund_note": "rfnd_forged"})
    assert state.message == "That payment order does not exist in this store."
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("handler", "args"),
    [
        ("set_filter", (None, None)),
        ("set_filter", ("status", {"evil": 1})),
        ("set_filter", ("scope", "all")),
        ("set_filter", ("status", "x" * 5000)),
        ("set_date", ("from", "9999-99-99")),
        ("set_date", ("to", ["2026-12-01"])),
        ("set_date", ("evil", "2026-12-01")),
        ("start_refund", (None,)),
        ("start_refund", ("-1",)),
        ("save_refund", (None,)),
        ("save_refund", ({"refund_note": ["rfnd_1"]},)),
        ("save_refund", ({"refund_note": "x" * 100_000},)),
    ],
)
def test_junk_arguments_change_nothing(world, refunds, handler, args):
    state = _page(PaymentOrdersTable, cookie=_signed_in("manager@test.in"))
    _call(state, "load")
    shown = list(state.rows)
    _call(state, "start_refund", str(refunds["mumbai"]))
    before = _snapshot()
    _call(state, handler, *args)
    assert _snapshot() == before
    assert state.rows == shown and set(state.filters) <= {"status", "from", "to"}
    assert state.filters.get("status", "") == "" and state.filters.get("from", "") == ""


def test_the_manager_marks_the_refund_through_the_page(world, refunds):
    state = _page(PaymentOrdersTable, cookie=_signed_in("manager@test.in"))
    _call(state, "load")
    _call(state, "start_refund", str(refunds["mumbai"]))
    assert state.refunding["payment"] == "pay_Second00001"
    _call(state, "save_refund", {"refund_note": ""})
    assert "refund_note" in state.errors and state.refunding
    _call(state, "save_refund", {"refund_note": "rfnd_FP8DDKxqJif6ca"})
    assert state.message == "Payment pay_Second00001 is marked refunded." and state.refunding == {}
    assert state.refund_count == 0
    assert state.rows[0]["status"] == "Refunded" and "rfnd_FP8DDKxqJif6ca" in state.rows[0]["notes"]
