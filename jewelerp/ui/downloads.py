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


def download_pdf(content: bytes, name: str) -> rx.event.EventSpec:
    """Hand a PDF to the browser as a download named ``name``.

    It travels as a data URL and is saved through a link with ``download``: sending the
    browser to ``/api/export/<token>`` instead counts as leaving the page, so the socket
    reconnects, the page's on_load runs again and the list's search and filters are lost.
    A page of tags (at most 25 labels) or a ticket is small enough for this.
    """
    return rx.download(data=content, filename=name, mime_type="application/pdf")
