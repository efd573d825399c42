"""The payment orders list of a store's managers: newest first, rupees in Indian grouping, what each order pays
for and who paid, filtered by status and by the store's dates; another store's orders never show."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from jewelerp.errors import PermissionDenied
from jewelerp.testing import run_as
from jewelerp.ui.table_query import TableQuery
from modules.payments.order_list import PAYMENT_ORDERS, refunds_due
from modules.payments.refunds import mark_refunded
from tests.modules.payments.refund_orders import open_order, opened_at, paid_twice
from tests.modules.payments.webhooks import set_webhook_secret


def _rows(actor, **filters) -> list[dict[str, str]]:
    rows, _total = run_as(actor, lambda s, a: PAYMENT_ORDERS.fetch(s, a, TableQuery(filters=filters)))
    return rows


@pytest.fixture
def orders(world) -> dict[str, int]:
    set_webhook_secret(world)
    manager = world.actor("manager")
    made = {
        "old": open_order(manager, "JOB-1", "250000.00", customer="Ravi Kumar").id,
        "twice": paid_twice(manager, "JOB-2", "120000.50"),
        "new": open_order(manager, "JOB-3", "999.00").id,
        "delhi": open_order(world.actor("manager", world.dl), "JOB-9", "5.00").id,
    }
    opened_at(made["old"], datetime(2026, 11, 30, 20, 0, tzinfo=UTC))  # 1 Dec 01:30 in Mumbai
    opened_at(made["twice"], datetime(2026, 12, 3, 6, 0, tzinfo=UTC))
    return made


def test_newest_first_with_what_who_how_much_and_the_refund_flag(world, orders):
    rows = _rows(world.actor("manager"))
    assert [r["id"] for r in rows] == [str(orders["new"]), str(orders["twice"]), str(orders["old"])]
    new, twice, old = rows
    assert (old["amount"], old["customer"], old["purpose"], old["status"]) == (
        "₹2,50,000.00",
        "Ravi Kumar",
        "Repair JOB-1, balance",
        "Pending",
    )
    assert old["opened"] == "01 Dec 2026 01:30"  # the store's time
    assert (twice["status"], twice["refund_needed"], twice["notes"]) == (
        "Refund needed",
        "yes",
        "JOB-2 is already paid",
    )
    assert twice["payment"] == "pay_Second00001" and twice["number"].startswith("order_test_")
    assert new["refund_needed"] == "" and new["amount"] == "₹999.00"


def test_filters_by_status_and_the_stores_dates(world, orders):
    manager = world.actor("manager")
    assert [r["id"] for r in _rows(manager, status="to_refund")] == [str(orders["twice"])]
    assert [r["id"] for r in _rows(manager, status="pending", **{"from": "2026-12-01", "to": "2026-12-01"})] == [
        str(orders["old"])
    ]
    assert [r["id"] for r in _rows(manager, **{"from": "2026-12-02", "to": "2026-12-03"})] == [str(orders["twice"])]
    everything = _rows(manager)
    for junk in ({"status": "deleted"}, {"from": "yesterday"}, {"to": "0001-01-01"}, {"from": "2026-13-40"}):
        assert _rows(manager, **junk) == everything  # a filter it cannot read filters nothing


def test_the_refunds_due_are_counted_and_a_refund_shows_in_the_notes(world, orders):
    manager = world.actor("manager")
    assert run_as(manager, refunds_due) == 1
    run_as(manager, mark_refunded, str(orders["twice"]), "rfnd_FP8DDKxqJif6ca")
    assert run_as(manager, refunds_due) == 0
    (row,) = _rows(manager, status="refunded")
    assert re.fullmatch(
        r"JOB-2 is already paid\. Refunded \d\d \w{3} \d{4} \d\d:\d\d by .+: rfnd_FP8DDKxqJif6ca", row["notes"]
    )


def test_only_the_stores_own_orders_and_only_for_managers(world, orders):
    assert [r["id"] for r in _rows(world.actor("manager", world.dl))] == [str(orders["delhi"])]
    with pytest.raises(PermissionDenied):
        _rows(world.actor("sales"))
