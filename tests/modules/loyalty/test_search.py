"""The header search finds the store's gold scheme enrolments by number or its start."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jewelerp.db import unit_of_work
from jewelerp.search import global_search
from jewelerp.testing import run_as
from modules.loyalty.models import Enrolment, SchemeTemplate


@pytest.fixture
def enrolments(world) -> dict[str, int]:
    ids = {}
    with unit_of_work() as session:
        for store, number, name, status in (
            (world.mum, "MUM/S2627/00004", "Neha Joshi", "active"),
            (world.mum, "MUM/S2627/00005", "Ravi Kumar", "matured"),
            (world.dl, "DEL/S2627/00004", "Delhi Saver", "active"),
        ):
            template = SchemeTemplate(store_id=store, name="Swarna 11", instalment=Decimal("5000.00"))
            session.add(template)
            session.flush()
            enrolment = Enrolment(
                store_id=store,
                number=number,
                template_id=template.id,
                customer_id=1,
                customer_name=name,
                status=status,
                start_on=date(2026, 4, 1),
                maturity_on=date(2027, 3, 1),
            )
            session.add(enrolment)
            session.flush()
            ids[number] = enrolment.id
    return ids


def _schemes(actor, typed: str) -> list[tuple[str, str, str]]:
    groups = {g.kind: g.hits for g in run_as(actor, global_search, typed)}
    return [(h.title, h.detail, h.link) for h in groups.get("Gold schemes", [])]


def test_a_scheme_number_finds_the_enrolment_and_opens_it(world, enrolments):
    assert _schemes(world.actor("sales"), "mum/s2627/00004") == [
        ("MUM/S2627/00004", "Neha Joshi · Active", f"/loyalty/enrolments/{enrolments['MUM/S2627/00004']}")
    ]
    assert [t for t, _d, _l in _schemes(world.actor("sales"), "MUM/S2627")] == ["MUM/S2627/00004", "MUM/S2627/00005"]


def test_another_stores_scheme_and_people_without_the_right_find_nothing(world, enrolments):
    assert _schemes(world.actor("manager"), "DEL/S2627/00004") == []
    assert _schemes(world.actor("designer"), "MUM/S2627/00004") == []  # designers do not see members
    assert [t for t, _d, _l in _schemes(world.actor("manager", world.dl), "DEL/S")] == ["DEL/S2627/00004"]
