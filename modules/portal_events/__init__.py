"""Portal × events: signed-in portal customers see their store's upcoming events, register with a click and
cancel, and follow their own registrations (confirmed, place on the waiting list, checked in).

A bridge module: it switches on by itself in a store where both the portal and events are enabled, and off with
either, so a store may run the portal without events and events knows nothing of the portal. It owns no tables:
registrations are made through events' api, for the customer the portal session proves (the account's name,
e-mail and confirmed phone), and linked to that customer. Its page ``/portal_events`` is a portal page (public to
the staff shell, checked against the portal session) and is the "My events" entry of the portal's menu.
"""

from jewelerp.registry import Module, Page

MODULE = Module(
    name="portal_events",
    title="Events on the portal",
    version="0.1.0",
    summary="Customers register for the store's events and follow their registrations from the portal.",
    depends=("portal", "events"),
    pages=(
        Page(
            route="/portal_events",
            component="modules.portal_events.page:events_page",
            title="My events",
            on_load="modules.portal_events.page:PortalEventsState.load",
            public=True,
        ),
    ),
    contributions={"portal.menu": ("modules.portal_events.page:MY_EVENTS",)},
    auto_install=True,
)
