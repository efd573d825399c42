"""Helpers for the events tests: an event of MUM a few days ahead, customers in segments with consent, and the
public routes behind a test client."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from jewelerp.db import unit_of_work
from jewelerp.testing import run_as
from modules.clienteling.models import Customer
from modules.clienteling.services import CustomerInput, create_customer
from modules.events.public import routes
from modules.events.services import EventInput, create_event


def local_at(actor, days: int, hour: int, minute: int = 0) -> str:
    """The store-local date and time ``days`` ahead at hh:mm, as the form's datetime-local input sends it."""
    return f"{actor.today() + timedelta(days=days)}T{hour:02d}:{minute:02d}"


def event_input(actor, **fields) -> EventInput:
    """A trunk show 5 days ahead, 18:00–20:00 store time, 2 places, inviting VIPs (fields override)."""
    values = {
        "kind": "trunk_show",
        "title": "Polki trunk show",
        "description": "Uncut diamond jewellery from Bikaner.",
        "starts": local_at(actor, 5, 18),
        "ends": local_at(actor, 5, 20),
        "place": "Zaveri Bazaar showroom, first floor",
        "capacity": "2",
        "audience": ["vip"],
    } | fields
    return EventInput(**values)


def make_event(actor, **fields):
    """Create the event through the service; returns it."""
    return run_as(actor, lambda s, a: create_event(s, a, event_input(a, **fields)))


def customer(actor, name: str, segment: str = "vip", email: str = "", **fields) -> int:
    """A customer of the actor's store in ``segment``; consents come from ``fields``."""
    values = {"email": email or f"{name.split()[0].lower()}@example.com"} | fields
    data = CustomerInput(name=name, **values)
    customer_id = run_as(actor, lambda s, a: create_customer(s, a, data, allow_duplicate=True)).id
    with unit_of_work() as session:
        row = session.get(Customer, customer_id)
        row.segment = segment
        session.add(row)
    return customer_id


@pytest.fixture
def client() -> TestClient:
    """The public routes (the event page and the cancel link) as a browser reaches them."""
    return TestClient(Starlette(routes=routes()))
