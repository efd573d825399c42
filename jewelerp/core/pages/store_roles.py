"""Role pickers per store, shared by the staff form and the invitation form."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.core.users import store_roles
from jewelerp.registry import get_registry


def store_role_rows(session: Session, actor: Actor, user_id: int) -> list[dict[str, str]]:
    """Every store with the role ``user_id`` holds there ("" for none; every store empty for 0), for role pickers."""
    actor.require("core.users.manage")
    roles = store_roles(session, user_id) if user_id else {}
    stores = session.exec(select(Store).order_by(Store.code)).all()
    return [{"id": str(s.id), "label": f"{s.code} · {s.name}", "role": roles.get(s.id, "")} for s in stores]


def role_select(row: dict, id_prefix: str = "role") -> rx.Component:
    """A store's role picker (``row``: id, label, role) named ``role_<store id>`` in a form (its element id starts
    with ``id_prefix``, so two forms on one page keep their labels apart)."""
    return rx.vstack(
        rx.el.label(rx.text("Role in ", row["label"], size="2", weight="medium"), html_for=f"{id_prefix}-" + row["id"]),
        rx.el.select(
            rx.el.option("No access", value=""),
            *[rx.el.option(r.label, value=r.name) for r in get_registry().roles()],
            id=f"{id_prefix}-" + row["id"],
            name="role_" + row["id"],
            default_value=row["role"],
            class_name="jewel-select",
        ),
        spacing="1",
        width="100%",
    )
