"""The add-on tests drive ``examples/jewelerp_engraving`` installed in the overlay (tests/addon/overlay.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.addon.overlay import ensure_overlay


@pytest.fixture
def overlay_python() -> Iterator[Path]:
    """The overlay's python, with jewelerp and the add-on importable; a test that uninstalled the add-on from it
    (as the documented walk-through does) leaves it installed again."""
    yield ensure_overlay()
    ensure_overlay()
