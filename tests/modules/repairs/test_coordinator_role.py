"""The karigar coordinator, a role repairs adds: issues karigar work, takes it back and watches the board."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jewelerp.auth.service import build_actor
from jewelerp.core.roles import all_grants
from jewelerp.core.tables import STAFF
from jewelerp.core.users import UserInput, create_user
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import AuthError, PermissionDenied
from jewelerp.ui.table_query import TableQuery
from modules.repairs.board import load_board
from modules.repairs.karigars import IssueInput, KarigarInput, ReceiptInput, create_karigar, issue_metal, receive_work
from modules.repairs.stages import move_job
from tests.conftest import PASSWORD
from tests.modules.repairs.jobrows import job_row

COORDINATOR = "repairs.coordinator"
GRANTS = {"repairs.job.view", "repairs.karigar.manage"}


def _coordinator(world):
    """A coordinator in Mumbai only, and their actor there."""
    with unit_of_work() as session:
        user = create_user(session, None, UserInput("Kiran Rao", "kiran@test.in"), PASSWORD, {"MUM": COORDINATOR})
        return user.id, build_actor(session, user.id, world.mum)


def test_the_role_is_created_with_its_label_and_default_grants(world):
    with read_session() as session:
        assert {perm for role, perm in all_grants(session) if role == COORDINATOR} == GRANTS
        options = dict(STAFF.filters[0].options_loader(session, world.actor("admin")))
    assert options[COORDINATOR] == "Karigar coordinator"
    assert options["sales"] == "Sales"


def test_a_coordinator_issues_and_receives_karigar_work_and_sees_the_board(world):
    _user_id, actor = _coordinator(world)
    assert actor.permissions == GRANTS
    job_id = job_row(world.mum, stage="metal issued", approved_version_id=1)
    with unit_of_work(actor) as session:
        karigar_id = create_karigar(session, actor, KarigarInput("Ramesh Soni", loss_allowance_pct="1.50")).id
        issue_metal(session, actor, job_id, karigar_id, IssueInput("4.000", "916"))
    with unit_of_work(actor) as session:
        totals = receive_work(session, actor, job_id, karigar_id, ReceiptInput("3.950", "", "916"))
    assert totals.closed and totals.issued > totals.returned > Decimal("0")
    with read_session() as session:
        assert load_board(session, actor, "custom").columns
    with unit_of_work() as session:
        rows, total = STAFF.fetch(session, world.actor("admin"), TableQuery(filters={"role": COORDINATOR}))
    assert total == 1 and rows[0]["roles"] == f"MUM: {COORDINATOR}"


def test_a_coordinator_does_nothing_else(world):
    user_id, actor = _coordinator(world)
    job_id = job_row(world.mum, stage="metal issued", approved_version_id=1)
    with unit_of_work(actor) as session, pytest.raises(PermissionDenied):
        move_job(session, actor, job_id, "making")
    with unit_of_work() as session, pytest.raises(AuthError, match="no role in this store"):
        build_actor(session, user_id, world.dl)
