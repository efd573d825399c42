"""Notifications: the bell counts a new notice, the page lists it, reading it clears the count; the outbox."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import update
from sqlmodel import select

from jewelerp.core.models import Store, User
from jewelerp.db import unit_of_work, utcnow
from jewelerp.notifications import notify_staff, queue_message
from jewelerp.notifications.models import Notification


def _ids(email: str) -> tuple[int, int]:
    with unit_of_work() as session:
        store = session.exec(select(Store.id).where(Store.code == "MUM")).one()
        return store, session.exec(select(User.id).where(User.email == email)).one()


def test_a_new_notification_is_counted_listed_and_read(login_as, base_url):
    store, sales = _ids("sales@demo.jewelerp.in")
    with unit_of_work() as session:  # demo data (e.g. workshop reminders) may have left notices: start from none
        session.execute(update(Notification).where(Notification.user_id == sales).values(read_at=utcnow()))
        notify_staff(
            session, store, user_ids=[sales], title="Ring R-12 is ready", body="Polished and resized.", link="/"
        )
    page = login_as("sales")
    bell = page.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(bell).to_have_accessible_name("Notifications: 1 unread")
    bell.click()
    page.wait_for_url(re.compile(r"/notifications/?$"))
    expect(page.get_by_text("Ring R-12 is ready")).to_be_visible()
    expect(page.get_by_text("Polished and resized.")).to_be_visible()
    page.get_by_role("button", name="Mark read: Ring R-12 is ready").click()
    expect(bell).to_have_accessible_name("Notifications")
    expect(page.get_by_text("All read.")).to_be_visible()
    expect(page.get_by_role("button", name="Mark read: Ring R-12 is ready")).to_have_count(0)


def test_the_bell_counts_a_notice_the_moment_it_is_made_without_a_reload(login_as, base_url):
    store, sales = _ids("sales@demo.jewelerp.in")
    with unit_of_work() as session:
        session.execute(update(Notification).where(Notification.user_id == sales).values(read_at=utcnow()))
    page = login_as("sales")
    bell = page.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(bell).to_have_accessible_name("Notifications")
    with unit_of_work() as session:  # as a job or another person's action would, while the page stays open
        notify_staff(session, store, user_ids=[sales], title="Bangle B-7 is back from the karigar", link="/")
    expect(bell).to_have_accessible_name("Notifications: 1 unread", timeout=5_000)


def test_manager_sees_a_waiting_message_and_retries_it(login_as, base_url):
    store, _manager = _ids("manager@demo.jewelerp.in")
    with unit_of_work() as session:
        message = queue_message(
            session, store, "email", "asha.verma@example.com", "Your ring is ready", "Dear Asha, ...", "repairs.ready"
        )
    page = login_as("manager")
    page.goto(f"{base_url}/admin/outbox")
    expect(page.get_by_role("cell", name="asha.verma@example.com")).to_be_visible()
    page.get_by_role("button", name=f"Retry message {message.id}").click()
    expect(page.get_by_role("alert")).to_contain_text("Not sent: SMTP is not set up for this store.")
    expect(page.get_by_role("cell", name="SMTP is not set up for this store.")).to_be_visible()
