"""GST tax classes: the HSN/SAC code and rate of every invoice line, as data with effective-from dates.

A class (``billing_tax_class``) has a code, a description, its HSN (goods) or SAC (services) code, its kind,
the total GST rate for an unregistered buyer and for a registered one (its GSTIN on the invoice), and the date
from which the row applies. A code has several rows over time; a line takes the row in effect on its
invoice's date (:func:`class_on`), so a new rate is a new row from its date and needs no code change. Rows
are chain-wide (GST rates are national) and only added or corrected, never deleted; the audit log keeps who
changed what.

**The defaults** (:data:`DEFAULT_CLASSES`, from 1 July 2017, the day GST began) apply to every code that has
no row in the table, so a new database needs no setup. :func:`ensure_default_tax_classes` writes them as rows
(idempotent: a code that has any row is left alone); it is billing's install data (``jewelerp db upgrade``) and
runs again before an admin's change (so the table then holds every class and its history). Their sources:

- Goods, Notification 1/2017-Central Tax (Rate), Schedule V (CGST 1.5%, so 3% in total; IGST 3% under
  Notification 1/2017-Integrated Tax (Rate)): HSN 7113 articles of jewellery (JEWELLERY), 7114 goldsmiths'
  and silversmiths' wares (GOLDSMITH), 7116 articles of pearls and precious or semi-precious stones
  (PEARL_STONE), 7117 imitation jewellery (IMITATION), 7118 coins (COIN).
- Services, Notification 11/2017-Central Tax (Rate): SAC 9987 maintenance and repair services, item 25(ii)
  at 9% CGST, 18% in total (REPAIR: repairs, polishing, resizing, plating, engraving of the customer's
  jewellery). SAC 9988 manufacturing services on goods owned by others (JOB_WORK: a piece made from the
  customer's own metal): item 26(i)(c) "job work in relation to all products other than diamonds falling
  under Chapter 71" at 2.5% CGST, 5% in total, as amended by Notification 20/2019-Central Tax (Rate); job
  work is a process on goods of "another registered person" (CGST Act 2017 s.2(68)), so for a buyer
  without a GSTIN it is item 26(iv), other manufacturing services, at 9% CGST, 18% in total.

Permission to change them: ``billing.tax.manage`` (admins).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, ValidationError, require_fields
from jewelerp.validation import check_lengths, date_within, read_percent, years_after
from modules.billing.models import TaxClass

MANAGE = "billing.tax.manage"
GOODS, SERVICE = "goods", "service"
KINDS = ((GOODS, "Goods (HSN)"), (SERVICE, "Service (SAC)"))
REPAIR, JOB_WORK, JEWELLERY = "REPAIR", "JOB_WORK", "JEWELLERY"
GST_START = date(2017, 7, 1)
CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{1,19}$")
HSN_RE = re.compile(r"^[0-9]{4}([0-9]{2}){0,2}$")
THREE, FIVE, EIGHTEEN = Decimal("3"), Decimal("5"), Decimal("18")
# code, description, HSN/SAC, kind, rate for an unregistered buyer, rate for a registered buyer (see the module)
DEFAULT_CLASSES = (
    (JEWELLERY, "Articles of jewellery of precious metal", "7113", GOODS, THREE, THREE),
    ("GOLDSMITH", "Goldsmiths' and silversmiths' wares", "7114", GOODS, THREE, THREE),
    ("PEARL_STONE", "Articles of pearls, precious or semi-precious stones", "7116", GOODS, THREE, THREE),
    ("IMITATION", "Imitation jewellery", "7117", GOODS, THREE, THREE),
    ("COIN", "Coins", "7118", GOODS, THREE, THREE),
    (REPAIR, "Repair and polishing of jewellery", "9987", SERVICE, EIGHTEEN, EIGHTEEN),
    (JOB_WORK, "Making from the customer's own metal (job work)", "9988", SERVICE, EIGHTEEN, FIVE),
)
LABELS = {
    "code": "The code",
    "description": "The description",
    "hsn_sac": "The HSN/SAC code",
}


# ---------------------------------------------------------------------------- lookups


def _missing_defaults(session: Session) -> list[TaxClass]:
    """The default classes whose code has no row in the table, as unsaved rows."""
    have = set(session.scalars(select(TaxClass.code).distinct()))
    return [
        TaxClass(
            code=code,
            description=text,
            hsn_sac=hsn,
            kind=kind,
            rate_unregistered=unregistered,
            rate_registered=registered,
            effective_from=GST_START,
            created_by="JewelERP defaults",
        )
        for code, text, hsn, kind, unregistered, registered in DEFAULT_CLASSES
        if code not in have
    ]


def ensure_default_tax_classes(session: Session) -> None:
    """Write the default classes whose code has no row yet (safe to run again)."""
    session.add_all(_missing_defaults(session))
    session.flush()


def classes_on(session: Session, on: date) -> list[TaxClass]:
    """Every class as in effect on ``on``: services first, then goods, by code (defaults for codes with no row)."""
    latest = (
        select(TaxClass.code, func.max(TaxClass.effective_from).label("since"))
        .where(TaxClass.effective_from <= on)
        .group_by(TaxClass.code)
        .subquery()
    )
    stmt = select(TaxClass).join(latest, (TaxClass.code == latest.c.code) & (TaxClass.effective_from == latest.c.since))
    classes = [*session.scalars(stmt), *(c for c in _missing_defaults(session) if c.effective_from <= on)]
    return sorted(classes, key=lambda c: (c.kind != SERVICE, c.code))


def class_on(session: Session, code: str, on: date) -> TaxClass:
    """The row of class ``code`` in effect on ``on``; ValidationError keyed ``tax_class`` when there is none."""
    found = next((c for c in classes_on(session, on) if c.code == code), None)
    if found is None:
        raise ValidationError({"tax_class": f"No tax class {code} is in effect on {on:%d %b %Y}."})
    return found


def goods_class_for(session: Session, hsn: str, on: date) -> TaxClass:
    """The goods class of HSN ``hsn`` in effect on ``on`` (a piece's category gives the HSN)."""
    found = next((c for c in classes_on(session, on) if c.kind == GOODS and c.hsn_sac == hsn), None)
    if found is None:
        raise JewelError(
            f"No tax class for HSN {hsn} is in effect on {on:%d %b %Y}: an admin adds one under Billing › Tax classes."
        )
    return found


def rate_for(tax_class: TaxClass, registered: bool) -> Decimal:
    """The total GST % of the class for a registered buyer (GSTIN given) or an unregistered one."""
    return tax_class.rate_registered if registered else tax_class.rate_unregistered


def class_options(session: Session, actor: Actor, on: date) -> list[tuple[str, str]]:
    """(code, "Repair and polishing of jewellery · SAC 9987 · 18%") for the classes in effect on ``on``."""
    actor.require("billing.invoice.create")
    return [(c.code, describe(c)) for c in classes_on(session, on)]


def describe(tax_class: TaxClass) -> str:
    """How a class reads in a list: description, HSN or SAC, and its rate(s)."""
    what = "SAC" if tax_class.kind == SERVICE else "HSN"
    rates = _pct(tax_class.rate_unregistered)
    if tax_class.rate_registered != tax_class.rate_unregistered:
        rates = f"{_pct(tax_class.rate_registered)} with a GSTIN, else {rates}"
    return f"{tax_class.description} · {what} {tax_class.hsn_sac} · {rates}"


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}%"


# ---------------------------------------------------------------------------- changes (admins)


@dataclass
class TaxClassInput:
    """A tax class row as typed: a new class, a new rate of a class from a date, or a correction of a row."""

    code: str
    description: str
    hsn_sac: str
    kind: str
    rate_unregistered: str
    rate_registered: str
    effective_from: str


def list_tax_classes(session: Session, actor: Actor) -> list[TaxClass]:
    """Every row (the defaults not yet written included), by code and newest first."""
    actor.require(MANAGE)
    rows = [*session.scalars(select(TaxClass)), *_missing_defaults(session)]
    return sorted(rows, key=lambda c: (c.code, -c.effective_from.toordinal()))


def _check(session: Session, data: TaxClassInput, errors: dict[str, str]) -> dict[str, object]:
    code, text, hsn = data.code.strip().upper(), " ".join(data.description.split()), data.hsn_sac.strip()
    if not CODE_RE.match(code):
        errors["code"] = "The code is 2 to 20 capital letters, digits or _, starting with a letter, e.g. REPAIR."
    if not text:
        errors["description"] = "Describe what the class covers, e.g. Repair and polishing of jewellery."
    check_lengths(TaxClass, {"description": text}, errors, LABELS)
    if data.kind not in dict(KINDS):
        errors["kind"] = "Choose goods (HSN) or a service (SAC)."
    elif not HSN_RE.match(hsn) or (hsn.startswith("99") != (data.kind == SERVICE)):
        errors["hsn_sac"] = "A service has a SAC of 99.. (e.g. 9987); goods an HSN of 4, 6 or 8 digits (e.g. 7113)."
    rates = {key: read_percent(getattr(data, key)) for key in ("rate_unregistered", "rate_registered")}
    for key, value in rates.items():
        if value is None:
            errors[key] = "The rate is the total GST in %, from 0 to 100, e.g. 3 or 18."
    since, message = _date(data.effective_from), "Enter a date from 1 July 2017, e.g. 2026-04-01."
    if since is None:
        errors["effective_from"] = message
    date_within(since, GST_START, years_after(utcnow().date(), 5), message, errors, "effective_from")
    rows = [*session.scalars(select(TaxClass).where(TaxClass.code == code)), *_missing_defaults(session)]
    kind = next((c.kind for c in rows if c.code == code), data.kind)
    if kind != data.kind and "kind" not in errors:
        errors["kind"] = f"{code} is a class of {kind}: a new rate keeps its kind."
    return {"code": code, "description": text, "hsn_sac": hsn, "kind": data.kind, "effective_from": since, **rates}


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def save_tax_class(session: Session, actor: Actor, data: TaxClassInput) -> TaxClass:
    """Add a class, or a class's rate from a new date; the same code and date corrects that row.

    Invoices keep the rate they were issued with; a draft takes the new row when it is issued on or after
    its date. Bad input raises ValidationError keyed by the input's fields and writes nothing.
    """
    actor.require(MANAGE)
    errors: dict[str, str] = {}
    values = _check(session, data, errors)
    require_fields(errors)
    ensure_default_tax_classes(session)
    row = session.scalars(
        select(TaxClass).where(TaxClass.code == values["code"], TaxClass.effective_from == values["effective_from"])
    ).first()
    if row is None:
        row = TaxClass(created_by=actor.user_name, **values)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.add(row)
    session.flush()
    return row
