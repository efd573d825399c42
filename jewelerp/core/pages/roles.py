"""Roles page: which permissions each role holds, editable by an admin."""

from __future__ import annotations

import reflex as rx

from jewelerp.core.roles import all_grants, set_grant
from jewelerp.registry import Role, get_registry
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


def _permission_row(name: str, label: str, roles: list[Role]) -> rx.Component:
    cells = [
        rx.table.cell(rx.vstack(rx.text(label, size="2"), rx.code(name, size="1", variant="ghost"), spacing="0")),
    ]
    for role in roles:
        key = f"{role.name}|{name}"
        cells.append(
            rx.table.cell(
                rx.checkbox(
                    checked=RolesState.grants.contains(key),
                    on_change=lambda checked, r=role.name, n=name: RolesState.toggle(r, n, checked),
                    aria_label=f"{role.label}: {label}",
                ),
                text_align="center",
            )
        )
    return rx.table.row(*cells)


def page() -> rx.Component:
    """The roles page, grouped by module; a column per role, the platform's and those modules add."""
    registry = get_registry()
    roles = registry.roles()
    sections = []
    for module in registry.modules:
        if not module.permissions:
            continue
        sections.append(
            rx.table.row(
                rx.table.cell(
                    rx.text(module.title, weight="bold"), col_span=len(roles) + 1, background="var(--gray-a3)"
                )
            )
        )
        sections.extend(_permission_row(p.name, p.label, roles) for p in module.permissions)
    return shell(
        rx.vstack(
            rx.text("Changes apply at once to everyone with the role, in every store.", color_scheme="gray"),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Permission"),
                            *[rx.table.column_header_cell(r.label, text_align="center") for r in roles],
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
