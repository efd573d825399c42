"""Events and webinars: trunk shows, bridal previews and webinars of a store, invitations to clienteling
segments, a public registration page with a waiting list, confirmations with a calendar file and a QR ticket,
the day-before reminder, and check-in at the door by scanning the ticket.

Registration and customers (decided here): the public page asks for a name, an e-mail address (the confirmation
goes there), an optional phone and consent to be contacted. A registration is linked to a clienteling customer
only when it came through that customer's own invitation link (``/events/e/<event token>?i=<invitation
token>``), never by a typed e-mail or phone, since anyone can type another person's details; staff can link the
others by hand on the event page (modules.events.registrations, modules.events.detail).

Public routes (``core.api_routes``, modules.events.public): ``/events/e/<token>`` (the event and the form),
``/events/cancel/<token>`` (the registrant's cancel link). The check-in page ``/events/checkin/<ticket>`` is a
page of the app: it needs a signed-in person with ``events.checkin`` in the event's store.

Attendance is shown on the customer 360 page (``clienteling.customer360``). An event's audience may be, besides
clienteling's segments, the customers who came to a past event of the store or who registered for an event
(modules.events.audience); their consent and contacts come from clienteling's api.

Staff change an event until it starts, call it off with a reason (records kept, registrants told), and cancel a
registration for someone who asked (modules.events.changes), all with ``events.event.manage``.

It emits no events and declares no extension points.
"""

from jewelerp.registry import Job, MenuEntry, Module, Page, Permission, Setting

MODULE = Module(
    name="events",
    title="Events and webinars",
    version="0.1.0",
    summary="Trunk shows, bridal previews and webinars: invitations, registration, waiting list, check-in.",
    depends=("clienteling",),
    models=("modules.events.models",),
    permissions=(
        Permission("events.event.view", "See events and their registrations", ("manager", "sales")),
        Permission(
            "events.event.manage", "Create, change and cancel events and registrations, invite customers", ("manager",)
        ),
        Permission("events.checkin", "Check registrants in at the door", ("manager", "sales")),
    ),
    pages=(
        Page(
            "/events",
            "modules.events.pages:events_page",
            "Events",
            "events.event.view",
            MenuEntry("Events", "calendar-days", 15),
            "modules.events.pages:EventsTable.open_page",
        ),
        Page(
            "/events/[event_id]",
            "modules.events.event_page:event_page",
            "Event",
            "events.event.view",
            None,
            "modules.events.event_page:EventState.load",
        ),
        Page(
            "/events/checkin/[ticket_token]",
            "modules.events.checkin_page:checkin_page",
            "Check-in",
            "events.checkin",
            None,
            "modules.events.checkin_page:CheckInState.load",
        ),
    ),
    settings=(
        Setting(
            "events.public_base_url",
            "Public address of the event pages",
            "http://localhost:8000",
            "Invitations link to <this address>/events/e/...; tickets' QR codes to <this address>/events/checkin/...",
        ),
    ),
    jobs=(Job("events.remind", "0 * * * *", "modules.events.jobs:remind", "Remind registrants the day before"),),
    contributions={
        "core.api_routes": ("modules.events.public:routes",),
        "clienteling.customer360": ("modules.events.customer:customer_events",),
    },
    demo_data="modules.events.demo:load",
)
