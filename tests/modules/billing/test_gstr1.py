"""GSTR-1 of a month: hand-computed invoices land in B2B, B2C large, B2C small, CDNR and the HSN summary; the
file meets the portal's format (a JSON schema written from it); the totals reconcile to the GST summary to the
paisa; the Excel twin; who may export it."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal as D

import pytest
from jsonschema import Draft202012Validator
from openpyxl import load_workbook

from jewelerp.core.models import Store
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from modules.billing.gstr1 import Document, b2cl_limit, build_gstr1, parse_month, store_actor, write_gstr1_xlsx
from modules.billing.reports import gst_summary
from tests.modules.billing.conftest import KARNATAKA_BUYER, MUMBAI_GSTIN, at, cancel, number, sell
from tests.modules.billing.gstr1_schema import GSTR1_SCHEMA


def _gstr1(world, year: int = 2026, month: int = 11):
    with read_session() as session:
        return build_gstr1(session, world.actor("manager"), year, month)


def _data(world) -> dict:
    """The file as the portal reads it."""
    return json.loads(_gstr1(world).to_json())


def _det(**figures: str) -> dict[str, float]:
    return {k: float(D(v)) if "." in v else int(v) for k, v in figures.items()}


def test_the_months_invoices_land_in_their_tables_with_hand_computed_figures(world, november):
    data = _data(world)
    assert (data["gstin"], data["fp"]) == (MUMBAI_GSTIN, "112026")
    assert data["b2b"] == [
        {
            "ctin": "29AAPFU0939F1ZR",
            "inv": [
                {
                    "inum": number(november["b2b"]),
                    "idt": "03-11-2026",
                    "val": 41576,
                    "pos": "29",
                    "rchrg": "N",
                    "inv_typ": "R",
                    "itms": [{"num": 1, "itm_det": _det(rt="3", txval="40365", iamt="1210.95", csamt="0")}],
                }
            ],
        }
    ]
    assert data["b2cl"] == [
        {
            "pos": "29",
            "inv": [
                {
                    "inum": number(november["large"]),
                    "idt": "04-11-2026",
                    "val": 138478,
                    "itms": [{"num": 1, "itm_det": _det(rt="3", txval="134445", iamt="4033.35", csamt="0")}],
                }
            ],
        }
    ]
    # B2C small: the counter sale's ring and engraving, less nothing (the cancelled ring and its note cancel out),
    # and the Gujarat delivery under the limit.
    assert data["b2cs"] == [
        {"sply_ty": "INTER", "pos": "24", "typ": "OE", "rt": 3, **_det(txval="67245", iamt="2017.35", csamt="0")},
        {
            "sply_ty": "INTRA",
            "pos": "27",
            "typ": "OE",
            "rt": 3,
            **_det(txval="26925", camt="403.88", samt="403.88", csamt="0"),
        },
        {
            "sply_ty": "INTRA",
            "pos": "27",
            "typ": "OE",
            "rt": 18,
            **_det(txval="250", camt="22.5", samt="22.5", csamt="0"),
        },
    ]
    assert data["cdnr"] == [
        {
            "ctin": "29AAPFU0939F1ZR",
            "nt": [
                {
                    "ntty": "C",
                    "nt_num": november["note_b2b"],
                    "nt_dt": "21-11-2026",
                    "pos": "29",
                    "rchrg": "N",
                    "inv_typ": "R",
                    "val": 41576,
                    "itms": [{"num": 1, "itm_det": _det(rt="3", txval="40365", iamt="1210.95", csamt="0")}],
                }
            ],
        }
    ]
    assert data["cdnur"] == []  # no note against a B2C large invoice


def test_the_hsn_summary_is_split_b2b_b2c_in_grams_net_of_credit_notes(world, november):
    hsn = _data(world)["hsn"]
    # B2B: the Karnataka ring and its credit note: nothing left, so no row.
    assert hsn["hsn_b2b"] == []
    rows = {(r["hsn_sc"], r["rt"]): r for r in hsn["hsn_b2c"]}
    assert set(rows) == {("7113", 3), ("9987", 18)}
    ring = rows[("7113", 3)]
    # 2 + 10 + 5 g (the 1 g ring was credited): 26,925 + 1,34,445 + 67,245 = 2,28,615.
    assert (ring["uqc"], ring["qty"], ring["txval"]) == ("GMS", 17, 228615)
    assert (ring["iamt"], ring["camt"], ring["samt"]) == (6050.7, 403.88, 403.88)  # 4,033.35 + 2,017.35
    assert (rows[("9987", 18)]["uqc"], rows[("9987", 18)]["qty"], rows[("9987", 18)]["txval"]) == ("NA", 0, 250)


def test_a_registered_buyers_goods_are_in_the_b2b_tab_of_the_hsn_summary(world, november, gold):
    sell(world, gold, "2.000", at(22), KARNATAKA_BUYER)  # 26,925 + IGST 807.75 (3%)
    hsn = _data(world)["hsn"]
    assert [(r["hsn_sc"], r["uqc"], r["qty"], r["rt"], r["txval"], r["iamt"], r["camt"]) for r in hsn["hsn_b2b"]] == [
        ("7113", "GMS", 2, 3, 26925, 807.75, 0)
    ]
    assert [r["txval"] for r in hsn["hsn_b2c"] if r["hsn_sc"] == "7113"] == [228615]  # unchanged


def test_documents_issued_name_each_series_and_the_cancelled(world, november):
    det = {d["doc_num"]: d for d in _data(world)["doc_issue"]["doc_det"]}
    invoices, notes = det[1]["docs"], det[5]["docs"]
    assert det[1]["doc_typ"] == "Invoices for outward supply" and det[5]["doc_typ"] == "Credit Note"
    first, last = number(november["counter"]), number(november["cancelled"])
    assert invoices == [{"num": 1, "from": first, "to": last, "totnum": 5, "cancel": 2, "net_issue": 3}]
    assert first.endswith("/000001") and last.endswith("/000005")  # December's invoice is the sixth, not here
    assert notes == [
        {"num": 1, "from": november["note_b2c"], "to": november["note_b2b"], "totnum": 2, "cancel": 0, "net_issue": 2}
    ]


def test_the_file_meets_the_portal_format(world, november):
    gstr1 = _gstr1(world)
    data = json.loads(gstr1.to_json())
    errors = sorted(Draft202012Validator(GSTR1_SCHEMA).iter_errors(data), key=str)
    assert errors == []
    broken = {**data, "fp": "2026-11"}
    assert any("fp" in list(e.path) for e in Draft202012Validator(GSTR1_SCHEMA).iter_errors(broken))


def test_the_return_reconciles_to_the_gst_summary_to_the_paisa(world, november):
    gstr1 = _gstr1(world)
    with read_session() as session:
        summary = gst_summary(session, world.actor("manager"), date(2026, 11, 1), date(2026, 11, 30))
    assert gstr1.net == {k: summary.net(k) for k in ("taxable", "cgst", "sgst", "igst")}
    # By hand: 26,925 + 250 + 1,34,445 + 67,245 kept; the 1 g ring and the B2B ring credited in the month.
    assert gstr1.net["taxable"] == D("228865.00")
    assert (gstr1.net["cgst"], gstr1.net["igst"]) == (D("426.38"), D("6050.70"))
    assert gstr1.totals["hsn"] == gstr1.net
    assert gstr1.counts == {"b2b": 1, "b2cl": 1, "b2cs": 3, "cdnr": 1, "cdnur": 0, "hsn": 2, "doc_issue": 7}


def test_a_credit_note_against_a_b2c_large_invoice_goes_to_cdnur(world, november):
    note = cancel(world, november["large"], at(25))
    data = _data(world)
    assert [(n["nt_num"], n["typ"], n["pos"], n["val"]) for n in data["cdnur"]] == [(note, "B2CL", "29", 138478)]
    assert data["cdnur"][0]["itms"][0]["itm_det"] == _det(rt="3", txval="134445", iamt="4033.35", csamt="0")


def test_the_b2c_large_limit_is_the_one_in_force_on_the_invoice_date():
    assert b2cl_limit(date(2024, 7, 31)) == D("250000") and b2cl_limit(date(2024, 8, 1)) == D("100000")
    at_limit = Document("X/1", date(2026, 11, 2), date(2026, 11, 2), D("100000.00"), "29", "29", "", inter=True)
    assert at_limit.buyers == "b2cs"  # "more than" the limit
    above = Document("X/2", date(2026, 11, 2), date(2026, 11, 2), D("100001.00"), "29", "29", "", inter=True)
    assert above.buyers == "b2cl"
    july = Document("X/3", date(2024, 7, 2), date(2024, 7, 2), D("200000.00"), "29", "29", "", inter=True)
    assert july.buyers == "b2cs"  # ₹2,50,000 then
    intra = Document("X/4", date(2026, 11, 2), date(2026, 11, 2), D("500000.00"), "27", "27", "", inter=False)
    assert intra.buyers == "b2cs"


def test_the_workbook_has_a_sheet_per_table_with_numbers_as_numbers(world, november, tmp_path):
    path = tmp_path / "gstr1.xlsx"
    write_gstr1_xlsx(path, _gstr1(world))
    book = load_workbook(path)
    assert book.sheetnames == ["b2b", "b2cl", "b2cs", "cdnr", "cdnur", "hsn(b2b)", "hsn(b2c)", "docs"]
    b2cl = list(book["b2cl"].values)
    assert b2cl[0][:4] == ("Invoice Number", "Invoice date", "Invoice Value", "Place Of Supply")
    assert b2cl[1][1:] == (datetime(2026, 11, 4), 138478, "29-Karnataka", 3, 134445, 4033.35, 0, 0, 0)
    hsn = list(book["hsn(b2c)"].values)
    assert hsn[1][:6] == ("7113", hsn[1][1], "GMS", 17, 3, 228615)
    docs = list(book["docs"].values)
    assert docs[1][0] == "Invoices for outward supply" and docs[1][3:] == (5, 2, 3)


def test_a_store_without_a_gstin_and_a_bad_month_are_refused(world, gold):
    with unit_of_work() as session:
        session.get(Store, world.mum).gstin = ""
    with read_session() as session, pytest.raises(JewelError, match="has no GSTIN"):
        build_gstr1(session, world.actor("manager"), 2026, 11)
    for raw, message in (("Nov 2026", "e.g. 2026-11"), ("2017-06", "July 2017"), ("", "e.g. 2026-11")):
        with pytest.raises(ValidationError) as err:
            parse_month(raw)
        assert message in err.value.fields["month"]
    assert parse_month(" 2026-11 ") == (2026, 11)


def test_only_those_who_may_export_returns_get_them(world, november):
    with read_session() as session:
        for who in ("sales", "designer"):
            with pytest.raises(PermissionDenied):
                build_gstr1(session, world.actor(who), 2026, 11)
        with pytest.raises(PermissionDenied):  # a store the user does not work in
            store_actor(session, world.actor("sales"), world.dl)
        assert store_actor(session, world.actor("manager"), world.dl).store_id == world.dl
