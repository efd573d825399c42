"""Audit log page: who changed what, when, in which store."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from jewelerp.core.tables import AUDIT
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableSpec


class AuditTable(DataTableMixin, AppState):
    """Paged audit entries."""

    spec: ClassVar[TableSpec] = AUDIT


def page() -> rx.Component:
    """The audit log page."""
    return shell(data_table(AuditTable), "Audit log")
