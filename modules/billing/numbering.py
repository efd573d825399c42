"""Gapless document numbers per store, financial year (April–March) and series, within the law's 16 characters.

The law: CGST Rules 2017, Rule 46(b) (tax invoices; Rules 49, 50, 51 and 53 ask the same of bills of supply,
receipt, refund and payment vouchers and credit notes): "a consecutive serial number not exceeding sixteen
characters, in one or multiple series, containing alphabets or numerals or special characters hyphen or dash and
slash ... and any combination thereof, unique for a financial year".

The format, ``<store code>/<mark><year>/<count>``, only letters, digits and ``/``:

- invoices have no mark and 6 digits: ``MUM/2627/000123`` (financial year 2026-27);
- every other series has a one-letter mark and 5 digits: ``MUM/C2627/00004`` (credit note), ``MUM/R2627/00012``
  (receipt); estimates E, advance bookings A; other modules declare theirs (:func:`declare_series`).

The mark and the count share 6 characters, so a number is its store code plus 12 characters: at most 16 for a
store code of up to :data:`MAX_STORE_CODE` characters. A longer store code is refused rather than shortened
(two codes shortened alike would issue the same number in one year); so is a count past its digits (999,999
invoices, 99,999 of another series, per store and year). Each store code and each mark is its own series, so
numbers never repeat across a business's branches or series.

Before this format numbers read ``MUM/2026-27/000123`` and ``MUM/2026-27/CN/000004``. Those already issued keep
their text. The counter row (store, financial year, series key) is the same, so the count continues from the
last old number: no serial is issued twice in a year across the change.

A number is taken with a conditional ``UPDATE ... SET last = last + 1`` inside the caller's transaction: the row
stays locked until that transaction ends (SQLite: the write lock of ``BEGIN IMMEDIATE``; PostgreSQL: the row
lock), so two concurrent issues get distinct consecutive numbers, and a failed issue rolls its number back with
everything else (no gaps).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from jewelerp.errors import JewelError
from modules.billing.models import NumberCounter

MAX_LENGTH = 16  # CGST Rules 2017, Rule 46(b)
MAX_STORE_CODE = 4
SHARED_WIDTH = 6  # the mark and the count together
MARK_RE = re.compile(r"^[A-Z]?$")
STORES_PAGE = "Settings → Stores"


@dataclass(frozen=True)
class Series:
    """A numbering series.

    ``key`` names its counter row (kept from the earlier format, so counts continue), ``mark`` is the letter
    printed before the year ("" for invoices only) and ``name`` says what it numbers, for messages.
    """

    key: str
    mark: str
    name: str

    @property
    def digits(self) -> int:
        """How many digits the count has: the mark and the count share :data:`SHARED_WIDTH` characters."""
        return SHARED_WIDTH - len(self.mark)


_DECLARED: dict[str, Series] = {}


def declare_series(key: str, mark: str, name: str) -> Series:
    """Declare a series (at import time); a key or mark another series has is refused (numbers would collide)."""
    series = Series(key, mark, name)
    if not MARK_RE.match(mark):
        raise ValueError(f"A series mark is one capital letter or none, not {mark!r}.")
    for other in _DECLARED.values():
        if other != series and (other.key == key or other.mark == mark):
            raise ValueError(f"Series {key!r} ({mark!r}) clashes with series {other.key!r} ({other.mark!r}).")
    _DECLARED[key] = series
    return series


INVOICE = declare_series("INV", "", "invoice")
CREDIT_NOTE = declare_series("CN", "C", "credit note")
RECEIPT = declare_series("RCT", "R", "receipt")
ESTIMATE = declare_series("EST", "E", "estimate")
BOOKING = declare_series("ADV", "A", "advance booking")


def financial_year(local_date: date) -> str:
    """The Indian financial year (April–March) of a store-local date: 2026-04-01 → "2026-27"."""
    start = local_date.year if local_date.month >= 4 else local_date.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def format_number(store_code: str, fy: str, series: Series, last: int) -> str:
    """``MUM/2627/000123`` (invoice ``last`` = 123 of 2026-27) or ``MUM/C2627/00004`` (credit note 4).

    Refused (:class:`JewelError`) when the number would be longer than :data:`MAX_LENGTH` characters.
    """
    if len(store_code) > MAX_STORE_CODE:
        raise JewelError(
            f"Store code {store_code} is longer than {MAX_STORE_CODE} characters, so its {series.name} numbers "
            f"would exceed the {MAX_LENGTH} characters the law allows (CGST Rules, Rule 46(b)). Change the "
            f"store's code to at most {MAX_STORE_CODE} letters or digits under {STORES_PAGE}."
        )
    if last >= 10**series.digits:
        raise JewelError(
            f"Store {store_code} has used all {10**series.digits - 1:,} {series.name} numbers of {fy}: a longer "
            f"number would exceed {MAX_LENGTH} characters (CGST Rules, Rule 46(b)). Number further documents "
            f"under another store code ({STORES_PAGE})."
        )
    return f"{store_code}/{series.mark}{fy[2:4]}{fy[5:7]}/{last:0{series.digits}d}"


def _bump(session: Session, store_id: int, fy: str, series: Series) -> int:
    return session.execute(
        update(NumberCounter)
        .where(
            NumberCounter.store_id == store_id,
            NumberCounter.financial_year == fy,
            NumberCounter.series == series.key,
        )
        .values(last=NumberCounter.last + 1)
        .execution_options(synchronize_session=False)
    ).rowcount


def next_number(session: Session, store_id: int, store_code: str, series: Series, local_date: date) -> str:
    """Take the next number of the series in the store's financial year of ``local_date``.

    Call it inside the transaction that uses the number; a rollback (a refusal included) gives the number back.
    """
    fy = financial_year(local_date)
    if not _bump(session, store_id, fy, series):
        try:
            with session.begin_nested():
                session.add(NumberCounter(store_id=store_id, financial_year=fy, series=series.key, last=1))
        except IntegrityError:  # another transaction created the row first: bump it instead
            if not _bump(session, store_id, fy, series):
                raise
    last = session.scalars(
        select(NumberCounter.last).where(
            NumberCounter.store_id == store_id,
            NumberCounter.financial_year == fy,
            NumberCounter.series == series.key,
        )
    ).one()
    return format_number(store_code, fy, series, last)
