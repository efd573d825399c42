"""The install-data runner: dependencies first, only installed modules, and a failure that names the module
and leaves nothing behind."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jewelerp.core.manifest import CORE
from jewelerp.core.models import Store
from jewelerp.db import read_session, unit_of_work
from jewelerp.install_data import InstallDataError, load_install_data, run_install_data
from jewelerp.registry import Module, Registry

HERE = "tests.core.test_install_data"
RAN: list[str] = []


def install_wares(session) -> None:
    """Writes a record, as real install data does."""
    RAN.append("wares")
    session.add(Store(code="WARE", name="Wares"))
    session.flush()


def install_shop(_session) -> None:
    RAN.append("shop")


def install_broken(_session) -> None:
    raise ValueError("no gold rate for today")


def _module(name: str, install: str | None, depends: tuple[str, ...] = ()) -> Module:
    return Module(name, name.title(), "0.1.0", "test module", depends=depends, install_data=install)


WARES = _module("wares", f"{HERE}:install_wares")
SHOP = _module("shop", f"{HERE}:install_shop", ("wares",))
NOTES = _module("notes", None)


@pytest.fixture(autouse=True)
def fresh_log():
    RAN.clear()


def _stores() -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(Store))


def test_install_data_runs_dependencies_first_and_only_for_installed_modules(db):
    with unit_of_work() as session:
        assert load_install_data(session, Registry([SHOP, NOTES, WARES, CORE])) == ["wares", "shop"]
    assert RAN == ["wares", "shop"]
    RAN.clear()
    with unit_of_work() as session:
        assert load_install_data(session, Registry([CORE, NOTES])) == []  # neither is installed here
    assert RAN == []


def test_a_failing_install_data_names_the_module_and_leaves_nothing_behind(db):
    broken = _module("broken", f"{HERE}:install_broken", ("wares",))
    with pytest.raises(InstallDataError) as err, unit_of_work() as session:
        load_install_data(session, Registry([CORE, WARES, broken]))
    assert err.value.message == (
        f"module 'broken': install_data '{HERE}:install_broken' failed: ValueError: no gold rate for today"
    )
    assert RAN == ["wares"] and _stores() == 0  # the wares it had written went with the failure


def test_a_mistyped_install_data_path_is_one_line_naming_the_module(db):
    typo = _module("typo", f"{HERE}:install_shopp")
    with pytest.raises(InstallDataError) as err, unit_of_work() as session:
        run_install_data(session, typo)
    message = err.value.message
    assert message.startswith(f"module 'typo': install_data '{HERE}:install_shopp' failed:")
    assert "install_shopp" in message.split("failed:")[1] and "\n" not in message
