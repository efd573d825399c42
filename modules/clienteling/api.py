"""What other modules may use of clienteling: customer lookups, how contact details are shown, the list spec.

Functions that take ``(session, actor)`` check the actor's permission like the page that does the same;
``PII`` names the permission to see full contact details (others see them masked).
"""

from modules.clienteling.parsing import parse_phone
from modules.clienteling.services import (
    PII,
    contact_view,
    get_customer,
    mask_email,
    mask_phone,
    searched_phone,
    shown_phone,
)
from modules.clienteling.tables import CUSTOMERS

__all__ = [
    "CUSTOMERS",
    "PII",
    "contact_view",
    "get_customer",
    "mask_email",
    "mask_phone",
    "parse_phone",
    "searched_phone",
    "shown_phone",
]
