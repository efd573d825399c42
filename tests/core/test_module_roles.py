"""Roles modules add: created by the sync with their default grants, assignable per store like the platform's."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import select

from jewelerp.core.models import Role as RoleRow
from jewelerp.core.roles import all_grants, set_grant, sync_roles_and_permissions
from jewelerp.core.users import set_store_role
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError
from jewelerp.registry import Module, Permission, Role, set_registry
from tests.conftest import make_world
from tests.core.sample_modules import sample_registry

GIFTS = Module(
    "gifts",
    "Gifts",
    "1",
    "Gift wrapping",
    roles=(Role("gifts.packer", "Gift packer"),),
    permissions=(
        Permission("gifts.wrap", "Wrap gifts", ("sales", "gifts.packer")),
        Permission("gifts.price", "Price wrapping", ("manager",)),
    ),
)


def test_a_role_added_by_a_new_module_version_gets_its_defaults_and_admin_edits_stay(db, registry):
    before = sample_registry(
        replace(GIFTS, roles=(), permissions=(Permission("gifts.wrap", "Wrap gifts", ("sales",)),))
    )
    set_registry(before)
    world = make_world(before)
    with unit_of_work() as session:
        set_grant(session, world.actor("admin"), "sales", "gifts.wrap", False)
    set_registry(sample_registry(GIFTS))
    with unit_of_work() as session:
        assert sync_roles_and_permissions(session) == 1  # gifts.price is new
    with read_session() as session:
        grants = all_grants(session)
        packer = session.exec(select(RoleRow).where(RoleRow.code == "gifts.packer")).one()
    assert packer.name == "Gift packer"
    assert ("gifts.packer", "gifts.wrap") in grants  # the new role gets a default of an old permission
    assert ("sales", "gifts.wrap") not in grants  # the admin's revoke stays
    assert ("manager", "gifts.price") in grants


def test_a_user_holds_a_module_role_per_store_and_unknown_roles_are_refused(db, registry):
    reg = sample_registry(GIFTS)
    set_registry(reg)
    world = make_world(reg)
    with unit_of_work() as session:
        set_store_role(session, None, world.users["designer"], world.mum, "gifts.packer")
    assert world.actor("designer").permissions == {"gifts.wrap"}
    assert "gifts.wrap" not in world.actor("designer", world.dl).permissions  # still a designer in Delhi
    with (
        unit_of_work() as session,
        pytest.raises(JewelError, match=r"Unknown role 'cashier'; use one of .*gifts\.packer"),
    ):
        set_store_role(session, None, world.users["designer"], world.mum, "cashier")
