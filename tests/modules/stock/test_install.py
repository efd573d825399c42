"""Stock's install data (metals at every purity, categories): a second run keeps a manager's changes."""

from __future__ import annotations

from sqlalchemy import func, select

from jewelerp.db import read_session, unit_of_work
from jewelerp.install_data import load_install_data
from modules.stock.masters import CategoryInput, MetalInput, metal_options, save_category, save_metal
from modules.stock.models import Category, Metal


def test_a_renamed_category_and_a_retired_purity_stay_as_the_manager_left_them(world, install_data):
    assert install_data[0] == "stock"
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ring = session.scalars(select(Category).where(Category.code == "RING")).one()
        save_category(session, manager, CategoryInput("RING", "Rings and bands"), ring.id)
        gold_14k = session.scalars(select(Metal).where(Metal.metal == "gold", Metal.fineness == 585)).one()
        save_metal(session, manager, MetalInput("gold", "14K", "585", hallmarked=True, active=False), gold_14k.id)
    with unit_of_work() as session:
        load_install_data(session)
    with read_session() as session:
        assert session.scalars(select(Category.name).where(Category.code == "RING")).all() == ["Rings and bands"]
        assert session.scalar(select(func.count()).select_from(Category)) == 7
        assert session.scalar(select(func.count()).select_from(Metal)) == 9
        labels = [label for _id, label in metal_options(session, manager)]
    assert "Gold 22K (916)" in labels and not any("585" in label for label in labels)  # still out of the lists
