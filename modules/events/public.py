"""The public event page and the registrant's cancel link: server-rendered, no login, no JavaScript.

``GET /events/e/<token>`` shows the event (never who else registered) and the registration form;
``POST`` to the same address registers (modules.events.registrations): a field problem shows beside its field
with what was typed, a full event puts the person on the waiting list and says so, a second submission of the
same e-mail says only that it is registered already (no name, no status: someone may type another person's
address). ``?i=<invitation token>`` (the invited customer's own link) is carried in the form.

``GET /events/cancel/<token>`` shows a button (a mail scanner that opens links cancels nothing); ``POST`` cancels
and gives the place to the first on the waiting list.

An unknown token, or an event of a store where events is off, gets a plain "Not found" (404) and the refusal is
logged with the client's address (never the token). The token is looked up before the request's form is read: an
unknown one parses and stores nothing. A cancelled event's page says so, with the reason, and takes nobody.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from jewelerp.auth.session_cookie import request_client_ip
from jewelerp.core.audit import record_refusal
from jewelerp.core.models import Store
from jewelerp.core.module_states import enabled_modules
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, ValidationError
from jewelerp.ui.public_page import STYLE, TOKEN_RE, document_head, escape, not_found_page, public_headers
from modules.events.messages import when_text, where_text
from modules.events.models import Event, Registration
from modules.events.records import KIND_LABELS, confirmed_count
from modules.events.registrations import RegistrationInput, TooManyRegistrations, cancel, is_open, register

FORM_STYLE = """
form{display:grid;gap:.8rem}label{font-weight:600;font-size:.92rem;display:block}
input[type=text],input[type=email],input[type=tel]{width:100%;font:inherit;padding:.55rem .7rem;margin-top:.25rem;
border:1px solid var(--line);border-radius:.6rem;background:var(--bg);color:var(--ink)}
.check{display:flex;gap:.5rem;align-items:flex-start;font-weight:400}
.error{color:#b42318;font-size:.85rem;margin:.2rem 0 0}
button{font:inherit;font-weight:650;padding:.65rem 1rem;border-radius:.6rem;border:0;background:var(--gold);
color:var(--card);cursor:pointer}
.note{background:var(--gold-soft);border-radius:.8rem;padding:.7rem .9rem;margin:0 0 1rem}
.desc{white-space:pre-line}
"""
FIELDS = (
    ("name", "Your name", "text", "name"),
    ("email", "E-mail", "email", "email"),
    ("phone", "Phone", "tel", "tel"),
)
NOT_FOUND = "This event link does not exist or is no longer valid."
MAX_FIELDS = 8


def _headers() -> dict[str, str]:
    """Public headers, letting this page's own form post back to it."""
    headers = public_headers("no-store")
    headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
        "form-action 'none'", "form-action 'self'"
    )
    return headers


def _refused(request: Request, route: str) -> Response:
    record_refusal("events.token", request_client_ip(request), {"route": route})
    return not_found_page(NOT_FOUND)


def _live(session: Session, event: Event | None) -> Event | None:
    """The event if its store has events enabled."""
    if event is None or "events" not in enabled_modules(session, event.store_id):
        return None
    return event


def _event_by_token(session: Session, token: str) -> Event | None:
    if not TOKEN_RE.match(token):
        return None
    return _live(session, session.scalars(select(Event).where(Event.public_token == token)).first())


def _page(session: Session, event: Event, title: str, body: str, status: int = 200) -> HTMLResponse:
    store = session.get_one(Store, event.store_id)
    facts = [("When", when_text(event, store.time_zone)), ("Where", where_text(event) if event.place else "Online")]
    rows = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in facts)
    description = f'<p class="desc">{escape(event.description)}</p>' if event.description else ""
    html = (
        document_head(title, store.name, STYLE + FORM_STYLE) + f'<header><div class="store">{escape(store.name)}</div>'
        f'<div class="sub">{escape(KIND_LABELS.get(event.kind, "Event"))}</div></header>'
        f"<main><h1>{escape(event.title)}</h1><section><dl>{rows}</dl>{description}</section>{body}</main>"
        "</body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=_headers())


def _form(event: Event, session: Session, invitation: str, typed: dict[str, str], errors: dict[str, str]) -> str:
    if event.cancelled_at is not None:
        reason = escape(event.cancel_reason)
        return f'<section><p class="note">This event is cancelled. {reason}</p></section>'
    if not is_open(event):
        return '<section><p class="note">Registration for this event is closed.</p></section>'
    full = confirmed_count(session, event.id) >= event.capacity
    note = '<p class="note">The event is full: you can join the waiting list.</p>' if full else ""
    inputs = []
    for key, label, kind, complete in FIELDS:
        error = f'<p class="error" id="{key}-error">{escape(errors[key])}</p>' if key in errors else ""
        described = f' aria-describedby="{key}-error"' if key in errors else ""
        optional = " (optional)" if key == "phone" else ""
        inputs.append(
            f'<div><label for="{key}">{label}{optional}</label><input id="{key}" name="{key}" type="{kind}" '
            f'autocomplete="{complete}" value="{escape(typed.get(key, ""))}"{described}>{error}</div>'
        )
    checked = " checked" if typed.get("consent") else ""
    hidden = f'<input type="hidden" name="i" value="{escape(invitation)}">' if invitation else ""
    button = "Join the waiting list" if full else "Register"
    return (
        f'<section><h2>Register</h2>{note}<form method="post" action="/events/e/{escape(event.public_token)}">'
        f"{hidden}{''.join(inputs)}"
        f'<label class="check"><input type="checkbox" name="consent" value="yes"{checked}>'
        "The store may contact me about its events and offers.</label>"
        f'<button type="submit">{button}</button></form></section>'
    )


def _outcome(name: str, email: str, status: str, position: int, again: bool) -> str:
    if again:
        text = f"{email} is registered for this event already. The confirmation was sent to that address."
    elif status == "confirmed":
        text = (
            f"Thank you, {name}: you are registered. A confirmation with a calendar file and your QR ticket is on its "
            f"way to {email}."
        )
    else:
        text = (
            f"Thank you, {name}. The event is full: you are number {position} on the waiting list. We will write to "
            f"{email} as soon as a place opens."
        )
    return f'<section role="status"><p>{escape(text)}</p></section>'


def _typed(form: Any) -> dict[str, str]:
    return {key: str(form.get(key, ""))[:300] for key in ("name", "email", "phone", "consent", "i")}


def _known(token: str, kind: str) -> bool:
    """Whether ``token`` is a live event's page (``kind`` "event") or a live registration's cancel link."""
    with read_session() as session:
        found = _event_by_token(session, token) if kind == "event" else _by_cancel_token(session, token)
        return found is not None


async def event_page(request: Request) -> Response:
    """The event and its form (GET), or the registration (POST); an unknown token is refused before the form is
    read."""
    token = request.path_params["token"]
    if not await run_in_threadpool(_known, token, "event"):
        return await run_in_threadpool(_refused, request, "event")
    typed = _typed(await request.form(max_files=0, max_fields=MAX_FIELDS)) if request.method == "POST" else {}
    invitation = typed.get("i", "") if request.method == "POST" else request.query_params.get("i", "")[:64]

    def work() -> Response | None:
        if request.method == "GET":
            with read_session() as session:
                event = _event_by_token(session, token)
                if event is None:
                    return None
                return _page(session, event, event.title, _form(event, session, invitation, {}, {}))
        data = RegistrationInput(typed["name"], typed["email"], typed["phone"], bool(typed["consent"]))
        try:
            with unit_of_work() as session:
                event = _event_by_token(session, token)
                if event is None:
                    return None
                done = register(session, event, data, invitation, request_client_ip(request))
                body = _outcome(data.name.strip(), data.email.strip().lower(), done.status, done.position, done.again)
                return _page(session, event, event.title, body)
        except (ValidationError, JewelError) as err:
            if isinstance(err, TooManyRegistrations):
                record_refusal("events.register", request_client_ip(request), {"reason": "too many registrations"})
            fields = err.fields if isinstance(err, ValidationError) else {}
            with read_session() as session:
                event = _event_by_token(session, token)
                message = "" if fields else f'<section role="alert"><p>{escape(err.message)}</p></section>'
                return _page(
                    session, event, event.title, message + _form(event, session, invitation, typed, fields), status=422
                )

    response = await run_in_threadpool(work)
    return response if response is not None else await run_in_threadpool(_refused, request, "event")


def _by_cancel_token(session: Session, token: str) -> tuple[Registration, Event] | None:
    registration = None
    if TOKEN_RE.match(token):
        registration = session.scalars(select(Registration).where(Registration.cancel_token == token)).first()
    event = _live(session, session.get(Event, registration.event_id)) if registration else None
    return (registration, event) if registration and event else None


def _cancel_body(session: Session, registration: Registration, token: str, post: bool) -> str:
    if session.get_one(Event, registration.event_id).cancelled_at is not None:
        return '<section role="status"><p>This event is cancelled: there is nothing to cancel.</p></section>'
    if registration.status == "cancelled":
        return '<section role="status"><p>This registration is cancelled.</p></section>'
    if post:
        try:
            cancel(session, registration)
        except JewelError as err:  # the event has started; nothing was changed
            return f'<section role="alert"><p>{escape(err.message)}</p></section>'
        return '<section role="status"><p>Your registration is cancelled. Thank you for telling us.</p></section>'
    what = "place" if registration.status == "confirmed" else "place on the waiting list"
    return (
        f"<section><p>{escape(registration.name)}, do you want to give up your {what}?</p>"
        f'<form method="post" action="/events/cancel/{escape(token)}">'
        '<button type="submit">Cancel my registration</button></form></section>'
    )


async def cancel_page(request: Request) -> Response:
    """The registrant's own cancel link: a button (GET), the cancellation (POST)."""
    token, post = request.path_params["token"], request.method == "POST"
    if not await run_in_threadpool(_known, token, "cancel"):
        return await run_in_threadpool(_refused, request, "cancel")

    def work() -> Response | None:
        with unit_of_work() if post else read_session() as session:
            found = _by_cancel_token(session, token)
            if found is None:
                return None
            registration, event = found
            return _page(session, event, "Cancel registration", _cancel_body(session, registration, token, post))

    response = await run_in_threadpool(work)
    return response if response is not None else await run_in_threadpool(_refused, request, "cancel")


def routes() -> list[Route]:
    """The public routes, mounted beside the app through ``contributions['core.api_routes']``."""
    return [
        Route("/events/e/{token}", event_page, methods=["GET", "POST"]),
        Route("/events/cancel/{token}", cancel_page, methods=["GET", "POST"]),
    ]
