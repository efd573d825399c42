"""Customer 360: profile, family, occasions, communication timeline, wishlist, follow-ups and
sections other enabled modules contribute."""

from __future__ import annotations

import hashlib

import reflex as rx
from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.users import staff_options
from jewelerp.staging import discard
from jewelerp.ui.file_uploads import UploadRule, receive_uploads
from jewelerp.ui.forms import fact, field, field_error, scrolling_table, select_field
from jewelerp.ui.private_files import file_src
from jewelerp.ui.record_form import RecordFormMixin, record_form
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.uploads import labelled_upload
from modules.clienteling.case_panel import case_input, cases_panel, prefixed_errors
from modules.clienteling.cases import ASSIGN as CASE_ASSIGN
from modules.clienteling.cases import EDIT as CASE_EDIT
from modules.clienteling.cases import VIEW as CASE_VIEW
from modules.clienteling.cases import customer_case_rows, open_case
from modules.clienteling.extension import contributed_sections
from modules.clienteling.family import RELATIONS, RelativeInput, add_occasion, add_relative, family_rows, occasion_rows
from modules.clienteling.followups import (
    INTERACTION_CHANNELS,
    OUTCOMES,
    InteractionInput,
    assign_customer,
    log_interaction,
    timeline,
)
from modules.clienteling.merge import merge_customers
from modules.clienteling.models import FollowUp
from modules.clienteling.photos import MAX_BYTES as MAX_PHOTO_BYTES
from modules.clienteling.photos import prepare_photo, save_photo
from modules.clienteling.services import GENDERS, CustomerInput, customer_profile, update_customer
from modules.clienteling.sizes import BANGLE_SIZES
from modules.clienteling.wishlist import add_wish, wish_rows

PHOTO_UPLOAD = "customer-photo"
PHOTO_RULE = UploadRule("customer-photo", "clienteling.customer.edit", "photo", prepare_photo, MAX_PHOTO_BYTES)
PROFILE_TEXT = (
    "name",
    "phone",
    "alt_phone",
    "email",
    "address",
    "gender",
    "date_of_birth",
    "anniversary",
    "tags",
    "notes",
    "pref_metals",
    "pref_stones",
    "pref_styles",
    "price_min",
    "price_max",
    "ring_size_in",
    "bangle_size",
    "chain_length_in",
    "necklace_length_in",
)


def _open_follow_ups(session: Session, actor: Actor, customer_id: int) -> list[dict[str, str]]:
    rows = session.scalars(
        select(FollowUp)
        .where(FollowUp.customer_id == customer_id, FollowUp.done_at.is_(None))
        .order_by(FollowUp.due_on)
    )
    return [{"due": f.due_on.strftime("%d %b %Y"), "reason": f.reason} for f in rows]


def _photo_address(profile: dict[str, str]) -> str:
    """The file route address of the customer's photo ("" without one); ``v`` changes with the photo."""
    photo = profile.get("photo", "")
    if not photo:
        return ""
    version = hashlib.sha256(photo.encode()).hexdigest()[:12]
    return f"clienteling/photo/{profile['id']}?v={version}"


class ProfileState(RecordFormMixin, AppState):
    """Everything the 360 page shows about one customer (a few dozen rows at most)."""

    profile: dict[str, str] = {}
    family: list[dict[str, str]] = []
    occasions: list[dict[str, str]] = []
    history: list[dict[str, str]] = []
    wishes: list[dict[str, str]] = []
    follow_ups: list[dict[str, str]] = []
    sections: list[dict] = []
    staff: list[dict[str, str]] = []
    cases: list[dict[str, str]] = []
    case_assignees: list[dict[str, str]] = []
    can_open_cases: bool = False
    can_assign_cases: bool = False
    cases_shown: bool = False
    can_edit: bool = False
    can_log: bool = False
    can_assign: bool = False
    can_merge: bool = False
    pii: bool = False
    found: bool = False
    version: int = 0
    photo_address: str = ""

    def _id(self) -> int:
        return self._route_number("customer_id")

    def _reload(self) -> None:
        customer_id = self._id()

        def work(session: Session, actor: Actor) -> dict:
            profile = customer_profile(session, actor, customer_id)
            real_id = int(profile["id"])
            return {
                "profile": profile,
                "family": family_rows(session, actor, real_id),
                "occasions": occasion_rows(session, actor, real_id),
                "history": timeline(session, actor, real_id),
                "wishes": wish_rows(session, actor, real_id),
                "follow_ups": _open_follow_ups(session, actor, real_id),
                "sections": contributed_sections(session, actor, real_id),
                "staff": staff_options(session, actor, "clienteling.customer.view"),
                "cases": customer_case_rows(session, actor, real_id) if actor.can(CASE_VIEW) else [],
                "cases_shown": actor.can(CASE_VIEW),
                "can_open_cases": actor.can(CASE_EDIT),
                "can_assign_cases": actor.can(CASE_ASSIGN),
                "flags": {
                    p: actor.can(f"clienteling.{p}")
                    for p in ("customer.edit", "interaction.log", "customer.assign", "customer.merge", "customer.pii")
                },
            }

        # a write session: opening full contact details is itself recorded in the audit log
        data = self._open_record(customer_id, work, "That customer does not exist.", write=True)
        if data is None:
            return
        flags = data.pop("flags")
        for key, value in data.items():
            setattr(self, key, value)
        self.can_edit, self.can_log = flags["customer.edit"], flags["interaction.log"]
        self.can_assign, self.can_merge, self.pii = (
            flags["customer.assign"],
            flags["customer.merge"],
            flags["customer.pii"],
        )
        self.photo_address = _photo_address(self.profile)
        self.case_assignees = [{"value": "", "label": "Nobody (the store's queue)"}, *self.staff]
        self.version += 1

    @rx.event
    def load(self) -> None:
        """Open the page for the customer in the URL."""
        self.form_open = False
        self._clear_messages()
        self._reload()

    @rx.event
    def edit(self) -> None:
        """Open the profile form filled with the current values."""
        self._open_form(self._id(), dict(self.profile))

    @rx.event
    def save_profile(self, form: dict) -> None:
        """Save the whole profile; consent changes are timestamped."""
        data = CustomerInput.from_form(form)
        customer_id = int(self.profile.get("id", "0"))
        saved = self._run(lambda s, a: update_customer(s, a, customer_id, data), done="Profile saved.")
        if saved is None:
            self._keep_typed(form, PROFILE_TEXT)
            return
        self.form_open = False
        self._after(saved)

    @rx.event
    def add_family(self, form: dict) -> None:
        """Add a family member or gift recipient."""
        data = RelativeInput(
            form.get("relative_name", ""),
            form.get("relation", ""),
            form.get("relative_date_of_birth", ""),
            form.get("relative_anniversary", ""),
            form.get("relative_ring_size_in", ""),
            form.get("relative_metals", ""),
            form.get("relative_styles", ""),
            form.get("relative_notes", ""),
        )
        customer_id = int(self.profile.get("id", "0"))
        self._after(self._run(lambda s, a: add_relative(s, a, customer_id, data), done=f"{data.name} added."))

    @rx.event
    def add_custom_occasion(self, form: dict) -> None:
        """Remember a custom date every year."""
        customer_id = int(self.profile.get("id", "0"))
        label, on = form.get("occasion_label", ""), form.get("occasion_date", "")
        self._after(self._run(lambda s, a: add_occasion(s, a, customer_id, label, on), done="Occasion saved."))

    @rx.event
    def log(self, form: dict) -> None:
        """Log a call, visit or message, with an optional follow-up."""
        data = InteractionInput(
            form.get("channel", ""),
            form.get("outcome", ""),
            form.get("summary", ""),
            form.get("follow_up_on", ""),
            form.get("follow_up_reason", ""),
        )
        customer_id = int(self.profile.get("id", "0"))
        done = "Logged." + (" Follow-up added." if data.follow_up_on else "")
        self._after(self._run(lambda s, a: log_interaction(s, a, customer_id, data), done=done))

    @rx.event
    def open_case(self, form: dict) -> None:
        """Open a service case on this customer (the form's fields are read after the session check)."""
        customer_id = int(self.profile.get("id", "0"))
        case = self._run(lambda s, a: open_case(s, a, customer_id, case_input(form)))
        if case is None:
            self.errors = prefixed_errors(self.errors)
            return
        self._say(f"Case {case.number} opened.")
        self._after(case)

    @rx.event
    def wish(self, form: dict) -> None:
        """Add to the wishlist."""
        customer_id = int(self.profile.get("id", "0"))
        text, ref = form.get("wish_text", ""), form.get("wish_ref", "")
        self._after(self._run(lambda s, a: add_wish(s, a, customer_id, text, ref), done="Added to the wishlist."))

    @rx.event
    def assign(self, user_id: str) -> None:
        """Give the customer to a salesperson."""
        customer_id = int(self.profile.get("id", "0"))
        target = int(user_id) if user_id.isdigit() else None
        self._after(self._run(lambda s, a: assign_customer(s, a, customer_id, target), done="Salesperson changed."))

    @rx.event
    async def upload_photo(self, files: list[rx.UploadFile]) -> None:
        """Replace the customer's photo with the chosen image (the session and permission are checked first)."""
        photos = await receive_uploads(self, files, PHOTO_RULE)
        if not photos:
            if not files:
                self._say("Choose a photo first.", ok=False)
            return
        customer_id = int(self.profile.get("id", "0"))
        saved = self._run(lambda s, a: save_photo(s, a, customer_id, photos[0]), done="Photo saved.")
        discard(photos)
        self._after(saved)

    @rx.event
    def merge(self, form: dict):
        """Merge another profile (by its number) into this one."""
        keep = int(self.profile.get("id", "0"))
        other = str(form.get("merge_id", "")).strip().lstrip("#")
        if not other.isdigit():
            self.errors = {"merge_id": "Give the other customer's number, e.g. 1234."}
            return None
        merged = self._run(lambda s, a: merge_customers(s, a, keep, int(other)), done=f"Customer #{other} merged in.")
        self._after(merged)
        return None


def _photo() -> rx.Component:
    p = ProfileState.profile
    picture = rx.cond(
        ProfileState.photo_address != "",
        rx.image(
            src=file_src(ProfileState.photo_address),
            alt="Photo of " + p["name"],
            width="88px",
            height="88px",
            object_fit="cover",
            border_radius="50%",
        ),
        rx.center(
            rx.icon("user", size=36, color="var(--gray-9)"),
            width="88px",
            height="88px",
            border_radius="50%",
            background="var(--gray-a3)",
        ),
    )
    return rx.vstack(
        picture,
        rx.cond(
            ProfileState.can_edit,
            rx.vstack(
                labelled_upload(
                    rx.button(rx.icon("camera", size=14), "Choose photo", size="1", variant="soft", type="button"),
                    id=PHOTO_UPLOAD,
                    accept={"image/*": [".jpg", ".jpeg", ".png", ".webp"]},
                    multiple=False,
                    max_files=1,
                    border="none",
                    padding="0",
                    label="Customer photo",
                ),
                rx.foreach(rx.selected_files(PHOTO_UPLOAD), lambda f: rx.text(f, size="1")),
                rx.cond(
                    rx.selected_files(PHOTO_UPLOAD).length() > 0,
                    rx.button(
                        "Save photo",
                        size="1",
                        on_click=ProfileState.upload_photo(rx.upload_files(upload_id=PHOTO_UPLOAD)),
                    ),
                ),
                field_error("photo"),
                align="center",
                spacing="1",
            ),
        ),
        align="center",
        spacing="2",
    )


def _summary() -> rx.Component:
    p = ProfileState.profile
    return rx.card(
        rx.flex(
            _photo(),
            rx.vstack(
                rx.flex(
                    rx.heading(p["name"], size="6"),
                    rx.badge(
                        p["segment"].upper(),
                        color_scheme=rx.match(p["segment"], ("vip", "amber"), ("regular", "green"), "gray"),
                        size="2",
                    ),
                    rx.text("#", p["id"], color_scheme="gray", size="2"),
                    rx.spacer(),
                    rx.cond(
                        ProfileState.can_edit,
                        rx.button(
                            rx.icon("pencil", size=14), "Edit profile", variant="soft", on_click=ProfileState.edit
                        ),
                    ),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                    width="100%",
                ),
                rx.grid(
                    rx.vstack(
                        fact("Phone", p["phone"]),
                        fact("Other phone", p["alt_phone"]),
                        fact("Email", p["email"]),
                        fact("Address", p["address"]),
                        fact("Birthday", p["date_of_birth"]),
                        fact("Anniversary", p["anniversary"]),
                        fact("Gender", p["gender"]),
                        fact("Consent to contact", p["consents"]),
                        spacing="1",
                    ),
                    rx.vstack(
                        fact("Likes metals", p["pref_metals"]),
                        fact("Stones", p["pref_stones"]),
                        fact("Styles", p["pref_styles"]),
                        fact("Budget from", p["price_min"]),
                        fact("Budget up to", p["price_max"]),
                        fact("Ring size (IN)", p["ring_size_in"]),
                        fact("Ring size (US)", p["ring_size_us"]),
                        fact("Bangle size", p["bangle_size"]),
                        fact("Chain length (in)", p["chain_length_in"]),
                        fact("Necklace length (in)", p["necklace_length_in"]),
                        fact("Tags", p["tags"]),
                        spacing="1",
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="4",
                    width="100%",
                ),
                rx.flex(
                    rx.text(
                        "12-month spend: ",
                        rx.text.strong(p["spend_12m"]),
                        " in ",
                        p["purchases_12m"],
                        " purchase(s)",
                        size="2",
                    ),
                    rx.spacer(),
                    rx.cond(
                        ProfileState.can_assign,
                        rx.el.select(
                            rx.el.option("No salesperson", value=""),
                            rx.foreach(ProfileState.staff, lambda o: rx.el.option(o["label"], value=o["value"])),
                            value=p["assigned_user_id"],
                            on_change=ProfileState.assign,
                            aria_label="Salesperson",
                            class_name="jewel-select",
                        ),
                    ),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                    width="100%",
                ),
                rx.cond(p["notes"] != "", rx.text(p["notes"], size="2", color_scheme="gray", white_space="pre-wrap")),
                spacing="3",
                width="100%",
            ),
            spacing="4",
            width="100%",
            direction=rx.breakpoints(initial="column", sm="row"),
            align="start",
        ),
        width="100%",
    )


def _profile_fields() -> rx.Component:
    v = ProfileState.editing
    masked = ~ProfileState.pii

    def text(label: str, name: str, **props: object) -> rx.Component:
        return field(label, name, default_value=v[name], **props)

    def consent(channel: str, label: str) -> rx.Component:
        return rx.el.label(
            rx.hstack(
                rx.el.input(
                    type="checkbox",
                    name=f"consent_{channel}",
                    default_checked=v[f"consent_{channel}"] == "on",
                    id=f"field-consent_{channel}",
                ),
                rx.text(label, size="2"),
                rx.text(v[f"consent_{channel}_at"], size="1", color_scheme="gray"),
                align="center",
            )
        )

    return rx.vstack(
        rx.cond(
            masked,
            rx.callout.root(
                rx.callout.text("Contact details are hidden for your role; they stay as they are when you save."),
                color_scheme="gray",
            ),
        ),
        rx.grid(
            text("Name", "name"),
            text("Phone", "phone", type="tel", disabled=masked),
            text("Other phone", "alt_phone", type="tel", disabled=masked),
            text("Email", "email", type="email", disabled=masked),
            text("Address", "address", disabled=masked),
            select_field(
                "Gender", "gender", [("", "Not given"), *[(g, g.title()) for g in GENDERS]], default_value=v["gender"]
            ),
            text("Date of birth", "date_of_birth", type=rx.cond(masked, "text", "date"), disabled=masked),
            text("Anniversary", "anniversary", type=rx.cond(masked, "text", "date"), disabled=masked),
            text("Tags", "tags"),
            text("Metals liked", "pref_metals", hint="e.g. gold, platinum"),
            text("Stones liked", "pref_stones", hint="e.g. diamond, emerald"),
            text("Styles liked", "pref_styles", hint="e.g. temple, minimal"),
            text("Budget from (₹)", "price_min"),
            text("Budget up to (₹)", "price_max"),
            text("Ring size (Indian)", "ring_size_in", hint="1–35; the US size is worked out"),
            select_field(
                "Bangle size",
                "bangle_size",
                [("", "Not known"), *[(b, b) for b in BANGLE_SIZES]],
                default_value=v["bangle_size"],
            ),
            text("Chain length (inches)", "chain_length_in"),
            text("Necklace length (inches)", "necklace_length_in"),
            columns=rx.breakpoints(initial="1", md="2", lg="3"),
            spacing="3",
            width="100%",
        ),
        rx.el.label(rx.text("Notes", size="2", weight="medium"), html_for="field-notes"),
        rx.text_area(id="field-notes", name="notes", default_value=v["notes"], width="100%"),
        rx.text("Consent to marketing", size="2", weight="medium"),
        rx.flex(
            consent("email", "Email"), consent("sms", "SMS"), consent("whatsapp", "WhatsApp"), spacing="4", wrap="wrap"
        ),
        width="100%",
    )


def _table(label: str, headers: list[str], rows: rx.Var, keys: list[str], empty: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        scrolling_table(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(rx.foreach(rows, lambda r: rx.table.row(*[rx.table.cell(r[k]) for k in keys]))),
                size="1",
            ),
            label,
        ),
        rx.text(empty, size="2", color_scheme="gray"),
    )


def _panel(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%"), width="100%")


def _small_form(on_submit: object, button: str, *fields: rx.Component) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.grid(*fields, columns=rx.breakpoints(initial="1", sm="2"), spacing="2", width="100%"),
            rx.button(button, type="submit", size="2", variant="soft"),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
        no_validate=True,
        reset_on_submit=False,
        key=ProfileState.version.to_string(),
    )


def _timeline_panel() -> rx.Component:
    return _panel(
        "Communication",
        rx.cond(
            ProfileState.can_log,
            _small_form(
                ProfileState.log,
                "Log it",
                select_field("Channel", "channel", [(c, c.title()) for c in INTERACTION_CHANNELS]),
                select_field("Outcome", "outcome", [("", "—"), *[(o, o.capitalize()) for o in OUTCOMES]]),
                field("What was said", "summary"),
                field("Follow up on", "follow_up_on", type="date"),
                field("Follow-up reason", "follow_up_reason"),
            ),
        ),
        _table(
            "Communication",
            ["When", "Channel", "Outcome", "Summary", "By"],
            ProfileState.history,
            ["at", "channel", "outcome", "summary", "who"],
            "No calls, visits or messages logged yet.",
        ),
    )


def _family_panel() -> rx.Component:
    return _panel(
        "Family and gift recipients",
        _table(
            "Family and gift recipients",
            ["Name", "Relation", "Birthday", "Anniversary", "Ring", "Likes"],
            ProfileState.family,
            ["name", "relation", "birthday", "anniversary", "ring_size", "likes"],
            "No family added yet.",
        ),
        rx.cond(
            ProfileState.can_edit,
            _small_form(
                ProfileState.add_family,
                "Add person",
                field("Their name", "relative_name"),
                select_field("Relation", "relation", [(r, r.title()) for r in RELATIONS]),
                field("Their birthday", "relative_date_of_birth", type="date"),
                field("Their anniversary", "relative_anniversary", type="date"),
                field("Their ring size (IN)", "relative_ring_size_in"),
                field("Metals they like", "relative_metals"),
            ),
        ),
    )


def _occasions_panel() -> rx.Component:
    return _panel(
        "Occasions",
        _table("Occasions", ["Date", "Occasion"], ProfileState.occasions, ["when", "what"], "No dates known yet."),
        rx.cond(
            ProfileState.can_edit,
            _small_form(
                ProfileState.add_custom_occasion,
                "Remember date",
                field("Occasion", "occasion_label"),
                field("Date", "occasion_date", type="date"),
            ),
        ),
    )


def _wishlist_panel() -> rx.Component:
    return _panel(
        "Wishlist",
        _table(
            "Wishlist",
            ["Wish", "Item", "Added"],
            ProfileState.wishes,
            ["text", "ref", "added"],
            "Nothing on the wishlist.",
        ),
        rx.cond(
            ProfileState.can_edit,
            _small_form(
                ProfileState.wish,
                "Add wish",
                field("Would like", "wish_text"),
                field("Stock item (SKU)", "wish_ref", hint="Needs the stock module"),
            ),
        ),
    )


def _section(section: dict) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(section["title"], size="4"),
            scrolling_table(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.foreach(section["headers"].to(list[str]), lambda h: rx.table.column_header_cell(h))
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            section["rows"].to(list[list[str]]),
                            lambda row: rx.table.row(rx.foreach(row, lambda c: rx.table.cell(c))),
                        )
                    ),
                    size="1",
                ),
                section["title"].to(str),
            ),
            rx.foreach(
                section["links"].to(list[dict[str, str]]),
                lambda link: rx.link(link["label"], href=link["href"], size="2"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _merge_panel() -> rx.Component:
    return rx.cond(
        ProfileState.can_merge,
        _panel(
            "Merge a duplicate",
            rx.text(
                "All history of the other profile moves here; it is kept, pointing to this one.",
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.hstack(
                    rx.input(name="merge_id", placeholder="Customer number", aria_label="Customer number to merge"),
                    rx.button("Merge into this profile", type="submit", color_scheme="red", variant="soft"),
                    align="center",
                    wrap="wrap",
                ),
                field_error("merge_id"),
                on_submit=ProfileState.merge,
                no_validate=True,
                key=ProfileState.version.to_string(),
            ),
        ),
    )


def profile_page() -> rx.Component:
    """The customer 360 page."""
    return shell(
        rx.cond(
            ProfileState.found,
            rx.vstack(
                _summary(),
                record_form(
                    ProfileState,
                    ("Edit profile", "Edit profile"),
                    _profile_fields(),
                    "Save profile",
                    ProfileState.save_profile,
                ),
                rx.grid(
                    rx.vstack(_timeline_panel(), _wishlist_panel(), spacing="4", width="100%"),
                    rx.vstack(
                        _panel(
                            "Open follow-ups",
                            _table(
                                "Open follow-ups",
                                ["Due", "Reason"],
                                ProfileState.follow_ups,
                                ["due", "reason"],
                                "No open follow-ups.",
                            ),
                        ),
                        _family_panel(),
                        _occasions_panel(),
                        spacing="4",
                        width="100%",
                    ),
                    columns=rx.breakpoints(initial="1", lg="2"),
                    spacing="4",
                    width="100%",
                ),
                rx.cond(ProfileState.cases_shown, cases_panel(ProfileState)),
                rx.foreach(ProfileState.sections, _section),
                _merge_panel(),
                spacing="4",
                width="100%",
            ),
        ),
        "Customer",
    )
