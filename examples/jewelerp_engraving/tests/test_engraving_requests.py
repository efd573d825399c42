"""Engraving requests: taken on a piece of an issued invoice, validated field by field, refused without the
permission, listed per store, finished by the workshop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from jewelerp_engraving.services import REQUESTS, RequestInput, create_request, mark_done

from jewelerp.db import read_session
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from jewelerp.testing import run_as
from jewelerp.ui.table_query import TableQuery

FORTY = "Ira & Kabir · 12.12.2026 · forever yours"  # exactly 40 characters


def _request(sale, **changes) -> RequestInput:
    typed = {"invoice_number": sale.number, "sku": sale.sku, "text": FORTY, "font": "script"}
    return RequestInput(**{**typed, "due_on": str(sale.today + timedelta(days=3)), **changes})


def _rows(actor, **query):
    with read_session() as session:
        return REQUESTS.fetch(session, actor, TableQuery(**query))


def test_a_request_on_a_piece_of_the_invoice_is_saved_and_listed_in_its_store(world, sale):
    typed = _request(sale, invoice_number=f" {sale.number.lower()} ", sku=sale.sku.lower())
    request = run_as(world.actor("sales"), create_request, typed)
    assert (request.invoice_number, request.sku, request.text, request.status) == (
        sale.number,
        sale.sku,
        FORTY,
        "open",
    )
    rows, total = _rows(world.actor("manager"), search=sale.sku)
    assert total == 1 and (rows[0]["text"], rows[0]["font"], rows[0]["status"]) == (FORTY, "Script", "Open")
    assert _rows(world.actor("manager", world.dl))[1] == 0  # Delhi sees only its own requests


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter the text to engrave."),
        (FORTY + "!", "Keep it to 40 characters (this is 41)."),
        ("Ira\tKabir", "Use letters, digits, spaces and punctuation only"),
        ("Ira\nKabir", "Use letters, digits, spaces and punctuation only"),
        ("Ira\u200bKabir", "Use letters, digits, spaces and punctuation only"),  # a zero-width space
    ],
)
def test_text_that_cannot_be_engraved_is_refused_beside_its_field(world, sale, text, message):
    with pytest.raises(ValidationError) as refused:
        run_as(world.actor("sales"), create_request, _request(sale, text=text))
    assert set(refused.value.fields) == {"text"}
    assert refused.value.fields["text"].startswith(message)
    assert _rows(world.actor("manager"))[1] == 0


def test_every_other_field_names_its_own_problem(world, sale):
    typed = _request(sale, sku="NOPE-1", font="gothic", due_on=str(sale.today - timedelta(days=1)))
    with pytest.raises(ValidationError) as refused:
        run_as(world.actor("sales"), create_request, typed)
    assert refused.value.fields["sku"].startswith(f"NOPE-1 is not on invoice {sale.number}")
    assert refused.value.fields["font"] == "Choose a font."
    assert refused.value.fields["due_on"].startswith("Choose a day from today")
    with pytest.raises(ValidationError) as refused:
        run_as(world.actor("sales"), create_request, _request(sale, invoice_number="MUM/2627/999999", due_on="soon"))
    assert refused.value.fields == {
        "invoice_number": "There is no invoice MUM/2627/999999 in this store.",
        "due_on": "Choose the day it is due.",
    }
    assert _rows(world.actor("manager"))[1] == 0


def test_staff_without_the_permission_are_refused(world, sale):
    with pytest.raises(PermissionDenied):
        run_as(world.actor("designer"), create_request, _request(sale))
    assert _rows(world.actor("manager"))[1] == 0


def test_the_workshop_marks_a_request_done_once(world, sale):
    request = run_as(world.actor("sales"), create_request, _request(sale))
    done = run_as(world.actor("manager"), mark_done, request.id)
    assert done.status == "done" and done.done_at is not None
    with pytest.raises(JewelError, match="already done"):
        run_as(world.actor("manager"), mark_done, request.id)
