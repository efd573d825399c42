"""Loyalty pages: the members list (``/loyalty/members``), a member (``/loyalty/members/[member_id]``) and
the program setup for managers (``/loyalty/program``). Thin states calling :mod:`modules.loyalty.points`
and :mod:`modules.loyalty.program`.

The member page's panels are listed in :func:`_member_panels`; the savings schemes add theirs there.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, ClassVar

import reflex as rx
from sqlalchemy import Select, func, select, type_coerce
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.core.audit import client_ip_scope
from jewelerp.db import Money, utcnow
from jewelerp.money import format_inr
from jewelerp.ui.datatable import DataTableMixin, data_table
from jewelerp.ui.forms import fact, field, page_message
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.table_query import TableQuery, TableSpec
from modules.loyalty import pins, points
from modules.loyalty.models import Member, PointEntry, Program, Tier
from modules.loyalty.program import (
    CATEGORIES,
    MAX_TIERS,
    ProgramInput,
    RuleInput,
    TierInput,
    program_view,
    save_program,
)
from modules.loyalty.scheme_pages import member_schemes, schemes_panel

HISTORY_PAGE = 20

# ---------------------------------------------------------------------------- members list


def _program_id(actor: Actor) -> Any:
    """The id of the program in effect in the actor's store, as SQL: its own, else the chain's."""
    own = select(Program.id).where(Program.store_id == actor.store_id).scalar_subquery()
    chain = select(Program.id).where(Program.store_id.is_(None)).scalar_subquery()
    return func.coalesce(own, chain)


BALANCE = (
    select(func.coalesce(func.sum(PointEntry.points), 0))
    .where(PointEntry.member_id == Member.id)
    .correlate(Member)
    .scalar_subquery()
)


def _spend(actor: Actor) -> Any:
    since = utcnow() - timedelta(days=points.SPEND_DAYS)
    total = (
        select(func.coalesce(func.sum(PointEntry.spend), 0))
        .where(PointEntry.member_id == Member.id, PointEntry.kind.in_(("earn", "reverse")), PointEntry.at >= since)
        .correlate(Member)
        .scalar_subquery()
    )
    return type_coerce(total, Money())


def _members(actor: Actor, q: TableQuery) -> Select:
    spend = _spend(actor)
    tier = (
        select(Tier.name)
        .where(Tier.program_id == Member.program_id, Tier.min_spend <= spend)
        .order_by(Tier.min_spend.desc())
        .limit(1)
        .correlate(Member)
        .scalar_subquery()
    )
    return select(Member, BALANCE.label("balance"), spend.label("spend"), tier.label("tier")).where(
        Member.program_id == _program_id(actor)
    )


def _member_row(r: Any, actor: Actor) -> dict[str, Any]:
    member, balance, spend, tier = r
    return {
        "name": member.customer_name,
        "_link": f"/loyalty/members/{member.id}",
        "code": member.referral_code,
        "tier": tier or "",
        "balance": int(balance or 0),
        "spend": spend or Decimal(0),
        "joined": actor.local(member.joined_at).date(),
    }


MEMBERS = TableSpec(
    name="loyalty-members",
    title="Loyalty members",
    permission=points.VIEW,
    columns=(
        Column("name", "Member"),
        Column("code", "Referral code", sortable=False),
        Column("tier", "Tier", sortable=False),
        Column("balance", "Points", kind=Kind.INTEGER),
        Column("spend", "Spend, 12 months", sortable=False, kind=Kind.MONEY, shown=format_inr),
        Column("joined", "Joined", kind=Kind.DATE),
    ),
    base=_members,
    row=_member_row,
    sort_columns={"name": Member.customer_name, "balance": BALANCE, "joined": Member.id},
    default_sort="name",
    search_columns=(Member.customer_name, Member.referral_code),
)


class MembersState(DataTableMixin, AppState):
    """One page of the program's members, and the enrolment form."""

    spec: ClassVar[TableSpec] = MEMBERS
    enrol_version: int = 0

    @rx.event
    def open_page(self) -> None:
        """Runs after the shell's access check (the manifest's on_load)."""
        self._clear_messages()
        self._load()

    @rx.event
    def enrol(self, form: dict) -> None:
        """Enrol a customer by their customer number, with an optional referral code."""
        raw = str(form.get("customer_id", "")).strip().lstrip("#")
        code = str(form.get("referral_code", ""))
        if not raw.isdigit():
            self.errors = {"customer_id": "Enter the customer number, e.g. 42."}
            return
        member = self._run(lambda s, a: points.enrol(s, a, int(raw), code))
        if member is not None:
            self._say(f"{member.customer_name} is a member; referral code {member.referral_code}.")
            self.enrol_version += 1
            self._refresh()


def _enrol_form() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.box(field("Customer number", "customer_id"), min_width="10em"),
            rx.box(field("Referral code (optional)", "referral_code"), min_width="12em"),
            rx.button("Enrol", type="submit"),
            spacing="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=MembersState.enrol,
        no_validate=True,
        reset_on_submit=False,
        key=MembersState.enrol_version.to_string(),
        width="100%",
    )


def members_page() -> rx.Component:
    """The members list with tier and balance, exportable, and the enrolment form."""
    return shell(
        rx.vstack(
            page_message(),
            rx.card(rx.vstack(rx.heading("Enrol a customer", size="4"), _enrol_form(), width="100%"), width="100%"),
            data_table(MembersState, link_column="name"),
            spacing="4",
            width="100%",
        ),
        "Loyalty members",
    )


# ---------------------------------------------------------------------------- one member


def _history_row(entry: PointEntry, actor: Actor) -> dict[str, str]:
    return {
        "date": f"{actor.local(entry.at):%d %b %Y}",
        "what": points.KIND_LABELS.get(entry.kind, entry.kind),
        "points": f"{entry.points:+,}",
        "reference": entry.reference,
        "detail": entry.reason,
        "expires": f"{entry.expires_on:%d %b %Y}" if entry.expires_on and entry.remaining else "",
        "by": entry.user_name,
    }


def _progress(status: points.MemberStatus) -> tuple[int, str]:
    """Percent of the way from the current tier to the next, and the sentence that says so."""
    if status.next_tier is None:
        return 100, "Top tier reached."
    floor = status.tier.min_spend if status.tier else Decimal(0)
    span = status.next_tier.min_spend - floor
    done = int((status.spend - floor) * 100 / span) if span > 0 else 100
    left = format_inr(status.next_tier.min_spend - status.spend)
    return max(0, min(done, 100)), f"{left} more in 12 months reaches {status.next_tier.name}."


def _pin_state(member: Member) -> str:
    if pins.is_locked(member):
        return "Locked after too many wrong tries"
    return "Set" if member.pin_hash else "Not set"


def _member_data(session: Session, actor: Actor, member_id: int, offset: int) -> dict[str, Any]:
    member = points.get_member(session, actor, member_id)
    status = points.member_status(session, actor, member)
    percent, to_next = _progress(status)
    tier = status.tier
    rows = points.history(session, actor, member.id, offset, HISTORY_PAGE + 1)
    return {
        "member": {
            "name": member.customer_name,
            "customer": f"#{member.customer_id}",
            "customer_link": f"/clienteling/customers/{member.customer_id}",
            "code": member.referral_code,
            "referred_by": status.referred_by,
            "balance": f"{status.balance:,}",
            "worth": format_inr(status.balance * status.point_value, paise=True),
            "tier": tier.name if tier else "",
            "benefits": (
                f"×{tier.earn_multiplier.normalize()} points, {tier.making_discount_pct.normalize()}% off making"
                if tier
                else ""
            ),
            "spend": format_inr(status.spend),
            "to_next": to_next,
            "pin": _pin_state(member),
            "joined": f"{actor.local(member.joined_at):%d %b %Y}",
        },
        "progress": percent,
        "history": [_history_row(entry, actor) for entry in rows[:HISTORY_PAGE]],
        "has_older": len(rows) > HISTORY_PAGE,
        "can_adjust": actor.can(points.ADJUST),
        "can_pin": actor.can(points.REDEEM),
        "can_reset_pin": actor.can(points.PIN_RESET),
        "locked": pins.is_locked(member),
        "schemes": member_schemes(session, actor, member.customer_id),
    }


class MemberState(AppState):
    """One member: balance, tier, progress, history (a page at a time), adjustments and the PIN."""

    member: dict[str, str] = {}
    progress: int = 0
    history: list[dict[str, str]] = []
    offset: int = 0
    has_older: bool = False
    can_adjust: bool = False
    can_pin: bool = False
    can_reset_pin: bool = False
    locked: bool = False
    schemes: list[dict[str, str]] = []
    found: bool = False
    version: int = 0

    def _id(self) -> int:
        return self._route_number("member_id")

    def _reload(self) -> None:
        member_id, offset = self._id(), self.offset
        data = self._open_record(
            member_id,
            lambda s, a: _member_data(s, a, member_id, offset),
            "That member does not exist in this store's program.",
        )
        if data is None:
            return
        for key, value in data.items():
            setattr(self, key, value)
        self.version += 1

    @rx.event
    def load(self) -> None:
        """Open the page for the member in the URL, newest history first."""
        self._clear_messages()
        self.offset = 0
        self._reload()

    @rx.event
    def older(self) -> None:
        """The next page of older history."""
        self.offset += HISTORY_PAGE
        self._reload()

    @rx.event
    def newer(self) -> None:
        """The previous page of newer history."""
        self.offset = max(0, self.offset - HISTORY_PAGE)
        self._reload()

    @rx.event
    def adjust(self, form: dict) -> None:
        """Add or take away points by hand, with the reason."""
        member_id = self._id()
        change, reason = str(form.get("points", "")), str(form.get("reason", ""))
        entry = self._run(lambda s, a: points.adjust(s, a, member_id, change, reason))
        if entry is not None:
            self._say(f"Points adjusted by {entry.points:+,}.")
            self.offset = 0
        self._after(entry)

    def _pin_work(self, work: Any, done: str) -> None:
        """Run a PIN action with the client's IP known to the service (a wrong PIN or code is audited with it)."""
        with client_ip_scope(self._client_ip()):
            result = self._run(work, done=done)
        self._after(result)

    @rx.event
    def send_code(self) -> None:
        """Send the customer a one-time code to set or change their PIN."""
        member_id = self._id()
        with client_ip_scope(self._client_ip()):
            sent = self._run(lambda s, a: points.send_pin_code(s, a, member_id))
        if sent is not None:
            self._say(f"Code sent by {sent}. It works once, for {pins.CODE_MINUTES} minutes.")

    @rx.event
    def change_pin(self, form: dict) -> None:
        """Set a new PIN (typed by the customer) with the current PIN or the code they received."""
        member_id = self._id()
        pin, current, code = (str(form.get(k, "")) for k in ("pin", "current", "code"))
        self._pin_work(
            lambda s, a: points.change_pin(s, a, member_id, pin, current=current, code=code), "The PIN is set."
        )

    @rx.event
    def reset_pin(self, form: dict) -> None:
        """A manager sets the PIN without the old one (and unlocks the member)."""
        member_id, pin = self._id(), str(form.get("pin", ""))
        self._pin_work(lambda s, a: points.reset_pin(s, a, member_id, pin), "The PIN is set and redemption unlocked.")

    @rx.event
    def unlock_pin(self) -> None:
        """A manager unlocks redemption after too many wrong PINs."""
        member_id = self._id()
        self._pin_work(lambda s, a: points.unlock_pin(s, a, member_id), "Redemption is unlocked.")


def _history_table() -> rx.Component:
    headers = ("Date", "Points", "Change", "Reference", "Detail", "Expires", "By")
    return rx.box(
        rx.table.root(
            rx.el.caption("Points history", class_name="sr-only"),
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(
                rx.foreach(
                    MemberState.history,
                    lambda r: rx.table.row(
                        rx.table.row_header_cell(r["date"], white_space="nowrap"),
                        rx.table.cell(r["what"]),
                        rx.table.cell(r["points"], text_align="right", white_space="nowrap"),
                        rx.table.cell(r["reference"], white_space="nowrap"),
                        rx.table.cell(r["detail"], min_width="14em"),
                        rx.table.cell(r["expires"], white_space="nowrap"),
                        rx.table.cell(r["by"]),
                    ),
                )
            ),
            size="1",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def _small_form(on_submit: Any, button: str, *fields: rx.Component) -> rx.Component:
    return rx.form(
        rx.flex(*fields, rx.button(button, type="submit"), spacing="3", wrap="wrap", align="end"),
        on_submit=on_submit,
        no_validate=True,
        reset_on_submit=False,
        key=MemberState.version.to_string(),
        width="100%",
    )


def _summary_panel() -> rx.Component:
    m = MemberState.member
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.text("Points", size="1", color_scheme="gray"),
                rx.heading(m["balance"], size="7", aria_label="Points balance"),
                rx.text("Worth ", m["worth"], size="2"),
                spacing="1",
                min_width="12em",
            ),
            rx.vstack(
                rx.hstack(rx.badge(m["tier"], size="2", color_scheme="amber"), rx.text(m["benefits"], size="2")),
                rx.progress(value=MemberState.progress, max=100, width="100%", aria_label="Progress to next tier"),
                rx.text(m["to_next"], size="2", color_scheme="gray"),
                rx.text("Spend in the last 12 months: ", m["spend"], size="2"),
                spacing="2",
                flex="1",
                min_width="16em",
            ),
            rx.vstack(
                rx.hstack(
                    rx.text("Customer", size="2", color_scheme="gray", min_width="9rem"),
                    rx.link(m["customer"], href=m["customer_link"], size="2", weight="medium"),
                ),
                fact("Referral code", m["code"]),
                fact("Referred by", m["referred_by"]),
                fact("Redemption PIN", m["pin"]),
                fact("Member since", m["joined"]),
                spacing="1",
                min_width="16em",
            ),
            spacing="5",
            wrap="wrap",
            width="100%",
        ),
        width="100%",
    )


def _history_panel() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("History", size="4"),
            rx.cond(
                MemberState.history.length() > 0,
                _history_table(),
                rx.text("No points yet.", size="2", color_scheme="gray"),
            ),
            rx.hstack(
                rx.button("Newer", on_click=MemberState.newer, variant="soft", disabled=MemberState.offset == 0),
                rx.button("Older", on_click=MemberState.older, variant="soft", disabled=~MemberState.has_older),
                spacing="2",
            ),
            width="100%",
        ),
        width="100%",
    )


def _pin_panel() -> rx.Component:
    return rx.vstack(
        rx.heading("Redemption PIN", size="4"),
        rx.text(
            "The customer types a new PIN with their current one, or with the code sent to their phone.",
            size="2",
            color_scheme="gray",
        ),
        _small_form(
            MemberState.change_pin,
            "Set PIN",
            rx.box(field("New PIN (4–6 digits)", "pin", type="password"), min_width="12em"),
            rx.box(field("Current PIN", "current", type="password"), min_width="10em"),
            rx.box(field("One-time code", "code", type="password"), min_width="10em"),
        ),
        rx.button("Send a one-time code", on_click=MemberState.send_code, variant="soft"),
        width="100%",
    )


def _pin_reset_panel() -> rx.Component:
    return rx.vstack(
        rx.heading("Manager: reset the PIN", size="4"),
        _small_form(
            MemberState.reset_pin,
            "Reset PIN",
            rx.box(field("PIN the customer chose (4–6 digits)", "pin", type="password"), min_width="14em"),
        ),
        rx.cond(MemberState.locked, rx.button("Unlock redemption", on_click=MemberState.unlock_pin, variant="soft")),
        width="100%",
    )


def _actions_panel() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.cond(
                MemberState.can_adjust,
                rx.vstack(
                    rx.heading("Adjust points", size="4"),
                    _small_form(
                        MemberState.adjust,
                        "Adjust",
                        rx.box(field("Points (+ or −)", "points"), min_width="9em"),
                        rx.box(field("Reason", "reason"), min_width="16em", flex="1"),
                    ),
                    width="100%",
                ),
            ),
            rx.cond(MemberState.can_reset_pin, _pin_reset_panel(), rx.cond(MemberState.can_pin, _pin_panel())),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )


def _member_panels() -> list[rx.Component]:
    """The member page's panels, top to bottom."""
    return [_summary_panel(), _history_panel(), schemes_panel(MemberState.schemes), _actions_panel()]


def member_page() -> rx.Component:
    """One member (``/loyalty/members/[member_id]``)."""
    return shell(
        rx.vstack(
            page_message(),
            rx.cond(
                MemberState.found,
                rx.vstack(
                    rx.heading(MemberState.member["name"], size="6"),
                    *_member_panels(),
                    spacing="4",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        "Member",
    )


# ---------------------------------------------------------------------------- program setup


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _program_data(session: Session, actor: Actor) -> dict[str, Any]:
    program, rules, tiers = program_view(session, actor)
    blank = {"name": "", "min_spend": "", "earn_multiplier": "", "making_discount_pct": ""}
    return {
        "program": {
            "name": program.name,
            "point_value": _plain(program.point_value),
            "expiry_months": str(program.expiry_months),
            "referral_bonus": str(program.referral_bonus),
            "scope": "This store's own program" if program.store_id else "The chain-wide program",
        },
        "require_pin": program.require_pin,
        "own_store": program.store_id is not None,
        "rules": [
            {
                "category": key,
                "label": label,
                "points": str(rules[key].points) if key in rules else "0",
                "per_amount": _plain(rules[key].per_amount) if key in rules else "1000",
            }
            for key, label in CATEGORIES
        ],
        "tiers": [
            {
                "name": t.name,
                "min_spend": _plain(t.min_spend),
                "earn_multiplier": _plain(t.earn_multiplier),
                "making_discount_pct": _plain(t.making_discount_pct),
            }
            for t in tiers
        ]
        + [blank] * (MAX_TIERS - len(tiers)),
    }


def _program_input(form: dict) -> ProgramInput:
    text = {key: str(value) for key, value in form.items()}
    return ProgramInput(
        name=text.get("name", ""),
        point_value=text.get("point_value", ""),
        expiry_months=text.get("expiry_months", ""),
        referral_bonus=text.get("referral_bonus", ""),
        require_pin=bool(form.get("require_pin")),
        rules=tuple(
            RuleInput(key, text.get(f"points_{key}", ""), text.get(f"per_{key}", "")) for key, _label in CATEGORIES
        ),
        tiers=tuple(
            TierInput(
                text.get(f"tier_name_{i}", ""),
                text.get(f"tier_spend_{i}", ""),
                text.get(f"tier_multiplier_{i}", ""),
                text.get(f"tier_making_{i}", ""),
            )
            for i in range(MAX_TIERS)
        ),
    )


class ProgramState(AppState):
    """The program in effect in the store: terms, earn rules and tiers, saved in one go."""

    program: dict[str, str] = {}
    require_pin: bool = False
    own_store: bool = False
    rules: list[dict[str, str]] = []
    tiers: list[dict[str, str]] = []
    version: int = 0

    def _reload(self) -> None:
        data = self._run(_program_data, write=False)
        for key, value in (data or {}).items():
            setattr(self, key, value)
        self.version += 1

    @rx.event
    def load(self) -> None:
        """Open the setup page."""
        self._clear_messages()
        self._reload()

    @rx.event
    def save(self, form: dict) -> None:
        """Save the terms, rules and tiers (with "own program" a chain store gets its own)."""
        data, own = _program_input(form), bool(form.get("own_store"))
        saved = self._run(lambda s, a: save_program(s, a, data, own_store=own), done="The program is saved.")
        self._after(saved)


def _rule_row(rule: dict) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rule["label"]),
        rx.table.cell(
            rx.input(
                name="points_" + rule["category"],
                default_value=rule["points"],
                aria_label="Points for " + rule["label"],
                width="6em",
            )
        ),
        rx.table.cell(
            rx.input(
                name="per_" + rule["category"],
                default_value=rule["per_amount"],
                aria_label="Per rupees for " + rule["label"],
                width="9em",
            )
        ),
    )


def _tier_row(tier: dict, index: rx.Var) -> rx.Component:
    def cell(key: str, name: str, label: str, width: str) -> rx.Component:
        return rx.table.cell(
            rx.input(
                name=name + index.to_string(),
                default_value=tier[key],
                aria_label=label + " " + (index + 1).to_string(),
                width=width,
            )
        )

    return rx.table.row(
        cell("name", "tier_name_", "Tier name", "9em"),
        cell("min_spend", "tier_spend_", "Tier minimum spend", "10em"),
        cell("earn_multiplier", "tier_multiplier_", "Tier multiplier", "6em"),
        cell("making_discount_pct", "tier_making_", "Tier making discount", "6em"),
    )


def _grid(caption: str, headers: tuple[str, ...], body: rx.Component) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.el.caption(caption, class_name="sr-only"),
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(body),
            size="1",
        ),
        overflow_x="auto",
        width="100%",
    )


def _error(key: str) -> rx.Component:
    return rx.cond(AppState.errors.contains(key), rx.text(AppState.errors[key], color_scheme="red", size="1"))


def program_page() -> rx.Component:
    """The points program setup (``/loyalty/program``) for managers."""
    p = ProgramState.program
    return shell(
        rx.vstack(
            page_message(),
            rx.form(
                rx.vstack(
                    rx.card(
                        rx.vstack(
                            rx.heading("Terms", size="4"),
                            rx.text(p["scope"], size="2", color_scheme="gray"),
                            rx.flex(
                                rx.box(field("Program name", "name", default_value=p["name"]), min_width="12em"),
                                rx.box(
                                    field("Point value (₹)", "point_value", default_value=p["point_value"]),
                                    min_width="9em",
                                ),
                                rx.box(
                                    field(
                                        "Points expire after (months)",
                                        "expiry_months",
                                        default_value=p["expiry_months"],
                                    ),
                                    min_width="12em",
                                ),
                                rx.box(
                                    field(
                                        "Referral bonus (points)", "referral_bonus", default_value=p["referral_bonus"]
                                    ),
                                    min_width="10em",
                                ),
                                spacing="3",
                                wrap="wrap",
                            ),
                            rx.el.label(
                                rx.hstack(
                                    rx.el.input(
                                        type="checkbox", name="require_pin", default_checked=ProgramState.require_pin
                                    ),
                                    rx.text("Ask the member's PIN to redeem, in every store of this program", size="2"),
                                )
                            ),
                            rx.cond(
                                ~ProgramState.own_store,
                                rx.el.label(
                                    rx.hstack(
                                        rx.el.input(type="checkbox", name="own_store"),
                                        rx.text(
                                            "Save as this store's own program (other stores keep the chain's)", size="2"
                                        ),
                                    )
                                ),
                            ),
                            width="100%",
                        ),
                        width="100%",
                    ),
                    rx.card(
                        rx.vstack(
                            rx.heading("Earn rules", size="4"),
                            rx.text("Points for every so many rupees of the value before tax (0: none).", size="2"),
                            _grid(
                                "Earn rules",
                                ("Category", "Points", "Per ₹"),
                                rx.foreach(ProgramState.rules, _rule_row),
                            ),
                            *[_error(f"rule_{key}") for key, _label in CATEGORIES],
                            width="100%",
                        ),
                        width="100%",
                    ),
                    rx.card(
                        rx.vstack(
                            rx.heading("Tiers", size="4"),
                            rx.text(
                                "By spend in the last 12 months; leave a name empty to drop the row.",
                                size="2",
                            ),
                            _grid(
                                "Tiers",
                                ("Name", "From spend (₹)", "Points ×", "Making off %"),
                                rx.foreach(ProgramState.tiers, _tier_row),
                            ),
                            _error("tiers"),
                            *[_error(f"tier_{i}") for i in range(MAX_TIERS)],
                            width="100%",
                        ),
                        width="100%",
                    ),
                    rx.button("Save program", type="submit"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=ProgramState.save,
                no_validate=True,
                reset_on_submit=False,
                key=ProgramState.version.to_string(),
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        "Points program",
    )
