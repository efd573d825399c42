"""Invitations on the staff page (invite by e-mail with a role per store, revoke) and the invitee's page
(``/invite?token=...``) where they choose their name and password."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.pages import form_text, public_card
from jewelerp.auth.passwords import POLICY_HINT
from jewelerp.auth.provider_pages import start_url
from jewelerp.auth.providers import PRESETS, sign_in_providers
from jewelerp.auth.session_cookie import load_page
from jewelerp.core import invitations
from jewelerp.core.pages.store_roles import role_select, store_role_rows
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, ValidationError
from jewelerp.ui.forms import field, simple_table
from jewelerp.ui.state import AppState

STATUS_COLORS = {"pending": "amber", "accepted": "green", "revoked": "gray", "expired": "gray"}


def _form_roles(form: dict) -> dict[int, str]:
    """The role picked per store (``role_<store id>`` fields), whatever a hand-made message put there."""
    return {
        int(key.removeprefix("role_")): value
        for key, value in form.items()
        if isinstance(key, str) and key.startswith("role_") and key[5:].isdigit() and isinstance(value, str)
    }


class InvitationsState(AppState):
    """The staff page's invitations: the form and the list."""

    inviting: bool = False
    stores: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []

    def _reload(self, session: Session, actor: Actor) -> None:
        self.rows = [
            {
                "id": str(v.id),
                "email": v.email,
                "roles": v.roles,
                "by": v.invited_by,
                "expires": f"{actor.local(v.expires_at):%d %b %Y}",
                "status": v.status,
                "color": STATUS_COLORS[v.status],
            }
            for v in invitations.invitations(session, actor)
        ]

    @rx.event
    def load(self):
        """List the latest invitations (for those who may manage staff)."""
        self.inviting = False
        self._run(lambda s, a: self._reload(s, a) if a.can("core.users.manage") else None, write=False)

    @rx.event
    def open_form(self):
        """Show the invitation form with every store and no role yet."""
        rows = self._run(lambda s, a: store_role_rows(s, a, 0), write=False)
        if rows is not None:
            self.stores, self.inviting = rows, True

    @rx.event
    def close_form(self):
        """Hide the form."""
        self._clear_messages()
        self.inviting = False

    @rx.event
    def send(self, form: dict):
        """Invite the person: the link goes out by mail once saved."""
        origin = self._app_origin()

        def work(session: Session, actor: Actor) -> invitations.InvitationView:
            sent = invitations.invite(
                session, actor, form_text(form, "email"), form_text(form, "name"), _form_roles(form), origin
            )
            self._reload(session, actor)
            return sent

        sent = self._run(work)
        if sent is not None:
            self.inviting = False
            self._say(f"Invitation sent to {sent.email}. The link works for 7 days.")

    @rx.event
    def revoke(self, invitation_id: str):
        """Revoke a pending invitation."""
        number = int(invitation_id) if isinstance(invitation_id, str) and invitation_id.isdigit() else 0

        def work(session: Session, actor: Actor) -> None:
            invitations.revoke(session, actor, number)
            session.flush()
            self._reload(session, actor)

        self._run(work, done="Invitation revoked: its link no longer works.")


def _row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["email"]),
        rx.table.cell(row["roles"]),
        rx.table.cell(row["by"]),
        rx.table.cell(row["expires"]),
        rx.table.cell(rx.badge(row["status"], color_scheme=row["color"])),
        rx.table.cell(
            rx.cond(
                row["status"] == "pending",
                rx.button(
                    "Revoke",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=InvitationsState.revoke(row["id"]),
                    aria_label="Revoke the invitation to " + row["email"],
                ),
            )
        ),
    )


def _form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Invite someone", size="4"),
                rx.grid(
                    field("Email", "email", type="email"),
                    field("Name (optional)", "name"),
                    rx.foreach(InvitationsState.stores, lambda row: role_select(row, "invite-role")),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.cond(
                    InvitationsState.errors.contains("roles"),
                    rx.text(InvitationsState.errors["roles"], color_scheme="red", size="1"),
                ),
                rx.hstack(
                    rx.button("Send invitation", type="submit"),
                    rx.button(
                        "Cancel",
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=InvitationsState.close_form,
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=InvitationsState.send,
            no_validate=True,
        ),
        width="100%",
    )


def invitations_section() -> rx.Component:
    """Invite button, form and the list of invitations (the staff page shows it to those who manage staff)."""
    return rx.vstack(
        rx.hstack(
            rx.heading("Invitations", size="4"),
            rx.spacer(),
            rx.cond(
                ~InvitationsState.inviting,
                rx.button(rx.icon("mail-plus", size=16), "Invite by e-mail", on_click=InvitationsState.open_form),
            ),
            width="100%",
            align="center",
        ),
        rx.cond(InvitationsState.inviting, _form()),
        rx.cond(
            InvitationsState.rows.length() > 0,
            simple_table(("Email", "Roles", "Invited by", "Expires", "Status", ""), InvitationsState.rows, _row),
        ),
        spacing="3",
        width="100%",
    )


class AcceptState(AppState):
    """The invitee's page."""

    found: bool = False
    done: bool = False
    email: str = ""
    name: str = ""
    roles: str = ""
    invited_by: str = ""
    providers: list[dict[str, str]] = []

    def _link_token(self) -> str:
        return str(self.router.url.query_parameters.get("token", ""))[:200]

    @rx.event
    def open(self):
        """Show who invited whom as what, or say the link no longer works."""
        self._clear_messages()
        self.done = False
        with read_session() as session:
            view = invitations.invitation_for(session, self._link_token())
        self.found = view is not None
        if view is None:
            self._say(invitations.LINK_DEAD, ok=False)
            return
        self.email, self.name, self.roles, self.invited_by = view.email, view.name, view.roles, view.invited_by
        with read_session() as session:
            self.providers = sign_in_providers(session)

    @rx.event
    def join_with(self, name: str):
        """Accept the invitation with an account of provider ``name`` instead of a password."""
        provider = name if isinstance(name, str) and name in PRESETS else ""
        if not provider:
            return None
        return load_page(start_url(self, provider, purpose="invite", invite=self._link_token()))

    @rx.event
    def accept(self, form: dict):
        """Create the account from the invitation."""
        self._clear_messages()
        try:
            with unit_of_work() as session:
                invitations.accept(
                    session,
                    self._link_token(),
                    form_text(form, "name"),
                    form_text(form, "password"),
                    form_text(form, "confirm"),
                    self._client_ip(),
                )
        except ValidationError as exc:
            self.errors = exc.fields
            self._say("Please correct the highlighted fields.", ok=False)
            return
        except JewelError as exc:
            self.found = False
            self._say(exc.message, ok=False)
            return
        self.done = True
        self._say("Your account is ready. Sign in with your e-mail address and the password you chose.")


def accept_page() -> rx.Component:
    """The invitee chooses their name and password."""
    return public_card(
        "Join JewelERP",
        rx.cond(
            AcceptState.done,
            rx.link(rx.button("Sign in", width="100%", size="3"), href="/login", width="100%"),
            rx.cond(
                AcceptState.found,
                rx.vstack(
                    rx.text(
                        AcceptState.invited_by,
                        " invites ",
                        rx.text.strong(AcceptState.email),
                        " as ",
                        AcceptState.roles,
                        ".",
                        size="2",
                    ),
                    field("Your name", "name", default_value=AcceptState.name, auto_complete="name"),
                    field("Password", "password", type="password", auto_complete="new-password", hint=POLICY_HINT),
                    field("Repeat password", "confirm", type="password", auto_complete="new-password"),
                    rx.button("Create my account", type="submit", width="100%", size="3"),
                    rx.foreach(
                        AcceptState.providers,
                        lambda p: rx.button(
                            "Join with " + p["label"],
                            type="button",
                            variant="outline",
                            size="3",
                            width="100%",
                            on_click=AcceptState.join_with(p["name"]),
                        ),
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        on_submit=AcceptState.accept,
    )
