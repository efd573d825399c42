"""JewelERP platform: registry, core records, auth, UI shell, scheduler and CLI."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ASSETS = PROJECT_ROOT / "assets"  # static files: logo, favicon, the fonts the PDFs embed (served at / too)
