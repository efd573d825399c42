"""Every payments test runs with the test gateway chosen in both stores (no store has a gateway by default)."""

from __future__ import annotations

import pytest

from tests.modules.payments.webhooks import use_test_gateway


@pytest.fixture(autouse=True)
def test_gateway(world) -> None:
    """Both stores pay through the test gateway."""
    use_test_gateway(world)
