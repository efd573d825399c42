"""Customers: validation, E.164 phones, duplicates, masking, search by any phone format, export."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from jewelerp.core.module_states import disable_module
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import ModuleDisabled, PermissionDenied, ValidationError
from jewelerp.registry import get_registry
from jewelerp.ui.table_query import TableQuery
from jewelerp.xlsx_export import write_table
from modules.clienteling.parsing import normalize_phone
from modules.clienteling.services import METALS, CustomerInput, create_customer
from modules.clienteling.tables import CUSTOMERS


def _add(actor, **fields):
    with unit_of_work(actor) as session:
        return create_customer(session, actor, CustomerInput(**fields))


def _list(actor, **query):
    with read_session() as session:
        return CUSTOMERS.fetch(session, actor, TableQuery(**query))


def test_phone_in_any_format_is_stored_in_e164(world):
    sales = world.actor("sales")
    customer = _add(
        sales, name="  Priya   Shah ", phone="098200-12345", email="Priya@Example.IN", tags="Bridal, gold,bridal"
    )
    assert (customer.name, customer.phone, customer.email) == ("Priya Shah", "+919820012345", "priya@example.in")
    assert customer.tags == "bridal, gold"
    assert normalize_phone("+1 650 253 0000") == "+16502530000"


def test_bad_input_is_refused_field_by_field_and_nothing_is_saved(world):
    sales = world.actor("sales")
    with pytest.raises(ValidationError) as err:
        _add(sales, name="", phone="12", email="not-an-email", date_of_birth="2990-01-01", anniversary="23/04/1990")
    assert set(err.value.fields) == {"name", "phone", "email", "date_of_birth", "anniversary"}
    with pytest.raises(ValidationError, match="Give a phone number or an email"):
        _add(sales, name="Nobody")
    assert _list(world.actor("manager"))[1] == 0


def test_duplicate_phone_names_the_existing_customer(world):
    sales = world.actor("sales")
    first = _add(sales, name="Arjun Mehta", phone="+91 98200 11111")
    with pytest.raises(ValidationError) as err:
        _add(sales, name="A. Mehta", phone="9820011111")
    assert err.value.fields["phone"] == f"Arjun Mehta (customer #{first.id}) already has this phone."


def test_search_finds_a_phone_typed_any_way_and_respects_the_store(world):
    sales, manager = world.actor("sales"), world.actor("manager", world.dl)
    _add(sales, name="Kavya Iyer", phone="+91 98200 22222", tags="diamonds")
    _add(sales, name="Rohan Das", email="rohan@example.in")
    for typed in ("98200-22222", "+91 9820022222", "kavya", "DIAMONDS"):
        rows, total = _list(world.actor("manager"), search=typed)
        assert total == 1 and rows[0]["name"] == "Kavya Iyer", typed
    assert _list(manager)[1] == 0  # Delhi sees only its own customers...
    assert _list(manager, filters={"scope": "all"})[1] == 2  # ...unless it asks for every store


def test_contact_details_are_masked_without_the_pii_permission(world):
    _add(world.actor("sales"), name="Zoya Khan", phone="+91 98200 33333", email="zoya.khan@example.in")
    masked = _list(world.actor("sales"))[0][0]
    assert (masked["phone"], masked["email"]) == ("+91 •••••• 3333", "z•••@example.in")
    full = _list(world.actor("manager"))[0][0]
    assert (full["phone"], full["email"]) == ("+91 98200 33333", "zoya.khan@example.in")


def test_permissions_and_disabled_module_are_enforced_on_the_server(world):
    with pytest.raises(PermissionDenied):
        _add(world.actor("designer"), name="X", phone="9820044444")
    admin = world.actor("admin")
    with unit_of_work(admin) as session:
        for name in [*reversed(get_registry().dependents("clienteling")), "clienteling"]:  # what needs it goes first
            disable_module(session, admin, name, world.mum)
    with pytest.raises(ModuleDisabled):
        _list(world.actor("manager"))


def test_export_writes_filtered_rows_and_never_formulas(world, tmp_path):
    sales = world.actor("sales")
    _add(sales, name='=HYPERLINK("http://evil")', phone="9820055555")
    _add(sales, name="Meera Nair", phone="9820066666")
    path = tmp_path / "customers.xlsx"
    with read_session() as session:
        rows = CUSTOMERS.iter_rows(session, world.actor("manager"), TableQuery(search="98200 55555"))
        assert write_table(path, CUSTOMERS.columns, rows, CUSTOMERS.title) == 1
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[2]][:2] == ["Name", "Phone"]
    cell = sheet["A3"]
    assert cell.value == '=HYPERLINK("http://evil")' and cell.data_type == "s"
    assert sheet["H3"].is_date and sheet["H3"].number_format == "dd mmm yyyy"  # customer since: a date


def test_the_search_index_follows_edits_and_matches_the_plain_scan(world, monkeypatch):
    from modules.clienteling import tables
    from modules.clienteling.services import update_customer

    manager = world.actor("manager")
    customer = _add(manager, name="Old Name", phone="9820077777", tags="polki")
    with unit_of_work(manager) as session:
        update_customer(
            session, manager, customer.id, CustomerInput(name="Harpreet Kaur", phone="9820077777", tags="solitaire")
        )
    assert _list(manager, search="old name")[1] == 0
    assert _list(manager, search="polki")[1] == 0
    assert [r["name"] for r in _list(manager, search="harpreet")[0]] == ["Harpreet Kaur"]
    assert _list(manager, search="solit")[1] == 1
    typed = ("harpreet", "98200 77777", "solit", "kaur")
    indexed = [_list(manager, search=t)[1] for t in typed]
    monkeypatch.setattr(tables, "indexed_search", lambda _typed, contacts: None)  # the LIKE scan other databases use
    assert [_list(manager, search=t)[1] for t in typed] == indexed == [1, 1, 1, 1]


def test_on_postgresql_the_search_is_answered_from_the_trigram_indexes(world):
    from sqlalchemy import select

    from jewelerp.db import get_engine
    from modules.clienteling.models import Customer
    from modules.clienteling.tables import customer_search

    if get_engine().dialect.name != "postgresql":
        pytest.skip("SQLite answers from its FTS5 table (the test above)")
    manager = world.actor("manager")
    _add(manager, name="Harpreet Kaur", phone="9820077777", tags="solitaire")
    statement = select(Customer.id).where(customer_search(manager, "harpr 9820077"))  # the search, as the list adds it
    with get_engine().connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")  # a handful of rows: make the planner show what it can use
        compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})
        plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
    used = {
        name for name in ("name", "tags", "email", "phone", "alt_phone") if f"clienteling_customer_{name}_trgm" in plan
    }
    assert used == {"name", "tags", "email", "phone", "alt_phone"}, plan
    assert [r["name"] for r in _list(manager, search="HARPR")[0]] == ["Harpreet Kaur"]  # any case, as on SQLite


def test_on_postgresql_the_metal_filter_reads_its_trigram_index(world):
    from sqlalchemy import select

    from jewelerp.db import get_engine
    from modules.clienteling.models import Customer
    from modules.clienteling.search_index import METAL_LIST

    if get_engine().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: its planner needs the expression's index to know how common a metal is")
    statement = select(Customer.id).where(METAL_LIST.like("%, platinum,%"))  # as the list's filter writes it
    with get_engine().connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})
        plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
    assert "clienteling_customer_pref_metals_trgm" in plan, plan


def test_the_metal_filter_matches_one_metal_whole_in_the_list(world):
    manager = world.actor("manager")
    for name, metals in (("Asha", "rose gold"), ("Bina", "gold, silver"), ("Chitra", "silver, white gold, gold")):
        _add(manager, name=name, email=f"{name.lower()}@example.in", pref_metals=metals)
    found = {metal: sorted(r["name"] for r in _list(manager, filters={"metal": metal})[0]) for metal in METALS}
    assert found == {
        "gold": ["Bina", "Chitra"],  # not "rose gold" or "white gold"
        "white gold": ["Chitra"],
        "rose gold": ["Asha"],
        "platinum": [],
        "silver": ["Bina", "Chitra"],
    }
