"""Engraving: a salesperson records what a customer wants engraved on a piece of an invoice; the workshop
sees the list, staff hear of what is due each day, and a cancelled invoice cancels its open requests.

A JewelERP add-on installed with pip (entry point ``jewelerp.modules``). It uses billing only through
``modules.billing.api`` and emits no events.
"""

from jewelerp.registry import EventHandler, Job, MenuEntry, Module, Page, Permission

MODULE = Module(
    name="engraving",
    title="Engraving",
    version="1.0.0",
    summary="Engraving requests on sold pieces, from the counter to the workshop.",
    depends=("billing",),
    models=("jewelerp_engraving.models",),
    permissions=(
        Permission("engraving.request.manage", "Take and follow engraving requests", ("admin", "manager", "sales")),
    ),
    pages=(
        Page(
            route="/engraving",
            component="jewelerp_engraving.pages:requests_page",
            title="Engraving",
            permission="engraving.request.manage",
            menu=MenuEntry("Engraving", icon="pen-tool", order=45),
            on_load="jewelerp_engraving.pages:RequestsState.open_page",
        ),
    ),
    jobs=(
        Job("engraving.due_today", "0 9 * * *", "jewelerp_engraving.jobs:due_today", "Tell staff what is due today"),
    ),
    events=(
        EventHandler(
            "billing.invoice", "cancelled", "jewelerp_engraving.handlers:invoice_cancelled", phase="after_commit"
        ),
    ),
)
