"""Ring and bangle sizes as Indian jewellers use them."""

from __future__ import annotations

import math

BANGLE_SIZES = ("2.2", "2.4", "2.6", "2.8", "2.10", "2.12", "2.14")


def us_ring_size(indian: int) -> str:
    """The US size for an Indian ring size (Indian n ≈ 40 + n mm inner circumference), to the half size."""
    circumference = 40 + indian
    diameter = circumference / math.pi
    us = (diameter - 11.63) / 0.8128
    half = round(us * 2) / 2
    return f"{half:g}"
