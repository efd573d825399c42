"""Stages: the store's lists, one stage at a time unless skipping is allowed, going back, delivery only
through the delivery form, the design rule of custom orders, races between two people, and the "ready"
notifications that respect the customer's consent."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update

from jewelerp.core.roles import set_grant
from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, PermissionDenied
from jewelerp.notifications.models import Notification, OutboxMessage
from modules.repairs import stages
from modules.repairs.models import Job, JobPhoto, StageMove
from modules.repairs.stages import (
    move_job,
    next_stage,
    parse_stages,
    record_move,
    stage_history,
    stage_label,
    stages_for,
)
from tests.modules.repairs.intake import customer, intake, job, png, run

REPAIR = ["received", "estimated", "approved", "in workshop", "quality check", "ready", "delivered"]


def _move(actor, job_id, to_stage, note="", photos=(), **options):
    return run(actor, lambda s, a: move_job(s, a, job_id, to_stage, note, photos, **options))


def _setting(world, key, value, store=None):
    with unit_of_work() as session:
        set_setting(session, world.actor("manager"), store or world.mum, key, value)


def _walk(actor, job_id, *to_stages):
    for stage in to_stages:
        _move(actor, job_id, stage)


def test_each_kind_has_the_stores_stages_with_delivered_last(world):
    with read_session() as session:
        assert stages_for(session, world.mum, "repair") == REPAIR
        assert stages_for(session, world.mum, "custom")[3] == "metal issued"
        with pytest.raises(JewelError):
            stages_for(session, world.mum, "melting")
    assert parse_stages(" Received,, delivered , Polishing ,received, In   Workshop") == [
        "received",
        "polishing",
        "in workshop",
        "delivered",
    ]
    _setting(world, "repairs.repair_stages", "received, polishing, ready")
    with read_session() as session:
        assert stages_for(session, world.mum, "repair") == ["received", "polishing", "ready", "delivered"]
        assert stages_for(session, world.dl, "repair") == REPAIR
    assert stage_label("in workshop") == "In workshop" and stage_label("polishing") == "Polishing"


def test_a_job_moves_one_stage_at_a_time_and_may_go_back(world, tmp_path):
    sales = world.actor("sales")
    taken = intake(sales, customer(sales))
    with pytest.raises(JewelError, match="one stage at a time: next is “Estimated”"):
        _move(sales, taken.id, "approved")
    move = _move(sales, taken.id, "Estimated", "Checked the claw", [("claw.png", png())], upload_dir=tmp_path)
    assert (move.from_stage, move.to_stage, move.note, move.skipped) == (
        "received",
        "estimated",
        "Checked the claw",
        False,
    )
    after = job(taken.id)
    assert (after.stage, after.version) == ("estimated", 1) and after.stage_since > taken.stage_since
    with read_session() as session:
        photo = session.scalars(select(JobPhoto).where(JobPhoto.job_id == taken.id)).one()
        assert (photo.move_id, photo.caption) == (move.id, "Estimated")
        assert next_stage(session, after) == "approved"
    _move(sales, taken.id, "received", "Customer wants a new estimate")
    with pytest.raises(JewelError, match="already at “Received”"):
        _move(sales, taken.id, "received")
    with pytest.raises(JewelError, match="not one of this store's stages"):
        _move(sales, taken.id, "polishing")
    with read_session() as session:
        history = stage_history(session, sales, taken.id)
    assert [(m.from_stage, m.to_stage) for m in history] == [
        ("", "received"),
        ("received", "estimated"),
        ("estimated", "received"),
    ]


def test_skipping_needs_the_stores_permission_and_is_marked(world):
    sales = world.actor("sales")
    taken = intake(sales, customer(sales))
    _setting(world, "repairs.allow_skip", "yes")
    move = _move(sales, taken.id, "in workshop")
    assert move.skipped and job(taken.id).stage == "in workshop"


def test_delivered_is_reached_only_through_delivery_and_never_left(world):
    sales = world.actor("sales")
    taken = intake(sales, customer(sales))
    _walk(sales, taken.id, *REPAIR[1:6])
    with pytest.raises(JewelError, match="Use the delivery form"):
        _move(sales, taken.id, "delivered")
    with unit_of_work() as session:
        session.execute(update(Job).where(Job.id == taken.id).values(stage="delivered"))
    with pytest.raises(JewelError, match="was delivered"):
        _move(sales, taken.id, "ready")


def test_metal_is_issued_only_after_the_customer_approves_a_design(world):
    designer = world.actor("designer")
    order = intake(designer, customer(world.actor("sales")), kind="custom", weight_in="", stones=[])
    _walk(designer, order.id, "design", "customer approval")
    with pytest.raises(JewelError, match="approves a design version"):
        _move(designer, order.id, "metal issued")
    _setting(world, "repairs.allow_skip", "yes")
    with pytest.raises(JewelError, match="approves a design version"):
        _move(designer, order.id, "making")
    with unit_of_work() as session:
        session.execute(update(Job).where(Job.id == order.id).values(approved_version_id=1))
    assert _move(designer, order.id, "metal issued").to_stage == "metal issued"


def test_moves_check_the_permission_and_the_store(world):
    taken = intake(world.actor("sales"), customer(world.actor("sales")))
    with pytest.raises(JewelError, match="does not exist in this store"):
        _move(world.actor("manager", world.dl), taken.id, "estimated")
    with unit_of_work() as session:
        set_grant(session, world.actor("admin"), "designer", "repairs.job.edit", False)
    with pytest.raises(PermissionDenied):
        _move(world.actor("designer"), taken.id, "estimated")


def test_two_people_moving_one_card_one_wins_the_other_is_told(world):
    sales, manager = world.actor("sales"), world.actor("manager")
    taken = intake(sales, customer(sales))
    _move(sales, taken.id, "estimated", from_stage="received")
    with pytest.raises(JewelError, match="was just moved to “Estimated” by Sales; look again"):
        _move(manager, taken.id, "estimated", from_stage="received")
    with unit_of_work(manager) as session:  # a stale copy: someone moved the job after it was read
        stale = session.get(Job, taken.id)
        bump = update(Job).where(Job.id == taken.id).values(version=Job.version + 1)
        session.execute(bump.execution_options(synchronize_session=False))
        with pytest.raises(JewelError, match="was just changed"):
            record_move(session, manager, stale, "approved")
    results: list[str] = []
    barrier = threading.Barrier(2)

    def attempt(actor):
        barrier.wait()
        try:
            _move(actor, taken.id, "approved", from_stage="estimated")
            results.append("moved")
        except JewelError as err:
            results.append(err.message)

    threads = [threading.Thread(target=attempt, args=(who,)) for who in (sales, manager)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused, moved = sorted(results)  # the loser is told, whether it read the job before the winner wrote it
    assert moved == "moved" and "look again" in refused  # (PostgreSQL) or waited for the winner (SQLite)
    with read_session() as session:
        assert len(stage_history(session, sales, taken.id)) == 3


def test_intake_and_moves_emit_an_event_and_are_announced_on_the_board(world, monkeypatch):
    from jewelerp import live

    pushed: list[str] = []
    monkeypatch.setattr(live, "push_soon", pushed.append)
    sales = world.actor("sales")
    taken = intake(sales, customer(sales))
    board = f"repairs.board:{world.mum}"
    assert pushed == [board]  # a new card on Mumbai's board
    heard = []
    monkeypatch.setattr(stages, "emit", lambda s, a, record, event, payload: heard.append((record, event, payload)))
    _move(sales, taken.id, "estimated")
    assert heard == [
        (
            "repairs.job",
            "moved",
            {"job_id": taken.id, "number": taken.number, "from": "received", "to": "estimated", "store_id": world.mum},
        )
    ]
    assert pushed == [board, board, f"repairs.job:{taken.id}"]  # a move reaches pages showing the job too


def test_ready_notifies_staff_and_the_customer_on_the_channels_they_allow(world):
    sales = world.actor("sales")
    allows = customer(sales, consent_email=True, consent_whatsapp=True, consent_sms=True)
    silent = customer(sales, "Anil Mehta", phone="+91 98110 22222", email="anil@example.com")
    first = intake(sales, allows, assigned_user_id=str(world.users["designer"]))
    second = intake(sales, silent)
    for taken in (first, second):
        _walk(sales, taken.id, *REPAIR[1:6])
    with read_session() as session:
        notes = session.scalars(select(Notification).order_by(Notification.id)).all()
        sent = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(n.user_id, n.title, n.link) for n in notes] == [
        (world.users["designer"], f"{first.number} is ready to collect", f"/repairs/jobs/{first.id}"),
        (world.users["sales"], f"{second.number} is ready to collect", f"/repairs/jobs/{second.id}"),
    ]
    assert [(m.channel, m.recipient, m.source) for m in sent] == [
        ("email", "kavya@example.com", "repairs.ready"),
        ("whatsapp", "+919820012345", "repairs.ready"),
    ]
    assert "Balance to pay: ₹1,000." in sent[0].body and f"/r/{first.public_token}" in sent[0].body
    assert not any(m.channel == "sms" for m in sent)
    with read_session() as session:
        assert session.scalars(select(StageMove).where(StageMove.to_stage == "ready")).all()
