"""Registry: dependency order, clear errors, discovery of packages and entry points."""

from __future__ import annotations

import re
import sys
from dataclasses import replace

import pytest

from jewelerp.core.manifest import CORE
from jewelerp.core.models import Role as RoleRow
from jewelerp.registry import (
    ENTRY_POINT_GROUP,
    ROLE_CODE_LENGTH,
    EventHandler,
    Module,
    Page,
    Permission,
    Registry,
    RegistryError,
    Role,
    discover,
    discover_entry_points,
)
from tests.core.sample_modules import BRIDGE, CATALOG, ORDERS, sample_registry


def test_orders_modules_after_their_dependencies():
    registry = Registry([ORDERS, BRIDGE, CATALOG, CORE])
    names = registry.names()
    assert names.index("core") == 0
    assert names.index("catalog") < names.index("orders") < names.index("orders_catalog")
    assert registry.requirements("orders_catalog") == ["catalog", "orders", "orders_catalog"]
    assert registry.dependents("catalog") == ["orders", "orders_catalog"]


def test_cycle_is_refused_naming_the_modules():
    a = Module("alpha", "A", "1", "a", depends=("beta",))
    b = Module("beta", "B", "1", "b", depends=("alpha",))
    with pytest.raises(RegistryError, match=r"dependency cycle between modules: alpha -> beta -> alpha"):
        Registry([CORE, a, b])


def test_unknown_dependency_names_both_modules():
    with pytest.raises(RegistryError, match="module 'orders' depends on unknown module 'catalog'"):
        Registry([CORE, ORDERS])


def test_duplicate_module_name():
    with pytest.raises(RegistryError, match="duplicate module name 'catalog'"):
        Registry([CORE, CATALOG, replace(CATALOG, title="Other")])


def test_a_mistyped_event_phase_is_refused_rather_than_run_in_the_transaction():
    typo = Module("gifts", "G", "1", "g", events=(EventHandler("billing.invoice", "issued", "a:b", "after-commit"),))
    with pytest.raises(RegistryError, match=r"module 'gifts': events\[0\].phase 'after-commit' must be one of"):
        Registry([CORE, typo])


def test_duplicate_route_names_both_modules():
    clash = Module("admin", "X", "1", "x", pages=(Page("/admin/users", "x:y", "X"),))
    with pytest.raises(RegistryError, match="duplicate route '/admin/users' in modules 'core' and 'admin'"):
        Registry([CORE, clash])
    twice = Module("gifts", "G", "1", "g", pages=(Page("/gifts", "a:b", "G"), Page("/gifts/", "a:c", "G")))
    with pytest.raises(RegistryError, match="duplicate route '/gifts' in modules 'gifts' and 'gifts'"):
        Registry([CORE, twice])


def test_duplicate_permission():
    clash = Module("catalog2", "X", "1", "x", permissions=(Permission("catalog.item.view", "dup"),))
    with pytest.raises(RegistryError, match="duplicate permission 'catalog.item.view'"):
        Registry([CORE, CATALOG, clash])


def test_permission_and_route_must_carry_the_module_prefix():
    bad_perm = Module("gifts", "G", "1", "g", permissions=(Permission("billing.x", "x"),))
    with pytest.raises(RegistryError, match="permission 'billing.x' must start with 'gifts.'"):
        Registry([CORE, bad_perm])
    for route in ("/billing/x", "/giftsx"):
        bad_route = Module("gifts", "G", "1", "g", pages=(Page(route, "a:b", "X"),))
        with pytest.raises(RegistryError, match=f"route '{route}' must start with '/gifts'"):
            Registry([CORE, bad_route])


def test_page_permission_must_exist():
    bad = Module("gifts", "G", "1", "g", pages=(Page("/gifts", "a:b", "G", "gifts.nothing"),))
    with pytest.raises(RegistryError, match="undefined permission 'gifts.nothing'"):
        Registry([CORE, bad])


def test_unknown_default_role_is_refused():
    bad = Module("gifts", "G", "1", "g", permissions=(Permission("gifts.view", "x", ("cashier",)),))
    with pytest.raises(
        RegistryError, match=r"module 'gifts': permission 'gifts.view' grants unknown role\(s\) \['cashier'\]"
    ):
        Registry([CORE, bad])


def test_module_roles_are_prefixed_unique_short_and_grantable():
    packer = Role("gifts.packer", "Gift packer")
    gifts = Module(
        "gifts", "G", "1", "g", roles=(packer,), permissions=(Permission("gifts.wrap", "x", ("gifts.packer",)),)
    )
    registry = Registry([CORE, gifts])
    assert [r.name for r in registry.roles()] == ["admin", "manager", "sales", "designer", "gifts.packer"]
    for role, message in (
        (Role("packer", "P"), "module 'gifts': role 'packer' must start with 'gifts.'"),
        (Role("gifts.Packer!", "P"), "module 'gifts': role 'gifts.Packer!' must be 'gifts.<lower_case_name>'"),
        (Role("gifts.chief_gift_packer", "P"), "at most 20 characters"),
        (Role("gifts.packer", " "), "module 'gifts': role 'gifts.packer' needs a label"),
    ):
        with pytest.raises(RegistryError, match=re.escape(message)):
            Registry([CORE, replace(gifts, roles=(role,), permissions=())])
    with pytest.raises(RegistryError, match="duplicate role 'gifts.packer' in modules 'gifts' and 'gifts'"):
        Registry([CORE, replace(gifts, roles=(packer, packer))])


def test_role_codes_fit_the_role_table():
    assert RoleRow.__table__.c.code.type.length == ROLE_CODE_LENGTH


def test_discovers_the_packages_under_modules():
    registry = discover()
    assert registry.names()[0] == "core"
    assert registry.module("core").core


THIRD_PARTY = """
from jewelerp.registry import MenuEntry, Module, Page, Permission

MODULE = Module(
    name="acme_monogram",
    title="Engraving",
    version="0.3.1",
    summary="Laser engraving orders",
    permissions=(Permission("acme_monogram.order.view", "See engraving orders", ("sales",)),),
    pages=(Page("/acme_monogram", "acme_engraving.pages:index", "Monogram", "acme_monogram.order.view",
                MenuEntry("Engraving")),),
)
"""


def test_third_party_distribution_is_discovered_through_its_entry_point(tmp_path, monkeypatch):
    package = tmp_path / "acme_engraving"
    package.mkdir()
    (package / "__init__.py").write_text(THIRD_PARTY)
    dist = tmp_path / "acme_engraving-0.3.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-engraving\nVersion: 0.3.1\n")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nacme_monogram = acme_engraving:MODULE\n")
    already = {m.name for m in discover_entry_points()}  # e.g. the sample add-on, where it is installed
    monkeypatch.syspath_prepend(str(tmp_path))
    found = discover_entry_points()
    assert [m.name for m in found if m.name not in already] == ["acme_monogram"]
    registry = discover()
    assert "acme_monogram" in registry
    assert registry.module("acme_monogram").version == "0.3.1"
    sys.modules.pop("acme_engraving", None)


def test_broken_entry_point_is_named(tmp_path, monkeypatch):
    dist = tmp_path / "broken_mod-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-mod\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nbroken = no_such_package_xyz:MODULE\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(RegistryError, match="module entry point 'broken' failed to load"):
        discover_entry_points()


def test_sample_registry_lists_jobs_and_permissions():
    registry = sample_registry()
    assert registry.job("catalog.nightly")[0].name == "catalog"
    assert ("catalog", "catalog.item.view") in {(m.name, p.name) for m, p in registry.permissions()}


def test_jobs_and_settings_carry_the_prefix_and_typed_defaults():
    from jewelerp.registry import Job, Setting

    bad_job = Module("gifts", "G", "1", "g", jobs=(Job("nightly", "0 1 * * *", "a:b", "N"),))
    with pytest.raises(RegistryError, match="job 'nightly' must start with 'gifts.'"):
        Registry([CORE, bad_job])
    twice = Module("gifts", "G", "1", "g", settings=(Setting("gifts.days", "D", 3), Setting("gifts.days", "E", 4)))
    with pytest.raises(RegistryError, match="duplicate setting 'gifts.days'"):
        Registry([CORE, twice])
    floaty = Module("gifts", "G", "1", "g", settings=(Setting("gifts.rate", "Rate", 1.5),))
    with pytest.raises(RegistryError, match="default must be one of str, int, bool or Decimal"):
        Registry([CORE, floaty])
