"""The header search finds customers by name, by a phone typed in any format and by customer number, in
the store being worked in, with contact details masked as the customer list masks them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from jewelerp.core.module_states import disable_module
from jewelerp.db import unit_of_work
from jewelerp.errors import PermissionDenied
from jewelerp.registry import get_registry
from jewelerp.search import global_search, read_query
from jewelerp.testing import run_as
from modules.clienteling.searchers import find_customers
from tests.modules.clienteling.helpers import add_customer


@pytest.fixture
def priya(world):
    return add_customer(world.actor("sales"), name="Priya Shah", phone="+91 98200 12345")


def _customers(actor, typed: str) -> list[tuple[str, str, str]]:
    groups = {g.kind: g.hits for g in run_as(actor, global_search, typed)}
    return [(h.title, h.detail, h.link) for h in groups.get("Customers", [])]


@pytest.mark.parametrize("typed", ["+91 98200 12345", "98200-12345", "09820012345", "(982) 001-2345", "9820012345"])
def test_a_phone_in_any_format_finds_the_customer_and_opens_the_profile(world, priya, typed):
    assert _customers(world.actor("manager"), typed) == [
        ("Priya Shah", f"#{priya.id} · +91 98200 12345", f"/clienteling/customers/{priya.id}")
    ]


def test_without_the_contact_right_only_the_whole_number_matches_and_it_shows_masked(world, priya):
    sales = world.actor("sales")
    assert _customers(sales, "98200 12345") == [
        ("Priya Shah", f"#{priya.id} · +91 •••••• 2345", f"/clienteling/customers/{priya.id}")
    ]
    assert _customers(sales, "2001234") == []  # a part of the number would read the masked digits back
    assert _customers(world.actor("manager"), "2001234")[0][0] == "Priya Shah"  # the manager may see them


def test_a_name_part_in_any_case_and_the_customer_number_find_the_customer(world, priya):
    add_customer(world.actor("sales"), name="Priyanka Rao", phone="+91 98200 55555")
    manager = world.actor("manager")
    assert [name for name, _detail, _link in _customers(manager, "PRIYA")] == ["Priya Shah", "Priyanka Rao"]
    assert [name for name, _detail, _link in _customers(manager, "shah")] == ["Priya Shah"]
    assert [name for name, _detail, _link in _customers(manager, f"#{priya.id}")] == ["Priya Shah"]
    assert _customers(manager, "#999999") == []


def test_only_the_current_stores_customers_are_found(world, priya):
    delhi = world.actor("manager", world.dl)
    rao = add_customer(delhi, name="Kavya Rao", phone="+91 98111 22222")
    assert _customers(world.actor("manager"), "Kavya") == []
    assert _customers(world.actor("manager"), f"#{rao.id}") == []  # not by number either
    assert [name for name, _d, _l in _customers(delhi, "Kavya")] == ["Kavya Rao"]
    assert _customers(delhi, "98200 12345") == []  # Priya is a Mumbai customer


def test_a_document_number_does_not_match_a_phone_that_contains_its_digits(world):
    add_customer(world.actor("sales"), name="Meera Iyer", phone="+91 98010 00123")
    manager = world.actor("manager")
    assert _customers(manager, "MUM-000123") == []
    assert [name for name, _d, _l in _customers(manager, "000123")] == ["Meera Iyer"]


def test_customers_need_the_view_right_and_the_module(world, priya):
    with pytest.raises(PermissionDenied):
        run_as(replace(world.actor("manager"), permissions=frozenset()), find_customers, read_query("Priya"))
    with unit_of_work() as session:
        for name in [*reversed(get_registry().dependents("clienteling")), "clienteling"]:  # what needs it goes first
            disable_module(session, None, name, world.mum)
    assert _customers(world.actor("manager"), "Priya") == []
