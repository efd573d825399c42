"""Intake: numbering, the intake record (stones, photos, terms), validation that saves nothing, our piece
going into repair through stock's ledger, assignment, the customer 360 section and the daily reminder."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import func, select, update

from jewelerp.core.roles import set_grant
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import NotFound, PermissionDenied, ValidationError
from jewelerp.notifications.models import Notification
from modules.repairs.customer import customer_jobs
from modules.repairs.jobs import StoneInput, assign_job, job_stones
from modules.repairs.models import Job, JobPhoto, StageMove
from modules.repairs.records import get_job, job_by_number
from modules.repairs.reminders import remind
from modules.stock.models import Movement, Piece
from tests.modules.repairs.intake import customer, in_days, intake, job, our_piece, png, run


def _count(model) -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_intake_keeps_the_whole_record_with_a_branch_number(world, tmp_path):
    sales = world.actor("sales")
    kavya = customer(sales)
    taken = intake(sales, kavya, tmp_path, photos=[("front.png", png())], condition_notes="Scratch on the shank")
    assert taken.number == f"RP-MUM-{taken.id:06d}" and taken.stage == "received"
    assert (taken.customer_name, taken.customer_phone) == ("Kavya Iyer", "+919820012345")
    assert (taken.weight_in, taken.estimate, taken.deposit, taken.paid) == (
        Decimal("10.000"),
        Decimal("1500.00"),
        Decimal("500.00"),
        Decimal("500.00"),
    )
    assert taken.warranty_days == 180 and taken.terms_accepted_by == "Kavya Iyer" and taken.terms_accepted_at
    assert len(taken.public_token) == 43 and taken.created_by == sales.user_name
    with read_session() as session:
        stones = job_stones(session, sales, taken.id)
        photo = session.scalars(select(JobPhoto).where(JobPhoto.job_id == taken.id)).one()
        first = session.scalars(select(StageMove).where(StageMove.job_id == taken.id)).one()
    assert [(s.kind, s.count, s.carats, s.phase) for s in stones] == [("Ruby", 2, Decimal("0.500"), "in")]
    assert photo.caption == "Intake" and not photo.shared and photo.path.startswith("repairs-photos/")
    with Image.open(tmp_path / photo.path) as stored:
        assert stored.format == "JPEG"
    assert (first.from_stage, first.to_stage, first.user_name) == ("", "received", sales.user_name)
    custom = intake(sales, kavya, kind="custom", weight_in="", item_description="Bridal necklace", stones=[])
    assert custom.number == f"CO-MUM-{custom.id:06d}" and custom.stage == "enquiry" and custom.warranty_days == 0
    delhi = intake(world.actor("manager", world.dl), kavya)
    assert delhi.number.startswith("RP-DEL-") and delhi.number != taken.number


def test_bad_input_names_each_field_and_saves_nothing(world, tmp_path):
    sales = world.actor("sales")
    kavya = customer(sales)
    with pytest.raises(ValidationError) as err:
        intake(
            sales,
            kavya + 99,
            tmp_path,
            requested_work=" ",
            promised_on=in_days(sales, -1),
            estimate="lots",
            weight_in="",
            warranty_days="-3",
            terms_accepted=False,
            stones=[StoneInput("Ruby", "two", "0.5")],
        )
    assert set(err.value.fields) == {
        "customer_id",
        "requested_work",
        "promised_on",
        "estimate",
        "weight_in",
        "warranty_days",
        "terms_accepted",
        "stones",
    }
    assert "Stone line 1" in err.value.fields["stones"]
    with pytest.raises(ValidationError) as err:
        intake(sales, kavya, tmp_path, photos=[("good.png", png()), ("notes.txt", b"not a photo")])
    assert err.value.fields == {"photo": "notes.txt is not a photo (use JPEG, PNG or WebP)."}
    with pytest.raises(ValidationError) as err:
        intake(sales, kavya, deposit="2000", weight_in="0")
    assert set(err.value.fields) == {"deposit", "weight_in"}
    assert _count(Job) == _count(StageMove) == _count(JobPhoto) == 0


def test_our_piece_goes_into_repair_through_the_stock_ledger(world, tmp_path):
    manager, sales = world.actor("manager"), world.actor("sales")
    kavya = customer(manager)
    piece = our_piece(manager)
    with pytest.raises(ValidationError) as err:
        intake(sales, kavya, piece_sku=piece.sku, item_description="")
    assert "needs a manager" in err.value.fields["piece_sku"]
    taken = intake(manager, kavya, piece_sku=piece.sku.lower(), item_description="")
    assert taken.piece_id == piece.id and taken.item_description == f"Our piece {piece.sku}"
    with read_session() as session:
        assert session.get(Piece, piece.id).status == "in_repair"
        movement = session.scalars(select(Movement).where(Movement.piece_id == piece.id).order_by(Movement.id.desc()))
        assert movement.first().reference == taken.number
    with pytest.raises(ValidationError) as err:
        intake(manager, kavya, piece_sku=piece.sku)
    assert "not in stock" in err.value.fields["piece_sku"]
    with pytest.raises(ValidationError) as err:
        intake(world.actor("manager", world.dl), kavya, piece_sku=piece.sku)
    assert "not at this branch" in err.value.fields["piece_sku"]


def test_jobs_stay_in_their_store_and_need_the_permissions(world):
    sales = world.actor("sales")
    taken = intake(sales, customer(sales))
    with read_session() as session, pytest.raises(NotFound):
        get_job(session, world.actor("manager", world.dl), taken.id)
    with read_session() as session:
        assert job_by_number(session, sales, f" {taken.number.lower()} ").id == taken.id
    with unit_of_work() as session:
        set_grant(session, world.actor("admin"), "sales", "repairs.job.edit", False)
    with pytest.raises(PermissionDenied):
        intake(world.actor("sales"), taken.customer_id)


def test_assigning_staff_and_karigar_checks_the_store(world):
    manager = world.actor("manager")
    taken = intake(manager, customer(manager))
    run(manager, lambda s, a: assign_job(s, a, taken.id, str(world.users["sales"]), ""))
    assert job(taken.id).assigned_user_id == world.users["sales"]
    with pytest.raises(ValidationError) as err:
        run(
            world.actor("manager", world.dl),
            lambda s, a: assign_job(s, a, _delhi_job(world), str(world.users["sales"]), "77"),
        )
    assert set(err.value.fields) == {"assigned_user_id", "karigar_id"}


def _delhi_job(world) -> int:
    manager = world.actor("manager", world.dl)
    return intake(manager, customer(manager, "Anil Mehta", phone="+91 98110 22222", email="anil@example.com")).id


def test_customer_360_lists_the_customers_jobs_in_this_store(world):
    sales = world.actor("sales")
    kavya = customer(sales)
    intake(sales, kavya)
    with read_session() as session:
        section = customer_jobs(session, sales, kavya)
        assert customer_jobs(session, sales, kavya + 1) is None
        assert customer_jobs(session, world.actor("manager", world.dl), kavya) is None
    assert section["title"] == "Repairs and custom orders"
    assert section["rows"][0]["stage"] == "Received" and section["rows"][0]["estimate"] == "₹1,500"


def test_the_daily_reminder_tells_staff_of_jobs_due_tomorrow_and_overdue(world):
    manager = world.actor("manager")
    kavya = customer(manager)
    tomorrow = intake(manager, kavya, promised_on=in_days(manager, 1), assigned_user_id=str(world.users["sales"]))
    late = intake(manager, kavya, promised_on=in_days(manager, 1))
    intake(manager, kavya, promised_on=in_days(manager, 3))
    with unit_of_work() as session:
        session.execute(update(Job).where(Job.id == late.id).values(promised_on=manager.today() - timedelta(days=2)))
    assert run(manager, remind) == 2
    with read_session() as session:
        notes = {n.user_id: n for n in session.scalars(select(Notification))}
    assert notes[world.users["sales"]].title == "Repairs: 1 due tomorrow"
    assert tomorrow.number in notes[world.users["sales"]].body
    assert notes[world.users["manager"]].title == "Repairs: 1 overdue"
    assert f"Overdue: {late.number}" in notes[world.users["manager"]].body
