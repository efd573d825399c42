"""Loyalty's dashboard cards: schemes maturing this month and the scheme liability, per branch (figures as in
test_schemes: a 3-month ₹5,000 scheme fully paid matures with ₹15,000 paid and a ₹5,000 bonus; one ₹5,000
instalment of an 11-month scheme accrues ₹5,000 ÷ 11 = ₹454.55 of bonus)."""

from __future__ import annotations

from jewelerp.dashboard import DashboardFilters
from jewelerp.db import read_session
from modules.loyalty.cards import liability_card, maturing_card
from tests.modules.loyalty.test_schemes import (  # noqa: F401 (clock, customer, gold: fixtures)
    _enrol,
    _matured,
    _pay,
    _template,
    clock,
    customer,
    gold,
)


def test_maturing_and_liability_of_the_chosen_branches(world, gold, customer, clock):  # noqa: F811
    _matured(world, customer, clock)  # matures today: ₹15,000 paid, ₹5,000 bonus
    active = _enrol(world, _template(world, name="Gold Saver", metal_id=str(gold)), customer)  # matures in 11 months
    _pay(world.actor("sales"), active.id)
    manager = world.actor("manager")
    today = manager.today()
    mumbai = DashboardFilters(today, today, (world.mum,))
    delhi = DashboardFilters(today, today, (world.dl,))
    with read_session() as session:
        maturing = maturing_card(session, manager, mumbai)
        owed = liability_card(session, manager, mumbai)
        nothing = liability_card(session, manager, delhi)
        none_maturing = maturing_card(session, manager, delhi)
    assert (maturing.value, maturing.caption) == ("1", f"₹15,000 paid in; maturing in {today:%B}")
    assert (owed.value, owed.caption) == ("₹25,454.55", "on 2 open schemes")
    assert [(r.label, r.value) for r in owed.rows] == [
        ("Paid in", "₹20,000"),
        ("Bonus accrued", "₹5,454.55"),
        ("Redeemed", "₹0"),
        ("At today's rate", "₹25,454.55"),
    ]
    assert (nothing.value, nothing.caption, none_maturing.value) == ("₹0", "on 0 open schemes", "0")
