"""Stock masters: categories, metals and purities, designs, and suppliers / karigars / consignors /
memo parties, each on its own tab with an add-or-edit form above its list."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.ui.forms import field, select_field
from jewelerp.ui.record_form import RecordFormMixin, record_form
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from modules.stock.masters import (
    JEWELLERY_HSN,
    METALS,
    PARTY_KINDS,
    CategoryInput,
    DesignInput,
    MetalInput,
    PartyInput,
    list_categories,
    list_designs,
    list_metals,
    list_parties,
    metal_label,
    party_kind_label,
    save_category,
    save_design,
    save_metal,
    save_party,
)

TABS = (("categories", "Categories"), ("metals", "Metals"), ("designs", "Designs"), ("parties", "Parties"))
FIELDS = {
    "categories": ("code", "name", "hsn"),
    "metals": ("metal", "purity", "fineness"),
    "designs": ("code", "name", "collection"),
    "parties": ("kind", "name", "phone", "gstin", "address"),
}
NOUNS = {"categories": "category", "metals": "metal", "designs": "design", "parties": "party"}


def _yes(value: bool) -> str:
    return "yes" if value else ""


def _masters(session: Session, actor: Actor) -> dict[str, list[dict[str, str]]]:
    return {
        "categories": [
            {"id": str(c.id), "code": c.code, "name": c.name, "hsn": c.hsn, "active": _yes(c.active)}
            for c in list_categories(session, actor)
        ],
        "metals": [
            {
                "id": str(m.id),
                "label": metal_label(m),
                "metal": m.metal,
                "purity": m.purity,
                "fineness": str(m.fineness),
                "hallmarked": _yes(m.hallmarked),
                "active": _yes(m.active),
            }
            for m in list_metals(session, actor)
        ],
        "designs": [
            {"id": str(d.id), "code": d.code, "name": d.name, "collection": d.collection}
            for d in list_designs(session, actor)
        ],
        "parties": [
            {
                "id": str(p.id),
                "kind": p.kind,
                "kind_label": party_kind_label(p.kind),
                "name": p.name,
                "phone": p.phone,
                "gstin": p.gstin,
                "address": p.address,
                "active": _yes(p.active),
            }
            for p in list_parties(session, actor)
        ],
    }


class MastersState(RecordFormMixin, AppState):
    """The four master lists (a few hundred rows at most) and the form of the open tab."""

    tab: str = "categories"
    categories: list[dict[str, str]] = []
    metals: list[dict[str, str]] = []
    designs: list[dict[str, str]] = []
    parties: list[dict[str, str]] = []

    def _reload(self) -> None:
        data = self._run(_masters, write=False)
        if data is not None:
            self.categories, self.metals = data["categories"], data["metals"]
            self.designs, self.parties = data["designs"], data["parties"]

    @rx.event
    def load(self) -> None:
        """Show every master; a ``?tab=parties`` in the address opens that tab."""
        wanted = str(self.router.url.query_parameters.get("tab", ""))
        self.tab = wanted if wanted in FIELDS else "categories"
        self.form_open = False
        self._reload()

    @rx.event
    def set_tab(self, tab: str) -> None:
        """Switch tab (closing an open form)."""
        self.tab = tab if tab in FIELDS else "categories"
        self.form_open = False
        self._clear_messages()

    @rx.event
    def new(self) -> None:
        """Open an empty form for the current tab."""
        defaults = {
            "categories": {"hsn": JEWELLERY_HSN, "active": "yes"},
            "metals": {"metal": "gold", "active": "yes"},
            "parties": {"kind": "supplier", "active": "yes"},
        }
        self._open_form(0, defaults.get(self.tab, {"active": "yes"}))

    @rx.event
    def edit(self, record_id: str) -> None:
        """Open the form filled with one record of the current tab."""
        rows: list[dict[str, str]] = getattr(self, self.tab)
        self._open_form(int(record_id), next((r for r in rows if r["id"] == record_id), {}))

    @rx.event
    def save(self, form: dict) -> None:
        """Save the record of the current tab; bad input keeps the form with what was typed."""
        tab = self.tab
        text = {k: str(form.get(k, "")) for k in FIELDS[tab]}
        active = bool(form.get("active"))
        record_id = self.editing_id or None
        if tab == "categories":
            category = CategoryInput(**text, active=active)
            result = self._run(lambda s, a: save_category(s, a, category, record_id), done="Category saved.")
        elif tab == "metals":
            metal = MetalInput(**text, hallmarked=bool(form.get("hallmarked")), active=active)
            result = self._run(lambda s, a: save_metal(s, a, metal, record_id), done="Metal saved.")
        elif tab == "designs":
            design = DesignInput(**text)
            result = self._run(lambda s, a: save_design(s, a, design, record_id), done="Design saved.")
        else:
            party = PartyInput(**text, active=active)
            result = self._run(lambda s, a: save_party(s, a, party, record_id), done="Party saved.")
        if result is None:
            flags = {k: "yes" if form.get(k) else "" for k in ("active", "hallmarked")}
            self._keep_typed(form, FIELDS[tab])
            self.editing = {**self.editing, **flags}
            return
        self.form_open = False
        self._reload()


# ---------------------------------------------------------------------------- components


def _checkbox(label: str, name: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.el.input(
                type="checkbox", name=name, id=f"field-{name}", default_checked=MastersState.editing[name] == "yes"
            ),
            rx.text(label, size="2"),
            align="center",
            spacing="2",
        ),
    )


def _grid(*children: rx.Component) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%")


def _category_fields() -> rx.Component:
    v = MastersState.editing
    return rx.vstack(
        _grid(
            field("Code", "code", default_value=v["code"], hint="Up to 10 letters or digits, e.g. RING"),
            field("Name", "name", default_value=v["name"]),
            field("HSN", "hsn", default_value=v["hsn"], input_mode="numeric", hint="7113 jewellery, 7118 coins"),
        ),
        _checkbox("In use (shown in drop-downs)", "active"),
        width="100%",
    )


def _metal_fields() -> rx.Component:
    v = MastersState.editing
    return rx.vstack(
        _grid(
            select_field("Metal", "metal", [(m, m.title()) for m in METALS], default_value=v["metal"]),
            field("Purity", "purity", default_value=v["purity"], hint="As stamped, e.g. 22K or 925"),
            field(
                "Fineness (parts per 1000)", "fineness", default_value=v["fineness"], input_mode="numeric", hint="916"
            ),
        ),
        _checkbox("Hallmarked (BIS HUID expected)", "hallmarked"),
        _checkbox("In use (shown in drop-downs)", "active"),
        width="100%",
    )


def _design_fields() -> rx.Component:
    v = MastersState.editing
    return _grid(
        field("Code", "code", default_value=v["code"], hint="e.g. TMP-101"),
        field("Name", "name", default_value=v["name"]),
        field("Collection", "collection", default_value=v["collection"]),
    )


def _party_fields() -> rx.Component:
    v = MastersState.editing
    return rx.vstack(
        _grid(
            select_field("Kind", "kind", list(PARTY_KINDS), default_value=v["kind"]),
            field("Name", "name", default_value=v["name"]),
            field("Phone", "phone", type="tel", default_value=v["phone"]),
            field("GSTIN", "gstin", default_value=v["gstin"], hint="15 characters; leave empty if none"),
            field("Address", "address", default_value=v["address"]),
        ),
        _checkbox("Active", "active"),
        width="100%",
    )


def _edit_button(row: dict, name: rx.Var) -> rx.Component:
    return rx.button("Edit", size="1", variant="soft", on_click=MastersState.edit(row["id"]), aria_label="Edit " + name)


def _table(headers: tuple[str, ...], rows: rx.Var, cells: object) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, cells)),
            variant="surface",
            size="2",
            width="100%",
        ),
        width="100%",
        overflow_x="auto",
    )


def _active_badge(row: dict) -> rx.Component:
    return rx.cond(row["active"] == "yes", rx.badge("In use", color_scheme="green"), rx.badge("Not in use"))


def _category_row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["code"], weight="bold")),
        rx.table.cell(row["name"]),
        rx.table.cell(row["hsn"]),
        rx.table.cell(_active_badge(row)),
        rx.table.cell(_edit_button(row, row["name"])),
    )


def _metal_row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["label"], weight="bold")),
        rx.table.cell(row["purity"]),
        rx.table.cell(row["fineness"]),
        rx.table.cell(rx.cond(row["hallmarked"] == "yes", "Yes", "No")),
        rx.table.cell(_active_badge(row)),
        rx.table.cell(_edit_button(row, row["label"])),
    )


def _design_row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["code"], weight="bold")),
        rx.table.cell(row["name"]),
        rx.table.cell(row["collection"]),
        rx.table.cell(_edit_button(row, row["code"])),
    )


def _party_row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["name"], weight="bold")),
        rx.table.cell(row["kind_label"]),
        rx.table.cell(row["phone"]),
        rx.table.cell(row["gstin"]),
        rx.table.cell(_active_badge(row)),
        rx.table.cell(_edit_button(row, row["name"])),
    )


def _tab(key: str, fields: rx.Component, headers: tuple[str, ...], rows: rx.Var, cells: object) -> rx.Component:
    noun = NOUNS[key]
    return rx.tabs.content(
        rx.vstack(
            rx.hstack(
                rx.spacer(),
                rx.button(rx.icon("plus", size=16), f"New {noun}", on_click=MastersState.new),
                width="100%",
            ),
            record_form(MastersState, (f"New {noun}", f"Edit {noun}"), fields, f"Save {noun}", MastersState.save),
            _table(headers, rows, cells),
            spacing="4",
            width="100%",
            padding_top="1rem",
        ),
        value=key,
    )


def masters_page() -> rx.Component:
    """The stock masters page."""
    return shell(
        rx.tabs.root(
            rx.tabs.list(*[rx.tabs.trigger(label, value=key) for key, label in TABS]),
            _tab(
                "categories",
                _category_fields(),
                ("Code", "Name", "HSN", "", ""),
                MastersState.categories,
                _category_row,
            ),
            _tab(
                "metals",
                _metal_fields(),
                ("Metal", "Purity", "Fineness", "Hallmarked", "", ""),
                MastersState.metals,
                _metal_row,
            ),
            _tab("designs", _design_fields(), ("Code", "Name", "Collection", ""), MastersState.designs, _design_row),
            _tab(
                "parties",
                _party_fields(),
                ("Name", "Kind", "Phone", "GSTIN", "", ""),
                MastersState.parties,
                _party_row,
            ),
            value=MastersState.tab,
            on_change=MastersState.set_tab,
            width="100%",
        ),
        "Stock masters",
    )
