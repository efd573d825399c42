"""The stock list: every piece of this branch (and those on their way here), with search,
filters, Excel export and tags printed for the rows shown."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import reflex as rx
from reflex.event import EventHandler, EventSpec
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.downloads import download_pdf
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from modules.stock.tables import PIECES
from modules.stock.tags import label_sheet_pdf

EventType = EventHandler | EventSpec


class PiecesTable(DataTableMixin, AppState):
    """One page of pieces, and what the viewer may do from the list."""

    spec: ClassVar[TableSpec] = PIECES
    can_receive: bool = False
    can_tag: bool = False

    @rx.event
    def open_page(self) -> EventType:
        """Runs after the shell's access check (the manifest's on_load)."""
        flags = self._run(lambda s, a: (a.can("stock.piece.receive"), a.can("stock.tag.manage")), write=False)
        self.can_receive, self.can_tag = flags or (False, False)
        self._load()

    @rx.event
    def print_tags(self) -> EventType | None:
        """A label sheet (PDF) for the pieces on this page that are at this branch."""
        ids = [int(r["id"]) for r in self.rows if r.get("taggable")]
        if not ids:
            self._say("None of the pieces shown can be tagged here (at another branch, or link revoked).", ok=False)
            return None
        skipped = len(self.rows) - len(ids)

        def work(session: Session, actor: Actor) -> bytes:
            return label_sheet_pdf(session, actor, ids)

        content = self._run(work, write=False)
        if content is None:
            return None
        note = f" ({skipped} not at this branch or with a revoked link were left out)" if skipped else ""
        self._say(f"Tags for {len(ids)} piece(s){note}.")
        return download_pdf(content, f"tags-{date.today().isoformat()}.pdf")


def _toolbar() -> rx.Component:
    return rx.fragment(
        rx.cond(
            PiecesTable.can_tag,
            rx.button(
                rx.icon("printer", size=16),
                "Print tags",
                variant="soft",
                on_click=PiecesTable.print_tags,
                disabled=PiecesTable.rows.length() == 0,
            ),
        ),
        rx.cond(
            PiecesTable.can_receive,
            rx.link(
                rx.button(rx.icon("package-plus", size=16), "Receive stock", tab_index=-1),
                href="/stock/receive",
                aria_label="Receive stock",
            ),
        ),
    )


def pieces_page() -> rx.Component:
    """The page registered in the manifest."""
    return shell(data_table(PiecesTable, link_column="sku", toolbar=_toolbar()), "Stock")
