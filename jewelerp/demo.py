"""Demo data: two branches, staff of every role, every module enabled, then each module's demo."""

from __future__ import annotations

from sqlmodel import Session, select

from jewelerp.auth.service import system_actor
from jewelerp.core.models import Store, User
from jewelerp.core.module_states import enable_module
from jewelerp.core.roles import sync_roles_and_permissions
from jewelerp.core.stores import StoreInput
from jewelerp.core.users import UserInput, create_user
from jewelerp.db import unit_of_work
from jewelerp.registry import call, get_registry

DEMO_PASSWORD = "jewel-demo-2026"
DEMO_STORES = (
    StoreInput(
        "MUM", "Zaveri Bazaar, Mumbai", "12 Sheikh Memon Street, Mumbai 400002", "Maharashtra", "27AAPFU0939F1ZV"
    ),
    StoreInput("DEL", "Karol Bagh, Delhi", "18 Bank Street, Karol Bagh, New Delhi 110005", "Delhi", "07AAPFU0939F1ZX"),
)
DEMO_STAFF = (
    ("Anita Rao", "admin@demo.jewelerp.in", {"MUM": "admin", "DEL": "admin"}),
    ("Vikram Mehta", "manager@demo.jewelerp.in", {"MUM": "manager", "DEL": "manager"}),
    ("Priya Shah", "sales@demo.jewelerp.in", {"MUM": "sales"}),
    ("Rohan Gupta", "sales.del@demo.jewelerp.in", {"DEL": "sales"}),
    ("Meera Iyer", "designer@demo.jewelerp.in", {"MUM": "designer", "DEL": "designer"}),
)


def _ensure_store(session: Session, data: StoreInput) -> Store:
    store = session.exec(select(Store).where(Store.code == data.code)).first()
    if store is None:
        store = Store(**vars(data))
        session.add(store)
        session.flush()
    return store


def load_demo() -> list[tuple[str, str, str]]:
    """Create (or top up) the demo records; returns (role, email, password) logins."""
    registry = get_registry()
    with unit_of_work() as session:
        sync_roles_and_permissions(session, registry)
        stores = [_ensure_store(session, data) for data in DEMO_STORES]
        for name, email, roles in DEMO_STAFF:
            if session.exec(select(User).where(User.email == email)).first() is None:
                create_user(session, None, UserInput(name, email, "+91 98200 00000"), DEMO_PASSWORD, roles)
        for store in stores:
            for module in registry.toggleable():
                enable_module(session, None, module.name, store.id, registry)
    for store in stores:
        for module in registry.modules:
            if module.demo_data:
                with unit_of_work() as session:
                    actor = system_actor(session, store.id)
                    session.info["actor"] = actor
                    call(module.demo_data)(session, actor)
    return [(next(iter(roles.values())), email, DEMO_PASSWORD) for _n, email, roles in DEMO_STAFF]
