"""The case lists: "My cases" for everyone who handles cases, and the store's queue for managers."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec
from modules.clienteling.case_tables import CASE_QUEUE, MY_CASES


class MyCasesTable(DataTableMixin, AppState):
    """Open and waiting cases assigned to the signed-in person in the current store."""

    spec: ClassVar[TableSpec] = MY_CASES


class CaseQueueTable(DataTableMixin, AppState):
    """Every open and waiting case of the current store, with who has it."""

    spec: ClassVar[TableSpec] = CASE_QUEUE


def my_cases_page() -> rx.Component:
    """The "My cases" page."""
    return shell(data_table(MyCasesTable, link_column="number"), "My cases")


def case_queue_page() -> rx.Component:
    """The store's case queue."""
    return shell(data_table(CaseQueueTable, link_column="number"), "Case queue")
