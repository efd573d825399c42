"""Shared fixtures: a fresh database per test and a small world of stores and staff."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import SQLModel

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import build_actor
from jewelerp.core.models import Store
from jewelerp.core.module_states import enable_module
from jewelerp.core.roles import sync_roles_and_permissions
from jewelerp.core.stores import StoreInput
from jewelerp.core.users import UserInput, create_user
from jewelerp.db import get_engine, reset_engine, unit_of_work
from jewelerp.registry import Registry, get_registry, set_registry

PASSWORD = "correct-horse-9"


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """Tests create many accounts: hash with light argon2id cost settings (same algorithm and code path)."""
    from argon2 import PasswordHasher

    from jewelerp.auth import passwords

    real = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = real


@pytest.fixture
def db(tmp_path, monkeypatch) -> Iterator[str]:
    """An empty database with every table, roles and default grants."""
    url = f"sqlite:///{tmp_path / 'test.db'}"
    monkeypatch.setenv("JEWELERP_DB_URL", url)
    reset_engine()
    get_registry().import_models()
    SQLModel.metadata.create_all(get_engine())
    with unit_of_work() as session:
        sync_roles_and_permissions(session)
    yield url
    reset_engine()


@pytest.fixture
def registry() -> Iterator[None]:
    """Restore the discovered registry after a test that swaps it."""
    yield
    set_registry(None)


@dataclass
class World:
    """Two stores and one user per role; ``actor(email, store)`` builds an actor."""

    mum: int
    dl: int
    users: dict[str, int]

    def actor(self, who: str, store: int | None = None) -> Actor:
        with unit_of_work() as session:
            return build_actor(session, self.users[who], store or self.mum)


def make_world(registry: Registry | None = None) -> World:
    """Create stores MUM and DEL and staff admin/manager/sales/designer; enable every module."""
    with unit_of_work() as session:
        if registry is not None:
            sync_roles_and_permissions(session, registry)
        mum = Store(**vars(StoreInput("MUM", "Mumbai", "Zaveri Bazaar", "Maharashtra")))
        dl = Store(**vars(StoreInput("DEL", "Delhi", "Karol Bagh", "Delhi")))
        session.add(mum)
        session.add(dl)
        session.flush()
        users = {}
        for role in ("admin", "manager", "sales", "designer"):
            roles = {"MUM": role, "DEL": role} if role != "sales" else {"MUM": role}
            user = create_user(session, None, UserInput(role.title(), f"{role}@test.in"), PASSWORD, roles)
            users[role] = user.id
        for module in (registry or get_registry()).toggleable():
            for store in (mum, dl):
                enable_module(session, None, module.name, store.id, registry)
        return World(mum.id, dl.id, users)


@pytest.fixture
def world(db) -> World:
    """Stores, staff and every module enabled."""
    return make_world()
