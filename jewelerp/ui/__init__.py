"""Reflex UI of the platform: app state, shell, data table and form helpers."""
