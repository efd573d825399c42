"""Install data: the records a store needs before its first piece, invoice or job, apart from demo data.

A module names one function in its manifest, ``install_data="modules.stock.masters:ensure_default_masters"``,
called as ``fn(session)`` in the installer's transaction. It loads chain-wide master data (metals and
purities, categories, tax classes) and must be idempotent: it adds only the rows that are missing, found by
a key an admin does not edit (a code; a metal and its fineness), and never updates a row that exists. So a
second run adds nothing and an admin's changes (a renamed category, a new tax rate) stay.

``jewelerp db upgrade`` runs every installed module's install data after the migrations, dependencies
first (billing's tax classes after stock's metals). Per-store data has no place here: a module's per-store
defaults are its manifest ``settings``, which need no rows.
"""

from __future__ import annotations

from sqlmodel import Session

from jewelerp.errors import JewelError
from jewelerp.registry import Module, Registry, call, get_registry


class InstallDataError(JewelError):
    """A module's install data failed; the message names the module and its ``install_data``."""


def run_install_data(session: Session, module: Module) -> bool:
    """Load ``module``'s install data; False when it declares none.

    Any failure raises :class:`InstallDataError` in one line naming the module; the caller's transaction
    then rolls back, so the database keeps none of it.
    """
    if not module.install_data:
        return False
    try:
        call(module.install_data)(session)
    except Exception as exc:
        reason = exc.message if isinstance(exc, JewelError) else f"{type(exc).__name__}: {exc}"
        raise InstallDataError(
            f"module '{module.name}': install_data '{module.install_data}' failed: {reason}"
        ) from exc
    return True


def load_install_data(session: Session, registry: Registry | None = None) -> list[str]:
    """Load the install data of every module in ``registry`` (the installed ones), dependencies first.

    Returns the names of the modules whose install data ran.
    """
    registry = registry or get_registry()
    return [module.name for module in registry.modules if run_install_data(session, module)]
