"""Unique HUIDs for tests that receive gold jewellery, which needs one (modules.stock.hallmark)."""

from __future__ import annotations

import itertools

_NEXT = itertools.count(1)


def new_huid() -> str:
    """A HUID no other piece of the test run has: ``T`` and five digits."""
    return f"T{next(_NEXT):05d}"
