"""Amounts in words the Indian way, as printed on invoices and receipts.

``₹12,34,567.50`` reads "Rupees Twelve Lakh Thirty-Four Thousand Five Hundred Sixty-Seven and Fifty
Paise Only": crore (1,00,00,000), lakh (1,00,000), thousand and hundred; tens joined with a hyphen;
paise only when there are any. A number of crores of 100 or more is itself read the Indian way
("One Thousand Crore").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = ("Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine")
TEENS = ("Ten", "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen")
ONES = DIGITS + TEENS  # 0-19
TENS = ("", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety")
# Largest first; the crore count is read recursively so it may be any size.
SCALES = ((10_000_000, "Crore"), (100_000, "Lakh"), (1_000, "Thousand"), (100, "Hundred"))
PAISA = Decimal("0.01")


def _below_hundred(number: int) -> str:
    if number < 20:
        return ONES[number]
    tens, ones = divmod(number, 10)
    return TENS[tens] + (f"-{ONES[ones]}" if ones else "")


def number_in_words(number: int) -> str:
    """A whole number of 0 or more in words with Indian scales: 123456 -> "One Lakh Twenty-Three Thousand ..."."""
    if number < 0:
        raise ValueError("number_in_words takes 0 or more.")
    if number < 100:
        return _below_hundred(number)
    words: list[str] = []
    rest = number
    for size, name in SCALES:
        count, rest = divmod(rest, size)
        if count:
            words.append(f"{number_in_words(count)} {name}")
    if rest:
        words.append(_below_hundred(rest))
    return " ".join(words)


def amount_in_words(amount: Decimal) -> str:
    """Rupees (and paise when there are any) in words, e.g. "Rupees One Hundred One Only".

    The amount is taken to the paisa (half up). Zero reads "Rupees Zero Only", fifty paise alone
    "Fifty Paise Only", and a negative amount (a refund) starts with "Minus".
    """
    value = Decimal(amount).quantize(PAISA, ROUND_HALF_UP)
    sign = "Minus " if value < 0 else ""
    rupees, fraction = divmod(abs(value), 1)
    paise = int(fraction * 100)
    if paise and not rupees:
        return f"{sign}{_below_hundred(paise)} Paise Only"
    text = f"{sign}Rupees {number_in_words(int(rupees))}"
    if paise:
        text += f" and {_below_hundred(paise)} Paise"
    return f"{text} Only"
