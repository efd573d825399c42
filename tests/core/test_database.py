"""Migrations agree with the models; money and weights round-trip exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, inspect, select

from jewelerp import migrations
from jewelerp.db import Money, Weight, get_engine, reset_engine


def test_upgrade_from_empty_to_head_matches_the_models(tmp_path, monkeypatch):
    monkeypatch.setenv("JEWELERP_DB_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    reset_engine()
    migrations.upgrade()
    migrations.check()  # raises when models and migrations disagree
    tables = set(inspect(get_engine()).get_table_names())
    assert {"core_store", "core_user", "core_audit_log", "core_module_state", "alembic_version"} <= tables
    reset_engine()


def test_money_and_weight_round_trip_exactly(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'types.db'}")
    meta = MetaData()
    table = Table("t", meta, Column("id", Integer, primary_key=True), Column("m", Money()), Column("w", Weight()))
    meta.create_all(engine)
    values = [(Decimal("123456789.01"), Decimal("10.125")), (Decimal("0.10"), Decimal("0.001")), (None, None)]
    with engine.begin() as conn:
        conn.execute(insert(table), [{"m": m, "w": w} for m, w in values])
        assert conn.execute(select(table.c.m, table.c.w).order_by(table.c.id)).all() == values
        raw = conn.exec_driver_sql("select m, w from t order by id").first()
    assert raw == (12345678901, 10125)  # integer paise and milligrams on disk


def test_sqlite_runs_in_wal_mode(db):
    if get_engine().dialect.name != "sqlite":
        pytest.skip("the journal mode is SQLite's")
    with get_engine().connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
