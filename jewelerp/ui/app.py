"""Build the Reflex app from the registry: the platform imports no module by name."""

from __future__ import annotations

import logging

import reflex as rx
from reflex.app import default_backend_exception_handler
from reflex.event import EventSpec
from sqlalchemy.exc import OperationalError

from jewelerp import live
from jewelerp.auth.pages import LoginState, login_page
from jewelerp.auth.recovery_pages import PAGES as RECOVERY_PAGES
from jewelerp.auth.session_cookie import CODE_PAGE
from jewelerp.auth.two_factor_pages import CodeState, code_page
from jewelerp.core.lifecycle import installed_registry
from jewelerp.core.roles import sync_roles_and_permissions
from jewelerp.db import DATABASE_UNAVAILABLE, is_unavailable, log_unavailable, unit_of_work
from jewelerp.errors import SessionEnded
from jewelerp.registry import RegistryError, get_registry, resolve
from jewelerp.scheduler import lifespan
from jewelerp.ui import redis_watch
from jewelerp.ui.api import api_app, api_routes
from jewelerp.ui.body_limit import UploadBodyLimit
from jewelerp.ui.shell_state import ShellState
from jewelerp.ui.web_security import is_allowed_origin

log = logging.getLogger(__name__)
PRODUCT = "JewelERP"
STATE_STORE_UNAVAILABLE = "The server is reconnecting. Try again in a moment."
STYLE = {
    ".sr-only": {
        "position": "absolute",
        "width": "1px",
        "height": "1px",
        "overflow": "hidden",
        "clip": "rect(0 0 0 0)",
        "white_space": "nowrap",
    },
    ".jewel-select": {
        "height": "var(--space-6)",
        "padding": "0 var(--space-2)",
        "border": "1px solid var(--gray-a7)",
        "border_radius": "var(--radius-2)",
        "background": "var(--color-surface)",
        "font_size": "var(--font-size-2)",
        "color": "var(--gray-12)",
    },
}


def document_title(page: str) -> str:
    """The browser tab's title of a page seen before signing in: "Sign in — JewelERP"."""
    return f"{page} — {PRODUCT}"


def store_page_title(page: str) -> rx.Var:
    """The title of a signed-in page, naming it and the store it works in: "Invoices · Zaveri Bazaar, Mumbai —
    JewelERP" (the page alone until the shell knows the store)."""
    return rx.cond(ShellState.store_title != "", f"{page} · {ShellState.store_title} — {PRODUCT}", document_title(page))


def _sync_permissions() -> None:
    """Seed permissions of newly installed modules at start-up (a module available but not installed gets none)."""
    try:
        with unit_of_work() as session:
            sync_roles_and_permissions(session, installed_registry(session))
    except OperationalError as exc:
        log.warning("could not seed permissions (run 'jewelerp db upgrade'): %s", exc)


def backend_exception_handler(exception: Exception) -> EventSpec | None:
    """What the browser is told when an event handler fails: a database that cannot be used just now
    (:func:`jewelerp.db.is_unavailable`, in a handler that does not go through ``AppState._run``) or a Redis that
    dropped the connection (restarting) gets a toast saying so in plain words, logged on one line; anything
    else gets Reflex's own handling (the traceback logged, "An error occurred" shown). An event from a browser
    whose session has ended (signed out everywhere, ended by an admin, the account deactivated) lands on the
    sign-in page."""
    if isinstance(exception, SessionEnded):
        return rx.redirect("/login")
    if is_unavailable(exception):
        log_unavailable(exception, "an event could not reach the database")
        return rx.toast.error(DATABASE_UNAVAILABLE, position="top-center", fallback_to_alert=True)
    if _is_redis_outage(exception):
        log.warning("an event could not reach Redis: %s", exception)
        return rx.toast.error(STATE_STORE_UNAVAILABLE, position="top-center", fallback_to_alert=True)
    return default_backend_exception_handler(exception)


def _is_redis_outage(exception: Exception) -> bool:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeout

    return isinstance(exception, RedisConnectionError | RedisTimeout)


def build_app() -> rx.App:
    """Create the app with every discovered module's pages, routes and the scheduler.

    A registry with problems (``jewelerp modules check``) refuses to start, naming each one.
    """
    registry = get_registry()
    problems = registry.check()
    if problems:
        raise RegistryError("the app cannot start:\n" + "\n".join(problems))
    registry.import_models()
    routes = api_routes()
    for module_routes in registry.contributions("core.api_routes", None):
        routes.extend(module_routes())
    app = rx.App(
        style=STYLE,
        stylesheets=["/theme.css"],  # the theme's colours darkened to WCAG AA contrast
        api_transformer=[api_app(routes), UploadBodyLimit],
        backend_exception_handler=backend_exception_handler,
    )
    if app.sio is not None:  # the websocket accepts only the app's own origins, checked on each connection
        app.sio.eio.cors_allowed_origins = lambda origin, _environ: is_allowed_origin(origin)
    app.add_page(login_page, route="/login", title=document_title("Sign in"), on_load=LoginState.open)
    app.add_page(code_page, route=CODE_PAGE, title=document_title("Sign-in code"), on_load=CodeState.open)
    for route, component, title, on_load in RECOVERY_PAGES:
        app.add_page(component, route=route, title=document_title(title), on_load=on_load)
    for _module, page in registry.pages():
        if page.public:
            on_load, title = resolve(page.on_load) if page.on_load else None, document_title(page.title)
        else:
            on_load, title = ShellState.enter_page(page.route), store_page_title(page.title)
        app.add_page(resolve(page.component), route=page.route, title=title, on_load=on_load)
    app.register_lifespan_task(_sync_permissions)
    app.register_lifespan_task(lifespan)
    app.register_lifespan_task(live.start)
    app.register_lifespan_task(redis_watch.watch)
    return app
