"""What other modules may use of the portal: the link type for its menu (``"portal.menu"`` contributions), e.g.
``contributions={"portal.menu": ("modules.portal_events.page:MY_EVENTS",)}`` with
``MY_EVENTS = MenuLink("My events", "/portal_events")`` (a link under ``/portal/`` or under the contributing
module's own routes), and what a page of such a module needs to be a portal page:

- :class:`PortalState`: its handlers start with ``_signed_in()`` (None: return :func:`to_sign_in`) and run their
  work through ``_portal`` (a read) or ``_change`` (a write, then the message and ``_reload``); with
  :class:`LoadMixin` first, its ``load`` (the page's ``on_load``) checks the session and calls ``_reload``;
- the signed-in :class:`Customer`, :class:`NotYours` for a record that is not theirs (answered "not found" and
  logged), :func:`record_number` to read a record id sent by the page, :func:`primary_customer` (the profile new
  records go to);
- the look: :func:`portal_page`, :func:`record_card`, :func:`card_list`, :func:`empty`.

Such pages are ``public`` to the staff shell, as the portal's own are.
"""

from modules.portal.access import Customer, NotYours
from modules.portal.layout import MenuLink, card_list, empty, portal_page, record_card
from modules.portal.records import primary_customer, record_number
from modules.portal.state import LoadMixin, PortalState, to_sign_in

__all__ = [
    "Customer",
    "LoadMixin",
    "MenuLink",
    "NotYours",
    "PortalState",
    "card_list",
    "empty",
    "portal_page",
    "primary_customer",
    "record_card",
    "record_number",
    "to_sign_in",
]
