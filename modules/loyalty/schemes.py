"""Gold savings schemes: templates, enrolment with KYC, instalments with receipts, maturity, redemption and
foreclosure.

- A **template** (a manager's setup, ``loyalty.program.manage``) fixes the monthly instalment in rupees
  (``unit="amount"``) or in grams of a metal (``unit="grams"``), the number of months, the bonus (one
  instalment's value, or a % off making charges noted for the purchase), the grace days, how many missed
  instalments are tolerated and the foreclosure deduction. Once a customer is enrolled its terms stay as
  they are: only its name and whether it is offered change. A scheme matures within 365 days of its first
  instalment (Companies (Acceptance of Deposits) Rules 2014, rule 2(1)(c)(xii)(a)): at most 11 months, and
  each enrolment's own dates are checked (:func:`scheme_term_problem`).
- An **enrolment** (``loyalty.scheme.enrol``) belongs to a clienteling customer, with a nominee and KYC:
  the PAN (needed when the scheme's instalments reach ₹2,00,000) and an identity document whose number
  is stored masked (``XXXX-XXXX-1234``), never in full. It is numbered gapless per store in the ``SCH``
  series and gets its schedule: instalment *n* falls due *n − 1* months after the start, and the scheme
  matures the day the month after the last instalment begins.
- An **instalment** is paid at the counter with a receipt of the loyalty ``SRC`` series (billing's
  receipts stay billing's), by cash, card, UPI or bank transfer under billing's tender rules. Cash is
  checked by billing's section 269ST rule (:func:`modules.billing.payments.check_cash`): a scheme is one
  transaction, so its cash instalments of every month count together, and a customer's scheme cash of a day
  counts with their other cash of that day (:func:`cash_received`). With a metal set, each instalment buys
  grams at the store's rate of the day it is paid. Paid after the grace days, it carries the store's late
  fee (or only shows as late).
- The **daily job** marks instalments unpaid past their grace days as missed, lapses a scheme with more
  than ``max_missed`` missed, and matures schemes on their maturity date: the bonus is one instalment's
  value (the average paid, for a grams scheme) when every instalment was paid.
- **Redemption** is billing's payment method ``"scheme"`` (:data:`SCHEME_METHOD`): a matured scheme of the
  invoice's customer, named by its number as the reference, pays up to the value it has left, and only what
  the bill asks: the rest stays on the scheme, redeemable later, and the scheme closes as redeemed when
  nothing is left. Each use is a :class:`SchemeRedemption` row. The rule: the bonus is used first, then the
  savings. A rupee scheme's savings are what was paid. A grams scheme's savings are its grams, worth their
  weight at the day's rate: a part redemption takes the rupees it pays beyond the bonus ÷ the day's rate in
  grams, rounded *up* to the milligram (the customer gives up less than one milligram's worth more, never
  metal the scheme keeps), and the other grams stay grams, valued at the rate of the day they are redeemed.
  The grams a rupee scheme bought for the record go down in proportion to the savings used.
- **Foreclosure** (``loyalty.scheme.close``) of an active or lapsed scheme refunds what was paid less the
  template's deduction %, with no bonus, against a refund receipt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal

from sqlalchemy import func, select, type_coerce
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.core.settings import get_setting
from jewelerp.db import Money, utcnow
from jewelerp.errors import JewelError, NotFound, ValidationError, require_fields
from jewelerp.money import format_inr
from modules.billing.api import (
    METHODS,
    PAN_RE,
    CashFor,
    ExternalMethod,
    Invoice,
    check_cash,
    declare_series,
    next_number,
    pan_required,
    parse_amount,
    parse_tender,
    rate_on,
    require_rate,
)
from modules.clienteling.api import get_customer
from modules.loyalty.models import Enrolment, SchemeInstalment, SchemeRedemption, SchemeTemplate
from modules.loyalty.program import add_months
from modules.stock.api import get_metal, metal_label

VIEW = "loyalty.member.view"
ENROL = "loyalty.scheme.enrol"
CLOSE = "loyalty.scheme.close"
MANAGE = "loyalty.program.manage"
REDEEM = "loyalty.points.redeem"
SCHEME_SERIES = declare_series("SCH", "S", "gold scheme")  # MUM/S2627/00004
RECEIPT_SERIES = declare_series("SRC", "P", "scheme receipt")  # MUM/P2627/00012
LATE_FEE = "loyalty.scheme_late_fee"
REMINDER_DAYS = "loyalty.scheme_reminder_days"
# Companies (Acceptance of Deposits) Rules 2014, rule 2(1)(c)(xii)(a): an advance for the supply of goods
# is not a deposit when it is appropriated against the goods within 365 days of its acceptance. A scheme's
# first instalment is the oldest advance, so the scheme matures within 365 days of it (scheme_term_problem).
MAX_TERM_DAYS = 365
MAX_MONTHS = 11  # the most monthly instalments that always fit: 12 calendar months are 366 days across 29 Feb
PAISA = Decimal("0.01")
MILLIGRAM = Decimal("0.001")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")
STATUSES = (
    ("active", "Active"),
    ("matured", "Matured"),
    ("redeemed", "Redeemed"),
    ("foreclosed", "Foreclosed"),
    ("lapsed", "Lapsed"),
)
OPEN = ("active", "matured")  # schemes the store still owes
UNITS = (("amount", "Rupees each month"), ("grams", "Grams each month"))
BONUS_KINDS = (("instalment", "One instalment"), ("making_pct", "% off making charges"), ("none", "No bonus"))
ID_KINDS = {
    "aadhaar": ("Aadhaar", re.compile(r"^[2-9]\d{11}$"), "An Aadhaar number is 12 digits, e.g. 2345 6789 0123."),
    "passport": ("Passport", re.compile(r"^[A-Z]\d{7}$"), "A passport number is a letter and 7 digits, e.g. K1234567."),
    "voter": ("Voter ID", re.compile(r"^[A-Z]{3}\d{7}$"), "A voter ID is 3 letters and 7 digits, e.g. ABC1234567."),
    "driving": ("Driving licence", re.compile(r"^[A-Z]{2}\d{13}$"), "A driving licence is 2 letters and 13 digits."),
}
PAN_MESSAGE = "PAN is 5 letters, 4 digits and a letter, e.g. ABCDE1234F."


# ---------------------------------------------------------------------------- small helpers


def _int(raw: str, low: int, high: int) -> int | None:
    text = str(raw).strip()
    return int(text) if text.isdigit() and low <= int(text) <= high else None


def _decimal(raw: str, places: Decimal) -> Decimal | None:
    """A non-negative number with at most ``places`` decimals, or None."""
    text = str(raw).strip().replace(",", "").removeprefix("₹").strip() or "0"
    try:
        value = Decimal(text)
    except ArithmeticError:
        return None
    if not value.is_finite() or value < 0 or value != value.quantize(places):
        return None
    return value.quantize(places)


def _money(amount: Decimal) -> str:
    return format_inr(amount, paise=True)


def mask_id(number: str) -> str:
    """Everything but the last 4 characters as X, in groups of 4: ``XXXX-XXXX-1234``."""
    hidden = "X" * (len(number) - 4) + number[-4:]
    return "-".join(hidden[i : i + 4] for i in range(0, len(hidden), 4))


# ---------------------------------------------------------------------------- templates


@dataclass
class TemplateInput:
    """The scheme setup form, as typed."""

    name: str
    unit: str = "amount"
    instalment: str = ""
    instalment_grams: str = ""
    months: str = "11"
    bonus_kind: str = "instalment"
    bonus_value: str = ""
    grace_days: str = "7"
    max_missed: str = "2"
    metal_id: str = ""
    foreclosure_deduction_pct: str = "0"
    active: bool = True


def _months(raw: str, kept: int, errors: dict[str, str]) -> int | None:
    """The number of monthly instalments: 1 to :data:`MAX_MONTHS`, so that the scheme ends within
    :data:`MAX_TERM_DAYS` days of its first instalment; a template saved before that rule may keep the
    term it has (``kept``), and :func:`scheme_term_problem` checks each enrolment in it."""
    months = _int(raw, 1, max(MAX_MONTHS, kept))
    if months is None or (months > MAX_MONTHS and months != kept):
        errors["months"] = (
            f"A scheme runs 1 to {MAX_MONTHS} months, so that it ends within {MAX_TERM_DAYS} days of the first "
            "instalment (Companies (Acceptance of Deposits) Rules 2014)."
        )
        return None
    return months


def _template_values(session: Session, data: TemplateInput, kept_months: int = 0) -> dict[str, object]:
    """Checked column values of a template; ValidationError names each bad field. A template saved before
    the term rule may keep its ``kept_months`` (its enrolments are checked against 365 days instead)."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {"name": " ".join(data.name.split())[:80], "active": bool(data.active)}
    if not values["name"]:
        errors["name"] = "Name the scheme, e.g. Swarna 11+1."
    unit = data.unit.strip()
    if unit not in dict(UNITS):
        errors["unit"] = "Choose rupees or grams each month."
    metal_text = str(data.metal_id).strip()
    metal = get_metal(session, int(metal_text)) if metal_text.isdigit() else None
    if metal_text and metal is None:
        errors["metal_id"] = "Choose the metal and purity."
    if unit == "grams" and metal is None:
        errors["metal_id"] = "A grams scheme buys a metal: choose it."
    values["metal_id"] = metal.id if metal else None
    values["unit"] = unit
    values["instalment"] = parse_amount(data.instalment) if unit == "amount" else ZERO
    if values["instalment"] is None:
        errors["instalment"] = "Enter the monthly instalment in rupees, e.g. 5000."
    grams = _decimal(data.instalment_grams, MILLIGRAM) if unit == "grams" else Decimal("0.000")
    if grams is None or (unit == "grams" and grams <= 0):
        errors["instalment_grams"] = "Enter the grams bought each month, more than 0, e.g. 1.000."
    values["instalment_grams"] = grams
    values["months"] = _months(data.months, kept_months, errors)
    for key, low, high, message in (
        ("grace_days", 0, 27, "Grace days are 0 to 27."),
        ("max_missed", 0, max(MAX_MONTHS, kept_months), "Enter how many missed instalments are tolerated, e.g. 2."),
    ):
        values[key] = _int(getattr(data, key), low, high)
        if values[key] is None:
            errors[key] = message
    values["bonus_kind"] = data.bonus_kind.strip()
    if values["bonus_kind"] not in dict(BONUS_KINDS):
        errors["bonus_kind"] = "Choose the bonus."
    bonus = _decimal(data.bonus_value, PAISA) if values["bonus_kind"] == "making_pct" else ZERO
    if bonus is None or (values["bonus_kind"] == "making_pct" and not 0 < bonus <= HUNDRED):
        errors["bonus_value"] = "Enter the % off making charges, more than 0 and at most 100, e.g. 50."
    values["bonus_value"] = bonus
    deduction = _decimal(data.foreclosure_deduction_pct, PAISA)
    if deduction is None or deduction > HUNDRED:
        errors["foreclosure_deduction_pct"] = "Enter the % kept on foreclosure, 0 to 100, e.g. 2."
    values["foreclosure_deduction_pct"] = deduction
    require_fields(errors)
    return values


FIXED_TERMS = ("unit", "instalment", "instalment_grams", "months", "bonus_kind", "bonus_value", "grace_days")
FIXED_TERMS += ("max_missed", "metal_id", "foreclosure_deduction_pct")


def _has_enrolments(session: Session, template_id: int) -> bool:
    return bool(session.scalar(select(func.count(Enrolment.id)).where(Enrolment.template_id == template_id)))


def get_template(session: Session, actor: Actor, template_id: int) -> SchemeTemplate:
    """A template of the actor's store, or NotFound."""
    actor.require(VIEW)
    template = session.get(SchemeTemplate, template_id)
    if template is None or template.store_id != actor.store_id:
        raise NotFound("That scheme does not exist in this store.")
    return template


def save_template(
    session: Session, actor: Actor, data: TemplateInput, template_id: int | None = None
) -> SchemeTemplate:
    """Create a scheme template in the actor's store, or edit one (its terms only while nobody is enrolled)."""
    actor.require(MANAGE)
    template = get_template(session, actor, template_id) if template_id is not None else None
    values = _template_values(session, data, template.months if template else 0)
    if template is None:
        template = SchemeTemplate(store_id=actor.store_id, **values)
    else:
        changed = [key for key in FIXED_TERMS if getattr(template, key) != values[key]]
        if changed and _has_enrolments(session, template.id):
            raise JewelError(
                f"Customers are enrolled in {template.name}: only its name and whether it is offered can change. "
                "Set up a new scheme for new terms."
            )
        for key, value in values.items():
            setattr(template, key, value)
    session.add(template)
    session.flush()
    return template


def list_templates(session: Session, actor: Actor, *, offered_only: bool = False) -> list[SchemeTemplate]:
    """The store's scheme templates by name (only those offered, when asked)."""
    actor.require(VIEW)
    stmt = select(SchemeTemplate).where(SchemeTemplate.store_id == actor.store_id).order_by(SchemeTemplate.name)
    if offered_only:
        stmt = stmt.where(SchemeTemplate.active)
    return list(session.scalars(stmt))


def describe_template(session: Session, template: SchemeTemplate) -> str:
    """One line: "₹5,000.00 a month for 11 months, bonus one instalment" or "1.000 g of Gold 22K (916) ..."."""
    metal = get_metal(session, template.metal_id) if template.metal_id else None
    if template.unit == "grams":
        each = f"{template.instalment_grams:.3f} g of {metal_label(metal)}"
    else:
        each = _money(template.instalment) + (f" in {metal_label(metal)}" if metal else "")
    bonus = {
        "instalment": "bonus one instalment",
        "making_pct": f"{template.bonus_value.normalize():f}% off making charges",
        "none": "no bonus",
    }[template.bonus_kind]
    return f"{each} a month for {template.months} months, {bonus}"


# ---------------------------------------------------------------------------- enrolment


def scheme_term_problem(template: SchemeTemplate, start: date) -> str | None:
    """Why an enrolment starting on ``start`` would break the 365-day rule (rule 2(1)(c)(xii)(a), see
    :data:`MAX_TERM_DAYS`), or None: the scheme matures ``template.months`` months after its first
    instalment, and that must be at most 365 days later."""
    maturity = add_months(start, template.months)
    days = (maturity - start).days
    if days <= MAX_TERM_DAYS:
        return None
    return (
        f"{template.name} would run {days} days, from {start:%d %b %Y} to {maturity:%d %b %Y}: a scheme must mature "
        f"within {MAX_TERM_DAYS} days of its first instalment. Offer a scheme of at most {MAX_MONTHS} months."
    )


@dataclass
class EnrolInput:
    """The enrolment form, as typed."""

    template_id: str
    customer_id: str
    nominee_name: str
    nominee_relation: str
    pan: str = ""
    id_kind: str = ""
    id_number: str = ""


def _planned_total(session: Session, actor: Actor, template: SchemeTemplate) -> Decimal:
    """What the instalments add up to: rupees × months, or grams × months at today's rate when known."""
    if template.unit == "amount":
        return template.instalment * template.months
    try:
        rate = require_rate(session, actor, template.metal_id)
    except JewelError:
        return ZERO
    return template.instalment_grams * template.months * rate


def _check_kyc(data: EnrolInput, planned: Decimal, errors: dict[str, str]) -> tuple[str, str, str]:
    """The PAN, the document kind and its masked number; the full number is never returned."""
    pan = data.pan.strip().upper()
    if pan and not PAN_RE.match(pan):
        errors["pan"] = PAN_MESSAGE
    elif not pan and pan_required(planned):
        errors["pan"] = f"The instalments reach {_money(planned)}: the customer's PAN is needed above ₹2,00,000."
    kind = data.id_kind.strip().lower()
    number = re.sub(r"[\s-]", "", data.id_number).upper()
    if kind not in ID_KINDS:
        errors["id_kind"] = "Choose the identity document seen."
        return pan, "", ""
    _label, pattern, hint = ID_KINDS[kind]
    if not pattern.match(number):
        errors["id_number"] = hint
        return pan, kind, ""
    return pan, kind, mask_id(number)


def _customer(session: Session, actor: Actor, raw: str, errors: dict[str, str]) -> tuple[int, str]:
    text = str(raw).strip().lstrip("#")
    if not text.isdigit():
        errors["customer_id"] = "Enter the customer's number in Customers, e.g. 42."
        return 0, ""
    try:
        customer = get_customer(session, actor, int(text))
    except NotFound:
        errors["customer_id"] = f"No customer has number {text}."
        return 0, ""
    return customer.id, customer.name


def enrol(session: Session, actor: Actor, data: EnrolInput, start_on: date | None = None) -> Enrolment:
    """Enrol a customer in an offered scheme of the actor's store, starting today (the first instalment is
    due then), with its numbered schedule. Bad input raises ValidationError and saves nothing."""
    actor.require(ENROL)
    errors: dict[str, str] = {}
    template_text = str(data.template_id).strip()
    template = session.get(SchemeTemplate, int(template_text)) if template_text.isdigit() else None
    start = start_on or actor.today()
    if template is None or template.store_id != actor.store_id or not template.active:
        errors["template_id"] = "Choose one of the schemes the store offers."
    elif problem := scheme_term_problem(template, start):
        errors["template_id"] = problem
    customer_id, customer_name = _customer(session, actor, data.customer_id, errors)
    nominee = " ".join(data.nominee_name.split())[:120]
    relation = " ".join(data.nominee_relation.split())[:40]
    if not nominee:
        errors["nominee_name"] = "Name the nominee, who receives the savings if the member dies."
    if not relation:
        errors["nominee_relation"] = "Give the nominee's relation to the member, e.g. Daughter."
    planned = _planned_total(session, actor, template) if template else ZERO
    pan, id_kind, masked = _check_kyc(data, planned, errors)
    require_fields(errors)
    store = session.get(Store, actor.store_id)
    enrolment = Enrolment(
        store_id=store.id,
        number=next_number(session, store.id, store.code, SCHEME_SERIES, start),
        template_id=template.id,
        customer_id=customer_id,
        customer_name=customer_name,
        nominee_name=nominee,
        nominee_relation=relation,
        pan=pan,
        id_kind=id_kind,
        id_number_masked=masked,
        start_on=start,
        maturity_on=add_months(start, template.months),
        created_by=actor.user_name,
    )
    session.add(enrolment)
    session.flush()
    for seq in range(1, template.months + 1):
        session.add(
            SchemeInstalment(
                enrolment_id=enrolment.id,
                seq=seq,
                due_on=add_months(start, seq - 1),
                amount=template.instalment if template.unit == "amount" else ZERO,
            )
        )
    session.flush()
    return enrolment


def get_enrolment(session: Session, actor: Actor, enrolment_id: int, *, lock: bool = False) -> Enrolment:
    """An enrolment of the actor's store (locked for update when asked), or NotFound."""
    actor.require(VIEW)
    enrolment = session.get(Enrolment, enrolment_id, with_for_update=lock)
    if enrolment is None or enrolment.store_id != actor.store_id:
        raise NotFound("That scheme enrolment does not exist in this store.")
    return enrolment


def instalments_of(session: Session, enrolment_id: int) -> list[SchemeInstalment]:
    """An enrolment's instalments in order."""
    stmt = select(SchemeInstalment).where(SchemeInstalment.enrolment_id == enrolment_id)
    return list(session.scalars(stmt.order_by(SchemeInstalment.seq)))


# ---------------------------------------------------------------------------- instalments


def _next_unpaid(session: Session, enrolment: Enrolment) -> SchemeInstalment:
    row = session.scalars(
        select(SchemeInstalment)
        .where(SchemeInstalment.enrolment_id == enrolment.id, SchemeInstalment.status != "paid")
        .order_by(SchemeInstalment.seq)
    ).first()
    if row is None:
        raise JewelError(f"Every instalment of {enrolment.number} is paid.")
    return row


def _price(session: Session, actor: Actor, template: SchemeTemplate, on: date) -> tuple[Decimal, Decimal, Decimal]:
    """The instalment's amount, the rate of the day and the grams it buys (rate and grams 0 without a metal)."""
    if template.metal_id is None:
        return template.instalment, ZERO, Decimal("0.000")
    rate = require_rate(session, actor, template.metal_id, on)
    if template.unit == "grams":
        grams = template.instalment_grams
        return (grams * rate).quantize(PAISA, ROUND_HALF_UP), rate, grams
    return template.instalment, rate, (template.instalment / rate).quantize(MILLIGRAM, ROUND_DOWN)


def _cash_paid(session: Session, *where: object) -> Decimal:
    """What the paid instalments matching ``where`` took in cash, late fees included (a foreclosure's
    refund does not take it back: cash once received was received). The sum is typed as money: a sum of
    two money columns would otherwise come back in paise."""
    total = session.scalar(
        select(type_coerce(func.sum(SchemeInstalment.amount + SchemeInstalment.late_fee), Money()))
        .join(Enrolment, Enrolment.id == SchemeInstalment.enrolment_id)
        .where(SchemeInstalment.status == "paid", SchemeInstalment.method == "cash", *where)
    )
    return total or ZERO


def cash_received(session: Session, actor: Actor, customer_id: int, day: date) -> Decimal:
    """Billing's ``"billing.cash_received"``: the cash the customer paid into schemes on the store date
    ``day``, in every store (section 269ST(a), one person in a day)."""
    return _cash_paid(session, Enrolment.customer_id == customer_id, SchemeInstalment.paid_on == day)


def is_late(instalment: SchemeInstalment, grace_days: int) -> bool:
    """Whether the instalment was paid after its due date plus the grace days."""
    return instalment.paid_on is not None and instalment.paid_on > instalment.due_on + timedelta(days=grace_days)


@dataclass(frozen=True)
class InstalmentDue:
    """The next unpaid instalment of a scheme as it would be paid on ``on``: its amount, the day's rate and the
    grams it buys, and the late fee."""

    instalment: SchemeInstalment
    on: date
    amount: Decimal
    rate: Decimal
    grams: Decimal
    late_fee: Decimal

    @property
    def total(self) -> Decimal:
        """What the customer pays: the instalment and the late fee."""
        return self.amount + self.late_fee


def instalment_due(session: Session, actor: Actor, enrolment: Enrolment, on: date) -> InstalmentDue:
    """What the enrolment's next unpaid instalment costs on the store date ``on`` (JewelError when every
    instalment is paid, or a grams scheme has no rate that day)."""
    template = session.get(SchemeTemplate, enrolment.template_id)
    instalment = _next_unpaid(session, enrolment)
    amount, rate, grams = _price(session, actor, template, on)
    late = on > instalment.due_on + timedelta(days=template.grace_days)
    fee = get_setting(session, enrolment.store_id, LATE_FEE) if late else ZERO
    return InstalmentDue(instalment, on, amount, rate, grams, fee)


def collect(
    session: Session,
    actor: Actor,
    enrolment: Enrolment,
    method: str,
    reference: str,
    on: date,
    *,
    online: bool = False,
) -> SchemeInstalment:
    """Receive the enrolment's next unpaid instalment on the store date ``on`` (the caller checked the
    permission and that the scheme is active): its receipt, rate, grams and late fee. ``online``: paid through
    a payment gateway (billing's ``online`` method, the gateway's payment id as the reference)."""
    due = instalment_due(session, actor, enrolment, on)
    instalment, amount, rate, grams, fee = due.instalment, due.amount, due.rate, due.grams, due.late_fee
    tender = parse_tender(method, amount + fee, reference, online=online)
    if tender.method == "cash":
        earlier = _cash_paid(session, SchemeInstalment.enrolment_id == enrolment.id)
        scheme = CashFor(enrolment.customer_id, enrolment.customer_name, f"scheme {enrolment.number}", earlier=earlier)
        check_cash(session, actor, tender.amount, scheme, on)
    store = session.get(Store, enrolment.store_id)
    instalment.receipt_number = next_number(session, store.id, store.code, RECEIPT_SERIES, on)
    instalment.amount, instalment.rate, instalment.grams, instalment.late_fee = amount, rate, grams, fee
    instalment.paid_on, instalment.method, instalment.reference = on, tender.method, tender.reference
    instalment.status, instalment.received_by = "paid", actor.user_name
    enrolment.paid += amount
    enrolment.grams += grams
    session.add_all([instalment, enrolment])
    session.flush()
    return instalment


def pay_instalment(
    session: Session, actor: Actor, enrolment_id: int, method: str, reference: str = ""
) -> SchemeInstalment:
    """Take the next unpaid instalment of an active scheme today, with a numbered receipt.

    A missed instalment is paid first (late, with the store's late fee). Bad tender input raises
    ValidationError keyed ``method``, ``amount`` or ``reference``; a missing rate of the day, JewelError.
    """
    actor.require(ENROL)
    enrolment = get_enrolment(session, actor, enrolment_id, lock=True)
    if enrolment.status != "active":
        raise JewelError(f"Scheme {enrolment.number} is {enrolment.status}: it takes no instalments.")
    today = actor.today()
    if today >= enrolment.maturity_on:
        raise JewelError(
            f"Scheme {enrolment.number} matured on {enrolment.maturity_on:%d %b %Y}: it takes no instalments."
        )
    return collect(session, actor, enrolment, method, reference, today)


# ---------------------------------------------------------------------------- the daily rules


def _active(session: Session, actor: Actor) -> list[Enrolment]:
    stmt = select(Enrolment).where(Enrolment.store_id == actor.store_id, Enrolment.status == "active")
    return list(session.scalars(stmt.order_by(Enrolment.id)))


def bonus_for(template: SchemeTemplate, enrolment: Enrolment, instalments: list[SchemeInstalment]) -> Decimal:
    """The rupee bonus at maturity: one instalment's value (the average paid, for a grams scheme) when every
    instalment was paid; nothing otherwise, nor for a making-charge bonus (noted at redemption instead)."""
    if template.bonus_kind != "instalment" or any(i.status != "paid" for i in instalments):
        return ZERO
    if template.unit == "amount":
        return template.instalment
    return (enrolment.paid / template.months).quantize(PAISA, ROUND_HALF_UP)


def run_daily(session: Session, actor: Actor, today: date | None = None) -> dict[str, int]:
    """Mark instalments unpaid past their grace days as missed, lapse schemes with more missed than allowed,
    and mature the rest on their maturity date; returns how many of each."""
    actor.require(ENROL)
    today = today or actor.today()
    counts = {"missed": 0, "lapsed": 0, "matured": 0}
    templates: dict[int, SchemeTemplate] = {}
    for enrolment in _active(session, actor):
        template = templates.setdefault(enrolment.template_id, session.get(SchemeTemplate, enrolment.template_id))
        instalments = instalments_of(session, enrolment.id)
        for row in instalments:
            overdue = row.due_on + timedelta(days=template.grace_days) < today
            if row.status == "due" and (overdue or today >= enrolment.maturity_on):
                row.status = "missed"
                session.add(row)
                counts["missed"] += 1
        if sum(row.status == "missed" for row in instalments) > template.max_missed:
            enrolment.status, enrolment.closed_at = "lapsed", utcnow()
            counts["lapsed"] += 1
        elif today >= enrolment.maturity_on:
            enrolment.status, enrolment.bonus = "matured", bonus_for(template, enrolment, instalments)
            counts["matured"] += 1
        session.add(enrolment)
    session.flush()
    return counts


# ---------------------------------------------------------------------------- redemption and foreclosure


def grams_left(enrolment: Enrolment) -> Decimal:
    """The grams the scheme still holds: those its instalments bought less those its redemptions took."""
    return enrolment.grams - enrolment.grams_redeemed


def _bonus_left(enrolment: Enrolment) -> Decimal:
    """The bonus not yet redeemed (redemptions use the bonus first)."""
    return max(enrolment.bonus - enrolment.settled, ZERO)


def _rate_today(session: Session, actor: Actor, template: SchemeTemplate) -> Decimal:
    """Today's rate of a grams scheme's metal (a missing rate raises JewelError); 0 for a rupee scheme."""
    return require_rate(session, actor, template.metal_id) if template.unit == "grams" else ZERO


def _value(template: SchemeTemplate, enrolment: Enrolment, rate: Decimal) -> Decimal:
    """What the scheme has left at ``rate``: paid + bonus − redeemed, or its grams left × rate + the bonus left."""
    if template.unit == "grams":
        return (grams_left(enrolment) * rate).quantize(PAISA, ROUND_HALF_UP) + _bonus_left(enrolment)
    return enrolment.paid + enrolment.bonus - enrolment.settled


def scheme_value(session: Session, actor: Actor, enrolment: Enrolment) -> Decimal:
    """What a scheme pays at redemption today: what it has left, its grams at today's rate for a grams scheme."""
    template = session.get(SchemeTemplate, enrolment.template_id)
    return _value(template, enrolment, _rate_today(session, actor, template))


def _grams_taken(
    template: SchemeTemplate, enrolment: Enrolment, amount: Decimal, value: Decimal, rate: Decimal
) -> Decimal:
    """The grams a redemption of ``amount`` out of the ``value`` left takes (the module's rule): every gram
    left for the whole value; else the savings part (beyond the bonus left) ÷ the day's rate rounded up to
    the milligram for a grams scheme, or the same share of the grams as of the savings for a rupee scheme."""
    left = grams_left(enrolment)
    if amount == value:
        return left
    savings = max(amount - _bonus_left(enrolment), ZERO)
    if template.unit == "grams":
        return min((savings / rate).quantize(MILLIGRAM, ROUND_UP), left)
    savings_left = value - _bonus_left(enrolment)
    return (left * savings / savings_left).quantize(MILLIGRAM, ROUND_HALF_UP) if savings_left else left


def _by_number(session: Session, actor: Actor, number: str) -> Enrolment:
    text = " ".join(number.split()).upper()
    enrolment = session.scalars(
        select(Enrolment).where(Enrolment.store_id == actor.store_id, Enrolment.number == text).with_for_update()
    ).first()
    if enrolment is None:
        raise ValidationError({"reference": "Enter the scheme's number as the reference, e.g. MUM/S2627/00004."})
    return enrolment


def redeem(session: Session, actor: Actor, invoice: Invoice, amount: Decimal, reference: str) -> str:
    """Billing's ``take`` for the ``"scheme"`` method: pay ``amount`` of an invoice of the scheme's own customer
    from the matured scheme numbered ``reference``, at most what it has left; the rest stays on the scheme
    (which closes as redeemed when nothing is left). Returns the text billing records on the receipt."""
    actor.require(REDEEM)
    enrolment = _by_number(session, actor, reference)  # locked: two counters cannot spend the same value
    if enrolment.status != "matured":
        state = "has not matured yet" if enrolment.status == "active" else f"is {enrolment.status}"
        raise JewelError(f"Scheme {enrolment.number} {state}: only a matured scheme is redeemed.")
    if invoice.customer_id != enrolment.customer_id:
        raise JewelError(
            f"Scheme {enrolment.number} belongs to {enrolment.customer_name} (customer {enrolment.customer_id}): "
            "it pays only for their own invoice."
        )
    template = session.get(SchemeTemplate, enrolment.template_id)
    rate = _rate_today(session, actor, template)
    value = _value(template, enrolment, rate)
    if amount > value:
        raise ValidationError({"amount": f"Scheme {enrolment.number} is worth {_money(value)}: redeem at most that."})
    grams = _grams_taken(template, enrolment, amount, value, rate)
    enrolment.settled += amount
    enrolment.grams_redeemed += grams
    enrolment.settled_reference = invoice.number or ""
    left = _value(template, enrolment, rate)
    if left <= 0:
        enrolment.status, enrolment.closed_at = "redeemed", utcnow()
    session.add(enrolment)
    session.add(
        SchemeRedemption(
            enrolment_id=enrolment.id,
            invoice_number=invoice.number or "",
            amount=amount,
            grams=grams,
            rate=rate,
            value_left=left,
            user_name=actor.user_name,
        )
    )
    session.flush()
    if template.bonus_kind == "making_pct":
        return f"{enrolment.number}; {template.bonus_value.normalize():f}% off making charges"
    return enrolment.number


def redemptions_of(session: Session, enrolment_id: int) -> list[SchemeRedemption]:
    """An enrolment's redemptions, oldest first."""
    stmt = select(SchemeRedemption).where(SchemeRedemption.enrolment_id == enrolment_id)
    return list(session.scalars(stmt.order_by(SchemeRedemption.id)))


SCHEME_METHOD = ExternalMethod("scheme", "Gold scheme", redeem)


def foreclosure_refund(session: Session, enrolment: Enrolment) -> tuple[Decimal, Decimal]:
    """The refund on foreclosure and the deduction % (paid less the template's deduction, no bonus)."""
    pct = session.get(SchemeTemplate, enrolment.template_id).foreclosure_deduction_pct
    return (enrolment.paid * (HUNDRED - pct) / HUNDRED).quantize(PAISA, ROUND_HALF_UP), pct


def foreclose(session: Session, actor: Actor, enrolment_id: int, method: str, reference: str = "") -> Enrolment:
    """Close an active or lapsed scheme before maturity: refund what was paid less the store's deduction,
    with a refund receipt in the ``SRC`` series (no receipt when nothing was paid)."""
    actor.require(CLOSE)
    enrolment = get_enrolment(session, actor, enrolment_id, lock=True)
    if enrolment.status not in ("active", "lapsed"):
        raise JewelError(f"Scheme {enrolment.number} is {enrolment.status}: only an open scheme is foreclosed.")
    refund, _pct = foreclosure_refund(session, enrolment)
    if refund > 0:
        tender = parse_tender(method, refund, reference, refund=True)
        store = session.get(Store, enrolment.store_id)
        number = next_number(session, store.id, store.code, RECEIPT_SERIES, actor.today())
        enrolment.settled_reference = f"{number} {METHODS[tender.method]} {tender.reference}".strip()[:60]
    enrolment.status, enrolment.settled, enrolment.bonus, enrolment.closed_at = "foreclosed", refund, ZERO, utcnow()
    session.add(enrolment)
    session.flush()
    return enrolment


# ---------------------------------------------------------------------------- what pages and jobs read


@dataclass(frozen=True)
class Liability:
    """What the store owes on open (active and matured) schemes: paid in, bonus accrued, less what
    redemptions released; and the grams it still holds for them.

    ``total`` carries a grams scheme at what its instalments paid; ``at_today`` values its grams at today's
    rate instead (what its members could redeem them for today), and is None when the metal of a grams
    scheme has no rate today. A rupee scheme owes the same rupees at either value.
    """

    schemes: int
    paid: Decimal
    bonus: Decimal
    redeemed: Decimal
    grams: Decimal
    at_today: Decimal | None

    @property
    def total(self) -> Decimal:
        """Paid plus accrued bonus less redeemed, in rupees."""
        return self.paid + self.bonus - self.redeemed

    def __add__(self, other: Liability) -> Liability:
        """Two liabilities together (the store's total is the sum of its schemes')."""
        at_today = None if self.at_today is None or other.at_today is None else self.at_today + other.at_today
        return Liability(
            self.schemes + other.schemes,
            self.paid + other.paid,
            self.bonus + other.bonus,
            self.redeemed + other.redeemed,
            self.grams + other.grams,
            at_today,
        )


NOTHING_OWED = Liability(0, ZERO, ZERO, ZERO, Decimal("0.000"), ZERO)


def accrued_bonus(template: SchemeTemplate, enrolment: Enrolment) -> Decimal:
    """The bonus owed so far: a matured scheme's bonus; for an active one-instalment-bonus scheme,
    the bonus in proportion to what was paid (paid ÷ months)."""
    if enrolment.status == "matured":
        return enrolment.bonus
    if enrolment.status == "active" and template.bonus_kind == "instalment":
        return (enrolment.paid / template.months).quantize(PAISA, ROUND_HALF_UP)
    return ZERO


def _released(template: SchemeTemplate, enrolment: Enrolment) -> Decimal:
    """What redemptions took off the liability: what they paid, for a rupee scheme; for a grams scheme (carried
    at what its instalments paid) the bonus they used and the purchase cost of the grams they took."""
    if template.unit != "grams" or not enrolment.grams:
        return enrolment.settled
    cost_left = (enrolment.paid * grams_left(enrolment) / enrolment.grams).quantize(PAISA, ROUND_HALF_UP)
    return enrolment.paid - cost_left + min(enrolment.settled, enrolment.bonus)


def _owed_today(
    template: SchemeTemplate, enrolment: Enrolment, at_cost: Decimal, rate: Decimal | None
) -> Decimal | None:
    """A scheme's debt at today's ``rate``: a grams scheme's grams left × the rate (to the paisa) plus the
    bonus it has not used; a rupee scheme's debt in rupees (``at_cost``); None for a grams scheme without a rate."""
    if template.unit != "grams":
        return at_cost
    if rate is None:
        return None
    bonus_left = accrued_bonus(template, enrolment) - min(enrolment.settled, enrolment.bonus)
    return (grams_left(enrolment) * rate).quantize(PAISA, ROUND_HALF_UP) + bonus_left


def scheme_liability(template: SchemeTemplate, enrolment: Enrolment, rate: Decimal | None) -> Liability:
    """What the store owes on one open scheme (a row of the liability report), a grams scheme's grams valued
    at ``rate`` (today's rate of its metal, or None when there is none) as well as at what was paid."""
    bonus, released = accrued_bonus(template, enrolment), _released(template, enrolment)
    at_cost = enrolment.paid + bonus - released
    at_today = _owed_today(template, enrolment, at_cost, rate)
    return Liability(1, enrolment.paid, bonus, released, grams_left(enrolment), at_today)


def rate_for_liability(session: Session, actor: Actor, template: SchemeTemplate) -> Decimal | None:
    """Today's rate of a grams scheme's metal in the actor's store (None without one, or for a rupee scheme)."""
    if template.unit != "grams" or template.metal_id is None:
        return None
    return rate_on(session, actor.store_id, template.metal_id, actor.today())


def liability(session: Session, actor: Actor) -> Liability:
    """The store's liability on its active and matured schemes in rupees (at what was paid and at today's
    rates) and grams."""
    actor.require(VIEW)
    rows = session.execute(
        select(Enrolment, SchemeTemplate)
        .join(SchemeTemplate, SchemeTemplate.id == Enrolment.template_id)
        .where(Enrolment.store_id == actor.store_id, Enrolment.status.in_(OPEN))
    )
    rates: dict[int, Decimal | None] = {}  # one look-up per template
    owed = NOTHING_OWED
    for enrolment, template in rows:
        if template.id not in rates:
            rates[template.id] = rate_for_liability(session, actor, template)
        owed += scheme_liability(template, enrolment, rates[template.id])
    return owed


def customer_schemes(session: Session, actor: Actor, customer_id: int) -> list[Enrolment]:
    """A customer's enrolments in the actor's store, newest first."""
    actor.require(VIEW)
    stmt = select(Enrolment).where(Enrolment.store_id == actor.store_id, Enrolment.customer_id == customer_id)
    return list(session.scalars(stmt.order_by(Enrolment.id.desc())))
