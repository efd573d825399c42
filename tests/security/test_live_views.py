"""The live-view hook is not an event handler: no browser can make a state reload or unsubscribe at will."""

from jewelerp.ui.shell_state import ShellState
from modules.repairs.board_page import BoardState


def test_the_live_hook_is_not_callable_over_the_websocket():
    for state in (ShellState, BoardState):
        assert "_on_live" not in state.event_handlers and "on_live" not in state.event_handlers
        assert callable(state._on_live)
