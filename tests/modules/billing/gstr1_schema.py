"""A JSON schema of the GSTR-1 offline-tool file, written from the GST portal's published format (the offline
tool's JSON: gstin, fp as MMYYYY, b2b / b2cl / b2cs / cdnr / cdnur, hsn split into hsn_b2b and hsn_b2c since the
May 2025 return period, doc_issue), for the tables JewelERP writes. Amounts are numbers with at most two decimals,
dates dd-mm-yyyy, places of supply two-digit state codes, document numbers at most 16 characters."""

from __future__ import annotations

from typing import Any

GSTIN = {"type": "string", "pattern": "^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$"}
AMOUNT = {"type": "number", "multipleOf": 0.01}
POSITIVE = {**AMOUNT, "minimum": 0}
DATE = {"type": "string", "pattern": "^(0[1-9]|[12][0-9]|3[01])-(0[1-9]|1[0-2])-(19|20)[0-9]{2}$"}
POS = {"type": "string", "pattern": "^(0[1-9]|[1-3][0-9]|97|99)$"}
NUMBER = {"type": "string", "minLength": 1, "maxLength": 16, "pattern": "^[A-Za-z0-9/-]+$"}
RATE = {"enum": [0, 0.1, 0.25, 1, 1.5, 3, 5, 6, 7.5, 12, 18, 28, 40]}


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
        "additionalProperties": False,
    }


def _items(inter_only: bool = False) -> dict[str, Any]:
    taxes = {"iamt": POSITIVE} if inter_only else {"iamt": POSITIVE, "camt": POSITIVE, "samt": POSITIVE}
    detail = _object({"rt": RATE, "txval": POSITIVE, "csamt": POSITIVE}, taxes)
    return {
        "type": "array",
        "minItems": 1,
        "items": _object({"num": {"type": "integer", "minimum": 1}, "itm_det": detail}),
    }


B2B_INVOICE = _object(
    {
        "inum": NUMBER,
        "idt": DATE,
        "val": POSITIVE,
        "pos": POS,
        "rchrg": {"enum": ["Y", "N"]},
        "inv_typ": {"enum": ["R", "SEWP", "SEWOP", "DE"]},
        "itms": _items(),
    }
)
B2CL_INVOICE = _object({"inum": NUMBER, "idt": DATE, "val": POSITIVE, "itms": _items(inter_only=True)})
B2CS_ROW = _object(
    {"sply_ty": {"enum": ["INTRA", "INTER"]}, "pos": POS, "typ": {"enum": ["OE", "E"]}, "rt": RATE, "txval": AMOUNT},
    {"iamt": AMOUNT, "camt": AMOUNT, "samt": AMOUNT, "csamt": AMOUNT},
)
NOTE = {"ntty": {"enum": ["C", "D"]}, "nt_num": NUMBER, "nt_dt": DATE, "pos": POS, "val": POSITIVE}
CDNR_NOTE = _object(
    {**NOTE, "rchrg": {"enum": ["Y", "N"]}, "inv_typ": {"enum": ["R", "SEWP", "SEWOP", "DE"]}, "itms": _items()}
)
CDNUR_NOTE = _object({**NOTE, "typ": {"enum": ["B2CL", "EXPWP", "EXPWOP"]}, "itms": _items(inter_only=True)})
HSN_ROW = _object(
    {
        "num": {"type": "integer", "minimum": 1},
        "hsn_sc": {"type": "string", "pattern": "^[0-9]{4,8}$"},
        "desc": {"type": "string", "maxLength": 30},
        "uqc": {"enum": ["GMS", "KGS", "NOS", "PCS", "NA"]},
        "qty": {"type": "number", "multipleOf": 0.001},
        "rt": RATE,
        "txval": AMOUNT,
        "iamt": AMOUNT,
        "camt": AMOUNT,
        "samt": AMOUNT,
        "csamt": AMOUNT,
    }
)
DOCS = _object(
    {
        "doc_num": {"type": "integer", "minimum": 1, "maximum": 12},
        "doc_typ": {"type": "string"},
        "docs": {
            "type": "array",
            "minItems": 1,
            "items": _object(
                {
                    "num": {"type": "integer", "minimum": 1},
                    "from": NUMBER,
                    "to": NUMBER,
                    "totnum": {"type": "integer", "minimum": 1},
                    "cancel": {"type": "integer", "minimum": 0},
                    "net_issue": {"type": "integer", "minimum": 0},
                }
            ),
        },
    }
)


def _list(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


GSTR1_SCHEMA: dict[str, Any] = _object(
    {
        "gstin": GSTIN,
        "fp": {"type": "string", "pattern": "^(0[1-9]|1[0-2])20[0-9]{2}$"},
        "b2b": _list(_object({"ctin": GSTIN, "inv": {**_list(B2B_INVOICE), "minItems": 1}})),
        "b2cl": _list(_object({"pos": POS, "inv": {**_list(B2CL_INVOICE), "minItems": 1}})),
        "b2cs": _list(B2CS_ROW),
        "cdnr": _list(_object({"ctin": GSTIN, "nt": {**_list(CDNR_NOTE), "minItems": 1}})),
        "cdnur": _list(CDNUR_NOTE),
        "hsn": _object({"hsn_b2b": _list(HSN_ROW), "hsn_b2c": _list(HSN_ROW)}),
        "doc_issue": _object({"doc_det": _list(DOCS)}),
    },
    {"version": {"type": "string"}, "hash": {"type": "string"}},
)
