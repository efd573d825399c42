"""The header's search box: one field that finds customers, pieces and documents (:mod:`jewelerp.search`).

An ARIA combobox: the field (``role=combobox``) drives a list of results (``role=listbox``, one
``role=option`` each) grouped under their kind. Typing searches after a pause; the arrow keys move through
the results, Enter opens the highlighted one (the first when none is), Escape closes the list, and Ctrl+K
(⌘K on a Mac) focuses the field from anywhere in the app. Every handler resolves the session first.
"""

from __future__ import annotations

import json

import reflex as rx
from reflex.vars import FunctionStringVar

from jewelerp.search import MAX_QUERY, global_search, read_query
from jewelerp.ui.state import AppState

FIELD_ID = "global-search"
LIST_ID = "global-search-results"
DEBOUNCE_MS = 250
LIST_KEYS = ("ArrowDown", "ArrowUp", "Enter", "Escape")
# Ctrl+K / ⌘K focuses the field; installed once however many pages mount the shell.
FOCUS_SCRIPT = f"""
if (!window.jewelSearchKey) {{
  window.jewelSearchKey = true;
  document.addEventListener("keydown", (event) => {{
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {{
      const field = document.getElementById("{FIELD_ID}");
      if (field) {{ event.preventDefault(); field.focus(); field.select(); }}
    }}
  }});
}}
"""


class SearchState(AppState):
    """What was typed, the results as one flat list (each row knows its kind) and the highlighted row."""

    query: str = ""
    results: list[dict[str, str]] = []
    active: int = -1
    is_open: bool = False

    @rx.event
    def search(self, typed: str) -> None:
        """Search the current store for what was typed (the browser waits for a pause in the typing)."""
        text = typed if isinstance(typed, str) else ""  # over-long text searches nothing (read_query)
        # _run resolves the session before the search runs; without one the browser goes to the sign-in page
        groups = self._run(lambda session, actor: global_search(session, actor, text), write=False) or []
        self.query = text[:MAX_QUERY]
        rows = [(group.kind if i == 0 else "", hit) for group in groups for i, hit in enumerate(group.hits)]
        self.results = [
            {"kind": kind, "title": hit.title, "detail": hit.detail, "link": hit.link, "id": f"search-hit-{n}"}
            for n, (kind, hit) in enumerate(rows)
        ]
        self.active = -1
        self.is_open = read_query(text) is not None  # a query that searches nothing shows no list

    @rx.event
    def key(self, key: str):
        """Arrow keys move through the results, Enter opens one, Escape closes the list."""
        self._session()
        if key == "Escape":
            self._close()
        elif key in ("ArrowDown", "ArrowUp") and self.results:
            down = key == "ArrowDown"
            if self.active < 0:
                self.active = 0 if down else len(self.results) - 1
            else:
                self.active = (self.active + (1 if down else -1)) % len(self.results)
            self.is_open = True
        elif key == "Enter" and self.results and self.is_open:
            return self._open(max(self.active, 0))
        return None

    @rx.event
    def open_hit(self, index: int):
        """Open the result at ``index`` (a position in the list shown) and empty the box."""
        self._session()
        return self._open(index)

    def _open(self, index: int):
        if not isinstance(index, int) or not 0 <= index < len(self.results):
            return None
        link = self.results[index]["link"]
        self._close()
        self.query, self.results = "", []
        return rx.redirect(link)

    @rx.event
    def close(self) -> None:
        """Hide the results (they come back with the next keystroke)."""
        self._session()
        self._close()

    def _close(self) -> None:
        self.is_open, self.active = False, -1


def _list_keys() -> rx.Var:
    """The field's key handler: only the keys that move through or leave the list reach the server, so typing
    sends no event per keystroke (the text itself arrives debounced through ``on_change``)."""
    event = json.dumps(f"{SearchState.get_full_name()}.{SearchState.key.fn.__name__}")
    keys = json.dumps(list(LIST_KEYS))
    return FunctionStringVar.create(  # Reflex calls it with the key name first
        f"((key) => ({keys}.includes(key) ? addEvents([ReflexEvent({event}, ({{ key }}), ({{}}))], [], ({{}})) : null))"
    )


def _option(hit: rx.Var, index: rx.Var) -> rx.Component:
    selected = SearchState.active == index
    return rx.fragment(
        rx.cond(
            hit["kind"] != "",
            rx.text(
                hit["kind"],
                role="presentation",
                size="1",
                weight="bold",
                color_scheme="gray",
                padding="0.5rem 0.75rem 0.25rem",
            ),
        ),
        rx.box(
            rx.text(hit["title"], size="2", weight="medium"),
            rx.text(hit["detail"], size="1", color_scheme="gray"),
            id=hit["id"],
            role="option",
            aria_selected=rx.cond(selected, "true", "false"),
            on_mouse_down=rx.prevent_default,  # keep the focus in the field, so its blur does not close the list
            on_click=SearchState.open_hit(index),
            cursor="pointer",
            padding="0.4rem 0.75rem",
            border_radius="var(--radius-2)",
            background=rx.cond(selected, "var(--amber-a4)", "transparent"),
            _hover={"background": "var(--gray-a3)"},
        ),
    )


def _results() -> rx.Component:
    return rx.box(
        rx.cond(
            SearchState.results.length() > 0,
            rx.foreach(SearchState.results, _option),
            rx.text("Nothing found in this store.", size="2", color_scheme="gray", padding="0.5rem 0.75rem"),
        ),
        id=LIST_ID,
        role="listbox",
        aria_label="Search results",
        position="absolute",
        top="calc(100% + 0.25rem)",
        left="0",
        width="min(28rem, calc(100vw - 1.5rem))",
        max_height="70vh",
        overflow_y="auto",
        padding="0.25rem",
        background="var(--color-panel-solid)",
        border="1px solid var(--gray-a6)",
        border_radius="var(--radius-3)",
        box_shadow="var(--shadow-4)",
        z_index="20",
    )


def search_box() -> rx.Component:
    """The header field with its results below it; the whole width of a phone, a fixed width on wider screens."""
    return rx.box(
        rx.script(FOCUS_SCRIPT),
        rx.debounce_input(
            rx.input(
                id=FIELD_ID,
                value=SearchState.query,
                on_change=SearchState.search,
                on_key_down=_list_keys(),
                on_blur=SearchState.close,
                placeholder="Search customers, pieces, numbers… (Ctrl+K)",
                aria_label="Search everything",
                role="combobox",
                aria_autocomplete="list",
                aria_controls=LIST_ID,
                aria_expanded=rx.cond(SearchState.is_open, "true", "false"),
                aria_activedescendant=rx.cond(
                    SearchState.active >= 0, f"search-hit-{SearchState.active.to_string()}", ""
                ),
                max_length=MAX_QUERY,
                auto_complete="off",
                width="100%",
            ),
            debounce_timeout=DEBOUNCE_MS,
        ),
        rx.cond(SearchState.is_open, _results()),
        position="relative",
        width=["100%", "100%", "18rem", "22rem"],
        order=["3", "3", "0", "0"],
    )
