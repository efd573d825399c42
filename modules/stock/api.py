"""What other modules (a pip-installed add-on among them) may use of stock: services, list specs and types.

Functions that take ``(session, actor)`` check the actor's permission like the page that does the same.
``Piece`` and ``Metal`` are exported as types for annotations only: read what a service returns, and
query or change stock records only through these services (the boundary test in
``tests/core/test_module_boundary.py`` refuses any other use).
"""

from modules.stock.certificates import piece_here
from modules.stock.ledger import move, return_piece, sell_piece
from modules.stock.masters import (
    METALS,
    category_hsn,
    get_metal,
    list_categories,
    list_metals,
    metal_label,
    piece_hsn,
    purities_of,
)
from modules.stock.models import Metal, Piece
from modules.stock.old_gold import Disposition, lot_dispositions, receive_lot, return_lot
from modules.stock.pieces import (
    PieceInput,
    StoneSummary,
    get_piece,
    piece_by_sku,
    piece_costs,
    receive_piece,
    stones_of,
)
from modules.stock.tables import PIECES
from modules.stock.tags import piece_url

__all__ = [
    "METALS",
    "PIECES",
    "Disposition",
    "Metal",
    "Piece",
    "PieceInput",
    "StoneSummary",
    "category_hsn",
    "get_metal",
    "get_piece",
    "list_categories",
    "list_metals",
    "lot_dispositions",
    "metal_label",
    "move",
    "piece_by_sku",
    "piece_costs",
    "piece_here",
    "piece_hsn",
    "piece_url",
    "purities_of",
    "receive_lot",
    "receive_piece",
    "return_lot",
    "return_piece",
    "sell_piece",
    "stones_of",
]
