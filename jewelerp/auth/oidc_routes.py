"""The routes of signing in through a provider: ``/api/auth/<provider>/start`` and ``.../callback``.

Pages send the browser to ``start`` as a full page load (``load_page``, not a form: the frontend's
``form-action 'self'`` would block the redirect to the provider). ``start`` sets the flow cookie, which binds the
provider's answer to this browser, and sends the browser to the provider. The provider sends it back to
``callback``, which sets the session cookie in that same response: sending it on to ``/api/session/begin`` would
be refused, because a redirect chain that passed through the provider counts as cross-site there. The flow's
``state`` and cookie already prove that this browser started it.

Refusals go to the sign-in page (the profile page for a link, a module's page for its purpose) with
``?error=<code>&provider=<name>``; the page shows :func:`jewelerp.auth.oidc.refusal_message`. A finished link goes
back to the profile page with ``?linked=<name>``, so the page can say which account was linked.

Modules sign people other than staff in through the same callback (:mod:`jewelerp.auth.proofs`): their own
route calls :func:`send_to_provider` with their purpose. The flow cookie holds ``<purpose>.<browser key>``, so an
answer whose flow has expired still goes back to the page of the purpose that started it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from reflex.config import get_config
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from jewelerp.auth.oidc import FLOW_TTL, SignInRefused, finish_flow, start_flow
from jewelerp.auth.proofs import identity_proof
from jewelerp.auth.providers import PRESETS
from jewelerp.auth.service import SESSION_TTL, authenticate
from jewelerp.auth.session_cookie import (
    CHALLENGE_COOKIE,
    CODE_PAGE,
    SESSION_COOKIE,
    browser_origin,
    cookie_flags,
    frontend_origin,
    request_client_ip,
    safe_next,
)
from jewelerp.auth.two_factor import CHALLENGE_TTL
from jewelerp.core.invitations import live_invitation_id
from jewelerp.db import read_session

FLOW_COOKIE = "jewelerp_oauth_flow"
AUTH_PATH = "/api/auth/"
LOGIN_PAGE = "/login"
PROFILE_PAGE = "/account/profile"  # where linking an account starts and ends
NO_STORE = {"Cache-Control": "no-store"}
CHALLENGE_AGE = int(CHALLENGE_TTL.total_seconds())


def callback_url(frontend: str, provider: str) -> str:
    """Our callback for ``provider`` as a browser on ``frontend`` reaches it (the redirect URI to register at the
    provider: ``https://erp.example.com/api/auth/google/callback``)."""
    return f"{browser_origin(get_config().api_url, frontend)}{AUTH_PATH}{provider}/callback"


def _flow_cookie_flags(request: Request) -> dict[str, object]:
    return {**cookie_flags(request), "path": AUTH_PATH}


def _session_user(token: str) -> int | None:
    info = authenticate(token)
    return info.user_id if info else None


def _invitation(token: str) -> int | None:
    with read_session() as session:
        return live_invitation_id(session, token)


def _refused_page(purpose: str) -> str:
    if purpose == "link":
        return PROFILE_PAGE
    proof = identity_proof(purpose)
    return proof.refused_page if proof is not None else LOGIN_PAGE


def _refused(request: Request, provider: str, refusal: SignInRefused, purpose: str = "") -> Response:
    """Back to the page of ``purpose`` (default: the refusal's) with the refusal's code."""
    page = _refused_page(purpose or refusal.purpose)
    query = {"error": refusal.code, **({"provider": provider} if provider in PRESETS else {})}
    return RedirectResponse(f"{frontend_origin(request)}{page}?{urlencode(query)}", status_code=303, headers=NO_STORE)


def _flow_cookie(request: Request) -> tuple[str, str]:
    """The purpose and the browser key in this browser's flow cookie (``("", "")`` without one)."""
    purpose, _dot, key = request.cookies.get(FLOW_COOKIE, "").rpartition(".")
    return purpose, key


async def send_to_provider(
    request: Request,
    provider: str,
    purpose: str,
    next_path: str,
    context: str = "",
    user_id: int | None = None,
    invitation_id: int | None = None,
) -> Response:
    """The answer that sends the browser to ``provider`` for ``purpose`` (setting its flow cookie), or back to the
    purpose's page when the flow cannot start. Modules call it from their own route for their purpose
    (:mod:`jewelerp.auth.proofs`), with the ``context`` their ``finish`` reads back."""
    redirect_uri = callback_url(frontend_origin(request), provider)
    try:
        begun = await start_flow(
            provider, purpose, next_path, redirect_uri, request_client_ip(request), user_id, invitation_id, context
        )
    except SignInRefused as refusal:
        return _refused(request, provider, refusal)
    response = RedirectResponse(begun.url, status_code=302, headers=NO_STORE)
    response.set_cookie(
        FLOW_COOKIE,
        f"{purpose}.{begun.browser_key}",
        max_age=int(FLOW_TTL.total_seconds()),
        **_flow_cookie_flags(request),
    )
    return response


async def start(request: Request) -> Response:
    """Send the browser to the provider to sign in (``?next=/page``), to link an account to the signed-in user
    (``?purpose=link``, which needs a live session started from this site) or to join from an invitation with that
    account (``?purpose=invite&invite=<the invitation link's token>``)."""
    provider = request.path_params["provider"]
    purpose = request.query_params.get("purpose", "")
    purpose = purpose if purpose in ("link", "invite") else "sign_in"
    user_id = invitation_id = None
    next_path = PROFILE_PAGE if purpose == "link" else safe_next(request.query_params.get("next", "/"))
    if purpose == "link" and request.headers.get("sec-fetch-site") != "cross-site":
        user_id = await run_in_threadpool(_session_user, request.cookies.get(SESSION_COOKIE, ""))
    if purpose == "invite":
        invitation_id = await run_in_threadpool(_invitation, request.query_params.get("invite", ""))
    return await send_to_provider(request, provider, purpose, next_path, "", user_id, invitation_id)


async def callback(request: Request) -> Response:
    """The provider's answer: sign in (the session cookie is set here) or link the account, then go on."""
    provider = request.path_params["provider"]
    started_for, browser_key = _flow_cookie(request)
    try:
        done = await finish_flow(
            provider,
            dict(request.query_params),
            browser_key,
            request.cookies.get(SESSION_COOKIE, ""),
            request_client_ip(request),
            request.headers.get("user-agent", ""),
        )
    except SignInRefused as refusal:  # a flow that expired has no purpose of its own: the cookie's, then
        response = _refused(request, provider, refusal, started_for if refusal.code == "expired" else "")
    else:
        target = f"{frontend_origin(request)}{safe_next(done.next_path)}"
        if done.purpose == "link":  # the profile page says which account was linked
            target += f"?{urlencode({'linked': provider})}"
        if done.challenge:  # the two-factor code is due: the code page reads the challenge from its cookie
            target = f"{frontend_origin(request)}{CODE_PAGE}?{urlencode({'next': safe_next(done.next_path)})}"
        response = RedirectResponse(target, status_code=303, headers=NO_STORE)
        if done.challenge:
            response.set_cookie(CHALLENGE_COOKIE, done.challenge, max_age=CHALLENGE_AGE, **cookie_flags(request))
        if done.session_token:
            response.set_cookie(
                SESSION_COOKIE, done.session_token, max_age=int(SESSION_TTL.total_seconds()), **cookie_flags(request)
            )
        if done.proof is not None and done.proof.cookie_name:
            proof = done.proof
            response.set_cookie(proof.cookie_name, proof.cookie_value, proof.cookie_max_age, **cookie_flags(request))
    response.delete_cookie(FLOW_COOKIE, **_flow_cookie_flags(request))
    return response


def routes() -> list[Route]:
    """The provider routes, mounted beside the app through the core manifest's ``core.api_routes``."""
    return [Route(f"{AUTH_PATH}{{provider}}/start", start), Route(f"{AUTH_PATH}{{provider}}/callback", callback)]
