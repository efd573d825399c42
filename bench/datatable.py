"""How list pages scale: one page of customers at 2,000 and at 200,000 rows.

Run: .venv/bin/python bench/datatable.py [--rows 200000]
Prints the median time of each list operation at both sizes and their ratio.
A page read should stay flat (indexes and LIMIT); a count grows with the rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _setup(rows: int, folder: Path):
    os.environ["JEWELERP_DB_URL"] = f"sqlite:///{folder / f'bench-{rows}.db'}"
    from sqlalchemy import insert
    from sqlmodel import SQLModel

    from jewelerp.db import get_engine, reset_engine
    from jewelerp.registry import get_registry
    from modules.clienteling.models import Customer
    from tests.conftest import make_world

    reset_engine()
    get_registry().import_models()
    SQLModel.metadata.create_all(get_engine())
    from jewelerp.core.roles import sync_roles_and_permissions
    from jewelerp.db import unit_of_work

    with unit_of_work() as session:
        sync_roles_and_permissions(session)
    world = make_world()
    joined = datetime(2026, 1, 1, tzinfo=UTC)
    with get_engine().begin() as conn:
        batch = []
        for i in range(rows):
            batch.append(
                {
                    "store_id": world.mum,
                    "name": f"Customer {i:07d}",
                    "phone": f"+9198{i:08d}",
                    "email": f"c{i}@example.in",
                    "tags": "bridal" if i % 7 == 0 else "",
                    "notes": "",
                    "created_at": joined,
                }
            )
            if len(batch) == 10_000:
                conn.execute(insert(Customer), batch)
                batch = []
        if batch:
            conn.execute(insert(Customer), batch)
    return world.actor("manager")


def _median_ms(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(rows: int, folder: Path) -> dict[str, float]:
    """Median milliseconds of each list operation with ``rows`` customers."""
    actor = _setup(rows, folder)
    from jewelerp.db import read_session
    from jewelerp.ui.table_query import TableQuery
    from modules.clienteling.tables import CUSTOMERS

    def page(**query):
        def run() -> None:
            with read_session() as session:
                CUSTOMERS.fetch(session, actor, TableQuery(**query))

        return run

    middle = rows // 2
    return {
        "first page by name": _median_ms(page()),
        "page 40 by name": _median_ms(page(offset=1000)),
        "newest first": _median_ms(page(sort="since", descending=True)),
        "search by phone digits": _median_ms(page(search=f"98 {middle:08d}"[-11:])),
        "search by tag": _median_ms(page(search="bridal")),
    }


def main() -> None:
    """Measure a small and a large table and print the ratio of each operation."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small = measure(2_000, Path(tmp))
        large = measure(args.rows, Path(tmp))
    print(f"{'operation':<26}{'2,000 rows':>14}{f'{args.rows:,} rows':>16}{'ratio':>8}")
    for name in small:
        print(f"{name:<26}{small[name]:>11.2f} ms{large[name]:>13.2f} ms{large[name] / small[name]:>8.1f}")


if __name__ == "__main__":
    main()
