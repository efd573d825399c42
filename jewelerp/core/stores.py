"""Stores / branches: validation and changes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import available_timezones

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.errors import NotFound, require_fields

GSTIN_RE = re.compile(r"^\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")
CODE_RE = re.compile(r"^[A-Z0-9]{2,8}$")


@dataclass
class StoreInput:
    """What a person types into the store form."""

    code: str
    name: str
    address: str = ""
    state: str = ""
    gstin: str = ""
    time_zone: str = "Asia/Kolkata"
    currency: str = "INR"

    def cleaned(self) -> StoreInput:
        """Trimmed and upper-cased where the format asks for it."""
        return StoreInput(
            code=self.code.strip().upper(),
            name=self.name.strip(),
            address=self.address.strip(),
            state=self.state.strip(),
            gstin=self.gstin.strip().upper(),
            time_zone=self.time_zone.strip(),
            currency=self.currency.strip().upper(),
        )


def _validate(session: Session, data: StoreInput, store_id: int | None) -> None:
    errors: dict[str, str] = {}
    if not CODE_RE.match(data.code):
        errors["code"] = "Code must be 2 to 8 letters or digits, e.g. MUM."
    else:
        clash = session.exec(select(Store).where(Store.code == data.code)).first()
        if clash and clash.id != store_id:
            errors["code"] = f"Store code {data.code} is already used by {clash.name}."
    if not data.name:
        errors["name"] = "Enter the store's name."
    if not data.state:
        errors["state"] = "Enter the state the store is in (it decides GST)."
    if data.gstin and not GSTIN_RE.match(data.gstin):
        errors["gstin"] = "GSTIN must be 15 characters, e.g. 27AAPFU0939F1ZV."
    if data.time_zone not in available_timezones():
        errors["time_zone"] = "Unknown time zone; use a name like Asia/Kolkata."
    if not re.fullmatch(r"[A-Z]{3}", data.currency):
        errors["currency"] = "Currency is a 3-letter code such as INR."
    require_fields(errors)


def save_store(session: Session, actor: Actor, data: StoreInput, store_id: int | None = None) -> Store:
    """Create a store, or update ``store_id``; validates everything first."""
    actor.require("core.stores.manage")
    data = data.cleaned()
    _validate(session, data, store_id)
    store = Store() if store_id is None else session.get(Store, store_id)
    if store is None:
        raise NotFound("That store no longer exists.")
    for key, value in vars(data).items():
        setattr(store, key, value)
    session.add(store)
    session.flush()
    return store


def list_stores(session: Session, actor: Actor | None) -> list[Store]:
    """Every store, by code (store managers only; None is the system)."""
    if actor is not None:
        actor.require("core.stores.manage")
    return list(session.exec(select(Store).order_by(Store.code)))


def get_store_by_code(session: Session, code: str) -> Store:
    """The store with ``code`` or :class:`NotFound` naming it."""
    store = session.exec(select(Store).where(Store.code == code.strip().upper())).first()
    if store is None:
        raise NotFound(f"No store with code '{code}'.")
    return store
