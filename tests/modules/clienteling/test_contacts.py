"""Customers found by a proved contact address, consent changed one channel at a time, wishes removed."""

from __future__ import annotations

import pytest

from jewelerp.errors import NotFound
from modules.clienteling.api import (
    CustomerInput,
    consent_history,
    create_customer,
    customers_with_contact,
    get_customer,
    remove_wish,
    set_consent,
)
from modules.clienteling.wishlist import add_wish, wish_rows
from tests.modules.clienteling.helpers import add_customer, run


def test_only_exact_contacts_of_the_store_are_found(world):
    manager = world.actor("manager")
    asha = add_customer(manager, name="Asha Rao", phone="98200 11111", email="asha@example.com")
    add_customer(manager, name="Asha Other", email="asha@example.com.evil")
    delhi = CustomerInput(name="Asha Delhi", email="asha@example.com")
    run(world.actor("manager", world.dl), lambda s, a: create_customer(s, a, delhi, allow_duplicate=True))
    found = run(manager, lambda s, a: customers_with_contact(s, a, email=" ASHA@example.com "))
    assert found == [asha.id]
    assert run(manager, lambda s, a: customers_with_contact(s, a, phone="+919820011111")) == [asha.id]
    assert run(manager, lambda s, a: customers_with_contact(s, a, phone="+919820011112")) == []


def test_each_consent_change_is_stamped_and_a_repeat_changes_nothing(world):
    manager = world.actor("manager")
    asha = add_customer(manager, name="Asha Rao", email="asha@example.com")
    assert run(manager, lambda s, a: set_consent(s, a, asha.id, "sms", True)) is True
    assert run(manager, lambda s, a: set_consent(s, a, asha.id, "sms", True)) is False
    customer = run(manager, lambda s, a: get_customer(s, a, asha.id))
    assert customer.consent_sms and customer.consent_sms_at is not None


def test_a_wish_of_another_customer_is_not_removed(world):
    manager = world.actor("manager")
    asha = add_customer(manager, name="Asha Rao", email="asha@example.com")
    ravi = add_customer(manager, name="Ravi Rao", email="ravi@example.com")
    wish = run(manager, lambda s, a: add_wish(s, a, asha.id, "Emerald drop earrings"))
    with pytest.raises(NotFound):
        run(manager, lambda s, a: remove_wish(s, a, ravi.id, wish.id))
    run(manager, lambda s, a: remove_wish(s, a, asha.id, wish.id))
    assert run(manager, lambda s, a: wish_rows(s, a, asha.id)) == []


def test_the_consent_history_is_the_customers_own_and_of_this_store(world):
    manager = world.actor("manager")
    asha = add_customer(manager, name="Asha Rao", email="asha@example.com", consent_email=True)
    ravi = add_customer(manager, name="Ravi Menon", email="ravi@example.com")
    run(manager, lambda s, a: set_consent(s, a, asha.id, "sms", True))
    run(manager, lambda s, a: set_consent(s, a, ravi.id, "whatsapp", True))
    history = run(manager, lambda s, a: consent_history(s, a, [asha.id]))
    assert [(c.customer_id, c.channel, c.given) for c in history] == [(asha.id, "sms", True), (asha.id, "email", True)]
    with pytest.raises(NotFound):
        run(world.actor("manager", world.dl), lambda s, a: consent_history(s, a, [asha.id]))
