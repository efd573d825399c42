"""Finding 5: masked contact details cannot be read back through search, and printed papers mask them too.

Without ``clienteling.customer.pii`` (the sales role) a list search matches a phone or an email only
whole, so growing a partial match one character at a time finds nothing; names stay partial. With
the permission (the manager role) partial search works as before. The repair ticket and the invoice
(page and PDF) show the phone and the PAN masked to a user without the permission.
"""

from __future__ import annotations

import pypdfium2
import pytest

from jewelerp.db import read_session, unit_of_work
from jewelerp.testing import World, disable_everywhere
from jewelerp.ui.table_query import TableQuery
from modules.billing.invoice_pages import _invoice_data
from modules.billing.invoices import create_draft
from modules.billing.pdf import invoice_pdf
from modules.clienteling import tables
from modules.clienteling.tables import CUSTOMERS
from modules.repairs.tables import JOBS
from modules.repairs.ticket import ticket_pdf
from tests.modules.repairs.intake import customer, intake

PHONE = "+91 98200 12345"
EMAIL = "ki.secret@example.com"
PARTS = ("98200", "9820012", "982001234", "0012345", "12345", "ki.s", "secret@", "@example.com", "example.co")
WHOLE = ("+91 98200 12345", "098200-12345", "9820012345", "+919820012345", " KI.Secret@Example.com ")


@pytest.fixture
def world(world: World) -> World:
    """Stores and staff; repairs takes its own money (the repairs × billing bridge is off)."""
    return disable_everywhere(world, "repairs_billing")


@pytest.fixture(params=["index", "scan"])
def search_path(request, monkeypatch) -> str:
    """Run a test against SQLite's full-text index and against the LIKE scan other databases use."""
    if request.param == "scan":
        monkeypatch.setattr(tables, "indexed_search", lambda _typed, contacts: None)
    return request.param


def _found(spec, actor, typed: str) -> list[str]:
    with read_session() as session:
        rows, _total = spec.fetch(session, actor, TableQuery(search=typed))
    return [r.get("name") or r.get("number") for r in rows]


def _kavya(world) -> int:
    sales = world.actor("sales")
    customer(sales, "Rohan Das", phone="+91 98111 22222", email="rohan@example.in")
    return customer(sales, "Kavya Iyer", phone=PHONE, email=EMAIL)


def test_without_pii_only_a_whole_phone_or_email_finds_the_customer(world, search_path):
    _kavya(world)
    sales, manager = world.actor("sales"), world.actor("manager")
    for typed in PARTS:
        assert _found(CUSTOMERS, sales, typed) == [], typed  # before: the index and the LIKE matched parts
        assert _found(CUSTOMERS, manager, typed) == ["Kavya Iyer"], typed  # with PII, partial search as before
    for typed in WHOLE:
        assert _found(CUSTOMERS, sales, typed) == ["Kavya Iyer"], typed
    assert _found(CUSTOMERS, sales, "kavya") == ["Kavya Iyer"]  # names stay partial
    assert _found(CUSTOMERS, sales, "avya iy") == ["Kavya Iyer"]


def test_repairs_search_matches_a_masked_phone_only_whole(world):
    sales, manager = world.actor("sales"), world.actor("manager")
    job = intake(sales, _kavya(world))
    for typed in ("98200", "+91982", "12345", "+9198200123"):
        assert _found(JOBS, sales, typed) == [], typed  # before: LIKE on the customer's phone matched
    for typed in ("98200 12345", "+91 98200-12345", "09820012345"):
        assert _found(JOBS, sales, typed) == [job.number], typed
    assert _found(JOBS, sales, "kavya") == [job.number]
    assert _found(JOBS, manager, "98200") == [job.number]


def _ticket_text(actor, job_id: int) -> str:
    with read_session() as session:
        pdf = ticket_pdf(session, actor, job_id)
    document = pypdfium2.PdfDocument(pdf)
    return " ".join(document[0].get_textpage().get_text_range().split())


def test_the_repair_ticket_masks_the_phone_for_a_user_without_pii(world):
    sales = world.actor("sales")
    job = intake(sales, _kavya(world))
    text = _ticket_text(sales, job.id)
    assert "98200 12345" not in text and "9820012345" not in text  # before: the whole number was printed
    assert "2345" in text and "Kavya Iyer" in text
    assert "+91 98200 12345" in _ticket_text(world.actor("manager"), job.id)


def test_the_invoice_page_and_pdf_mask_the_pan_for_a_user_without_pii(world):
    sales, manager = world.actor("sales"), world.actor("manager")
    with unit_of_work(sales) as session:
        invoice_id = create_draft(session, sales, customer_name="Ira Kapoor", customer_pan="abcde1234f").id
    with read_session() as session:
        masked, full = _invoice_data(session, sales, invoice_id), _invoice_data(session, manager, invoice_id)
        printed = [invoice_pdf(session, who, invoice_id) for who in (sales, manager)]
    assert masked["invoice"]["pan"] == "••••••234F" and masked["invoice"]["pan_typed"] == ""
    assert full["invoice"]["pan"] == full["invoice"]["pan_typed"] == "ABCDE1234F"
    texts = [" ".join(pypdfium2.PdfDocument(p)[0].get_textpage().get_text_range().split()) for p in printed]
    assert "ABCDE1234F" not in texts[0] and "234F" in texts[0]  # before: the PDF printed the whole PAN
    assert "ABCDE1234F" in texts[1]
