"""Demo data: two branches, staff of every role, every module enabled, then each module's demo.

Demo data goes only into a database that holds nothing real: a store whose code is not a demo
store's, or a staff account outside the demo's e-mail domain, marks the database as real, and the
loader refuses unless forced.
"""

from __future__ import annotations

import os

from sqlmodel import Session, select

from jewelerp.auth.service import system_actor
from jewelerp.core.lifecycle import installed_registry, upgrade_database
from jewelerp.core.models import Store, User
from jewelerp.core.module_states import enable_module
from jewelerp.core.roles import sync_roles_and_permissions
from jewelerp.core.stores import StoreInput
from jewelerp.core.users import UserInput, create_user
from jewelerp.db import read_session, reset_engine, unit_of_work
from jewelerp.errors import JewelError
from jewelerp.install_data import load_install_data
from jewelerp.registry import call

DEMO_PASSWORD = "jewel-demo-2026"
DEMO_DOMAIN = "@demo.jewelerp.in"
DEMO_STORES = (  # each GSTIN passes the check character and names its store's state (jewelerp.gst.gstin_problem)
    StoreInput(
        "MUM",
        "Zaveri Bazaar, Mumbai",
        "12 Sheikh Memon Street, Mumbai 400002",
        "Maharashtra",
        "27AAPFU0939F1ZV",
        state_code="27",
    ),
    StoreInput(
        "DEL",
        "Karol Bagh, Delhi",
        "18 Bank Street, Karol Bagh, New Delhi 110005",
        "Delhi",
        "07AAPFU0939F1ZX",
        state_code="07",
    ),
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


def real_records(session: Session) -> list[str]:
    """What marks the database as real (non-demo): other stores and staff outside the demo domain."""
    demo_codes = [data.code for data in DEMO_STORES]
    stores = session.exec(select(Store.code).where(Store.code.not_in(demo_codes)).order_by(Store.code)).all()
    staff = session.exec(select(User.email).where(User.email.not_like(f"%{DEMO_DOMAIN}"))).all()
    found = [f"store {code}" for code in stores]
    if staff:
        found.append(f"{len(staff)} staff account(s) outside {DEMO_DOMAIN[1:]}")
    return found


def load_demo(force: bool = False) -> list[tuple[str, str, str]]:
    """Create (or top up) the demo records; returns (role, email, password) logins: the staff's, then those a
    module's demo loader returned (a list of (who, login, how to sign in), e.g. a customer portal's accounts).

    Refuses a database with real records (see :func:`real_records`) unless ``force``. It first brings the
    database to what ``jewelerp db upgrade`` leaves (roles, every module's install data: nothing new after
    an upgrade), so a database migrated from code loads too; the modules' demos add only demo records.
    """
    if not force:
        with read_session() as session:
            found = real_records(session)
        if found:
            raise JewelError(
                f"this database has real records ({', '.join(found)}); demo data would mix with them. "
                "Use --force to load it anyway."
            )
    with unit_of_work() as session:
        registry = installed_registry(session)  # a module available but not installed stays out
        sync_roles_and_permissions(session, registry)
        load_install_data(session, registry)
        stores = [_ensure_store(session, data) for data in DEMO_STORES]
        for name, email, roles in DEMO_STAFF:
            if session.exec(select(User).where(User.email == email)).first() is None:
                create_user(session, None, UserInput(name, email, "+91 98200 00000"), DEMO_PASSWORD, roles)
        for store in stores:
            for module in registry.toggleable():
                enable_module(session, None, module.name, store.id, registry)
    logins = [(next(iter(roles.values())), email, DEMO_PASSWORD) for _n, email, roles in DEMO_STAFF]
    for store in stores:
        for module in registry.modules:
            if module.demo_data:
                with unit_of_work() as session:
                    actor = system_actor(session, store.id)
                    session.info["actor"] = actor
                    logins += call(module.demo_data)(session, actor) or []
    return logins


def make_demo_database(url: str) -> list[tuple[str, str, str]]:
    """Make the database at ``url`` the process's and fill it as ``jewelerp db upgrade`` and ``jewelerp demo``
    do (for browser tests and benchmarks); returns the demo logins (role, email, password). Its engine stays
    open: call :func:`jewelerp.db.reset_engine` when done with it here."""
    os.environ["JEWELERP_DB_URL"] = url
    reset_engine()
    upgrade_database()
    return load_demo()
