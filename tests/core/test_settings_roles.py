"""Per-store settings and role permission editing."""

from __future__ import annotations

import pytest

from jewelerp.core.roles import all_grants, set_grant, sync_roles_and_permissions
from jewelerp.core.settings import get_setting, set_setting
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from jewelerp.registry import set_registry
from tests.conftest import make_world
from tests.core.sample_modules import sample_registry


@pytest.fixture
def sample(db, registry):
    reg = sample_registry()
    set_registry(reg)
    return make_world(reg)


def test_settings_default_then_per_store_value(sample):
    manager = sample.actor("manager")
    with read_session() as session:
        assert get_setting(session, sample.mum, "catalog.reorder_days") == 7
    with unit_of_work(manager) as session:
        assert set_setting(session, manager, sample.mum, "catalog.reorder_days", " 10 ") == 10
    with read_session() as session:
        assert get_setting(session, sample.mum, "catalog.reorder_days") == 10
        assert get_setting(session, sample.dl, "catalog.reorder_days") == 7


def test_bad_setting_value_is_refused_and_sales_cannot_edit(sample):
    manager = sample.actor("manager")
    with pytest.raises(ValidationError, match="enter a whole number"), unit_of_work(manager) as session:
        set_setting(session, manager, sample.mum, "catalog.reorder_days", "ten")
    with pytest.raises(PermissionDenied), unit_of_work() as session:
        set_setting(session, sample.actor("sales"), sample.mum, "catalog.reorder_days", "3")
    with read_session() as session:
        assert get_setting(session, sample.mum, "catalog.reorder_days") == 7


def test_admin_revocation_survives_a_later_sync(sample):
    admin = sample.actor("admin")
    assert sample.actor("sales").can("catalog.item.view")
    with unit_of_work(admin) as session:
        set_grant(session, admin, "sales", "catalog.item.view", False)
    with unit_of_work() as session:
        assert sync_roles_and_permissions(session) == 0
        assert ("sales", "catalog.item.view") not in all_grants(session)
    assert not sample.actor("sales").can("catalog.item.view")


def test_role_editing_is_admin_only_and_cannot_lock_admins_out(sample):
    with pytest.raises(PermissionDenied), unit_of_work() as session:
        set_grant(session, sample.actor("manager"), "sales", "catalog.item.view", False)
    admin = sample.actor("admin")
    with pytest.raises(JewelError, match="Admins must keep"), unit_of_work(admin) as session:
        set_grant(session, admin, "admin", "core.roles.manage", False)
