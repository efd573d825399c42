"""Invitations go to the audience's customers who consented, on their channels, each once, with their own link."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from jewelerp.db import read_session
from jewelerp.errors import JewelError, PermissionDenied
from jewelerp.notifications.models import OutboxMessage
from jewelerp.testing import run_as
from modules.events.invitations import send_invitations
from modules.events.models import Invitation
from modules.events.services import set_registration_open
from tests.modules.events.conftest import customer, make_event


def _outbox() -> list[tuple[str, str]]:
    with read_session() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.source == "events.invitation"))
        return sorted((m.channel, m.recipient) for m in rows)


def test_only_consenting_customers_of_the_audience_are_invited_and_only_once(world):
    manager = world.actor("manager")
    customer(manager, "Asha Mehta", "vip", consent_email=True)
    customer(manager, "Ravi Shah", "vip", phone="+91 98200 11111", consent_sms=True)
    customer(manager, "Neha Rao", "vip", phone="+91 98200 22222", consent_whatsapp=True, consent_sms=True)
    customer(manager, "Kiran Das", "vip")  # no consent
    customer(manager, "Meera Iyer", "new", consent_email=True)  # not in the audience
    customer(world.actor("manager", world.dl), "Dev Kapoor", "vip", consent_email=True)  # another store
    event = make_event(manager)

    report = run_as(manager, send_invitations, event.id)
    assert (report.invited, report.already) == (3, 0)
    assert _outbox() == [("email", "asha@example.com"), ("sms", "+919820011111"), ("whatsapp", "+919820022222")]

    again = run_as(manager, send_invitations, event.id)
    assert (again.invited, again.already) == (0, 3)
    assert len(_outbox()) == 3  # nobody is invited twice

    customer(manager, "Lata Joshi", "vip", consent_email=True)
    assert run_as(manager, send_invitations, event.id).invited == 1  # a newcomer to the segment is


def test_the_invitation_links_to_the_customers_own_page_address(world):
    manager = world.actor("manager")
    asha = customer(manager, "Asha Mehta", "vip", consent_email=True)
    event = make_event(manager)
    run_as(manager, send_invitations, event.id)
    with read_session() as session:
        (message,) = session.exec(select(OutboxMessage)).all()
        invitation = session.exec(select(Invitation)).one()
    assert invitation.customer_id == asha and len(invitation.token) == 43
    assert message.subject == "Invitation: Polki trunk show"
    link = re.search(r"https?://\S+", message.body).group(0)
    assert link == f"http://localhost:8000/events/e/{event.public_token}?i={invitation.token}"
    assert "Dear Asha Mehta" in message.body and "18:00–20:00" in message.body


def test_no_audience_or_closed_registration_invites_nobody(world):
    manager = world.actor("manager")
    customer(manager, "Asha Mehta", "vip", consent_email=True)
    nobody = make_event(manager, audience=[])
    with pytest.raises(JewelError, match="audience"):
        run_as(manager, send_invitations, nobody.id)
    closed = make_event(manager)
    run_as(manager, set_registration_open, closed.id, False)
    with pytest.raises(JewelError, match="closed"):
        run_as(manager, send_invitations, closed.id)
    assert _outbox() == []


def test_sales_cannot_send_invitations(world):
    event = make_event(world.actor("manager"))
    with pytest.raises(PermissionDenied):
        run_as(world.actor("sales"), send_invitations, event.id)
