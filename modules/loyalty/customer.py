"""Loyalty's section of the customer 360 page (extension point ``"clienteling.customer360"``).

A plain dict in clienteling's contract, ``{"title", "columns", "rows", "links"}``: the first row is the member's
tier, balance and referral code, then the latest ledger rows; a link opens the member's loyalty account.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.money import format_inr
from modules.loyalty.points import KIND_LABELS, VIEW, history, member_for_customer, member_status

SHOWN = 8
COLUMNS = (("date", "Date"), ("what", "Points"), ("points", "Change"), ("detail", "Detail"))


def points_section(session: Session, actor: Actor, customer_id: int) -> dict[str, Any] | None:
    """Tier, balance and the latest points rows of the customer; None when they are not a member or the
    actor may not see members."""
    if not actor.can(VIEW):
        return None
    member = member_for_customer(session, actor, customer_id)
    if member is None:
        return None
    status = member_status(session, actor, member)
    worth = format_inr(status.balance * status.point_value, paise=True)
    summary = {
        "date": status.tier.name if status.tier else "",
        "what": "Balance",
        "points": f"{status.balance:,}",
        "detail": f"Worth {worth} · referral code {member.referral_code}",
    }
    rows = [
        {
            "date": f"{actor.local(entry.at):%d %b %Y}",
            "what": KIND_LABELS.get(entry.kind, entry.kind),
            "points": f"{entry.points:+,}",
            "detail": entry.reason or entry.reference,
        }
        for entry in history(session, actor, member.id, limit=SHOWN)
    ]
    return {
        "title": "Loyalty points",
        "columns": list(COLUMNS),
        "rows": [summary, *rows],
        "links": [("Open the loyalty account", f"/loyalty/members/{member.id}")],
    }
