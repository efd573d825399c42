"""Small manifests used by platform tests (not real modules)."""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.manifest import CORE
from jewelerp.registry import EventHandler, Job, MenuEntry, Module, Page, Permission, Registry, Setting

CALLS: list[tuple[str, str]] = []

CATALOG = Module(
    name="catalog",
    title="Catalog",
    version="1.0",
    summary="Items for sale",
    permissions=(Permission("catalog.item.view", "See items", ("manager", "sales")),),
    pages=(Page("/catalog", "tests.core.sample_modules:page", "Items", "catalog.item.view", MenuEntry("Items")),),
    jobs=(Job("catalog.nightly", "0 2 * * *", "tests.core.sample_modules:nightly", "Nightly count"),),
    settings=(Setting("catalog.reorder_days", "Reorder after days", 7),),
)
ORDERS = Module(
    name="orders",
    title="Orders",
    version="1.0",
    summary="Orders of catalog items",
    depends=("catalog",),
    permissions=(Permission("orders.order.create", "Take orders", ("sales",)),),
    events=(EventHandler("catalog.item", "sold", "tests.core.sample_modules:on_sold"),),
)
BRIDGE = Module(
    name="orders_catalog",
    title="Bridge",
    version="1.0",
    summary="joins",
    depends=("catalog", "orders"),
    auto_install=True,
)


def sample_registry(*extra: Module) -> Registry:
    """Core plus the sample modules."""
    return Registry([CORE, CATALOG, ORDERS, BRIDGE, *extra])


def nightly(session: Session, actor: Actor) -> None:
    """Job body: remembers which store it ran for."""
    CALLS.append(("nightly", actor.store_code))


def broken(session: Session, actor: Actor) -> None:
    """Job body that always fails."""
    raise RuntimeError("supplier feed unreachable")


def on_sold(session: Session, actor: Actor, payload: dict) -> None:
    """Event handler: remembers the payload."""
    CALLS.append(("sold", str(payload["sku"])))
