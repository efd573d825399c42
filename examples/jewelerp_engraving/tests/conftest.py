"""The engraving add-on's tests. ``db``, ``install_data``, ``world`` and ``run_as`` come from the
``jewelerp.testing`` plugin that installing jewelerp registers; a sale to engrave on comes from here."""

from __future__ import annotations

import pytest
from engraving_sales import Sale, sell_a_ring

from jewelerp.testing import World


@pytest.fixture
def sale(world: World, install_data: list[str]) -> Sale:
    """An issued invoice of MUM selling one silver ring, made by MUM's manager."""
    return sell_a_ring(world.actor("manager"))
