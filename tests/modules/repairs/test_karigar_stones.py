"""Karigar receipts weigh stones on both sides: metal issued and the finished piece are gross weight and
stone weight, only the metal counts as fine metal, so the loss is fine metal issued − (gross received −
stones received) × fineness and stones cannot hide it; a stone weight not under the gross is refused, and
more metal or different stones back than went out are flagged for the managers to check."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import ValidationError
from jewelerp.notifications import notifications_for
from modules.repairs.karigars import (
    IssueInput,
    ReceiptInput,
    balance,
    issue_metal,
    job_entries,
    job_work,
    receive_work,
)
from modules.repairs.models import KarigarEntry
from tests.modules.repairs.test_karigars import _approved_custom, _karigar

G = Decimal


def _issue(actor, job_id, karigar_id, gross, stones=""):
    with unit_of_work(actor) as session:
        return issue_metal(session, actor, job_id, karigar_id, IssueInput(gross, "916", stone_weight=stones))


def _receive(actor, job_id, karigar_id, gross="", stones="", scrap=""):
    data = ReceiptInput(piece_weight=gross, scrap_weight=scrap, fineness="916", piece_stone_weight=stones)
    with unit_of_work(actor) as session:
        return receive_work(session, actor, job_id, karigar_id, data)


def _setting_job(world):
    """A manager, a karigar with a 2.50 % allowance and a custom order given 10.000 g of 22K gold and
    2.700 g of stones to set: 12.700 g gross out, 10.000 × 0.916 = 9.160 g fine."""
    manager = world.actor("manager")
    karigar_id = _karigar(manager, allowance="2.50")
    job_id = _approved_custom(world.mum)
    entry = _issue(manager, job_id, karigar_id, "12.700", "2.700")
    assert (entry.weight, entry.stone_weight, entry.fine_weight) == (G("10.000"), G("2.700"), G("9.160"))
    return manager, karigar_id, job_id


def test_the_loss_is_on_the_metal_only(world):
    manager, karigar_id, job_id = _setting_job(world)
    # Back: 12.500 g gross with the 2.700 g of stones set → 9.800 g metal × 0.916 = 8.9768 → 8.977 g fine.
    # Loss 9.160 − 8.977 = 0.183 g fine, 0.183 ÷ 9.160 = 1.998 % → 2.00 %: within the 2.50 % allowance.
    totals = _receive(manager, job_id, karigar_id, "12.500", "2.700")
    assert (totals.issued, totals.returned, totals.loss, totals.loss_pct) == (
        G("9.160"),
        G("8.977"),
        G("0.183"),
        G("2.00"),
    )
    assert (totals.stones_issued, totals.stones_returned, totals.warnings) == (G("2.700"), G("2.700"), ())
    with read_session() as session:
        rows = job_entries(session, manager, job_id)
        assert balance(session, manager, karigar_id) == G("0.183")  # the loss stays on the karigar's account
        assert notifications_for(session, manager) == []
    assert [(r["what"], r["weight"], r["stones"], r["fine_in"], r["fine_out"]) for r in rows] == [
        ("Metal issued", "12.700 g", "2.700 g", "9.160 g", ""),
        ("Piece received", "12.500 g", "2.700 g", "", "8.977 g"),
    ]


def test_stones_weighed_as_metal_cannot_hide_a_loss(world):
    manager, karigar_id, job_id = _setting_job(world)
    # The same 12.500 g piece with its stones left out: 12.500 × 0.916 = 11.450 g "fine", 2.290 g more than
    # the 9.160 g issued, and 2.700 g of stones unaccounted for. Recorded, and flagged for the managers.
    totals = _receive(manager, job_id, karigar_id, "12.500")
    assert (totals.returned, totals.loss, totals.over_allowance) == (G("11.450"), G("-2.290"), False)
    assert totals.warnings == (
        "2.290 g more fine metal came back than was issued: check the stone weight and the fineness.",
        "Stones: 2.700 g issued, 0.000 g in the piece (-2.700 g): check them.",
    )
    with read_session() as session:
        (notice,) = notifications_for(session, manager)
        (work,) = job_work(session, manager, job_id)
    assert notice.title.startswith("Karigar receipt to check: Ramesh Soni") and "2.290 g more" in notice.body
    assert work.warnings == totals.warnings  # the job page shows them from the ledger, not from a flag


def test_differences_within_the_weighing_tolerance_pass_quietly(world):
    manager, karigar_id, job_id = _setting_job(world)
    # 12.710 g gross with 2.690 g of stones: 10.020 g metal × 0.916 = 9.17832 → 9.178 g fine, 0.018 g more
    # than issued, and the stones 0.010 g lighter: both within the store's 0.020 g tolerance.
    totals = _receive(manager, job_id, karigar_id, "12.710", "2.690")
    assert (totals.loss, totals.warnings) == (G("-0.018"), ())
    with unit_of_work(manager) as session:
        set_setting(session, manager, manager.store_id, "repairs.weight_tolerance", "0.005")
    with read_session() as session:
        (work,) = job_work(session, manager, job_id)
    assert work.warnings == (
        "0.018 g more fine metal came back than was issued: check the stone weight and the fineness.",
        "Stones: 2.700 g issued, 2.690 g in the piece (-0.010 g): check them.",
    )


def _entries() -> int:
    with read_session() as session:
        return session.scalar(select(func.count(KarigarEntry.id)))


def test_a_stone_weight_not_under_the_gross_is_refused_and_nothing_is_written(world):
    manager = world.actor("manager")
    karigar_id = _karigar(manager)
    job_id = _approved_custom(world.mum)
    for gross, stones in (("2.000", "2.500"), ("2.000", "2.000")):
        with pytest.raises(ValidationError) as err:
            _issue(manager, job_id, karigar_id, gross, stones)
        assert set(err.value.fields) == {"issue_stone_weight"}
        assert err.value.fields["issue_stone_weight"].startswith("Stone weight must be less than the gross weight")
    assert _entries() == 0
    _issue(manager, job_id, karigar_id, "10.000")
    for fields, key, message in (
        ({"gross": "9.000", "stones": "9.500"}, "piece_stone_weight", "less than the gross weight"),
        ({"gross": "9.000", "stones": "1.2345"}, "piece_stone_weight", "3 decimals"),
        ({"stones": "1.000", "scrap": "0.200"}, "piece_weight", "gross weight of the piece"),
    ):
        with pytest.raises(ValidationError) as err:
            _receive(manager, job_id, karigar_id, **fields)
        assert key in err.value.fields and message in err.value.fields[key]
    assert _entries() == 1
    with read_session() as session:
        assert balance(session, manager, karigar_id) == G("9.160")
