"""Rupee amounts the way Indian customers read them: ₹1,50,000.50 (lakh and crore grouping)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PAISA = Decimal("0.01")
RUPEE = Decimal("1")
ZERO = Decimal("0.00")


def group_indian(whole: int) -> str:
    """1500000 -> '15,00,000': the last three digits, then pairs."""
    digits = str(abs(whole))
    head, tail = digits[:-3], digits[-3:]
    pairs = []
    while len(head) > 2:
        head, pair = head[:-2], head[-2:]
        pairs.insert(0, pair)
    grouped = ",".join([p for p in (head, *pairs) if p] + [tail])
    return f"-{grouped}" if whole < 0 else grouped


def format_inr(amount: Decimal, *, paise: bool | None = None) -> str:
    """``₹1,50,000`` or ``₹1,50,000.50``; paise are shown when there are any, unless told."""
    value = Decimal(amount).quantize(PAISA, ROUND_HALF_UP)
    whole = int(value)
    fraction = abs(value - whole)
    show_paise = fraction != 0 if paise is None else paise
    sign = "-" if value < 0 else ""
    text = f"₹{group_indian(abs(whole))}"
    if show_paise:
        text += f".{int(fraction * 100):02d}"
    return f"{sign}{text}"
