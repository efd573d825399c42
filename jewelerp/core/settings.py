"""Per-store settings declared by manifests, stored as JSON, typed by their default.

A ``secret`` setting (the SMTP password) is stored encrypted, as ``{"fernet": "<token>"}`` made with
the secret key of :mod:`jewelerp.keys`; it is decrypted only where it is used. A value saved in plain
text by an older version still reads, and is encrypted by the next save or by ``jewelerp db upgrade``
(:func:`encrypt_plain_secrets`).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.core.models import StoreSetting
from jewelerp.errors import JewelError, ValidationError
from jewelerp.keys import decrypt_secret, encrypt_secret
from jewelerp.registry import Module, Setting, get_registry

ENCRYPTED = "fernet"
SECRET_MASK = "••••••••"  # what a saved secret reads as on the settings page


def _declared(key: str) -> tuple[Module, Setting]:
    for module in get_registry().modules:
        for setting in module.settings:
            if setting.key == key:
                return module, setting
    raise JewelError(f"Unknown setting '{key}'.")


def _encode(setting: Setting, value: Any) -> str:
    stored = json.dumps(str(value) if isinstance(value, Decimal) else value)
    if setting.secret and value:
        return json.dumps({ENCRYPTED: encrypt_secret(stored)})
    return stored


def _decode(setting: Setting, stored: str) -> Any:
    value = json.loads(stored)
    if setting.secret and isinstance(value, dict):
        value = json.loads(decrypt_secret(value[ENCRYPTED]))
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
    stored = _encode(setting, value)
    row = session.get(StoreSetting, (store_id, key)) or StoreSetting(store_id=store_id, key=key, value=stored)
    row.value = stored
    session.add(row)
    session.flush()
    return value


def _shown(setting: Setting, stored: str | None) -> Any:
    """The value the settings page may hold: a saved secret is never decrypted there."""
    if stored is None:
        return setting.default
    if setting.secret:
        return SECRET_MASK if json.loads(stored) else ""
    return _decode(setting, stored)


def store_settings(session: Session, store_id: int, modules: set[str]) -> list[tuple[Module, Setting, Any]]:
    """Every setting of the given modules with the store's current value (a saved secret as SECRET_MASK)."""
    stored = {row.key: row.value for row in session.exec(select(StoreSetting).where(StoreSetting.store_id == store_id))}
    result = []
    for module in get_registry().modules:
        if module.name in modules:
            for setting in module.settings:
                result.append((module, setting, _shown(setting, stored.get(setting.key))))
    return result


def encrypt_plain_secrets(session: Session) -> int:
    """Encrypt secret settings an older version saved in plain text; returns how many were encrypted."""
    count = 0
    for row in session.exec(select(StoreSetting).where(StoreSetting.key.in_(get_registry().secret_settings()))):
        value = json.loads(row.value)
        if isinstance(value, str) and value:
            row.value = _encode(_declared(row.key)[1], value)
            session.add(row)
            count += 1
    session.flush()
    return count
