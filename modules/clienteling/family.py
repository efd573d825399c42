"""Family and gift recipients, and custom occasions to remember."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import NotFound, require_fields
from modules.clienteling.models import Occasion, Relative
from modules.clienteling.parsing import parse_date, parse_int, parse_list
from modules.clienteling.services import get_customer
from modules.clienteling.sizes import us_ring_size

RELATIONS = ("spouse", "partner", "parent", "child", "sibling", "friend", "other")


@dataclass
class RelativeInput:
    """A family member or gift recipient as typed."""

    name: str
    relation: str
    date_of_birth: str = ""
    anniversary: str = ""
    ring_size_in: str = ""
    pref_metals: str = ""
    pref_styles: str = ""
    notes: str = ""


def add_relative(session: Session, actor: Actor, customer_id: int, data: RelativeInput) -> Relative:
    """Add a related person with their own dates, ring size and tastes."""
    actor.require("clienteling.customer.edit")
    customer = get_customer(session, actor, customer_id)
    errors: dict[str, str] = {}
    name = " ".join(data.name.split())
    if not name:
        errors["relative_name"] = "Enter their name."
    relation = data.relation.strip().lower()
    if relation not in RELATIONS:
        errors["relation"] = f"Relation is one of {', '.join(RELATIONS)}."
    relative = Relative(
        customer_id=customer.id,
        name=name,
        relation=relation,
        date_of_birth=parse_date(data.date_of_birth, "Date of birth", errors, "relative_date_of_birth"),
        anniversary=parse_date(data.anniversary, "Anniversary", errors, "relative_anniversary"),
        ring_size_in=parse_int(data.ring_size_in, "Ring size (Indian)", 1, 35, errors, "relative_ring_size_in"),
        pref_metals=parse_list(data.pref_metals),
        pref_styles=parse_list(data.pref_styles),
        notes=data.notes.strip(),
    )
    require_fields(errors)
    session.add(relative)
    session.flush()
    return relative


def add_occasion(
    session: Session, actor: Actor, customer_id: int, label: str, on: str, relative_id: int | None = None
) -> Occasion:
    """Remember a custom date (e.g. "Daughter's graduation") every year from now on."""
    actor.require("clienteling.customer.edit")
    customer = get_customer(session, actor, customer_id)
    errors: dict[str, str] = {}
    label = " ".join(label.split())
    if not label:
        errors["occasion_label"] = "Say what the occasion is."
    try:
        when = date.fromisoformat(on.strip())
    except ValueError:
        errors["occasion_date"] = "Give the date like 2026-12-24."
        when = None
    if relative_id is not None:
        relative = session.get(Relative, relative_id)
        if relative is None or relative.customer_id != customer.id:
            raise NotFound("That family member is not on this profile.")
    require_fields(errors)
    occasion = Occasion(
        customer_id=customer.id, relative_id=relative_id, label=label, month=when.month, day=when.day, year=when.year
    )
    session.add(occasion)
    session.flush()
    return occasion


def family_rows(session: Session, actor: Actor, customer_id: int) -> list[dict[str, str]]:
    """The family of a customer for display (dates follow the PII rule)."""
    actor.require("clienteling.customer.view")
    pii = actor.can("clienteling.customer.pii")
    rows = []
    for r in session.scalars(select(Relative).where(Relative.customer_id == customer_id).order_by(Relative.id)):
        rows.append(
            {
                "id": str(r.id),
                "name": r.name,
                "relation": r.relation,
                "birthday": _day(r.date_of_birth, pii),
                "anniversary": _day(r.anniversary, pii),
                "ring_size": f"IN {r.ring_size_in} / US {us_ring_size(r.ring_size_in)}" if r.ring_size_in else "",
                "likes": ", ".join(x for x in (r.pref_metals, r.pref_styles) if x),
                "notes": r.notes,
            }
        )
    return rows


def _day(moment: date | None, pii: bool) -> str:
    if moment is None:
        return ""
    return moment.strftime("%d %b %Y") if pii else moment.strftime("%d %b")


def occasion_rows(session: Session, actor: Actor, customer_id: int) -> list[dict[str, str]]:
    """Every date to remember for this customer: birthdays, anniversaries and custom ones, by month."""
    actor.require("clienteling.customer.view")
    customer = get_customer(session, actor, customer_id)
    found: list[tuple[int, int, str, str]] = []
    if customer.date_of_birth:
        found.append((customer.birth_month, customer.birth_day, f"{customer.name}'s birthday", "birthday"))
    if customer.anniversary:
        found.append(
            (customer.anniversary_month, customer.anniversary_day, f"{customer.name}'s anniversary", "anniversary")
        )
    for r in session.scalars(select(Relative).where(Relative.customer_id == customer.id)):
        if r.date_of_birth:
            found.append(
                (r.date_of_birth.month, r.date_of_birth.day, f"{r.name}'s birthday ({r.relation})", "birthday")
            )
        if r.anniversary:
            found.append((r.anniversary.month, r.anniversary.day, f"{r.name}'s anniversary", "anniversary"))
    for o in session.scalars(select(Occasion).where(Occasion.customer_id == customer.id)):
        found.append((o.month, o.day, o.label, "custom"))
    return [
        {"when": date(2000, m, d).strftime("%d %b"), "what": what, "kind": kind} for m, d, what, kind in sorted(found)
    ]
