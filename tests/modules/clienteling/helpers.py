"""Small helpers shared by the clienteling service tests."""

from __future__ import annotations

from jewelerp.db import unit_of_work
from modules.clienteling.services import CustomerInput, create_customer


def add_customer(actor, **fields):
    """Create a customer as ``actor`` in its own transaction."""
    with unit_of_work(actor) as session:
        return create_customer(session, actor, CustomerInput(**fields))


def run(actor, work):
    """Run ``work(session, actor)`` in a committed unit of work."""
    with unit_of_work(actor) as session:
        return work(session, actor)
