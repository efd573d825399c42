"""Modules per store: dependencies pulled in, refusals with reasons, permissions follow."""

from __future__ import annotations

import pytest

from jewelerp.core.models import InstalledModule
from jewelerp.core.module_states import disable_module, enable_module, enabled_modules
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, PermissionDenied
from jewelerp.events import emit
from jewelerp.registry import set_registry
from tests.conftest import make_world
from tests.core.sample_modules import CALLS, sample_registry


@pytest.fixture
def sample(db, registry):
    reg = sample_registry()
    set_registry(reg)
    world = make_world(reg)
    with unit_of_work() as session:  # start from nothing enabled in DEL
        for name in ("orders", "catalog"):
            disable_module(session, None, name, world.dl, reg)
    return world


def _on(store_id: int) -> set[str]:
    with read_session() as session:
        return enabled_modules(session, store_id)


def test_enabling_pulls_in_dependencies_and_bridges(sample):
    admin = sample.actor("admin", sample.dl)
    assert _on(sample.dl) == {"core"}
    with unit_of_work() as session:
        added = enable_module(session, admin, "orders", sample.dl)
    assert added == ["catalog", "orders", "orders_catalog"]
    assert _on(sample.dl) == {"core", "catalog", "orders", "orders_catalog"}


def test_disabling_a_needed_module_is_refused_with_the_reason(sample):
    admin = sample.actor("admin")
    with pytest.raises(JewelError, match="Catalog cannot be disabled: Orders needs it"), unit_of_work() as session:
        disable_module(session, admin, "catalog", sample.mum)
    assert "catalog" in _on(sample.mum)
    with unit_of_work() as session:
        disable_module(session, admin, "orders", sample.mum)
    assert _on(sample.mum) == {"core", "catalog"}  # the bridge went with orders


def test_only_admins_toggle_modules_and_core_stays_on(sample):
    with pytest.raises(PermissionDenied), unit_of_work() as session:
        enable_module(session, sample.actor("manager"), "catalog", sample.dl)
    with pytest.raises(JewelError, match="always enabled"), unit_of_work() as session:
        enable_module(session, sample.actor("admin"), "core", sample.dl)
    with pytest.raises(JewelError, match="Unknown module 'nope'"), unit_of_work() as session:
        enable_module(session, sample.actor("admin"), "nope", sample.dl)


def test_a_disabled_module_grants_nothing_in_that_store(sample):
    assert sample.actor("sales").can("catalog.item.view")
    assert not sample.actor("manager", sample.dl).can("catalog.item.view")
    with pytest.raises(PermissionDenied, match="catalog module is not enabled in this store"):
        sample.actor("manager", sample.dl).require("catalog.item.view")
    with pytest.raises(PermissionDenied, match="You do not have permission"):
        sample.actor("designer").require("catalog.item.view")


def test_events_reach_only_modules_enabled_in_the_store(sample):
    CALLS.clear()
    with unit_of_work() as session:
        ran = emit(session, sample.actor("sales"), "catalog.item", "sold", {"sku": "R-1"})
    assert ran == 1 and CALLS == [("sold", "R-1")]
    with unit_of_work() as session:
        assert emit(session, sample.actor("manager", sample.dl), "catalog.item", "sold", {"sku": "R-2"}) == 0
    assert CALLS == [("sold", "R-1")]


def _uninstalled(*names: str) -> None:
    with unit_of_work() as session:
        for name in names:
            session.delete(session.get(InstalledModule, name))


def test_a_module_that_is_not_installed_cannot_be_enabled(sample):
    _uninstalled("orders_catalog", "orders")
    admin = sample.actor("admin", sample.dl)
    refusal = "Orders is not installed: run jewelerp modules install orders"
    with pytest.raises(JewelError, match=refusal), unit_of_work() as session:
        enable_module(session, admin, "orders", sample.dl)
    assert _on(sample.dl) == {"core"}
    with unit_of_work() as session:
        assert enable_module(session, admin, "catalog", sample.dl) == ["catalog"]


def test_a_bridge_that_is_not_installed_stays_off(sample):
    _uninstalled("orders_catalog")
    with unit_of_work() as session:
        added = enable_module(session, sample.actor("admin", sample.dl), "orders", sample.dl)
    assert added == ["catalog", "orders"]
    assert _on(sample.dl) == {"core", "catalog", "orders"}
