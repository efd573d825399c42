"""Demo portal customers: two of the store's demo customers with an e-mail, purchases and a gold scheme get a
confirmed portal account (the customers with that e-mail linked), and a repair at the counter with its intake photo
when they have none (through repairs' api, as the counter would take it), a photo the store shared on their newest
job, and the first of them a case opened from the portal (through clienteling's api). Nothing is added twice.

Their logins are returned for ``jewelerp demo`` to print: the e-mail address, and where the sign-in code can be
read in the demo (the outbox page, as the demo stores have no mail server).
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from jewelerp.ui.table_query import TableQuery
from modules.billing.api import customer_invoices
from modules.clienteling.api import CUSTOMERS, customer_cases, customers_with_contact, get_customer, open_customer_case
from modules.loyalty.api import customer_schemes
from modules.portal.models import PortalAccount, PortalLink
from modules.repairs.api import (
    JobInput,
    create_job,
    customer_jobs,
    customer_shared_photos,
    job_photos,
    share_photo,
)

ACCOUNTS = 2
HOW_TO_SIGN_IN = "code: /admin/outbox"
CASE_SUBJECT = "Widen my gold bangle"


def _candidates(session: Session, actor: Actor) -> list[tuple[int, str, str]]:
    """(customer id, name, e-mail) of customers with an e-mail, invoices and a gold scheme, oldest first."""
    found = []
    for row in CUSTOMERS.iter_rows(session, actor, TableQuery(sort="since", limit=None)):
        customer = get_customer(session, actor, int(row["id"]))
        ids = (customer.id or 0,)
        if not customer.email or customer.store_id != actor.store_id:
            continue
        if customer_invoices(session, actor, ids) and customer_schemes(session, actor, ids):
            found.append((customer.id or 0, customer.name, customer.email))
        if len(found) == ACCOUNTS:
            break
    return found


def _chain_photo() -> tuple[str, bytes]:
    """The intake photo of the chain: a row of gold links on a cream cloth, the clasp open at the end."""
    picture = Image.new("RGB", (480, 360), (246, 241, 230))
    draw = ImageDraw.Draw(picture)
    for link in range(8):
        left = 30 + link * 48
        draw.ellipse((left, 150 + link % 2 * 6, left + 64, 196 + link % 2 * 6), outline=(184, 134, 11), width=7)
    draw.arc((420, 140, 460, 200), 40, 320, fill=(150, 110, 20), width=6)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return "chain.png", out.getvalue()


def _take_repair(session: Session, actor: Actor, customer_id: int, upload_dir: Path | None) -> None:
    """A chain brought in to mend, promised in five days, as the counter takes it (with its intake photo)."""
    promised = (actor.today() + timedelta(days=5)).isoformat()
    job = JobInput(
        customer_id=str(customer_id),
        item_description="22K gold chain, 18 inches",
        requested_work="Repair the broken clasp and polish",
        promised_on=promised,
        estimate="1200",
        weight_in="12.400",
        terms_accepted=True,
    )
    create_job(session, actor, job, [_chain_photo()], upload_dir=upload_dir)


def _share_a_photo(session: Session, actor: Actor, customer_ids: tuple[int, ...]) -> None:
    """The store shares the first photo of the customer's newest job that has one, unless it shares one already."""
    if customer_shared_photos(session, actor, customer_ids):
        return
    for job in customer_jobs(session, actor, customer_ids):
        photos = job_photos(session, actor, job.id or 0)
        if photos:
            share_photo(session, actor, photos[0].id or 0, True)
            return


def _open_case(session: Session, customer_id: int) -> None:
    """A question about a bangle, as the customer would ask it on the portal's cases page (once)."""
    if all(case.subject != CASE_SUBJECT for case in customer_cases(session, customer_id)):
        text = "My gold bangle feels tight since the summer. Can it be widened, and how long would it take?"
        open_customer_case(session, customer_id, "request", CASE_SUBJECT, text)


def load(session: Session, actor: Actor, upload_dir: Path | None = None) -> list[tuple[str, str, str]]:
    """Make the demo accounts once; returns their logins as (who, e-mail, how to get the code). ``upload_dir`` is
    where a repair's photo is kept: the private files folder unless a test says otherwise."""
    accounts = session.exec(select(PortalAccount).where(PortalAccount.store_id == actor.store_id)).all()
    if not accounts:
        now = utcnow()
        for customer_id, name, email in _candidates(session, actor):
            if not customer_jobs(session, actor, (customer_id,)):
                _take_repair(session, actor, customer_id, upload_dir)
            account = PortalAccount(store_id=actor.store_id, name=name, email=email, email_confirmed_at=now)
            session.add(account)
            session.flush()
            for linked in customers_with_contact(session, actor, email=email):
                session.add(PortalLink(account_id=account.id or 0, customer_id=linked, via="email"))
            if not accounts:  # the first customer asked the store something on the portal
                _open_case(session, customer_id)
            accounts.append(account)
        session.flush()
    for account in accounts[:ACCOUNTS]:
        linked = session.exec(select(PortalLink.customer_id).where(PortalLink.account_id == account.id)).all()
        _share_a_photo(session, actor, tuple(linked))
    return [(f"customer {actor.store_code}", a.email, HOW_TO_SIGN_IN) for a in accounts[:ACCOUNTS]]
