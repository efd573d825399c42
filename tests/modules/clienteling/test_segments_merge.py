"""Segments fed by purchase events, thresholds per store, reversals; merging duplicates; filters; 360 sections."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from jewelerp.core.models import AuditLog
from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import JewelError, PermissionDenied
from jewelerp.events import emit
from jewelerp.ui.table_query import TableQuery
from modules.clienteling.extension import contributed_sections
from modules.clienteling.followups import InteractionInput, log_interaction
from modules.clienteling.merge import merge_customers
from modules.clienteling.models import Customer, Interaction, Purchase
from modules.clienteling.segments import refresh_store
from modules.clienteling.services import customer_profile
from modules.clienteling.tables import CUSTOMERS
from tests.modules.clienteling.helpers import add_customer, run


@pytest.fixture(autouse=True)
def clienteling_alone(world):
    """These tests feed clienteling made-up invoice events: loyalty, which reads the real invoice, is off."""
    from jewelerp.core.module_states import disable_module
    from jewelerp.registry import get_registry

    admin = world.actor("admin")
    for store in (world.mum, world.dl):
        for name in [*reversed(get_registry().dependents("loyalty")), "loyalty"]:  # what needs loyalty goes first
            run(admin, lambda s, a, store=store, name=name: disable_module(s, a, name, store))


def _issue(actor, customer_id, number, amount, days_ago=1):
    payload = {
        "customer_id": customer_id,
        "number": number,
        "amount": str(amount),
        "issued_at": (utcnow() - timedelta(days=days_ago)).isoformat(),
    }
    run(actor, lambda s, a: emit(s, a, "billing.invoice", "issued", payload))


def _segment(customer_id):
    with read_session() as session:
        return session.get(Customer, customer_id).segment


def test_billing_events_move_customers_between_segments(world):
    manager = world.actor("manager")
    customer = add_customer(manager, name="Varun Bansal", phone="9820030001")
    assert _segment(customer.id) == "new"
    _issue(manager, customer.id, "MUM/2026-27/000001", Decimal("80000"))
    _issue(manager, customer.id, "MUM/2026-27/000001", Decimal("80000"))  # the same invoice twice counts once
    assert _segment(customer.id) == "new"
    _issue(manager, customer.id, "MUM/2026-27/000002", Decimal("120000"))
    assert _segment(customer.id) == "regular"
    _issue(manager, customer.id, "MUM/2026-27/000003", Decimal("350000.50"))
    with read_session() as session:
        stored = session.get(Customer, customer.id)
    assert (stored.segment, stored.purchases_12m, stored.spend_12m) == ("vip", 3, Decimal("550000.50"))
    run(manager, lambda s, a: emit(s, a, "billing.invoice", "cancelled", {"number": "MUM/2026-27/000003"}))
    assert _segment(customer.id) == "regular"


def test_thresholds_are_per_store_and_old_purchases_age_out(world):
    manager = world.actor("manager")
    customer = add_customer(manager, name="Tanvi Desai", phone="9820030002")
    run(manager, lambda s, a: set_setting(s, a, a.store_id, "clienteling.vip_min_spend", "100000"))
    _issue(manager, customer.id, "OLD-1", Decimal("150000"), days_ago=400)
    assert _segment(customer.id) == "new"
    _issue(manager, customer.id, "NEW-1", Decimal("150000"), days_ago=360)
    assert _segment(customer.id) == "vip"
    with read_session() as session:
        session.get(Customer, customer.id)
    assert run(manager, refresh_store) == 0  # nothing aged out yet


def test_merge_keeps_all_history_fills_gaps_and_is_audited(world):
    manager = world.actor("manager")
    keep = add_customer(manager, name="Lakshmi Pillai", phone="9820030003")
    other = add_customer(
        manager, name="Lakshmi P", email="lakshmi@example.in", tags="bridal", date_of_birth="1979-08-08"
    )
    run(manager, lambda s, a: log_interaction(s, a, other.id, InteractionInput("call", summary="Asked for polki")))
    _issue(manager, other.id, "INV-9", Decimal("90000"))
    with pytest.raises(PermissionDenied):
        run(world.actor("sales"), lambda s, a: merge_customers(s, a, keep.id, other.id))
    with pytest.raises(JewelError, match="two different customers"):
        run(manager, lambda s, a: merge_customers(s, a, keep.id, keep.id))
    run(manager, lambda s, a: merge_customers(s, a, keep.id, other.id))
    with read_session() as session:
        kept, retired = session.get(Customer, keep.id), session.get(Customer, other.id)
        moved = session.exec(select(Interaction).where(Interaction.customer_id == keep.id)).all()
        audit = session.exec(
            select(AuditLog).where(AuditLog.record_type == "clienteling_interaction", AuditLog.action == "update")
        ).all()
    assert (kept.email, kept.tags, str(kept.date_of_birth)) == ("lakshmi@example.in", "bridal", "1979-08-08")
    assert kept.purchases_12m == 1 and retired.merged_into_id == keep.id
    assert len(moved) == 1 and json.loads(audit[0].changes)["customer_id"] == [other.id, keep.id]
    # the retired profile leads to the kept one and no longer appears in lists
    assert run(manager, lambda s, a: customer_profile(s, a, other.id))["id"] == str(keep.id)
    with read_session() as session:
        names = [r["name"] for r in CUSTOMERS.fetch(session, manager, TableQuery(limit=None))[0]]
    assert names == ["Lakshmi Pillai"]


def test_list_filters_for_segment_metal_budget_months_and_salesperson(world):
    manager = world.actor("manager")
    a = add_customer(
        manager,
        name="Aditi Sharma",
        phone="9820030011",
        pref_metals="platinum, gold",
        price_min="200000",
        price_max="400000",
        date_of_birth="1991-03-05",
    )
    b = add_customer(
        manager,
        name="Bina Sharma",
        phone="9820030012",
        pref_metals="white gold",
        price_max="40000",
        anniversary="2010-03-09",
    )
    _issue(manager, a.id, "X-1", Decimal("600000"))
    from modules.clienteling.followups import assign_customer

    run(manager, lambda s, act: assign_customer(s, act, b.id, world.users["sales"]))

    def names(**filters):
        with read_session() as session:
            rows = CUSTOMERS.fetch(session, manager, TableQuery(filters=filters, limit=None))[0]
        return sorted(r["name"] for r in rows)

    assert names(segment="vip") == ["Aditi Sharma"]
    assert names(metal="gold") == ["Aditi Sharma"]  # "white gold" is another metal
    assert names(metal="white gold") == ["Bina Sharma"]
    assert names(budget="2l-5l") == ["Aditi Sharma"] and names(budget="u50k") == ["Bina Sharma"]
    assert names(birth_month="3") == ["Aditi Sharma"] and names(anniversary_month="3") == ["Bina Sharma"]
    assert names(salesperson=str(world.users["sales"])) == ["Bina Sharma"] and names(salesperson="none") == [
        "Aditi Sharma"
    ]


def test_customer_360_shows_sections_of_enabled_modules_only(world):
    manager = world.actor("manager")
    customer = add_customer(manager, name="Farhan Khan", phone="9820030021")
    _issue(manager, customer.id, "MUM/2026-27/000050", Decimal("45000"))
    with read_session() as session:
        sections = contributed_sections(session, manager, customer.id)
    assert sections[0]["title"] == "Purchases reported"
    assert sections[0]["rows"][0][1:] == ["MUM/2026-27/000050", "₹45,000", "counted"]


def test_purchases_reported_show_the_invoice_date_not_when_the_event_was_processed(world):
    manager = world.actor("manager")
    customer = add_customer(manager, name="Ishaan Kapoor", phone="9820030022")
    sale = {"customer_id": customer.id, "amount": "52000", "issued_at": "2026-11-30T20:00:00+00:00"}
    # billing's event names the invoice's date; it was processed (issued_at) the evening after, in UTC
    dated = sale | {"number": "MUM/2627/000061", "invoice_date": "2026-11-28"}
    run(manager, lambda s, a: emit(s, a, "billing.invoice", "issued", dated))
    # an event queued before billing sent the date: dated by issued_at in Mumbai, 20:00 UTC = 01:30 IST next day
    undated = sale | {"number": "MUM/2627/000060"}
    run(manager, lambda s, a: emit(s, a, "billing.invoice", "issued", undated))
    with unit_of_work() as session:  # reported before clienteling_0004 kept the date: no sold_on
        at = datetime(2026, 3, 31, 19, 0, tzinfo=UTC)  # 00:30 IST on 1 April
        session.add(Purchase(customer_id=customer.id, store_id=world.mum, ref="OLD-9", amount=Decimal(9000), at=at))
    with read_session() as session:
        purchases = contributed_sections(session, manager, customer.id)[0]
    assert purchases["title"] == "Purchases reported"
    assert [row[:2] for row in purchases["rows"]] == [
        ["01 Dec 2026", "MUM/2627/000060"],
        ["28 Nov 2026", "MUM/2627/000061"],
        ["01 Apr 2026", "OLD-9"],
    ]


def test_a_section_links_only_to_pages_of_the_app(world, monkeypatch):
    def section(_session, _actor, _customer_id):
        links = [("Open", "/loyalty/members/7"), ("Away", "https://example.com/x"), ("Host", "//example.com/x")]
        return {"title": "Extra", "columns": [("a", "A")], "rows": [{"a": "1"}], "links": links}

    class Registry:
        def contributions(self, _point, _actor):
            return [section]

    monkeypatch.setattr("modules.clienteling.extension.get_registry", Registry)
    with read_session() as session:
        [shown] = contributed_sections(session, world.actor("manager"), 1)
    assert shown["links"] == [{"label": "Open", "href": "/loyalty/members/7"}]
