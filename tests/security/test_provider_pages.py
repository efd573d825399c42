"""The event handlers of the sign-in provider pages (sign-in buttons, linked accounts, the admin page), called as
anyone with a websocket can call them: without a session they change nothing and send the browser to the
sign-in page; with one they act only on the caller's own linked accounts, and only admins change providers. The
public sign-in buttons take any junk and only ever send the browser to our own ``start`` route."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from reflex.istate.data import ReflexURL, SessionData
from sqlmodel import select

from jewelerp.auth import service as auth
from jewelerp.auth.models import ExternalIdentity, IdentityProvider
from jewelerp.auth.provider_pages import LinkedAccountsState, ProviderSettingsState, SignInProvidersState
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import SessionEnded
from jewelerp.testing import PASSWORD

CLIENT_IP = "203.0.113.67"
ORIGIN = "http://localhost:3000"


def _page(state_class: type, cookie: str = "", url: str = f"{ORIGIN}/") -> object:
    state = state_class(_reflex_internal_init=True)
    headers = replace(state.router.headers, cookie=cookie, origin=ORIGIN)
    state.router = replace(state.router, session=SessionData(client_ip=CLIENT_IP), headers=headers, url=ReflexURL(url))
    return state


def _call(state: object, handler: str, *args: object) -> object:
    result = getattr(type(state), handler).fn(state, *args)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def _signed_in(email: str) -> str:
    token = auth.begin_session(auth.login(email, PASSWORD, CLIENT_IP).ticket)
    return f"jewelerp_session={token}"


def _link(user_id: int, subject: str, provider: str = "google") -> int:
    with unit_of_work() as session:
        row = ExternalIdentity(user_id=user_id, provider=provider, subject=subject, email=f"{subject}@gmail.com")
        session.add(row)
        session.flush()
        return row.id


def _links() -> list[tuple[int, str]]:
    with read_session() as session:
        return [(r.user_id, r.subject) for r in session.exec(select(ExternalIdentity).order_by(ExternalIdentity.id))]


def _providers() -> list[tuple[str, str]]:
    with read_session() as session:
        return [(r.code, r.client_id) for r in session.exec(select(IdentityProvider))]


@pytest.mark.parametrize(
    ("state_class", "handler", "args"),
    [
        (LinkedAccountsState, "load", ()),
        (LinkedAccountsState, "link", ("google",)),
        (LinkedAccountsState, "unlink", ("1",)),
        (ProviderSettingsState, "load", ()),
        (
            ProviderSettingsState,
            "save",
            ({"provider": "google", "google_enabled": "on", "google_client_id": "evil-app"},),
        ),
    ],
)
def test_without_a_session_a_handler_changes_nothing_and_goes_to_sign_in(world, state_class, handler, args):
    link = _link(world.users["sales"], "g-sales")
    assert link == 1  # the number the forged unlink names
    with pytest.raises(SessionEnded):
        _call(_page(state_class, cookie="jewelerp_session=forged"), handler, *args)
    assert _links() == [(world.users["sales"], "g-sales")]
    assert _providers() == []


def test_a_link_number_of_someone_else_is_not_unlinked(world):
    victim = _link(world.users["manager"], "g-manager")
    own = _link(world.users["sales"], "g-sales")
    page = _page(LinkedAccountsState, cookie=_signed_in("sales@test.in"))
    for forged in (str(victim), "-1", "x", None, [str(victim)], {"id": victim}, str(victim) + " "):
        _call(page, "unlink", forged)
        assert not page.message_ok
    assert _links() == [(world.users["manager"], "g-manager"), (world.users["sales"], "g-sales")]
    _call(page, "load")
    assert [row["id"] for row in page.links] == [str(own)]  # only one's own accounts are listed
    _call(page, "unlink", str(own))
    assert page.message_ok and _links() == [(world.users["manager"], "g-manager")]


def test_linking_goes_only_to_our_own_start_route_for_a_known_provider(world):
    page = _page(LinkedAccountsState, cookie=_signed_in("sales@test.in"))
    for junk in ("myspace", "../../evil", "javascript:alert(1)", ["google"], None, {"name": "google"}):
        assert _call(page, "link", junk) is None
    spec = _call(page, "link", "google")
    assert "/api/auth/google/start?purpose=link" in str(spec.args)


def test_only_admins_save_providers_and_a_junk_form_saves_nothing(world):
    form = {"provider": "google", "google_enabled": "on", "google_client_id": "evil-app"}
    page = _page(ProviderSettingsState, cookie=_signed_in("manager@test.in"))
    _call(page, "load")
    assert not page.message_ok and page.values == {}
    _call(page, "save", form)
    assert not page.message_ok and "permission" in page.message.lower()
    admin = _page(ProviderSettingsState, cookie=_signed_in("admin@test.in"))
    for junk in (
        "not a form",
        {"provider": ["google"], "google_client_id": "x"},
        {"provider": "myspace", "myspace_client_id": "x"},
        {"provider": "google", "google_enabled": "on", "google_client_id": ["x"]},
        {"provider": "google", "google_enabled": "on", "google_client_id": "a b"},
    ):
        _call(admin, "save", junk)
        assert not admin.message_ok
    assert _providers() == []
    assert set(admin.errors) == {"google_client_id"}  # the field of the card that was sent
    _call(admin, "save", {**form, "google_client_secret": "s3cret"})
    assert admin.message_ok and _providers() == [("google", "evil-app")]
    assert "s3cret" not in str(admin.values) and admin.values["google_has_secret"] == "yes"


def test_the_public_sign_in_buttons_take_any_junk_and_stay_on_this_app(world, monkeypatch):
    monkeypatch.setenv("JEWELERP_OAUTH_GOOGLE_CLIENT_ID", "g-app")
    page = _page(SignInProvidersState, url=f"{ORIGIN}/login?error=<script>&provider=evil&next=//evil.example/x")
    _call(page, "load")
    assert page.refusal == "" and page.providers == [{"name": "google", "label": "Google"}]
    for junk in ("myspace", ["google"], None, {"name": "google"}, "google/../../evil"):
        assert _call(page, "start", junk) is None
    spec = str(_call(page, "start", "google").args)
    assert "/api/auth/google/start?next=%2F" in spec and "evil.example" not in spec
    refused = _page(SignInProvidersState, url=f"{ORIGIN}/login?error=not_linked&provider=microsoft")
    _call(refused, "load")
    assert refused.refusal.startswith("This Microsoft account is not linked")
