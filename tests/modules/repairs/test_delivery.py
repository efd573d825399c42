"""Delivery: the pickup check against the intake record, the balance (counter payments or a module's
"repairs.amount_paid" answer), a manager's sign-off with a note, our piece back into stock, the event."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from jewelerp.db import read_session
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from jewelerp.registry import get_registry
from modules.repairs import delivery
from modules.repairs.delivery import DeliveryInput, deliver_job
from modules.repairs.jobs import StoneInput, job_stones
from modules.repairs.models import JobStone
from modules.repairs.payments import balance_due, record_payment, set_final_charge
from modules.repairs.stages import move_job
from modules.stock.models import Piece
from tests.modules.repairs.intake import customer, intake, job, our_piece, run

TO_READY = ("estimated", "approved", "in workshop", "quality check", "ready")
RUBIES = [StoneInput("Ruby", "2", "0.500")]


def paid_in_full(session, actor, job):
    """A stand-in for billing's bridge: everything is paid."""
    return job.final_charge or job.estimate


def _ready(actor, **fields):
    taken = intake(actor, customer(actor), **fields)
    for stage in TO_READY:
        run(actor, lambda s, a, stage=stage: move_job(s, a, taken.id, stage))
    return taken


def _deliver(actor, job_id, weight="10.000", stones=RUBIES, **fields):
    data = DeliveryInput(weight_out=weight, stones_out=list(stones), **fields)
    return run(actor, lambda s, a: deliver_job(s, a, job_id, data))


def _pay(actor, job_id, amount):
    return run(actor, lambda s, a: record_payment(s, a, job_id, amount))


def test_an_unpaid_balance_stops_delivery_until_it_is_paid(world):
    sales = world.actor("sales")
    taken = _ready(sales)
    with pytest.raises(JewelError, match="A balance of ₹1,000 is unpaid. A manager must sign off"):
        _deliver(sales, taken.id)
    run(sales, lambda s, a: set_final_charge(s, a, taken.id, "1,800"))
    with pytest.raises(ValidationError) as err:
        _pay(sales, taken.id, "0")
    assert err.value.fields == {"amount": "Enter the amount received."}
    assert _pay(sales, taken.id, "1000").paid == Decimal("1500.00")
    with pytest.raises(JewelError, match="A balance of ₹300 is unpaid"):
        _deliver(sales, taken.id)
    _pay(sales, taken.id, "300")
    done = _deliver(sales, taken.id, weight="10.015")
    assert (done.stage, done.weight_out, done.override_by) == ("delivered", Decimal("10.015"), "")
    assert done.delivered_at is not None and done.version == 6
    with read_session() as session:
        counted = job_stones(session, sales, taken.id, "out")
        assert balance_due(session, sales, job(taken.id)) == 0
    assert [(s.kind, s.count, s.carats) for s in counted] == [("Ruby", 2, Decimal("0.500"))]
    with pytest.raises(JewelError, match="already delivered"):
        _deliver(sales, taken.id)
    with pytest.raises(JewelError, match="was delivered"):
        _pay(sales, taken.id, "10")


def test_weight_and_stone_differences_need_a_managers_sign_off_with_a_note(world):
    sales, manager = world.actor("sales"), world.actor("manager")
    taken = _ready(sales, deposit="1500")
    with pytest.raises(JewelError) as err:
        _deliver(sales, taken.id, weight="9.870", stones=[StoneInput("Ruby", "1", "0.250")])
    assert err.value.message == (
        "Weight out 9.870 g is 0.130 g less than the 10.000 g taken in (allowed ±0.020 g). "
        "Ruby: 2 taken in, 1 counted now. A manager must sign off the difference with a note."
    )
    with pytest.raises(JewelError, match="Ruby: 0.500 ct taken in, 0.350 ct now"):
        _deliver(sales, taken.id, stones=[StoneInput("ruby", "2", "0.350")])
    with pytest.raises(PermissionDenied):
        _deliver(sales, taken.id, weight="9.870", override=True, note="Customer agreed")
    with pytest.raises(ValidationError) as err:
        _deliver(manager, taken.id, weight="9.870", override=True, note=" ")
    assert set(err.value.fields) == {"note"}
    with pytest.raises(ValidationError) as err:
        _deliver(manager, taken.id, weight="", stones=[StoneInput("", "1", "0.1")])
    assert set(err.value.fields) == {"weight_out", "stones_out"}
    assert job(taken.id).stage == "ready"
    done = _deliver(manager, taken.id, weight="9.870", override=True, note="Shank re-polished, customer agreed")
    assert (done.stage, done.override_by, done.override_note) == (
        "delivered",
        "Manager",
        "Shank re-polished, customer agreed",
    )


def test_delivery_comes_after_the_stage_before_it(world):
    sales = world.actor("sales")
    taken = intake(sales, customer(sales), deposit="1500")
    with pytest.raises(JewelError, match="is at “Received”: a job is delivered from “Ready”"):
        _deliver(sales, taken.id)
    assert not _out_stones()


def _out_stones():
    with read_session() as session:
        return session.scalars(select(JobStone).where(JobStone.phase == "out")).all()


def test_our_piece_goes_back_into_stock_and_the_event_carries_the_money(world, monkeypatch):
    manager = world.actor("manager")
    piece = our_piece(manager)
    taken = _ready(manager, piece_sku=piece.sku, weight_in="6.000", stones=[])
    heard = []
    monkeypatch.setattr(delivery, "emit", lambda s, a, record, event, payload: heard.append((record, event, payload)))
    _pay(manager, taken.id, "1000")
    _deliver(manager, taken.id, weight="6.000", stones=[])
    with read_session() as session:
        assert session.get(Piece, piece.id).status == "in_stock"
    assert heard == [
        (
            "repairs.job",
            "delivered",
            {
                "job_id": taken.id,
                "number": taken.number,
                "kind": "repair",
                "store_id": world.mum,
                "customer_id": taken.customer_id,
                "estimate": "1500.00",
                "deposit": "500.00",
                "final_charge": "0.00",
                "paid": "1500.00",
                "override": False,
            },
        )
    ]


def test_a_module_that_takes_the_money_answers_what_was_paid(world, monkeypatch):
    repairs = get_registry().module("repairs")
    monkeypatch.setitem(repairs.contributions, "repairs.amount_paid", (f"{__name__}:paid_in_full",))
    sales = world.actor("sales")
    taken = _ready(sales)
    assert taken.paid == 0  # the deposit is billing's business then
    with pytest.raises(JewelError, match="taken in billing"):
        _pay(sales, taken.id, "100")
    assert _deliver(sales, taken.id).stage == "delivered"
