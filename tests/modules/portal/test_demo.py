"""The demo's portal customers: two confirmed accounts of customers with purchases, a job with a shared photo and a
gold scheme, whose logins the demo prints; loading again adds nothing and prints the same."""

from __future__ import annotations

import pytest
from sqlmodel import select

from jewelerp.auth.service import system_actor
from jewelerp.db import read_session, unit_of_work
from modules.billing import demo as billing_demo
from modules.clienteling.demo import load as load_customers
from modules.loyalty import demo as loyalty_demo
from modules.portal import cases, demo, records
from modules.portal.access import signed_in_customer
from modules.portal.models import PortalAccount
from modules.repairs import demo as repairs_demo
from modules.stock import demo as stock_demo


def _load(store_id: int, loader):
    with unit_of_work() as session:
        actor = system_actor(session, store_id)
        session.info["actor"] = actor
        return loader(session, actor)


@pytest.mark.sqlite_only  # the whole demo
def test_two_demo_customers_see_their_purchases_repairs_and_schemes(world, install_data, tmp_path):
    workshop = lambda s, a: repairs_demo.load(s, a, tmp_path)  # noqa: E731 - its design files go to tmp_path
    for loader in (load_customers, stock_demo.load, billing_demo.load, workshop, loyalty_demo.load):
        _load(world.mum, loader)
    portal = lambda s, a: demo.load(s, a, tmp_path)  # noqa: E731 - a repair's photo goes to tmp_path
    logins = _load(world.mum, portal)
    assert len(logins) == 2 and all(who == "customer MUM" and how == demo.HOW_TO_SIGN_IN for who, _e, how in logins)
    assert _load(world.mum, portal) == logins
    with read_session() as session:
        accounts = session.exec(select(PortalAccount)).all()
        assert sorted(a.email for a in accounts) == sorted(email for _w, email, _h in logins)
        for account in accounts:
            customer = signed_in_customer(session, account.id)
            assert records.invoices(session, customer) and records.jobs(session, customer)
            assert records.schemes(session, customer)
            assert records.job_photos(session, customer)  # the store shared a photo on one of their jobs
        first = signed_in_customer(session, min(a.id for a in accounts))
        assert "Widen my gold bangle" in [row["subject"] for row in cases.case_rows(session, first)]
