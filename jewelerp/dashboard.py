"""Home dashboard cards that enabled modules contribute, and the filters every card of the dashboard applies.

Filters come from the page's URL (``/?from=2026-11-01&to=2026-11-30&branch=all&category=gold&salesperson=Asha``),
so a reload or a shared link keeps them: :func:`parse_filters` checks them before any card is computed.
A card is computed once for the branches it may show: those of the filter where its module is enabled and
the user holds the card's permission (:func:`dashboard_cards`); a card with no such branch is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import build_actor
from jewelerp.core.models import Store
from jewelerp.core.users import store_roles
from jewelerp.errors import AuthError, require_fields
from jewelerp.registry import DashboardCard, call, get_registry
from jewelerp.validation import check_period

MAX_DAYS = 366
ALL_BRANCHES = "all"
FILTER_NAMES = {"period": "dates", "category": "category", "salesperson": "salesperson"}


@dataclass(frozen=True)
class ChartPoint:
    """One point of a card's chart: a label on the x axis and its figure."""

    label: str
    value: Decimal


@dataclass(frozen=True)
class Chart:
    """A small chart under a card's figure: a ``line`` (a trend) or ``bar`` (a comparison) of points."""

    kind: Literal["line", "bar"]
    points: tuple[ChartPoint, ...]
    series: str = ""  # what the figures are ("Sales ₹", "Rate ₹/g"), shown in the tooltip


@dataclass(frozen=True)
class CardRow:
    """One line of a card's short list: a label and its figure."""

    label: str
    value: str
    link: str = ""


@dataclass(frozen=True)
class CardValue:
    """What a dashboard card shows: a figure, a caption, an optional link, chart and short list."""

    value: str
    caption: str = ""
    link: str = ""
    chart: Chart | None = None
    rows: tuple[CardRow, ...] = ()


@dataclass(frozen=True)
class Branch:
    """A branch the user may choose on the dashboard."""

    id: int
    code: str
    name: str


@dataclass(frozen=True)
class DashboardFilters:
    """The dashboard's filters, checked: the period (store's dates), the branches, category and salesperson.

    ``store_ids`` are branches the user holds a role in; a card receives only those where it may show data.
    ``category`` is lower case (``gold``); empty ``category`` or ``salesperson`` means every one.
    """

    start: date
    end: date
    store_ids: tuple[int, ...]
    category: str = ""
    salesperson: str = ""

    @property
    def several(self) -> bool:
        """Whether the filter covers more than one branch (a branch comparison makes sense)."""
        return len(self.store_ids) > 1

    def window(self, time_zone: str) -> tuple[datetime, datetime]:
        """The period as UTC instants ``[first day's midnight, the midnight after the last day)`` in ``time_zone``."""
        zone = ZoneInfo(time_zone)
        start = datetime.combine(self.start, time(), zone).astimezone(UTC)
        return start, datetime.combine(self.end + timedelta(days=1), time(), zone).astimezone(UTC)


def visible_branches(session: Session, actor: Actor) -> list[Branch]:
    """The branches the user may choose: active stores where they hold a role, and the current store."""
    ids = {actor.store_id}
    if actor.user_id is not None:
        ids |= set(store_roles(session, actor.user_id))
    stores = session.scalars(
        select(Store).where(Store.id.in_(ids), Store.active | (Store.id == actor.store_id)).order_by(Store.code)
    )
    return [Branch(s.id, s.code, s.name) for s in stores]


def _iso_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def _text(query: Mapping[str, object], key: str) -> str:
    return str(query.get(key, "") or "").strip()


def parse_filters(session: Session, actor: Actor, query: Mapping[str, object]) -> DashboardFilters:
    """The filters of the URL's query (``from``, ``to``, ``branch``, ``category``, ``salesperson``), checked.

    Defaults: this month to today, the current branch, every category and salesperson. A date that is not a
    date, an end before the start, a period longer than :data:`MAX_DAYS` days, a branch the user cannot see
    or an over-long text raise :class:`~jewelerp.errors.ValidationError` naming the field.
    """
    today = actor.today()
    raw_from, raw_to, raw_branch = _text(query, "from"), _text(query, "to"), _text(query, "branch")
    start = _iso_date(raw_from) if raw_from else today.replace(day=1)
    end = _iso_date(raw_to) if raw_to else today
    errors: dict[str, str] = {}
    check_period(start, end, MAX_DAYS, errors)
    branches = {b.id for b in visible_branches(session, actor)}
    store_ids: tuple[int, ...] = (actor.store_id,)
    if raw_branch == ALL_BRANCHES:
        store_ids = tuple(sorted(branches))
    elif raw_branch:
        if not raw_branch.isdigit() or int(raw_branch) not in branches:
            errors["branch"] = "Choose one of your branches."
        else:
            store_ids = (int(raw_branch),)
    category, salesperson = _text(query, "category").lower(), _text(query, "salesperson")
    if len(category) > 40:
        errors["category"] = "A category is at most 40 characters."
    if len(salesperson) > 120:
        errors["salesperson"] = "A salesperson's name is at most 120 characters."
    require_fields(errors)
    return DashboardFilters(start, end, store_ids, category, salesperson)  # type: ignore[arg-type]


def filters_query(filters: DashboardFilters, actor: Actor, all_branches: bool) -> dict[str, str]:
    """The URL query that reproduces ``filters`` (what :func:`parse_filters` reads back)."""
    query = {"from": filters.start.isoformat(), "to": filters.end.isoformat()}
    if all_branches:
        query["branch"] = ALL_BRANCHES
    elif filters.store_ids != (actor.store_id,):
        query["branch"] = str(filters.store_ids[0])
    if filters.category:
        query["category"] = filters.category
    if filters.salesperson:
        query["salesperson"] = filters.salesperson
    return query


def _actors(session: Session, actor: Actor, store_ids: tuple[int, ...]) -> dict[int, Actor]:
    """The user's actor in each branch (their role and that branch's enabled modules)."""
    actors = {}
    for store_id in store_ids:
        if store_id == actor.store_id:
            actors[store_id] = actor
            continue
        try:
            actors[store_id] = build_actor(session, actor.user_id, store_id)  # type: ignore[arg-type]
        except AuthError:  # the role was taken away since the filters were read
            continue
    return actors


def _card_stores(module: str, card: DashboardCard, actors: dict[int, Actor]) -> tuple[int, ...]:
    return tuple(
        sid
        for sid, branch_actor in actors.items()
        if module in branch_actor.enabled_modules and (not card.permission or branch_actor.can(card.permission))
    )


def card_payload(card: DashboardCard, shown: CardValue) -> dict[str, object]:
    """A computed card as the page keeps it (figures of the chart as numbers for the chart component)."""
    chart = shown.chart
    return {
        "id": card.id,
        "title": card.title,
        "value": shown.value,
        "caption": shown.caption,
        "link": shown.link,
        "chart": chart.kind if chart else "",
        "series": chart.series if chart else "",
        "points": [{"label": p.label, "value": float(p.value)} for p in chart.points] if chart else [],
        "rows": [{"label": r.label, "value": r.value, "link": r.link} for r in shown.rows],
        "filters": ", ".join(["branch", *(FILTER_NAMES[f] for f in card.filters)]),
    }


def dashboard_cards(session: Session, actor: Actor, filters: DashboardFilters) -> list[dict[str, object]]:
    """The cards the user may see for ``filters``: each computed for its own branches (see the module doc)."""
    actors = _actors(session, actor, filters.store_ids)
    cards = []
    for module in get_registry().modules:
        for card in module.dashboard_cards:
            stores = _card_stores(module.name, card, actors)
            if not stores:
                continue
            shown: CardValue | None = call(card.value)(session, actor, replace(filters, store_ids=stores))
            if shown is not None:
                cards.append(card_payload(card, shown))
    return cards
