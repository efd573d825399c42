"""What other modules may use of the portal: the link type for its menu (``"portal.menu"`` contributions), e.g.
``contributions={"portal.menu": ("modules.events.portal:MY_EVENTS",)}`` with
``MY_EVENTS = MenuLink("My events", "/portal/events")``."""

from modules.portal.layout import MenuLink

__all__ = ["MenuLink"]
