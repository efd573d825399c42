"""Stock search latency on SQLite: 500,000 pieces, SKU/HUID/certificate searches and filters, median and p95.

Run: .venv/bin/python bench/stock_search.py [--rows 500000] [--other-store 0.1] [--runs 30]

Builds a throw-away SQLite database with realistic pieces (most in the Mumbai branch, a
share in Delhi), HUIDs on hallmarked gold and lab certificates on a few per cent of them,
then times ``PIECES.fetch`` (modules/stock/tables.py) -- the first page of 25 rows plus the
capped total, exactly what the stock list does -- as the Mumbai manager. Each query runs
once to warm up and then ``--runs`` times; the table shows the median and 95th percentile in
milliseconds and how many pieces matched. The aim is a p95 under 50 ms for every query.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from list_timing import Query, print_results, time_query

BATCH = 20_000
SEED = 20261126
HUID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
HUID_STEP = 1_500_007  # a prime: i * step mod 36**6 never repeats for i < 36**6
STATUSES = (
    ("in_stock", 60),
    ("sold", 32),
    ("reserved", 2),
    ("on_memo", 2),
    ("in_repair", 2),
    ("melted", 1),
    ("written_off", 1),
)
CATEGORY_WEIGHTS = {  # code -> (share, gross grams low, high)
    "RING": (26, 2.0, 12.0),
    "CHAIN": (16, 5.0, 40.0),
    "BANGLE": (14, 8.0, 40.0),
    "NECKLACE": (10, 15.0, 90.0),
    "EARRING": (20, 2.0, 14.0),
    "PENDANT": (10, 1.5, 10.0),
    "COIN": (4, 1.0, 50.0),
}
METAL_SHARES = {("gold", 916): 52, ("gold", 750): 22, ("gold", 585): 5, ("gold", 999): 3, ("silver", 925): 12}
METAL_SHARES |= {("silver", 999): 1, ("platinum", 950): 5}
WORDS = ("temple", "antique", "bridal", "daily wear", "polki", "kundan", "solitaire", "halo", "filigree", "meenakari")


def huid_for(index: int) -> str:
    """A unique, random-looking 6-character HUID for the ``index``-th hallmarked piece."""
    n = (index * HUID_STEP + 7_777_777) % 36**6
    chars = []
    for _ in range(6):
        n, digit = divmod(n, 36)
        chars.append(HUID_ALPHABET[digit])
    return "".join(chars)


def piece_rows(
    rng: random.Random,
    first_id: int,
    count: int,
    store: tuple[int, str],
    masters: dict[str, Any],
    counters: dict[str, int],
) -> list[dict[str, Any]]:
    """``count`` piece column dicts numbered from ``first_id`` in one branch."""
    store_id, code = store
    categories, metals, designs = masters["categories"], masters["metals"], masters["designs"]
    cat_codes = list(CATEGORY_WEIGHTS)
    cat_shares = [CATEGORY_WEIGHTS[c][0] for c in cat_codes]
    metal_keys = list(METAL_SHARES)
    metal_shares = list(METAL_SHARES.values())
    statuses, status_shares = [s for s, _ in STATUSES], [w for _, w in STATUSES]
    start = datetime(2019, 4, 1, tzinfo=UTC)
    span = (datetime(2026, 11, 1, tzinfo=UTC) - start).total_seconds()
    rows = []
    for n in range(count):
        category = rng.choices(cat_codes, cat_shares)[0]
        metal_key = rng.choices(metal_keys, metal_shares)[0]
        if category == "COIN":
            metal_key = ("gold", 999) if rng.random() < 0.7 else ("silver", 999)
        metal = metals[metal_key]
        _share, low, high = CATEGORY_WEIGHTS[category]
        scale = 2.2 if metal_key[0] == "silver" else 1.0
        metal_grams = Decimal(f"{rng.triangular(low, high, low + (high - low) / 4) * scale:.3f}")
        stones = Decimal(f"{rng.uniform(0.02, 1.5):.3f}") if rng.random() < 0.4 and category != "COIN" else Decimal(0)
        counters[code] += 1
        hallmarked = metal_key[0] == "gold" and category != "COIN"
        huid = None
        if hallmarked:
            huid = huid_for(counters["huid"])
            counters["huid"] += 1
        received = start + timedelta(seconds=span * n / count)
        rows.append(
            {
                "id": first_id + n,
                "sku": f"{code}-{counters[code]:06d}",
                "store_id": store_id,
                "category_id": categories[category],
                "design_id": rng.choice(designs) if rng.random() < 0.3 else None,
                "metal_id": metal,
                "gross_weight": metal_grams + stones,
                "stone_weight": stones,
                "net_weight": metal_grams,
                "size": "",
                "batch": f"B{received:%y%m}-{rng.randint(1, 40):02d}",
                "description": f"{rng.choice(WORDS)} {category.lower()} {metal_key[0]}",
                "making_rule": "per_gram",
                "making_value": Decimal(rng.choice((350, 450, 550))),
                "wastage_pct": Decimal(rng.choice((0, 4, 8))),
                "cost_price": None,
                "status": rng.choices(statuses, status_shares)[0],
                "consignment": False,
                "party_id": None,
                "transit_to_store_id": None,
                "huid": huid,
                "public_token": secrets.token_urlsafe(16),
                "token_revoked_at": None,
                "version": 0,
                "created_at": received,
            }
        )
    return rows


def certificate_rows(rng: random.Random, pieces: list[dict[str, Any]], share: float) -> list[dict[str, Any]]:
    """GIA and IGI reports on ``share`` of the pieces with stones."""
    rows = []
    issued = date(2024, 6, 1)
    for piece in pieces:
        if piece["stone_weight"] and rng.random() < share:
            lab = rng.choice(("GIA", "IGI"))
            number = (
                str(rng.randint(1_100_000_000, 7_499_999_999))
                if lab == "GIA"
                else f"LG{rng.randint(5 * 10**8, 7 * 10**8)}"
            )
            rows.append(
                {
                    "piece_id": piece["id"],
                    "lab": lab,
                    "report_number": number,
                    "issued_on": issued,
                    "stone_kind": "diamond",
                    "carat": Decimal("0.500"),
                    "colour": "G",
                    "clarity": "VS1",
                }
            )
    return rows


def build_database(folder: Path, rows: int, other_share: float) -> tuple[Any, dict[str, str]]:
    """Create the schema, the two branches and staff, and the pieces; returns (manager, sample values)."""
    os.environ["JEWELERP_DB_URL"] = f"sqlite:///{folder / 'stock.db'}"
    from sqlalchemy import insert, select
    from sqlmodel import SQLModel

    from jewelerp.core.roles import sync_roles_and_permissions
    from jewelerp.db import get_engine, reset_engine, unit_of_work
    from jewelerp.registry import get_registry
    from modules.stock.masters import ensure_default_masters
    from modules.stock.models import Category, Certificate, Design, Metal, Piece
    from tests.conftest import make_world

    reset_engine()
    get_registry().import_models()
    SQLModel.metadata.create_all(get_engine())
    with unit_of_work() as session:
        sync_roles_and_permissions(session)
    world = make_world()
    with unit_of_work() as session:
        ensure_default_masters(session)
        for n in range(40):
            session.add(Design(code=f"D-{n:03d}", name=f"Design {n}"))
        session.flush()
        masters = {
            "categories": {c.code: c.id for c in session.scalars(select(Category))},
            "metals": {(m.metal, m.fineness): m.id for m in session.scalars(select(Metal))},
            "designs": list(session.scalars(select(Design.id))),
        }
    rng = random.Random(SEED)
    other = int(rows * other_share)
    counters = {"MUM": 0, "DEL": 0, "huid": 0}
    samples: dict[str, str] = {}
    next_id = 1
    with get_engine().begin() as conn:
        for store, count in (((world.mum, "MUM"), rows - other), ((world.dl, "DEL"), other)):
            done = 0
            while done < count:
                size = min(BATCH, count - done)
                batch = piece_rows(rng, next_id, size, store, masters, counters)
                conn.execute(insert(Piece), batch)
                certificates = certificate_rows(rng, batch, 0.12)
                if certificates:
                    conn.execute(insert(Certificate), certificates)
                if store[1] == "MUM" and done <= (count // 2) < done + size:
                    middle = batch[(count // 2) - done]
                    samples["sku"] = middle["sku"]
                    samples["huid"] = next(r["huid"] for r in batch[(count // 2) - done :] if r["huid"])
                    samples["certificate"] = certificates[len(certificates) // 2]["report_number"]
                next_id += size
                done += size
        conn.exec_driver_sql("ANALYZE")
    return world.actor("manager"), samples


def queries(samples: dict[str, str]) -> list[Query]:
    """The searches and filters staff use most on the stock list."""
    from sqlalchemy import select

    from jewelerp.db import read_session
    from modules.stock.models import Category, Metal

    with read_session() as session:
        categories = {c.code: str(c.id) for c in session.scalars(select(Category))}
        metals = {(m.metal, m.fineness): str(m.id) for m in session.scalars(select(Metal))}
    gold22 = metals[("gold", 916)]
    return [
        Query("newest first (no filter)"),
        Query(f"SKU exact '{samples['sku']}'", search=samples["sku"]),
        Query(f"SKU digits '{samples['sku'][-6:]}'", search=samples["sku"][-6:]),
        Query(f"HUID '{samples['huid']}'", search=samples["huid"]),
        Query(f"certificate '{samples['certificate']}'", search=samples["certificate"]),
        Query("word 'temple'", search="temple"),
        Query("category = Necklace", filters={"category": categories["NECKLACE"]}),
        Query("metal = gold 22K", filters={"metal": gold22}),
        Query("status = in repair", filters={"status": "in_repair"}),
        Query("weight 20-50 g", filters={"weight": "20-50"}),
        Query("ring + 22K + 5-10 g + in stock", filters={"category": categories["RING"], "metal": gold22,
                                                          "weight": "5-10", "status": "in_stock"}),
        Query("platinum + 50 g and over (rare)", filters={"metal": metals[("platinum", 950)], "weight": "50+"}),
        Query("heaviest first", sort="net", descending=True),
        Query("every branch, newest first", filters={"scope": "all"}),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Build the database in a temporary folder, time every query and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000, help="pieces in both branches together")
    parser.add_argument("--other-store", type=float, default=0.1, help="share of the pieces in Delhi")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per query")
    parser.add_argument("--keep", type=Path, default=None, help="build in this folder and keep the database")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        actor, samples = build_database(folder, args.rows, args.other_store)
        build_s = time.perf_counter() - started
        from modules.stock.tables import PIECES

        results = [time_query(PIECES, actor, q, args.runs) for q in queries(samples)]
        from jewelerp.db import reset_engine

        reset_engine()
    other = int(args.rows * args.other_store)
    print_results(
        f"{args.rows - other:,} pieces in MUM + {other:,} in DEL, built in {build_s:.1f} s; manager of MUM,",
        results,
        args.runs,
    )


if __name__ == "__main__":
    main()
