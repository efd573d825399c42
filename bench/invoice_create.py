"""Invoice creation latency on SQLite and PostgreSQL with 1,000,000 invoice lines in the database: median and p95.

Run: .venv/bin/python bench/invoice_create.py [--lines 1000000] [--runs 200] [--db sqlite|postgres|both]
     [--keep DIR]   (``--lines 20000`` for a quick run)

On each database system asked for (``--db``, default both: SQLite files, and databases on a throwaway
PostgreSQL server that ``tests/pg_cluster.py`` starts with Debian's ``initdb``/``pg_ctl``) it builds two
throw-away databases with the app's schema (every module's tables and indexes, the stock and customer
search indexes: FTS5 tables on SQLite, pg_trgm indexes on PostgreSQL), the same stock in hand and today's
rates: a baseline with no sales history, and one with ``--lines`` invoice lines already issued -- about
four a sale (pieces, a service now and then, old gold taken in exchange), so 250,000 invoices from April
2021 to yesterday in Mumbai and Delhi, each piece line priced by the real pricing engine at its day's
rate -- with the pieces they sold, every day's metal rates, the customers and their purchases, and the
number counters the new invoices continue from. The history is generated on every core while the main
process inserts it; both systems get the same rows (same seed, same counts): on SQLite by ``executemany``,
on PostgreSQL by ``COPY``, the search index filled once at the end on both (the FTS5 table rebuilt, the
trigram indexes created), and the id sequences moved past the loaded ids on PostgreSQL.

Then the Mumbai salesperson makes ``--runs`` invoices on each database the way the invoice page does,
each step in its own unit of work: start a draft (a known customer or a walk-in), add one or two
in-stock pieces by SKU, a service on every fourth, and issue it. The databases (both sizes on both
systems) take turns in blocks, so a busy machine slows them alike. Printed, one column per system and
the ratio PostgreSQL/SQLite: wall-clock per invoice and of the issue step alone (median, p95, min, max in
ms) on each database, and the ratios of the medians and p95s with and without the history, which show
whether the size of the history matters. Not loaded: the history's audit log, stock movements and
payments; not timed: the page's reload after each step. Like the app, the bench never runs ANALYZE on
SQLite; PostgreSQL's databases are ANALYZEd once after loading, because the app relies on autovacuum's
analyze there in production (a freshly loaded database has none yet).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import multiprocessing
import os
import random
import secrets
import statistics
import string
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from customer_search import customer_rows
from databases import (
    BACKENDS,
    Databases,
    Row,
    add_db_option,
    analyze,
    chosen,
    create_schema,
    is_postgres,
    print_comparison,
    restart_sequences,
    size_mb,
    use,
)
from stock_search import CATEGORY_WEIGHTS, METAL_SHARES, WORDS, huid_for

SEED = 20261127
BATCH_LINES = 20_000
HISTORY_FROM = date(2021, 4, 1)
STOCK_IN_HAND = {"MUM": 20_000, "DEL": 5_000}
MUMBAI_SHARE = 0.7  # of the sales and of the customers
PIECES_PER_SALE = ((1, 22), (2, 24), (3, 20), (4, 14), (5, 9), (6, 6), (8, 5))
SERVICE_SHARE, OLD_GOLD_SHARE, WALK_IN_SHARE, INTER_STATE_SHARE = 0.5, 0.4, 0.4, 0.04
OTHER_STATES = {"MUM": ("Gujarat", "Karnataka", "Goa"), "DEL": ("Haryana", "Uttar Pradesh", "Punjab")}
SERVICES = (("Polishing", 300, 1_500), ("Resizing", 250, 1_200), ("Engraving", 400, 2_500),
            ("Rhodium plating", 800, 3_000), ("Clasp repair", 200, 900))  # fmt: skip
DEDUCTIONS = (0, 2, 4, 5, 8, 10)
# Roughly gold 22K in rupees a gram; every metal's history follows this curve up to today's rate.
GOLD_PATH = ((date(2021, 4, 1), 4_400), (date(2022, 4, 1), 4_950), (date(2023, 4, 1), 5_600),
             (date(2024, 4, 1), 6_700), (date(2025, 4, 1), 8_700), (date(2026, 11, 1), 12_000))  # fmt: skip
OPEN_HOURS = (11.0, 20.5)  # store-local, IST
IST = timedelta(hours=5, minutes=30)
APPROVAL_AMOUNT = Decimal("500000")  # history: larger sales were approved by the manager
PAN_THRESHOLD = Decimal("200000")
TIMED_MAX_GRAMS = Decimal(12)  # two such pieces stay well under the approval amount
ROUNDS = 10  # blocks per database, taking turns
WARM_UP = 2  # untimed invoices at the start of each block


# ---------------------------------------------------------------------------- storage form


def _paise(value: Decimal) -> int:
    return int(value * 100)


def _mg(value: Decimal) -> int:
    return int(value * 1000)


def _when(moment: datetime) -> str:
    """A UTC time as SQLAlchemy stores a DATETIME on SQLite."""
    return f"{moment:%Y-%m-%d %H:%M:%S.%f}"


class Loader:
    """Bulk inserts of rows in storage form (paise, milligrams, ISO text, times in UTC): ``executemany`` on SQLite,
    ``COPY`` on PostgreSQL.

    Columns a row leaves out get the model's default, so columns added later need no change here; an ``id`` the
    rows leave out is the database's to give (SQLite's rowid, PostgreSQL's sequence).
    """

    def __init__(self, model: Any, dialect: Any) -> None:
        self.defaults: dict[str, Any] = {}
        for column in model.__table__.columns:
            info = model.model_fields.get(column.name)
            value = None if info is None or info.is_required() else info.get_default(call_default_factory=True)
            processor = column.type.bind_processor(dialect)
            self.defaults[column.name] = processor(value) if processor and value is not None else value
        self.table, self.postgres = model.__tablename__, dialect.name == "postgresql"
        names = ", ".join(self.defaults)
        marks = ", ".join(f":{name}" for name in self.defaults)
        self.sql = f"INSERT INTO {self.table} ({names}) VALUES ({marks})"

    def insert(self, conn: Any, rows: list[dict[str, Any]]) -> None:
        """Insert ``rows`` on ``conn`` (inside the caller's transaction)."""
        if not rows:
            return
        if not self.postgres:
            conn.exec_driver_sql(self.sql, [self.defaults | row for row in rows])
            return
        names = [name for name in self.defaults if name != "id" or "id" in rows[0]]
        conn.exec_driver_sql("SET LOCAL TimeZone = 'UTC'")  # the rows' times are UTC, whatever the server's zone
        with (
            conn.connection.driver_connection.cursor() as cursor,
            cursor.copy(f"COPY {self.table} ({', '.join(names)}) FROM STDIN") as copy,
        ):
            for row in rows:
                values = self.defaults | row
                copy.write_row([values[name] for name in names])


# ---------------------------------------------------------------------------- what the history is made of


@dataclass
class Shop:
    """A branch as the generator needs it; ``customers`` are (id, name) pairs."""

    id: int
    code: str
    state: str
    customers: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class MetalInfo:
    """One metal and purity of the masters."""

    id: int
    key: tuple[str, int]
    label: str
    hallmarked: bool


@dataclass(frozen=True)
class PieceFacts:
    """What pricing needs of a piece, in rupees and grams."""

    metal: MetalInfo
    category_id: int
    net: Decimal
    stones: Decimal
    making_rule: str
    making_value: Decimal
    wastage: Decimal
    description: str


@dataclass(frozen=True)
class Slot:
    """When a past sale happened (UTC, and its store-local day) and how many lines of each kind it has."""

    at: datetime
    day: date
    pieces: int
    service: bool
    old_gold: bool

    @property
    def lines(self) -> int:
        """How many invoice lines the sale has."""
        return self.pieces + self.service + self.old_gold


@dataclass(frozen=True)
class Sale:
    """Who bought: the store, the day, the customer (or a walk-in) and the customer's state."""

    shop: Shop
    day: date
    customer: tuple[int, str] | None
    state: str
    inter_state: bool


@dataclass(frozen=True)
class Job:
    """A batch of sales to generate, with the first ids it may use."""

    index: int
    slots: list[Slot]
    invoice: int
    line: int
    piece: int


def pan_for(number: int) -> str:
    """A well-formed individual's PAN (``ABCPD1234E``), the same for the same number."""
    letters, mixed = string.ascii_uppercase, number * 2_654_435_761 % 26**5
    picks = []
    for _ in range(5):
        mixed, digit = divmod(mixed, 26)
        picks.append(letters[digit])
    return f"{''.join(picks[:3])}P{picks[3]}{number % 10_000:04d}{picks[4]}"


def gold_factor(day: date) -> float:
    """How a day's rates compare with today's, along :data:`GOLD_PATH`."""
    today = GOLD_PATH[-1][1]
    if day <= GOLD_PATH[0][0]:
        return GOLD_PATH[0][1] / today
    for (start, low), (end, high) in itertools.pairwise(GOLD_PATH):
        if day <= end:
            return (low + (high - low) * (day - start).days / (end - start).days) / today
    return 1.0


def rate_history(rng: random.Random, shops: list[Shop], metals: list[MetalInfo], until: date) -> dict:
    """Every day's rate per store and metal from :data:`HISTORY_FROM` to ``until``: {(store, metal, day): rate}.
    Metals the masters have but the demo gives no rate (23K, 20K) get none: the history sells none of them."""
    from modules.billing.demo import RATES_2026

    rates = {}
    for day in (HISTORY_FROM + timedelta(days=n) for n in range((until - HISTORY_FROM).days + 1)):
        factor = gold_factor(day)
        for shop in shops:
            noise = 1 + rng.uniform(-0.004, 0.004)
            for metal in (m for m in metals if m.key in RATES_2026):  # the metals the shops sell
                rates[shop.id, metal.id, day] = (RATES_2026[metal.key] * Decimal(factor * noise)).quantize(
                    Decimal("0.01")
                )
    return rates


def slots(rng: random.Random, lines: int, until: date) -> list[Slot]:
    """Sales of 1-8 pieces (a service and old gold now and then) adding up to exactly ``lines`` lines,
    spread evenly over the opening hours of every day from :data:`HISTORY_FROM` to ``until``."""
    shapes = []
    total = 0
    sizes, weights = [p for p, _ in PIECES_PER_SALE], [w for _, w in PIECES_PER_SALE]
    while total < lines:
        count = min(rng.choices(sizes, weights)[0], lines - total)
        service = total + count < lines and rng.random() < SERVICE_SHARE
        old_gold = total + count + service < lines and rng.random() < OLD_GOLD_SHARE
        shapes.append((count, service, old_gold))
        total += count + service + old_gold
    days = (until - HISTORY_FROM).days + 1
    opens, span = OPEN_HOURS[0], OPEN_HOURS[1] - OPEN_HOURS[0]
    result = []
    for n, (count, service, old_gold) in enumerate(shapes):
        position = n * days / len(shapes)
        day = HISTORY_FROM + timedelta(days=int(position))
        local = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=opens + span * (position % 1))
        result.append(Slot(local - IST, day, count, service, old_gold))
    return result


def jobs(history: list[Slot], first_piece: int) -> Iterator[Job]:
    """Batches of about :data:`BATCH_LINES` lines, each knowing the ids before it."""
    invoice, line, piece, index = 1, 1, first_piece, 0
    batch: list[Slot] = []
    size = 0
    for n, slot in enumerate(history, start=1):
        batch.append(slot)
        size += slot.lines
        if size >= BATCH_LINES or n == len(history):
            yield Job(index, batch, invoice, line, piece)
            invoice, line, index = invoice + len(batch), line + size, index + 1
            piece += sum(s.pieces for s in batch)
            batch, size = [], 0


# ---------------------------------------------------------------------------- generating rows


class Catalogue:
    """Pieces, lines and invoices in storage form from the masters, the rates and the customers."""

    def __init__(self, masters: dict[str, Any], shops: list[Shop], rates: dict, hallmark: Decimal) -> None:
        self.categories: dict[str, int] = masters["categories"]
        self.metals: dict[tuple[str, int], MetalInfo] = masters["metals"]
        self.shops, self.rates, self.hallmark = shops, rates, hallmark
        self.category_codes = list(CATEGORY_WEIGHTS)
        self.category_weights = list(itertools.accumulate(CATEGORY_WEIGHTS[c][0] for c in self.category_codes))
        self.metal_keys = list(METAL_SHARES)
        self.metal_weights = list(itertools.accumulate(METAL_SHARES.values()))

    def facts(self, rng: random.Random) -> PieceFacts:
        """A piece of a weighted category and metal, its weight, stones, making and wastage."""
        category = rng.choices(self.category_codes, cum_weights=self.category_weights)[0]
        key = rng.choices(self.metal_keys, cum_weights=self.metal_weights)[0]
        if category == "COIN":
            key = ("gold", 999) if rng.random() < 0.7 else ("silver", 999)
        _share, low, high = CATEGORY_WEIGHTS[category]
        scale = 2.2 if key[0] == "silver" else 1.0
        net = Decimal(f"{rng.triangular(low, high, low + (high - low) / 4) * scale:.3f}")
        stones = Decimal(f"{rng.uniform(0.02, 1.5):.3f}") if category != "COIN" and rng.random() < 0.4 else Decimal(0)
        if key[0] == "gold" and rng.random() < 0.85:
            rule, value = "per_gram", Decimal(rng.choice((350, 400, 450, 500, 550, 650)))
        elif key[0] == "silver":
            rule, value = "flat", Decimal(rng.randrange(150, 900, 50))
        else:
            rule, value = "percent", Decimal(rng.choice((8, 10, 12, 14, 18)))
        wastage = Decimal(rng.choice((0, 4, 6, 8, 10, 12) if key[0] == "gold" else (0, 0, 3, 5)))
        words = f"{rng.choice(WORDS)} {category.lower()} {key[0]}"
        return PieceFacts(self.metals[key], self.categories[category], net, stones, rule, value, wastage, words)

    @staticmethod
    def piece_row(piece_id: int, facts: PieceFacts, shop: Shop, status: str, received: datetime) -> dict[str, Any]:
        """The stock row of a piece; its SKU and HUID (hallmarked metals) come from its id, so they are unique."""
        return {
            "id": piece_id,
            "sku": f"{shop.code}-{piece_id:06d}",
            "store_id": shop.id,
            "category_id": facts.category_id,
            "metal_id": facts.metal.id,
            "gross_weight": _mg(facts.net + facts.stones),
            "stone_weight": _mg(facts.stones),
            "net_weight": _mg(facts.net),
            "batch": f"B{received:%y%m}-{piece_id % 40 + 1:02d}",
            "description": facts.description,
            "making_rule": facts.making_rule,
            "making_value": _paise(facts.making_value),
            "wastage_pct": _paise(facts.wastage),
            "status": status,
            "huid": huid_for(piece_id) if facts.metal.hallmarked else None,
            "public_token": secrets.token_urlsafe(16),
            "version": 1 if status == "sold" else 0,
            "created_at": _when(received),
        }

    def stock_in_hand(self, rng: random.Random, first_id: int) -> list[dict[str, Any]]:
        """The pieces in stock in every store (:data:`STOCK_IN_HAND`), received over the last year."""
        now = datetime.now(UTC)
        rows = []
        for shop in self.shops:
            for _ in range(STOCK_IN_HAND[shop.code]):
                received = now - timedelta(days=rng.uniform(1, 365))
                rows.append(self.piece_row(first_id + len(rows), self.facts(rng), shop, "in_stock", received))
        return rows

    def piece_line(self, line_id: int, invoice_id: int, piece: dict, facts: PieceFacts, sale: Sale) -> dict[str, Any]:
        """A sold piece priced by the pricing engine at its store's rate of the sale's day."""
        from modules.billing.pricing import PriceInput, price

        rate = self.rates[sale.shop.id, facts.metal.id, sale.day]
        breakdown = price(
            PriceInput(
                rate=rate,
                net_weight=facts.net,
                wastage_pct=facts.wastage,
                making_rule=facts.making_rule,
                making_value=facts.making_value,
                hallmark_charge=self.hallmark if facts.metal.hallmarked else Decimal(0),
                inter_state=sale.inter_state,
            )
        )
        rows = [{"key": x.key, "label": x.label, "basis": x.basis, "amount": str(x.amount)} for x in breakdown.lines]
        money = {key: breakdown.amount(key) for key in ("taxable", "cgst", "sgst", "igst")}
        money["amount"] = breakdown.taxable + breakdown.tax
        return {
            "id": line_id,
            "invoice_id": invoice_id,
            "kind": "piece",
            "piece_id": piece["id"],
            "description": f"{piece['sku']} {facts.description}",
            "metal_id": facts.metal.id,
            "net_weight": piece["net_weight"],
            "rate": _paise(rate),
            "breakdown": json.dumps(rows),
            "category": "diamond" if facts.stones and facts.metal.key[0] == "gold" else facts.metal.key[0],
        } | {key: _paise(value) for key, value in money.items()}

    @staticmethod
    def service_line(rng: random.Random, line_id: int, invoice_id: int, sale: Sale) -> dict[str, Any]:
        """A service charged GST at 3% like jewellery."""
        from modules.billing.pricing import HUNDRED, INTER_STATE_TAX, INTRA_STATE_TAX, paisa

        name, low, high = rng.choice(SERVICES)
        value = Decimal(rng.randrange(low, high, 50))
        tax = {
            key: paisa(value * pct / HUNDRED)
            for key, _label, pct in (INTER_STATE_TAX if sale.inter_state else INTRA_STATE_TAX)
        }
        money = {"taxable": value, **tax, "amount": value + sum(tax.values())}
        rows = [{"key": key, "amount": str(amount)} for key, amount in {"taxable": value, **tax}.items()]
        return {"id": line_id, "invoice_id": invoice_id, "kind": "service", "description": name,
                "breakdown": json.dumps(rows)} | {key: _paise(amount) for key, amount in money.items()}  # fmt: skip

    def old_gold_line(self, rng: random.Random, line_id: int, invoice_id: int, sale: Sale, most: Decimal) -> dict:
        """Old gold worth at most ``most`` rupees taken in exchange, less a deduction %."""
        from modules.billing.pricing import HUNDRED, paisa

        metal = self.metals[("gold", 916) if rng.random() < 0.8 else ("gold", 750)]
        rate = self.rates[sale.shop.id, metal.id, sale.day]
        grams = min(Decimal(f"{rng.uniform(2, 25):.3f}"), (most / rate).quantize(Decimal("0.001")))
        grams = max(grams, Decimal("0.001"))
        pct = Decimal(rng.choice(DEDUCTIONS))
        value = paisa(grams * rate)
        deduction = paisa(value * pct / HUNDRED)
        rows = [
            {"key": "value", "label": "Value", "basis": f"{grams:,.3f} g × ₹{rate:,.2f}/g", "amount": str(value)},
            {"key": "deduction", "label": "Deduction", "basis": f"{pct}% of ₹{value:,.2f}", "amount": str(-deduction)},
            {"key": "credit", "label": "Credit", "basis": "Credited after tax", "amount": str(value - deduction)},
        ]
        return {
            "id": line_id,
            "invoice_id": invoice_id,
            "kind": "old_gold",
            "description": f"Old gold taken in exchange ({metal.label})",
            "metal_id": metal.id,
            "net_weight": _mg(grams),
            "rate": _paise(rate),
            "deduction_pct": _paise(pct),
            "amount": _paise(value - deduction),
            "breakdown": json.dumps(rows),
        }

    def sale(self, rng: random.Random, slot: Slot) -> Sale:
        """A store by its share of sales, a known customer of it or a walk-in, now and then from another state."""
        shop = self.shops[0] if rng.random() < MUMBAI_SHARE else self.shops[1]
        customer = rng.choice(shop.customers) if shop.customers and rng.random() >= WALK_IN_SHARE else None
        inter = rng.random() < INTER_STATE_SHARE
        return Sale(shop, slot.day, customer, rng.choice(OTHER_STATES[shop.code]) if inter else shop.state, inter)

    def generate(self, job: Job) -> dict[str, list[dict[str, Any]]]:
        """The sold pieces, lines and (unnumbered) invoices of a batch; the same job gives the same rows."""
        rng = random.Random(f"{SEED}-{job.index}")
        out: dict[str, list[dict[str, Any]]] = {"pieces": [], "invoices": [], "lines": []}
        line_id, piece_id = job.line, job.piece
        for invoice_id, slot in enumerate(job.slots, start=job.invoice):
            sale = self.sale(rng, slot)
            lines = []
            for _ in range(slot.pieces):
                facts = self.facts(rng)
                piece = self.piece_row(
                    piece_id, facts, sale.shop, "sold", slot.at - timedelta(days=rng.uniform(3, 400))
                )
                out["pieces"].append(piece)
                lines.append(self.piece_line(line_id + len(lines), invoice_id, piece, facts, sale))
                piece_id += 1
            if slot.service:
                lines.append(self.service_line(rng, line_id + len(lines), invoice_id, sale))
            if slot.old_gold:
                most = invoice_totals(lines)["total"] * Decimal("0.6")
                lines.append(self.old_gold_line(rng, line_id + len(lines), invoice_id, sale, most))
            line_id += len(lines)
            out["lines"].extend(lines)
            out["invoices"].append(invoice_row(invoice_id, sale, slot, invoice_totals(lines)))
        return out


_CATALOGUE: Catalogue | None = None  # set before the worker processes fork


def _generate(job: Job) -> dict[str, list[dict[str, Any]]]:
    return _CATALOGUE.generate(job)


def invoice_totals(lines: list[dict[str, Any]]) -> dict[str, Decimal]:
    """Sums of the lines (in paise) as the invoice keeps them: tax per line summed, the total to the rupee."""
    sold = [x for x in lines if x["kind"] != "old_gold"]
    taxable, cgst, sgst, igst = (
        Decimal(sum(x.get(k, 0) for x in sold)) / 100 for k in ("taxable", "cgst", "sgst", "igst")
    )
    gross = taxable + cgst + sgst + igst
    total = gross.quantize(Decimal(1), ROUND_HALF_UP).quantize(Decimal("0.01"))
    credit = Decimal(sum(x["amount"] for x in lines if x["kind"] == "old_gold")) / 100
    totals = {"taxable": taxable, "cgst": cgst, "sgst": sgst, "igst": igst, "round_off": total - gross}
    return totals | {"total": total, "old_gold_credit": credit, "payable": total - credit}


def invoice_row(invoice_id: int, sale: Sale, slot: Slot, totals: dict[str, Decimal]) -> dict[str, Any]:
    """An issued, fully paid invoice (numbered later, in order); one above the approval amount was approved."""
    from modules.billing.numbering import financial_year

    who = sale.customer[0] if sale.customer else invoice_id + 10**7
    big = totals["total"] > APPROVAL_AMOUNT
    row = {
        "id": invoice_id,
        "store_id": sale.shop.id,
        "financial_year": financial_year(slot.day),
        "status": "issued",
        "customer_id": sale.customer[0] if sale.customer else None,
        "customer_name": sale.customer[1] if sale.customer else "",
        "customer_state": sale.state,
        "customer_pan": pan_for(who) if totals["total"] >= PAN_THRESHOLD else "",
        "created_by": "Sales",
        "created_at": _when(slot.at - timedelta(minutes=12)),
        "invoice_date": slot.day.isoformat(),
        "issued_at": _when(slot.at),
        "breakdown": json.dumps([{"key": key, "amount": str(value)} for key, value in totals.items()]),
        "approval": "approved" if big else "",
        "approval_reason": "Total above ₹5,00,000" if big else "",
        "approval_by": "Manager" if big else "",
        "approval_at": _when(slot.at - timedelta(minutes=4)) if big else None,
        "paid": _paise(totals["payable"]),
    }
    return row | {key: _paise(value) for key, value in totals.items()}


def number_invoices(invoices: list[dict[str, Any]], shops: list[Shop], counters: dict) -> list[dict[str, Any]]:
    """Give the invoices their gapless numbers in order; returns the purchases of the known customers."""
    from modules.billing.numbering import INVOICE, format_number

    codes = {shop.id: shop.code for shop in shops}
    purchases = []
    for invoice in invoices:
        key = (invoice["store_id"], invoice["financial_year"])
        counters[key] = counters.get(key, 0) + 1
        invoice["number"] = format_number(codes[key[0]], key[1], INVOICE, counters[key])
        if invoice["customer_id"]:
            purchases.append(
                {
                    "customer_id": invoice["customer_id"],
                    "store_id": invoice["store_id"],
                    "ref": invoice["number"],
                    "amount": invoice["taxable"],
                    "at": invoice["issued_at"],
                }
            )
    return purchases


# ---------------------------------------------------------------------------- the database


def build_database(url: str, lines: int) -> None:
    """Create the schema, stores and staff, masters, rates, customers, stock in hand and ``lines`` lines of history
    in the database ``url`` names; ANALYZE it at the end on PostgreSQL (never on SQLite)."""
    from jewelerp.db import get_engine, reset_engine
    from modules.billing.models import Invoice, InvoiceLine
    from modules.clienteling.models import Customer
    from modules.stock.models import Piece
    from tests.conftest import make_world

    create_schema(url)
    world = make_world()
    if not is_postgres():
        with get_engine().begin() as conn:
            conn.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MB while loading; reset_engine drops it
    masters, shops, hallmark = _masters(world)
    yesterday = _today(world) - timedelta(days=1)
    rates = rate_history(random.Random(SEED), shops, list(masters["metals"].values()), yesterday)
    catalogue = Catalogue(masters, shops, rates, hallmark)
    with _indexes_afterwards():
        _load_base(world, catalogue, max(1_000, lines // 16))
        _load_history(catalogue, slots(random.Random(SEED + 2), lines, yesterday))
    with get_engine().begin() as conn:
        restart_sequences(conn, [m.__tablename__ for m in (Piece, Invoice, InvoiceLine, Customer)])
    if is_postgres():
        analyze()
    reset_engine()


@contextmanager
def _indexes_afterwards() -> Iterator[None]:
    """Drop the plain indexes of the tables loaded in bulk and create them again at the end (sorting once
    beats growing them row by row); unique constraints stay and check every row. On PostgreSQL the same goes
    for the pieces' trigram indexes (SQLite's FTS5 table is rebuilt once by :func:`_load_history`), created
    with 256 MB of ``maintenance_work_mem`` as SQLite loads with a 256 MB cache."""
    from jewelerp.db import get_engine
    from jewelerp.search_indexes import trigram_index_ddl
    from modules.billing.models import Invoice, InvoiceLine
    from modules.clienteling.models import Purchase
    from modules.stock.models import Piece
    from modules.stock.search_index import PIECE_TRIGRAMS

    indexes = [index for model in (Piece, Invoice, InvoiceLine, Purchase) for index in model.__table__.indexes]
    trigrams = PIECE_TRIGRAMS if is_postgres() else ()
    with get_engine().begin() as conn:
        for index in indexes:
            index.drop(conn)
        for name, _expression in trigrams:
            conn.exec_driver_sql(f"DROP INDEX {name}")
    yield
    with get_engine().begin() as conn:
        if trigrams:
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        for index in indexes:
            index.create(conn)
        for name, expression in trigrams:
            conn.exec_driver_sql(trigram_index_ddl(name, Piece.__tablename__, expression))


def _masters(world: Any) -> tuple[dict[str, Any], list[Shop], Decimal]:
    from sqlalchemy import select

    from jewelerp.core.models import Store
    from jewelerp.core.settings import get_setting
    from jewelerp.db import unit_of_work
    from modules.stock.masters import ensure_default_masters, metal_label
    from modules.stock.models import Category, Metal

    with unit_of_work() as session:
        ensure_default_masters(session)
        metals = {
            (m.metal, m.fineness): MetalInfo(m.id, (m.metal, m.fineness), metal_label(m), m.hallmarked)
            for m in session.scalars(select(Metal))
        }
        categories = {c.code: c.id for c in session.scalars(select(Category))}
        shops = [Shop(s.id, s.code, s.state) for s in (session.get(Store, world.mum), session.get(Store, world.dl))]
        hallmark = Decimal(get_setting(session, world.mum, "billing.hallmark_charge"))
    return {"metals": metals, "categories": categories}, shops, hallmark


def _today(world: Any) -> date:

    return world.actor("manager").today()


def _load_base(world: Any, catalogue: Catalogue, customers: int) -> None:
    """Stock in hand (the piece search index is filled at the end), past rates and customers."""
    from sqlalchemy import insert

    from jewelerp.db import get_engine
    from modules.billing.models import BillingMetalRate
    from modules.stock.models import Piece
    from modules.stock.search_index import FTS_TABLE

    engine = get_engine()
    labels = {metal.id: metal.label for metal in catalogue.metals.values()}
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":  # one rebuild beats a trigger per row (PostgreSQL: _indexes_afterwards)
            conn.exec_driver_sql(f"DROP TRIGGER {FTS_TABLE}_piece_ai")
        Loader(Piece, engine.dialect).insert(conn, catalogue.stock_in_hand(random.Random(SEED + 1), 1))
        rates = [
            {"store_id": s, "metal_id": m, "metal_label": labels[m], "on": d, "rate": r, "entered_by": "Manager"}
            for (s, m, d), r in catalogue.rates.items()
        ]
        conn.execute(insert(BillingMetalRate), rates)
        _customers(conn, world, catalogue.shops, customers)


def _customers(conn: Any, world: Any, shops: list[Shop], count: int) -> None:
    """``count`` customers (the customer bench's generator), most in Mumbai; each shop keeps its own for sales."""
    from sqlalchemy import insert

    from modules.clienteling.models import Customer

    users = world.users
    assignees = {
        "MUM": [(users["sales"], 45), (users["manager"], 25), (None, 30)],
        "DEL": [(users["manager"], 70), (None, 30)],
    }
    rng = random.Random(SEED + 3)
    first = 1
    for shop, share in zip(shops, (MUMBAI_SHARE, 1 - MUMBAI_SHARE), strict=True):
        size = round(count * share)
        rows = customer_rows(rng, shop.id, first, size, assignees[shop.code], datetime(2019, 4, 1, tzinfo=UTC))
        for start in range(0, size, BATCH_LINES):
            conn.execute(insert(Customer), rows[start : start + BATCH_LINES])
        shop.customers = [(row["id"], row["name"]) for row in rows if row["merged_into_id"] is None]
        first += size


def _load_history(catalogue: Catalogue, history: list[Slot]) -> None:
    """Generate the history on every core and insert it batch by batch, one transaction each, then the counters."""
    from sqlalchemy import insert

    from jewelerp.db import get_engine
    from modules.billing.models import Invoice, InvoiceLine, NumberCounter
    from modules.clienteling.models import Purchase
    from modules.stock.models import Piece, SkuCounter
    from modules.stock.search_index import PIECE_DDL, REBUILD

    global _CATALOGUE
    _CATALOGUE = catalogue
    engine = get_engine()
    pieces, invoices, lines, purchases = (Loader(m, engine.dialect) for m in (Piece, Invoice, InvoiceLine, Purchase))
    counters: dict[tuple[int, str], int] = {}
    last_piece = sum(STOCK_IN_HAND.values())
    with multiprocessing.get_context("fork").Pool(os.cpu_count()) as pool:
        for out in pool.imap(_generate, jobs(history, last_piece + 1)):
            bought = number_invoices(out["invoices"], catalogue.shops, counters)
            with engine.begin() as conn:
                pieces.insert(conn, out["pieces"])
                invoices.insert(conn, out["invoices"])
                lines.insert(conn, out["lines"])
                purchases.insert(conn, bought)
            last_piece += len(out["pieces"])
    with engine.begin() as conn:
        numbers = [{"store_id": s, "financial_year": fy, "series": "INV", "last": n} for (s, fy), n in counters.items()]
        if numbers:
            conn.execute(insert(NumberCounter), numbers)
        conn.execute(insert(SkuCounter), [{"store_id": shop.id, "last": last_piece} for shop in catalogue.shops])
        if engine.dialect.name == "sqlite":  # the FTS5 table filled once, its trigger back
            for statement in (*REBUILD, *PIECE_DDL):
                conn.exec_driver_sql(statement)


def open_world() -> Any:
    """The stores and staff of the current database (built now or kept from an earlier run)."""
    from sqlalchemy import select

    from jewelerp.core.models import Store, User
    from jewelerp.db import read_session
    from tests.conftest import World

    with read_session() as session:
        stores = dict(session.execute(select(Store.code, Store.id)).all())
        users = {email.split("@")[0]: uid for email, uid in session.execute(select(User.email, User.id))}
    return World(stores["MUM"], stores["DEL"], users)


def enter_todays_rates(world: Any) -> None:
    """Today's rates in both stores through the rates service (a kept database may be from another day)."""
    from jewelerp.db import unit_of_work
    from modules.billing.demo import RATES_2026
    from modules.billing.rates import set_rate
    from modules.stock.masters import list_metals

    for store in (world.mum, world.dl):
        manager = world.actor("manager", store)
        with unit_of_work(manager) as session:
            for metal in list_metals(session, manager, active_only=True):
                if (metal.metal, metal.fineness) in RATES_2026:
                    set_rate(session, manager, metal.id, RATES_2026[metal.metal, metal.fineness])


# ---------------------------------------------------------------------------- timing


@dataclass(frozen=True)
class Plan:
    """One timed sale: the customer fields of the new-invoice form, the SKUs typed, a service or not."""

    customer_id: int | None
    customer_name: str
    customer_pan: str
    skus: tuple[str, ...]
    service: bool


def plans(actor: Any, count: int) -> list[Plan]:
    """``count`` sales of in-stock Mumbai pieces of at most :data:`TIMED_MAX_GRAMS`; 60% to known customers."""
    from sqlalchemy import select

    from jewelerp.db import read_session
    from modules.clienteling.models import Customer
    from modules.stock.models import Piece

    with read_session() as session:
        small = (Piece.store_id == actor.store_id, Piece.status == "in_stock", Piece.net_weight <= TIMED_MAX_GRAMS)
        skus = list(session.scalars(select(Piece.sku).where(*small).order_by(Piece.id)))
        mine = select(Customer.id, Customer.name).where(Customer.store_id == actor.store_id).order_by(Customer.id)
        customers = session.execute(mine).all()
    rng = random.Random(SEED + 4)
    rng.shuffle(skus)
    result = []
    for n in range(count):
        take = 2 if n % 3 == 2 else 1
        if len(skus) < take:
            raise SystemExit("Not enough small pieces left in stock: delete the --keep folder to build afresh.")
        cid, name = rng.choice(customers) if rng.random() >= WALK_IN_SHARE else (None, "")
        result.append(Plan(cid, name, pan_for(cid or 10**8 + n), tuple(skus.pop() for _ in range(take)), n % 4 == 3))
    return result


def make_invoice(actor: Any, plan: Plan) -> float:
    """Create, fill and issue one invoice like the page (one unit of work a step); returns the issue's seconds."""
    from jewelerp.db import unit_of_work
    from modules.billing.invoices import add_piece_line, add_service_line, create_draft, issue_invoice
    from modules.billing.supply import Recipient
    from modules.stock.pieces import piece_by_sku

    with unit_of_work(actor) as session:
        invoice_id = create_draft(
            session,
            actor,
            customer_id=plan.customer_id,
            customer_name=plan.customer_name,
            customer_pan=plan.customer_pan,
            recipient=Recipient(state_code="27"),
        ).id
    for sku in plan.skus:
        with unit_of_work(actor) as session:
            add_piece_line(session, actor, invoice_id, piece_by_sku(session, actor, sku).id, None, making_discount=None)
    if plan.service:
        with unit_of_work(actor) as session:
            add_service_line(session, actor, invoice_id, "Polishing", "350")
    started = time.perf_counter()
    with unit_of_work(actor) as session:
        invoice = issue_invoice(session, actor, invoice_id)
        status, total = invoice.status, invoice.total
    if status != "issued":
        raise SystemExit(f"An invoice of ₹{total:,} was left {status}; keep the bench's totals under approval.")
    return time.perf_counter() - started


@dataclass
class Measurement:
    """One database: its system, what it held before the timed invoices, and their timings (ms)."""

    backend: str
    history: int  # --lines asked for (0: the baseline)
    url: str
    build_s: float | None
    lines: int = 0
    invoices: int = 0
    size_mb: float = 0.0
    plans: list[Plan] = field(default_factory=list)
    whole_ms: list[float] = field(default_factory=list)
    issue_ms: list[float] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The database as the table names it."""
        return "no history" if not self.history else f"{self.history:,} lines"


def _use(url: str) -> Any:
    """Point the app at ``url`` (fresh connections) and return its world."""
    use(url)
    return open_world()


def prepare(databases: Databases, backend: str, lines: int, runs: int) -> Measurement:
    """Build (or on SQLite reuse a kept) database with ``lines`` lines of history on ``backend``, enter today's
    rates, plan the sales."""
    from sqlalchemy import func, select

    from jewelerp.db import read_session
    from modules.billing.models import Invoice, InvoiceLine

    name = f"invoices-{lines}"
    kept = backend == "sqlite" and databases.sqlite_path(name).exists()
    url = databases.new(backend, name)
    build_s = None
    if not kept:
        started = time.perf_counter()
        build_database(url, lines)
        build_s = time.perf_counter() - started
    world = _use(url)
    enter_todays_rates(world)
    result = Measurement(backend, lines, url, build_s)
    with read_session() as session:
        result.lines = session.execute(select(func.count()).select_from(InvoiceLine)).scalar_one()
        result.invoices = session.execute(select(func.count()).select_from(Invoice)).scalar_one()
    result.size_mb = size_mb(url)
    result.plans = plans(world.actor("sales"), runs + ROUNDS * WARM_UP)
    return result


def time_block(measurement: Measurement, count: int) -> None:
    """Time the next ``count`` planned invoices on the measurement's database, after :data:`WARM_UP` untimed."""
    actor = _use(measurement.url).actor("sales")
    for n in range(WARM_UP + count):
        plan = measurement.plans.pop()
        started = time.perf_counter()
        issue_s = make_invoice(actor, plan)
        if n >= WARM_UP:
            measurement.whole_ms.append((time.perf_counter() - started) * 1000)
            measurement.issue_ms.append(issue_s * 1000)


def p95(values: list[float]) -> float:
    """95th percentile by nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


STATS = (("median", statistics.median), ("p95", p95), ("min", min), ("max", max))


def report(results: list[Measurement], runs: int) -> None:
    """The table of every database, system beside system, the with/without history ratios and what they mean."""
    backends = list(dict.fromkeys(m.backend for m in results))
    sizes = list(dict.fromkeys(m.history for m in results))
    by = {(m.backend, m.history): m for m in results}
    print(
        f"Invoice creation: {runs} invoices a database by the Mumbai salesperson, in {ROUNDS} blocks taking turns\n"
        f"({WARM_UP} untimed first in each); a draft, 1-2 in-stock pieces by SKU, a service on every 4th, and the\n"
        "issue, each step its own transaction. Times in ms.\n"
    )
    rows = []
    for history in sizes:
        of = {b: by[b, history] for b in backends}
        rows.append(Row(next(iter(of.values())).label))
        rows.append(Row("  invoice lines", {b: m.lines for b, m in of.items()}, 0))
        rows.append(Row("  invoices", {b: m.invoices for b, m in of.items()}, 0))
        rows.append(Row("  database MB", {b: m.size_mb for b, m in of.items()}, 0))
        built = {b: m.build_s for b, m in of.items()}
        rows.append(Row("  built in s", built, note="kept" if None in built.values() else ""))
        for step, attr in (("invoice", "whole_ms"), ("issue", "issue_ms")):
            for name, stat in STATS:
                rows.append(Row(f"  {step} {name}", {b: stat(getattr(m, attr)) for b, m in of.items()}))
    verdicts = {}
    if len(sizes) == 2:
        rows.append(Row(f"with {sizes[1]:,} lines / with no history"))
        ratios: dict[str, dict[str, float]] = {}
        for step, attr in (("invoice", "whole_ms"), ("issue", "issue_ms")):
            for name, stat in STATS[:2]:
                values = {b: stat(getattr(by[b, sizes[1]], attr)) / stat(getattr(by[b, 0], attr)) for b in backends}
                rows.append(Row(f"  {step} {name}", values, 2))
                for b, value in values.items():
                    ratios.setdefault(b, {}).setdefault(name, 0.0)
                    ratios[b][name] = max(ratios[b][name], value)
        verdicts = {b: interpretation(r["median"], r["p95"], b) for b, r in ratios.items()}
    print_comparison(rows, backends, width=40)
    for backend, verdict in verdicts.items():
        print(f"{BACKENDS[backend]}: {verdict}")


def interpretation(median_ratio: float, p95_ratio: float, backend: str) -> str:
    """One line on what the ratios say."""
    explain = "EXPLAIN QUERY PLAN" if backend == "sqlite" else "EXPLAIN ANALYZE"
    if median_ratio < 1.5 and p95_ratio < 1.5:
        return "The size of the history does not slow invoice creation: every step finds its rows through an index."
    if median_ratio < 1.5:
        return "The medians match but the p95s do not: tail noise (other work on the machine?); run it again."
    if median_ratio < 3:
        return f"Invoice creation slows somewhat with the history: check the steps' queries with {explain}."
    return f"Invoice creation slows with the history: some step scans a table (find it with {explain})."


def main(argv: list[str] | None = None) -> None:
    """Time invoice creation on a database with no history and on one with ``--lines`` lines, on each system."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="invoice lines already in the database")
    parser.add_argument("--runs", type=int, default=200, help="timed invoices on each database")
    add_db_option(parser)
    parser.add_argument(
        "--keep", type=Path, default=None, help="build the SQLite databases in this folder, keep and reuse them"
    )
    args = parser.parse_args(argv)
    from jewelerp.registry import get_registry

    get_registry().import_models()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        databases = Databases(stack, folder)
        results = [
            prepare(databases, backend, lines, args.runs)
            for backend in chosen(args.db)
            for lines in dict.fromkeys((0, args.lines))
        ]
        sizes = [args.runs // ROUNDS + (n < args.runs % ROUNDS) for n in range(ROUNDS)]
        for size in sizes:
            for measurement in results:
                time_block(measurement, size)
    report(results, args.runs)


if __name__ == "__main__":
    main()
