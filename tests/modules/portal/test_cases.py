"""Cases on the portal: a customer opens a case, reads the store's shown notes (never internal ones) beside their
own replies, replies while it is not closed; another customer's case is "not found" and never touched."""

from __future__ import annotations

import pytest

from jewelerp.db import unit_of_work
from jewelerp.errors import JewelError, ValidationError
from modules.clienteling.cases import add_note, set_status
from modules.portal import cases
from modules.portal.access import NotYours
from tests.modules.portal.helpers import read_as, two_customers, write_as


def _rows(account_id: int):
    return read_as(account_id, cases.case_rows)


@pytest.fixture
def pair(world):
    return two_customers(world)


def _staff(world, work, *args, **kwargs):
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        return work(session, manager, *args, **kwargs)


def test_a_case_opened_on_the_portal_shows_its_thread_oldest_first(world, pair):
    asha, ravi = pair
    opened = write_as(asha, cases.open_case, "complaint", "Clasp came loose", "The clasp of my chain opened twice.")
    _staff(world, add_note, opened.id, "Checking the clasp, please bring it in.", internal=False)
    _staff(world, add_note, opened.id, "Maybe a faulty batch", internal=True)
    write_as(asha, cases.reply, str(opened.id), "I will come on Saturday.")

    (row,) = _rows(asha)
    assert (row["number"], row["subject"], row["status"], row["open"]) == (
        opened.number,
        "Clasp came loose",
        "Open",
        True,
    )
    assert [(n["author"] == "You", n["text"]) for n in row["notes"]] == [
        (True, "The clasp of my chain opened twice."),
        (False, "Checking the clasp, please bring it in."),
        (True, "I will come on Saturday."),
    ]
    assert "Maybe a faulty batch" not in str(row["notes"])
    assert _rows(ravi) == []


def test_a_bad_case_form_opens_nothing(pair):
    asha, _ravi = pair
    with pytest.raises(ValidationError) as refused:
        write_as(asha, cases.open_case, "lawsuit", "", "")
    assert set(refused.value.fields) == {"kind", "subject", "text"}
    assert _rows(asha) == []


def test_another_customers_case_is_not_found_and_untouched(pair):
    asha, ravi = pair
    theirs = write_as(ravi, cases.open_case, "enquiry", "Ring size", "Do you resize rings?")
    for forged in (str(theirs.id), "0", "-1", "1 OR 1=1", "99999999999", ""):
        with pytest.raises(NotYours):
            write_as(asha, cases.reply, forged, "Hijacked")
    (row,) = _rows(ravi)
    assert [n["text"] for n in row["notes"]] == ["Do you resize rings?"]


def test_an_empty_reply_or_a_reply_to_a_closed_case_is_refused(world, pair):
    asha, _ravi = pair
    opened = write_as(asha, cases.open_case, "request", "Polish", "Please polish my bangles.")
    with pytest.raises(JewelError, match="Write your message"):
        write_as(asha, cases.reply, str(opened.id), "   ")
    _staff(world, set_status, opened.id, "resolved")
    _staff(world, set_status, opened.id, "closed")
    with pytest.raises(JewelError, match="is closed"):
        write_as(asha, cases.reply, str(opened.id), "One more thing")
    (row,) = _rows(asha)
    assert row["open"] is False and [n["text"] for n in row["notes"]] == ["Please polish my bangles."]
