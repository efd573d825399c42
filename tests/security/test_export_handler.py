"""A list's Export to Excel called as anyone with a websocket can call it: without a session or without the list's
permission nothing is counted, written or offered for download."""

from __future__ import annotations

import asyncio

import pytest

from jewelerp.core.pages.users import UsersTable
from jewelerp.errors import SessionEnded
from jewelerp.ui import table_query
from tests.security.test_account_handlers import _page, _signed_in


@pytest.fixture
def exports(tmp_path, monkeypatch):
    folder = tmp_path / "exports"
    monkeypatch.setattr(table_query, "EXPORT_DIR", folder)
    return folder


def _written(folder) -> list:
    return list(folder.glob("*/*")) if folder.exists() else []


@pytest.mark.parametrize("cookie", ["", "jewelerp_session=forged"])
def test_without_a_session_the_export_writes_nothing_and_goes_to_sign_in(world, exports, cookie):
    state = _page(UsersTable, cookie=cookie)
    with pytest.raises(SessionEnded):
        asyncio.run(UsersTable.export.fn(state))
    assert _written(exports) == [] and state.exporting is False and state.export_total == 0


def test_without_the_permission_the_export_writes_nothing(world, exports):
    state = _page(UsersTable, cookie=_signed_in("sales@test.in"))  # sales may not see the staff list
    assert asyncio.run(UsersTable.export.fn(state)) is None
    assert not state.message_ok and "permission" in state.message.lower()
    assert _written(exports) == [] and state.exporting is False and state.export_total == 0
