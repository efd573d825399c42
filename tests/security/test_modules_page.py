"""The Modules page's switch arrives over the websocket: the session and the permission are checked before the
module or store it names is looked at, and a forged name or store changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from jewelerp.core.models import ModuleState
from jewelerp.core.pages.modules import ModulesState
from jewelerp.db import read_session
from jewelerp.errors import SessionEnded
from jewelerp.ui.state import AppState


def _switches() -> list[tuple[int, str, bool]]:
    with read_session() as session:
        return sorted((r.store_id, r.module, r.enabled) for r in session.exec(select(ModuleState)))


def _toggle(module: str, store_id: str, on: bool) -> ModulesState:
    state = ModulesState(_reflex_internal_init=True)
    ModulesState.toggle.fn(state, module, store_id, on)
    return state


def test_a_switch_event_without_a_session_is_refused_before_the_module_is_looked_up(world):
    before = _switches()
    with pytest.raises(SessionEnded):  # the browser goes to the sign-in page; before: a KeyError on the module
        _toggle("no.such.module", "1", True)
    assert _switches() == before


@pytest.mark.parametrize(
    ("who", "module", "store", "message"),
    [
        ("sales", "no.such.module", "mum", "You do not have permission to do this."),
        ("manager", "billing", "mum", "You do not have permission to do this."),
        ("admin", "no.such.module", "mum", "Unknown module 'no.such.module'."),
        ("admin", "billing", "../1", "Unknown store."),
        ("admin", "billing", "999", "Unknown store."),
    ],
)
def test_a_forged_switch_event_is_refused_and_changes_nothing(world, monkeypatch, who, module, store, message):
    actor = world.actor(who)
    monkeypatch.setattr(AppState, "_actor", lambda _self: actor)
    before = _switches()
    state = _toggle(module, str(world.mum) if store == "mum" else store, False)
    assert (state.message, state.message_ok) == (message, False)
    assert _switches() == before
