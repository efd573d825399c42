"""Shell state: who is signed in, the current store, the menu and page access."""

from __future__ import annotations

import reflex as rx
from sqlmodel import select

from jewelerp.auth import service as auth
from jewelerp.auth.session_cookie import end_url, load_page
from jewelerp.core.models import Store, User
from jewelerp.core.users import store_roles
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import AuthError
from jewelerp.live import subscribe
from jewelerp.notifications.staff import notifications_channel, unread_count
from jewelerp.registry import Module, Page, get_registry, resolve
from jewelerp.ui.state import AppState

ENROL_PAGE = "/account/two-factor"


def find_page(route: str) -> tuple[Module, Page] | None:
    """The manifest page registered at ``route``."""
    for module, page in get_registry().pages():
        if page.route == route:
            return module, page
    return None


class ShellState(AppState):
    """Header, sidebar and the access check run before every protected page."""

    user_name: str = ""
    user_email: str = ""
    role: str = ""
    store_id: str = ""
    store_name: str = ""
    store_title: str = ""  # the current store's own name, for the document title
    stores: list[dict[str, str]] = []
    menu: list[dict[str, str]] = []
    admin_menu: list[dict[str, str]] = []
    block: str = ""
    ready: bool = False
    unread: int = 0

    @rx.event
    def enter_page(self, route: str):
        """Check the session, build header and menu, and decide whether the page may show."""
        self._clear_messages()
        self.ready = False
        try:
            info = self._session()
        except AuthError:
            return rx.redirect(f"/login?next={self.router.url.path}")
        if info.must_enrol and route != ENROL_PAGE:  # the store requires two-factor sign-in: set it up first
            return rx.redirect(ENROL_PAGE)
        registry = get_registry()
        with read_session() as session:
            actor = auth.build_actor(session, info.user_id, info.store_id)
            user = session.get(User, info.user_id)
            roles = store_roles(session, info.user_id)
            stores = session.exec(select(Store).where(Store.active).order_by(Store.id)).all()
            self.unread = unread_count(session, actor)
        subscribe(self, notifications_channel(info.user_id))
        self.user_name, self.user_email, self.role = user.name, user.email, actor.role.title()
        self.stores = [{"id": str(s.id), "label": f"{s.code} · {s.name}"} for s in stores if s.id in roles]
        self.store_id = str(actor.store_id)
        self.store_name = next(s["label"] for s in self.stores if s["id"] == self.store_id)
        self.store_title = next(s.name for s in stores if s.id == actor.store_id)
        entries = sorted(
            (page.menu.order, page.menu.label, page.route)
            for module, page in registry.pages()
            if page.menu
            and module.name in actor.enabled_modules
            and (page.permission is None or actor.can(page.permission))
        )
        items = [{"label": label, "route": route} for _order, label, route in entries]
        self.menu = [i for i in items if not i["route"].startswith("/admin")]
        self.admin_menu = [i for i in items if i["route"].startswith("/admin")]
        found = find_page(route)
        self.block = ""
        if found:
            module, page = found
            if module.name not in actor.enabled_modules:
                self.block = f"{module.title} is not enabled in this store."
            elif page.permission and not actor.can(page.permission):
                self.block = "You do not have permission to open this page."
        if not self.block and found and found[1].on_load:
            # show the page only once its own load has run, never the previous record's data
            return [resolve(found[1].on_load), ShellState.show_page]
        self.ready = True
        return None

    def _on_live(self, channel: str) -> None:
        """A notice arrived for the signed-in person (:mod:`jewelerp.live`): the bell's count follows."""
        try:
            info = self._session()
        except AuthError:
            return
        with read_session() as session:
            self.unread = unread_count(session, auth.build_actor(session, info.user_id, info.store_id))

    @rx.event
    def show_page(self) -> None:
        """Reveal the page content (after the page's load handler finished)."""
        self.ready = True

    @rx.event
    def switch_store(self, store_id: str):
        """Make another store current and reload the page for it."""
        try:
            with unit_of_work() as session:
                auth.switch_store(session, self._token(), int(store_id))
        except (AuthError, ValueError) as exc:
            self._say(getattr(exc, "message", "Unknown store."), ok=False)
            return None
        return rx.redirect(self.router.url.path)

    @rx.event
    def logout(self):
        """End the session on the server, then let the backend clear the HttpOnly cookie."""
        with unit_of_work() as session:
            auth.logout(session, self._token())
        self.ready = False
        return load_page(end_url(self.router.headers.origin))
