"""Issue 12, finding 6: no secret or hash ever enters ``core_audit_log``, safe by default.

Every mapped table is walked: each audited column whose name looks secret must be masked, whether or not
its model lists it in ``__audit_masked__``; a future model with a ``*_token`` or ``*_hash`` column fails
here until it is masked (automatically, by name) or explained below.
"""

from __future__ import annotations

import json
import re
import typing

from sqlalchemy import inspect, select
from sqlmodel import SQLModel

from jewelerp.core.audit import MASK, masked_columns, record_refusal
from jewelerp.core.models import AuditLog, StoreSetting
from jewelerp.db import read_session
from jewelerp.registry import get_registry

SECRET_NAME = re.compile(r"hash|pass|secret|token|otp|pin|salt|key|cred|nonce|signature")
NOT_SECRET = {
    ("core_store_setting", "key"): "the setting's name; a secret setting's value is masked by the row",
    ("clienteling_follow_up", "source_key"): "which occasion or event raised the follow-up",
}


def _holds_text(model: type, name: str) -> bool:
    """Whether the model's field is declared as text (a flag, number or time holds no secret)."""
    annotation = model.model_fields[name].annotation
    return annotation is str or str in typing.get_args(annotation)


def _secret_looking_columns() -> list[tuple[type, str]]:
    get_registry().import_models()
    found = []
    for mapper in SQLModel._sa_registry.mappers:
        model = mapper.class_
        if not getattr(model, "__audit__", True):
            continue  # never written to the log
        for attr in inspect(model).column_attrs:
            key = (model.__tablename__, attr.key)
            if SECRET_NAME.search(attr.key) and _holds_text(model, attr.key) and key not in NOT_SECRET:
                found.append((model, attr.key))
    return found


def test_every_audited_column_with_a_secret_looking_name_is_masked():
    columns = _secret_looking_columns()
    assert {(m.__tablename__, c) for m, c in columns} >= {
        ("core_user", "password_hash"),
        ("loyalty_member", "pin_hash"),
        ("loyalty_member", "pin_code_hash"),
        ("stock_piece", "public_token"),
        ("repairs_job", "public_token"),
    }
    leaking = [f"{model.__tablename__}.{column}" for model, column in columns if column not in masked_columns(model())]
    assert leaking == []  # before: loyalty_member.pin_hash, stock_piece.public_token, repairs_job.public_token


def test_secret_settings_and_postal_pin_codes():
    for key in get_registry().secret_settings():
        assert "value" in masked_columns(StoreSetting(store_id=1, key=key, value="x"))
    assert "value" not in masked_columns(StoreSetting(store_id=1, key="billing.discount_limit_pct", value="5"))


def test_a_refusal_never_logs_a_secret_detail(db):
    record_refusal("login", "198.51.100.4", {"email": "a@test.in", "password": "hunter2-x", "otp": "493817"})
    with read_session() as session:
        row = session.scalars(select(AuditLog).where(AuditLog.record_id == "login")).one()
    changes = json.loads(row.changes)
    assert "hunter2-x" not in row.changes and "493817" not in row.changes  # before: both in the log
    assert (changes["password"], changes["otp"], changes["email"]) == ([None, MASK], [None, MASK], [None, "a@test.in"])
