"""The dashboard's filters (from the URL), branch scoping, disabled modules and the recent-activity card."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from jewelerp.core.manifest import CORE
from jewelerp.core.module_states import disable_module
from jewelerp.dashboard import DashboardFilters, dashboard_cards, filters_query, parse_filters
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import ValidationError
from jewelerp.registry import DashboardCard, Registry, RegistryError, get_registry
from modules.clienteling.services import CustomerInput, create_customer
from tests.core.sample_modules import CATALOG


def _parse(actor, query: dict[str, str]) -> DashboardFilters:
    with read_session() as session:
        return parse_filters(session, actor, query)


def _errors(actor, query: dict[str, str]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        _parse(actor, query)
    return caught.value.fields


def _cards(actor, query: dict[str, str]) -> dict[str, dict]:
    with read_session() as session:
        filters = parse_filters(session, actor, query)
        return {card["id"]: card for card in dashboard_cards(session, actor, filters)}


def _disable_clienteling(store_id: int) -> None:
    """Switch clienteling off in a branch, first the modules that need it (an installed add-on's among them)."""
    registry = get_registry()
    with unit_of_work() as session:
        for module in [*reversed(registry.dependents("clienteling")), "clienteling"]:
            disable_module(session, None, module, store_id)


def _customer(actor, name: str, phone: str) -> None:
    with unit_of_work(actor) as session:
        create_customer(session, actor, CustomerInput(name, phone))


def test_defaults_are_this_month_and_the_current_branch(world):
    manager = world.actor("manager")
    today = manager.today()
    filters = _parse(manager, {})
    assert (filters.start, filters.end) == (today.replace(day=1), today)
    assert filters.store_ids == (world.mum,)
    assert (filters.category, filters.salesperson) == ("", "")


def test_filters_are_read_and_written_back_as_the_url_query(world):
    manager = world.actor("manager")
    query = {"from": "2026-11-01", "to": "2026-11-30", "branch": "all", "category": " Gold ", "salesperson": "Asha"}
    filters = _parse(manager, query)
    assert (filters.start, filters.end) == (date(2026, 11, 1), date(2026, 11, 30))
    assert filters.store_ids == tuple(sorted((world.mum, world.dl)))
    assert (filters.category, filters.salesperson) == ("gold", "Asha")
    assert filters_query(filters, manager, all_branches=True) == {**query, "category": "gold"}
    one = _parse(manager, {"branch": str(world.dl)})
    assert one.store_ids == (world.dl,)
    assert filters_query(one, manager, all_branches=False)["branch"] == str(world.dl)


def test_an_impossible_range_is_named_and_no_filter_comes_out(world):
    manager = world.actor("manager")
    assert "comes before the first day" in _errors(manager, {"from": "2026-11-30", "to": "2026-11-01"})["date_to"]
    assert "at most 366 days" in _errors(manager, {"from": "2025-01-01", "to": "2026-11-01"})["date_to"]
    bad = _errors(manager, {"from": "2026-02-30", "to": "yesterday"})
    assert set(bad) == {"date_from", "date_to"}


def test_a_branch_the_user_has_no_role_in_is_refused(world):
    sales = world.actor("sales")  # a role in Mumbai only
    assert _errors(sales, {"branch": str(world.dl)}) == {"branch": "Choose one of your branches."}
    assert _errors(sales, {"branch": "DEL"}) == {"branch": "Choose one of your branches."}
    assert _parse(sales, {"branch": "all"}).store_ids == (world.mum,)


def test_cards_count_only_the_chosen_branches(world):
    manager = world.actor("manager")
    _customer(manager, "Asha Mehta", "9820011111")
    _customer(manager, "Ravi Shah", "9820022222")
    _customer(world.actor("manager", world.dl), "Neha Kapoor", "9810033333")
    assert _cards(manager, {})["clienteling.customers"]["value"] == "2"
    assert _cards(manager, {"branch": str(world.dl)})["clienteling.customers"]["value"] == "1"
    assert _cards(manager, {"branch": "all"})["clienteling.customers"]["value"] == "3"
    assert _cards(world.actor("sales"), {"branch": "all"})["clienteling.customers"]["value"] == "2"


def test_a_module_disabled_in_a_branch_shows_nothing_of_that_branch(world):
    manager = world.actor("manager")
    _customer(manager, "Asha Mehta", "9820011111")
    _customer(world.actor("manager", world.dl), "Neha Kapoor", "9810033333")
    _disable_clienteling(world.dl)
    assert _cards(manager, {"branch": "all"})["clienteling.customers"]["value"] == "1"
    assert "clienteling.customers" not in _cards(manager, {"branch": str(world.dl)})


def test_cards_need_their_permission(world):
    designer = _cards(world.actor("designer"), {})
    manager = _cards(world.actor("manager"), {})
    assert "stock.on_hand" in manager
    assert set(designer) <= set(manager)
    assert "core.recent_activity" in designer


def test_recent_activity_lists_only_the_users_own_changes_in_the_period(world):
    manager, sales = world.actor("manager"), world.actor("sales")
    _customer(manager, "Asha Mehta", "9820011111")
    _customer(sales, "Ravi Shah", "9820022222")
    card = _cards(manager, {})["core.recent_activity"]
    labels = [row["label"] for row in card["rows"]]
    assert card["value"] == str(len(labels))
    assert any(label.startswith("Created clienteling customer") for label in labels)
    assert len([label for label in labels if label.startswith("Created clienteling customer")]) == 1
    last_year = {"from": "2025-01-01", "to": "2025-01-31"}
    assert _cards(manager, last_year)["core.recent_activity"]["value"] == "0"
    _disable_clienteling(world.mum)
    after = _cards(world.actor("manager"), {})["core.recent_activity"]["rows"]
    assert not any("clienteling" in row["label"] for row in after)


@pytest.mark.parametrize(
    ("card", "message"),
    [
        (DashboardCard("catalog.sales", "Sales", "x:y", None, ("branch",)), "filters must be among period, category"),
        (DashboardCard("sales", "Sales", "x:y"), "dashboard card 'sales' must start with 'catalog.'"),
    ],
)
def test_a_card_names_only_known_filters_and_its_own_prefix(card, message):
    with pytest.raises(RegistryError, match=message):
        Registry([CORE, replace(CATALOG, dashboard_cards=(card,))])
