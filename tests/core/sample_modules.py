"""Small manifests used by platform tests (not real modules)."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.manifest import CORE
from jewelerp.registry import (
    EventHandler,
    ExtensionPoint,
    Job,
    MenuEntry,
    Module,
    Page,
    Permission,
    Registry,
    Setting,
)

CALLS: list[tuple[str, str]] = []
HERE = "tests.core.sample_modules"

CATALOG = Module(
    name="catalog",
    title="Catalog",
    version="1.0",
    summary="Items for sale",
    permissions=(Permission("catalog.item.view", "See items", ("manager", "sales")),),
    pages=(Page("/catalog", f"{HERE}:page", "Items", "catalog.item.view", MenuEntry("Items")),),
    jobs=(Job("catalog.nightly", "0 2 * * *", f"{HERE}:nightly", "Nightly count"),),
    settings=(Setting("catalog.reorder_days", "Reorder after days", 7),),
    emits=(("catalog.item", "sold"),),
    extension_points=(
        ExtensionPoint("catalog.badge", f"{HERE}:Badge", "A badge beside an item"),
        ExtensionPoint("catalog.price_rules", f"{HERE}:PriceRule", "Rules that change an item's price"),
    ),
)
ORDERS = Module(
    name="orders",
    title="Orders",
    version="1.0",
    summary="Orders of catalog items",
    depends=("catalog",),
    permissions=(Permission("orders.order.create", "Take orders", ("sales",)),),
    events=(EventHandler("catalog.item", "sold", f"{HERE}:on_sold"),),
    contributions={"catalog.badge": (f"{HERE}:ordered_badge",), "catalog.price_rules": (f"{HERE}:BULK",)},
)
BRIDGE = Module(
    name="orders_catalog",
    title="Bridge",
    version="1.0",
    summary="joins",
    depends=("catalog", "orders"),
    auto_install=True,
    contributions={"catalog.badge": (f"{HERE}:bridged_badge",)},
)


def sample_registry(*extra: Module) -> Registry:
    """Core plus the sample modules."""
    return Registry([CORE, CATALOG, ORDERS, BRIDGE, *extra])


def page() -> str:
    """Page component (never rendered by the platform tests)."""
    return "Items"


def nightly(session: Session, actor: Actor) -> None:
    """Job body: remembers which store it ran for."""
    CALLS.append(("nightly", actor.store_code))


def broken(session: Session, actor: Actor) -> None:
    """Job body that always fails."""
    raise RuntimeError("supplier feed unreachable")


def on_sold(session: Session, actor: Actor, payload: dict) -> None:
    """Event handler: remembers the payload."""
    CALLS.append(("sold", str(payload["sku"])))


class Badge(Protocol):
    """The ``catalog.badge`` extension point: a short text shown beside an item."""

    def __call__(self, session: Session, actor: Actor, item_id: int) -> str: ...


class PriceRule(Protocol):
    """The ``catalog.price_rules`` extension point: a named rule that changes a price."""

    name: str

    def apply(self, amount: Decimal) -> Decimal: ...


def ordered_badge(session: Session, actor: Actor, item_id: int) -> str:
    """Orders' badge."""
    return f"ordered {item_id}"


def bridged_badge(session: Session, actor: Actor, item_id: int) -> str:
    """The bridge's badge."""
    return f"bridged {item_id}"


def short_badge(session: Session, actor: Actor) -> str:
    """A badge with a parameter too few: a broken contribution."""
    return "short"


class Bulk:
    """A price rule: 10% off."""

    name = "bulk"

    def apply(self, amount: Decimal) -> Decimal:
        """Ten per cent off."""
        return amount * Decimal("0.9")


class Nameless:
    """A price rule without a name: a broken contribution."""

    def apply(self, amount: Decimal) -> Decimal:
        """Unchanged."""
        return amount


class Greedy:
    """A price rule whose ``apply`` wants two amounts: a broken contribution."""

    name = "greedy"

    def apply(self, amount: Decimal, other: Decimal) -> Decimal:
        """Both."""
        return amount + other


BULK = Bulk()
NAMELESS = Nameless()
GREEDY = Greedy()
