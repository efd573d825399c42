"""Excel export speed: the app's writer against a bare xlsxwriter file of the same rows, in one run.

Run: .venv/bin/python bench/export.py [--rows 100000] [--runs 3]

Makes ``--rows`` typed rows of 12 columns (four text, two weights, a count, two amounts, a percent, a date and a
time), as a list's row builder hands them over, then writes them ``--runs`` times each, alternating:
``jewelerp.xlsx_export.write_table`` (title row, frozen header, widths, autofilter, Indian-grouped rupee format,
text always as text) and a bare xlsxwriter workbook in ``constant_memory`` mode that only writes the same cells
with the same number formats. It prints the best seconds of each, the ratio (aim: under 4 s and within 1.2x of
bare) and, from one more run of each under ``tracemalloc``, the peak Python memory.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import xlsxwriter

from jewelerp.columns import Column, Kind
from jewelerp.xlsx_export import INR_FORMAT, NUMBER_FORMATS, write_table

COLUMNS = (
    Column("customer", "Customer"),
    Column("sku", "SKU"),
    Column("category", "Category"),
    Column("metal", "Metal"),
    Column("gross", "Gross weight", kind=Kind.WEIGHT),
    Column("net", "Net weight", kind=Kind.WEIGHT),
    Column("pieces", "Pieces", kind=Kind.INTEGER),
    Column("making", "Making", kind=Kind.MONEY),
    Column("total", "Total", kind=Kind.MONEY),
    Column("wastage", "Wastage", kind=Kind.PERCENT),
    Column("date", "Date", kind=Kind.DATE),
    Column("at", "Entered at", kind=Kind.DATETIME),
)
NAMES = ("Asha Rao", "Bina Shah", "Chetan Mehta", "Divya Iyer", "Farhan Khan", "=HYPERLINK(1)", "+91 98200 11111")


def make_rows(count: int) -> list[dict[str, Any]]:
    """``count`` rows of typed values, the same every run (seeded)."""
    rng = random.Random(17)
    start = datetime(2026, 4, 1, 10, 0)
    rows = []
    for n in range(count):
        gross = Decimal(rng.randint(1_000, 90_000)) / 1000
        at = start + timedelta(minutes=7 * n)
        rows.append(
            {
                "customer": rng.choice(NAMES),
                "sku": f"MUM-{n:07d}",
                "category": rng.choice(("Ring", "Chain", "Bangle", "Necklace")),
                "metal": rng.choice(("Gold 22K (916)", "Gold 18K (750)", "Silver 925")),
                "gross": gross,
                "net": gross - Decimal(rng.randint(0, 500)) / 1000,
                "pieces": rng.randint(1, 3),
                "making": Decimal(rng.randint(50_000, 5_000_000)) / 100,
                "total": Decimal(rng.randint(500_000, 2_000_000_000)) / 100,
                "wastage": Decimal(rng.randint(0, 180)) / 10,
                "date": at.date(),
                "at": at,
            }
        )
    return rows


def app_writer(path: Path, rows: list[dict[str, Any]]) -> None:
    """The app's writer, as a list export calls it."""
    write_table(path, COLUMNS, rows, "Pieces", filters=[("Status", "In stock")])


def bare_writer(path: Path, rows: list[dict[str, Any]]) -> None:
    """The least xlsxwriter needs for the same cells: each one written with its type and number format."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Pieces")
    formats = {kind: book.add_format({"num_format": code}) for kind, code in NUMBER_FORMATS.items()}
    money, weight, whole = book.add_format({"num_format": INR_FORMAT}), formats[Kind.WEIGHT], formats[Kind.INTEGER]
    percent, day, moment = formats[Kind.PERCENT], formats[Kind.DATE], formats[Kind.DATETIME]
    for c, column in enumerate(COLUMNS):
        sheet.write_string(0, c, column.label)
    put, number, when = sheet.write_string, sheet.write_number, sheet.write_datetime
    for r, row in enumerate(rows, start=1):
        put(r, 0, row["customer"])
        put(r, 1, row["sku"])
        put(r, 2, row["category"])
        put(r, 3, row["metal"])
        number(r, 4, float(row["gross"]), weight)
        number(r, 5, float(row["net"]), weight)
        number(r, 6, row["pieces"], whole)
        number(r, 7, float(row["making"]), money)
        number(r, 8, float(row["total"]), money)
        number(r, 9, float(row["wastage"]) / 100, percent)
        when(r, 10, row["date"], day)
        when(r, 11, row["at"], moment)
    book.close()


def timed(write: Callable[[Path, list[dict[str, Any]]], None], folder: Path, rows: list[dict[str, Any]]) -> float:
    """Seconds one write of ``rows`` takes."""
    path = folder / f"{write.__name__}.xlsx"
    began = time.perf_counter()
    write(path, rows)
    return time.perf_counter() - began


def peak_mb(write: Callable[[Path, list[dict[str, Any]]], None], folder: Path, rows: list[dict[str, Any]]) -> float:
    """Peak Python memory (MB) of one write, on top of the rows already in memory."""
    tracemalloc.start()
    write(folder / f"{write.__name__}-memory.xlsx", rows)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    """Time both writers on the same rows and print seconds, ratio and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = make_rows(args.rows)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        times: dict[str, list[float]] = {"app": [], "bare": []}
        for _ in range(args.runs):
            times["bare"].append(timed(bare_writer, folder, rows))
            times["app"].append(timed(app_writer, folder, rows))
        app, bare = min(times["app"]), min(times["bare"])
        size = (folder / "app_writer.xlsx").stat().st_size / 1e6
        memory = {"app": peak_mb(app_writer, folder, rows), "bare": peak_mb(bare_writer, folder, rows)}
    print(f"{args.rows:,} rows x {len(COLUMNS)} columns, best of {args.runs} runs each ({size:.1f} MB file)")
    print(f"{'writer':<28}{'seconds':>9}{'peak MB':>10}")
    print(f"{'jewelerp write_table':<28}{app:>9.2f}{memory['app']:>10.1f}")
    print(f"{'bare xlsxwriter (constant)':<28}{bare:>9.2f}{memory['bare']:>10.1f}")
    verdict = "ok" if app < 4 and app / bare <= 1.2 else "MISSED"
    print(f"ratio app/bare: {app / bare:.2f}x (aim: under 4 s and at most 1.2x: {verdict})")


if __name__ == "__main__":
    main()
