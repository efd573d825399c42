"""Stone values: typed per stone line when a piece is received, kept exactly, shown on the piece
page, and summed up for billing by :func:`modules.stock.pieces.stones_of` (at the actor's branch only)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, ValidationError
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal, Piece, Stone
from modules.stock.pieces import PieceInput, StoneInput, StoneSummary, receive_piece, stones_of
from modules.stock.receive_page import piece_input
from modules.stock.tables import stone_rows
from tests.modules.stock.huids import new_huid


@pytest.fixture
def ring_input(world) -> PieceInput:
    """A 4.2 g 18K ring with no stones yet."""
    with unit_of_work() as session:
        ensure_default_masters(session)
        ring = session.scalars(select(Category.id).where(Category.code == "RING")).one()
        gold = session.scalars(select(Metal.id).where(Metal.metal == "gold", Metal.fineness == 750)).one()
    return PieceInput(str(ring), str(gold), "4.200", stone_weight="0.172", huid=new_huid())


def _receive(actor, data: PieceInput) -> Piece:
    with unit_of_work(actor) as session:
        return receive_piece(session, actor, data)


def _count(model) -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_stone_values_are_saved_shown_and_summed(world, ring_input):
    manager = world.actor("manager")
    ring_input.stones = [
        StoneInput("diamond", "12", "0.360", "F", "VS1", value="₹54,000"),
        StoneInput("ruby", "1", "0.500", value="6500.50"),
        StoneInput("pearl", "2", "1.000"),  # no value typed: ₹0
    ]
    ring = _receive(manager, ring_input)
    with read_session() as session:
        values = list(session.scalars(select(Stone.value).where(Stone.piece_id == ring.id).order_by(Stone.id)))
        rows = stone_rows(session, manager, ring.id)
        summary = stones_of(session, manager, ring.id)
    assert values == [Decimal("54000.00"), Decimal("6500.50"), Decimal("0.00")]
    assert [(r["quality"], r["value"]) for r in rows] == [("F · VS1", "₹54,000"), ("", "₹6,500.50"), ("", "₹0")]
    assert summary == StoneSummary(value=Decimal("60500.50"), has_diamond=True, count=15, carats=Decimal("1.860"))


@pytest.mark.parametrize("typed", ["-100", "1200.505", "lots", "NaN"])
def test_a_bad_stone_value_is_refused_and_nothing_is_saved(world, ring_input, typed):
    ring_input.stones = [StoneInput("diamond", "1", "0.300"), StoneInput("diamond", "12", "0.360", value=typed)]
    with pytest.raises(ValidationError) as err:
        _receive(world.actor("manager"), ring_input)
    assert err.value.fields == {"stone_2": "Stone 2: value is rupees, 0 or more with at most 2 decimals, e.g. 45000."}
    assert (_count(Piece), _count(Stone)) == (0, 0)


def test_stones_of_a_piece_without_stones_is_all_zero(world, ring_input):
    manager = world.actor("manager")
    ring = _receive(manager, ring_input)
    with read_session() as session:
        summary = stones_of(session, manager, ring.id)
    assert summary == StoneSummary(value=Decimal("0.00"), has_diamond=False, count=0, carats=Decimal("0.000"))


def test_stones_of_a_piece_at_another_branch_is_refused(world, ring_input):
    ring_input.stones = [StoneInput("diamond", "1", "0.300", value="45000")]
    ring = _receive(world.actor("manager"), ring_input)
    with read_session() as session, pytest.raises(JewelError, match=f"{ring.sku} is not at this branch"):
        stones_of(session, world.actor("manager", world.dl), ring.id)


def test_the_receive_form_keeps_a_stone_line_with_only_a_value_so_it_is_checked():
    form = {"stone_1_value": "45000", "stone_2_kind": "ruby", "stone_2_carat": "0.5", "stone_2_value": ""}
    stones = piece_input(form).stones
    assert [(s.kind, s.value) for s in stones] == [("", "45000"), ("ruby", "")]
