"""The fonts every PDF embeds: DejaVu Sans, shipped in the card's ``assets/fonts`` (it has the rupee sign ₹).

The PDF standard fonts (Helvetica and friends) have no ₹ glyph, so documents that name money embed these.
DejaVu is free to redistribute (Bitstream Vera licence, ``assets/fonts/LICENSE-DejaVu.txt``).
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from jewelerp import ASSETS

FONT_DIR = ASSETS / "fonts"


@dataclass(frozen=True)
class Fonts:
    """The names of the regular and bold fonts as registered with reportlab."""

    regular: str = "JewelSans"
    bold: str = "JewelSans-Bold"


def document_fonts() -> Fonts:
    """DejaVu Sans and DejaVu Sans Bold, registered with reportlab on first use."""
    fonts = Fonts()
    if fonts.regular not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(fonts.regular, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(fonts.bold, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    return fonts
