"""The actor: who is acting, in which store, with which permissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from jewelerp.db import utcnow
from jewelerp.errors import ModuleDisabled, PermissionDenied


@dataclass(frozen=True)
class Actor:
    """A user (or the system) acting in one store. Services take one and check it."""

    user_id: int | None
    user_name: str
    store_id: int
    store_code: str
    role: str
    permissions: frozenset[str]
    enabled_modules: frozenset[str]
    time_zone: str = "Asia/Kolkata"

    def local(self, moment: datetime) -> datetime:
        """A stored UTC time in the current store's time zone."""
        return moment.astimezone(ZoneInfo(self.time_zone))

    def today(self) -> date:
        """Today's date in the current store's time zone."""
        return self.local(utcnow()).date()

    def can(self, permission: str) -> bool:
        """Whether the actor holds ``permission`` in the current store."""
        return permission in self.permissions

    def require(self, permission: str) -> None:
        """Raise unless the actor holds ``permission``; a disabled module says so."""
        if permission in self.permissions:
            return
        module = permission.split(".", 1)[0]
        if module != "core" and module not in self.enabled_modules:
            raise ModuleDisabled(f"The {module} module is not enabled in this store.")
        raise PermissionDenied("You do not have permission to do this.")

    def require_module(self, module: str) -> None:
        """Raise :class:`ModuleDisabled` unless ``module`` is enabled here."""
        if module != "core" and module not in self.enabled_modules:
            raise ModuleDisabled(f"The {module} module is not enabled in this store.")
