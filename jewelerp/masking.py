"""Masks for personal data shown to staff without the permission to see it in full.

Pages call these when the actor lacks ``clienteling.customer.pii``; the full value stays in the
database and in services. Every mask keeps only what staff need to tell two records apart.
"""

from __future__ import annotations

HIDDEN = "•"


def mask_pan(pan: str) -> str:
    """A PAN with all but its last 4 characters hidden: ``ABCDE1234F`` -> ``••••••234F``.

    The last four (three digits and the check letter) are enough to match a card the customer shows;
    the first five (holder type and surname initial) are hidden with the rest. Empty stays empty.
    """
    return mask_id(pan)


def mask_id(number: str) -> str:
    """An identity document's number with all but its last 4 characters hidden, spaces dropped:
    ``A1234567`` -> ``••••4567``, ``MH12 20110012345`` -> ``•••••••••••2345``. Empty stays empty."""
    text = "".join(number.split()).upper()
    if len(text) <= 4:
        return HIDDEN * len(text)
    return HIDDEN * (len(text) - 4) + text[-4:]
