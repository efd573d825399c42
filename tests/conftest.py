"""This repository's tests. The shared fixtures (``db``, ``install_data``, ``registry``, ``world``) come from the
``jewelerp.testing`` pytest plugin that installing jewelerp registers; add-ons use the same plugin."""

from jewelerp.testing import PASSWORD, World, make_world

__all__ = ["PASSWORD", "World", "make_world"]  # older tests import these from here
