"""Migrations agree with the models; money and weights round-trip exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, inspect, select

from jewelerp import migrations
from jewelerp.db import Money, Weight, get_engine


def test_upgrade_from_empty_to_head_matches_the_models(empty_db):
    migrations.upgrade()
    migrations.check()  # raises when models and migrations disagree
    tables = set(inspect(get_engine()).get_table_names())
    assert {"core_store", "core_user", "core_audit_log", "core_module_state", "alembic_version"} <= tables


def test_search_indexes_exist_after_an_upgrade(empty_db):
    migrations.upgrade()
    found = inspect(get_engine())
    if get_engine().dialect.name == "sqlite":  # FTS5 trigram tables
        assert {"clienteling_customer_fts", "stock_piece_fts"} <= set(found.get_table_names())
    else:  # pg_trgm GIN indexes on what the LIKE searches read
        with get_engine().connect() as conn:
            names = set(
                conn.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_trgm'").scalars()
            )
        assert {"clienteling_customer_name_trgm", "clienteling_customer_phone_trgm", "stock_piece_sku_trgm"} <= names
        assert "stock_certificate_report_number_trgm" in names


def test_money_and_weight_round_trip_exactly(empty_db):
    engine = create_engine(empty_db)
    meta = MetaData()
    table = Table("t", meta, Column("id", Integer, primary_key=True), Column("m", Money()), Column("w", Weight()))
    meta.create_all(engine)
    values = [(Decimal("123456789.01"), Decimal("10.125")), (Decimal("0.10"), Decimal("0.001")), (None, None)]
    with engine.begin() as conn:
        conn.execute(insert(table), [{"m": m, "w": w} for m, w in values])
        assert conn.execute(select(table.c.m, table.c.w).order_by(table.c.id)).all() == values
        raw = conn.exec_driver_sql("select m, w from t order by id").first()
    engine.dispose()
    assert raw == (12345678901, 10125)  # integer paise and milligrams on disk


def test_sqlite_runs_in_wal_mode(db):
    if get_engine().dialect.name != "sqlite":
        pytest.skip("the journal mode is SQLite's")
    with get_engine().connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
