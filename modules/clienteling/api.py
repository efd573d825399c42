"""What other modules may use of clienteling: customer lookups, how contact details are shown, the list spec,
customers found by a proved contact address, consent to one channel, wishes and occasions, and service cases as
the customer sees them.

Functions that take ``(session, actor)`` check the actor's permission like the page that does the same;
``PII`` names the permission to see full contact details (others see them masked). The case functions
(``open_customer_case``, ``customer_cases``, ``add_customer_reply``) take no actor: they are scoped to the
customer id the caller passes, which a portal must take from its signed-in customer, never from the browser.
"""

from modules.clienteling.case_portal import (
    PublicCase,
    PublicNote,
    add_customer_reply,
    customer_cases,
    open_customer_case,
)
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
    "PublicCase",
    "PublicNote",
    "add_customer_reply",
    "add_occasion",
    "add_wish",
    "contact_view",
    "create_customer",
    "customer_cases",
    "customers_with_contact",
    "get_customer",
    "mask_email",
    "mask_phone",
    "occasion_rows",
    "open_customer_case",
    "parse_phone",
    "remove_wish",
    "searched_phone",
    "set_consent",
    "shown_phone",
    "wish_rows",
]
