"""The customer 360 extension point: sections other enabled modules contribute.

A module adds ``contributions={"clienteling.customer360": ("modules.billing.customer:purchases",)}``;
each function is ``fn(session, actor, customer_id) -> dict | None`` returning
``{"title": str, "columns": [(key, label), ...], "rows": [{key: text}, ...]}`` and optionally
``"links": [(label, path), ...]``: links shown under the table to pages of the app (a path such as
``/loyalty/members/85``; anything else is left out).
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.registry import get_registry

CUSTOMER_360 = "clienteling.customer360"


class Customer360Section(Protocol):
    """A ``"clienteling.customer360"`` contribution: the module's section of a customer's 360 page, or None."""

    def __call__(self, session: Session, actor: Actor, customer_id: int) -> dict[str, Any] | None: ...


def contributed_sections(session: Session, actor: Actor, customer_id: int) -> list[dict]:
    """Sections from every module enabled in the actor's store, as columns and rows of text."""
    sections = []
    for contribution in get_registry().contributions(CUSTOMER_360, actor):
        section = contribution(session, actor, customer_id)
        if section:
            keys = [key for key, _label in section["columns"]]
            sections.append(
                {
                    "title": section["title"],
                    "headers": [label for _key, label in section["columns"]],
                    "rows": [[str(row.get(key, "")) for key in keys] for row in section["rows"]],
                    "links": [
                        {"label": label, "href": path} for label, path in section.get("links", ()) if _in_app(path)
                    ],
                }
            )
    return sections


def _in_app(path: str) -> bool:
    """Whether ``path`` is a page of this app (``/...``, never ``//host`` or a scheme)."""
    return path.startswith("/") and not path.startswith("//") and "\\" not in path
