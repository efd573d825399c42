"""Loyalty points: earn per category and tier, reversal on a credit note, expiry on the store's day,
redemption as a billing payment method (whole points, PIN, two counters at once), manual adjustments,
the referral bonus, the program setup, the monthly statement and the customer 360 section."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from jewelerp.auth import actor as actor_clock
from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from jewelerp.notifications.models import OutboxMessage
from modules.billing.invoices import add_piece_line, add_service_line, cancel_invoice, create_draft, issue_invoice
from modules.billing.models import Invoice, Payment
from modules.billing.payments import method_options, take_payment
from modules.billing.rates import set_rate
from modules.clienteling.extension import contributed_sections
from modules.clienteling.services import CustomerInput, create_customer
from modules.loyalty import points
from modules.loyalty.api import customer_points
from modules.loyalty.customer import points_section
from modules.loyalty.models import Member, PointEntry
from modules.loyalty.program import (
    ProgramInput,
    RuleInput,
    TierInput,
    add_months,
    points_for,
    program_for,
    rules_of,
    save_program,
)
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal
from tests.modules.stock.huids import new_huid


@pytest.fixture
def metals(world) -> dict[tuple[str, int], int]:
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        ids = {(m.metal, m.fineness): m.id for m in session.scalars(select(Metal))}
        set_rate(session, manager, ids[("gold", 916)], "12000")
    return ids


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _customer(world, name: str, email: str = "") -> int:
    data = CustomerInput(
        name=name, phone=f"98200{abs(hash(name)) % 100000:05d}", email=email, consent_email=bool(email)
    )
    return _do(world.actor("manager"), create_customer, data).id


def _gold_piece(world, metals, net: str = "5.000") -> int:
    from modules.stock.pieces import PieceInput, receive_piece

    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        category = session.scalars(select(Category).where(Category.code == "RING")).one()
        data = PieceInput(
            str(category.id), str(metals[("gold", 916)]), net, making_rule="percent", making_value="10", huid=new_huid()
        )
        return receive_piece(session, manager, data).id


def _sale(world, customer_id: int | None, *, piece: int | None = None, service: str = "") -> Invoice:
    sales = world.actor("sales")
    invoice_id = _do(sales, create_draft, customer_id=customer_id).id
    if piece:
        _do(sales, add_piece_line, invoice_id, piece)
    if service:
        _do(sales, add_service_line, invoice_id, "Polishing", service)
    return _do(sales, issue_invoice, invoice_id)


def _member(customer_id: int) -> Member:
    with read_session() as session:
        return session.scalars(select(Member).where(Member.customer_id == customer_id)).one()


def _balance(member_id: int) -> int:
    with read_session() as session:
        return points.balance(session, member_id)


def _rows(member_id: int, kind: str) -> list[PointEntry]:
    with read_session() as session:
        return list(
            session.scalars(
                select(PointEntry)
                .where(PointEntry.member_id == member_id, PointEntry.kind == kind)
                .order_by(PointEntry.id)
            )
        )


def _give(world, member_id: int, amount: int, **row) -> None:
    """Credit points directly (a past earn), bypassing billing."""
    with unit_of_work() as session:
        today = world.actor("sales").today()
        values = {"kind": "earn", "expires_on": today + timedelta(days=365), "reference": "PAST", **row}
        session.add(PointEntry(member_id=member_id, store_id=world.mum, points=amount, remaining=amount, **values))


# ---------------------------------------------------------------------------- earn


def test_default_rules_earn_per_category_rounded_down_once(world):
    with unit_of_work() as session:
        rules = rules_of(session, program_for(session, world.mum).id)
    lines = (
        ("diamond", D("12345.00")),  # 123.45 at 1 per ₹100
        ("gold", D("99999.00")),  # 99.999 at 1 per ₹1,000
        ("platinum", D("1250.00")),  # 2.5 at 1 per ₹500
        ("silver", D("999.00")),  # 0.999
        ("service", D("5000.00")),  # none
        ("coin", D("50000.00")),  # none
    )
    assert points_for(rules, lines, D("1")) == 226  # 123.45 + 99.999 + 2.5 + 0.999 = 226.948
    assert points_for(rules, lines[:1], D("1.25")) == 154  # 154.31
    assert points_for(rules, lines[:1], D("1.50")) == 185  # 185.175


def test_an_issued_invoice_earns_on_its_value_before_tax_and_enrols_the_customer(world, metals):
    asha = _customer(world, "Asha Rao")
    invoice = _sale(world, asha, piece=_gold_piece(world, metals), service="800")
    member = _member(asha)
    [earned] = _rows(member.id, "earn")
    gold = invoice.taxable - D("800")
    assert earned.points == int(gold / 1000) and earned.spend == invoice.taxable
    assert earned.reference == invoice.number and earned.remaining == earned.points
    assert earned.expires_on == add_months(world.actor("sales").today(), 24)
    assert len(member.referral_code) == 8 and _balance(member.id) == earned.points
    walk_in = _sale(world, None, service="900")  # no customer number: nothing to earn
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(PointEntry)) == 1
    assert walk_in.status == "issued"


def test_the_gold_tier_multiplies_earnings_and_old_spend_does_not_count(world, metals):
    asha = _customer(world, "Asha Rao")
    member = _do(world.actor("sales"), points.enrol, asha)
    old = utcnow() - timedelta(days=400)
    _give(world, member.id, 0, spend=D("900000"), at=old)  # outside the 12 months
    _give(world, member.id, 0, spend=D("150000"), at=utcnow() - timedelta(days=30))
    invoice = _sale(world, asha, piece=_gold_piece(world, metals))
    first = _rows(member.id, "earn")[-1]
    assert first.points == int(invoice.taxable / 1000)  # Silver: ₹1,50,000 in 12 months
    _give(world, member.id, 0, spend=D("60000"), at=utcnow() - timedelta(days=5))  # now ₹2,10,000 + the sale
    second = _sale(world, asha, piece=_gold_piece(world, metals))
    earned = _rows(member.id, "earn")[-1]
    assert earned.points == int(second.taxable / 1000 * D("1.25"))
    assert "Gold" in earned.reason
    with read_session() as session:
        status = points.member_status(session, world.actor("sales"), _member(asha))
    assert status.tier.name == "Gold" and status.next_tier.name == "Platinum"


def test_a_credit_note_reverses_the_points_and_the_spend_once(world, metals):
    asha = _customer(world, "Asha Rao")
    invoice = _sale(world, asha, piece=_gold_piece(world, metals))
    member = _member(asha)
    earned = _rows(member.id, "earn")[0].points
    assert earned > 0
    _do(world.actor("manager"), cancel_invoice, invoice.id, "Customer returned it")
    [reverse] = _rows(member.id, "reverse")
    assert reverse.points == -earned and reverse.spend == -invoice.taxable and reverse.reference == invoice.number
    assert _balance(member.id) == 0
    with read_session() as session:
        assert points.rolling_spend(session, member.id) == 0
    with unit_of_work(world.actor("manager")) as session:  # a repeated event changes nothing
        assert points.reverse_on_cancel(session, world.actor("manager"), {"number": invoice.number}) is None


def test_a_reversal_never_takes_the_balance_below_zero(world, metals):
    asha = _customer(world, "Asha Rao")
    invoice = _sale(world, asha, piece=_gold_piece(world, metals))
    member = _member(asha)
    earned = _rows(member.id, "earn")[0].points
    _do(world.actor("manager"), points.adjust, member.id, f"-{earned - 10}", "Gift voucher issued")
    _do(world.actor("manager"), cancel_invoice, invoice.id, "Customer returned it")
    [reverse] = _rows(member.id, "reverse")
    assert reverse.points == -10 and "already used" in reverse.reason
    assert _balance(member.id) == 0


# ---------------------------------------------------------------------------- expiry


def test_points_expire_the_day_after_their_expiry_date_in_the_store_time_zone(world, monkeypatch):
    asha = _customer(world, "Asha Rao")
    member = _do(world.actor("sales"), points.enrol, asha)
    _give(world, member.id, 300, expires_on=date(2026, 3, 10))
    _give(world, member.id, 200, expires_on=date(2026, 3, 11))
    manager = world.actor("manager")
    monkeypatch.setattr(actor_clock, "utcnow", lambda: datetime(2026, 3, 10, 18, 0, tzinfo=UTC))  # 23:30 in Mumbai
    assert _do(manager, points.expire_points) == 0
    monkeypatch.setattr(actor_clock, "utcnow", lambda: datetime(2026, 3, 10, 19, 0, tzinfo=UTC))  # 00:30 on the 11th
    assert _do(manager, points.expire_points) == 1
    [expired] = _rows(member.id, "expire")
    assert expired.points == -300 and _balance(member.id) == 200
    assert _do(manager, points.expire_points) == 0  # nothing left to expire twice


# ---------------------------------------------------------------------------- redemption


def _redeemable(world, metals, amount: int = 1000) -> tuple[Invoice, Member]:
    asha = _customer(world, "Asha Rao")
    member = _do(world.actor("sales"), points.enrol, asha)
    _give(world, member.id, amount)
    return _sale(world, asha, service="20000"), member


def test_points_pay_an_invoice_as_a_billing_payment_method(world, metals):
    invoice, member = _redeemable(world, metals)
    sales = world.actor("sales")
    assert ("points", "Loyalty points") in method_options(sales)
    receipt = _do(sales, take_payment, invoice.id, "points", "600")
    assert receipt.method == "points" and re.fullmatch(r"MUM/R\d{4}/00001", receipt.receipt_number)
    assert receipt.reference == f"600 points · {member.referral_code}"
    assert _balance(member.id) == 400
    [redeemed] = _rows(member.id, "redeem")
    assert redeemed.points == -600 and redeemed.reference == invoice.number and redeemed.user_name == sales.user_name
    with read_session() as session:
        assert session.get(Invoice, invoice.id).paid == D("600.00")
    with pytest.raises(JewelError, match="has 400 points to use; 500 were asked"):
        _do(sales, take_payment, invoice.id, "points", "500")
    assert _balance(member.id) == 400


def test_a_redemption_is_whole_points_at_the_point_value(world, metals):
    invoice, member = _redeemable(world, metals)
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        program = program_for(session, world.mum)
        program.point_value = D("0.25")
        session.add(program)
    with pytest.raises(ValidationError, match="steps of ₹0.25"):
        _do(manager, take_payment, invoice.id, "points", "100.10")
    _do(manager, take_payment, invoice.id, "points", "100.25")
    assert _balance(member.id) == 1000 - 401


def test_points_need_a_member_and_permission(world, metals):
    walk_in = _sale(world, None, service="5000")
    with pytest.raises(JewelError, match="no customer number"):
        _do(world.actor("sales"), take_payment, walk_in.id, "points", "100")
    invoice, _member_row = _redeemable(world, metals)
    with pytest.raises(PermissionDenied):
        _do(world.actor("designer"), take_payment, invoice.id, "points", "100")


def test_the_pin_is_asked_when_the_store_requires_it(world, metals):
    invoice, member = _redeemable(world, metals)
    manager, sales = world.actor("manager"), world.actor("sales")
    with unit_of_work(manager) as session:
        set_setting(session, manager, world.mum, "loyalty.require_pin", "true")
    with pytest.raises(JewelError, match="no PIN yet"):
        _do(sales, take_payment, invoice.id, "points", "100")
    with pytest.raises(ValidationError):
        _do(manager, points.reset_pin, member.id, "12a4")
    _do(manager, points.reset_pin, member.id, "4821")
    with pytest.raises(ValidationError, match="PIN is wrong"):
        _do(sales, take_payment, invoice.id, "points", "100", "1111")
    assert _balance(member.id) == 1000
    receipt = _do(sales, take_payment, invoice.id, "points", "100", "4821")
    assert "4821" not in receipt.reference and _balance(member.id) == 900


def test_two_counters_redeeming_at_once_never_take_the_balance_below_zero(world, metals):
    asha = _customer(world, "Asha Rao")
    member = _do(world.actor("sales"), points.enrol, asha)
    _give(world, member.id, 400)
    _give(world, member.id, 300)
    first, second = _sale(world, asha, service="5000"), _sale(world, asha, service="5000")
    actors = (world.actor("sales"), world.actor("manager"))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def redeem(actor, invoice_id):
        barrier.wait()
        try:
            _do(actor, take_payment, invoice_id, "points", "500")
            outcomes.append("paid")
        except JewelError as error:
            outcomes.append(str(error))

    threads = [threading.Thread(target=redeem, args=pair) for pair in zip(actors, (first.id, second.id), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused, paid = sorted(outcomes)  # told the balance (it waited: SQLite) or that it changed (PostgreSQL)
    assert paid == "paid" and ("200 points to use" in refused or "changed at another counter" in refused)
    assert _balance(member.id) == 200
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == 1
        left = session.scalar(select(func.sum(PointEntry.remaining)).where(PointEntry.member_id == member.id))
    assert left == 200


def test_the_consumption_refuses_when_a_row_was_used_meanwhile(world):
    asha = _customer(world, "Asha Rao")
    member = _do(world.actor("sales"), points.enrol, asha)
    _give(world, member.id, 100)
    with unit_of_work() as session:
        [(row_id, remaining)] = points._available(session, member.id, world.actor("sales").today())
        session.execute(PointEntry.__table__.update().values(remaining=40))  # another counter spent 60
        with pytest.raises(JewelError, match="another counter"):
            points._consume(session, [(row_id, remaining)], 100)


# ---------------------------------------------------------------------------- adjustments


def test_a_manual_adjustment_needs_the_permission_and_a_reason(world):
    asha = _customer(world, "Asha Rao")
    member = _do(world.actor("sales"), points.enrol, asha)
    with pytest.raises(PermissionDenied):
        _do(world.actor("sales"), points.adjust, member.id, "100", "Birthday gift")
    manager = world.actor("manager")
    with pytest.raises(ValidationError) as error:
        _do(manager, points.adjust, member.id, "1.5", "")
    assert set(error.value.fields) == {"points", "reason"}
    entry = _do(manager, points.adjust, member.id, "250", "Birthday gift from the store")
    assert (entry.kind, entry.points, entry.user_name) == ("adjust", 250, manager.user_name)
    assert entry.reason == "Birthday gift from the store"
    with pytest.raises(JewelError, match="has 250 points"):
        _do(manager, points.adjust, member.id, "-300", "Correction of a mistake")
    _do(manager, points.adjust, member.id, "-50", "Correction of a mistake")
    assert _balance(member.id) == 200


# ---------------------------------------------------------------------------- referrals


def test_the_referrer_earns_the_bonus_once_when_the_first_invoice_is_paid(world):
    sales = world.actor("sales")
    asha, ravi = _customer(world, "Asha Rao"), _customer(world, "Ravi Kumar")
    referrer = _do(sales, points.enrol, asha)
    with pytest.raises(ValidationError, match="No member has the referral code"):
        _do(sales, points.enrol, ravi, "NOPE2345")
    referred = _do(sales, points.enrol, ravi, referrer.referral_code.lower())
    assert referred.referred_by_id == referrer.id
    with pytest.raises(ValidationError, match="already a member"):
        _do(sales, points.enrol, ravi)
    first = _sale(world, ravi, service="10000")
    _do(sales, take_payment, first.id, "upi", "5000", "412345678901")
    assert _rows(referrer.id, "referral") == []  # not paid in full yet
    _do(sales, take_payment, first.id, "upi", str(first.payable - 5000), "412345678902")
    [bonus] = _rows(referrer.id, "referral")
    assert bonus.points == 500 and bonus.reference == first.number and "Ravi Kumar" in bonus.reason
    second = _sale(world, ravi, service="10000")
    _do(sales, take_payment, second.id, "card", str(second.payable), "4821")
    assert len(_rows(referrer.id, "referral")) == 1


# ---------------------------------------------------------------------------- program, statement, 360


def _program_input(**changes) -> ProgramInput:
    data = {
        "name": "Store rewards",
        "point_value": "0.50",
        "expiry_months": "12",
        "referral_bonus": "250",
        "require_pin": False,
        "rules": (RuleInput("diamond", "2", "100"), RuleInput("gold", "1", "500")),
        "tiers": (TierInput("Classic", "0", "1", "0"), TierInput("Elite", "300000", "2", "3")),
    }
    return ProgramInput(**{**data, **changes})


def test_a_manager_gives_the_store_its_own_program(world):
    manager = world.actor("manager")
    with pytest.raises(PermissionDenied):
        _do(world.actor("sales"), save_program, _program_input())
    with pytest.raises(ValidationError) as error:
        _do(manager, save_program, _program_input(point_value="0", tiers=(TierInput("Elite", "5", "1", "0"),)))
    assert set(error.value.fields) == {"point_value", "tiers"}
    own = _do(manager, save_program, _program_input(), own_store=True)
    with read_session() as session:
        assert program_for(session, world.mum).id == own.id and own.store_id == world.mum
        assert program_for(session, world.dl).store_id is None  # Delhi keeps the chain program
        assert rules_of(session, own.id)["diamond"].points == 2


def test_the_monthly_statement_goes_to_members_who_agreed_to_email(world, metals):
    agreed = _customer(world, "Asha Rao", email="asha@example.in")
    silent = _customer(world, "Ravi Kumar")
    for customer in (agreed, silent):
        _sale(world, customer, piece=_gold_piece(world, metals))
    manager = world.actor("manager")
    assert _do(manager, points.send_statements) == 1
    with read_session() as session:
        [message] = session.scalars(select(OutboxMessage)).all()
    assert message.recipient == "asha@example.in" and "Your points" in message.body


def test_the_customer_360_shows_tier_balance_and_history(world):
    asha = _customer(world, "Asha Rao")
    member = _do(world.actor("sales"), points.enrol, asha)
    _do(world.actor("manager"), points.adjust, member.id, "120", "Welcome gift")
    section = _do(world.actor("sales"), points_section, asha)
    assert section["title"] == "Loyalty points"
    assert section["rows"][0]["points"] == "120" and section["rows"][0]["date"] == "Silver"
    assert "/loyalty/" not in section["rows"][0]["detail"]  # the account is a link, not a path printed as text
    assert section["rows"][1]["what"] == "Adjusted"
    with read_session() as session:  # as the 360 page gets it
        sections = contributed_sections(session, world.actor("sales"), asha)
    [shown] = [s for s in sections if s["title"] == "Loyalty points"]
    assert shown["links"] == [{"label": "Open the loyalty account", "href": f"/loyalty/members/{member.id}"}]
    assert _do(world.actor("designer"), points_section, asha) is None


def _breakdown(line) -> dict[str, D]:
    return {row["key"]: D(row["amount"]) for row in json.loads(line.breakdown)}


def test_a_gold_tier_member_gets_the_tiers_making_discount_on_a_piece(world, metals):
    customer = _customer(world, "Sunita Rao")
    _sale(world, customer, service="1000")  # enrols her
    _give(world, _member(customer).id, 0, spend=D("250000.00"))  # ₹2,50,000 spent this year: Gold, 2% off making
    sales = world.actor("sales")
    line = _do(sales, add_piece_line, _do(sales, create_draft, customer_id=customer).id, _gold_piece(world, metals))
    rows = _breakdown(line)
    assert rows["making_discount"] == -(rows["making"] * 2 / 100).quantize(D("0.01"))
    assert line.discount == -rows["making_discount"]
    walk_in = _do(sales, add_piece_line, _do(sales, create_draft).id, _gold_piece(world, metals))
    assert "making_discount" not in _breakdown(walk_in)


def test_other_modules_read_a_customers_points_through_the_api(world, metals):
    asha, ravi = _customer(world, "Asha Rao"), _customer(world, "Ravi Iyer")
    _sale(world, asha, piece=_gold_piece(world, metals))
    member = _member(asha)
    with read_session() as session:
        shown = customer_points(session, world.actor("sales"), asha)
        assert customer_points(session, world.actor("sales"), ravi) is None  # never bought: not a member
        with pytest.raises(PermissionDenied):
            customer_points(session, world.actor("designer"), asha)
    assert shown.balance == _balance(member.id) > 0
    assert shown.worth == shown.balance * D("1.00")  # the default point value is ₹1
    assert (shown.tier, shown.next_tier) == ("Silver", "Gold")  # Silver from ₹0, Gold from ₹2,00,000
