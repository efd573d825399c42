"""Errors services raise; pages show their message, the CLI prints it on one line."""

from __future__ import annotations


class JewelError(Exception):
    """Base of every expected, user-facing error."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationError(JewelError):
    """Bad input: ``fields`` maps a field name to the message shown beside it."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()) or "Invalid input.")
        self.fields = fields


class PermissionDenied(JewelError):
    """The actor lacks a permission (or the module is off in the store)."""


class ModuleDisabled(PermissionDenied):
    """The module is not enabled in the actor's current store."""


class NotFound(JewelError):
    """The record does not exist (or is not visible to the actor)."""


class AuthError(JewelError):
    """Login or session failure."""


class SessionEnded(AuthError):
    """The browser's session is over (signed out elsewhere, ended by an admin, idle, user deactivated): a page event
    that meets it sends the browser to the sign-in page."""

    def __init__(self) -> None:
        super().__init__("Your session has ended. Sign in again.")


def require_fields(errors: dict[str, str]) -> None:
    """Raise :class:`ValidationError` when ``errors`` is not empty."""
    if errors:
        raise ValidationError(errors)
