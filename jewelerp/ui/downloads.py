"""Handing a prepared file to the browser without leaving the page."""

from __future__ import annotations

import json

import reflex as rx

from jewelerp.ui.api import export_url


def download_export(token: str) -> rx.event.EventSpec:
    """Start the download of an export in a hidden frame, so the page (and its filters) stays as it is.

    Navigating the page itself to the backend would drop the websocket and reload the page.
    """
    url = json.dumps(export_url(token))
    return rx.call_script(
        "(() => { const f = document.createElement('iframe'); f.style.display = 'none'; "
        f"f.src = {url}; document.body.appendChild(f); setTimeout(() => f.remove(), 60000); }})()"
    )
