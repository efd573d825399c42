"""Audit log: field-level before/after for creates, edits and deletes; nothing on rollback."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from jewelerp.core.models import AuditLog, Store, User
from jewelerp.core.stores import StoreInput, save_store
from jewelerp.core.users import UserInput, reset_password, update_user
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import ValidationError


def _rows(record_type: str) -> list[AuditLog]:
    with read_session() as session:
        return list(session.exec(select(AuditLog).where(AuditLog.record_type == record_type).order_by(AuditLog.id)))


def test_edit_records_who_when_store_and_changed_fields(world):
    admin = world.actor("admin")
    with unit_of_work(admin) as session:
        update_user(session, admin, world.users["sales"], UserInput("Sales Two", "sales@test.in", "+91 99999 00000"))
    row = _rows("core_user")[-1]
    assert (row.action, row.user_id, row.user_name, row.store_id) == ("update", admin.user_id, "Admin", world.mum)
    assert json.loads(row.changes) == {"name": ["Sales", "Sales Two"], "phone": ["", "+91 99999 00000"]}
    assert row.record_id == str(world.users["sales"])


def test_password_changes_are_audited_without_the_hash(world):
    admin = world.actor("admin")
    with unit_of_work(admin) as session:
        reset_password(session, admin, world.users["sales"], "fresh-pass-77")
    changes = json.loads(_rows("core_user")[-1].changes)
    assert changes == {"password_hash": ["••••", "••••"]}


def test_create_and_delete_are_recorded(world):
    admin = world.actor("admin")
    with unit_of_work(admin) as session:
        store = save_store(session, admin, StoreInput("pun", "Pune", "FC Road", "Maharashtra"))
    created = _rows("core_store")[-1]
    assert created.action == "create" and json.loads(created.changes)["code"] == [None, "PUN"]
    with unit_of_work(admin) as session:
        session.delete(session.get(Store, store.id))
    deleted = _rows("core_store")[-1]
    assert deleted.action == "delete" and json.loads(deleted.changes)["name"] == ["Pune", None]


def test_failed_write_leaves_no_change_and_no_audit_row(world):
    admin = world.actor("admin")
    before = len(_rows("core_store"))
    with pytest.raises(ValidationError) as err, unit_of_work(admin) as session:
        save_store(session, admin, StoreInput("P", "", "", "", gstin="123", time_zone="Mars/Base", currency="rupee"))
    assert set(err.value.fields) == {"code", "name", "state_code", "gstin", "time_zone", "currency"}
    with pytest.raises(RuntimeError), unit_of_work(admin) as session:
        session.add(Store(code="NSK", name="Nashik", state="Maharashtra"))
        session.flush()
        raise RuntimeError("power cut")
    assert len(_rows("core_store")) == before
    with read_session() as session:
        assert session.exec(select(Store).where(Store.code == "NSK")).first() is None


def test_duplicate_email_is_refused_beside_the_field(world):
    admin = world.actor("admin")
    with pytest.raises(ValidationError) as err, unit_of_work(admin) as session:
        update_user(session, admin, world.users["sales"], UserInput("X", "ADMIN@test.in"))
    assert err.value.fields == {"email": "Another account already uses this email."}
    with read_session() as session:
        assert session.get(User, world.users["sales"]).name == "Sales"
