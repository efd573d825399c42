"""Staff page: accounts, their roles per store, activation and password resets."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from sqlmodel import select

from jewelerp.core.models import Store, User
from jewelerp.core.tables import STAFF
from jewelerp.core.users import UserInput, create_user, reset_password, set_store_role, store_roles, update_user
from jewelerp.errors import NotFound, require_fields
from jewelerp.registry import ROLES
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.forms import field, field_error
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec


class UsersTable(DataTableMixin, AppState):
    """Staff list plus the create/edit form."""

    spec: ClassVar[TableSpec] = STAFF
    can_manage: bool = False
    form_open: bool = False
    editing_id: int = 0
    editing: dict[str, str] = {}
    store_roles: list[dict[str, str]] = []

    @rx.event
    def open_page(self) -> None:
        """Load the list and whether the viewer may edit."""
        self.form_open = False
        self.can_manage = bool(self._run(lambda s, a: a.can("core.users.manage"), write=False))
        return UsersTable.load

    def _fill(self, user: User | None) -> None:
        def work(session, actor):
            actor.require("core.users.manage")
            stores = session.exec(select(Store).order_by(Store.code)).all()
            roles = store_roles(session, user.id) if user else {}
            return [{"id": str(s.id), "label": f"{s.code} · {s.name}", "role": roles.get(s.id, "")} for s in stores]

        rows = self._run(work, write=False)
        if rows is None:
            return
        self.store_roles = rows
        self.editing = {
            "name": user.name if user else "",
            "email": user.email if user else "",
            "phone": user.phone if user else "",
            "active": "on" if (user is None or user.active) else "",
        }
        self.editing_id = user.id if user else 0
        self.form_open = True

    @rx.event
    def new(self) -> None:
        """Open an empty staff form."""
        self._clear_messages()
        self._fill(None)

    @rx.event
    def edit(self, user_id: str) -> None:
        """Open the form for an existing account."""
        self._clear_messages()
        user = self._run(lambda s, a: s.get(User, int(user_id)), write=False)
        if user is None:
            self._say("That account no longer exists.", ok=False)
            return
        self._fill(user)

    @rx.event
    def cancel(self) -> None:
        """Close the form."""
        self._clear_messages()
        self.form_open = False

    @rx.event
    def save(self, form: dict) -> None:
        """Create or update the account and its roles in one transaction."""
        data = UserInput(form.get("name", ""), form.get("email", ""), form.get("phone", ""), bool(form.get("active")))
        password = form.get("password", "")
        roles = {int(k.removeprefix("role_")): v for k, v in form.items() if k.startswith("role_")}
        user_id = self.editing_id

        def work(session, actor):
            if user_id:
                user = update_user(session, actor, user_id, data)
                if password:
                    reset_password(session, actor, user_id, password)
            else:
                require_fields({} if password else {"password": "Give the new account a first password."})
                user = create_user(session, actor, data, password, {})
            for store_id, role in roles.items():
                if session.get(Store, store_id) is None:
                    raise NotFound("A store in the form no longer exists.")
                set_store_role(session, actor, user.id, store_id, role or None)
            return user

        saved = self._run(work, done="Account saved.")
        if saved is None:
            self.editing = {**self.editing, **{k: str(form.get(k, "")) for k in ("name", "email", "phone")}}
            return
        self.form_open = False
        self._refresh()


def _role_select(row: dict) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text("Role in ", row["label"], size="2", weight="medium"), html_for="role-" + row["id"]),
        rx.el.select(
            rx.el.option("No access", value=""),
            *[rx.el.option(r.title(), value=r) for r in ROLES],
            id="role-" + row["id"],
            name="role_" + row["id"],
            default_value=row["role"],
            class_name="jewel-select",
        ),
        spacing="1",
        width="100%",
    )


def _form() -> rx.Component:
    value = UsersTable.editing
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(rx.cond(UsersTable.editing_id == 0, "New staff account", "Edit staff account"), size="4"),
                rx.grid(
                    field("Name", "name", default_value=value["name"]),
                    field("Email", "email", type="email", default_value=value["email"]),
                    field("Phone", "phone", default_value=value["phone"]),
                    field(
                        rx.cond(UsersTable.editing_id == 0, "Password", "New password (leave empty to keep)"),
                        "password",
                        type="password",
                        auto_complete="new-password",
                    ),
                    rx.foreach(UsersTable.store_roles, _role_select),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.el.label(
                    rx.hstack(
                        rx.el.input(
                            type="checkbox", name="active", default_checked=value["active"] == "on", id="field-active"
                        ),
                        rx.text("Active (can sign in)", size="2"),
                        align="center",
                    ),
                ),
                field_error("active"),
                rx.hstack(
                    rx.button("Save account", type="submit"),
                    rx.button("Cancel", type="button", variant="soft", color_scheme="gray", on_click=UsersTable.cancel),
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=UsersTable.save,
            no_validate=True,
            key=UsersTable.editing_id.to_string() + UsersTable.form_open.to_string(),
        ),
        width="100%",
    )


def page() -> rx.Component:
    """The staff page."""
    return shell(
        rx.vstack(
            rx.cond(UsersTable.form_open, _form()),
            data_table(
                UsersTable,
                row_actions=lambda row: rx.cond(
                    UsersTable.can_manage,
                    rx.button(
                        "Edit",
                        size="1",
                        variant="soft",
                        on_click=UsersTable.edit(row["id"]),
                        aria_label="Edit " + row["email"],
                    ),
                ),
                toolbar=rx.cond(
                    UsersTable.can_manage,
                    rx.button(rx.icon("user-plus", size=16), "New account", on_click=UsersTable.new),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        "Staff",
    )
