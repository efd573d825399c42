"""Customer search latency on SQLite and PostgreSQL: 100,000 customers, keyword and filter queries, median and p95.

Run: .venv/bin/python bench/customer_search.py [--rows 100000] [--other-store 3000] [--runs 30]
     [--db sqlite|postgres|both]

Builds a throw-away database on each system asked for (``--db``, default both) with the same realistic
customers in the Mumbai store (and a few thousand in Delhi): a SQLite file, and a database on a
throwaway PostgreSQL server that ``tests/pg_cluster.py`` starts (Debian's ``initdb``/``pg_ctl``). Both
are made the same way -- ``create_all`` (on SQLite with the FTS5 trigram table and its triggers, on
PostgreSQL with the pg_trgm indexes of jewelerp/search_indexes.py), roles, stores and staff, then the
customers in batches -- and PostgreSQL's is ANALYZEd once after loading (the app relies on autovacuum's
analyze in production; SQLite's is never ANALYZEd, like the app's). Then it times ``CUSTOMERS.fetch``
-- the first page of 25 rows plus the total count, exactly what the customer list does -- as the store
manager, query by query on each database in turn. Each query is run once to warm up and then
``--runs`` times; the table shows the median and 95th percentile in milliseconds per system, the ratio
PostgreSQL/SQLite and how many customers matched. The aim is a p95 under 50 ms for every query.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

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
    print_comparison,
    restart_sequences,
    use,
)
from list_timing import PAGE_SIZE, TARGET_P95_MS, Query, Result, time_query

BATCH = 10_000
SEED = 20260101

FIRST_NAMES = (
    "Aarav", "Aditi", "Aditya", "Akshay", "Amit", "Ananya", "Anil", "Anjali", "Arjun", "Aruna",
    "Bhavna", "Deepa", "Deepak", "Dev", "Divya", "Gaurav", "Geeta", "Harish", "Isha", "Jaya",
    "Karan", "Kavita", "Kiran", "Krishna", "Lakshmi", "Manish", "Meena", "Meera", "Mohan", "Neha",
    "Nikhil", "Nisha", "Pooja", "Prakash", "Pranav", "Priya", "Rahul", "Rajesh", "Rakesh", "Ramesh",
    "Rani", "Ravi", "Rekha", "Rohan", "Sachin", "Sanjay", "Sarita", "Shalini", "Shreya", "Sneha",
    "Sunil", "Sunita", "Suresh", "Swati", "Tanvi", "Uma", "Varun", "Vijay", "Vikram", "Vinod",
    "Yash", "Zoya", "Farhan", "Imran", "Ayesha", "Harpreet", "Gurpreet", "Simran", "Joseph", "Mary",
)  # fmt: skip
LAST_NAMES = (
    "Sharma", "Verma", "Gupta", "Patel", "Shah", "Mehta", "Jain", "Agarwal", "Kapoor", "Malhotra",
    "Singh", "Kaur", "Reddy", "Rao", "Nair", "Menon", "Iyer", "Iyengar", "Pillai", "Desai",
    "Joshi", "Kulkarni", "Deshpande", "Patil", "Pawar", "Chavan", "Bose", "Banerjee", "Chatterjee",
    "Mukherjee", "Das", "Ghosh", "Sen", "Khan", "Sheikh", "Qureshi", "Fernandes", "D'Souza", "Pinto",
    "Thakur", "Chauhan", "Yadav", "Mishra", "Tiwari", "Pandey", "Saxena", "Bhatia", "Sethi", "Arora",
    "Choksi", "Zaveri", "Soni", "Bhandari", "Kothari", "Parekh", "Gandhi", "Trivedi", "Vyas", "Dutta",
)  # fmt: skip
# Indian mobile prefixes (first five digits); Mumbai's 98200 and 98190 are weighted up.
PHONE_PREFIXES = (
    ("98200", 8), ("98190", 6), ("98201", 4), ("99300", 4), ("99670", 4), ("97690", 3), ("98920", 3),
    ("70450", 3), ("88790", 3), ("91670", 3), ("81080", 3), ("77380", 2), ("96190", 2), ("93230", 2),
    ("90040", 2), ("63520", 1), ("74000", 1), ("86550", 1), ("95940", 1), ("80970", 1),
)  # fmt: skip
EMAIL_DOMAINS = (
    ("gmail.com", 60), ("yahoo.co.in", 12), ("rediffmail.com", 6), ("outlook.com", 8),
    ("hotmail.com", 6), ("icloud.com", 4), ("tcs.com", 2), ("infosys.com", 2),
)  # fmt: skip
TAGS = (
    ("bridal", 8), ("gifting", 10), ("investor", 5), ("nri", 3), ("walk-in", 15), ("referral", 8),
    ("diwali", 6), ("akshaya tritiya", 4), ("corporate", 2), ("repair", 5), ("custom order", 4),
    ("solitaire", 3), ("temple jewellery", 2), ("kids", 2),
)  # fmt: skip
STYLES = ("traditional", "contemporary", "minimal", "antique", "kundan", "polki", "temple")
STONES = ("diamond", "ruby", "emerald", "pearl", "sapphire", "polki")
PRICE_BANDS = (
    (Decimal(10_000), Decimal(50_000)),
    (Decimal(25_000), Decimal(1_00_000)),
    (Decimal(50_000), Decimal(2_00_000)),
    (Decimal(1_00_000), Decimal(3_00_000)),
    (Decimal(2_00_000), Decimal(5_00_000)),
    (Decimal(3_00_000), Decimal(8_00_000)),
    (Decimal(5_00_000), Decimal(15_00_000)),
)
AREAS = ("Andheri West", "Bandra", "Borivali", "Dadar", "Ghatkopar", "Juhu", "Malad", "Powai", "Thane", "Vashi")


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _phones(rng: random.Random, count: int) -> Iterator[str]:
    """Unique Indian mobiles in E.164 (``+919820012345``)."""
    seen: set[str] = set()
    while len(seen) < count:
        phone = f"+91{_weighted(rng, PHONE_PREFIXES)}{rng.randrange(100_000):05d}"
        if phone not in seen:
            seen.add(phone)
            yield phone


def _past_date(rng: random.Random, first_year: int, last_year: int) -> date:
    start = date(first_year, 1, 1)
    return start + timedelta(days=rng.randrange((date(last_year, 12, 31) - start).days))


def _pick_list(rng: random.Random, pairs: tuple[tuple[str, int], ...], most: int) -> str:
    """Up to ``most`` distinct words joined the way ``parse_list`` stores them (``a, b``)."""
    words = dict.fromkeys(_weighted(rng, pairs) for _ in range(rng.randint(0, most)))
    return ", ".join(words)


def customer_rows(
    rng: random.Random,
    store_id: int,
    first_id: int,
    count: int,
    assignees: list[tuple[int | None, int]],
    joined_from: datetime,
) -> list[dict[str, Any]]:
    """``count`` customer column dicts with consistent dates, segments and spend, ids from ``first_id``."""
    now = datetime.now(UTC)
    span = (now - joined_from).total_seconds()
    today = date.today()
    metals = (("gold", 60), ("white gold", 8), ("rose gold", 10), ("platinum", 8), ("silver", 14))
    users = [u for u, _ in assignees]
    user_weights = [w for _, w in assignees]
    rows = []
    phones = _phones(rng, count)
    for n in range(count):
        cid = first_id + n
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name = f"{first} {rng.choice('ABCDEGKMNPRS')}. {last}" if rng.random() < 0.1 else f"{first} {last}"
        email = ""
        if rng.random() < 0.7:
            handle = rng.choice((f"{first}.{last}", f"{first}{last[:1]}", f"{first[:1]}{last}", f"{first}_{last}"))
            suffix = str(rng.randrange(1, 999)) if rng.random() < 0.6 else ""
            domain = _weighted(rng, EMAIL_DOMAINS)
            email = f"{handle}{suffix}@{domain}".lower().replace("'", "")
        born = _past_date(rng, 1950, 2004) if rng.random() < 0.65 else None
        married = _past_date(rng, 1975, today.year - 1) if rng.random() < 0.45 else None
        has_budget = rng.random() < 0.55
        low, high = rng.choice(PRICE_BANDS) if has_budget else (None, None)
        if has_budget and rng.random() < 0.2:
            low = None  # "anything up to ..."
        roll = rng.random()
        if roll < 0.12:
            segment, purchases = "vip", rng.randint(1, 8)
            spend = Decimal(rng.randrange(5_00_000, 40_00_000))
        elif roll < 0.45:
            segment, purchases = "regular", rng.randint(2, 6)
            spend = Decimal(rng.randrange(20_000, 4_90_000))
        else:
            segment, purchases = "new", rng.randint(0, 1)
            spend = Decimal(rng.randrange(5_000, 2_00_000)) if purchases else Decimal(0)
        joined = joined_from + timedelta(seconds=span * n / count)
        last_buy = now - timedelta(days=rng.randrange(1, 360)) if purchases else None
        consent = rng.random() < 0.6
        rows.append(
            {
                "id": cid,
                "store_id": store_id,
                "name": name,
                "phone": next(phones),
                "alt_phone": f"+9122{rng.randrange(10**8):08d}" if rng.random() < 0.08 else "",
                "email": email,
                "address": f"{rng.randint(1, 999)}, {rng.choice(AREAS)}, Mumbai" if rng.random() < 0.5 else "",
                "gender": rng.choice(("female", "female", "male", "")),
                "date_of_birth": born,
                "birth_month": born.month if born else None,
                "birth_day": born.day if born else None,
                "anniversary": married,
                "anniversary_month": married.month if married else None,
                "anniversary_day": married.day if married else None,
                "assigned_user_id": rng.choices(users, weights=user_weights)[0],
                "tags": _pick_list(rng, TAGS, 3),
                "notes": "Prefers weekend visits; ask about the wedding set." if rng.random() < 0.15 else "",
                "pref_metals": _pick_list(rng, metals, 2),
                "pref_stones": ", ".join(rng.sample(STONES, rng.randint(0, 2))),
                "pref_styles": ", ".join(rng.sample(STYLES, rng.randint(0, 2))),
                "price_min": low,
                "price_max": high,
                "ring_size_in": rng.randint(8, 24) if rng.random() < 0.3 else None,
                "consent_email": consent and bool(email),
                "consent_email_at": joined if consent and email else None,
                "consent_sms": consent,
                "consent_sms_at": joined if consent else None,
                "consent_whatsapp": consent,
                "consent_whatsapp_at": joined if consent else None,
                "segment": segment,
                "purchases_12m": purchases,
                "spend_12m": spend,
                "last_purchase_at": last_buy,
                # A few duplicates were merged into an earlier customer and drop out of the list.
                "merged_into_id": rng.randrange(first_id, cid) if n > 100 and rng.random() < 0.003 else None,
                "created_at": joined,
            }
        )
    return rows


def build_database(url: str, rows: int, other_store: int) -> tuple[Any, dict[str, int]]:
    """Create the schema, the world of stores and staff, and the customers in the database ``url`` names;
    returns (manager, users). PostgreSQL's is ANALYZEd at the end."""
    from sqlalchemy import insert

    from jewelerp.db import get_engine
    from modules.clienteling.models import Customer
    from tests.conftest import make_world

    create_schema(url)
    world = make_world()
    u = world.users
    rng = random.Random(SEED)
    mumbai = customer_rows(
        rng,
        world.mum,
        1,
        rows,
        [(u["sales"], 45), (u["manager"], 15), (u["admin"], 5), (u["designer"], 5), (None, 30)],
        datetime(2019, 4, 1, tzinfo=UTC),
    )
    delhi = customer_rows(
        rng,
        world.dl,
        rows + 1,
        other_store,
        [(u["manager"], 50), (u["admin"], 20), (None, 30)],
        datetime(2023, 1, 1, tzinfo=UTC),
    )
    with get_engine().begin() as conn:
        everyone = mumbai + delhi
        for start in range(0, len(everyone), BATCH):
            conn.execute(insert(Customer), everyone[start : start + BATCH])
        restart_sequences(conn, [Customer.__tablename__])
    if is_postgres():
        analyze()
    return world.actor("manager"), u


def queries(users: dict[str, int]) -> list[Query]:
    """The searches and filters staff use most on the customer list."""
    return [
        Query("name keyword 'sharma'", search="sharma"),
        Query("phone typed '98200 1234'", search="98200 1234"),
        Query("email fragment 'anjali.me'", search="anjali.me"),
        Query("tag 'bridal'", search="bridal"),
        Query("segment = VIP", filters={"segment": "vip"}),
        Query("metal = platinum", filters={"metal": "platinum"}),
        Query("budget = 2-5 lakh", filters={"budget": "2l-5l"}),
        Query("birthday this month", filters={"birth_month": str(date.today().month)}),
        Query("salesperson = Sales", filters={"salesperson": str(users["sales"])}),
        Query("'sharma' + VIP", search="sharma", filters={"segment": "vip"}),
        Query("newest first", sort="since", descending=True),
    ]


def main(argv: list[str] | None = None) -> None:
    """Build the databases, time every query on each in turn and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="customers in the Mumbai store")
    parser.add_argument("--other-store", type=int, default=3_000, help="customers in the Delhi store")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per query")
    add_db_option(parser)
    args = parser.parse_args(argv)
    backends = chosen(args.db)
    from modules.clienteling.tables import CUSTOMERS

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        databases = Databases(stack, Path(tmp))
        built = build_each(
            databases, backends, "customers", lambda url: build_database(url, args.rows, args.other_store)
        )
        results: dict[str, list[Result]] = {backend: [] for backend in backends}
        for query in queries(built[backends[0]].made[1]):  # the same ids on both: the same build order
            for backend in backends:
                use(built[backend].url)
                results[backend].append(time_query(CUSTOMERS, built[backend].made[0], query, args.runs))
    report(args, {backend: b.seconds for backend, b in built.items()}, results)


def report(args: argparse.Namespace, build_s: dict[str, float], results: dict[str, list[Result]]) -> None:
    """The comparison table (build time, then each query's median and p95) and the p95 target per system."""
    from jewelerp.ui.table_query import count_label

    backends = list(results)
    print(
        f"Customer search: {args.rows:,} customers in MUM + {args.other_store:,} in DEL, as the manager of MUM;\n"
        f"the first page of {PAGE_SIZE} with the capped count, {args.runs} runs a query after one warm-up,\n"
        "the systems taking turns query by query.\n"
    )
    rows = [Row("database built in s", build_s)]
    for n, first in enumerate(results[backends[0]]):
        timed = {backend: results[backend][n] for backend in backends}
        matched = " / ".join(dict.fromkeys(count_label(r.matched, 0) for r in timed.values()))
        slow = ", ".join(BACKENDS[b] for b, r in timed.items() if r.p95 >= TARGET_P95_MS)
        rows.append(Row(first.query.label))
        rows.append(Row("  median ms", {b: r.median for b, r in timed.items()}, note=f"matched {matched}"))
        rows.append(Row("  p95 ms", {b: r.p95 for b, r in timed.items()}, note=f"> target: {slow}" if slow else ""))
    print_comparison(rows, backends)
    print()
    for backend, timed in results.items():
        met = sum(r.p95 < TARGET_P95_MS for r in timed)
        print(f"{BACKENDS[backend]}: p95 target {TARGET_P95_MS:.0f} ms met for {met} of {len(timed)} queries")


if __name__ == "__main__":
    main()
