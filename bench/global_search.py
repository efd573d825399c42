"""Header search latency (``jewelerp.search.global_search``) on SQLite and PostgreSQL: 100,000 customers,
500,000 pieces and 1,000,000 invoice lines, median and p95 per query.

Run: .venv/bin/python bench/global_search.py [--customers 100000] [--pieces 500000] [--lines 1000000]
     [--runs 30] [--db sqlite|postgres|both]

Builds a throw-away database on each system asked for (``--db``, default both) the way the tests make theirs
(``create_all`` with the search indexes, roles, stores MUM and DEL and their staff), then loads with bulk
inserts: the customers of bench/customer_search.py, the pieces and certificates of bench/stock_search.py
(nine in ten at MUM), invoices of four lines each (numbered ``MUM/2526/000001``; one in ten an estimate),
bookings, repair jobs and gold scheme enrolments. SQLite's WAL is checkpointed after the load (the app's small
writes keep it short) and PostgreSQL's database ANALYZEd once. Then it times
what the search box does for one keystroke pause -- every enabled module's searchers, grouped -- for the
queries staff type most, as MUM's manager (who sees whole phone numbers) and as its salesperson (who does
not): each query once to warm up, then ``--runs`` times, the systems taking turns query by query. The table
shows the median and 95th percentile in milliseconds per system, the ratio PostgreSQL/SQLite and how many
hits came back. The aim is a p95 under 50 ms for every query.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
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
    build_each,
    chosen,
    create_schema,
    is_postgres,
    use,
)
from databases import restart_sequences as restart
from list_timing import TARGET_P95_MS
from stock_search import certificate_rows, piece_rows

BATCH = 20_000
SEED = 20261206
LINES_PER_INVOICE = 4
ZERO = Decimal("0.00")
LINE_MONEY = ("rate", "deduction_pct", "taxable", "cgst", "sgst", "igst", "amount", "discount", "tax_rate")


@dataclass(frozen=True)
class Search:
    """One query typed into the box, by whom."""

    label: str
    typed: str
    who: str = "manager"


@dataclass(frozen=True)
class Timing:
    """One query's timings in milliseconds and the hits it returned."""

    median: float
    p95: float
    hits: int


def _masters() -> dict[str, Any]:
    from sqlalchemy import select

    from jewelerp.db import unit_of_work
    from modules.stock.masters import ensure_default_masters
    from modules.stock.models import Category, Design, Metal

    with unit_of_work() as session:
        ensure_default_masters(session)
        session.add_all(Design(code=f"D-{n:03d}", name=f"Design {n}") for n in range(40))
        session.flush()
        return {
            "categories": {c.code: c.id for c in session.scalars(select(Category))},
            "metals": {(m.metal, m.fineness): m.id for m in session.scalars(select(Metal))},
            "designs": list(session.scalars(select(Design.id))),
        }


def _insert(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[start : start + BATCH])


def _load_pieces(
    conn: Any, rng: random.Random, world: Any, count: int, masters: dict[str, Any], samples: dict[str, str]
) -> None:
    from modules.stock.models import Certificate, Piece

    counters = {"MUM": 0, "DEL": 0, "huid": 0}
    delhi = count // 10
    next_id = 1
    for store, total in (((world.mum, "MUM"), count - delhi), ((world.dl, "DEL"), delhi)):
        done = 0
        while done < total:
            batch = piece_rows(rng, next_id, min(BATCH, total - done), store, masters, counters)
            certificates = certificate_rows(rng, batch, 0.12)
            _insert(conn, Piece.__table__, batch)
            _insert(conn, Certificate.__table__, certificates)
            if store[1] == "MUM" and done <= total // 2 < done + len(batch):  # samples from the middle
                middle = batch[total // 2 - done :]
                samples["sku"] = middle[0]["sku"]
                samples["huid"] = next(r["huid"] for r in middle if r["huid"])
                samples["certificate"] = certificates[len(certificates) // 2]["report_number"]
            next_id += len(batch)
            done += len(batch)
    restart(conn, [Piece.__tablename__, Certificate.__tablename__])


def _load_invoices(conn: Any, rng: random.Random, world: Any, lines: int, customers: int) -> None:
    from modules.billing.models import Invoice, InvoiceLine

    invoices = lines // LINES_PER_INVOICE
    line_id = 1
    for start in range(0, invoices, BATCH):
        heads, rows = [], []
        for n in range(start + 1, min(start + BATCH, invoices) + 1):
            estimate = n % 10 == 0
            code = "MUM" if n % 10 < 9 else "DEL"
            total = Decimal(rng.randrange(5_000, 5_00_000))
            heads.append(
                {
                    "id": n,
                    "store_id": world.mum if code == "MUM" else world.dl,
                    "number": f"{code}/{'E' if estimate else ''}2526/{n:06d}",
                    "financial_year": "2526",
                    "status": "quoted" if estimate else "issued",
                    "kind": "estimate" if estimate else "invoice",
                    "customer_id": rng.randrange(1, customers + 1),
                    "customer_name": "Bench Customer",
                    "created_at": datetime(2025, 4, 1, tzinfo=UTC),
                    "breakdown": "{}",
                    **dict.fromkeys(("taxable", "total", "payable", "paid"), total),
                    **dict.fromkeys(
                        ("cgst", "sgst", "igst", "round_off", "old_gold_credit", "settlement_round_off"), ZERO
                    ),
                }
            )
            for _ in range(LINES_PER_INVOICE):
                rows.append(
                    {
                        "id": line_id,
                        "invoice_id": n,
                        "kind": "piece",
                        "description": "Bench ring",
                        "net_weight": Decimal("5.000"),
                        "breakdown": "{}",
                        **dict.fromkeys(LINE_MONEY, ZERO),
                    }
                )
                line_id += 1
        _insert(conn, Invoice.__table__, heads)
        _insert(conn, InvoiceLine.__table__, rows)
    restart(conn, [Invoice.__tablename__, InvoiceLine.__tablename__])


def _load_other_documents(conn: Any, world: Any, count: int) -> None:
    """``count`` bookings, repair jobs and scheme enrolments at MUM."""
    from modules.billing.models import Booking
    from modules.loyalty.models import Enrolment, SchemeTemplate
    from modules.repairs.models import Job

    _insert(
        conn,
        Booking.__table__,
        [
            {"id": n, "store_id": world.mum, "number": f"MUM/A2526/{n:05d}", "quoted": ZERO, "refund": ZERO}
            for n in range(1, count + 1)
        ],
    )
    common = {
        "estimate": ZERO,
        "deposit": ZERO,
        "final_charge": ZERO,
        "paid": ZERO,
        "requested_work": "",
        "condition_notes": "",
    }
    _insert(
        conn,
        Job.__table__,
        [
            {"id": n, "store_id": world.mum, "number": f"RP-MUM-{n:06d}", "kind": "repair", "stage": "received",
             "public_token": secrets.token_urlsafe(16), **common}
            for n in range(1, count + 1)
        ],
    )  # fmt: skip
    _insert(
        conn,
        SchemeTemplate.__table__,
        [{"id": 1, "store_id": world.mum, "name": "Swarna 11", "instalment": Decimal(5000), "bonus_value": ZERO,
          "foreclosure_deduction_pct": ZERO}],
    )  # fmt: skip
    _insert(
        conn,
        Enrolment.__table__,
        [
            {"id": n, "store_id": world.mum, "number": f"MUM/S2526/{n:05d}", "template_id": 1, "customer_id": n,
             "start_on": date(2025, 6, 1), "maturity_on": date(2026, 5, 1), "paid": ZERO, "bonus": ZERO,
             "settled": ZERO}
            for n in range(1, count + 1)
        ],
    )  # fmt: skip
    restart(conn, [Booking.__tablename__, Job.__tablename__, SchemeTemplate.__tablename__, Enrolment.__tablename__])


def build_database(url: str, args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, str]]:
    """Create the schema, the world and every record; returns (actor per role, sample values to search)."""
    from jewelerp.db import get_engine
    from modules.clienteling.models import Customer
    from tests.conftest import make_world

    create_schema(url)
    world = make_world()
    rng = random.Random(SEED)
    people = [(world.users["sales"], 50), (world.users["manager"], 20), (None, 30)]
    customers = customer_rows(rng, world.mum, 1, args.customers, people, datetime(2019, 4, 1, tzinfo=UTC))
    samples = {"phone": customers[len(customers) // 2]["phone"], "customer": str(len(customers) // 3)}
    masters = _masters()
    with get_engine().begin() as conn:
        _insert(conn, Customer.__table__, customers)
        restart(conn, [Customer.__tablename__])
        _load_pieces(conn, rng, world, args.pieces, masters, samples)
        _load_invoices(conn, rng, world, args.lines, args.customers)
        _load_other_documents(conn, world, args.documents)
    if is_postgres():
        analyze()
    else:  # the bulk load left the whole database in the WAL; the app's small writes are checkpointed as they go
        raw = get_engine().raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    return {"manager": world.actor("manager"), "sales": world.actor("sales")}, samples


def searches(samples: dict[str, str]) -> list[Search]:
    """What staff type into the box most, each as a person would type it."""
    phone = samples["phone"]  # +919820012345
    spaced = f"{phone[3:8]} {phone[8:]}"
    return [
        Search(f"phone with spaces '{spaced}'", spaced),
        Search(f"phone with +91 '{phone[:3]} {spaced}' (sales)", f"{phone[:3]} {spaced}", "sales"),
        Search(f"part of a phone '{phone[5:11]}'", phone[5:11]),
        Search("name 'sharma'", "sharma"),
        Search("name start 'pri'", "pri"),
        Search(f"customer number '#{samples['customer']}'", f"#{samples['customer']}"),
        Search(f"SKU '{samples['sku'].lower()}'", samples["sku"].lower()),
        Search(f"SKU start '{samples['sku'][:8]}'", samples["sku"][:8]),
        Search(f"HUID '{samples['huid']}'", samples["huid"]),
        Search(f"certificate '{samples['certificate']}'", samples["certificate"]),
        Search("invoice 'MUM/2526/123457'", "MUM/2526/123457"),
        Search("invoice start 'mum/2526/1234'", "mum/2526/1234"),
        Search("estimate 'MUM/E2526/000120'", "MUM/E2526/000120"),
        Search("booking 'MUM/A2526/00042'", "MUM/A2526/00042"),
        Search("repair job 'rp-mum-000042'", "rp-mum-000042"),
        Search("scheme 'MUM/S2526/00042'", "MUM/S2526/00042"),
        Search("a start most numbers share 'MUM'", "MUM"),
        Search("nothing matches 'zzqx'", "zzqx"),
        Search("two digits '42'", "42"),
    ]


def time_search(actor: Any, search: Search, runs: int) -> Timing:
    """Warm up once, then time ``runs`` calls of the search box's service as it runs for a keystroke pause."""
    from jewelerp.db import read_session
    from jewelerp.search import global_search

    def once() -> tuple[float, int]:
        started = time.perf_counter()
        with read_session() as session:
            groups = global_search(session, actor, search.typed)
        return (time.perf_counter() - started) * 1000, sum(len(g.hits) for g in groups)

    once()
    timed = [once() for _ in range(runs)]
    times = sorted(ms for ms, _hits in timed)
    return Timing(statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)], timed[-1][1])


def main(argv: list[str] | None = None) -> None:
    """Build the databases, time every search on each in turn and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000, help="customers at MUM")
    parser.add_argument("--pieces", type=int, default=500_000, help="pieces (nine in ten at MUM)")
    parser.add_argument("--lines", type=int, default=1_000_000, help=f"invoice lines ({LINES_PER_INVOICE} an invoice)")
    parser.add_argument("--documents", type=int, default=5_000, help="bookings, repair jobs and schemes, each")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per query")
    add_db_option(parser)
    args = parser.parse_args(argv)
    backends = chosen(args.db)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        databases = Databases(stack, Path(tmp))
        built = build_each(databases, backends, "search", lambda url: build_database(url, args))
        results: dict[str, list[Timing]] = {backend: [] for backend in backends}
        chosen_searches = searches(built[backends[0]].made[1])  # the same seed: the same samples on both
        for search in chosen_searches:
            for backend in backends:
                use(built[backend].url)
                actors = built[backend].made[0]
                results[backend].append(time_search(actors[search.who], search, args.runs))
    report(args, {backend: b.seconds for backend, b in built.items()}, chosen_searches, results)


def report(
    args: argparse.Namespace, build_s: dict[str, float], chosen: list[Search], results: dict[str, list[Timing]]
) -> None:
    """The comparison table and the p95 target per system."""
    from databases import print_comparison

    backends = list(results)
    print(
        f"Header search: {args.customers:,} customers, {args.pieces:,} pieces, {args.lines:,} invoice lines, "
        f"{args.documents:,} bookings, jobs and schemes each;\n"
        f"every searcher of the enabled modules per query, {args.runs} runs after one warm-up.\n"
    )
    rows = [Row("database built in s", build_s)]
    for n, search in enumerate(chosen):
        timed = {backend: results[backend][n] for backend in backends}
        hits = " / ".join(dict.fromkeys(str(t.hits) for t in timed.values()))
        slow = ", ".join(BACKENDS[b] for b, t in timed.items() if t.p95 >= TARGET_P95_MS)
        rows.append(Row(search.label))
        rows.append(Row("  median ms", {b: t.median for b, t in timed.items()}, 2, note=f"hits {hits}"))
        rows.append(Row("  p95 ms", {b: t.p95 for b, t in timed.items()}, 2, note=f"> target: {slow}" if slow else ""))
    print_comparison(rows, backends, width=52)
    print()
    for backend, timed in results.items():
        met = sum(t.p95 < TARGET_P95_MS for t in timed)
        worst = max(t.p95 for t in timed)
        print(
            f"{BACKENDS[backend]}: p95 target {TARGET_P95_MS:.0f} ms met for {met} of {len(timed)} queries; "
            f"worst p95 {worst:.1f} ms"
        )


if __name__ == "__main__":
    main()
