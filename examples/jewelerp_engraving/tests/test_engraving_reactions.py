"""What engraving does on its own: a cancelled invoice cancels its open requests once billing has committed,
and the daily job tells the store's staff what is due today."""

from __future__ import annotations

from datetime import timedelta

import pytest
from jewelerp_engraving.models import EngravingRequest
from jewelerp_engraving.services import RequestInput, create_request, mark_done

from jewelerp import scheduler
from jewelerp.db import read_session, unit_of_work
from jewelerp.notifications import unread_for
from jewelerp.testing import run_as
from modules.billing.api import cancel_invoice, sale_summary


def _take(world, sale, days: int = 0) -> int:
    typed = RequestInput(sale.number, sale.sku, "Ira 12.12.2026", "block", str(sale.today + timedelta(days=days)))
    return run_as(world.actor("sales"), create_request, typed).id


def _status(request_id: int) -> str:
    with read_session() as session:
        return session.get(EngravingRequest, request_id).status


def test_cancelling_the_invoice_cancels_its_open_requests_after_billing_commits(world, sale):
    still_open, finished = _take(world, sale), _take(world, sale, days=1)
    run_as(world.actor("manager"), mark_done, finished)
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        cancel_invoice(session, manager, sale_summary(session, manager, sale.number).invoice_id, "Customer returned")
        assert session.get(EngravingRequest, still_open).status == "open"  # nothing runs inside billing's work
    assert (_status(still_open), _status(finished)) == ("cancelled", "done")


def test_a_cancellation_that_rolls_back_leaves_the_requests_open(world, sale):
    request = _take(world, sale)
    manager = world.actor("manager")
    with pytest.raises(RuntimeError), unit_of_work(manager) as session:
        cancel_invoice(session, manager, sale_summary(session, manager, sale.number).invoice_id, "Customer returned")
        raise RuntimeError("the till crashed")
    assert _status(request) == "open"


def test_the_daily_job_tells_the_stores_staff_what_is_due_today(world, sale):
    _take(world, sale)
    _take(world, sale, days=1)
    run = scheduler.run_job("engraving.due_today", trigger="manual")
    assert run.status == "ok"
    for role in ("manager", "sales"):
        with read_session() as session:
            notices = unread_for(session, world.actor(role))
        assert [(n.title, n.link) for n in notices] == [("Engraving: 1 piece(s) due today", "/engraving")]
        assert sale.sku in notices[0].body
    with read_session() as session:
        assert unread_for(session, world.actor("manager", world.dl)) == []  # Delhi has nothing due
        assert unread_for(session, world.actor("designer")) == []
