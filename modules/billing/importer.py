"""Metal rate import from .csv and .xlsx: read the sheet, preview every row, then save the good ones.

Columns (headings in any order and case): **Date**, **Metal**, **Purity** (or **Fineness**)
and **Rate** (rupees per gram). Dates may be 27-11-2026, 27/11/2026, 2026-11-27 or
27 Nov 2026, or an Excel date cell. :func:`preview` checks each row without writing;
:func:`import_rows` checks again and saves the good rows in the caller's transaction, so
an error part-way leaves nothing written. A row for a day that already has a rate
corrects it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.errors import JewelError
from jewelerp.money import format_inr
from jewelerp.spreadsheets import MB, SheetLimits, read_records
from modules.billing.rates import MANAGE, RATE_HINT, parse_rate, rate_on, write_rate
from modules.stock.api import list_metals, metal_label

if TYPE_CHECKING:
    from modules.stock.api import Metal

LIMITS = SheetLimits(max_bytes=2 * MB, max_rows=5_000)
ROW_KEY = "_row"
FIELDS = ("date", "metal", "purity", "fineness", "rate")
HEADERS = {
    "date": "date",
    "day": "date",
    "on": "date",
    "metal": "metal",
    "purity": "purity",
    "karat": "purity",
    "fineness": "fineness",
    "rate": "rate",
    "rate per gram": "rate",
    "rate g": "rate",
    "price": "rate",
}
DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%d.%m.%Y")


@dataclass
class RowReport:
    """One row's outcome: ``status`` "ok" or "error"; ``message`` says why, or what an ok row replaces."""

    row: int
    label: str
    status: str
    message: str = ""


@dataclass
class RatePreview:
    """Counts and one report per row; ``imported`` stays 0 until :func:`import_rows` runs."""

    total: int
    good: int
    rows: list[RowReport]
    imported: int = 0

    @property
    def errors(self) -> int:
        """Rows that must be fixed."""
        return sum(1 for r in self.rows if r.status == "error")


def _normal(header: Any) -> str:
    text = re.sub(r"[^\w\s]", " ", str(header or "").lower().replace("_", " "))
    return " ".join(w for w in text.split() if w not in ("₹", "rs", "inr"))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(Decimal(str(value)))
    return str(value).strip()


def read_rows(filename: str, content: bytes) -> list[dict[str, str]]:
    """The data rows of a .csv or .xlsx file as text keyed date, metal, purity, fineness, rate (and ``_row``).

    Raises JewelError for an unsupported, empty or oversized file, one past :data:`LIMITS`,
    or missing columns. CPU-bound: pages call it in a worker thread.
    """
    records = read_records(filename, content, LIMITS)
    try:
        first = next(records, None)
        columns = _columns(first[1] if first else [])
        rows: list[dict[str, str]] = []
        for number, record in records:
            texts = {columns[i]: _text(v) for i, v in enumerate(record) if i in columns}
            if any(texts.values()):
                rows.append({**dict.fromkeys(FIELDS, ""), **texts, ROW_KEY: str(number)})
    finally:
        records.close()
    if not rows:
        raise JewelError("The file is empty: there are no rate rows under the headings.")
    return rows


def _columns(header: list[Any]) -> dict[int, str]:
    """Column index -> field, from the heading row; refuses a sheet without the needed columns."""
    columns = {i: HEADERS[_normal(c)] for i, c in enumerate(header) if _normal(c) in HEADERS}
    found = set(columns.values())
    missing = [name for name in ("date", "metal", "rate") if name not in found]
    if "purity" not in found and "fineness" not in found:
        missing.append("purity (or fineness)")
    if missing:
        raise JewelError(
            f"Missing column(s): {', '.join(missing)}. The first row must hold the headings Date, Metal, Purity, Rate."
        )
    return columns


def parse_date(text: str) -> date | None:
    """A day in one of :data:`DATE_FORMATS` (or ISO with a time), or None."""
    text = " ".join(text.split())
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _find_metal(metals: list[Metal], name: str, purity: str, fineness: str) -> Metal | None:
    name = name.strip().lower()
    purity, fineness = purity.strip().upper().replace(" ", ""), fineness.strip()
    for metal in metals:
        if metal.metal != name:
            continue
        if purity and (metal.purity.upper() == purity or str(metal.fineness) == purity):
            return metal
        if fineness.isdigit() and metal.fineness == int(fineness):
            return metal
    return None


def _check(
    session: Session, actor: Actor, rows: list[dict[str, str]]
) -> tuple[RatePreview, list[tuple[int, date, Decimal]]]:
    actor.require(MANAGE)
    metals = list_metals(session, actor)
    today = actor.today()
    reports: list[RowReport] = []
    good: list[tuple[int, date, Decimal]] = []
    seen: dict[tuple[int, date], int] = {}
    for raw in rows:
        number = int(raw.get(ROW_KEY) or 0)
        problems: list[str] = []
        on = parse_date(raw.get("date", ""))
        if on is None:
            problems.append("Date: write it as 27-11-2026 or 2026-11-27.")
        elif on > today:
            problems.append(f"Date: {on:%d %b %Y} is after today.")
        metal = _find_metal(metals, raw.get("metal", ""), raw.get("purity", ""), raw.get("fineness", ""))
        if metal is None:
            what = " ".join(x for x in (raw.get("metal", ""), raw.get("purity", "") or raw.get("fineness", "")) if x)
            problems.append(f"Metal: {what or 'nothing'} is not a known metal and purity, e.g. Gold 22K or Silver 925.")
        rate = parse_rate(raw.get("rate", ""))
        if rate is None:
            problems.append(f"Rate: {RATE_HINT}")
        label = " ".join(x for x in (raw.get("date", ""), raw.get("metal", ""), raw.get("purity", "")) if x)
        if metal is not None and on is not None:
            label = f"{on:%d %b %Y} {metal_label(metal)}"
            if not problems and (metal.id, on) in seen:
                problems.append(f"Row {seen[(metal.id, on)]} of this file has a rate for the same day and metal.")
            seen.setdefault((metal.id, on), number)
        if problems:
            reports.append(RowReport(number, label, "error", " ".join(problems)))
            continue
        old = rate_on(session, actor.store_id, metal.id, on)
        note = f"Replaces {format_inr(old, paise=True)}/g." if old is not None and old != rate else ""
        reports.append(RowReport(number, f"{label}: {format_inr(rate, paise=True)}/g", "ok", note))
        good.append((metal.id, on, rate))
    return RatePreview(total=len(rows), good=len(good), rows=reports), good


def preview(session: Session, actor: Actor, rows: list[dict[str, str]]) -> RatePreview:
    """What importing would do, row by row, without writing anything."""
    return _check(session, actor, rows)[0]


def import_rows(session: Session, actor: Actor, rows: list[dict[str, str]]) -> RatePreview:
    """Check the rows again and save every good one in the caller's transaction (all or nothing)."""
    report, good = _check(session, actor, rows)
    for metal_id, on, rate in good:
        write_rate(session, actor, metal_id, on, rate)
    report.imported = len(good)
    return report
