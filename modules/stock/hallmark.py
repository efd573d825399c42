"""BIS hallmarking: which pieces must carry a HUID, and how a HUID is checked.

One rule, applied when a piece is received (:func:`modules.stock.pieces.receive_piece`) and when it
is sold (the ledger's ``sale`` movement, which billing's invoices go through):

- Source: the Hallmarking of Gold Jewellery and Gold Artefacts Order, 2020 (Ministry of Consumer
  Affairs, Food and Public Distribution, 15 January 2020, under the Bureau of Indian Standards Act,
  2016), as amended: the Second Amendment Order of 23 June 2021 added 20, 23 and 24 carat to the
  14, 18 and 22 carat grades of IS 1417:2016 and brought in the six-character alphanumeric HUID;
  the 2023 amendment allows no sale of hallmarked gold jewellery or artefacts without a HUID from
  1 April 2023.
- Gold of 14K (585), 18K (750), 20K (833), 22K (916), 23K (958) or 24K (995 in IS 1417, and the
  999 stock keeps as 24K) needs its HUID while the store setting ``stock.huid_mandatory`` is on (the
  default: the stores are in India). A store outside India, or a jeweller exempt by turnover (up to
  ₹40 lakh a year, 2021 amendment), turns it off.
- Exempt under clause 2(3) of the Order: (b) an article weighing less than two grams (its gross
  weight), and (g) gold bullion "in any shape of bar, plate, sheet, foil, rod, wire, strip, tube or
  coin": the pieces of a category whose HSN is 7118 (coin) or 7108 (gold, unwrought: bars). Bullion
  coins have a separate, voluntary BIS scheme for refineries and mints. A HUID may still be recorded
  on an exempt piece.
- Kundan, polki and jadau jewellery, exempt since 2021, is not told apart here: a stone line of
  polki or kundan does not make the article one, so such pieces need a HUID (the stricter reading).
- Silver, platinum and palladium never need one (their hallmarking is voluntary).
"""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.core.settings import get_setting
from jewelerp.errors import JewelError
from modules.stock.masters import metal_label
from modules.stock.models import Category, Metal, Piece

HUID_SETTING = "stock.huid_mandatory"
HUID_RE = re.compile(r"^[A-Z0-9]{6}$")
HALLMARK_FINENESS = frozenset({585, 750, 833, 916, 958, 995, 999})  # 14K, 18K, 20K, 22K, 23K, 24K
EXEMPT_BELOW = Decimal("2.000")  # grams: clause 2(3)(b)
BULLION_HSN = ("7108", "7118")  # clause 2(3)(g): HSN headings of gold bars and of coins


def hallmark_grade(metal: Metal) -> bool:
    """Whether the metal is gold of a grade the Order covers (14K, 18K, 20K, 22K, 23K or 24K)."""
    return metal.metal == "gold" and metal.fineness in HALLMARK_FINENESS


def huid_required(session: Session, store_id: int, metal: Metal, category: Category, gross_weight: Decimal) -> bool:
    """Whether a piece of this metal, category and gross weight must carry a HUID in the store."""
    if not get_setting(session, store_id, HUID_SETTING):
        return False
    return hallmark_grade(metal) and not category.hsn.startswith(BULLION_HSN) and gross_weight >= EXEMPT_BELOW


def huid_missing(metal: Metal) -> str:
    """The field message for a piece received without the HUID it needs."""
    return f"{metal_label(metal)} jewellery of 2 g or more is taken in only with its BIS HUID, e.g. AB12CD."


def clean_huid(session: Session, raw: str, errors: dict[str, str], *, piece_id: int | None = None) -> str | None:
    """The HUID as typed, upper-cased: 6 letters or digits, on no other piece than ``piece_id``.

    Empty gives None; a bad or taken HUID gives None with a message under ``huid``.
    """
    huid = raw.strip().upper()
    if not huid:
        return None
    if not HUID_RE.match(huid):
        errors["huid"] = "HUID is 6 letters or digits, e.g. AB12CD."
        return None
    holder = session.scalars(select(Piece.id).where(Piece.huid == huid)).first()
    if holder is not None and holder != piece_id:
        errors["huid"] = f"HUID {huid} is already on another piece."
        return None
    return huid


def check_sale(session: Session, piece: Piece) -> None:
    """Refuse to sell a piece that needs a HUID and has none (2023 amendment: no sale without it)."""
    if piece.huid:
        return
    metal = session.get(Metal, piece.metal_id)
    category = session.get(Category, piece.category_id)
    if metal and category and huid_required(session, piece.store_id, metal, category, piece.gross_weight):
        raise JewelError(
            f"{piece.sku} has no HUID: {metal_label(metal)} jewellery is sold only with its BIS HUID "
            "(Hallmarking Order 2020). Record the HUID on the piece's page, then try again."
        )
