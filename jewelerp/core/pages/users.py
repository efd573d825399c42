"""Staff page: accounts, their roles per store, activation and password resets."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.sessions import end_user_sessions
from jewelerp.auth.two_factor import reset_for
from jewelerp.core.models import Store, User
from jewelerp.core.pages.invitations import InvitationsState, invitations_section
from jewelerp.core.pages.store_roles import role_select, store_role_rows
from jewelerp.core.tables import STAFF
from jewelerp.core.users import (
    UserInput,
    create_user,
    get_user,
    reset_password,
    set_store_role,
    update_user,
)
from jewelerp.errors import NotFound, require_fields
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.forms import field
from jewelerp.ui.record_form import RecordFormMixin, record_form
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec

TEXT_FIELDS = ("name", "email", "phone")


class UsersTable(RecordFormMixin, DataTableMixin, AppState):
    """Staff list plus the create/edit form."""

    spec: ClassVar[TableSpec] = STAFF
    can_manage: bool = False
    store_roles: list[dict[str, str]] = []

    @rx.event
    def open_page(self):
        """Load the list and whether the viewer may edit."""
        self.form_open = False
        self.can_manage = bool(self._run(lambda s, a: a.can("core.users.manage"), write=False))
        self._load()
        return InvitationsState.load if self.can_manage else None

    @rx.event
    def new(self) -> None:
        """Open an empty staff form."""
        rows = self._run(lambda s, a: store_role_rows(s, a, 0), write=False)
        if rows is not None:
            self.store_roles = rows
            self._open_form(0, {"active": "on"})

    @rx.event
    def edit(self, user_id: str) -> None:
        """Open the form for an existing account."""

        def work(session: Session, actor: Actor) -> tuple[User, list[dict[str, str]]]:
            return get_user(session, actor, int(user_id)), store_role_rows(session, actor, int(user_id))

        found = self._run(work, write=False)
        if found is not None:
            user, self.store_roles = found
            values = {k: getattr(user, k) for k in TEXT_FIELDS}
            flags = {"active": "on" if user.active else "", "two_factor": "on" if user.totp_enabled_at else ""}
            self._open_form(user.id, {**values, **flags})

    @rx.event
    def reset_two_factor(self) -> None:
        """Switch two-factor sign-in off for the account being edited (a lost phone); its sessions end."""
        user_id = self.editing_id
        if self._run(lambda s, a: reset_for(s, a, user_id), done="Two-factor sign-in is off for this account.") is None:
            return
        self.editing = {**self.editing, "two_factor": ""}

    @rx.event
    def save(self, form: dict) -> None:
        """Create or update the account and its roles in one transaction."""
        data = UserInput(*(form.get(k, "") for k in TEXT_FIELDS), bool(form.get("active")))
        password = form.get("password", "")
        roles = {int(k.removeprefix("role_")): v for k, v in form.items() if k.startswith("role_")}
        user_id = self.editing_id

        def work(session: Session, actor: Actor) -> User:
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

        if self._run(work, done="Account saved.") is None:
            self._keep_typed(form, TEXT_FIELDS)
            return
        self.form_open = False
        self._refresh()

    @rx.event
    def end_sessions(self, user_id: str) -> None:
        """Sign the account out on every device (its browsers land on the sign-in page at their next event)."""
        number = int(user_id) if isinstance(user_id, str) and user_id.isdigit() else 0
        ended = self._run(lambda s, a: end_user_sessions(s, a, number, self._client_ip()))
        if ended is not None:
            self._say(f"Signed out everywhere ({ended} open session{'' if ended == 1 else 's'} ended).")


def _fields() -> rx.Component:
    value = UsersTable.editing
    return rx.vstack(
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
            rx.foreach(UsersTable.store_roles, role_select),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        rx.el.label(
            rx.hstack(
                rx.el.input(type="checkbox", name="active", default_checked=value["active"] == "on", id="field-active"),
                rx.text("Active (can sign in)", size="2"),
                align="center",
            ),
        ),
        rx.cond(
            value["two_factor"] == "on",
            rx.hstack(
                rx.badge("Two-factor sign-in on", color_scheme="green"),
                rx.button(
                    "Switch two-factor off (lost phone)",
                    type="button",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=UsersTable.reset_two_factor,
                ),
                align="center",
                wrap="wrap",
            ),
        ),
        width="100%",
    )


def page() -> rx.Component:
    """The staff page."""
    return shell(
        rx.vstack(
            record_form(
                UsersTable, ("New staff account", "Edit staff account"), _fields(), "Save account", UsersTable.save
            ),
            data_table(
                UsersTable,
                row_actions=lambda row: rx.cond(
                    UsersTable.can_manage,
                    rx.hstack(
                        rx.button(
                            "Edit",
                            size="1",
                            variant="soft",
                            on_click=UsersTable.edit(row["id"]),
                            aria_label="Edit " + row["email"],
                        ),
                        rx.button(
                            "Sign out",
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            on_click=UsersTable.end_sessions(row["id"]),
                            aria_label="Sign out " + row["email"] + " everywhere",
                        ),
                        spacing="2",
                    ),
                ),
                toolbar=rx.cond(
                    UsersTable.can_manage,
                    rx.button(rx.icon("user-plus", size=16), "New account", on_click=UsersTable.new),
                ),
            ),
            rx.cond(UsersTable.can_manage, invitations_section()),
            spacing="4",
            width="100%",
        ),
        "Staff",
    )
