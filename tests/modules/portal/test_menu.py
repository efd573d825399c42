"""Other modules add sections to the portal's menu; a link outside the portal is left out."""

from __future__ import annotations

from jewelerp.registry import Module, discover
from modules.portal import layout
from modules.portal.api import MenuLink

MY_EVENTS = MenuLink("My events", "/portal/events")
ELSEWHERE = MenuLink("Staff page", "/billing/invoices")
EVENTS = Module(
    name="gatherings",  # a test double: the real events module is installed beside it
    title="Events",
    version="0.1.0",
    summary="Test double",
    depends=("portal",),
    contributions={"portal.menu": (f"{__name__}:MY_EVENTS", f"{__name__}:ELSEWHERE")},
)


def test_a_contributed_section_follows_the_portals_own(monkeypatch):
    registry = discover(extra=(EVENTS,))
    assert not [p for p in registry.check() if "gatherings" in p]
    monkeypatch.setattr(layout, "get_registry", lambda: registry)
    assert layout.menu() == [*layout.SECTIONS, ("My events", "/portal/events")]
