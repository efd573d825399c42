"""Stores / branches: validation and changes.

A store's state is chosen from the GST state list by its code (:data:`jewelerp.gst.STATES`): it is the
location of the supplier that decides CGST + SGST or IGST (IGST Act 2017, s.7 and s.8). Its GSTIN must be
valid and registered in that state (:func:`jewelerp.gst.gstin_problem`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import available_timezones

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.errors import NotFound, require_fields
from jewelerp.gst import RETIRED, STATES, gstin_problem, state_code_of, state_name

CODE_RE = re.compile(r"^[A-Z0-9]{2,8}$")


@dataclass
class StoreInput:
    """What a person enters in the store form: the state is chosen by its GST code (``state_code``).

    ``state`` is the state's name, written from the code; a caller that gives only the name
    ("Maharashtra") gets the code of that name.
    """

    code: str
    name: str
    address: str = ""
    state: str = ""
    gstin: str = ""
    time_zone: str = "Asia/Kolkata"
    currency: str = "INR"
    state_code: str = ""

    def __post_init__(self) -> None:
        if not self.state_code:
            self.state_code = state_code_of(self.state)

    def cleaned(self) -> StoreInput:
        """Trimmed and upper-cased where the format asks for it; the state's name follows its code."""
        code = self.state_code.strip()
        return StoreInput(
            code=self.code.strip().upper(),
            name=self.name.strip(),
            address=self.address.strip(),
            state=state_name(code) or self.state.strip(),
            gstin=self.gstin.strip().upper(),
            time_zone=self.time_zone.strip(),
            currency=self.currency.strip().upper(),
            state_code=code,
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
    state_known = data.state_code in STATES and data.state_code not in RETIRED
    if not state_known:
        errors["state_code"] = "Choose the state the store is in (it decides CGST + SGST or IGST)."
    if data.gstin and (problem := gstin_problem(data.gstin, data.state_code if state_known else "")):
        errors["gstin"] = problem
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
