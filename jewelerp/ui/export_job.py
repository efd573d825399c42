"""A list's Excel export written in a worker thread, so the page can show how far it got meanwhile."""

from __future__ import annotations

from dataclasses import dataclass

from jewelerp.auth.actor import Actor
from jewelerp.db import read_session
from jewelerp.ui.table_query import TableQuery, TableSpec, forget_export, new_export
from jewelerp.xlsx_export import write_table

EXPORT_FAILED = "The export failed and no file was kept. Try again; if it fails again, tell your administrator."


@dataclass
class ExportJob:
    """One export of ``spec`` as ``actor`` asked for it; ``written`` counts the rows in the file so far."""

    spec: TableSpec
    actor: Actor
    query: TableQuery
    filters: list[tuple[str, str]]
    written: int = 0

    def run(self) -> str:
        """Write the workbook (call it in a worker thread, never on the event loop); returns its one-time download
        token. If anything fails the file and its token are removed and the error propagates."""
        token, path = new_export(f"{self.spec.name}-{self.actor.today().isoformat()}.xlsx")
        try:
            with read_session() as session:
                rows = self.spec.iter_rows(session, self.actor, self.query)
                write_table(path, self.spec.columns, rows, self.spec.title, filters=self.filters, progress=self._seen)
        except BaseException:
            forget_export(path)
            raise
        return token

    def _seen(self, written: int) -> None:
        self.written = written
