"""What a signed-in customer sees: only their own invoices, pieces, jobs, schemes and wishes; another customer's id
answers "not found" and changes nothing; consent changes are stamped and audited with the customer's account."""

from __future__ import annotations

import json
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from jewelerp.core.models import AuditLog
from jewelerp.db import read_session
from jewelerp.errors import ValidationError
from modules.clienteling.models import Customer as CustomerRow
from modules.portal import records
from modules.portal.access import NotYours
from tests.modules.portal.helpers import read_as, write_as
from tests.modules.portal.shoppers import Shopper, shoppers


def _read(shopper: Shopper, work, *args):
    return read_as(shopper.account_id, work, *args)


def _write(shopper: Shopper, work, *args):
    return write_as(shopper.account_id, work, *args)


@pytest.fixture
def pair(world):
    return shoppers(world)


def test_each_customer_sees_only_their_own_records(pair):
    asha, ravi = pair
    numbers = [row["id"] for row in _read(asha, records.invoices)]
    assert numbers == [str(asha.invoice_id)]
    assert [row["sku"] for row in _read(asha, records.pieces)] == [asha.piece_sku]
    assert [row["id"] for row in _read(asha, records.jobs)] == [str(asha.job_id)]
    (scheme,) = _read(asha, records.schemes)
    assert scheme["next_due"] and scheme["next_amount"] == "₹5,000" and len(scheme["instalments"]) == 11
    assert [row["id"] for row in _read(ravi, records.wishes)] == [str(ravi.wish_id)]


def test_another_customers_invoice_is_not_found_and_theirs_is_a_pdf(pair):
    asha, ravi = pair
    name, content = _read(asha, records.invoice_pdf, str(asha.invoice_id))
    assert content.startswith(b"%PDF") and name.endswith(".pdf")
    for forged in (str(ravi.invoice_id), "999999", "-1", "1 OR 1=1", ""):
        with pytest.raises(NotYours):
            _read(asha, records.invoice_pdf, forged)


def test_another_customers_wish_is_not_removed(pair):
    asha, ravi = pair
    with pytest.raises(NotYours):
        _write(asha, records.remove_wish, str(ravi.wish_id))
    assert [row["id"] for row in _read(ravi, records.wishes)] == [str(ravi.wish_id)]
    _write(asha, records.remove_wish, str(asha.wish_id))
    assert _read(asha, records.wishes) == []


def test_wishes_and_occasions_are_added_to_the_customers_own_profile(pair):
    asha, ravi = pair
    _write(asha, records.add_wish, "Gold anklet")
    with pytest.raises(ValidationError):
        _write(asha, records.add_wish, "   ")
    _write(asha, records.add_occasion, "Daughter's graduation", "2027-05-14")
    with pytest.raises(ValidationError):
        _write(asha, records.add_occasion, "Party", "14/05/2027")
    assert "Gold anklet" in [row["text"] for row in _read(asha, records.wishes)]
    assert [row["what"] for row in _read(asha, records.occasions)] == ["Daughter's graduation"]
    assert _read(ravi, records.occasions) == []


def test_each_consent_change_is_kept_with_its_time_and_who(pair):
    asha, _ravi = pair
    assert _write(asha, records.set_consent, "sms", True) is True
    assert _write(asha, records.set_consent, "sms", False) is True
    sms = next(row for row in _read(asha, records.consents) if row["channel"] == "sms")
    assert sms["on"] == "" and sms["since"]
    with read_session() as session:
        changes = session.exec(
            select(AuditLog).where(
                AuditLog.record_type == "clienteling_customer", AuditLog.record_id == str(asha.customer_id)
            )
        ).all()
    sms_changes = [row for row in changes if "consent_sms" in json.loads(row.changes)]
    assert [json.loads(row.changes)["consent_sms"][1] for row in sms_changes][-2:] == [True, False]
    assert all(row.user_name == "portal: Asha Rao" for row in sms_changes[-2:])
    with pytest.raises(NotYours):
        _write(asha, records.set_consent, "carrier pigeon", True)


def test_the_customer_sees_their_own_consent_changes_newest_first_in_the_stores_time(pair):
    asha, ravi = pair
    at_registration = _read(asha, records.consent_history)  # confirming the account set each channel as chosen
    assert sorted(row["label"] for row in at_registration) == ["E-mail", "SMS", "WhatsApp"]
    assert {row["state"] for row in at_registration} == {"Off"}
    _write(asha, records.set_consent, "sms", True)
    _write(asha, records.set_consent, "whatsapp", True)
    _write(asha, records.set_consent, "sms", False)
    _write(asha, records.set_consent, "sms", False)  # no change, no line
    _write(ravi, records.set_consent, "email", True)  # not Asha's
    history = _read(asha, records.consent_history)
    assert [(row["label"], row["state"]) for row in history[:3]] == [("SMS", "Off"), ("WhatsApp", "On"), ("SMS", "On")]
    assert len(history) == len(at_registration) + 3
    with read_session() as session:
        stamped = session.get(CustomerRow, asha.customer_id).consent_sms_at
    india = stamped.replace(tzinfo=stamped.tzinfo or UTC).astimezone(ZoneInfo("Asia/Kolkata"))
    assert history[0]["when"] == india.strftime("%d %b %Y %H:%M")


def test_the_consent_history_keeps_the_latest_twenty(pair):
    asha, _ravi = pair
    for turn in range(12):
        _write(asha, records.set_consent, "email", turn % 2 == 0)
    for turn in range(12):
        _write(asha, records.set_consent, "sms", turn % 2 == 0)
    history = _read(asha, records.consent_history)
    assert len(history) == 20 and all(row["label"] == "SMS" for row in history[:12])
    assert history[0]["state"] == "Off" and history[11]["state"] == "On"
