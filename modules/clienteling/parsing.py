"""Reading what staff type: phones, dates, numbers, rupees and word lists."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import phonenumbers

from jewelerp.validation import EARLIEST_BIRTH, amount_limit_text, date_within, read_amount


def normalize_phone(raw: str, region: str = "IN") -> str:
    """The number in E.164 (``+919820012345``); ValueError when it is not a real number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_date(raw: str, label: str, errors: dict[str, str], key: str) -> date | None:
    """An ISO date from 1900 to today (a birth date, an anniversary), or None when empty; problems go
    into ``errors[key]``."""
    if not raw.strip():
        return None
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        errors[key] = f"{label} must be a date like 1990-04-23."
        return None
    if value > date.today():
        errors[key] = f"{label} cannot be in the future."
    date_within(value, EARLIEST_BIRTH, date.today(), f"{label} must be in {EARLIEST_BIRTH.year} or later.", errors, key)
    return value


def parse_int(raw: str, label: str, low: int, high: int, errors: dict[str, str], key: str) -> int | None:
    """A whole number within [low, high], or None when empty."""
    if not raw.strip():
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        errors[key] = f"{label} must be a whole number from {low} to {high}."
        return None
    return value


def parse_rupees(raw: str, label: str, errors: dict[str, str], key: str) -> Decimal | None:
    """A rupee amount from 0 to :data:`~jewelerp.validation.MAX_AMOUNT` (``₹1,50,000`` is fine), or None
    when empty."""
    if not raw.strip():
        return None
    value = read_amount(raw)
    if value is None:
        errors[key] = f"{label} must be an amount in rupees up to {amount_limit_text()}, e.g. 50000."
    return value


def parse_list(raw: str) -> str:
    """Comma-separated words, trimmed, lower-cased and without repeats."""
    return ", ".join(dict.fromkeys(t.strip().lower() for t in raw.split(",") if t.strip()))


def parse_phone(raw: str, region: str, errors: dict[str, str], key: str) -> str:
    """A phone in E.164, or "" when empty."""
    if not raw.strip():
        return ""
    try:
        return normalize_phone(raw, region)
    except ValueError:
        errors[key] = "This is not a valid phone number; include the country code if it is not Indian."
        return ""
