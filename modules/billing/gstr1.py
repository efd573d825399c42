"""GSTR-1 of one month and one store (its GSTIN): the GST portal's offline-tool JSON and the same tables in Excel.

The documents are those of the GST summary (:func:`modules.billing.reports.gst_summary`) for the month, so the
return reconciles to it to the paisa: every invoice issued in the month (one cancelled since included), and
every credit note written in the month, with its invoice's lines. Sources: docs/compliance.md, "GSTR-1".

- **B2B** (Table 4A): invoices with the buyer's GSTIN, per recipient GSTIN, each invoice with its rate-wise items.
- **B2C large** (Table 5, ``b2cl``): invoices without a GSTIN, inter-state, whose value is above the limit in
  force on the invoice's date: ₹2,50,000 until 31 July 2024, ₹1,00,000 from 1 August 2024 (CGST Rules 2017,
  rule 59(4)(b) as amended by Notification 12/2024-Central Tax), per place of supply.
- **B2C small** (Table 7, ``b2cs``): every other invoice without a GSTIN, by supply type, place of supply and
  rate; a credit note against such an invoice is netted into its row (the portal has no note table for it).
- **Credit notes** (Table 9B): against a B2B invoice in ``cdnr`` per recipient GSTIN, against a B2C large
  invoice in ``cdnur`` (``typ`` "B2CL"). The app writes credit notes only (no debit notes): ``ntty`` "C".
- **HSN summary** (Table 12, split into B2B and B2C since the May 2025 return period): per HSN/SAC and rate,
  net of the month's credit notes; jewellery and coins in grams (UQC "GMS", the lines' net weight), services
  (SAC 99...) with UQC "NA" and no quantity, as the portal expects.
- **Documents issued** (Table 13): the invoice and credit-note series of the month, first and last number,
  how many, how many cancelled (invoices cancelled since with a credit note; both stay in the tables above).

Permission: ``billing.returns.export`` in the store whose return it is.
"""

from __future__ import annotations

import calendar
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import build_actor
from jewelerp.columns import Column, Kind
from jewelerp.core.models import Store
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from jewelerp.gst import state_code_of, state_name
from jewelerp.money import ZERO
from jewelerp.xlsx_export import Sheet, write_sheets
from modules.billing.models import CreditNote, Invoice, InvoiceLine, TaxClass
from modules.billing.reports import (
    SALE_LINES,
    ReportStore,
    _day_starts,
    _issued_between,
    is_inter_state,
    report_stores,
    written_between,
)

RETURNS = "billing.returns.export"
FORMAT_VERSION = "GST3.2.4"  # the offline tool's JSON version the file is written for
# Invoice value above which an inter-state sale to an unregistered buyer is "B2C large", from the day in force.
B2CL_LIMITS = ((date(2017, 7, 1), Decimal("250000")), (date(2024, 8, 1), Decimal("100000")))
SUPPLIES = ("b2b", "b2cl", "b2cs")
NOTES = ("cdnr", "cdnur")
TAXES = ("taxable", "cgst", "sgst", "igst")
DOCUMENT_TYPES = {"invoice": (1, "Invoices for outward supply"), "credit_note": (5, "Credit Note")}


def b2cl_limit(day: date) -> Decimal:
    """The B2C large invoice value limit in force on ``day`` (an invoice above it is B2C large)."""
    return [limit for start, limit in B2CL_LIMITS if start <= day][-1]


@dataclass(frozen=True)
class Part:
    """The lines of one document with one HSN/SAC and rate."""

    hsn: str
    rate: Decimal
    taxable: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal
    grams: Decimal


@dataclass
class Document:
    """An invoice of the month, or a credit note of the month carrying its invoice's figures."""

    number: str
    day: date
    invoice_day: date
    value: Decimal
    place: str
    raw_place: str
    gstin: str
    parts: list[Part] = field(default_factory=list)
    inter: bool = False

    @property
    def buyers(self) -> str:
        """Which table the invoice (or the invoice a note reverses) belongs to: b2b, b2cl or b2cs."""
        if self.gstin:
            return "b2b"
        return "b2cl" if self.inter and self.value > b2cl_limit(self.invoice_day) else "b2cs"


@dataclass(frozen=True)
class Gstr1:
    """The month's return: the portal JSON, each table's totals and document counts."""

    gstin: str
    period: str
    data: dict[str, Any]
    totals: dict[str, dict[str, Decimal]]
    counts: dict[str, int]

    @property
    def net(self) -> dict[str, Decimal]:
        """Taxable value and taxes of the supplies less the credit notes (the GST summary's net)."""
        return {
            k: sum((self.totals[t][k] for t in SUPPLIES), ZERO) - sum((self.totals[t][k] for t in NOTES), ZERO)
            for k in TAXES
        }

    @property
    def filename(self) -> str:
        """``GSTR1-27AAPFU0939F1ZV-112026`` (the extension is the caller's)."""
        return f"GSTR1-{self.gstin}-{self.period}"

    def to_json(self) -> str:
        """The portal's offline-tool JSON (amounts as numbers with at most two decimals)."""
        return json.dumps(self.data, default=_number, indent=1)


def _number(value: Any) -> float | int:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def parse_month(raw: str) -> tuple[int, int]:
    """A month typed or picked as ``2026-11``: (year, month); ValidationError naming the ``month`` field."""
    try:
        picked = datetime.strptime(str(raw).strip(), "%Y-%m")
    except ValueError:
        raise ValidationError({"month": "Choose the month of the return, e.g. 2026-11."}) from None
    if (picked.year, picked.month) < (2017, 7):
        raise ValidationError({"month": "GST returns start with July 2017."})
    return picked.year, picked.month


def store_actor(session: Session, actor: Actor, store_id: int) -> Actor:
    """The user acting in ``store_id`` when the user may export that store's returns; else PermissionDenied."""
    allowed = {s.id for s in report_stores(session, actor, every_store=True, permission=RETURNS)}
    if store_id not in allowed or actor.user_id is None:
        raise PermissionDenied("You may not export the returns of that store.")
    return build_actor(session, actor.user_id, store_id)


def build_gstr1(session: Session, actor: Actor, year: int, month: int) -> Gstr1:
    """The GSTR-1 of the actor's store for the month; JewelError when the store has no GSTIN."""
    store = report_stores(session, actor, permission=RETURNS)[0]
    gstin = session.get(Store, store.id).gstin.strip().upper()
    if not gstin:
        raise JewelError(f"Store {store.code} has no GSTIN: enter it on the store's page before exporting its GSTR-1.")
    start = date(year, month, 1)
    if start > actor.today():
        raise ValidationError({"month": "That month has not begun."})
    starts = _day_starts(store, start, start.replace(day=calendar.monthrange(year, month)[1]))
    invoices = _documents(session, store, _invoice_rows(store, starts))
    notes = _documents(session, store, _note_rows(store, starts))
    data, totals = _tables(invoices, notes, _descriptions(session))
    period = f"{month:02d}{year}"
    data = {"gstin": gstin, "fp": period, "version": FORMAT_VERSION, "hash": "hash", **data}
    data["doc_issue"] = {"doc_det": _series(session, store, starts)}
    counts = {
        "b2b": sum(len(r["inv"]) for r in data["b2b"]),
        "b2cl": sum(len(r["inv"]) for r in data["b2cl"]),
        "b2cs": len(data["b2cs"]),
        "cdnr": sum(len(r["nt"]) for r in data["cdnr"]),
        "cdnur": len(data["cdnur"]),
        "hsn": len(data["hsn"]["hsn_b2b"]) + len(data["hsn"]["hsn_b2c"]),
        "doc_issue": sum(d["totnum"] for det in data["doc_issue"]["doc_det"] for d in det["docs"]),
    }
    return Gstr1(gstin, period, data, totals, counts)


# ---------------------------------------------------------------------------- reading the documents


def _line_sums() -> tuple[Any, ...]:
    columns = (InvoiceLine.taxable, InvoiceLine.cgst, InvoiceLine.sgst, InvoiceLine.igst, InvoiceLine.net_weight)
    return tuple(func.sum(c) for c in columns)


INVOICE_KEYS = (Invoice.total, Invoice.place_of_supply, Invoice.customer_state, Invoice.customer_gstin)
LINE_KEYS = (InvoiceLine.hsn_sac, InvoiceLine.tax_rate)


def _invoice_rows(store: ReportStore, starts: list[datetime]) -> Any:
    """Each invoice issued in the month (cancelled since or not), per HSN/SAC and rate of its sale lines."""
    keys = (Invoice.id, Invoice.number, Invoice.issued_at, Invoice.issued_at, *INVOICE_KEYS, *LINE_KEYS)
    stmt = select(*keys, *_line_sums()).join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
    stmt = _issued_between(stmt, store, starts, ("issued", "cancelled")).where(InvoiceLine.kind.in_(SALE_LINES))
    return stmt.group_by(*keys).order_by(Invoice.number, *LINE_KEYS)


def _note_rows(store: ReportStore, starts: list[datetime]) -> Any:
    """Each credit note written in the month, per HSN/SAC and rate of its invoice's sale lines."""
    keys = (CreditNote.id, CreditNote.number, CreditNote.created_at, Invoice.issued_at, *INVOICE_KEYS, *LINE_KEYS)
    return (
        written_between(select(*keys, *_line_sums()), store, starts)
        .join(Invoice, Invoice.id == CreditNote.invoice_id)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .where(InvoiceLine.kind.in_(SALE_LINES))
        .group_by(*keys)
        .order_by(CreditNote.number, *LINE_KEYS)
    )


def _documents(session: Session, store: ReportStore, stmt: Any) -> list[Document]:
    documents: dict[int, Document] = {}
    for key, number, at, invoiced_at, total, place, typed, gstin, hsn, rate, *sums in session.execute(stmt):
        if key not in documents:
            code = place or state_code_of(typed) or store.state_code
            day, invoice_day = local_day(at, store.time_zone), local_day(invoiced_at, store.time_zone)
            documents[key] = Document(number, day, invoice_day, total, code, place, gstin.strip().upper())
        amounts = [s if s is not None else ZERO for s in sums]
        documents[key].parts.append(Part(hsn, rate, *amounts))
    for document in documents.values():
        igst = sum((p.igst for p in document.parts), ZERO)
        document.inter = is_inter_state(store, document.raw_place, igst)
    return list(documents.values())


def local_day(at: datetime, time_zone: str) -> date:
    """The store's date of a UTC instant (stored without its zone on SQLite)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(ZoneInfo(time_zone)).date()


def _descriptions(session: Session) -> dict[str, str]:
    """The description of each HSN/SAC code from its latest tax class."""
    rows = session.execute(select(TaxClass.hsn_sac, TaxClass.description).order_by(TaxClass.effective_from))
    return {hsn: text for hsn, text in rows}


# ---------------------------------------------------------------------------- the portal's tables


def _rate(rate: Decimal) -> Decimal:
    return rate.normalize() if rate == rate.to_integral_value() else rate


def _taxes(inter: bool, taxable: Decimal, cgst: Decimal, sgst: Decimal, igst: Decimal) -> dict[str, Decimal]:
    """``txval`` and the taxes the supply type carries: IGST inter-state, CGST and SGST within the state."""
    taxes = {"iamt": igst} if inter else {"camt": cgst, "samt": sgst}
    return {"txval": taxable, **taxes, "csamt": ZERO}


def _sum_parts(parts: Iterable[Part], rate: Decimal) -> list[Decimal]:
    """Taxable value and taxes of the parts charged at ``rate``."""
    chosen = [p for p in parts if p.rate == rate]
    return [sum((getattr(p, k) for p in chosen), ZERO) for k in TAXES]


def _items(document: Document) -> list[dict[str, Any]]:
    """The document's rate-wise items (``itms``), one per rate."""
    rates = sorted({p.rate for p in document.parts})
    return [
        {
            "num": n,
            "itm_det": {
                "rt": _rate(rate),
                **_taxes(document.inter, *_sum_parts(document.parts, rate)),
            },
        }
        for n, rate in enumerate(rates, start=1)
    ]


def _idt(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def _tables(
    invoices: list[Document], notes: list[Document], descriptions: dict[str, str]
) -> tuple[dict[str, Any], dict[str, dict[str, Decimal]]]:
    """The supply, note and HSN tables, and each table's taxable value and taxes (B2C small net of its notes)."""
    totals = {t: dict.fromkeys(TAXES, ZERO) for t in (*SUPPLIES, *NOTES, "hsn")}
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {t: defaultdict(list) for t in ("b2b", "b2cl", "cdnr")}
    cdnur: list[dict[str, Any]] = []
    b2cs: dict[tuple[str, str, Decimal], list[Decimal]] = defaultdict(lambda: [ZERO] * 4)
    hsn: dict[tuple[str, str, Decimal], list[Decimal]] = defaultdict(lambda: [ZERO] * 5)

    def add(table: str, sign: int, document: Document) -> None:
        tab = "hsn_b2b" if document.gstin else "hsn_b2c"
        for part in document.parts:
            figures = [getattr(part, k) for k in (*TAXES, "grams")]
            for k, value in zip(TAXES, figures, strict=False):
                totals[table][k] += -value if table == "b2cs" and sign < 0 else value
                totals["hsn"][k] += sign * value
            key = (tab, part.hsn, part.rate)
            hsn[key] = [a + sign * b for a, b in zip(hsn[key], figures, strict=True)]
            if table == "b2cs":
                place = ("INTER" if document.inter else "INTRA", document.place, part.rate)
                b2cs[place] = [a + sign * b for a, b in zip(b2cs[place], figures[:4], strict=True)]

    for document in invoices:
        table = document.buyers
        add(table, 1, document)
        invoice = {"inum": document.number, "idt": _idt(document.day), "val": document.value}
        if table == "b2b":
            extra = {"pos": document.place, "rchrg": "N", "inv_typ": "R"}
            groups["b2b"][document.gstin].append({**invoice, **extra, "itms": _items(document)})
        elif table == "b2cl":
            groups["b2cl"][document.place].append({**invoice, "itms": _items(document)})
    for note in notes:
        table = {"b2b": "cdnr", "b2cl": "cdnur"}.get(note.buyers, "b2cs")
        add(table, -1, note)
        entry = {"ntty": "C", "nt_num": note.number, "nt_dt": _idt(note.day), "pos": note.place}
        if table == "cdnr":
            extra = {"rchrg": "N", "inv_typ": "R", "val": note.value, "itms": _items(note)}
            groups["cdnr"][note.gstin].append({**entry, **extra})
        elif table == "cdnur":
            cdnur.append({**entry, "typ": "B2CL", "val": note.value, "itms": _items(note)})
    return {
        "b2b": [{"ctin": gstin, "inv": rows} for gstin, rows in sorted(groups["b2b"].items())],
        "b2cl": [{"pos": place, "inv": rows} for place, rows in sorted(groups["b2cl"].items())],
        "b2cs": [
            {"sply_ty": supply, "pos": place, "typ": "OE", "rt": _rate(rate), **_taxes(supply == "INTER", *sums)}
            for (supply, place, rate), sums in sorted(b2cs.items())
            if any(sums)
        ],
        "cdnr": [{"ctin": gstin, "nt": rows} for gstin, rows in sorted(groups["cdnr"].items())],
        "cdnur": cdnur,
        "hsn": {tab: _hsn_rows(hsn, tab, descriptions) for tab in ("hsn_b2b", "hsn_b2c")},
    }, totals


def _hsn_rows(
    hsn: dict[tuple[str, str, Decimal], list[Decimal]], tab: str, descriptions: dict[str, str]
) -> list[dict[str, Any]]:
    """Table 12's rows of one tab: goods in grams (GMS), services (SAC 99...) with UQC NA and no quantity."""
    rows = []
    for (_tab, code, rate), (taxable, cgst, sgst, igst, grams) in sorted(
        (k, v) for k, v in hsn.items() if k[0] == tab and any(v)
    ):
        service = code.startswith("99")
        rows.append(
            {
                "num": len(rows) + 1,
                "hsn_sc": code,
                "desc": descriptions.get(code, "")[:30],
                "uqc": "NA" if service else "GMS",
                "qty": ZERO if service else grams,
                "rt": _rate(rate),
                "txval": taxable,
                "iamt": igst,
                "camt": cgst,
                "samt": sgst,
                "csamt": ZERO,
            }
        )
    return rows


# ---------------------------------------------------------------------------- Table 13


def _series(session: Session, store: ReportStore, starts: list[datetime]) -> list[dict[str, Any]]:
    """The month's invoice and credit-note numbers per series (the number less its counter)."""
    invoices = _issued_between(select(Invoice.number, Invoice.status), store, starts, ("issued", "cancelled"))
    notes = written_between(select(CreditNote.number, literal("")), store, starts)
    details = []
    for kind, stmt in (("invoice", invoices), ("credit_note", notes)):
        series: dict[str, list[tuple[str, bool]]] = defaultdict(list)
        for number, status in session.execute(stmt):
            series[number.rsplit("/", 1)[0]].append((number, status == "cancelled"))
        if not series:
            continue
        docs = []
        for n, (_prefix, numbers) in enumerate(sorted(series.items()), start=1):
            ordered = sorted(numbers, key=lambda item: (len(item[0]), item[0]))
            cancelled = sum(1 for _number, gone in numbers if gone)
            docs.append(
                {
                    "num": n,
                    "from": ordered[0][0],
                    "to": ordered[-1][0],
                    "totnum": len(numbers),
                    "cancel": cancelled,
                    "net_issue": len(numbers) - cancelled,
                }
            )
        doc_num, doc_typ = DOCUMENT_TYPES[kind]
        details.append({"doc_num": doc_num, "doc_typ": doc_typ, "docs": docs})
    return details


# ---------------------------------------------------------------------------- Excel


def _place(code: str) -> str:
    return f"{code}-{state_name(code)}"


def _tax_cells(det: dict[str, Any]) -> list[Any]:
    return [det.get(k, ZERO) for k in ("txval", "iamt", "camt", "samt", "csamt")]


def _day(text: str) -> date:
    return datetime.strptime(text, "%d-%m-%Y").date()


TAX_HEADERS = ("Taxable Value", "Integrated Tax", "Central Tax", "State/UT Tax", "Cess Amount")


def _sheets(data: dict[str, Any]) -> list[tuple[str, tuple[str, ...], list[list[Any]]]]:
    """The offline tool's sheets, one row per rate of each document (the Excel twin of the JSON)."""
    b2b = [
        [
            g["ctin"],
            i["inum"],
            _day(i["idt"]),
            i["val"],
            _place(i["pos"]),
            i["rchrg"],
            i["inv_typ"],
            t["itm_det"]["rt"],
            *_tax_cells(t["itm_det"]),
        ]
        for g in data["b2b"]
        for i in g["inv"]
        for t in i["itms"]
    ]
    b2cl = [
        [i["inum"], _day(i["idt"]), i["val"], _place(g["pos"]), t["itm_det"]["rt"], *_tax_cells(t["itm_det"])]
        for g in data["b2cl"]
        for i in g["inv"]
        for t in i["itms"]
    ]
    b2cs = [[r["sply_ty"], _place(r["pos"]), r["rt"], *_tax_cells(r)] for r in data["b2cs"]]
    cdnr = [
        [
            g["ctin"],
            n["nt_num"],
            _day(n["nt_dt"]),
            n["ntty"],
            _place(n["pos"]),
            n["rchrg"],
            n["inv_typ"],
            n["val"],
            t["itm_det"]["rt"],
            *_tax_cells(t["itm_det"]),
        ]
        for g in data["cdnr"]
        for n in g["nt"]
        for t in n["itms"]
    ]
    cdnur = [
        [
            n["typ"],
            n["nt_num"],
            _day(n["nt_dt"]),
            n["ntty"],
            _place(n["pos"]),
            n["val"],
            t["itm_det"]["rt"],
            *_tax_cells(t["itm_det"]),
        ]
        for n in data["cdnur"]
        for t in n["itms"]
    ]
    hsn_headers = ("HSN", "Description", "UQC", "Total Quantity", "Rate", *TAX_HEADERS)
    hsn = {
        tab: [[r["hsn_sc"], r["desc"], r["uqc"], r["qty"], r["rt"], *_tax_cells(r)] for r in data["hsn"][tab]]
        for tab in ("hsn_b2b", "hsn_b2c")
    }
    docs = [
        [det["doc_typ"], d["from"], d["to"], d["totnum"], d["cancel"], d["net_issue"]]
        for det in data["doc_issue"]["doc_det"]
        for d in det["docs"]
    ]
    invoice = ("Invoice Number", "Invoice date", "Invoice Value", "Place Of Supply")
    note = ("Note Number", "Note Date", "Note Type", "Place Of Supply")
    return [
        ("b2b", ("GSTIN/UIN of Recipient", *invoice, "Reverse Charge", "Invoice Type", "Rate", *TAX_HEADERS), b2b),
        ("b2cl", (*invoice, "Rate", *TAX_HEADERS), b2cl),
        ("b2cs", ("Type", "Place Of Supply", "Rate", *TAX_HEADERS), b2cs),
        (
            "cdnr",
            ("GSTIN/UIN of Recipient", *note, "Reverse Charge", "Invoice Type", "Note Value", "Rate", *TAX_HEADERS),
            cdnr,
        ),
        ("cdnur", ("UR Type", *note, "Note Value", "Rate", *TAX_HEADERS), cdnur),
        ("hsn(b2b)", hsn_headers, hsn["hsn_b2b"]),
        ("hsn(b2c)", hsn_headers, hsn["hsn_b2c"]),
        ("docs", ("Nature of Document", "Sr. No. From", "Sr. No. To", "Total Number", "Cancelled", "Net Issued"), docs),
    ]


KINDS = {
    "Invoice date": Kind.DATE,
    "Note Date": Kind.DATE,
    "Invoice Value": Kind.MONEY,
    "Note Value": Kind.MONEY,
    **dict.fromkeys(TAX_HEADERS, Kind.MONEY),
    "Rate": Kind.DECIMAL,
    "Total Quantity": Kind.WEIGHT,
    **dict.fromkeys(("Total Number", "Cancelled", "Net Issued"), Kind.INTEGER),
}


def write_gstr1_xlsx(path: Path, gstr1: Gstr1) -> None:
    """The return as a workbook: one sheet per table, the header in the first row as in the offline tool's
    sheets, numbers as numbers, dates as dates, text never a formula (:mod:`jewelerp.xlsx_export`)."""
    sheets = []
    for title, headers, rows in _sheets(gstr1.data):
        columns = tuple(Column(str(n), label, kind=KINDS.get(label, Kind.TEXT)) for n, label in enumerate(headers))
        sheets.append(Sheet(title, columns, [{str(n): value for n, value in enumerate(row)} for row in rows]))
    write_sheets(path, sheets, titled=False)
