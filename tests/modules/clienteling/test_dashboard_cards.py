"""Clienteling's dashboard card: birthdays and wedding anniversaries of the next seven days, soonest first."""

from __future__ import annotations

from datetime import timedelta

from jewelerp.dashboard import DashboardFilters
from jewelerp.db import read_session, unit_of_work
from modules.clienteling.cards import occasions_card
from modules.clienteling.services import CustomerInput, create_customer


def _customer(actor, name: str, phone: str, **dates: str) -> int:
    with unit_of_work(actor) as session:
        return create_customer(session, actor, CustomerInput(name, phone, **dates)).id


def test_birthdays_and_anniversaries_of_this_week(world):
    manager = world.actor("manager")
    today = manager.today()

    def born(days: int, year: int) -> str:
        return (today + timedelta(days=days)).replace(year=year).isoformat()

    asha = _customer(manager, "Asha Mehta", "9820011111", date_of_birth=born(2, 1990))
    ravi = _customer(manager, "Ravi Shah", "9820022222", anniversary=born(0, 2015))
    _customer(manager, "Late Bloomer", "9820033333", date_of_birth=born(10, 1985))  # in ten days: not this week
    _customer(world.actor("manager", world.dl), "Neha Kapoor", "9810044444", date_of_birth=born(1, 1992))
    with read_session() as session:
        mumbai = occasions_card(session, manager, DashboardFilters(today, today, (world.mum,)))
        both = occasions_card(session, manager, DashboardFilters(today, today, (world.mum, world.dl)))
    assert (mumbai.value, mumbai.caption) == ("2", "1 birthdays, 1 anniversaries in the next 7 days")
    assert [(r.label, r.value, r.link) for r in mumbai.rows] == [
        ("Ravi Shah · anniversary", f"{today:%a %d %b}", f"/clienteling/customers/{ravi}"),
        ("Asha Mehta · birthday", f"{today + timedelta(days=2):%a %d %b}", f"/clienteling/customers/{asha}"),
    ]
    assert [r.label for r in both.rows] == [
        "Ravi Shah · anniversary",
        "Neha Kapoor · birthday",
        "Asha Mehta · birthday",
    ]
