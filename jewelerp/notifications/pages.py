"""Pages of the notification service: a person's notifications and the admins' outbox."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.notifications.models import Notification
from jewelerp.notifications.outbox import OUTBOX, deliver_due, retry_now
from jewelerp.notifications.staff import mark_all_read, mark_read, notifications_for, unread_count
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.shell import shell
from jewelerp.ui.shell_state import ShellState
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec


def _item(row: Notification, actor: Actor) -> dict[str, str]:
    return {
        "id": str(row.id),
        "title": row.title,
        "body": row.body,
        "link": row.link,
        "when": actor.local(row.created_at).strftime("%d %b %Y %H:%M"),
        "unread": "" if row.read_at else "yes",
    }


class NotificationsState(AppState):
    """The signed-in person's newest notifications in the current store."""

    items: list[dict[str, str]] = []
    unread: int = 0

    async def _reload(self) -> None:
        def work(session: Session, actor: Actor) -> tuple[int, list[dict[str, str]]]:
            return unread_count(session, actor), [_item(n, actor) for n in notifications_for(session, actor)]

        self.unread, self.items = self._run(work, write=False) or (0, [])
        (await self.get_state(ShellState)).unread = self.unread  # the bell follows

    @rx.event
    async def load(self) -> None:
        """Read the notifications."""
        await self._reload()

    @rx.event
    async def read(self, notification_id: str) -> None:
        """Mark one notification read."""
        if self._run(lambda s, a: mark_read(s, a, int(notification_id))) is not None:
            await self._reload()

    @rx.event
    async def read_all(self) -> None:
        """Mark every notification read."""
        count = self._run(mark_all_read)
        if count is not None:
            self._say(f"Marked {count} notification(s) read.")
            await self._reload()

    @rx.event
    def open(self, notification_id: str, link: str):
        """Mark the notification read and go to the page it points at."""
        if self._run(lambda s, a: mark_read(s, a, int(notification_id))) is not None:
            return rx.redirect(link)
        return None


def _notification(item: dict) -> rx.Component:
    unread = item["unread"] != ""
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.text(
                    rx.cond(unread, rx.badge("New", color_scheme="amber", margin_right="0.5rem")),
                    item["title"],
                    weight=rx.cond(unread, "bold", "regular"),
                ),
                rx.cond(item["body"] != "", rx.text(item["body"], size="2", white_space="pre-wrap")),
                rx.text(item["when"], size="1", color_scheme="gray"),
                spacing="1",
                flex="1",
            ),
            rx.hstack(
                rx.cond(
                    item["link"] != "",
                    rx.button(
                        "Open",
                        size="1",
                        on_click=NotificationsState.open(item["id"], item["link"]),
                        aria_label="Open: " + item["title"],
                    ),
                ),
                rx.cond(
                    unread,
                    rx.button(
                        "Mark read",
                        size="1",
                        variant="soft",
                        on_click=NotificationsState.read(item["id"]),
                        aria_label="Mark read: " + item["title"],
                    ),
                ),
                spacing="2",
            ),
            direction=rx.breakpoints(initial="column", sm="row"),
            gap="3",
            align="start",
            width="100%",
        ),
        width="100%",
        background=rx.cond(unread, "var(--amber-a2)", "transparent"),
    )


def notifications_page() -> rx.Component:
    """The notifications page (everyone signed in)."""
    return shell(
        rx.vstack(
            rx.hstack(
                rx.text(
                    rx.cond(NotificationsState.unread > 0, f"{NotificationsState.unread} unread", "All read."),
                    color_scheme="gray",
                ),
                rx.spacer(),
                rx.cond(
                    NotificationsState.unread > 0,
                    rx.button("Mark all read", variant="outline", size="2", on_click=NotificationsState.read_all),
                ),
                width="100%",
                align="center",
            ),
            rx.foreach(NotificationsState.items, _notification),
            rx.cond(
                NotificationsState.items.length() == 0,
                rx.text("No notifications yet.", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
            max_width="48rem",
        ),
        "Notifications",
    )


class OutboxTable(DataTableMixin, AppState):
    """One page of outbox messages."""

    spec: ClassVar[TableSpec] = OUTBOX

    @rx.event
    async def retry(self, message_id: str) -> None:
        """Make the message due now and try to send it at once (off the event loop)."""
        row = self._run(lambda s, a: retry_now(s, a, int(message_id)))
        if row is None:
            return
        report = await asyncio.to_thread(deliver_due, message_ids=[row.id])
        if report.sent:
            self._say("Message sent.")
        elif row.id in report.errors:
            self._say(f"Not sent: {report.errors[row.id]}", ok=False)
        else:
            self._say("The scheduler is sending it right now.")
        self._refresh()


def _retry_button(row: dict) -> rx.Component:
    return rx.cond(
        row["can_retry"] != "",
        rx.button(
            "Retry now",
            size="1",
            variant="soft",
            on_click=OutboxTable.retry(row["id"]),
            aria_label="Retry message " + row["id"],
        ),
    )


def outbox_page() -> rx.Component:
    """The outbox page (admins and managers)."""
    return shell(data_table(OutboxTable, row_actions=_retry_button), "Outbox")
