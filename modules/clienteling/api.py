"""What other modules may use of clienteling: customer lookups, how contact details are shown, the list spec,
and service cases as the customer sees them.

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
    "PublicCase",
    "PublicNote",
    "add_customer_reply",
    "contact_view",
    "customer_cases",
    "get_customer",
    "mask_email",
    "mask_phone",
    "open_customer_case",
    "parse_phone",
    "searched_phone",
    "shown_phone",
]
