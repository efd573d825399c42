"""Other modules add sections to the portal's menu: portal pages or their own pages; a link elsewhere is left out."""

from __future__ import annotations

from jewelerp.registry import Module, discover
from modules.portal import layout
from modules.portal.api import MenuLink

MY_EVENTS = MenuLink("My events", "/portal/events")
OWN = MenuLink("Gatherings", "/gatherings/upcoming")
ELSEWHERE = MenuLink("Staff page", "/billing/invoices")
LOOKALIKE = MenuLink("Look-alike", "/gatherings-admin")
EVENTS = Module(
    name="gatherings",  # a test double: the real events module is installed beside it
    title="Events",
    version="0.1.0",
    summary="Test double",
    depends=("portal",),
    contributions={
        "portal.menu": tuple(f"{__name__}:{link}" for link in ("MY_EVENTS", "OWN", "ELSEWHERE", "LOOKALIKE"))
    },
)


def test_a_contributed_section_follows_the_portals_own(monkeypatch):
    registry = discover(extra=(EVENTS,))
    assert not [p for p in registry.check() if "gatherings" in p]
    monkeypatch.setattr(layout, "get_registry", lambda: registry)
    menu = layout.menu()
    assert menu[: len(layout.SECTIONS)] == list(layout.SECTIONS)
    assert sorted(menu[len(layout.SECTIONS) :]) == [
        ("Gatherings", "/gatherings/upcoming"),
        ("My events", "/portal/events"),
        ("My events", "/portal_events"),  # the portal-events bridge's own page
    ]
