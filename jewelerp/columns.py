"""Columns of lists and reports, typed: the page shows a value as text, an Excel export writes it as a number
or a date.

A row builder hands each typed column its value (``Decimal``, ``int``, ``date``, ``datetime`` in the store's
zone) or ``None`` for nothing; a ``str`` in a typed column is a note ("hidden", "—") shown and exported as text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from jewelerp.money import format_inr


class Kind(StrEnum):
    """What a column holds; decides how the page shows it and how Excel stores and formats it."""

    TEXT = "text"
    MONEY = "money"  # rupees and paise: ₹1,50,000.50 (Decimal)
    WEIGHT = "weight"  # grams with three decimals: 5.120 g (Decimal)
    INTEGER = "integer"  # a count: 1,234 (int)
    DECIMAL = "decimal"  # a plain number (Decimal)
    PERCENT = "percent"  # 12.5 means 12.5 % (Decimal)
    DATE = "date"  # 06 Dec 2026
    DATETIME = "datetime"  # 06 Dec 2026 14:05, in the store's zone


def _weight(value: Decimal) -> str:
    return f"{value:.3f} g"


def _percent(value: Decimal) -> str:
    return f"{value}%"


SHOWN: dict[Kind, Callable[[Any], str]] = {
    Kind.TEXT: str,
    Kind.MONEY: lambda v: format_inr(v, paise=True),
    Kind.WEIGHT: _weight,
    Kind.INTEGER: lambda v: f"{v:,}",
    Kind.DECIMAL: str,
    Kind.PERCENT: _percent,
    Kind.DATE: lambda v: f"{v:%d %b %Y}",
    Kind.DATETIME: lambda v: f"{v:%d %b %Y %H:%M}",
}


@dataclass(frozen=True)
class Column:
    """A column: ``key`` in the row dicts, the header ``label``, whether it sorts, whether text wraps, what it
    holds (``kind``), and ``shown`` when the page shows its values otherwise than the kind does."""

    key: str
    label: str
    sortable: bool = True
    wrap: bool = False
    kind: Kind = Kind.TEXT
    shown: Callable[[Any], str] | None = None

    def text(self, value: Any) -> str:
        """The value as the page shows it; ``None`` is blank and a note (a ``str``) stays as it is."""
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        return (self.shown or SHOWN[self.kind])(value)


def shown_row(columns: tuple[Column, ...], row: Mapping[str, Any]) -> dict[str, str]:
    """A typed row as the page shows it: every column's text, other keys (``id``, ``_link``) as text."""
    out = {key: "" if value is None else str(value) for key, value in row.items()}
    for column in columns:
        out[column.key] = column.text(row.get(column.key))
    return out
