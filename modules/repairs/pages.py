"""The jobs list: every repair and custom order of the store, with search, filters and Excel export."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from modules.repairs.tables import JOBS


class JobsTable(DataTableMixin, AppState):
    """One page of jobs, and whether the viewer may take a new one in."""

    spec: ClassVar[TableSpec] = JOBS
    can_take_in: bool = False

    @rx.event
    def open_page(self) -> None:
        """Runs after the shell's access check (the manifest's on_load)."""
        self.can_take_in = bool(self._run(lambda s, a: a.can("repairs.job.edit"), write=False))
        self._load()


def _toolbar() -> rx.Component:
    return rx.cond(
        JobsTable.can_take_in,
        rx.link(
            rx.button(rx.icon("plus", size=16), "Take in a job", tab_index=-1),
            href="/repairs/intake",
            aria_label="Take in a job",
        ),
    )


def jobs_page() -> rx.Component:
    """The page registered in the manifest."""
    return shell(data_table(JobsTable, link_column="number", toolbar=_toolbar()), "Repairs and custom orders")
