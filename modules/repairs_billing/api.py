"""What other modules may use of repairs_billing: nothing.

It is a bridge: it listens to repairs' events and bills jobs through billing's api, and other modules have
no reason to call it. A service added here later is the only thing of this module others may import.
"""

__all__: list[str] = []
