"""The strict registry: every manifest problem is one line naming the module and the field."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from jewelerp.auth.actor import Actor
from jewelerp.cli import main
from jewelerp.core.manifest import CORE
from jewelerp.events import emit
from jewelerp.registry import (
    EventHandler,
    ExtensionPoint,
    Job,
    Module,
    Page,
    Registry,
    RegistryError,
    discover,
    set_registry,
)
from tests.core.sample_modules import BRIDGE, CATALOG, HERE, ORDERS, sample_registry

TABLES = '''
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Kept out of the app's metadata."""


class Gift(Base):
    __tablename__ = "gifts_gift"
    id: Mapped[int] = mapped_column(primary_key=True)


class Wrapping(Base):
    __tablename__ = "wrapping"
    id: Mapped[int] = mapped_column(primary_key=True)
'''


def _actor(*enabled: str) -> Actor:
    return Actor(1, "Asha", 1, "MUM", "sales", frozenset(), frozenset(enabled))


def _registry(*modules: Module) -> Registry:
    """The sample registry with some of its modules replaced or added."""
    by_name = {m.name: m for m in (CATALOG, ORDERS, BRIDGE)} | {m.name: m for m in modules}
    return Registry([CORE, *by_name.values()])


def _problems(*modules: Module) -> list[str]:
    return _registry(*modules).check()


def test_the_discovered_registry_and_the_samples_are_sound():
    assert discover().check() == []
    assert sample_registry().check() == []


def test_a_path_that_does_not_import_names_module_field_and_reason():
    typo = replace(CATALOG, pages=(Page("/catalog", f"{HERE}:pgae", "Items", "catalog.item.view"),))
    assert _problems(typo) == [
        f"module 'catalog': pages[0].component '{HERE}:pgae' cannot be imported: "
        f"module '{HERE}' has no attribute 'pgae'"
    ]
    missing = replace(CATALOG, install_data="tests.core.no_such_module:load", models=("tests.core.nowhere",))
    assert _problems(missing) == [
        "module 'catalog': models[0] 'tests.core.nowhere' cannot be imported: No module named 'tests.core.nowhere'",
        "module 'catalog': install_data 'tests.core.no_such_module:load' cannot be imported: "
        "No module named 'tests.core.no_such_module'",
    ]


def test_a_path_that_must_be_callable_and_is_not():
    constant = replace(CATALOG, jobs=(Job("catalog.nightly", "0 2 * * *", f"{HERE}:CALLS", "Nightly"),))
    assert _problems(constant) == [f"module 'catalog': jobs[0].func '{HERE}:CALLS' is not callable"]


def test_tables_carry_the_module_prefix(tmp_path, monkeypatch):
    (tmp_path / "gift_tables.py").write_text(TABLES)
    monkeypatch.syspath_prepend(str(tmp_path))
    gifts = Module("gifts", "Gifts", "1", "g", models=("gift_tables",))
    assert _problems(gifts) == ["module 'gifts': models[0] table 'wrapping' (class Wrapping) must start with 'gifts_'"]


def test_an_event_handler_must_listen_to_a_declared_event():
    silent = replace(CATALOG, emits=())
    assert _problems(silent) == [
        "module 'orders': events[0] listens to ('catalog.item', 'sold'), which module 'catalog' does not declare in "
        "emits"
    ]
    waiting = Module("gifts", "G", "1", "g", events=(EventHandler("engraving.order", "done", f"{HERE}:on_sold"),))
    assert _problems(waiting) == []  # engraving is not installed: the handler waits for it


def test_emitted_records_carry_the_module_prefix():
    with pytest.raises(RegistryError, match="module 'gifts': emitted record 'catalog.item' must start with 'gifts.'"):
        sample_registry(Module("gifts", "G", "1", "g", emits=(("catalog.item", "wrapped"),)))


def test_emit_refuses_an_event_its_module_does_not_declare():
    registry = sample_registry()
    with pytest.raises(RegistryError, match=r"module 'catalog' emits \('catalog.item', 'returned'\) without declaring"):
        emit(None, _actor("catalog"), "catalog.item", "returned", {}, registry)  # refused before any handler runs
    registry.check_emitted("catalog.item", "sold")


def test_a_contribution_needs_an_extension_point_its_owner_declares():
    stray = replace(ORDERS, contributions={"catalog.prices": (f"{HERE}:ordered_badge",), "files": (f"{HERE}:page",)})
    assert _problems(stray) == [
        "module 'orders': contributions['catalog.prices'] targets an extension point that module 'catalog' "
        "does not declare",
        "module 'orders': contributions['files'] is not an extension point name ('<module>.<point>')",
    ]
    elsewhere = replace(ORDERS, contributions={"engraving.sections": (f"{HERE}:ordered_badge",)})
    assert _problems(elsewhere) == []  # engraving is not installed: the contribution waits for it


def test_a_callable_contribution_with_the_wrong_parameters_does_not_fit():
    short = replace(ORDERS, contributions={"catalog.badge": (f"{HERE}:short_badge",)})
    assert _problems(short) == [
        f"module 'orders': contributions['catalog.badge'][0] '{HERE}:short_badge' does not fit {HERE}:Badge: "
        "it cannot be called as (session, actor, item_id)"
    ]
    not_callable = replace(ORDERS, contributions={"catalog.badge": (f"{HERE}:BULK",)})
    assert _problems(not_callable) == [
        f"module 'orders': contributions['catalog.badge'][0] '{HERE}:BULK' does not fit {HERE}:Badge: "
        "it is not callable"
    ]


def test_an_object_contribution_needs_the_protocols_attributes_and_methods():
    nameless = replace(ORDERS, contributions={"catalog.price_rules": (f"{HERE}:NAMELESS", f"{HERE}:GREEDY")})
    assert _problems(nameless) == [
        f"module 'orders': contributions['catalog.price_rules'][0] '{HERE}:NAMELESS' does not fit {HERE}:PriceRule: "
        "it has no attribute 'name'",
        f"module 'orders': contributions['catalog.price_rules'][1] '{HERE}:GREEDY' does not fit {HERE}:PriceRule: "
        "apply cannot be called as (amount)",
    ]


def test_an_extension_point_names_a_protocol_under_the_owners_prefix_once():
    not_protocol = replace(CATALOG, extension_points=(ExtensionPoint("catalog.badge", f"{HERE}:page"),))
    lines = _problems(not_protocol)
    assert lines[0] == f"module 'catalog': extension_points[0].protocol '{HERE}:page' is not a typing.Protocol"
    with pytest.raises(RegistryError, match="extension point 'badge' must start with 'gifts.'"):
        sample_registry(Module("gifts", "G", "1", "g", extension_points=(ExtensionPoint("badge", f"{HERE}:Badge"),)))
    twice = Module("catalog2", "C", "1", "c", extension_points=(ExtensionPoint("catalog.badge", f"{HERE}:Badge"),))
    with pytest.raises(RegistryError, match="duplicate extension point 'catalog.badge' in modules 'catalog' and"):
        sample_registry(twice)


def test_contributions_come_from_enabled_modules_in_dependency_order():
    registry = sample_registry()
    badges = registry.contributions("catalog.badge", _actor("catalog", "orders_catalog", "orders"))
    assert [badge(None, None, 7) for badge in badges] == ["ordered 7", "bridged 7"]
    assert [b(None, None, 7) for b in registry.contributions("catalog.badge", _actor("catalog", "orders_catalog"))] == [
        "bridged 7"
    ]
    assert len(registry.contributions("catalog.badge", None)) == 2  # platform-wide: every installed module
    assert [rule.apply(Decimal("100")) for rule in registry.contributions("catalog.price_rules", None)] == [
        Decimal("90.0")
    ]
    with pytest.raises(RegistryError, match="no module declares the extension point 'catalog.ribbons'"):
        registry.contributions("catalog.ribbons", None)


def test_modules_check_command_prints_every_problem_and_exits_1(registry, capsys):
    assert main(["modules", "check"]) == 0
    assert capsys.readouterr().out.strip() == f"registry is sound: {len(discover().modules)} modules"
    set_registry(_registry(replace(CATALOG, emits=()), replace(ORDERS, name="orders2", permissions=())))
    assert main(["modules", "check"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "jewelerp: error: 2 problem(s) in the module manifests:",
        "module 'orders': events[0] listens to ('catalog.item', 'sold'), which module 'catalog' does not declare in "
        "emits",
        "module 'orders2': events[0] listens to ('catalog.item', 'sold'), which module 'catalog' does not declare in "
        "emits",
    ]


def test_the_app_refuses_to_start_with_a_problem(registry):
    from jewelerp.ui.app import build_app

    set_registry(_registry(replace(CATALOG, emits=())))
    with pytest.raises(RegistryError, match="(?s)cannot start.*module 'orders': events\\[0\\] listens"):
        build_app()
