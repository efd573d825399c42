"""QR codes of links (tags, tickets, public pages): error correction M, as a PNG or as a module matrix."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_code(url: str, border: int = 4) -> qrcode.QRCode:
    """The QR code of ``url`` with a quiet zone of ``border`` modules (4 is the standard)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=border)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_png(url: str, box_size: int = 10) -> bytes:
    """A PNG QR code of ``url`` (error correction M, the standard 4-module quiet zone)."""
    code = qr_code(url)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()
