"""Customer import from .csv and .xlsx: read the sheet, preview every row, then insert the good ones.

The flow is two steps. :func:`read_rows` turns the uploaded file into text rows keyed by
:class:`~modules.clienteling.services.CustomerInput` field names; :func:`preview` checks
each row (the same rules as the customer form, plus duplicates against the database and
within the file) without writing; :func:`import_rows` checks again and inserts the good
rows in the caller's transaction, so an error part-way leaves nothing written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column
from jewelerp.errors import JewelError
from jewelerp.spreadsheets import MB, Record, SheetLimits, read_records
from jewelerp.xlsx_export import write_table
from modules.clienteling.models import Customer
from modules.clienteling.services import CustomerInput, _apply_consent, clean_customer

PERMISSION = "clienteling.customer.import"
LIMITS = SheetLimits(max_bytes=10 * MB, max_rows=20_000)
ROW_KEY = "_row"  # the sheet row number (header = row 1) travels with each row under this key
DATE_FIELDS = ("date_of_birth", "anniversary")
BOOL_FIELDS = tuple(f.name for f in fields(CustomerInput) if f.type == "bool")
TEXT_FIELDS = tuple(f.name for f in fields(CustomerInput) if f.type != "bool")
TRUE_WORDS = {"yes", "y", "true", "1", "x", "✓", "on", "consented"}
FALSE_WORDS = {"", "no", "n", "false", "0", "off", "-"}
GENDER_SHORT = {"f": "female", "m": "male", "o": "other"}

# The heading each field gets in the error report; read_rows accepts every one of them.
FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "phone": "Phone",
    "alt_phone": "Alternate phone",
    "email": "Email",
    "address": "Address",
    "gender": "Gender",
    "date_of_birth": "Date of birth",
    "anniversary": "Anniversary",
    "tags": "Tags",
    "notes": "Notes",
    "pref_metals": "Metals",
    "pref_stones": "Stones",
    "pref_styles": "Styles",
    "price_min": "Min price",
    "price_max": "Max price",
    "ring_size_in": "Ring size",
    "bangle_size": "Bangle size",
    "chain_length_in": "Chain length",
    "necklace_length_in": "Necklace length",
    "consent_email": "Email consent",
    "consent_sms": "SMS consent",
    "consent_whatsapp": "WhatsApp consent",
}

_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("customer name", "customer", "full name", "client name"),
    "phone": ("mobile", "mobile number", "mobile no", "phone number", "phone no", "cell", "contact number", "contact"),
    "alt_phone": (
        "alt phone",
        "alternate mobile",
        "alternate number",
        "alternative phone",
        "other phone",
        "phone 2",
        "second phone",
        "landline",
    ),
    "email": ("e mail", "email address", "e mail address", "mail"),
    "gender": ("sex",),
    "date_of_birth": ("dob", "birthday", "birth date", "date of birth dd mm yyyy"),
    "anniversary": ("anniversary date", "wedding anniversary", "wedding date"),
    "tags": ("tag", "labels"),
    "notes": ("note", "remarks", "comments"),
    "pref_metals": ("metal", "preferred metals", "preferred metal"),
    "pref_stones": ("stone", "preferred stones", "preferred stone", "gemstones"),
    "pref_styles": ("style", "preferred styles", "preferred style"),
    "price_min": ("minimum price", "lowest price", "budget from", "budget min", "min budget"),
    "price_max": ("maximum price", "highest price", "budget to", "budget max", "max budget"),
    "ring_size_in": ("ring size indian", "ring size in"),
    "bangle_size": ("bangle",),
    "chain_length_in": ("chain length in", "chain length inches"),
    "necklace_length_in": ("necklace length in", "necklace length inches"),
    "consent_email": ("consent email", "email opt in"),
    "consent_sms": ("consent sms", "sms opt in"),
    "consent_whatsapp": ("consent whatsapp", "whatsapp opt in"),
}


def _normal(header: str) -> str:
    """``"Min price (₹)"`` -> ``"min price"``; ``"E-mail"`` -> ``"e mail"``; ``"date_of_birth"`` too."""
    text = re.sub(r"[_\-/]", " ", str(header).lower())
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


HEADERS: dict[str, str] = {}
for _field, _label in FIELD_LABELS.items():
    for _text in (_field, _label, *_ALIASES.get(_field, ())):
        HEADERS[_normal(_text)] = _field


class SheetRows(list[dict[str, str]]):
    """The rows of a sheet, plus the headings that matched no customer field."""

    ignored_columns: list[str]

    def __init__(self, rows: Iterable[dict[str, str]] = (), ignored_columns: Iterable[str] = ()):
        super().__init__(rows)
        self.ignored_columns = list(ignored_columns)


@dataclass
class RowReport:
    """What happened (or would happen) to one row: ``status`` is "ok", "error" or "duplicate"."""

    row: int
    name: str
    status: str
    message: str = ""
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportPreview:
    """Counts and one report per row; ``imported`` stays 0 until :func:`import_rows` runs."""

    total: int
    good: int
    rows: list[RowReport]
    imported: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Rows with a field that must be fixed."""
        return sum(1 for r in self.rows if r.status == "error")

    @property
    def duplicates(self) -> int:
        """Rows whose phone or email belongs to a customer already (or to an earlier row)."""
        return sum(1 for r in self.rows if r.status == "duplicate")

    @property
    def problems(self) -> list[RowReport]:
        """The rows that are not (or were not) imported, in sheet order."""
        return [r for r in self.rows if r.status != "ok"]


# --- reading the file ---------------------------------------------------------------------------


def read_rows(filename: str, content: bytes) -> list[dict[str, str]]:
    """The data rows of a .csv or .xlsx file as text keyed by CustomerInput field names.

    Returns a :class:`SheetRows` (a list) whose ``ignored_columns`` names the headings that
    matched no field. Each row also carries its sheet row number under :data:`ROW_KEY`.
    Raises JewelError for an unsupported, empty, oversized or unrecognisable file, or one
    past :data:`LIMITS`. CPU-bound: pages call it in a worker thread.
    """
    records = read_records(filename, content, LIMITS)
    try:
        return _sheet_rows(records)
    finally:
        records.close()  # lets the workbook close when reading stopped early


def _sheet_rows(records: Iterator[Record]) -> SheetRows:
    """The first non-blank row is the header; the rows under it become customers' text."""
    first = next(records, None)
    if first is None:
        raise JewelError("The file is empty.")
    columns, ignored = _map_header(first[1])
    if "name" not in columns.values():
        raise JewelError(
            "No Name column was found. The first row must hold the column headings, e.g. Name, Phone, Email."
        )
    rows: list[dict[str, str]] = []
    for number, record in records:
        texts = {columns[i]: _cell_text(v, columns[i]) for i, v in enumerate(record) if i in columns}
        if any(texts.values()):  # a row with only unknown columns filled is not a customer
            rows.append({**dict.fromkeys(columns.values(), ""), **texts, ROW_KEY: str(number)})
    if not rows:
        raise JewelError("The file is empty: there are no customer rows under the headings.")
    return SheetRows(rows, ignored)


def _map_header(header: list[Any]) -> tuple[dict[int, str], list[str]]:
    """Column index -> field name, and the headings that were not understood (or repeated)."""
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header):
        heading = _cell_text(cell)
        if not heading:
            continue
        key = HEADERS.get(_normal(heading))
        if key is None or key in columns.values():
            ignored.append(heading)
        else:
            columns[index] = key
    return columns, ignored


def _cell_text(value: Any, key: str = "") -> str:
    """A cell as the text a person would have typed (dates in ISO, 9820012345.0 as 9820012345)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) or key in DATE_FIELDS else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(str(value)), "f")
    text = " ".join(str(value).replace("\xa0", " ").split()) if key != "notes" else str(value).strip()
    if key in DATE_FIELDS:
        return _iso_date(text)
    return text


def _iso_date(text: str) -> str:
    """``23-04-1990`` or ``23/04/1990`` -> ``1990-04-23``; anything else is left for the validator."""
    match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    if not match:
        return text
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return text


# --- checking and importing ---------------------------------------------------------------------


def preview(session: Session, actor: Actor, rows: list[dict[str, str]]) -> ImportPreview:
    """Check every row as the import would, and write nothing."""
    actor.require(PERMISSION)
    report, _good = _check(session, actor, rows)
    return report


def import_rows(session: Session, actor: Actor, rows: list[dict[str, str]]) -> ImportPreview:
    """Insert the good rows in the caller's transaction; bad and duplicate rows are reported and skipped.

    Any failure while inserting propagates, so the caller's unit of work rolls every row back.
    """
    actor.require(PERMISSION)
    report, good = _check(session, actor, rows)
    for values, data in good:
        _insert(session, actor, values, data)
    session.flush()
    report.imported = len(good)
    return report


def error_report_xlsx(path: Path, preview: ImportPreview) -> int:
    """Write the rows that were not imported, with why, to ``path``; returns how many.

    The sheet keeps the customer columns under the headings :func:`read_rows` understands,
    so the fixed sheet can be imported again.
    """
    problems = preview.problems
    used = [key for key in FIELD_LABELS if any(r.values.get(key) for r in problems)]
    if "name" not in used:
        used.insert(0, "name")
    columns = [Column("row", "Row"), Column("status", "Status"), Column("message", "Problem")]
    columns += [Column(key, FIELD_LABELS[key]) for key in used]
    lines = (
        {**r.values, "name": r.values.get("name", r.name), "row": str(r.row), "status": r.status, "message": r.message}
        for r in problems
    )
    return write_table(path, columns, lines, "Rows to fix", titled=False)


def _insert(session: Session, actor: Actor, values: dict[str, Any], data: CustomerInput) -> Customer:
    customer = Customer(store_id=actor.store_id, **values)
    _apply_consent(customer, data)
    session.add(customer)
    return customer


def _check(
    session: Session, actor: Actor, rows: list[dict[str, str]]
) -> tuple[ImportPreview, list[tuple[dict[str, Any], CustomerInput]]]:
    """One report per row, and the cleaned values and input of the rows that may be inserted."""
    checked: list[tuple[int, dict[str, str], dict[str, Any], CustomerInput, dict[str, str]]] = []
    for index, raw in enumerate(rows):
        number = int(raw.get(ROW_KEY) or index + 2)
        typed = {k: str(raw[k]) for k in FIELD_LABELS if raw.get(k)}
        data, errors = _input(raw)
        values, field_errors = clean_customer(session, actor.store_id, data)
        errors = {**field_errors, **errors, **_too_long(values)}
        checked.append((number, typed, values, data, errors))

    existing = _existing_contacts(
        session,
        {values["phone"] for _n, _t, values, _d, _e in checked if values["phone"]},
        {values["email"] for _n, _t, values, _d, _e in checked if values["email"]},
    )
    reports: list[RowReport] = []
    good: list[tuple[dict[str, Any], CustomerInput]] = []
    seen: dict[tuple[str, str], int] = {}  # ("phone"|"email", value) -> first row number holding it
    for number, typed, values, data, errors in checked:
        name = values["name"] or typed.get("name", "")
        if errors:
            reports.append(RowReport(number, name, "error", _message(errors), typed))
        elif duplicate := _duplicate(values, existing, seen):
            reports.append(RowReport(number, name, "duplicate", duplicate, typed))
        else:
            reports.append(RowReport(number, name, "ok", "", typed))
            good.append((values, data))
        _remember(seen, values, errors, number)
    ignored = list(getattr(rows, "ignored_columns", []))
    return ImportPreview(total=len(rows), good=len(good), rows=reports, ignored_columns=ignored), good


def _input(raw: dict[str, str]) -> tuple[CustomerInput, dict[str, str]]:
    """The row as form input; a yes/no column holding neither goes into the errors."""
    errors: dict[str, str] = {}
    text = {k: str(raw.get(k) or "") for k in TEXT_FIELDS}
    gender = text["gender"].strip().lower()
    text["gender"] = GENDER_SHORT.get(gender, gender)
    flags: dict[str, bool] = {}
    for key in BOOL_FIELDS:
        word = str(raw.get(key) or "").strip().lower()
        flags[key] = word in TRUE_WORDS
        if word not in TRUE_WORDS | FALSE_WORDS:
            errors[key] = "write yes or no."
    return CustomerInput(**text, **flags), errors


def _too_long(values: dict[str, Any]) -> dict[str, str]:
    """Text longer than its column holds (the form limits what is typed; a sheet does not)."""
    errors: dict[str, str] = {}
    for key, value in values.items():
        limit = getattr(Customer.__table__.c[key].type, "length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            errors[key] = f"keep it to {limit} characters (this has {len(value)})."
    return errors


def _message(errors: dict[str, str]) -> str:
    """``{"phone": "This is not…"}`` -> ``"Phone: This is not…"``, one field after another."""
    parts = []
    for key in [k for k in FIELD_LABELS if k in errors] + [k for k in errors if k not in FIELD_LABELS]:
        label, text = FIELD_LABELS.get(key, key), errors[key]
        parts.append(text if text.lower().startswith(label.lower()) else f"{label}: {text}")
    return " ".join(parts)


def _existing_contacts(session: Session, phones: set[str], emails: set[str]) -> dict[tuple[str, str], Customer]:
    """Active customers holding any of these phones (either number) or emails, by ("phone"|"email", value)."""
    found: dict[tuple[str, str], Customer] = {}
    phone_list, email_list = sorted(phones), sorted(emails)
    for start in range(0, max(len(phone_list), len(email_list)), 400):
        some_phones, some_emails = phone_list[start : start + 400], email_list[start : start + 400]
        clauses = []
        if some_phones:
            clauses += [Customer.phone.in_(some_phones), Customer.alt_phone.in_(some_phones)]
        if some_emails:
            clauses.append(Customer.email.in_(some_emails))
        stmt = select(Customer).where(or_(*clauses), Customer.merged_into_id.is_(None)).order_by(Customer.id)
        for customer in session.scalars(stmt):
            for phone in (customer.phone, customer.alt_phone):
                if phone in phones:
                    found.setdefault(("phone", phone), customer)
            if customer.email in emails:
                found.setdefault(("email", customer.email), customer)
    return found


def _duplicate(
    values: dict[str, Any], existing: dict[tuple[str, str], Customer], seen: dict[tuple[str, str], int]
) -> str:
    """Why the row duplicates a customer or an earlier row, or ""."""
    for kind in ("phone", "email"):
        value = values[kind]
        if not value:
            continue
        if (kind, value) in existing:
            customer = existing[(kind, value)]
            return f"{customer.name} (customer #{customer.id}) already has this {kind}."
        if (kind, value) in seen:
            return f"Row {seen[(kind, value)]} of this file has the same {kind}."
    return ""


def _remember(seen: dict[tuple[str, str], int], values: dict[str, Any], errors: dict[str, str], number: int) -> None:
    """Note the row's phones and email (even on a bad row) so a later row with the same ones is a duplicate."""
    for kind, key in (("phone", "phone"), ("phone", "alt_phone"), ("email", "email")):
        if values.get(key) and key not in errors:
            seen.setdefault((kind, values[key]), number)
