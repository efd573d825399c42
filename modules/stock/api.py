"""What other modules (a pip-installed add-on among them) may use of stock: services and their input types.

Each function takes ``(session, actor)`` and checks the actor's permission like the page that does the same.
"""

from modules.stock.masters import list_categories, list_metals
from modules.stock.pieces import PieceInput, piece_by_sku, receive_piece

__all__ = ["PieceInput", "list_categories", "list_metals", "piece_by_sku", "receive_piece"]
