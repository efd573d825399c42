"""Repairs tests run repairs on its own: the repairs × billing bridge (auto-installed with billing) is off,
so money is recorded at the repairs counter. The bridge's own tests are in tests/modules/repairs_billing."""

from __future__ import annotations

import pytest

from jewelerp.testing import World, disable_everywhere


@pytest.fixture
def world(world: World) -> World:
    """Stores, staff and every module enabled but the repairs × billing bridge."""
    return disable_everywhere(world, "repairs_billing")
