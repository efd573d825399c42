"""What other modules may use of clienteling: customer lookups, how contact details are shown, the list spec.

Functions that take ``(session, actor)`` check the actor's permission like the page that does the same;
``PII`` names the permission to see full contact details (others see them masked).
"""

from modules.clienteling.contacts import customers_with_contact, remove_wish, set_consent
from modules.clienteling.family import add_occasion, occasion_rows
from modules.clienteling.parsing import parse_phone
from modules.clienteling.services import (
    CHANNELS,
    PII,
    CustomerInput,
    contact_view,
    create_customer,
    get_customer,
    mask_email,
    mask_phone,
    searched_phone,
    shown_phone,
)
from modules.clienteling.tables import CUSTOMERS
from modules.clienteling.wishlist import add_wish, wish_rows

__all__ = [
    "CHANNELS",
    "CUSTOMERS",
    "PII",
    "CustomerInput",
    "add_occasion",
    "add_wish",
    "contact_view",
    "create_customer",
    "customers_with_contact",
    "get_customer",
    "mask_email",
    "mask_phone",
    "occasion_rows",
    "parse_phone",
    "remove_wish",
    "searched_phone",
    "set_consent",
    "shown_phone",
    "wish_rows",
]
