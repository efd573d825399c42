"""Reflex configuration. The database URL comes from JEWELERP_DB_URL (see jewelerp/db.py)."""

import reflex as rx

from jewelerp.ui.web_security import AppOrigins

config = rx.Config(
    app_name="jewelerp",
    cors_allowed_origins=AppOrigins(),  # the app's own origins only (JEWELERP_ALLOWED_ORIGINS to name others)
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="amber", gray_color="sand", radius="medium", scaling="100%")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
