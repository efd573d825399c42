"""The header search finds the store's repair and custom-order jobs by number or its start."""

from __future__ import annotations

import pytest

from jewelerp.db import unit_of_work
from jewelerp.search import global_search
from jewelerp.testing import run_as
from modules.repairs.models import Job


@pytest.fixture
def jobs(world) -> dict[str, int]:
    rows = {
        "RP-MUM-000012": Job(
            store_id=world.mum,
            number="RP-MUM-000012",
            kind="repair",
            stage="in workshop",
            customer_name="Asha Nair",
            public_token="t" * 43,
        ),
        "CO-MUM-000003": Job(
            store_id=world.mum, number="CO-MUM-000003", kind="custom", stage="design", public_token="u" * 43
        ),
        "RP-DEL-000012": Job(
            store_id=world.dl, number="RP-DEL-000012", kind="repair", stage="received", public_token="v" * 43
        ),
    }
    with unit_of_work() as session:
        session.add_all(rows.values())
        session.flush()
        return {number: row.id for number, row in rows.items()}


def _jobs(actor, typed: str) -> list[tuple[str, str, str]]:
    return [
        (h.title, h.detail, h.link)
        for g in run_as(actor, global_search, typed)
        if g.kind == "Repair jobs"
        for h in g.hits
    ]


def test_a_job_number_in_any_case_finds_the_job_and_opens_it(world, jobs):
    assert _jobs(world.actor("designer"), "rp-mum-000012") == [
        ("RP-MUM-000012", "Repair · Asha Nair · In workshop", f"/repairs/jobs/{jobs['RP-MUM-000012']}")
    ]
    assert _jobs(world.actor("designer"), "CO-MUM") == [
        ("CO-MUM-000003", "Custom order · Design", f"/repairs/jobs/{jobs['CO-MUM-000003']}")
    ]


def test_another_branchs_job_is_not_found(world, jobs):
    assert _jobs(world.actor("manager"), "RP-DEL-000012") == []
    assert [t for t, _d, _l in _jobs(world.actor("manager", world.dl), "RP-DEL")] == ["RP-DEL-000012"]
