"""List pages' queries: paging, sorting, filters, search, scope; the export download route."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from jewelerp.core.stores import StoreInput, save_store
from jewelerp.core.tables import AUDIT, STAFF
from jewelerp.core.users import UserInput, create_user
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import PermissionDenied
from jewelerp.ui.api import api_app, api_routes
from jewelerp.ui.table_query import TableQuery, new_export
from jewelerp.xlsx_export import write_table
from tests.conftest import PASSWORD


def _fetch(spec, actor, **query):
    with read_session() as session:
        return spec.fetch(session, actor, TableQuery(**query))


@pytest.fixture
def staff(world):
    with unit_of_work() as session:
        for i in range(30):
            create_user(
                session,
                None,
                UserInput(f"Staff {i:02d}", f"staff{i:02d}@test.in"),
                PASSWORD,
                {"DEL": "sales"} if i % 3 == 0 else {},
            )
    return world


def test_pages_hold_one_page_and_count_everything(staff):
    manager = staff.actor("manager")
    first, total = _fetch(STAFF, manager, limit=10)
    assert total == 34 and len(first) == 10
    last, _ = _fetch(STAFF, manager, offset=30, limit=10)
    assert len(last) == 4
    names = [r["name"] for r in _fetch(STAFF, manager, sort="name", descending=True, limit=3)[0]]
    assert names == ["Staff 29", "Staff 28", "Staff 27"]


def test_filters_and_search_combine(staff):
    manager = staff.actor("manager")
    rows, total = _fetch(STAFF, manager, filters={"role": "sales"}, limit=None)
    assert total == 11  # ten DEL sales staff plus the MUM salesperson
    rows, total = _fetch(STAFF, manager, filters={"role": "sales"}, search="staff 2", limit=None)
    assert sorted(r["name"] for r in rows) == ["Staff 21", "Staff 24", "Staff 27"]
    assert _fetch(STAFF, manager, filters={"active": "no"})[1] == 0
    assert rows[0]["roles"] == "DEL: sales"


def test_lists_check_permission_on_the_server(staff):
    with pytest.raises(PermissionDenied):
        _fetch(STAFF, staff.actor("sales"))
    with pytest.raises(PermissionDenied):
        _fetch(AUDIT, staff.actor("designer"))


def test_audit_list_is_newest_first_and_scoped_to_the_store(world):
    admin = world.actor("admin")
    with unit_of_work(admin) as session:
        save_store(session, admin, StoreInput("PUN", "Pune", "FC Road", "Maharashtra"))
    rows, _ = _fetch(AUDIT, admin, limit=1)
    assert rows[0]["record"].startswith("core_store #") and rows[0]["user"] == "Admin"
    assert "code: PUN" in rows[0]["changes"] and "id:" not in rows[0]["changes"]
    delhi_manager = world.actor("manager", world.dl)
    assert all(r["store"] == "DEL" for r in _fetch(AUDIT, delhi_manager, limit=None)[0])
    # asking for every store needs the right to manage stores
    everything = _fetch(AUDIT, admin, filters={"scope": "all"}, limit=None)[1]
    assert _fetch(AUDIT, delhi_manager, filters={"scope": "all"}, limit=None)[1] < everything


def test_export_route_serves_the_file_once_known_and_refuses_bad_tokens(world):
    token, path = new_export("staff.xlsx")
    with read_session() as session:
        write_table(path, STAFF.columns, STAFF.iter_rows(session, world.actor("admin"), TableQuery()), "Staff")
    client = TestClient(api_app(api_routes()))
    response = client.get(f"/api/export/{token}")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert 'filename="staff.xlsx"' in response.headers["content-disposition"]
    assert client.get(f"/api/export/{token}").status_code == 404  # one download per export
    for bad in ("nope", "..%2F..%2Fetc", "a" * 32):
        assert client.get(f"/api/export/{bad}").status_code == 404
    assert client.get("/api/health").json() == {"status": "ok"}


def test_counts_stop_at_the_cap_and_say_so():
    from jewelerp.ui.table_query import COUNT_CAP, count_label

    assert count_label(34, 0) == "34"
    assert count_label(COUNT_CAP + 1, 0) == f"{COUNT_CAP:,}+"
    assert count_label(COUNT_CAP + 26, 25) == f"{COUNT_CAP + 25:,}+"
