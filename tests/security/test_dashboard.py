"""The Home dashboard's handlers arrive over the websocket: the session is checked before the URL's filters are
read, and a branch the user holds no role in (forged into the URL or the form) shows nothing of that branch."""

from __future__ import annotations

import pytest
from reflex.istate.data import RouterData

from jewelerp.core.pages.home import HomeState
from jewelerp.db import unit_of_work
from jewelerp.errors import SessionEnded
from modules.clienteling.services import CustomerInput, create_customer
from tests.security.test_account_handlers import _signed_in


def _home(address: str = "/", cookie: str = "") -> HomeState:
    state = HomeState(_reflex_internal_init=True)
    state.router = RouterData.from_router_data({"pathname": "/", "asPath": address, "headers": {"cookie": cookie}})
    return state


def test_the_dashboard_without_a_session_is_refused_before_its_filters_are_read(world):
    state = _home(f"/?branch={world.dl}&from=not-a-date")
    with pytest.raises(SessionEnded):  # the browser goes to the sign-in page
        HomeState.load.fn(state)
    assert (state.date_from, state.branch, state.form_version) == ("", "", 0)  # nothing of the URL was taken in
    forms = [{"branch": str(world.dl), "date_from": "2026-11-30", "date_to": "2026-11-01"}, None, ["x"], "junk"]
    for form in forms:  # not even a form that is no form is looked at
        with pytest.raises(SessionEnded):
            HomeState.apply.fn(_home(), form)


@pytest.mark.parametrize("branch", ["dl", "999", "../1", "all"])
def test_a_branch_outside_the_users_roles_shows_nothing_of_it(world, branch):
    neha = world.actor("manager", world.dl)
    with unit_of_work(neha) as session:
        create_customer(session, neha, CustomerInput("Neha Kapoor", "9810044444"))
    signed_in = _signed_in("sales@test.in")  # a role in Mumbai only
    state = _home(f"/?branch={world.dl if branch == 'dl' else branch}", signed_in)
    HomeState.load.fn(state)
    if branch == "all":  # every branch of the user's: Mumbai alone, where nobody is a customer yet
        cards = {card["id"]: card for card in state.cards}
        assert cards["clienteling.customers"]["value"] == "0"
        assert [b["label"] for b in state.branches] == ["MUM · Mumbai"]
        return
    assert (state.message, state.message_ok) == ("Please correct the highlighted fields.", False)
    assert state.errors == {"branch": "Choose one of your branches."}
    assert state.cards == []
