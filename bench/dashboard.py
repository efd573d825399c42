"""How long billing's dashboard cards take on a large sales history, with and without the index on invoices by
store and time of issue (``ix_billing_invoice_store_issued``, migration billing_0002), measured in one run.

Run: .venv/bin/python bench/dashboard.py [--invoices 200000] [--repeat 15]

A fresh SQLite file (WAL, as the app runs) gets the tables from the models, two branches, and ``--invoices``
issued invoices bulk-inserted (two sale lines each, a gold piece and a service, by one of six salespeople) spread
evenly over the last two years and both branches. The bench then computes the cards a manager of both branches
sees for this month (sales today and in the period against last year's, branch comparison, top categories and
top salespeople) ``--repeat`` times, on an open session as the page does, and prints the median and the slowest
run per card; then it drops the index, runs ``ANALYZE`` and times them again. It prints both and the ratio
(without / with the index). It writes nothing but its temporary file.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BATCH = 20_000
PEOPLE = ("Asha", "Ravi", "Neha", "Kiran", "Meera", "Vikram")
INDEX = "ix_billing_invoice_store_issued"


def _build(path: Path, invoices: int, seed: int) -> tuple[int, int]:
    """The database at ``path`` with two branches and ``invoices`` issued invoices; returns the branch ids."""
    os.environ["JEWELERP_DB_URL"] = f"sqlite:///{path}"
    from sqlmodel import SQLModel

    from jewelerp.core.models import Store
    from jewelerp.db import get_engine, reset_engine, unit_of_work
    from jewelerp.registry import get_registry
    from modules.billing.models import Invoice, InvoiceLine

    reset_engine()
    get_registry().import_models()
    SQLModel.metadata.create_all(get_engine())
    with unit_of_work() as session:
        stores = [Store(code="MUM", name="Mumbai"), Store(code="DEL", name="Delhi")]
        session.add_all(stores)
        session.flush()
        ids = (stores[0].id, stores[1].id)
    invoice = Invoice(store_id=ids[0], status="issued").model_dump(exclude={"id"})
    line = InvoiceLine(invoice_id=0, kind="piece").model_dump(exclude={"id"})
    rng = random.Random(seed)
    now = datetime.now(UTC)
    span = int(timedelta(days=730).total_seconds())
    engine = get_engine()
    for first in range(1, invoices + 1, BATCH):
        numbers = range(first, min(first + BATCH, invoices + 1))
        heads, lines = [], []
        for n in numbers:
            at = now - timedelta(seconds=rng.randrange(span))
            gold = Decimal(rng.randrange(20_000, 400_000))
            heads.append(
                invoice
                | {
                    "id": n,
                    "store_id": ids[n % 2],
                    "number": f"B/{n:09d}",
                    "created_by": rng.choice(PEOPLE),
                    "invoice_date": at.date(),
                    "issued_at": at,
                    "taxable": gold + 500,
                    "total": gold + 500,
                    "payable": gold + 500,
                }
            )
            lines.append(line | {"invoice_id": n, "kind": "piece", "category": "gold", "taxable": gold})
            lines.append(line | {"invoice_id": n, "kind": "service", "taxable": Decimal(500)})
        with engine.begin() as conn:
            conn.execute(Invoice.__table__.insert(), heads)
            conn.execute(InvoiceLine.__table__.insert(), lines)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return ids


def _time(ids: tuple[int, int], repeat: int) -> dict[str, list[float]]:
    """Milliseconds of each card for this month and both branches, ``repeat`` times."""
    from jewelerp.auth.actor import Actor
    from jewelerp.dashboard import DashboardFilters
    from jewelerp.db import read_session
    from modules.billing import cards

    actor = Actor(None, "bench", ids[0], "MUM", "manager", frozenset(), frozenset({"billing"}))
    today = actor.today()
    filters = DashboardFilters(today.replace(day=1), today, ids)
    shown = {
        "sales today": cards.sales_today_card,
        "sales in the period": cards.sales_period_card,
        "branch comparison": cards.branches_card,
        "top categories": cards.top_categories_card,
        "top salespeople": cards.top_salespeople_card,
    }
    times: dict[str, list[float]] = {name: [] for name in shown}
    with read_session() as session:
        for card in shown.values():
            card(session, actor, filters)  # warm the connection and the page cache
        for _ in range(repeat):
            for name, card in shown.items():
                began = time.perf_counter()
                card(session, actor, filters)
                times[name].append((time.perf_counter() - began) * 1000)
    return times


def _drop_index() -> None:
    from jewelerp.db import get_engine

    with get_engine().begin() as conn:
        conn.exec_driver_sql(f"DROP INDEX {INDEX}")
        conn.exec_driver_sql("ANALYZE")


def main() -> None:
    """Build the history, time the cards with and without the index, print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-") as folder:
        began = time.perf_counter()
        ids = _build(Path(folder) / "sales.db", args.invoices, seed=7)
        print(f"built {args.invoices:,} invoices ({2 * args.invoices:,} lines) in {time.perf_counter() - began:.1f} s")
        indexed = _time(ids, args.repeat)
        _drop_index()
        plain = _time(ids, args.repeat)
    print(f"{'card':<22}{'median ms':>12}{'max ms':>10}{'no index':>12}{'max ms':>10}{'ratio':>8}")
    for name, runs in indexed.items():
        with_index, without = statistics.median(runs), statistics.median(plain[name])
        print(
            f"{name:<22}{with_index:>12.1f}{max(runs):>10.1f}{without:>12.1f}{max(plain[name]):>10.1f}"
            f"{without / with_index:>8.1f}"
        )
    total_with = sum(statistics.median(r) for r in indexed.values())
    total_without = sum(statistics.median(r) for r in plain.values())
    ratio = total_without / total_with
    print(f"{'all five':<22}{total_with:>12.1f}{'':>10}{total_without:>12.1f}{'':>10}{ratio:>8.1f}")


if __name__ == "__main__":
    main()
