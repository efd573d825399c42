"""Per-store settings declared by manifests, stored as JSON, typed by their default."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.core.models import StoreSetting
from jewelerp.errors import JewelError, ValidationError
from jewelerp.registry import Module, Setting, get_registry


def _declared(key: str) -> tuple[Module, Setting]:
    for module in get_registry().modules:
        for setting in module.settings:
            if setting.key == key:
                return module, setting
    raise JewelError(f"Unknown setting '{key}'.")


def _decode(setting: Setting, stored: str) -> Any:
    value = json.loads(stored)
    return Decimal(value) if isinstance(setting.default, Decimal) else value


def get_setting(session: Session, store_id: int, key: str) -> Any:
    """The store's value for ``key``, or the manifest default."""
    _module, setting = _declared(key)
    row = session.get(StoreSetting, (store_id, key))
    return setting.default if row is None else _decode(setting, row.value)


def parse_setting(setting: Setting, raw: str) -> Any:
    """Turn what a person typed into the setting's type, or raise ValidationError."""
    default, text = setting.default, raw.strip()
    try:
        if isinstance(default, bool):
            if text.lower() not in {"true", "false", "yes", "no", "1", "0", "on", "off"}:
                raise ValueError
            return text.lower() in {"true", "yes", "1", "on"}
        if isinstance(default, int):
            return int(text)
        if isinstance(default, Decimal):
            return Decimal(text)
    except (ValueError, InvalidOperation):
        kind = {bool: "yes or no", int: "a whole number", Decimal: "a number"}[type(default)]
        raise ValidationError({setting.key: f"{setting.label}: enter {kind}."}) from None
    return text


def set_setting(session: Session, actor: Actor, store_id: int, key: str, raw: str) -> Any:
    """Store a new value for the store (manager or admin); returns the parsed value."""
    actor.require("core.settings.manage")
    module, setting = _declared(key)
    actor.require_module(module.name)
    value = parse_setting(setting, raw)
    stored = json.dumps(str(value) if isinstance(value, Decimal) else value)
    row = session.get(StoreSetting, (store_id, key)) or StoreSetting(store_id=store_id, key=key, value=stored)
    row.value = stored
    session.add(row)
    session.flush()
    return value


def store_settings(session: Session, store_id: int, modules: set[str]) -> list[tuple[Module, Setting, Any]]:
    """Every setting of the given modules with the store's current value."""
    stored = {row.key: row.value for row in session.exec(select(StoreSetting).where(StoreSetting.store_id == store_id))}
    result = []
    for module in get_registry().modules:
        if module.name in modules:
            for setting in module.settings:
                value = _decode(setting, stored[setting.key]) if setting.key in stored else setting.default
                result.append((module, setting, value))
    return result
