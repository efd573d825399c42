"""Repairs tests run repairs on its own: the repairs × billing bridge (auto-installed with billing) is off,
so money is recorded at the repairs counter. The bridge's own tests are in tests/modules/repairs_billing."""

from __future__ import annotations

import pytest

from jewelerp.core.module_states import disable_module
from jewelerp.db import unit_of_work
from tests.conftest import World, make_world


@pytest.fixture
def world(db) -> World:
    """Stores, staff and every module enabled but the repairs × billing bridge."""
    made = make_world()
    with unit_of_work() as session:
        for store in (made.mum, made.dl):
            disable_module(session, None, "repairs_billing", store)
    return made
