"""Communication history, follow-ups, assignment and the occasion job."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jewelerp.db import read_session, utcnow
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from jewelerp.ui.table_query import TableQuery
from modules.clienteling.family import RelativeInput, add_occasion, add_relative
from modules.clienteling.followups import (
    FOLLOW_UPS,
    InteractionInput,
    assign_customer,
    assign_follow_up,
    complete_follow_up,
    log_interaction,
    timeline,
)
from modules.clienteling.jobs import occasion_follow_ups
from tests.modules.clienteling.helpers import add_customer, run


def _mine(actor, **filters):
    with read_session() as session:
        return FOLLOW_UPS.fetch(session, actor, TableQuery(filters=filters, limit=None))[0]


def test_a_visit_with_a_follow_up_lands_on_the_salespersons_list(world):
    sales, manager = world.actor("sales"), world.actor("manager")
    customer = add_customer(sales, name="Pooja Rao", phone="9820020001")
    run(manager, lambda s, a: assign_customer(s, a, customer.id, world.users["sales"]))
    due = (date.today() + timedelta(days=3)).isoformat()
    run(
        manager,
        lambda s, a: log_interaction(
            s,
            a,
            customer.id,
            InteractionInput("visit", "interested", "Liked the polki choker", due, "Show the matching earrings"),
        ),
    )
    rows = _mine(sales)
    assert [(r["customer"], r["reason"], r["status"]) for r in rows] == [
        ("Pooja Rao", "Show the matching earrings", "open")
    ]
    assert _mine(manager) == []  # the manager logged it, but it is the salesperson's customer
    with read_session() as session:
        history = timeline(session, sales, customer.id)
    assert history[0]["channel"] == "visit" and history[0]["who"] == "Manager"


def test_bad_interactions_are_refused(world):
    sales = world.actor("sales")
    customer = add_customer(sales, name="Ishaan Jain", phone="9820020002")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError) as err:
        run(
            sales,
            lambda s, a: log_interaction(s, a, customer.id, InteractionInput("pigeon", "thrilled", "", yesterday)),
        )
    assert set(err.value.fields) == {"channel", "outcome", "follow_up_on"}
    with pytest.raises(PermissionDenied):
        run(world.actor("designer"), lambda s, a: log_interaction(s, a, customer.id, InteractionInput("call")))


def test_managers_reassign_and_owners_complete(world):
    sales, manager = world.actor("sales"), world.actor("manager")
    customer = add_customer(sales, name="Divya Reddy", phone="9820020003")
    due = (date.today() + timedelta(days=1)).isoformat()
    log = run(sales, lambda s, a: log_interaction(s, a, customer.id, InteractionInput("call", follow_up_on=due)))
    with pytest.raises(PermissionDenied):
        run(sales, lambda s, a: assign_follow_up(s, a, log.follow_up_id, world.users["manager"]))
    with pytest.raises(JewelError, match="active member of staff of this store"):
        run(manager, lambda s, a: assign_follow_up(s, a, log.follow_up_id, 9999))
    run(manager, lambda s, a: assign_follow_up(s, a, log.follow_up_id, world.users["manager"]))
    with pytest.raises(JewelError, match="belongs to someone else"):
        run(sales, lambda s, a: complete_follow_up(s, a, log.follow_up_id, "done"))
    run(manager, lambda s, a: complete_follow_up(s, a, log.follow_up_id, "Booked a visit"))
    assert _mine(manager) == [] and _mine(manager, state="done")[0]["status"] == "done"


def test_occasion_job_creates_follow_ups_only_for_consenting_customers_once(world):
    sales = world.actor("sales")
    soon = sales.local(utcnow()).date() + timedelta(days=7)  # the store's today plus the default lead time
    born = soon.replace(year=1990).isoformat()
    yes = add_customer(sales, name="Sneha Kapoor", phone="9820020004", date_of_birth=born, consent_sms=True)
    add_customer(sales, name="No Consent", phone="9820020005", date_of_birth=born)
    run(sales, lambda s, a: add_relative(s, a, yes.id, RelativeInput("Rahul Kapoor", "spouse", born)))
    run(sales, lambda s, a: add_occasion(s, a, yes.id, "Store anniversary visit", soon.isoformat()))
    created = run(sales, occasion_follow_ups)
    assert created == 3
    assert run(sales, occasion_follow_ups) == 0  # a second run adds nothing
    reasons = sorted(r["reason"] for r in _mine(world.actor("manager"), whose="all"))
    assert reasons == [
        f"Rahul Kapoor's birthday (spouse of Sneha Kapoor) on {soon:%d %b}",
        f"Sneha Kapoor's birthday on {soon:%d %b}",
        f"Store anniversary visit (Sneha Kapoor) on {soon:%d %b}",
    ]
    assert utcnow()  # the job stamps nothing else
