"""Karigar metal balance for November 2026: opening, issued, returned, closing, the loss on closed jobs and the
metal still in work, in grams of fine metal worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import PermissionDenied
from jewelerp.reports import ReportRequest, write_report
from modules.repairs.karigars import IssueInput, KarigarInput, ReceiptInput, create_karigar, issue_metal, receive_work
from modules.repairs.metal_balance import metal_balance_table, metal_balances
from modules.repairs.models import KarigarEntry
from tests.modules.repairs.jobrows import job_row

NOVEMBER = ReportRequest(date(2026, 11, 1), date(2026, 11, 30))


def _on(actor, month: int, day: int, work) -> None:
    """Run ``work(session)`` and date the ledger rows it wrote at noon IST that day."""
    with unit_of_work(actor) as session:
        last = session.scalar(select(func.max(KarigarEntry.id))) or 0
        work(session)
        when = datetime(2026, month, day, 6, 30, tzinfo=UTC)
        session.execute(update(KarigarEntry).where(KarigarEntry.id > last).values(at=when))


@pytest.fixture
def ledger(world) -> None:
    """Ramesh: 10 g issued on 20 Oct, the piece back at 9.800 g on 10 Nov; 5 g issued on 12 Nov, 1 g of scrap
    back on 15 Nov; 2 g issued on 5 Dec. Anil: 8 g issued on 5 Nov, the piece back at 7.900 g on 20 Nov.
    Everything 999 fine: fine grams = grams × 0.999 to the milligram."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ramesh = create_karigar(session, manager, KarigarInput("Ramesh")).id
        anil = create_karigar(session, manager, KarigarInput("Anil")).id
    jobs = [job_row(world.mum, stage="making", approved_version_id=1) for _ in range(4)]

    def issue(job, karigar, grams):
        return lambda session: issue_metal(session, manager, job, karigar, IssueInput(grams, "999"))

    def back(job, karigar, **weights):
        return lambda session: receive_work(session, manager, job, karigar, ReceiptInput(fineness="999", **weights))

    _on(manager, 10, 20, issue(jobs[0], ramesh, "10.000"))
    _on(manager, 11, 10, back(jobs[0], ramesh, piece_weight="9.800"))
    _on(manager, 11, 12, issue(jobs[1], ramesh, "5.000"))
    _on(manager, 11, 15, back(jobs[1], ramesh, scrap_weight="1.000"))
    _on(manager, 12, 5, issue(jobs[2], ramesh, "2.000"))
    _on(manager, 11, 5, issue(jobs[3], anil, "8.000"))
    _on(manager, 11, 20, back(jobs[3], anil, piece_weight="7.900"))


def test_each_karigars_statement_by_hand(world, ledger):
    with read_session() as session:
        rows = metal_balances(session, world.actor("manager"), NOVEMBER)
    got = [(r.karigar, r.opening, r.issued, r.returned, r.adjusted, r.closing, r.lost, r.in_work) for r in rows]
    assert got == [
        # 8 × 0.999 = 7.992 issued − 7.9 × 0.999 = 7.892 back: 0.100 held, all of it the loss on the closed job
        ("Anil", D("0.000"), D("7.992"), D("7.892"), D("0.000"), D("0.100"), D("0.100"), D("0.000")),
        # 9.990 + 4.995 − (9.790 + 0.999) = 4.196 held: 9.990 − 9.790 = 0.200 lost on job 1, 4.995 − 0.999 = 3.996
        # still in work on job 2 (5 December is later)
        ("Ramesh", D("9.990"), D("4.995"), D("10.789"), D("0.000"), D("4.196"), D("0.200"), D("3.996")),
    ]


def test_october_closes_where_november_opens(world, ledger):
    october = ReportRequest(date(2026, 10, 1), date(2026, 10, 31))
    with read_session() as session:
        rows = metal_balances(session, world.actor("manager"), october)
    assert [(r.karigar, r.issued, r.closing, r.lost, r.in_work) for r in rows] == [
        ("Ramesh", D("9.990"), D("9.990"), D("0.000"), D("9.990"))
    ]


def test_the_table_totals_and_exports(world, ledger, tmp_path):
    with read_session() as session:
        table = metal_balance_table(session, world.actor("manager"), NOVEMBER)
    assert table.footer == [
        {"karigar": "Total", "opening": D("9.990"), "issued": D("12.987"), "returned": D("18.681")}
        | {"adjusted": D("0.000"), "closing": D("4.296"), "lost": D("0.300"), "in_work": D("3.996")}
    ]
    path = tmp_path / table.filename
    write_report(path, table)
    cells = [[c.value for c in row] for row in load_workbook(path).active.iter_rows()]
    assert cells[1][:3] == ["Karigar", "Opening (g)", "Issued (g)"]
    assert cells[3][0] == "Ramesh" and D(str(cells[3][5])) == D("4.196")


@pytest.mark.parametrize("who", ["sales", "designer"])
def test_staff_without_the_report_permission_are_refused(world, ledger, who):
    with read_session() as session, pytest.raises(PermissionDenied):
        metal_balance_table(session, world.actor(who), NOVEMBER)
