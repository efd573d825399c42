"""Bounds every typed value must fit: money, weights, percentages, text lengths, dates and search text.

Services collect field messages in an ``errors`` dict (``{field: message}``) and raise
:class:`~jewelerp.errors.ValidationError` once; the helpers here add to that dict and never
raise, whatever was typed (``1e30``, ``NaN``, ``Infinity``, 100,000 characters, a NUL byte).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import String
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from jewelerp.money import group_indian

PAISA = Decimal("0.01")
MILLIGRAM = Decimal("0.001")
MAX_AMOUNT = Decimal("100000000.00")  # ₹10,00,00,000: above any line, payment, price or budget a store types
MAX_GRAMS = Decimal("100000.000")  # 100 kg: above any piece, old-gold lot or karigar issue
HUNDRED = Decimal(100)
MAX_ID = 2**63 - 1  # the largest record number a database column holds
MAX_TEXT = 5_000  # characters, for text columns declared without a length (notes, work asked for)
SEARCH_MAX = 100  # characters of search text used
EARLIEST_BIRTH = date(1900, 1, 1)
PROMISE_YEARS = 5


def to_decimal(raw: object, places: Decimal) -> Decimal | None:
    """A finite number with at most ``places`` decimals from text as typed (``₹1,50,000.50``, ``12.5%``).

    None for anything else: words, ``NaN``, ``Infinity``, more decimals, or too many digits
    to hold (``1e30`` quantised to paise overflows :mod:`decimal`'s precision).
    """
    text = str(raw).strip().replace(",", "").removeprefix("₹").removesuffix("%").strip()
    try:
        value = Decimal(text)
        if not value.is_finite() or value != value.quantize(places):
            return None
        return value.quantize(places)
    except InvalidOperation:
        return None


def amount_limit_text(high: Decimal = MAX_AMOUNT) -> str:
    """``₹10,00,00,000``: the upper bound as people read it in messages."""
    return f"₹{group_indian(int(high))}"


def read_amount(raw: object, *, low: Decimal = Decimal(0), high: Decimal = MAX_AMOUNT) -> Decimal | None:
    """Rupees with at most 2 decimals within [low, high], or None."""
    value = to_decimal(raw, PAISA)
    return value if value is not None and low <= value <= high else None


def read_grams(raw: object, *, high: Decimal = MAX_GRAMS) -> Decimal | None:
    """Grams with at most 3 decimals within [0, high], or None (callers that need more than 0 say so)."""
    value = to_decimal(raw, MILLIGRAM)
    return value if value is not None and 0 <= value <= high else None


def parse_grams_field(
    raw: str, label: str, errors: dict[str, str], key: str, *, required: bool = True
) -> Decimal | None:
    """Grams with at most 3 decimals (milligrams) from 0 to :data:`MAX_GRAMS`; a message under ``errors[key]``
    when not (or when empty and ``required``)."""
    if not raw.strip():
        if required:
            errors[key] = f"Enter the {label.lower()} in grams, e.g. 12.345."
        return None
    value = read_grams(raw)
    if value is None:
        errors[key] = f"{label} is grams up to {MAX_GRAMS:,.0f} with at most 3 decimals, e.g. 12.345."
    return value


def parse_amount_field(
    raw: str, label: str, errors: dict[str, str], key: str, *, required: bool = True
) -> Decimal | None:
    """An amount with at most 2 decimals (rupees or a percentage) from 0 to
    :data:`MAX_AMOUNT`; callers bound percentages further."""
    if not raw.strip():
        if required:
            errors[key] = f"Enter the {label.lower()}."
        return None
    value = read_amount(raw)
    if value is None:
        errors[key] = f"{label} must be a number up to {group_indian(int(MAX_AMOUNT))} with at most 2 decimals."
    return value


def read_percent(raw: object) -> Decimal | None:
    """A percentage from 0 to 100 with at most 2 decimals, or None."""
    return read_amount(raw, high=HUNDRED)


def read_int(raw: object, low: int, high: int) -> int | None:
    """A whole number of ASCII digits within [low, high], or None (``²``, ``١٢`` or 5,000 digits included)."""
    text = str(raw).strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(high)):
        return None
    value = int(text)
    return value if low <= value <= high else None


def column_limit(model: type[SQLModel], name: str) -> int | None:
    """The most characters the model's text column ``name`` holds (:data:`MAX_TEXT` when undeclared).

    None for a column that is not text. SQLite does not enforce VARCHAR lengths, so services check.
    """
    column = model.__table__.columns.get(name)
    if column is None:
        return None
    kind = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
    return (kind.length or MAX_TEXT) if isinstance(kind, String) else None


def too_long(model: type[SQLModel], column: str, value: object, label: str) -> str:
    """The message when text ``value`` is longer than the model's ``column`` holds, else ""."""
    limit = column_limit(model, column)
    if not isinstance(value, str) or limit is None or len(value) <= limit:
        return ""
    return f"{label} is at most {limit:,} characters."


def check_lengths(
    model: type[SQLModel],
    values: Mapping[str, object],
    errors: dict[str, str],
    labels: Mapping[str, str] | None = None,
) -> None:
    """Add a message for every text value longer than its column; ``values`` are keyed by column, like the
    form's fields (fields already in ``errors`` keep their message).

    ``labels`` names fields for the message; otherwise the field's name is used (``batch`` -> "Batch").
    """
    for key, value in values.items():
        label = (labels or {}).get(key) or key.replace("_", " ").capitalize()
        message = too_long(model, key, value, label)
        if message and key not in errors:
            errors[key] = message


def date_within(value: date | None, low: date, high: date, message: str, errors: dict[str, str], key: str) -> None:
    """Add ``message`` for ``key`` when ``value`` falls outside [low, high] (None passes)."""
    if value is not None and not low <= value <= high and key not in errors:
        errors[key] = message


def check_period(start: date | None, end: date | None, max_days: int, errors: dict[str, str]) -> None:
    """Name a first or last day that is not a date, an end before the start, or a period longer than
    ``max_days`` days, under ``date_from`` / ``date_to`` in ``errors`` (the fields of a period filter)."""
    if start is None:
        errors["date_from"] = "Enter the first day as a date, e.g. 2026-11-01."
    if end is None:
        errors["date_to"] = "Enter the last day as a date, e.g. 2026-11-30."
    if start and end and end < start:
        errors["date_to"] = "The last day comes before the first day: choose a period that ends after it starts."
    elif start and end and (end - start).days >= max_days:
        errors["date_to"] = f"Choose a period of at most {max_days} days."


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def clean_search(text: str) -> str:
    """Search text safe to send to the database: control characters (NUL, tabs, newlines) become
    spaces, runs of spaces one, and at most :data:`SEARCH_MAX` characters are kept."""
    printable = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return " ".join(printable.split())[:SEARCH_MAX]
