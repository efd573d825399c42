"""The points program: a store's own program, else the chain's; its earn rules, tiers and point value.

- **Which program**: the store's own (``Program.store_id`` = the store) when it has one, else the chain
  program (``store_id`` None), created with the defaults on first use. A manager may give a store its own
  program (a copy of the chain's to start from) or edit the one in effect.
- **Earn rules** by category: ``points`` for every ``per_amount`` rupees of the value before tax.
  Defaults: 1 point per ₹100 on diamond, per ₹500 on platinum, per ₹1,000 on gold and silver; none on
  coins and services.
- **Tiers** by rolling 12-month spend (earned spend of the last 365 days less reversals), each with an
  earn multiplier and a making-charge discount %. Defaults: Silver from ₹0, Gold from ₹2,00,000 (×1.25,
  2% off making), Platinum from ₹10,00,000 (×1.5, 5% off making).

Permissions: ``loyalty.program.manage`` (change the program), ``loyalty.member.view`` (read it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from sqlalchemy import select
from sqlmodel import Session, SQLModel

from jewelerp.auth.actor import Actor
from jewelerp.errors import require_fields
from modules.loyalty.models import EarnRule, Program, Tier

MANAGE = "loyalty.program.manage"
VIEW = "loyalty.member.view"
CATEGORIES = (
    ("diamond", "Diamond jewellery"),
    ("gold", "Gold jewellery"),
    ("platinum", "Platinum jewellery"),
    ("silver", "Silver"),
    ("coin", "Coins and bars"),
    ("service", "Services"),
)
DEFAULT_RULES = {
    "diamond": (1, Decimal("100")),
    "gold": (1, Decimal("1000")),
    "platinum": (1, Decimal("500")),
    "silver": (1, Decimal("1000")),
    "coin": (0, Decimal("1000")),
    "service": (0, Decimal("1000")),
}
DEFAULT_TIERS = (
    ("Silver", Decimal("0"), Decimal("1.00"), Decimal("0")),
    ("Gold", Decimal("200000"), Decimal("1.25"), Decimal("2")),
    ("Platinum", Decimal("1000000"), Decimal("1.50"), Decimal("5")),
)
MAX_TIERS = 6


@dataclass(frozen=True)
class RuleInput:
    """An earn rule as typed: points for every ``per_amount`` rupees of ``category``."""

    category: str
    points: str
    per_amount: str


@dataclass(frozen=True)
class TierInput:
    """A tier as typed; an empty name drops the row."""

    name: str
    min_spend: str
    earn_multiplier: str
    making_discount_pct: str


@dataclass(frozen=True)
class ProgramInput:
    """The setup form: the program's terms, its earn rules and its tiers (as text)."""

    name: str
    point_value: str
    expiry_months: str
    referral_bonus: str
    require_pin: bool
    rules: tuple[RuleInput, ...]
    tiers: tuple[TierInput, ...]


# ---------------------------------------------------------------------------- reading


def _seed(session: Session, program: Program) -> None:
    """Give a new program the default earn rules and tiers."""
    for category, (points, per_amount) in DEFAULT_RULES.items():
        session.add(EarnRule(program_id=program.id, category=category, points=points, per_amount=per_amount))
    for name, spend, multiplier, making in DEFAULT_TIERS:
        session.add(
            Tier(
                program_id=program.id,
                name=name,
                min_spend=spend,
                earn_multiplier=multiplier,
                making_discount_pct=making,
            )
        )
    session.flush()


def program_for(session: Session, store_id: int) -> Program:
    """The program in effect in a store: its own, else the chain's (created with the defaults on first use)."""
    program = session.scalars(select(Program).where(Program.store_id == store_id)).first()
    program = program or session.scalars(select(Program).where(Program.store_id.is_(None))).first()
    if program is None:
        program = Program()
        session.add(program)
        session.flush()
        _seed(session, program)
    return program


def rules_of(session: Session, program_id: int) -> dict[str, EarnRule]:
    """The program's earn rules by category."""
    return {r.category: r for r in session.scalars(select(EarnRule).where(EarnRule.program_id == program_id))}


def tiers_of(session: Session, program_id: int) -> list[Tier]:
    """The program's tiers, lowest spend first."""
    return list(session.scalars(select(Tier).where(Tier.program_id == program_id).order_by(Tier.min_spend)))


def tier_for(tiers: list[Tier], spend: Decimal) -> Tier | None:
    """The highest tier whose minimum spend ``spend`` reaches (None when the program has no tiers)."""
    reached = [t for t in tiers if spend >= t.min_spend]
    return reached[-1] if reached else (tiers[0] if tiers else None)


def next_tier(tiers: list[Tier], spend: Decimal) -> Tier | None:
    """The first tier above ``spend``, or None at the top."""
    return next((t for t in tiers if t.min_spend > spend), None)


def points_for(rules: dict[str, EarnRule], lines: tuple[tuple[str, Decimal], ...], multiplier: Decimal) -> int:
    """Points a sale earns: Σ value before tax × points / per amount by category, × the tier multiplier,
    rounded down once; a category without a rule earns nothing."""
    exact = Decimal(0)
    for category, taxable in lines:
        rule = rules.get(category)
        if rule and rule.points > 0 and rule.per_amount > 0 and taxable > 0:
            exact += taxable * rule.points / rule.per_amount
    return int((exact * multiplier).to_integral_value(ROUND_FLOOR))


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, on the month's last day when it is shorter (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = (following - date.resolution).day
    return date(year, month, min(day.day, last))


# ---------------------------------------------------------------------------- setup


def _number(raw: str, places: str, low: Decimal, high: Decimal) -> Decimal | None:
    text = str(raw).strip().replace(",", "").removeprefix("₹").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < low or value > high or value != value.quantize(Decimal(places)):
        return None
    return value.quantize(Decimal(places))


def _whole(raw: str, low: int, high: int) -> int | None:
    value = _number(raw, "1", Decimal(low), Decimal(high))
    return None if value is None else int(value)


def _check_terms(data: ProgramInput, errors: dict[str, str]) -> dict[str, object]:
    name = " ".join(data.name.split())
    if not name:
        errors["name"] = "Name the program, e.g. Rewards."
    point_value = _number(data.point_value, "0.01", Decimal("0.01"), Decimal("1000"))
    if point_value is None:
        errors["point_value"] = "Enter what one point is worth in rupees, e.g. 1 or 0.25."
    expiry = _whole(data.expiry_months, 1, 120)
    if expiry is None:
        errors["expiry_months"] = "Enter the months before points expire, 1 to 120."
    bonus = _whole(data.referral_bonus, 0, 1_000_000)
    if bonus is None:
        errors["referral_bonus"] = "Enter the referral bonus in whole points (0 for none)."
    terms = {"point_value": point_value, "expiry_months": expiry, "referral_bonus": bonus}
    return {"name": name[:80], "require_pin": bool(data.require_pin), **terms}


def _check_rules(data: ProgramInput, errors: dict[str, str]) -> list[tuple[str, int, Decimal]]:
    known = dict(CATEGORIES)
    rules = []
    for rule in data.rules:
        if rule.category not in known:
            errors[f"rule_{rule.category}"] = "Unknown category."
            continue
        points = _whole(rule.points or "0", 0, 10_000)
        per_amount = _number(rule.per_amount, "0.01", Decimal("1"), Decimal("10000000"))
        if points is None or per_amount is None:
            errors[f"rule_{rule.category}"] = (
                f"{known[rule.category]}: enter whole points (0 for none) per an amount of at least ₹1."
            )
            continue
        rules.append((rule.category, points, per_amount))
    return rules


def _check_tiers(data: ProgramInput, errors: dict[str, str]) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    tiers = []
    for index, tier in enumerate(data.tiers):
        name = " ".join(tier.name.split())[:40]
        if not name:
            continue
        spend = _number(tier.min_spend or "0", "0.01", Decimal(0), Decimal("1000000000"))
        multiplier = _number(tier.earn_multiplier or "1", "0.01", Decimal("0.01"), Decimal("10"))
        making = _number(tier.making_discount_pct or "0", "0.01", Decimal(0), Decimal("100"))
        if spend is None or multiplier is None or making is None:
            errors[f"tier_{index}"] = (
                f"{name}: spend in rupees, a multiplier such as 1.25 and a making discount of 0 to 100%."
            )
            continue
        tiers.append((name, spend, multiplier, making))
    names = [t[0].lower() for t in tiers]
    spends = [t[1] for t in tiers]
    if not tiers:
        errors["tiers"] = "Keep at least one tier (from ₹0)."
    elif len(tiers) > MAX_TIERS or len(set(names)) != len(names) or len(set(spends)) != len(spends):
        errors["tiers"] = f"Up to {MAX_TIERS} tiers, each with its own name and its own minimum spend."
    elif min(spends) != 0:
        errors["tiers"] = "The first tier starts at ₹0 spend, so every member has a tier."
    return tiers


def _sync(
    session: Session,
    rows: Mapping[str, SQLModel],
    wanted: Mapping[str, dict[str, object]],
    make: Callable[..., SQLModel],
) -> None:
    """Make ``rows`` (existing, by key) match ``wanted`` (values by key) through the ORM, so the audit log
    records each change: a kept key is updated in place, a dropped one deleted, a new one created."""
    for key, row in rows.items():
        if key not in wanted:
            session.delete(row)
    for key, values in wanted.items():
        row = rows.get(key) or make()
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)


def save_program(session: Session, actor: Actor, data: ProgramInput, *, own_store: bool = False) -> Program:
    """Change the program in effect in the actor's store (its terms, rules and tiers).

    With ``own_store`` a store on the chain program gets its own program with these terms (members
    of the chain program stay there). Bad input raises ValidationError and changes nothing.
    """
    actor.require(MANAGE)
    errors: dict[str, str] = {}
    terms = _check_terms(data, errors)
    rules = _check_rules(data, errors)
    tiers = _check_tiers(data, errors)
    require_fields(errors)
    program = program_for(session, actor.store_id)
    if own_store and program.store_id is None:
        program = Program(store_id=actor.store_id)
    for key, value in terms.items():
        setattr(program, key, value)
    session.add(program)
    session.flush()
    _sync(
        session,
        rules_of(session, program.id),
        {c: {"program_id": program.id, "category": c, "points": p, "per_amount": a} for c, p, a in rules},
        EarnRule,
    )
    tier_values = ("name", "min_spend", "earn_multiplier", "making_discount_pct")
    _sync(
        session,
        {tier.name: tier for tier in tiers_of(session, program.id)},
        {tier[0]: {"program_id": program.id, **dict(zip(tier_values, tier, strict=True))} for tier in tiers},
        Tier,
    )
    session.flush()
    return program


def program_view(session: Session, actor: Actor) -> tuple[Program, dict[str, EarnRule], list[Tier]]:
    """The program in effect in the actor's store with its rules and tiers (for the setup page)."""
    if not actor.can(MANAGE):
        actor.require(VIEW)
    program = program_for(session, actor.store_id)
    return program, rules_of(session, program.id), tiers_of(session, program.id)
