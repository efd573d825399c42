"""The header search's platform part: searchers from manifests, grouped by kind, only where the module is on
and only for people holding the searcher's permission; text that names nothing searches nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.manifest import CORE
from jewelerp.core.module_states import disable_module
from jewelerp.db import unit_of_work
from jewelerp.registry import Registry, RegistryError, Searcher, set_registry
from jewelerp.search import MAX_QUERY, SearchHit, SearchQuery, global_search, read_query
from jewelerp.testing import run_as
from tests.conftest import make_world
from tests.core.sample_modules import BRIDGE, CATALOG, ORDERS

HERE = "tests.core.test_search"
ASKED: list[str] = []
ITEMS = {"MUM": ["RING-1", "RING-2", "RING-3", "CHAIN-1"], "DEL": ["RING-9"]}


def find_items(session: Session, actor: Actor, query: SearchQuery) -> list[SearchHit]:
    """Items of the actor's store whose code starts with the query's code."""
    ASKED.append(query.text)
    return [
        SearchHit(c, actor.store_code, f"/catalog/{c}") for c in ITEMS[actor.store_code] if c.startswith(query.code)
    ]


def find_orders(session: Session, actor: Actor, query: SearchQuery) -> list[SearchHit]:
    """One order for any query."""
    return [SearchHit("Order 7", query.code, "/orders/7")]


SEARCHING_CATALOG = replace(
    CATALOG, searchers=(Searcher("catalog.items", "Items", f"{HERE}:find_items", "catalog.item.view"),)
)
SEARCHING_ORDERS = replace(
    ORDERS, searchers=(Searcher("orders.orders", "Orders", f"{HERE}:find_orders", "orders.order.create"),)
)


@pytest.fixture
def shop(db, registry):
    reg = Registry([CORE, SEARCHING_CATALOG, SEARCHING_ORDERS, BRIDGE])
    set_registry(reg)
    ASKED.clear()
    return make_world(reg)


def _found(actor: Actor, typed: str, limit: int = 5) -> dict[str, list[str]]:
    return {g.kind: [h.title for h in g.hits] for g in run_as(actor, global_search, typed, limit)}


def test_hits_are_grouped_by_kind_in_dependency_order_and_cut_to_the_limit(shop):
    sales = shop.actor("sales")  # holds both permissions
    assert _found(sales, " ring ") == {"Items": ["RING-1", "RING-2", "RING-3"], "Orders": ["Order 7"]}
    assert _found(sales, "ring", limit=2) == {"Items": ["RING-1", "RING-2"], "Orders": ["Order 7"]}
    groups = run_as(sales, global_search, "chain")
    assert [g.kind for g in groups] == ["Items", "Orders"]
    assert groups[0].hits == [SearchHit("CHAIN-1", "MUM", "/catalog/CHAIN-1")]


def test_a_kind_with_no_hit_is_left_out(shop):
    assert _found(shop.actor("sales"), "bangle") == {"Orders": ["Order 7"]}


def test_a_permission_the_person_lacks_hides_its_kind(shop):
    assert _found(shop.actor("manager"), "ring") == {"Items": ["RING-1", "RING-2", "RING-3"]}  # no orders right


def test_a_module_off_in_the_store_hides_its_kind(shop):
    with unit_of_work() as session:
        disable_module(session, None, "orders", shop.mum)
    assert _found(shop.actor("admin"), "ring") == {"Items": ["RING-1", "RING-2", "RING-3"]}
    assert _found(shop.actor("admin", shop.dl), "ring") == {"Items": ["RING-9"], "Orders": ["Order 7"]}


@pytest.mark.parametrize("typed", ["", "   ", "--", "+ / -", "a", "#", "7", "R-", "x" * (MAX_QUERY + 1)])
def test_text_that_names_nothing_searches_nothing(shop, typed):
    assert run_as(shop.actor("admin"), global_search, typed) == []
    assert ASKED == []  # no searcher was even asked


def test_the_query_is_cleaned_once_for_every_searcher():
    query = read_query("  mum/2627 /  000123 ")
    assert (query.text, query.code, query.record_id) == ("mum/2627 / 000123", "MUM/2627/000123", None)
    assert read_query("#42").record_id == 42 and read_query("42").record_id == 42
    assert read_query("#7").record_id == 7 and read_query("7") is None  # one digit is a number only with its #
    assert read_query("0042").record_id == 42
    assert read_query("00").record_id is None  # no record has id 0
    assert read_query(str(2**31)).record_id is None  # beyond PostgreSQL's INTEGER ids
    assert read_query(str(2**31 - 1)).record_id == 2**31 - 1
    assert read_query("9" * 40).record_id is None


def test_a_searcher_needs_a_defined_permission_and_an_importable_function(registry):
    undefined = replace(CATALOG, searchers=(Searcher("catalog.items", "Items", f"{HERE}:find_items", "catalog.nope"),))
    with pytest.raises(RegistryError, match="searcher 'catalog.items' needs undefined permission 'catalog.nope'"):
        Registry([CORE, undefined])
    unprefixed = replace(CATALOG, searchers=(Searcher("items", "Items", f"{HERE}:find_items", "catalog.item.view"),))
    with pytest.raises(RegistryError, match="searcher 'items' must start with 'catalog.'"):
        Registry([CORE, unprefixed])
    typo = replace(CATALOG, searchers=(Searcher("catalog.items", "Items", f"{HERE}:find_itme", "catalog.item.view"),))
    assert Registry([CORE, typo]).check() == [
        f"module 'catalog': searchers[0].fn '{HERE}:find_itme' cannot be imported: "
        f"module '{HERE}' has no attribute 'find_itme'"
    ]
