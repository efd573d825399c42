"""The module boundary: modules meet only through each other's ``api.py``, and the platform knows no module."""

from __future__ import annotations

import textwrap

import pytest

from jewelerp import module_boundary
from jewelerp.registry import Module, Registry, discover

INTRUDER = '''
from sqlalchemy import select

import modules.billing.api as billing_api
from modules.billing import payments
from modules.billing.api import Invoice, sale_summary
from modules.repairs.api import get_job
from modules.stock.api import Piece, get_piece
from modules.stock.models import Metal


def first_piece(session) -> Piece | None:
    """A hint naming stock's record type is fine; querying it is not."""
    return session.scalars(select(Piece)).first()


def invoice_ids(session) -> list[int]:
    return list(session.scalars(select(billing_api.Invoice.id)))


def fine(session, actor, piece_id: int, invoice: Invoice) -> str:
    return get_piece(session, actor, piece_id).sku + sale_summary(session, actor, invoice.number).number
'''


@pytest.fixture
def intruder(tmp_path, monkeypatch) -> Registry:
    """The discovered registry plus 'intruder' (depends on billing), whose code crosses the boundary."""
    package = tmp_path / "boundary_intruder"
    package.mkdir()
    (package / "__init__.py").write_text('"""A module that reaches into others."""\n')
    (package / "services.py").write_text(INTRUDER)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = Module("intruder", "Intruder", "1", "crosses", depends=("billing",), package="boundary_intruder")
    return Registry([*discover().modules, module])


def test_the_built_in_modules_and_the_platform_keep_the_boundary():
    assert module_boundary.problems(discover()) == []


def test_reaching_into_another_module_is_one_line_per_crossing(intruder):
    found = [line for line in module_boundary.problems(intruder) if line.startswith("module 'intruder'")]
    file = "boundary_intruder/services.py"
    assert found == [
        f"module 'intruder': {file}:5 imports modules.billing.payments: use modules.billing.api",
        f"module 'intruder': {file}:7 imports modules.repairs.api but 'intruder' does not depend on 'repairs'",
        f"module 'intruder': {file}:9 imports modules.stock.models: use modules.stock.api",
        f"module 'intruder': {file}:14 uses stock's record type Piece outside a type hint: "
        "read and change stock's records through its api's services",
        f"module 'intruder': {file}:18 uses billing's record type Invoice outside a type hint: "
        "read and change billing's records through its api's services",
    ]


def test_the_registry_check_reports_the_crossings(intruder):
    assert sum("boundary_intruder/services.py" in line for line in intruder.check()) == 5


def test_the_platform_may_not_import_a_module(tmp_path, monkeypatch):
    package = tmp_path / "fake_platform"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "reports.py").write_text(textwrap.dedent("from modules.stock.api import get_piece\n"))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(module_boundary, "PLATFORM_PACKAGE", "fake_platform")
    assert module_boundary.problems(discover()) == [
        "module 'core': fake_platform/reports.py:1 imports modules.stock.api: the platform knows no module"
    ]
