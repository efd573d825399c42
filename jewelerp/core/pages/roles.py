"""Roles page: which permissions each role holds, editable by an admin."""

from __future__ import annotations

import reflex as rx

from jewelerp.core.roles import all_grants, set_grant
from jewelerp.registry import ROLES, get_registry
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState


class RolesState(AppState):
    """The permission matrix."""

    grants: list[str] = []

    def _reload(self) -> None:
        def work(session, actor):
            actor.require("core.roles.manage")
            return sorted(f"{role}|{perm}" for role, perm in all_grants(session))

        self.grants = self._run(work, write=False) or []

    @rx.event
    def load(self) -> None:
        """Read the current grants."""
        self._reload()

    @rx.event
    def toggle(self, role: str, permission: str, granted: bool) -> None:
        """Grant or revoke one permission (saved at once, audited)."""
        verb = "granted to" if granted else "revoked from"
        self._run(lambda s, a: set_grant(s, a, role, permission, granted), done=f"{permission} {verb} {role}.")
        self._reload()


def _permission_row(name: str, label: str) -> rx.Component:
    cells = [
        rx.table.cell(rx.vstack(rx.text(label, size="2"), rx.code(name, size="1", variant="ghost"), spacing="0")),
    ]
    for role in ROLES:
        key = f"{role}|{name}"
        cells.append(
            rx.table.cell(
                rx.checkbox(
                    checked=RolesState.grants.contains(key),
                    on_change=lambda checked, r=role, n=name: RolesState.toggle(r, n, checked),
                    aria_label=f"{role.title()}: {label}",
                ),
                text_align="center",
            )
        )
    return rx.table.row(*cells)


def page() -> rx.Component:
    """The roles page, grouped by module."""
    sections = []
    for module in get_registry().modules:
        if not module.permissions:
            continue
        sections.append(
            rx.table.row(
                rx.table.cell(
                    rx.text(module.title, weight="bold"), col_span=len(ROLES) + 1, background="var(--gray-a3)"
                )
            )
        )
        sections.extend(_permission_row(p.name, p.label) for p in module.permissions)
    return shell(
        rx.vstack(
            rx.text("Changes apply at once to everyone with the role, in every store.", color_scheme="gray"),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Permission"),
                            *[rx.table.column_header_cell(r.title(), text_align="center") for r in ROLES],
                        )
                    ),
                    rx.table.body(*sections),
                    variant="surface",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            width="100%",
        ),
        "Roles",
    )
