"""How long a member's points balance takes with 5,000,000 ledger rows: median and p95, and the ratio to
the same lookups on a small ledger, measured in one run.

Run: .venv/bin/python bench/loyalty_balance.py [--rows 5000000] [--members 50000] [--lookups 2000]

Two fresh SQLite files (WAL, as the app runs) get the loyalty tables from the models, one store and
one program, then ``--members`` members and their ledger rows bulk-inserted with executemany in
batches: a small ledger (``--small`` rows, 100,000 by default) and the big one (``--rows``). Rows are
spread over members unevenly (early members have many rows, late ones few), as a real program is. The
bench then times :func:`modules.loyalty.points.balance` (the sum of a member's ``points``) for
``--lookups`` random members on each file, each on an open session as a page would, and prints the
median, p95 and the big/small ratios. It writes nothing but its temporary files.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 50_000
KINDS = ("earn", "earn", "earn", "redeem", "expire", "adjust", "referral")


def _build(path: Path, rows: int, members: int, seed: int) -> None:
    """A database at ``path`` with one program, ``members`` members and ``rows`` ledger rows."""
    os.environ["JEWELERP_DB_URL"] = f"sqlite:///{path}"
    from sqlmodel import SQLModel

    from jewelerp.core.models import Store
    from jewelerp.db import get_engine, reset_engine, unit_of_work
    from jewelerp.registry import get_registry
    from modules.loyalty.models import Member, PointEntry, Program

    reset_engine()
    get_registry().import_models()
    SQLModel.metadata.create_all(get_engine())
    with unit_of_work() as session:
        store = Store(code="MUM", name="Mumbai", address="Zaveri Bazaar", state="Maharashtra")
        session.add(store)
        session.flush()
        program = Program()
        session.add(program)
        session.flush()
        store_id, program_id = store.id, program.id
    engine = get_engine()
    with engine.begin() as conn:
        conn.execute(
            Member.__table__.insert(),
            [
                {
                    "program_id": program_id,
                    "customer_id": n + 1,
                    "customer_name": f"Member {n + 1}",
                    "referral_code": f"B{n:07d}",
                    "pin_hash": "",
                    "joined_at": datetime(2024, 1, 1, tzinfo=UTC),
                }
                for n in range(members)
            ],
        )
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    written = 0
    while written < rows:
        batch = []
        for _ in range(min(BATCH, rows - written)):
            kind = rng.choice(KINDS)
            amount = rng.randint(10, 900)
            credit = kind in ("earn", "adjust", "referral")
            at = start + timedelta(minutes=rng.randrange(60 * 24 * 800))
            batch.append(
                {
                    "member_id": int(members * rng.random() ** 2) + 1,  # low ids buy more often
                    "store_id": store_id,
                    "kind": kind,
                    "points": amount if credit else -amount,
                    "remaining": amount // 2 if credit else 0,
                    "expires_on": date(2027, 1, 1) if credit else None,
                    "reference": f"MUM/2025-26/{written:06d}",
                    "spend": amount * 100 * 100 if kind == "earn" else 0,  # paise, as Money stores it
                    "reason": "",
                    "user_name": "bench",
                    "at": at,
                }
            )
        with engine.begin() as conn:
            conn.execute(PointEntry.__table__.insert(), batch)
        written += len(batch)


def _time(path: Path, members: int, lookups: int, seed: int) -> list[float]:
    """Milliseconds of ``balance()`` for random members on the database at ``path``."""
    os.environ["JEWELERP_DB_URL"] = f"sqlite:///{path}"
    from jewelerp.db import read_session, reset_engine
    from modules.loyalty.points import balance

    reset_engine()
    rng = random.Random(seed)
    times = []
    with read_session() as session:
        balance(session, 1)  # warm the connection and the page cache
        for _ in range(lookups):
            member = rng.randint(1, members)
            began = time.perf_counter()
            balance(session, member)
            times.append((time.perf_counter() - began) * 1000)
    return times


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def main() -> None:
    """Build both ledgers, time the balances, print median, p95 and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loyalty-bench-") as folder:
        results = {}
        for label, rows in (("small", args.small), ("big", args.rows)):
            path = Path(folder) / f"{label}.db"
            began = time.perf_counter()
            _build(path, rows, args.members, seed=7)
            built = time.perf_counter() - began
            times = _time(path, args.members, args.lookups, seed=11)
            results[label] = (statistics.median(times), _p95(times))
            print(
                f"{label:>5}: {rows:>9,} rows, {args.members:,} members (built in {built:.0f} s): "
                f"balance median {results[label][0]:.3f} ms, p95 {results[label][1]:.3f} ms"
            )
    (small_median, small_p95), (big_median, big_p95) = results["small"], results["big"]
    print(f"ratio big/small: median ×{big_median / small_median:.2f}, p95 ×{big_p95 / small_p95:.2f}")


if __name__ == "__main__":
    main()
