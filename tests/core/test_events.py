"""After-commit event handlers: run once the emitter commits, each in its own unit of work, retried, isolated."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from jewelerp.cli import main
from jewelerp.core.event_deliveries import MAX_ATTEMPTS, retry_delay, run_due_deliveries
from jewelerp.core.housekeeping import purge_stale_records
from jewelerp.core.manifest import CORE
from jewelerp.core.models import EventDelivery
from jewelerp.core.module_states import disable_module
from jewelerp.db import get_engine, read_session, unit_of_work, utcnow
from jewelerp.errors import JewelError
from jewelerp.events import emit
from jewelerp.notifications.models import Notification
from jewelerp.notifications.staff import notify_staff
from jewelerp.registry import EventHandler, Module, Registry, set_registry
from tests.conftest import make_world

HERE = "tests.core.test_events"
SHOP = Module(name="shop", title="Shop", version="1.0", summary="Sales", emits=(("shop.sale", "made"),))
THANKS = Module(
    name="thanks",
    title="Thanks",
    version="1.0",
    summary="Thanks the seller of each sale",
    depends=("shop",),
    events=(
        EventHandler("shop.sale", "made", f"{HERE}:vet_sale"),
        EventHandler("shop.sale", "made", f"{HERE}:thank_seller", phase="after_commit"),
    ),
)
TALLY = Module(
    name="tally",
    title="Tally",
    version="1.0",
    summary="Counts sales",
    depends=("shop",),
    events=(EventHandler("shop.sale", "made", f"{HERE}:tally_sale", phase="after_commit"),),
)
RUNS: list[tuple[str, str, int]] = []  # (handler, sale, sale notes it saw committed) per successful run
BROKEN: set[str] = set()  # sales whose thank-you fails, until a test mends it


def vet_sale(session: Session, actor, payload: dict) -> None:
    """In-transaction handler: refuses a sale marked ``refused`` (the whole sale rolls back)."""
    if payload.get("refused"):
        raise JewelError("The vetting rule refused this sale.")


def thank_seller(session: Session, actor, payload: dict) -> None:
    """After-commit handler: leaves the seller a thank-you note (fails while the sale is in BROKEN)."""
    sale = payload["sale"]
    if sale in BROKEN:
        raise RuntimeError("thank-you service unreachable")
    notify_staff(session, actor.store_id, user_ids=[actor.user_id], title=f"Thanks for {sale}")
    RUNS.append(("thank", sale, _notes(session, f"Sale {sale}")))


def tally_sale(session: Session, actor, payload: dict) -> None:
    """After-commit handler of another module: always succeeds."""
    RUNS.append(("tally", payload["sale"], _notes(session, f"Sale {payload['sale']}")))


def _notes(session: Session, title: str) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(Notification.title == title))


@pytest.fixture
def shop(db, registry):
    """Stores MUM and DEL with shop, thanks and tally enabled; handler records cleared."""
    reg = Registry([CORE, SHOP, THANKS, TALLY])
    set_registry(reg)
    RUNS.clear()
    BROKEN.clear()
    return make_world(reg)


def _sell(actor, sale: str, **extra) -> None:
    """The emitter: records the sale (as a note to its seller) and emits ``shop.sale made``."""
    with unit_of_work(actor) as session:
        notify_staff(session, actor.store_id, user_ids=[actor.user_id], title=f"Sale {sale}")
        emit(session, actor, "shop.sale", "made", {"sale": sale, **extra})


def _deliveries() -> list[EventDelivery]:
    with read_session() as session:
        return list(session.exec(select(EventDelivery).order_by(EventDelivery.id)))


def _thanks(sale: str) -> int:
    with read_session() as session:
        return _notes(session, f"Thanks for {sale}")


def test_an_after_commit_handler_sees_the_committed_sale_and_runs_once(shop):
    _sell(shop.actor("sales"), "S-1")
    assert sorted(RUNS) == [("tally", "S-1", 1), ("thank", "S-1", 1)]  # each saw the sale committed
    assert _thanks("S-1") == 1
    assert [(d.module, d.status, d.attempts) for d in _deliveries()] == [("tally", "done", 1), ("thanks", "done", 1)]
    assert run_due_deliveries(utcnow() + timedelta(hours=1)) == {}  # nothing is left for the job
    assert _thanks("S-1") == 1


def test_an_emitter_that_rolls_back_leaves_no_delivery(shop):
    with pytest.raises(RuntimeError, match="till closed"), unit_of_work() as session:
        emit(session, shop.actor("sales"), "shop.sale", "made", {"sale": "S-2"})
        raise RuntimeError("till closed")
    assert _deliveries() == []
    run_due_deliveries(utcnow() + timedelta(hours=1))
    assert RUNS == []


def test_an_in_transaction_handler_still_rolls_the_emitter_back(shop):
    with pytest.raises(JewelError, match="vetting rule refused"):
        _sell(shop.actor("sales"), "S-3", refused=True)
    with read_session() as session:
        assert _notes(session, "Sale S-3") == 0
    assert _deliveries() == [] and RUNS == []


def test_a_failing_handler_keeps_the_sale_and_is_retried_after_its_backoff(shop, caplog):
    BROKEN.add("S-4")
    _sell(shop.actor("sales"), "S-4")  # no error reaches the seller
    with read_session() as session:
        assert _notes(session, "Sale S-4") == 1
    tally, thanks = _deliveries()
    assert (thanks.status, thanks.attempts, thanks.last_error) == (
        "pending",
        1,
        "RuntimeError: thank-you service unreachable",
    )
    assert tally.status == "done" and RUNS == [("tally", "S-4", 1)]  # another module's handler is not held back
    assert f"event delivery {thanks.id} (thanks {HERE}:thank_seller on shop.sale made) failed" in caplog.text
    BROKEN.clear()
    run_due_deliveries(thanks.next_attempt_at - timedelta(seconds=1))
    assert _thanks("S-4") == 0  # not before its backoff
    assert run_due_deliveries(thanks.next_attempt_at) == {"done": 1}
    assert _thanks("S-4") == 1 and _deliveries()[1].attempts == 2


def test_backoff_doubles_up_to_an_hour():
    assert [retry_delay(n) for n in (1, 2, 3, 7, 8)] == [timedelta(minutes=m) for m in (1, 2, 4, 60, 60)]


def test_after_the_last_try_the_delivery_fails_and_admins_are_told_then_can_retry(shop, caplog, capsys):
    BROKEN.add("S-5")
    _sell(shop.actor("sales"), "S-5")
    at = utcnow()
    for attempt in range(1, MAX_ATTEMPTS):
        at += retry_delay(attempt)
        run_due_deliveries(at)
    thanks = _deliveries()[1]
    assert (thanks.status, thanks.attempts) == ("failed", MAX_ATTEMPTS)
    assert run_due_deliveries(at + timedelta(days=1)) == {}  # given up
    assert f"event delivery {thanks.id} (thanks {HERE}:thank_seller" in caplog.text
    assert any(r.levelno == logging.ERROR and "failed for good" in r.getMessage() for r in caplog.records)
    with read_session() as session:
        notice = session.exec(select(Notification).where(Notification.user_id == shop.users["admin"])).one()
    assert notice.title == "The thanks module could not react to shop.sale made"
    assert f"jewelerp events retry {thanks.id}" in notice.body
    BROKEN.clear()
    assert main(["events", "retry", str(thanks.id)]) == 0
    run_due_deliveries()
    assert _thanks("S-5") == 1 and _deliveries()[1].status == "done"
    assert main(["events", "retry"]) == 1
    assert "no failed event delivery to retry" in capsys.readouterr().err


def test_a_modules_later_reaction_waits_for_its_earlier_one_in_the_store(shop):
    BROKEN.add("S-6")
    _sell(shop.actor("sales"), "S-6")
    _sell(shop.actor("sales"), "S-7")
    assert [r[:2] for r in RUNS] == [("tally", "S-6"), ("tally", "S-7")]  # thanks for S-7 waits behind S-6
    BROKEN.clear()
    run_due_deliveries(utcnow() + timedelta(minutes=3))
    assert [r[:2] for r in RUNS if r[0] == "thank"] == [("thank", "S-6"), ("thank", "S-7")]


def test_a_module_disabled_in_the_store_gets_no_delivery(shop):
    with unit_of_work() as session:
        disable_module(session, None, "thanks", shop.dl)
    _sell(shop.actor("manager", shop.dl), "D-1")
    assert [d.module for d in _deliveries()] == ["tally"]
    assert RUNS == [("tally", "D-1", 1)]


def test_a_module_disabled_before_its_retry_is_skipped(shop):
    BROKEN.add("S-8")
    _sell(shop.actor("sales"), "S-8")
    with unit_of_work() as session:
        disable_module(session, None, "thanks", shop.mum)
    BROKEN.clear()
    run_due_deliveries(utcnow() + timedelta(minutes=3))
    thanks = _deliveries()[1]
    assert thanks.status == "done" and "no longer enabled" in thanks.last_error and _thanks("S-8") == 0


def test_a_payload_that_is_not_json_is_refused_and_nothing_is_kept(shop):
    with pytest.raises(TypeError, match="shop.sale made: the payload for module 'tally'"):
        _sell(shop.actor("sales"), "S-9", when=utcnow())
    with read_session() as session:
        assert _notes(session, "Sale S-9") == 0
    assert _deliveries() == []


def test_two_job_runs_at_once_run_each_delivery_once(shop):
    sales = shop.actor("sales")
    with Session(get_engine()) as session:  # a process that stopped before its own after-commit run
        for n in range(6):
            emit(session, sales, "shop.sale", "made", {"sale": f"P-{n}"})
        session.commit()
    assert RUNS == []
    assert run_due_deliveries(utcnow() + timedelta(minutes=1)) == {}  # left to the emitter's process a while
    start = threading.Barrier(2)

    def job() -> None:
        start.wait()
        run_due_deliveries(utcnow() + timedelta(minutes=3))

    workers = [threading.Thread(target=job) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(r[:2] for r in RUNS) == sorted((h, f"P-{n}") for h in ("thank", "tally") for n in range(6))
    assert {(d.status, d.attempts) for d in _deliveries()} == {("done", 1)}
    assert all(_thanks(f"P-{n}") == 1 for n in range(6))


def test_done_deliveries_are_purged_after_two_weeks_failed_ones_stay(shop):
    _sell(shop.actor("sales"), "S-10")
    _sell(shop.actor("sales"), "S-11")
    old_done, failed, *recent = _deliveries()
    with unit_of_work() as session:
        old_done.done_at = utcnow() - timedelta(days=15)
        failed.status, failed.done_at = "failed", None
        session.add(old_done)
        session.add(failed)
    with unit_of_work() as session:
        purge_stale_records(session, None)
    assert [d.id for d in _deliveries()] == [failed.id, *(d.id for d in recent)]
