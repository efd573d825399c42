"""The customer 360 extension point: sections other enabled modules contribute.

A module adds ``contributions={"clienteling.customer360": ("modules.billing.customer:purchases",)}``;
each function is ``fn(session, actor, customer_id) -> dict | None`` returning
``{"title": str, "columns": [(key, label), ...], "rows": [{key: text}, ...]}``.
"""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.registry import call, get_registry

CUSTOMER_360 = "clienteling.customer360"


def contributed_sections(session: Session, actor: Actor, customer_id: int) -> list[dict]:
    """Sections from every module enabled in the actor's store, as columns and rows of text."""
    sections = []
    for module in get_registry().modules:
        if module.name not in actor.enabled_modules:
            continue
        for dotted in module.contributions.get(CUSTOMER_360, ()):
            section = call(dotted)(session, actor, customer_id)
            if section:
                keys = [key for key, _label in section["columns"]]
                sections.append(
                    {
                        "title": section["title"],
                        "headers": [label for _key, label in section["columns"]],
                        "rows": [[str(row.get(key, "")) for key in keys] for row in section["rows"]],
                    }
                )
    return sections
