"""Browser test harness shared by every module's page tests.

One AppHarnessProd per test session (production build, real backend, a fresh
SQLite file loaded with the demo data), one Chromium, a fresh browser context
per test, and an autouse check that fails a test when the app logged an error.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from jewelerp import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 15_000
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def demo_database(folder: Path, *then: Callable[[], object]) -> Iterator[Path]:
    """A fresh database in ``folder`` as ``jewelerp db upgrade`` and ``jewelerp demo`` leave it, then each of
    ``then`` (an add-on's harness installs the add-on), made the process's database with the scheduler off."""
    path = folder / "e2e.db"
    os.environ["JEWELERP_SCHEDULER"] = "off"
    tools = PROJECT_ROOT / ".tools" / "node_modules" / ".bin"
    os.environ["PATH"] = f"{tools}{os.pathsep}{os.environ['PATH']}"
    os.environ.setdefault("REFLEX_USE_SYSTEM_BUN", "1")
    from jewelerp.db import reset_engine
    from jewelerp.demo import make_demo_database

    make_demo_database(f"sqlite:///{path}")
    for step in then:
        step()
    yield path
    reset_engine()


@pytest.fixture(scope="session")
def app_db(tmp_path_factory) -> Iterator[Path]:
    """A fresh database with migrations and demo data; the app and tests share it."""
    yield from demo_database(tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="session")
def harness(app_db):
    """The production-built app serving the test database.

    Its static frontend server gets the security headers, as the backend gives them to the
    frontend it serves under ``reflex run --env prod``.
    """
    from reflex.testing import AppHarnessProd

    from jewelerp.ui.web_security import frontend_prod_app

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("reflex.utils.exec._frontend_prod_app", frontend_prod_app)
        with AppHarnessProd.create(root=PROJECT_ROOT, app_name="jewelerp") as running:
            yield running


@pytest.fixture(scope="session")
def base_url(harness) -> str:
    """Where the frontend answers, without a trailing slash."""
    return harness.frontend_url.rstrip("/")


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome so the page fixture can screenshot failures."""
    outcome = yield
    setattr(item, f"rep_{call.when}", outcome.get_result())


@pytest.fixture
def page(browser, base_url, request):
    """A fresh context (no cookies) per test; page errors fail the test; failures leave a screenshot."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    page_errors: list[str] = []
    tab.on("pageerror", lambda exc: page_errors.append(str(exc)))
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not page_errors, f"the page raised JavaScript errors: {page_errors}"


@pytest.fixture(autouse=True)
def no_app_errors():
    """Fail the test when the backend logged an error while it ran."""
    collector = _ErrorCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    yield
    root.removeHandler(collector)
    messages = [r.getMessage() for r in collector.records]
    assert not messages, f"the app logged errors: {messages}"


DEMO_LOGINS = {
    "admin": "admin@demo.jewelerp.in",
    "manager": "manager@demo.jewelerp.in",
    "sales": "sales@demo.jewelerp.in",
    "designer": "designer@demo.jewelerp.in",
}


def sign_in(page, base_url: str, email: str, password: str) -> None:
    """Fill the sign-in form as a person would."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()  # not "Sign in with Google"


@pytest.fixture
def login_as(page, base_url) -> Callable[[str], object]:
    """``login_as("manager")`` signs a demo user in and lands on the home page."""
    from jewelerp.demo import DEMO_PASSWORD

    def login(role: str):
        sign_in(page, base_url, DEMO_LOGINS[role], DEMO_PASSWORD)
        page.wait_for_url(f"{base_url}/")
        page.get_by_role("heading", name="Home").wait_for()
        return page

    return login
