"""Issue 12, loyalty: a scheme redeemed against a smaller bill keeps the rest (finding 4); the PIN needs the
old PIN, a one-time code or a manager to change, locks after 5 wrong tries and never reaches the audit log
(finding 6); earn rules and tiers are deleted with an audit row each (finding 11); the PAN is masked on the
scheme page without the PII permission (finding 5)."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from jewelerp.core.audit import client_ip_scope
from jewelerp.core.models import AuditLog
from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from jewelerp.masking import mask_pan
from jewelerp.notifications.models import OutboxMessage
from modules.billing.invoices import add_service_line, create_draft, issue_invoice
from modules.billing.models import Invoice, Payment
from modules.billing.payments import take_payment
from modules.billing.rates import set_rate
from modules.loyalty import pins, points, schemes
from modules.loyalty.models import Enrolment, Member, SchemeRedemption
from modules.loyalty.program import ProgramInput, RuleInput, TierInput, program_for, save_program
from modules.loyalty.scheme_pages import _enrolment_data
from tests.modules.loyalty import test_points, test_schemes

clock, customer, gold = test_schemes.clock, test_schemes.customer, test_schemes.gold  # shared fixtures
_do, _get = test_schemes._do, test_schemes._get
ATTACKER_IP = "203.0.113.7"


def _bill(world, customer_id: int, taxable: str) -> Invoice:
    """An issued invoice of a repair service (SAC 9987, 18% GST): taxable ₹9,000 is a ₹10,620 bill."""
    sales = world.actor("sales")
    draft = _do(sales, create_draft, customer_name="Meena Pillai", customer_id=customer_id)
    _do(sales, add_service_line, draft.id, "Bangle repair", taxable)
    return _do(sales, issue_invoice, draft.id)


def _owed(world) -> schemes.Liability:
    with read_session() as session:
        return schemes.liability(session, world.actor("manager"))


def _value(world, enrolment_id: int) -> D:
    with read_session() as session:
        return schemes.scheme_value(session, world.actor("manager"), session.get(Enrolment, enrolment_id))


def _seventy_thousand(world, customer, clock) -> Enrolment:
    """A matured scheme worth ₹70,000: three instalments of ₹17,500 and one instalment's bonus."""
    return test_schemes._matured(world, customer, clock, instalment="17500")


# ---------------------------------------------------------------------------- finding 4: scheme redemption


def test_a_scheme_pays_only_what_the_bill_needs_and_the_liability_reconciles_to_the_paisa(world, customer, clock):
    enrolment = _seventy_thousand(world, customer, clock)
    assert _owed(world).total == D("70000.00")
    sales = world.actor("sales")
    small = _bill(world, customer, "9000")
    assert small.payable == D("10620.00")  # 9,000 + CGST 810 + SGST 810
    _do(sales, take_payment, small.id, "scheme", "10620", enrolment.number)
    kept = _get(Enrolment, enrolment.id)
    assert (kept.status, kept.settled) == ("matured", D("10620.00"))  # before: "redeemed", ₹59,380 gone
    assert _value(world, enrolment.id) == D("59380.00")
    assert (_owed(world).schemes, _owed(world).total) == (1, D("59380.00"))

    large = _bill(world, customer, "60000")
    _do(sales, take_payment, large.id, "scheme", "59380", enrolment.number)
    closed = _get(Enrolment, enrolment.id)
    assert (closed.status, closed.settled, closed.settled_reference) == ("redeemed", D("70000.00"), large.number)
    assert (_owed(world).schemes, _owed(world).total) == (0, D("0.00"))
    with read_session() as session:
        used = session.scalars(select(SchemeRedemption).where(SchemeRedemption.enrolment_id == enrolment.id)).all()
    assert [(r.invoice_number, r.amount, r.value_left) for r in used] == [
        (small.number, D("10620.00"), D("59380.00")),
        (large.number, D("59380.00"), D("0.00")),
    ]


def test_a_grams_scheme_uses_its_bonus_first_and_keeps_the_other_grams(world, gold, customer, clock):
    start = schemes.add_months(world.actor("manager").today(), -3)
    for n in range(3):
        _do(world.actor("manager"), set_rate, gold, "10000", schemes.add_months(start, n))
    enrolment = test_schemes._matured(world, customer, clock, unit="grams", instalment_grams="1", metal_id=str(gold))
    assert (enrolment.grams, enrolment.bonus) == (D("3.000"), D("10000.00"))  # 3 g, bonus the average instalment
    assert _value(world, enrolment.id) == D("46000.00")  # 3 g × ₹12,000 today + ₹10,000
    _do(world.actor("sales"), take_payment, _bill(world, customer, "20000").id, "scheme", "20000", enrolment.number)
    kept = _get(Enrolment, enrolment.id)
    # ₹10,000 of bonus, then ₹10,000 ÷ ₹12,000/g = 0.8333 g, rounded up to 0.834 g; 2.166 g stay grams
    assert (kept.status, kept.grams_redeemed, schemes.grams_left(kept)) == ("matured", D("0.834"), D("2.166"))
    assert _value(world, enrolment.id) == D("25992.00")
    assert _owed(world).grams == D("2.166")
    _do(world.actor("manager"), set_rate, gold, "13000")  # the rest is worth the grams at the new day's rate
    assert _value(world, enrolment.id) == D("28158.00")
    _do(world.actor("sales"), take_payment, _bill(world, customer, "30000").id, "scheme", "28158", enrolment.number)
    closed = _get(Enrolment, enrolment.id)
    assert (closed.status, schemes.grams_left(closed)) == ("redeemed", D("0.000"))
    assert (_owed(world).schemes, _owed(world).grams) == (0, D("0"))


def test_two_counters_redeeming_parts_at_once_never_overdraw_the_scheme(world, customer, clock):
    enrolment = _seventy_thousand(world, customer, clock)
    bills = [_bill(world, customer, "40000").id for _ in range(2)]
    actors = (world.actor("sales"), world.actor("manager"))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def redeem(actor, invoice_id):
        barrier.wait()
        try:
            _do(actor, take_payment, invoice_id, "scheme", "40000", enrolment.number)
            outcomes.append("paid")
        except JewelError as error:
            outcomes.append(error.message)

    threads = [threading.Thread(target=redeem, args=pair) for pair in zip(actors, bills, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(outcomes) == {"paid", f"Scheme {enrolment.number} is worth ₹30,000.00: redeem at most that."}
    assert (_get(Enrolment, enrolment.id).settled, _owed(world).total) == (D("40000.00"), D("30000.00"))
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(Payment).where(Payment.method == "scheme")) == 1


# ---------------------------------------------------------------------------- finding 6: the PIN


@pytest.fixture
def member_with_pin(world) -> tuple[Invoice, Member]:
    """A member with 1,000 points, a PIN 4821 set by a manager, a ₹20,600 invoice, and PINs required."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        set_setting(session, manager, world.mum, "loyalty.require_pin", "true")
    invoice, member = test_points._redeemable(world, None)
    _do(manager, points.reset_pin, member.id, "4821")
    return invoice, member


def _redeem(world, invoice_id: int, pin: str) -> None:
    with client_ip_scope(ATTACKER_IP):
        _do(world.actor("sales"), take_payment, invoice_id, "points", "100", pin)


def _refusals() -> list[dict]:
    with read_session() as session:
        rows = session.scalars(select(AuditLog).where(AuditLog.record_id == pins.REFUSAL)).all()
    return [json.loads(row.changes) for row in rows]


def test_a_sales_user_cannot_replace_the_pin_without_the_old_one_or_a_code(world, member_with_pin):
    invoice, member = member_with_pin
    sales = world.actor("sales")
    with pytest.raises(ValidationError) as refused:
        _do(sales, points.change_pin, member.id, "1111")  # before: set, then redeemed with 1111
    assert set(refused.value.fields) == {"current"}
    with pytest.raises(ValidationError, match="PIN is wrong"), client_ip_scope(ATTACKER_IP):
        _do(sales, points.change_pin, member.id, "1111", current="0000")
    with pytest.raises(PermissionDenied):
        _do(sales, points.reset_pin, member.id, "1111")
    with pytest.raises(ValidationError, match="PIN is wrong"):
        _redeem(world, invoice.id, "1111")
    _do(sales, points.change_pin, member.id, "2468", current="4821")  # the customer, who knows the PIN
    _redeem(world, invoice.id, "2468")
    assert test_points._balance(member.id) == 900
    assert [r["client_ip"][1] for r in _refusals()] == [ATTACKER_IP, ATTACKER_IP]


def test_five_wrong_pins_lock_redemption_until_a_manager_unlocks_it(world, member_with_pin):
    invoice, member = member_with_pin
    for _ in range(3):
        with pytest.raises(ValidationError, match="PIN is wrong"):
            _redeem(world, invoice.id, "0000")
    for _ in range(2):
        with pytest.raises(ValidationError, match="PIN is wrong"), client_ip_scope(ATTACKER_IP):
            _do(world.actor("sales"), points.change_pin, member.id, "1111", current="9999")
    with pytest.raises(JewelError, match="locked after 5 wrong PINs") as locked:
        _redeem(world, invoice.id, "4821")  # the right PIN no longer helps
    assert "4821" not in locked.value.message
    assert test_points._balance(member.id) == 1000  # nothing was written by a refused request
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == 0
    refusals = _refusals()
    assert [r["tries"][1] for r in refusals] == [1, 2, 3, 4, 5, 6]
    assert [r["locked"][1] for r in refusals] == [False] * 4 + [True] * 2
    assert {r["client_ip"][1] for r in refusals} == {ATTACKER_IP}
    with pytest.raises(PermissionDenied):
        _do(world.actor("sales"), points.unlock_pin, member.id)
    _do(world.actor("manager"), points.unlock_pin, member.id)
    _redeem(world, invoice.id, "4821")
    assert test_points._balance(member.id) == 900 and _get(Member, member.id).pin_failures == 0


def _sent_code() -> str:
    with read_session() as session:
        message = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def test_a_one_time_code_sent_to_the_customer_sets_the_pin_once_within_ten_minutes(world, member_with_pin, monkeypatch):
    invoice, member = member_with_pin
    sales = world.actor("sales")
    shown = _do(sales, points.send_pin_code, member.id)
    assert shown.startswith("SMS to +91") and "•" in shown
    code = _sent_code()
    stored = _get(Member, member.id)
    assert code not in stored.pin_code_hash and stored.pin_code_hash.startswith("hmac1$")
    _do(sales, points.change_pin, member.id, "1357", code=code)
    with pytest.raises(ValidationError, match="No code is waiting"):
        _do(sales, points.change_pin, member.id, "2468", code=code)  # single use
    _do(sales, points.send_pin_code, member.id)
    late = utcnow() + timedelta(minutes=11)
    monkeypatch.setattr(pins, "utcnow", lambda: late)
    with pytest.raises(ValidationError, match="expired"):
        _do(sales, points.change_pin, member.id, "2468", code=_sent_code())
    _redeem(world, invoice.id, "1357")
    assert test_points._balance(member.id) == 900


def test_no_pin_or_code_hash_ever_enters_the_audit_log(world, member_with_pin):
    _invoice, member = member_with_pin
    sales = world.actor("sales")
    _do(sales, points.send_pin_code, member.id)
    _do(sales, points.change_pin, member.id, "1357", code=_sent_code())
    with read_session() as session:
        log = [row.changes for row in session.scalars(select(AuditLog))]
    hashes = (_get(Member, member.id).pin_hash, "hmac1$", "$argon2")
    assert not [text for text in log if any(secret in text for secret in hashes)]  # before: the argon2 hash
    changes = [json.loads(text) for text in log]
    assert any(c.get("pin_hash") == ["••••", "••••"] for c in changes)  # the change is logged, without values


# ---------------------------------------------------------------------------- finding 11 and the PAN


def test_replacing_earn_rules_and_tiers_leaves_an_audit_row_per_removed_one(world):
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        program_for(session, world.mum)  # the defaults: six earn rules, three tiers
    data = ProgramInput(
        name="Rewards",
        point_value="1",
        expiry_months="24",
        referral_bonus="500",
        require_pin=False,
        rules=(RuleInput("diamond", "2", "100"), RuleInput("gold", "1", "1000")),
        tiers=(TierInput("Silver", "0", "1", "0"), TierInput("Elite", "300000", "2", "3")),
    )
    _do(manager, save_program, data)
    with read_session() as session:
        rows = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "delete", AuditLog.record_type.in_(("loyalty_earn_rule", "loyalty_tier"))
            )
        ).all()
    names = [json.loads(row.changes) for row in rows]
    deleted = sorted((row.record_type, (n.get("category") or n["name"])[0]) for row, n in zip(rows, names, strict=True))
    assert deleted == [
        ("loyalty_earn_rule", "coin"),
        ("loyalty_earn_rule", "platinum"),
        ("loyalty_earn_rule", "service"),
        ("loyalty_earn_rule", "silver"),
        ("loyalty_tier", "Gold"),
        ("loyalty_tier", "Platinum"),
    ]  # before: none (a bulk DELETE bypassed the audit hook)
    assert {row.user_name for row in rows} == {"Manager"}


def test_the_scheme_page_masks_the_pan_without_the_pii_permission(world, customer):
    template = test_schemes._template(world)
    enrolment = test_schemes._enrol(world, template, customer, pan="ABCDE1234F")
    with read_session() as session:
        shown = {
            who: _enrolment_data(session, world.actor(who), enrolment.id)["enrolment"]["kyc"]
            for who in ("sales", "manager")
        }
    assert shown["sales"].startswith("••••••234F") and "ABCDE" not in shown["sales"]  # before: the full PAN
    assert shown["manager"].startswith("ABCDE1234F")


@pytest.mark.parametrize(("pan", "shown"), [("ABCDE1234F", "••••••234F"), (" abcde1234f ", "••••••234F"), ("", "")])
def test_a_pan_keeps_only_its_last_four_characters(pan, shown):
    assert mask_pan(pan) == shown
