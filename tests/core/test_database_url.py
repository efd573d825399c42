"""A wrong or unreachable database URL: one clear line naming it (password hidden), exit code 1."""

from __future__ import annotations

import socket

import pytest

from jewelerp.cli import main
from jewelerp.db import check_database, reset_engine
from jewelerp.errors import JewelError


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@pytest.fixture
def database_url(monkeypatch):
    def use(url: str) -> None:
        monkeypatch.setenv("JEWELERP_DB_URL", url)
        reset_engine()

    yield use
    reset_engine()


@pytest.mark.parametrize(
    ("url", "line"),
    [
        ("nonsense", "JEWELERP_DB_URL is not a database URL (e.g. postgresql+psycopg://user:password@host/jewelerp)"),
        ("mysql://shop@db/jewelerp", "the database JEWELERP_DB_URL=mysql://shop@db/jewelerp names a database this "),
        ("oracle+foo://shop@db/x", "names a database this installation has no driver for"),
        ("sqlite:////no/such/folder/x.db", "the database JEWELERP_DB_URL=sqlite:////no/such/folder/x.db cannot be "),
    ],
)
def test_the_command_line_names_the_bad_database_on_one_line(database_url, capsys, url, line):
    database_url(url)
    assert main(["modules", "list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("jewelerp: error: ") and line in err and err.count("\n") == 1


def test_an_unreachable_server_is_named_with_its_password_hidden(database_url, capsys):
    database_url(f"postgresql+psycopg://shop:s3cret-pw@127.0.0.1:{_closed_port()}/jewelerp")
    with pytest.raises(
        JewelError, match=r"JEWELERP_DB_URL=postgresql\+psycopg://shop:\*\*\*@127.0.0.1:\d+/jewelerp cannot"
    ):
        check_database()
    assert main(["db", "upgrade"]) == 1
    err = capsys.readouterr().err
    assert "Connection refused" in err and "s3cret-pw" not in err and err.count("\n") == 1


def test_a_working_database_passes_the_check(db):
    check_database()


def test_a_url_with_a_password_keeps_one_engine(database_url):
    from jewelerp.db import get_engine

    database_url(f"postgresql+psycopg://shop:s3cret-pw@127.0.0.1:{_closed_port()}/jewelerp")
    assert get_engine() is get_engine()  # no new pool (and leaked connections) on every call
