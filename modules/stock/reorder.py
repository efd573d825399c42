"""Reorder alerts: keep at least so many pieces of a category (or one design) in a branch.

A rule says "keep at least ``min_qty`` pieces of this category (and design) in stock here".
The daily job :func:`raise_alerts` opens an alert for every rule whose stock has fallen
short (once: an open alert is not opened again) and resolves open alerts once the stock
is back. Only pieces with status ``in_stock`` at the branch count as on hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from jewelerp.errors import NotFound, require_fields
from modules.stock.masters import as_choices, category_options, design_options
from modules.stock.models import Category, Design, Piece, ReorderAlert, ReorderRule

MAX_MIN_QTY = 10_000


@dataclass
class RuleInput:
    """A rule as typed: category, optional design, and the least number of pieces to keep."""

    category_id: str
    min_qty: str
    design_id: str = ""


@dataclass(frozen=True)
class AlertCounts:
    """What one run of :func:`raise_alerts` did in a store."""

    rules: int
    short: int
    opened: int
    resolved: int


def _parse_rule(session: Session, data: RuleInput) -> tuple[int, int | None, int]:
    errors: dict[str, str] = {}
    raw_category, raw_design, raw_qty = data.category_id.strip(), data.design_id.strip(), data.min_qty.strip()
    category_id = int(raw_category) if raw_category.isdigit() else None
    if category_id is None or session.get(Category, category_id) is None:
        errors["category_id"] = "Choose a category."
    design_id = int(raw_design) if raw_design.isdigit() else None
    if raw_design and (design_id is None or session.get(Design, design_id) is None):
        errors["design_id"] = "Choose a design from the list, or leave it empty for the whole category."
    min_qty = int(raw_qty) if raw_qty.isdigit() else 0
    if not 1 <= min_qty <= MAX_MIN_QTY:
        errors["min_qty"] = "Minimum quantity is a whole number of pieces, 1 or more."
    require_fields(errors)
    return category_id, design_id, min_qty  # type: ignore[return-value]


def set_rule(session: Session, actor: Actor, data: RuleInput) -> ReorderRule:
    """Add the actor's store's rule for a category (and design), or change its minimum if it exists."""
    actor.require("stock.masters.manage")
    category_id, design_id, min_qty = _parse_rule(session, data)
    rule = session.scalars(
        select(ReorderRule).where(
            ReorderRule.store_id == actor.store_id,
            ReorderRule.category_id == category_id,
            ReorderRule.design_id.is_(None) if design_id is None else ReorderRule.design_id == design_id,
        )
    ).first()
    if rule is None:
        rule = ReorderRule(store_id=actor.store_id, category_id=category_id, design_id=design_id, min_qty=min_qty)
    else:
        rule.min_qty = min_qty
    session.add(rule)
    session.flush()
    return rule


def remove_rule(session: Session, actor: Actor, rule_id: int) -> None:
    """Delete one of the store's rules together with its alerts."""
    actor.require("stock.masters.manage")
    rule = session.get(ReorderRule, rule_id)
    if rule is None or rule.store_id != actor.store_id:
        raise NotFound("That reorder rule does not exist in this store.")
    for alert in session.scalars(select(ReorderAlert).where(ReorderAlert.rule_id == rule.id)):
        session.delete(alert)
    session.flush()
    session.delete(rule)
    session.flush()


def on_hand(session: Session, store_id: int, category_id: int, design_id: int | None = None) -> int:
    """Pieces in stock at the store in the category (and of the design, when one is given)."""
    stmt = select(func.count()).where(
        Piece.store_id == store_id, Piece.status == "in_stock", Piece.category_id == category_id
    )
    if design_id is not None:
        stmt = stmt.where(Piece.design_id == design_id)
    return session.execute(stmt).scalar_one()


def _store_counts(session: Session, store_id: int) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """On-hand counts of a store per category and per (category, design), in one grouped query."""
    per_design: dict[tuple[int, int], int] = {}
    per_category: dict[int, int] = {}
    rows = session.execute(
        select(Piece.category_id, Piece.design_id, func.count())
        .where(Piece.store_id == store_id, Piece.status == "in_stock")
        .group_by(Piece.category_id, Piece.design_id)
    )
    for category_id, design_id, count in rows:
        per_category[category_id] = per_category.get(category_id, 0) + count
        if design_id is not None:
            per_design[(category_id, design_id)] = count
    return per_category, per_design


def _rule_counts(session: Session, store_id: int, rules: list[ReorderRule]) -> dict[int, int]:
    per_category, per_design = _store_counts(session, store_id)
    return {
        r.id: per_category.get(r.category_id, 0)
        if r.design_id is None
        else per_design.get((r.category_id, r.design_id), 0)
        for r in rules
    }


def _open_alerts(session: Session, store_id: int) -> dict[int, ReorderAlert]:
    alerts = session.scalars(
        select(ReorderAlert).where(ReorderAlert.store_id == store_id, ReorderAlert.resolved_at.is_(None))
    )
    return {a.rule_id: a for a in alerts}


def raise_alerts(session: Session, actor: Actor) -> AlertCounts:
    """The daily job for the actor's store: open alerts for rules that fell short, resolve the rest.

    A rule already holding an open alert is not alerted again (its on-hand figure is brought up
    to date); an open alert whose stock is back to the minimum is resolved.
    """
    actor.require("stock.masters.manage")
    rules = list(session.scalars(select(ReorderRule).where(ReorderRule.store_id == actor.store_id)))
    counts = _rule_counts(session, actor.store_id, rules)
    open_alerts = _open_alerts(session, actor.store_id)
    short = opened = resolved = 0
    now = utcnow()
    for rule in rules:
        have = counts[rule.id]
        alert = open_alerts.get(rule.id)
        if have < rule.min_qty:
            short += 1
            if alert is None:
                session.add(ReorderAlert(rule_id=rule.id, store_id=actor.store_id, on_hand=have, raised_at=now))
                opened += 1
            elif alert.on_hand != have:
                alert.on_hand = have
                session.add(alert)
        elif alert is not None:
            alert.on_hand = have
            alert.resolved_at = now
            session.add(alert)
            resolved += 1
    session.flush()
    return AlertCounts(rules=len(rules), short=short, opened=opened, resolved=resolved)


def _names(session: Session, rules: list[ReorderRule]) -> tuple[dict[int, str], dict[int, str]]:
    categories = {c.id: c.name for c in session.scalars(select(Category))}
    design_ids = {r.design_id for r in rules if r.design_id is not None}
    designs = (
        {d.id: f"{d.code} · {d.name}" for d in session.scalars(select(Design).where(Design.id.in_(design_ids)))}
        if design_ids
        else {}
    )
    return categories, designs


def low_stock_rows(session: Session, actor: Actor) -> list[dict[str, str]]:
    """Every rule of the store with its on-hand count, shortfall and alert, the shortest first."""
    actor.require("stock.piece.view")
    rules = list(session.scalars(select(ReorderRule).where(ReorderRule.store_id == actor.store_id)))
    counts = _rule_counts(session, actor.store_id, rules)
    open_alerts = _open_alerts(session, actor.store_id)
    categories, designs = _names(session, rules)
    rows = []
    for rule in rules:
        have = counts[rule.id]
        shortfall = max(rule.min_qty - have, 0)
        alert = open_alerts.get(rule.id)
        rows.append(
            {
                "id": str(rule.id),
                "category": categories.get(rule.category_id, "?"),
                "design": designs.get(rule.design_id, "?") if rule.design_id is not None else "Any design",
                "min_qty": f"{rule.min_qty:,}",
                "on_hand": f"{have:,}",
                "shortfall": f"{shortfall:,}" if shortfall else "",
                "status": "Short" if shortfall else "OK",
                "alert": f"Open since {actor.local(alert.raised_at):%d %b %Y}" if alert else "",
            }
        )
    rows.sort(key=lambda r: (-int(r["shortfall"].replace(",", "") or 0), r["category"], r["design"]))
    return rows


def alert_rows(session: Session, actor: Actor) -> list[dict[str, str]]:
    """The store's open alerts, the oldest first: what was short, how many were left when raised."""
    actor.require("stock.piece.view")
    pairs = session.execute(
        select(ReorderAlert, ReorderRule)
        .join(ReorderRule, ReorderRule.id == ReorderAlert.rule_id)
        .where(ReorderAlert.store_id == actor.store_id, ReorderAlert.resolved_at.is_(None))
        .order_by(ReorderAlert.raised_at, ReorderAlert.id)
    ).all()
    categories, designs = _names(session, [rule for _alert, rule in pairs])
    return [
        {
            "category": categories.get(rule.category_id, "?"),
            "design": designs.get(rule.design_id, "?") if rule.design_id is not None else "Any design",
            "min_qty": f"{rule.min_qty:,}",
            "on_hand": f"{alert.on_hand:,}",
            "raised": actor.local(alert.raised_at).strftime("%d %b %Y %H:%M"),
        }
        for alert, rule in pairs
    ]


def rule_options(session: Session, actor: Actor) -> dict[str, list[dict[str, str]]]:
    """Active categories and the designs, as choices for the rule form."""
    return {
        "categories": as_choices(category_options(session, actor)),
        "designs": as_choices(design_options(session, actor)),
    }
