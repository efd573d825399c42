"""Workshop reports: jobs by stage and by karigar, turnaround (average and median days), metal loss per
karigar, the period in the store's dates, the store's own jobs only, permissions and the Excel export."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, update
from sqlmodel import select

from jewelerp.auth.service import system_actor
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import PermissionDenied, ValidationError
from modules.clienteling import demo as customers_demo
from modules.repairs import demo
from modules.repairs.karigars import IssueInput, KarigarInput, ReceiptInput, create_karigar, issue_metal, receive_work
from modules.repairs.models import Job, KarigarEntry
from modules.repairs.reports import build_report, write_report
from modules.repairs.stages import stages_for
from tests.modules.repairs.jobrows import job_row

NOV = datetime(2026, 11, 10, 6, 0, tzinfo=UTC)  # 11:30 in Mumbai


def _report(actor, key, first="2026-11-01", last="2026-11-30"):
    with read_session() as session:
        return build_report(session, actor, key, first, last)


def _rows(table, *keys):
    return [tuple(row[k] for k in keys) for row in table.rows]


def _karigar(actor, name, allowance="1.00") -> int:
    with unit_of_work(actor) as session:
        return create_karigar(session, actor, KarigarInput(name, loss_allowance_pct=allowance)).id


def test_jobs_by_stage_follow_the_store_order_with_overdue_and_estimates(world):
    manager = world.actor("manager")
    past = manager.today() - timedelta(days=1)
    job_row(world.mum, "repair", "in workshop", created_at=NOV, promised_on=past, estimate=Decimal("1500.50"))
    job_row(world.mum, "repair", "in workshop", created_at=NOV, estimate=Decimal("499.50"))
    job_row(world.mum, "repair", "delivered", created_at=NOV, promised_on=past)  # delivered: never overdue
    job_row(world.mum, "custom", "design", created_at=NOV)
    job_row(world.mum, "repair", "received", created_at=datetime(2026, 10, 31, 18, 29, tzinfo=UTC))  # 23:59 IST
    job_row(world.dl, "repair", "received", created_at=NOV)  # another store
    table = _report(manager, "stage")
    repairs = [r for r in table.rows if r["kind"] == "Repair"]
    assert [r["stage"] for r in repairs] == [
        "Received",
        "Estimated",
        "Approved",
        "In workshop",
        "Quality check",
        "Ready",
        "Delivered",
    ]
    assert _rows(table, "stage", "jobs", "overdue", "estimate")[3] == ("In workshop", 2, 1, Decimal("2000.00"))
    assert repairs[0]["jobs"] == 0  # taken in on 31 October, store time
    assert next(r["jobs"] for r in table.rows if r["stage"] == "Design") == 1
    assert dict(table.summary) == {"Jobs taken in": "4", "Not yet delivered": "3", "Overdue": "1"}
    assert _report(manager, "stage", "2026-10-31", "2026-10-31").summary[0] == ("Jobs taken in", "1")


def test_jobs_by_karigar_count_progress_and_unassigned_jobs_last(world):
    manager = world.actor("manager")
    ramesh, anil = _karigar(manager, "Ramesh"), _karigar(manager, "Anil")
    job_row(world.mum, "repair", "in workshop", created_at=NOV, karigar_id=ramesh)
    job_row(world.mum, "repair", "delivered", created_at=NOV, karigar_id=ramesh)
    job_row(world.mum, "custom", "making", created_at=NOV, karigar_id=anil, promised_on=date(2026, 11, 12))
    job_row(world.mum, "repair", "received", created_at=NOV)
    table = _report(manager, "karigar")
    assert _rows(table, "karigar", "jobs", "in_progress", "delivered", "overdue") == [
        ("Anil", 1, 1, 0, 1),
        ("Ramesh", 2, 1, 1, 0),
        ("No karigar", 1, 1, 0, 0),
    ]


def test_turnaround_gives_average_and_median_days_by_kind(world):
    manager = world.actor("manager")
    for days in (2, 3, 10):
        job_row(world.mum, "repair", "delivered", created_at=NOV, delivered_at=NOV + timedelta(days=days))
    job_row(world.mum, "custom", "delivered", created_at=NOV, delivered_at=NOV + timedelta(days=20, hours=12))
    job_row(world.mum, "repair", "delivered", created_at=NOV, delivered_at=datetime(2026, 12, 2, tzinfo=UTC))
    job_row(world.mum, "repair", "ready", created_at=NOV)
    table = _report(manager, "turnaround")
    assert _rows(table, "kind", "jobs", "average", "median", "fastest", "slowest") == [
        ("Repair", 3, Decimal("5.0"), Decimal("3.0"), Decimal("2.0"), Decimal("10.0")),
        ("Custom order", 1, Decimal("20.5"), Decimal("20.5"), Decimal("20.5"), Decimal("20.5")),
    ]
    assert dict(table.summary) == {"Delivered": "4", "Median days": "6.5"}
    assert _report(manager, "turnaround", "2026-01-01", "2026-01-31").rows == []


def test_metal_loss_per_karigar_covers_work_closed_in_the_period(world):
    manager = world.actor("manager")
    ramesh, anil = _karigar(manager, "Ramesh", "1.00"), _karigar(manager, "Anil", "2.00")
    jobs = [job_row(world.mum, stage="making", approved_version_id=1) for _ in range(3)]
    with unit_of_work(manager) as session:
        for job_id, karigar_id, back in ((jobs[0], ramesh, "9.800"), (jobs[1], ramesh, "9.950"), (jobs[2], anil, "")):
            issue_metal(session, manager, job_id, karigar_id, IssueInput("10.000", "999"))
            if back:
                receive_work(session, manager, job_id, karigar_id, ReceiptInput(piece_weight=back, fineness="999"))
        session.execute(update(KarigarEntry).values(at=NOV))
    table = _report(manager, "loss")
    assert _rows(table, "karigar", "jobs", "issued", "returned", "loss", "loss_pct", "allowance", "over") == [
        ("Ramesh", 2, Decimal("19.980"), Decimal("19.730"), Decimal("0.250"), Decimal("1.25"), Decimal("1.00"), 1)
    ]
    assert dict(table.summary)["Above allowance"] == "1"
    assert _report(manager, "loss", "2026-12-01", "2026-12-31").rows == []


def test_period_permission_and_the_excel_export(world, tmp_path):
    manager = world.actor("manager")
    with pytest.raises(ValidationError) as err:
        _report(manager, "stage", "yesterday", "2026-01-01")
    assert set(err.value.fields) == {"date_from"}
    with pytest.raises(ValidationError) as err:
        _report(manager, "stage", "2026-02-01", "2026-01-01")
    assert "before the first day" in err.value.fields["date_to"]
    with pytest.raises(ValidationError):
        _report(manager, "stage", "2025-01-01", "2026-12-31")
    with pytest.raises(ValidationError):
        _report(manager, "nonsense")
    with pytest.raises(PermissionDenied):
        _report(world.actor("sales"), "stage")
    job_row(world.mum, "repair", "ready", created_at=NOV)
    table = _report(manager, "stage")
    assert table.filename == "jobs-by-stage-2026-11-01-to-2026-11-30.xlsx"
    path = tmp_path / table.filename
    write_report(path, table)
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[2]] == ["Kind", "Stage", "Jobs", "Overdue", "Estimates (₹)"]
    assert [c.value for c in sheet[8]][1:3] == ["Ready", 1]  # counts stay numbers in Excel


def _load_demo(store_id: int, tmp_path) -> None:
    for load in (customers_demo.load, lambda s, a: demo.load(s, a, tmp_path)):
        with unit_of_work() as session:
            actor = system_actor(session, store_id)
            session.info["actor"] = actor
            load(session, actor)


def test_the_demo_workshop_has_every_stage_a_ledger_with_a_loss_alert_and_reports_to_show(world, tmp_path):
    _load_demo(world.mum, tmp_path)
    _load_demo(world.mum, tmp_path)  # a second run adds nothing
    manager = world.actor("manager")
    with read_session() as session:
        stages = set(session.exec(select(Job.kind, Job.stage).where(Job.store_id == world.mum)).all())
        jobs = session.scalar(select(func.count()).select_from(Job))
        alerts = session.exec(select(KarigarEntry).where(KarigarEntry.over_allowance)).all()
        every = {(kind, stage) for kind in ("repair", "custom") for stage in stages_for(session, world.mum, kind)}
    assert every <= stages
    assert jobs == 27 and len(alerts) == 1  # no stock here, so no repair of one of our pieces
    today = manager.today()
    period = ((today - timedelta(days=120)).isoformat(), today.isoformat())
    assert {r["kind"] for r in _report(manager, "turnaround", *period).rows} == {"Repair", "Custom order"}
    assert any(r["over"] == 1 for r in _report(manager, "loss", *period).rows)
    assert list((tmp_path / "repairs-designs").iterdir())
