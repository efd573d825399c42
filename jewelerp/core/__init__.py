"""Core records every module relies on: stores, users, roles, settings, modules, audit."""

from jewelerp.core import audit as _audit  # noqa: F401 - installs the audit hook on every session
