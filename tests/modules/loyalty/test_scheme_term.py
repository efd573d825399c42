"""Gold schemes within the law: a scheme matures within 365 days of its first instalment (Companies
(Acceptance of Deposits) Rules 2014, rule 2(1)(c)(xii)(a)), checked on the template and on each enrolment;
the liability report values a grams scheme's grams at today's rate as well as at what was paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import ValidationError
from jewelerp.ui.table_query import TableQuery
from modules.billing.rates import set_rate
from modules.loyalty import schemes, schemes_demo
from modules.loyalty.models import Enrolment, SchemeTemplate
from modules.loyalty.scheme_pages import LIABILITY
from modules.loyalty.schemes import TemplateInput
from tests.modules.loyalty import test_schemes
from tests.modules.loyalty.test_schemes import _do, _enrol, _pay, _template

clock, customer, gold = test_schemes.clock, test_schemes.customer, test_schemes.gold  # the same fixtures
UPI = ("upi", "412345678901")


def test_a_template_runs_at_most_11_months(world):
    with pytest.raises(ValidationError) as err:
        _template(world, months="12")  # 12 calendar months are 366 days when they span 29 February
    assert set(err.value.fields) == {"months"} and "ends within 365 days" in err.value.fields["months"]
    assert _do(world.actor("manager"), schemes.save_template, TemplateInput("Swarna 11+1", instalment="5000"))
    with read_session() as session:
        assert session.scalar(select(func.count(SchemeTemplate.id))) == 1


def _old_template(world, months: int) -> int:
    """A template saved before the term rule, with a longer term."""
    with unit_of_work() as session:
        template = SchemeTemplate(store_id=world.mum, name="Old 24", instalment=D("1000"), months=months)
        session.add(template)
        session.flush()
        return template.id


def test_an_enrolment_must_mature_within_365_days_of_its_first_instalment(world, customer):
    twelve = _old_template(world, 12)
    # 1 Mar 2027 + 12 months = 1 Mar 2028: 366 days, as 2028 has a 29 February. Refused, nothing written.
    with pytest.raises(ValidationError) as err:
        _enrol(world, twelve, customer, date(2027, 3, 1))
    assert set(err.value.fields) == {"template_id"}
    assert err.value.fields["template_id"].startswith("Old 24 would run 366 days, from 01 Mar 2027 to 01 Mar 2028")
    with read_session() as session:
        assert session.scalar(select(func.count(Enrolment.id))) == 0
    # 1 Jan 2027 + 12 months = 1 Jan 2028: 365 days, within the limit.
    assert _enrol(world, twelve, customer, date(2027, 1, 1)).maturity_on == date(2028, 1, 1)


def test_an_old_longer_template_keeps_its_term_but_cannot_be_made_longer(world):
    template_id = _old_template(world, 24)
    manager = world.actor("manager")
    kept = TemplateInput("Old 24 (closed)", instalment="1000", months="24", active=False)
    assert _do(manager, schemes.save_template, kept, template_id).name == "Old 24 (closed)"
    with pytest.raises(ValidationError) as err:
        _do(manager, schemes.save_template, TemplateInput("Old 24", instalment="1000", months="18"), template_id)
    assert set(err.value.fields) == {"months"}


def test_the_demo_schemes_are_within_the_term(world):
    assert all(int(t.months) <= schemes.MAX_MONTHS for t in schemes_demo.TEMPLATES)


def test_the_liability_values_grams_at_todays_rate_as_well_as_at_what_was_paid(world, gold, customer, clock):
    manager, sales = world.actor("manager"), world.actor("sales")
    today = manager.today()
    start = schemes.add_months(today, -1)
    _do(manager, set_rate, gold, "11000", start)
    grams = _template(world, name="Gram Plus", unit="grams", instalment_grams="1", metal_id=str(gold))
    rupees = _template(world, name="Gold Saver", instalment="5000")
    by_grams, by_rupees = _enrol(world, grams, customer, start), _enrol(world, rupees, customer)
    clock((start - today).days)
    _pay(sales, by_grams.id, *UPI)  # 1.000 g at ₹11,000 = ₹11,000
    clock(0)
    _pay(sales, by_grams.id, *UPI)  # 1.000 g at ₹12,000 (the fixture's rate today) = ₹12,000
    _pay(sales, by_rupees.id, *UPI)  # ₹5,000
    with read_session() as session:
        owed = schemes.liability(session, manager)
        rows = {r["scheme"]: r for r in LIABILITY.fetch(session, manager, TableQuery())[0]}
    # Grams scheme: paid ₹23,000 for 2.000 g; bonus accrued 23,000 ÷ 11 = 2,090.909 → ₹2,090.91.
    #   at what was paid: 23,000 + 2,090.91 = ₹25,090.91; at today's rate: 2.000 × 12,000 + 2,090.91 = ₹26,090.91.
    # Rupee scheme: ₹5,000 + 5,000 ÷ 11 = 454.545 → ₹454.55: ₹5,454.55 either way.
    assert (owed.schemes, owed.paid, owed.bonus, owed.grams) == (2, D("28000.00"), D("2545.46"), D("2.000"))
    assert (owed.total, owed.at_today) == (D("30545.46"), D("31545.46"))
    assert (rows["Gram Plus"]["owed"], rows["Gram Plus"]["today"]) == ("₹25,090.91", "₹26,090.91")
    assert (rows["Gold Saver"]["owed"], rows["Gold Saver"]["today"]) == ("₹5,454.55", "₹5,454.55")
    _do(manager, set_rate, gold, "12500")  # gold up: 2.000 × 12,500 + 2,090.91 = ₹27,090.91; + 5,454.55
    with read_session() as session:
        assert schemes.liability(session, manager).at_today == D("32545.46")
    clock(1)  # tomorrow has no rate yet: the grams cannot be valued today, and the report says so
    with read_session() as session:
        later = schemes.liability(session, manager)
        rows = {r["scheme"]: r for r in LIABILITY.fetch(session, manager, TableQuery())[0]}
    assert (later.total, later.at_today) == (D("30545.46"), None)
    assert rows["Gram Plus"]["today"] == "No rate today" and rows["Gold Saver"]["today"] == "₹5,454.55"


def test_a_part_redeemed_grams_scheme_owes_its_grams_left_at_todays_rate(world, gold, customer, clock):
    with unit_of_work() as session:  # a matured grams scheme: 3.000 g bought for ₹30,000, bonus ₹10,000
        template = SchemeTemplate(
            store_id=world.mum,
            name="Gram 3",
            unit="grams",
            instalment=D("0"),
            instalment_grams=D("1"),
            months=3,
            metal_id=gold,
        )
        session.add(template)
        session.flush()
        enrolment = Enrolment(
            store_id=world.mum,
            number="MUM/S2627/00001",
            template_id=template.id,
            customer_id=customer,
            status="matured",
            start_on=date(2026, 1, 1),
            maturity_on=date(2026, 4, 1),
            paid=D("30000"),
            grams=D("3.000"),
            bonus=D("10000"),
            settled=D("16000"),
            grams_redeemed=D("0.500"),
        )
        session.add(enrolment)
    # A redemption of ₹16,000 used the ₹10,000 bonus and 0.500 g; 2.500 g are left.
    # At what was paid: 30,000 × 2.500 ÷ 3.000 = ₹25,000 of cost left, bonus all used: ₹25,000.
    # At today's ₹12,000: 2.500 × 12,000 = ₹30,000.
    with read_session() as session:
        owed = schemes.liability(session, world.actor("manager"))
    assert (owed.total, owed.at_today, owed.grams) == (D("25000.00"), D("30000.00"), D("2.500"))
