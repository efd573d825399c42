"""Home dashboard cards of the billing module: sales against last year, branch comparison, top categories and
salespeople, dues by age, and the gold rate with its 30-day line.

**Sales** are the sale lines (pieces and services) of issued invoices: taxable value plus GST, counted on the
store's local day of issue (as in :mod:`modules.billing.reports`); the round-off, made per invoice, and old gold
taken in exchange (a purchase) stay out, so a category's or salesperson's figure adds up to the whole. Cancelled
invoices do not count. The category filter matches the line's category (gold, diamond, platinum, silver, or
"services" for service lines); the salesperson filter matches who made the invoice, ignoring case.
"Last year's same period" is the same dates one year earlier (29 February becomes the 28th).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, type_coerce
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import system_actor
from jewelerp.core.models import Store
from jewelerp.dashboard import CardRow, CardValue, Chart, ChartPoint, DashboardFilters
from jewelerp.db import Money
from jewelerp.money import ZERO, format_inr
from jewelerp.validation import years_after
from modules.billing.models import BillingMetalRate, Invoice, InvoiceLine
from modules.billing.payments import AGEING, dues_statement
from modules.billing.reports import SALE_LINES, SERVICES, ReportStore, _day_index, _day_starts, _issued_between
from modules.stock.api import Metal, list_metals

TOP = 5
RATE_DAYS = 30
GOLD_22K = 916
Key = Callable[[list[datetime]], ColumnElement[Any]]


def _stores(session: Session, store_ids: tuple[int, ...]) -> list[ReportStore]:
    stores = session.scalars(select(Store).where(Store.id.in_(store_ids)).order_by(Store.code))
    return [ReportStore(s.id, s.code, s.state, s.state_code, s.time_zone) for s in stores]


def _category_key() -> ColumnElement[str]:
    return case((InvoiceLine.kind == "service", SERVICES.lower()), else_=func.lower(func.trim(InvoiceLine.category)))


def _sales(
    session: Session, filters: DashboardFilters, start: date, end: date, key: Key | None = None
) -> dict[Any, Decimal]:
    """Sales from ``start`` to ``end`` in the filter's branches, category and salesperson, summed per ``key``
    (a column of the day's window list; one total under ``None`` without a key)."""
    totals: dict[Any, Decimal] = defaultdict(lambda: ZERO)
    amount = InvoiceLine.taxable + InvoiceLine.cgst + InvoiceLine.sgst + InvoiceLine.igst
    for store in _stores(session, filters.store_ids):
        starts = _day_starts(store, start, end)
        keys = (key(starts),) if key else ()
        stmt = (
            select(*keys, type_coerce(func.sum(amount), Money()))
            .select_from(Invoice)
            .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        )
        stmt = _issued_between(stmt, store, starts, ("issued",)).where(InvoiceLine.kind.in_(SALE_LINES))
        if filters.category:
            stmt = stmt.where(_category_key() == filters.category)
        if filters.salesperson:
            stmt = stmt.where(func.lower(Invoice.created_by) == filters.salesperson.lower())
        for *name, total in session.execute(stmt.group_by(*keys)):
            totals[name[0] if name else None] += Decimal(total or 0)
    return totals


def _against(now: Decimal, before: Decimal) -> str:
    """``last year ₹1,00,000 (+20.0%)``."""
    if before == 0:
        return f"last year {format_inr(before)}"
    change = (now - before) * 100 / before
    return f"last year {format_inr(before)} ({change:+.1f}%)"


def sales_today_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """Today's sales against the same date last year."""
    today = actor.today()
    now = _sales(session, filters, today, today)[None]
    before = _sales(session, filters, years_after(today, -1), years_after(today, -1))[None]
    return CardValue(format_inr(now), _against(now, before), "/billing/reports/sales")


def sales_period_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """Sales of the period (this month by default) against last year's same dates, with a line per day."""
    per_day = _sales(session, filters, filters.start, filters.end, lambda starts: _day_index(Invoice.issued_at, starts))
    before = _sales(session, filters, years_after(filters.start, -1), years_after(filters.end, -1))[None]
    now = sum(per_day.values(), ZERO)
    days = (filters.end - filters.start).days + 1
    points = tuple(ChartPoint(f"{filters.start + timedelta(days=n):%d %b}", per_day.get(n, ZERO)) for n in range(days))
    caption = f"{filters.start:%d %b} – {filters.end:%d %b %Y}; {_against(now, before)}"
    return CardValue(format_inr(now), caption, "/billing/reports/sales", Chart("line", points, "Sales ₹"))


def branches_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue | None:
    """Sales of the period per branch, for a dashboard of several branches (nothing for one branch)."""
    if not filters.several:
        return None
    stores = _stores(session, filters.store_ids)
    totals = [(s.code, _sales(session, _one(filters, s.id), filters.start, filters.end)[None]) for s in stores]
    best = max(totals, key=lambda item: item[1])
    points = tuple(ChartPoint(code, total) for code, total in totals)
    rows = tuple(CardRow(code, format_inr(total)) for code, total in totals)
    return CardValue(best[0], f"sells most: {format_inr(best[1])}", "", Chart("bar", points, "Sales ₹"), rows)


def _one(filters: DashboardFilters, store_id: int) -> DashboardFilters:
    return DashboardFilters(filters.start, filters.end, (store_id,), filters.category, filters.salesperson)


def _top(totals: dict[Any, Decimal], none: str) -> CardValue:
    ranked = sorted(((name or none, total) for name, total in totals.items() if total), key=lambda i: (-i[1], i[0]))
    top = ranked[:TOP]
    if not top:
        return CardValue("—", "no sales in this period")
    points = tuple(ChartPoint(name, total) for name, total in top)
    rows = tuple(CardRow(name, format_inr(total)) for name, total in top)
    return CardValue(top[0][0], f"{format_inr(top[0][1])} of {format_inr(sum(totals.values(), ZERO))}", "",
                     Chart("bar", points, "Sales ₹"), rows)  # fmt: skip


def top_categories_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """The period's best-selling categories (at most five)."""
    totals = _sales(session, filters, filters.start, filters.end, lambda _starts: _category_key())
    return _top({(name or "unclassified").title(): total for name, total in totals.items()}, "Unclassified")


def top_salespeople_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """The period's best-selling salespeople (at most five)."""
    return _top(_sales(session, filters, filters.start, filters.end, lambda _starts: Invoice.created_by), "—")


def dues_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """What customers still owe on issued invoices, by age (days since issue, in each branch's dates)."""
    buckets = dict.fromkeys((key for key, _label in AGEING), ZERO)
    for store_id in filters.store_ids:
        statement = dues_statement(system_actor(session, store_id)).subquery()
        sums = session.execute(select(*(func.sum(statement.c[key]) for key in buckets))).one()
        for key, amount in zip(buckets, sums, strict=True):
            buckets[key] += Decimal(amount or 0)
    labels = dict(AGEING)
    total = sum(buckets.values(), ZERO)
    points = tuple(ChartPoint(labels[key], amount) for key, amount in buckets.items())
    rows = tuple(CardRow(labels[key], format_inr(amount)) for key, amount in buckets.items())
    overdue = total - buckets[AGEING[0][0]]
    caption = f"{format_inr(overdue)} older than 30 days"
    return CardValue(format_inr(total), caption, "/billing/dues", Chart("bar", points, "Due ₹"), rows)


def _is_22k(metal: Metal) -> bool:
    return metal.metal.lower() == "gold" and metal.fineness == GOLD_22K


def gold_rate_card(session: Session, actor: Actor, filters: DashboardFilters) -> CardValue:
    """Today's 22K gold rate per gram in the current branch (or the first one shown) and its last 30 days."""
    store_id = actor.store_id if actor.store_id in filters.store_ids else filters.store_ids[0]
    branch = system_actor(session, store_id)
    metal = next((m for m in list_metals(session, branch, active_only=True) if _is_22k(m)), None)
    today = branch.today()
    if metal is None:
        return CardValue("—", "no 22K gold in the metal list", "/billing/rates")
    rates = dict(
        session.execute(
            select(BillingMetalRate.on, BillingMetalRate.rate).where(
                BillingMetalRate.store_id == store_id,
                BillingMetalRate.metal_id == metal.id,
                BillingMetalRate.on > today - timedelta(days=RATE_DAYS),
                BillingMetalRate.on <= today,
            )
        ).all()
    )
    points = tuple(ChartPoint(f"{day:%d %b}", rate) for day, rate in sorted(rates.items()))
    chart = Chart("line", points, "₹/g") if points else None
    if today not in rates:
        return CardValue("—", f"no 22K gold rate entered today at {branch.store_code}", "/billing/rates", chart)
    return CardValue(f"{format_inr(rates[today])}/g", f"22K gold at {branch.store_code} today", "/billing/rates", chart)
