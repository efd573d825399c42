"""Gapless document numbers per store, financial year (April–March) and series.

``MUM/2026-27/000123`` for invoices, ``MUM/2026-27/CN/000004`` for credit notes. A number is
taken with a conditional ``UPDATE ... SET last = last + 1`` inside the caller's transaction:
the row stays locked until that transaction ends (SQLite: the write lock of ``BEGIN
IMMEDIATE``; PostgreSQL: the row lock), so two concurrent issues get distinct consecutive
numbers, and a failed issue rolls its number back with everything else (no gaps).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from modules.billing.models import NumberCounter

INVOICE = "INV"
CREDIT_NOTE = "CN"
ESTIMATE = "EST"
RECEIPT = "RCT"
BOOKING = "ADV"


def financial_year(local_date: date) -> str:
    """The Indian financial year (April–March) of a store-local date: 2026-04-01 → "2026-27"."""
    start = local_date.year if local_date.month >= 4 else local_date.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def format_number(store_code: str, fy: str, series: str, last: int) -> str:
    """``MUM/2026-27/000123`` (invoices) or ``MUM/2026-27/CN/000004`` (other series)."""
    middle = "" if series == INVOICE else f"{series}/"
    return f"{store_code}/{fy}/{middle}{last:06d}"


def _bump(session: Session, store_id: int, fy: str, series: str) -> int:
    return session.execute(
        update(NumberCounter)
        .where(
            NumberCounter.store_id == store_id,
            NumberCounter.financial_year == fy,
            NumberCounter.series == series,
        )
        .values(last=NumberCounter.last + 1)
        .execution_options(synchronize_session=False)
    ).rowcount


def next_number(session: Session, store_id: int, store_code: str, series: str, local_date: date) -> str:
    """Take the next number of the series in the store's financial year of ``local_date``.

    Call it inside the transaction that uses the number; a rollback gives the number back.
    """
    fy = financial_year(local_date)
    if not _bump(session, store_id, fy, series):
        try:
            with session.begin_nested():
                session.add(NumberCounter(store_id=store_id, financial_year=fy, series=series, last=1))
        except IntegrityError:  # another transaction created the row first: bump it instead
            if not _bump(session, store_id, fy, series):
                raise
    last = session.scalars(
        select(NumberCounter.last).where(
            NumberCounter.store_id == store_id,
            NumberCounter.financial_year == fy,
            NumberCounter.series == series,
        )
    ).one()
    return format_number(store_code, fy, series, last)
