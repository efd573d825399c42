"""Reflex entry point: the app assembled from the module registry."""

from jewelerp.ui.app import build_app

app = build_app()
