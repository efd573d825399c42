"""Karigars and their metal ledger: CRUD with the loss allowance, issues and receipts in fine grams to
the milligram, balances summed in SQL, closing a job's work with its loss, the over-allowance flag and
the managers' notice, and the rules around them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, NotFound, PermissionDenied, ValidationError
from jewelerp.notifications import notifications_for
from jewelerp.ui.table_query import TableQuery
from modules.repairs.karigars import (
    KARIGARS,
    LEDGER,
    IssueInput,
    KarigarInput,
    ReceiptInput,
    balance,
    create_karigar,
    fine_of,
    issue_metal,
    job_entries,
    job_from_number,
    job_work,
    open_work,
    receive_work,
    update_karigar,
)
from modules.repairs.models import Job, KarigarEntry
from tests.modules.repairs.jobrows import job_row


def _karigar(actor, name="Ramesh Soni", allowance="1.50", **fields) -> int:
    with unit_of_work(actor) as session:
        return create_karigar(session, actor, KarigarInput(name, loss_allowance_pct=allowance, **fields)).id


def _issue(actor, job_id, karigar_id, weight="10.000", fineness="916"):
    with unit_of_work(actor) as session:
        return issue_metal(session, actor, job_id, karigar_id, IssueInput(weight, fineness))


def _receive(actor, job_id, karigar_id, piece="", scrap="", fineness="916"):
    with unit_of_work(actor) as session:
        return receive_work(session, actor, job_id, karigar_id, ReceiptInput(piece, scrap, fineness))


def _balance(actor, karigar_id) -> Decimal:
    with read_session() as session:
        return balance(session, actor, karigar_id)


def _approved_custom(store_id: int) -> int:
    return job_row(store_id, stage="metal issued", approved_version_id=1)


def test_karigars_are_kept_per_store_with_a_checked_allowance(world):
    manager = world.actor("manager")
    karigar_id = _karigar(manager, " Ramesh   Soni ", "1.5", phone="98200 12345")
    with pytest.raises(ValidationError) as err:
        _karigar(manager, "ramesh soni", "101", phone="12")
    assert set(err.value.fields) == {"name", "loss_allowance_pct", "phone"}
    _karigar(world.actor("manager", world.dl), "Ramesh Soni")  # Delhi may have its own Ramesh
    with unit_of_work(manager) as session:
        karigar = update_karigar(
            session, manager, karigar_id, KarigarInput("Ramesh Soni", "+91 98200 12345", "2", active=False)
        )
        assert (karigar.phone, karigar.loss_allowance_pct, karigar.active) == ("+919820012345", Decimal("2.00"), False)
    with read_session() as session:
        rows, total = KARIGARS.fetch(session, manager, TableQuery())
        assert total == 1 and rows[0]["balance"] == "0.000 g" and rows[0]["allowance"] == "2.00%"
        assert KARIGARS.fetch(session, manager, TableQuery(filters={"active": "yes"}))[1] == 0
    with pytest.raises(PermissionDenied):
        _karigar(world.actor("sales"), "Suresh")
    with pytest.raises(NotFound), unit_of_work() as session:
        other = world.actor("manager", world.dl)
        update_karigar(session, other, karigar_id, KarigarInput("Taken"))


def test_issues_and_returns_are_fine_grams_to_the_milligram_and_the_balance_is_their_sum(world):
    manager = world.actor("manager")
    karigar_id = _karigar(manager)
    job_id = _approved_custom(world.mum)
    assert fine_of(Decimal("10.001"), 916) == Decimal("9.161")  # 9.160916 g
    _issue(manager, job_id, karigar_id, "10.001", "916")
    _issue(manager, job_id, karigar_id, "0.500", "999")
    assert _balance(manager, karigar_id) == Decimal("9.661")
    totals = _receive(manager, job_id, karigar_id, scrap="0.300", fineness="916")  # scrap alone leaves it open
    assert (totals.issued, totals.returned, totals.closed) == (Decimal("9.661"), Decimal("0.275"), False)
    assert _balance(manager, karigar_id) == Decimal("9.386")
    with read_session() as session:
        assert open_work(session, manager, karigar_id) == [(str(job_id), session.get(Job, job_id).number)]
        rows = job_entries(session, manager, job_id)
        ledger, count = LEDGER.fetch(session, manager, TableQuery(filters={"karigar": str(karigar_id)}))
        job = session.get(Job, job_id)
    assert [(r["what"], r["weight"], r["fine_in"], r["fine_out"]) for r in rows] == [
        ("Metal issued", "10.001 g", "9.161 g", ""),
        ("Metal issued", "0.500 g", "0.500 g", ""),
        ("Scrap received", "0.300 g", "", "0.275 g"),
    ]
    assert count == 3 and ledger[0]["what"] == "Scrap received"  # newest first
    assert (job.karigar_id, job.metal_fineness) == (karigar_id, 916)  # the first issue assigns the karigar


def test_the_piece_closes_the_work_within_the_allowance_quietly(world):
    manager = world.actor("manager")
    karigar_id = _karigar(manager, allowance="1.50")
    job_id = _approved_custom(world.mum)
    _issue(manager, job_id, karigar_id, "10.000", "916")  # 9.160 g fine
    totals = _receive(manager, job_id, karigar_id, piece="9.800", scrap="0.080")  # 8.977 + 0.073 back
    assert (totals.closed, totals.loss, totals.loss_pct, totals.over_allowance) == (
        True,
        Decimal("0.110"),
        Decimal("1.20"),
        False,
    )
    assert _balance(manager, karigar_id) == Decimal("0.110")  # the loss stays on the karigar's account
    with read_session() as session:
        assert notifications_for(session, manager) == []
        assert open_work(session, manager, karigar_id) == []
    with pytest.raises(JewelError, match="already returned the piece"):
        _receive(manager, job_id, karigar_id, scrap="0.010")
    with pytest.raises(JewelError, match="already returned the piece"):
        _issue(manager, job_id, karigar_id)


def test_a_loss_above_the_allowance_flags_the_receipt_and_tells_the_managers(world):
    manager = world.actor("manager")
    karigar_id = _karigar(manager, "Mohan Verma", allowance="1.00")
    job_id = _approved_custom(world.mum)
    _issue(manager, job_id, karigar_id, "20.000", "750")  # 15.000 g fine
    totals = _receive(manager, job_id, karigar_id, piece="19.500", fineness="750")  # 14.625 back: 2.5 % lost
    assert (totals.loss, totals.loss_pct, totals.over_allowance) == (Decimal("0.375"), Decimal("2.50"), True)
    with read_session() as session:
        flagged = session.exec(select(KarigarEntry).where(KarigarEntry.over_allowance)).all()
        (notice,) = notifications_for(session, manager)
        (work,) = job_work(session, manager, job_id)
    assert len(flagged) == 1 and flagged[0].kind == "piece"
    assert notice.title.startswith("Metal loss above allowance: Mohan Verma")
    assert "0.375 g" in notice.body and "2.50%" in notice.body and notice.link == f"/repairs/karigars/{karigar_id}"
    assert work.over_allowance and work.closed


def test_bad_input_and_wrong_jobs_change_nothing(world):
    manager = world.actor("manager")
    karigar_id = _karigar(manager)
    job_id = _approved_custom(world.mum)
    with pytest.raises(ValidationError) as err:
        _issue(manager, job_id, karigar_id, "-1", "1000")
    assert set(err.value.fields) == {"issue_weight", "issue_fineness"}
    with pytest.raises(ValidationError) as err:
        _issue(manager, job_id, karigar_id, "1.2345")
    assert "3 decimals" in err.value.fields["issue_weight"]
    with pytest.raises(ValidationError) as err:
        _receive(manager, job_id, karigar_id)
    assert "piece_weight" in err.value.fields
    with pytest.raises(JewelError, match="No metal was issued"):
        _receive(manager, job_id, karigar_id, piece="1.000")
    with pytest.raises(ValidationError):
        _issue(manager, 0, karigar_id)
    with pytest.raises(ValidationError):
        _issue(manager, job_id, 0)
    with pytest.raises(JewelError, match="delivered"):
        _issue(manager, job_row(world.mum, kind="repair", stage="delivered"), karigar_id)
    with pytest.raises(NotFound):
        _issue(world.actor("manager", world.dl), job_id, karigar_id)
    with pytest.raises(PermissionDenied):
        _issue(world.actor("sales"), job_id, karigar_id)
    assert _balance(manager, karigar_id) == Decimal("0.000")


def test_repairs_get_metal_without_a_design_and_jobs_are_found_by_number(world):
    manager = world.actor("manager")
    karigar_id = _karigar(manager)
    repair_id = job_row(world.mum, kind="repair", stage="in workshop")
    _issue(manager, repair_id, karigar_id, "0.250", "916")
    with read_session() as session:
        number = session.get(Job, repair_id).number
        assert job_from_number(session, manager, f" {number.lower()} ") == repair_id
        with pytest.raises(ValidationError):
            job_from_number(session, manager, "RP-NOPE-1")
    inactive = _karigar(manager, "Retired Karigar", active=False)
    with pytest.raises(JewelError, match="no longer takes work"):
        _issue(manager, repair_id, inactive)


def test_a_delivered_job_takes_no_more_metal_but_its_karigar_can_still_return_it(world):
    manager = world.actor("manager")
    karigar_id = _karigar(manager)
    job_id = _approved_custom(world.mum)
    _issue(manager, job_id, karigar_id, "4.000", "916")
    with unit_of_work() as session:
        session.get(Job, job_id).stage = "delivered"
    with pytest.raises(JewelError, match="no more metal goes out"):
        _issue(manager, job_id, karigar_id)
    with read_session() as session:
        assert [value for value, _label in open_work(session, manager, karigar_id)] == [str(job_id)]
    totals = _receive(manager, job_id, karigar_id, piece="3.950")
    assert totals.closed and _balance(manager, karigar_id) == Decimal("0.046")
