"""WCAG 2.1 AA: axe-core (from npm, in ``.tools/``) finds no violation on any page a person reaches.

One browser context visits the sign-in and forgotten-password pages, every menu page of each demo role (read
from the menu itself, so a page a module adds is covered), the record pages (customer 360, piece, invoice,
repair job) and the public pages a QR code opens (certificate, repair status). Each page must also carry a
document title naming the page and, once signed in or on a public page, the store.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from jewelerp import PROJECT_ROOT
from jewelerp.core.models import Store
from jewelerp.db import read_session
from jewelerp.demo import DEMO_PASSWORD
from modules.billing.models import Invoice
from modules.clienteling.models import Customer, Purchase, ServiceCase
from modules.repairs.models import Job
from modules.stock.models import Piece
from tests.e2e.conftest import DEMO_LOGINS, sign_in

AXE = PROJECT_ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
EXCEPTIONS: dict[str, str] = {}  # axe rule id -> why it cannot be fixed here (none at present)
RUN_AXE = """async (tags) => {
  const result = await window.axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    rule: v.id, help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ") + (n.failureSummary ? " (" + n.failureSummary.split("\\n")[1]
      + ")" : "")),
  }));
}"""


def _backend_url() -> str:
    """Where the harness's backend answers (the public pages live there)."""
    from reflex.config import get_config

    return get_config().api_url.rstrip("/")


@pytest.fixture
def tab(page) -> Page:
    """The test's page with axe-core added to every document it opens (as DevTools does: the pages' own
    security policy, which allows no such script, stays on)."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run bash scripts/dev.sh test (it installs NODE_PKGS)")
    page.context.add_init_script(path=str(AXE))
    return page


def _violations(page: Page) -> list[str]:
    """axe's WCAG 2.0/2.1 A and AA violations on the page as it is now, one line each (rule, help, targets)."""
    found = page.evaluate(RUN_AXE, WCAG_TAGS)
    return [f"{v['rule']}: {v['help']} at {'; '.join(v['targets'])}" for v in found if v["rule"] not in EXCEPTIONS]


def _settle(page: Page) -> None:
    """Wait until a shell page shows its content (its heading, and no spinner left)."""
    page.get_by_role("heading", level=1).first.wait_for()
    expect(page.locator(".rt-Spinner")).to_have_count(0)


def _menu(page: Page) -> list[str]:
    """The addresses of the menu's links, in order."""
    nav = page.get_by_role("navigation", name="Main menu").first
    nav.get_by_role("link").first.wait_for()
    return nav.evaluate("n => [...n.querySelectorAll('a[href]')].map(a => new URL(a.href).pathname)")


def _record_pages() -> list[str]:
    """A customer with purchases, a piece, an invoice, a repair job and a service case of Mumbai (the demo's
    first store)."""
    with read_session() as session:
        store = session.exec(select(Store.id).where(Store.code == "MUM")).one()
        customer = session.exec(
            select(Purchase.customer_id)
            .join(Customer, Customer.id == Purchase.customer_id)
            .where(Customer.store_id == store)
        ).first()
        piece = session.exec(select(Piece.id).where(Piece.store_id == store)).first()
        invoice = session.exec(select(Invoice.id).where(Invoice.store_id == store)).first()
        job = session.exec(select(Job.id).where(Job.store_id == store)).first()
        case = session.exec(select(ServiceCase.id).where(ServiceCase.store_id == store)).first()
    assert customer and piece and invoice and job and case, "the demo data has a record of each kind in Mumbai"
    return [
        f"/clienteling/customers/{customer}",
        f"/stock/pieces/{piece}",
        f"/billing/invoices/{invoice}",
        f"/repairs/jobs/{job}",
        f"/clienteling/cases/{case}",
    ]


def _public_pages() -> list[str]:
    with read_session() as session:
        certificate = session.exec(select(Piece.public_token).where(Piece.token_revoked_at.is_(None))).first()
        ticket = session.exec(select(Job.public_token).where(Job.token_revoked_at.is_(None))).first()
    assert certificate and ticket, "the demo data has a piece and a repair job with public pages"
    return [f"{_backend_url()}/c/{certificate}", f"{_backend_url()}/r/{ticket}"]


@pytest.mark.timeout(900)  # some 50 pages in one test, and the harness's build when it runs first
def test_every_page_meets_wcag_2_1_aa_and_names_itself_and_the_store(tab, base_url):
    with read_session() as session:
        stores = {store.code: store.name for store in session.exec(select(Store)).all()}
    signed_in_title = re.compile(rf"^\S.* · {re.escape(stores['MUM'])} — JewelERP$")
    failures: dict[str, list[str]] = {}

    def check(address: str, title: str | re.Pattern[str]) -> None:
        failures[address] = _violations(tab)
        try:
            expect(tab).to_have_title(title)
        except AssertionError:
            failures[address].append(f"document-title: {tab.title()!r} does not match {title!r}")

    for address, title in (("/login", "Sign in"), ("/password/forgot", "Forgotten password")):  # before signing in
        tab.goto(f"{base_url}{address}")
        tab.get_by_label("Email").wait_for()
        check(address, f"{title} — JewelERP")

    visited: set[str] = set()
    for role in ("admin", "manager", "sales", "designer"):
        tab.context.clear_cookies()
        sign_in(tab, base_url, DEMO_LOGINS[role], DEMO_PASSWORD)
        tab.wait_for_url(f"{base_url}/")
        _settle(tab)
        extra = _record_pages() if role == "admin" else []
        for address in [*_menu(tab), *extra]:
            if address in visited:
                continue
            visited.add(address)
            tab.goto(f"{base_url}{address}")
            _settle(tab)
            check(address, signed_in_title)
    assert {"/", "/clienteling/customers", "/repairs/board", "/billing/invoices"} <= visited

    for address in _public_pages():
        tab.goto(address)
        check(address, re.compile(rf"^\S.* · {re.escape(stores['MUM'])} — JewelERP$"))

    report = [f"{address}\n  " + "\n  ".join(found) for address, found in failures.items() if found]
    print(f"axe {AXE.parent.name} checked {len(failures)} pages; exceptions: {EXCEPTIONS or 'none'}")
    print("\n".join(report))
    assert not report, f"{len(report)} pages have WCAG 2.1 AA violations:\n" + "\n".join(report)
