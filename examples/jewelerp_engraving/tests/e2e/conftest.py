"""Browser tests of the engraving add-on, on JewelERP's own browser harness.

The app these tests drive is built from the JewelERP checkout the add-on is installed beside
(``jewelerp.PROJECT_ROOT``), so they use that checkout's harness, ``tests/e2e/conftest.py``: one
production build per session, one Chromium, a fresh browser context per test, page errors and logged app
errors fail a test. Only the database differs: the demo data, then this add-on installed and enabled nowhere.
Run them in an environment where the add-on is installed: ``python -m pytest tests/e2e -m e2e``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from engraving_sales import Sale, sell_a_ring
from sqlmodel import select

from jewelerp import PROJECT_ROOT


def _checkout_harness() -> ModuleType:
    """JewelERP's browser harness, loaded from the checkout under a name of its own."""
    path = PROJECT_ROOT / "tests" / "e2e" / "conftest.py"
    spec = importlib.util.spec_from_file_location("jewelerp_browser_harness", path)
    harness_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness_module)
    return harness_module


_harness = _checkout_harness()
base_url = _harness.base_url
browser = _harness.browser
harness = _harness.harness  # asks for ``app_db`` below
login_as = _harness.login_as
no_app_errors = _harness.no_app_errors
page = _harness.page
pytest_runtest_makereport = _harness.pytest_runtest_makereport
DEMO_LOGINS = _harness.DEMO_LOGINS
sign_in = _harness.sign_in


@pytest.fixture(scope="session")
def app_db(tmp_path_factory) -> Iterator[Path]:
    """A fresh database as ``jewelerp db upgrade`` and ``jewelerp demo`` leave it, then ``jewelerp modules
    install engraving``: the add-on is installed and enabled in no store."""
    from jewelerp.core.lifecycle import install

    yield from _harness.demo_database(tmp_path_factory.mktemp("engraving-e2e"), lambda: install("engraving"))


@pytest.fixture(scope="session")
def ring_sale(app_db) -> Sale:
    """An issued invoice of MUM selling a silver ring, made by the demo manager."""
    from jewelerp.auth.service import build_actor
    from jewelerp.core.models import Store, User
    from jewelerp.db import unit_of_work

    with unit_of_work() as session:
        manager = session.exec(select(User).where(User.email == DEMO_LOGINS["manager"])).one()
        mumbai = session.exec(select(Store).where(Store.code == "MUM")).one()
        actor = build_actor(session, manager.id, mumbai.id)
    return sell_a_ring(actor)
