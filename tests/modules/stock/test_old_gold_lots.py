"""Old-gold lots: received from billing's vouchers, sent to a refiner or melted through their ledger, weights
reconciled to the milligram, over-draws and bad input refused with nothing changed, and no double spend."""

from __future__ import annotations

import threading
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from jewelerp.ui.table_query import TableQuery
from modules.stock.masters import PartyInput, save_party
from modules.stock.models import OldGoldLot, OldGoldMove
from modules.stock.old_gold import OLD_GOLD_LOTS, lot_moves, move_lot, receive_lot, reconciles, return_lot


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _lot(lot_id: int) -> OldGoldLot:
    with read_session() as session:
        return session.get(OldGoldLot, lot_id)


def _moves() -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(OldGoldMove))


@pytest.fixture
def lot(world) -> int:
    """A lot of 10.000 g net (10.480 g as brought) of gold tested at 916, received by the sales counter."""
    received = _do(
        world.actor("sales"),
        receive_lot,
        reference="MUM/G2627/00001",
        metal="gold",
        fineness=916,
        gross_weight=D("10.480"),
        net_weight=D("10.000"),
    )
    return received.id


@pytest.fixture
def refiner(world) -> int:
    return _do(world.actor("manager"), save_party, PartyInput("refiner", "Shree Refinery")).id


def test_a_lot_reconciles_to_the_milligram_through_its_ledger(world, lot, refiner):
    manager = world.actor("manager")
    _do(manager, move_lot, lot, "refiner", "4.250", party_id=refiner, reference="Challan 17")
    _do(manager, move_lot, lot, "melt", "2.125", reason="Melted into a bar for the karigar")
    _do(manager, move_lot, lot, "refiner", "0.001", party_id=refiner)
    after = _lot(lot)
    # 10.000 received = 4.251 sent + 2.125 melted + 3.624 on hand
    assert (after.received, after.sent, after.melted, after.returned, after.on_hand) == (
        D("10.000"),
        D("4.251"),
        D("2.125"),
        D("0.000"),
        D("3.624"),
    )
    assert reconciles(after)
    moves = _do(manager, lot_moves, lot)
    assert [(m.kind, m.weight) for m in moves] == [
        ("received", D("10.000")),
        ("refiner", D("4.250")),
        ("melt", D("2.125")),
        ("refiner", D("0.001")),
    ]
    taken_out = sum((m.weight for m in moves[1:]), D(0))
    assert moves[0].weight == taken_out + after.on_hand  # the ledger says the same as the lot
    assert moves[1].party_id == refiner and moves[1].reference == "Challan 17"


def test_over_draws_and_bad_moves_are_refused_and_change_nothing(world, lot, refiner):
    manager = world.actor("manager")
    supplier = _do(manager, save_party, PartyInput("supplier", "Gold House")).id
    refused = [
        (("refiner", "10.001"), {"party_id": refiner}, "weight"),
        (("refiner", "0"), {"party_id": refiner}, "weight"),
        (("refiner", "1.0005"), {"party_id": refiner}, "weight"),
        (("refiner", "NaN"), {"party_id": refiner}, "weight"),
        (("refiner", "1"), {}, "party_id"),
        (("refiner", "1"), {"party_id": supplier}, "party_id"),  # not a refiner
        (("melt", "1"), {"reason": "   "}, "reason"),
        (("melt", "1"), {"reason": "x" * 301}, "reason"),
    ]
    for (kind, weight), extra, field in refused:
        with pytest.raises(ValidationError) as err:
            _do(manager, move_lot, lot, kind, weight, **extra)
        assert field in err.value.fields
    with pytest.raises(JewelError, match="Unknown"):
        _do(manager, move_lot, lot, "sell", "1")
    with pytest.raises(PermissionDenied):
        _do(world.actor("sales"), move_lot, lot, "melt", "1", reason="Because")
    with pytest.raises(JewelError, match="does not exist"):
        _do(world.actor("manager", world.dl), move_lot, lot, "melt", "1", reason="Another branch")
    assert _lot(lot).on_hand == D("10.000") and _moves() == 1


def test_two_people_sending_the_same_metal_at_once_cannot_send_more_than_is_there(world, lot, refiner):
    actors = [world.actor("manager") for _ in range(4)]
    barrier = threading.Barrier(len(actors))
    done, refused = [], []

    def send(actor):
        barrier.wait()
        try:
            done.append(_do(actor, move_lot, lot, "refiner", "3.000", party_id=refiner))
        except (JewelError, ValidationError) as exc:
            refused.append(exc)

    threads = [threading.Thread(target=send, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = _lot(lot)
    assert (len(done), len(refused)) == (3, 1)  # 3 × 3 g of the 10 g; the fourth finds 1 g on hand
    assert after.on_hand == D("1.000") and after.sent == D("9.000") and reconciles(after)


def test_a_whole_lot_goes_back_only_while_none_of_it_has_left(world, lot, refiner):
    sales, manager = world.actor("sales"), world.actor("manager")
    _do(sales, return_lot, lot, "MUM/C2627/00001")
    back = _lot(lot)
    assert (back.returned, back.on_hand) == (D("10.000"), D("0.000")) and reconciles(back)
    with pytest.raises(ValidationError):
        _do(manager, move_lot, lot, "melt", "0.001", reason="Nothing left")

    other = _do(
        sales,
        receive_lot,
        reference="MUM/G2627/00002",
        metal="gold",
        fineness=750,
        gross_weight=D("2"),
        net_weight=D("2"),
    ).id
    _do(manager, move_lot, other, "melt", "0.500", reason="Bar")
    with pytest.raises(JewelError, match="cannot go back"):
        _do(sales, return_lot, other, "MUM/C2627/00002")
    assert _lot(other).on_hand == D("1.500")


def test_the_lot_list_shows_what_is_on_hand(world, lot, refiner):
    manager = world.actor("manager")
    _do(manager, move_lot, lot, "refiner", "4.000", party_id=refiner)
    with read_session() as session:
        rows, total = OLD_GOLD_LOTS.fetch(session, manager, TableQuery(filters={"status": "open"}))
        closed = OLD_GOLD_LOTS.fetch(session, manager, TableQuery(filters={"status": "closed"}))[1]
        elsewhere = OLD_GOLD_LOTS.fetch(session, world.actor("manager", world.dl), TableQuery())[1]
    assert total == 1 and closed == 0 and elsewhere == 0
    assert (rows[0]["reference"], rows[0]["metal"], rows[0]["sent"], rows[0]["on_hand"]) == (
        "MUM/G2627/00001",
        "Gold 916",
        "4.000 g",
        "6.000 g",
    )
