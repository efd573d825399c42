"""Opening an order: the gateway is asked with no transaction open (another writer gets through meanwhile), a
gateway that fails leaves a failed order with its message and never blocks the next try, two clicks at once open
one gateway order, and an order a stopped server left half-opened does not block the thing from being paid."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from jewelerp.db import get_engine, read_session, unit_of_work, utcnow
from jewelerp.errors import JewelError
from modules.payments import opening
from modules.payments.gateways import RazorpayGateway
from modules.payments.models import PaymentOrder
from modules.payments.opening import ABANDONED
from tests.modules.payments.refund_orders import open_order


def _open(actor, gateway, amount: str = "5000.00"):
    return open_order(actor, "MUM/S2627/00004#3", amount, gateway=gateway)


def _razorpay(answer) -> RazorpayGateway:
    return RazorpayGateway("https://gateway.test", "rzp_test_key", "secret", httpx.MockTransport(answer))


def _orders() -> list[PaymentOrder]:
    with read_session() as session:
        return list(session.exec(select(PaymentOrder).order_by(PaymentOrder.id)))


def _write_elsewhere() -> str:
    """Another writer, on its own connection, with half a second to get the write lock; returns the status our
    order has as that writer sees it."""
    engine = get_engine()
    if engine.dialect.name == "sqlite":
        connection = sqlite3.connect(engine.url.database, timeout=0.5, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")  # "database is locked" after 0.5 s if our order held the lock
            connection.execute("UPDATE payments_order SET description = description")
            (status,) = connection.execute("SELECT status FROM payments_order").fetchone()
            connection.execute("COMMIT")
        finally:
            connection.close()
        return status
    with engine.connect() as connection:
        connection.execute(text("SET lock_timeout = '500ms'"))
        status = connection.execute(text("SELECT status FROM payments_order FOR UPDATE")).scalar_one()
        connection.execute(text("UPDATE payments_order SET description = description"))
        connection.commit()
    return status


def test_no_transaction_is_open_while_the_gateway_answers(world):
    seen: list[tuple[int, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((get_engine().pool.checkedout(), _write_elsewhere()))
        return httpx.Response(200, json={"id": "order_Lockfree0001"})

    order = _open(world.actor("manager"), _razorpay(answer))
    assert seen == [(0, "creating")]  # no connection of ours checked out; the order was committed before the call
    (saved,) = _orders()
    assert (saved.status, saved.gateway_order_id, saved.customer_name) == ("pending", "order_Lockfree0001", "Asha Rao")
    assert order.token == saved.token and order.status == "pending"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda request: httpx.Response(500, json={"error": "down"}), r"refused the order \(HTTP 500\)"),
        (lambda request: (_ for _ in ()).throw(httpx.ConnectError("refused", request=request)), "could not be reached"),
        (lambda request: httpx.Response(200, content=b"<html>maintenance</html>"), "without an order id"),
        (lambda request: (_ for _ in ()).throw(RuntimeError("bug in a gateway adapter")), "could not be reached"),
    ],
)
def test_a_gateway_failure_leaves_a_failed_order_and_the_next_try_works(world, answer, message):
    manager = world.actor("manager")
    with pytest.raises(JewelError, match=message):
        _open(manager, _razorpay(answer))
    (failed,) = _orders()
    assert failed.status == "failed" and failed.gateway_order_id is None
    assert re.search(message, failed.note)  # what the customer was told is kept on the order
    again = _open(manager, _razorpay(lambda request: httpx.Response(200, json={"id": "order_Retry000001"})))
    assert again.status == "pending" and again.token != failed.token
    assert [o.status for o in _orders()] == ["failed", "pending"]


def test_two_clicks_at_once_open_one_gateway_order(world, monkeypatch):
    manager = world.actor("manager")
    calls: list[dict] = []
    inside, release, waiting = threading.Event(), threading.Event(), threading.Event()

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content))
        inside.set()
        release.wait(5)
        return httpx.Response(200, json={"id": "order_Once00000001"})

    real_await = opening._await

    def second_click_waits(order_id: int):
        waiting.set()
        return real_await(order_id)

    monkeypatch.setattr(opening, "_await", second_click_waits)
    gateway = _razorpay(answer)
    results: dict[str, object] = {}

    def click(name: str) -> None:
        results[name] = _open(manager, gateway)

    first = threading.Thread(target=click, args=("first",))
    first.start()
    assert inside.wait(5)  # the first click is in its gateway call
    second = threading.Thread(target=click, args=("second",))
    second.start()
    assert waiting.wait(5)  # the second click found the order being opened and waits for it
    release.set()
    first.join(5)
    second.join(5)
    assert len(calls) == 1
    assert results["first"].token == results["second"].token and results["second"].status == "pending"
    assert [(o.status, o.gateway_order_id) for o in _orders()] == [("pending", "order_Once00000001")]


def test_a_click_waiting_on_a_failing_first_click_hears_why(world, monkeypatch):
    manager = world.actor("manager")
    inside, release, waiting = threading.Event(), threading.Event(), threading.Event()

    def answer(request: httpx.Request) -> httpx.Response:
        inside.set()
        release.wait(5)
        return httpx.Response(503)

    real_await = opening._await
    monkeypatch.setattr(opening, "_await", lambda order_id: (waiting.set(), real_await(order_id))[1])
    gateway = _razorpay(answer)
    errors: dict[str, str] = {}

    def click(name: str) -> None:
        try:
            _open(manager, gateway)
        except JewelError as exc:
            errors[name] = exc.message

    first = threading.Thread(target=click, args=("first",))
    first.start()
    assert inside.wait(5)
    second = threading.Thread(target=click, args=("second",))
    second.start()
    assert waiting.wait(5)
    release.set()
    first.join(5)
    second.join(5)
    assert errors["first"] == errors["second"] == "The payment gateway refused the order (HTTP 503)."
    assert [o.status for o in _orders()] == ["failed"]


def test_an_order_a_stopped_server_left_half_opened_does_not_block_paying(world):
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        session.add(
            PaymentOrder(
                store_id=world.mum,
                token="left-behind-" + "x" * 20,
                purpose="tests.thing",
                reference="MUM/S2627/00004#3",
                customer_id=7,
                amount=Decimal("5000.00"),
                gateway="razorpay",
                status="creating",
                quoted_on=manager.today(),
                created_at=utcnow() - timedelta(minutes=2),
            )
        )
    order = _open(manager, _razorpay(lambda request: httpx.Response(200, json={"id": "order_After000001"})))
    left, new = _orders()
    assert (left.status, left.note) == ("failed", ABANDONED)
    assert (new.token, new.status) == (order.token, "pending")


def test_the_database_holds_one_open_order_per_thing_customer_amount_and_day(world):
    manager = world.actor("manager")

    def row(token: str, status: str) -> PaymentOrder:
        return PaymentOrder(
            store_id=world.mum,
            token=token * 30,
            purpose="tests.thing",
            reference="JOB-7",
            customer_id=7,
            amount=Decimal("10.00"),
            gateway="test",
            status=status,
            quoted_on=manager.today(),
        )

    with unit_of_work(manager) as session:
        session.add_all([row("a", "pending"), row("b", "failed"), row("c", "paid")])
    with pytest.raises(IntegrityError), unit_of_work(manager) as session:
        session.add(row("d", "creating"))
    assert [o.status for o in _orders()] == ["pending", "failed", "paid"]
