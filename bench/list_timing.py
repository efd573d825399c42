"""Timing list searches the way a page asks for them: one page plus the (capped) count.

Shared by bench/customer_search.py and bench/stock_search.py.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

TARGET_P95_MS = 50.0
PAGE_SIZE = 25


@dataclass(frozen=True)
class Query:
    """One timed list request: a label and what the person typed or picked."""

    label: str
    search: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = ""
    descending: bool = False


@dataclass(frozen=True)
class Result:
    """Timings (milliseconds) of one query and how many rows it matched (capped like the list)."""

    query: Query
    times_ms: list[float]
    matched: int

    @property
    def median(self) -> float:
        """Median of the timed runs."""
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        """95th percentile by nearest rank (with 30 runs: the second slowest)."""
        ordered = sorted(self.times_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def time_query(spec: Any, actor: Any, query: Query, runs: int) -> Result:
    """Warm up once, then time ``runs`` first-page fetches of ``spec`` in fresh read sessions."""
    from jewelerp.db import read_session
    from jewelerp.ui.table_query import TableQuery

    q = TableQuery(
        search=query.search, filters=query.filters, sort=query.sort, descending=query.descending, limit=PAGE_SIZE
    )

    def once() -> int:
        with read_session() as session:
            page, total = spec.fetch(session, actor, q)
        assert len(page) == min(PAGE_SIZE, total)
        return total

    matched = once()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        once()
        times.append((time.perf_counter() - start) * 1000)
    return Result(query, times, matched)


def print_results(headline: str, results: list[Result], runs: int, width: int = 42) -> None:
    """Print the latency table and whether each query met the p95 target."""
    from jewelerp.ui.table_query import count_label

    print(headline)
    print(f"first page of {PAGE_SIZE} with the capped count, {runs} runs after one warm-up.\n")
    print(f"{'query':<{width}}{'median ms':>11}{'p95 ms':>10}{'matched':>10}")
    print("-" * (width + 31))
    for r in results:
        flag = "" if r.p95 < TARGET_P95_MS else "  > target"
        print(f"{r.query.label:<{width}}{r.median:>11.1f}{r.p95:>10.1f}{count_label(r.matched, 0):>10}{flag}")
    met = sum(r.p95 < TARGET_P95_MS for r in results)
    print(f"\np95 target {TARGET_P95_MS:.0f} ms: met for {met} of {len(results)} queries")
