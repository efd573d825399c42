"""Registration, the confirmation link, linking only on a confirmed address, and one-time sign-in codes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import AuthError, JewelError, ValidationError
from modules.clienteling.models import Customer
from modules.portal import identity
from modules.portal.access import linked_customers
from modules.portal.identity import Registration
from modules.portal.models import PortalAccount, PortalCode, PortalEmailLink
from modules.portal.sessions import account_of, begin_session
from tests.modules.portal.helpers import (
    IP,
    ORIGIN,
    customer,
    last_message,
    mailed_code,
    portal_refusals,
    register,
    sign_in,
)


def _account(email: str) -> PortalAccount:
    with read_session() as session:
        return session.exec(select(PortalAccount).where(PortalAccount.email == email)).one()


def _age(model, *, minutes: int) -> None:
    """Make every row of ``model`` look ``minutes`` older (created and expiring)."""
    with unit_of_work() as session:
        for row in session.exec(select(model)):
            row.created_at -= timedelta(minutes=minutes)
            row.expires_at -= timedelta(minutes=minutes)
            session.add(row)


def test_bad_registrations_name_each_field_and_store_nothing(world):
    with pytest.raises(ValidationError) as refused:
        identity.register(Registration(world.mum, " ", "not-an-address", "12"), ORIGIN, IP)
    assert set(refused.value.fields) == {"name", "email", "phone"}
    with pytest.raises(ValidationError) as refused:
        identity.register(Registration(999, "Asha Rao", "asha@example.com"), ORIGIN, IP)
    assert set(refused.value.fields) == {"store"}
    with read_session() as session:
        assert session.exec(select(PortalAccount)).all() == []


def test_confirmation_links_the_customers_with_the_confirmed_address_only(world):
    manager = world.actor("manager")
    asha = customer(manager, "Asha Rao", email="asha@example.com")
    customer(manager, "Not Asha", phone="+919820011111")  # the phone typed at registration links nothing
    customer(world.actor("manager", world.dl), "Asha in Delhi", email="asha@example.com")
    token = register(world.mum, "Asha R", "Asha@Example.com", "98200 11111", consent_email=True)
    account = _account("asha@example.com")
    assert account.email_confirmed_at is None and linked_customers_of(account.id) == ()
    assert identity.confirm(token, IP)
    assert linked_customers_of(account.id) == (asha,)
    with read_session() as session:
        assert session.get(Customer, asha).consent_email is True


def linked_customers_of(account_id: int) -> tuple[int, ...]:
    with read_session() as session:
        return linked_customers(session, account_id)


def test_a_new_customer_is_made_when_none_has_the_address(world):
    identity.confirm(register(world.mum, "Ravi Menon", "ravi@example.com"), IP)
    (made,) = linked_customers_of(_account("ravi@example.com").id)
    with read_session() as session:
        row = session.get(Customer, made)
    assert (row.store_id, row.name, row.email) == (world.mum, "Ravi Menon", "ravi@example.com")


def test_a_link_works_once_and_not_after_it_expires_or_a_newer_one(world):
    first = register(world.mum, "Asha Rao", "asha@example.com")
    second = register(world.mum, "Asha Rao", "asha@example.com")
    with pytest.raises(AuthError):
        identity.confirm(first, IP)  # replaced by the newer link
    identity.confirm(second, IP)
    with pytest.raises(AuthError):
        identity.confirm(second, IP)
    third = register(world.mum, "Kabir Shah", "kabir@example.com")
    _age(PortalEmailLink, minutes=31)
    with pytest.raises(AuthError):
        identity.confirm(third, IP)
    assert _account("kabir@example.com").email_confirmed_at is None
    assert len(portal_refusals()) == 3


def test_registering_a_confirmed_address_again_changes_nothing_and_says_the_same(world):
    identity.confirm(register(world.mum, "Asha Rao", "asha@example.com"), IP)
    before = last_message("asha@example.com").id
    said = identity.register(Registration(world.mum, "Mallory", "asha@example.com", consent_sms=True), ORIGIN, IP)
    assert said == identity.LINK_SENT.format(email="asha@example.com")
    assert _account("asha@example.com").name == "Asha Rao"
    assert last_message("asha@example.com").id == before


def test_registrations_are_limited_per_account_and_per_client(world):
    for _ in range(identity.LINKS_PER_ACCOUNT):
        register(world.mum, "Asha Rao", "asha@example.com")
    with pytest.raises(JewelError, match="Too many"):
        identity.register(Registration(world.mum, "Asha Rao", "asha@example.com"), ORIGIN, "203.0.113.5")
    for n in range(identity.PER_CLIENT - identity.LINKS_PER_ACCOUNT):
        identity.register(Registration(world.mum, "Someone", f"someone{n}@example.com"), ORIGIN, IP)
    with pytest.raises(JewelError, match="Too many"):
        identity.register(Registration(world.mum, "Kabir Shah", "kabir@example.com"), ORIGIN, IP)
    assert "too many registrations from this address" in portal_refusals()[-1]
    with read_session() as session:
        assert session.exec(select(PortalAccount).where(PortalAccount.email == "kabir@example.com")).first() is None


def test_a_code_signs_in_once_and_a_wrong_code_does_not(world):
    identity.confirm(register(world.mum, "Asha Rao", "asha@example.com"), IP)
    identity.request_code(world.mum, "email", "asha@example.com", IP)
    code = mailed_code("asha@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(AuthError):
        identity.sign_in(world.mum, "email", "asha@example.com", wrong, IP)
    assert identity.sign_in(world.mum, "email", "asha@example.com", code, IP)
    with pytest.raises(AuthError):
        identity.sign_in(world.mum, "email", "asha@example.com", code, IP)  # used up
    with read_session() as session:
        stored = session.exec(select(PortalCode)).one()
    assert code not in stored.code_hash


def test_a_code_expires_after_ten_minutes(world):
    identity.confirm(register(world.mum, "Asha Rao", "asha@example.com"), IP)
    identity.request_code(world.mum, "email", "asha@example.com", IP)
    _age(PortalCode, minutes=11)
    with pytest.raises(AuthError):
        identity.sign_in(world.mum, "email", "asha@example.com", mailed_code("asha@example.com"), IP)


def test_five_wrong_tries_spend_the_code(world):
    identity.confirm(register(world.mum, "Asha Rao", "asha@example.com"), IP)
    identity.request_code(world.mum, "email", "asha@example.com", IP)
    code = mailed_code("asha@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(AuthError):
            identity.sign_in(world.mum, "email", "asha@example.com", wrong, IP)
    with pytest.raises(AuthError):
        identity.sign_in(world.mum, "email", "asha@example.com", code, IP)


def test_an_unknown_or_unconfirmed_address_gets_the_same_answer_and_no_code(world):
    register(world.mum, "Asha Rao", "asha@example.com")  # not confirmed
    before = last_message("asha@example.com").id
    known = identity.request_code(world.mum, "email", "asha@example.com", IP)
    unknown = identity.request_code(world.mum, "email", "nobody@example.com", IP)
    assert known == unknown == identity.SENT
    assert last_message("asha@example.com").id == before
    assert last_message("nobody@example.com") is None


def test_codes_are_limited_per_address_and_per_client(world):
    identity.confirm(register(world.mum, "Asha Rao", "asha@example.com"), IP)
    for _ in range(identity.PER_ADDRESS):
        identity.request_code(world.mum, "email", "asha@example.com", "203.0.113.1")
    with pytest.raises(JewelError, match="Too many"):
        identity.request_code(world.mum, "email", "asha@example.com", "203.0.113.2")
    for n in range(identity.PER_CLIENT):
        identity.request_code(world.mum, "email", f"someone{n}@example.com", "203.0.113.9")
    with pytest.raises(JewelError, match="Too many"):
        identity.request_code(world.mum, "email", "fresh@example.com", "203.0.113.9")


def test_a_phone_signs_in_and_links_only_once_confirmed_with_a_code(world):
    manager = world.actor("manager")
    by_phone = customer(manager, "Asha (old profile)", phone="+919820011111")
    account = sign_in_new(world, "Asha Rao", "asha@example.com", "98200 11111")
    identity.request_code(world.mum, "sms", "+919820011111", IP)
    assert last_message("+919820011111") is None  # the phone is not confirmed yet: no code, no sign-in
    identity.request_code(world.mum, "sms", "+919820011111", IP, account_id=account)
    with pytest.raises(ValidationError):
        identity.confirm_phone(account, "000000" if mailed_code("+919820011111") != "000000" else "111111", IP)
    assert identity.confirm_phone(account, mailed_code("+919820011111"), IP) == 1
    assert by_phone in linked_customers_of(account)
    identity.request_code(world.mum, "sms", "98200 11111", IP)
    ticket = identity.sign_in(world.mum, "sms", "98200 11111", mailed_code("+919820011111"), IP)
    assert account_of(begin_session(ticket)) == account


def sign_in_new(world, name: str, email: str, phone: str) -> int:
    identity.confirm(register(world.mum, name, email, phone), IP)
    return sign_in(world.mum, email)
