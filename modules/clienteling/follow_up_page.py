"""My follow-ups: a salesperson's open tasks; managers see everyone's and reassign them."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from jewelerp.core.users import staff_options
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from modules.clienteling.followups import FOLLOW_UPS, assign_follow_up, complete_follow_up


class FollowUpsTable(DataTableMixin, AppState):
    """Follow-ups of the current store."""

    spec: ClassVar[TableSpec] = FOLLOW_UPS
    can_assign: bool = False
    staff: list[dict[str, str]] = []

    @rx.event
    def open_page(self):
        """Load the list, and the staff list for managers."""
        result = self._run(
            lambda s, a: (a.can("clienteling.customer.assign"), staff_options(s, a, "clienteling.customer.view")),
            write=False,
        )
        self.can_assign, self.staff = result if result else (False, [])
        self._load()

    @rx.event
    def done(self, follow_up_id: str) -> None:
        """Mark a follow-up done."""
        if self._run(lambda s, a: complete_follow_up(s, a, int(follow_up_id), "done"), done="Marked done."):
            self._refresh()

    @rx.event
    def reassign(self, follow_up_id: str, user_id: str) -> None:
        """Give a follow-up to someone else (managers)."""
        if user_id.isdigit() and self._run(
            lambda s, a: assign_follow_up(s, a, int(follow_up_id), int(user_id)), done="Follow-up reassigned."
        ):
            self._refresh()


def _actions(row: dict) -> rx.Component:
    return rx.hstack(
        rx.cond(
            row["status"] != "done",
            rx.button(
                "Done",
                size="1",
                variant="soft",
                on_click=FollowUpsTable.done(row["id"]),
                aria_label="Done: " + row["customer"],
            ),
        ),
        rx.cond(
            FollowUpsTable.can_assign,
            rx.el.select(
                rx.el.option("Reassign…", value=""),
                rx.foreach(FollowUpsTable.staff, lambda o: rx.el.option(o["label"], value=o["value"])),
                on_change=lambda user: FollowUpsTable.reassign(row["id"], user),
                aria_label="Reassign follow-up for " + row["customer"],
                class_name="jewel-select",
            ),
        ),
        align="center",
    )


def follow_ups_page() -> rx.Component:
    """The follow-ups page."""
    return shell(data_table(FollowUpsTable, link_column="customer", row_actions=_actions), "Follow-ups")
