"""What other modules may use of portal_events: nothing.

It is a bridge: it shows events' api on a portal page, and other modules have no reason to call it.
"""

__all__: list[str] = []
