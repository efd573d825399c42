"""Workshop board: columns by the store's stages, capped columns, the overdue and held queues,
kinds and stores kept apart, permissions, and the change marker live boards poll."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import JewelError, PermissionDenied
from modules.repairs.board import load_board, move_card
from modules.repairs.models import Karigar
from tests.modules.repairs.jobrows import job_row


def _board(actor, kind: str = "repair", **options):
    with read_session() as session:
        return load_board(session, actor, kind, **options)


def _column(board, stage: str):
    return next(c for c in board.columns if c.stage == stage)


def _setting(actor, key: str, value: str) -> None:
    with unit_of_work(actor) as session:
        set_setting(session, actor, actor.store_id, key, value)


def test_columns_follow_the_stores_stages_and_cards_carry_what_the_counter_needs(world):
    manager = world.actor("manager")
    with unit_of_work() as session:
        karigar = Karigar(store_id=world.mum, name="Ramesh Soni")
        session.add(karigar)
        session.flush()
        karigar_id = karigar.id
    later = date.today() + timedelta(days=20)
    job_id = job_row(
        world.mum,
        "repair",
        "in workshop",
        customer_name="Priya Shah",
        item_description="Gold bangle, clasp broken",
        promised_on=later,
        karigar_id=karigar_id,
    )
    job_row(world.mum, "repair", "ready", customer_name="Anil Mehta")
    job_row(world.mum, "repair", "delivered", customer_name="Gone Home")
    board = _board(manager)
    assert [c.stage for c in board.columns] == [
        "received",
        "estimated",
        "approved",
        "in workshop",
        "quality check",
        "ready",
    ]
    (card,) = _column(board, "in workshop").cards
    assert (card.id, card.customer, card.item, card.karigar) == (
        job_id,
        "Priya Shah",
        "Gold bangle, clasp broken",
        "Ramesh Soni",
    )
    assert card.promised == later.strftime("%d %b %Y")
    assert (card.next_stage, card.next_title) == ("quality check", "Quality check")
    assert not card.overdue and not card.held
    ready = _column(board, "ready").cards[0]
    assert ready.next_stage == "" and ready.customer == "Anil Mehta"  # delivery has its own form
    assert sum(c.total for c in board.columns) == 2  # the delivered job is off the board


def test_a_busy_column_shows_its_most_urgent_cards_and_counts_the_rest(world):
    today = date.today()
    for days in (9, 3, 5):
        job_row(world.mum, "repair", "received", promised_on=today + timedelta(days=days))
    no_date = job_row(world.mum, "repair", "received")
    column = _column(_board(world.actor("sales"), per_column=2), "received")
    assert column.total == 4 and column.link == "/repairs/jobs?kind=repair&stage=received"  # the rest are listed there
    assert [c.promised for c in column.cards] == [
        (today + timedelta(days=3)).strftime("%d %b %Y"),
        (today + timedelta(days=5)).strftime("%d %b %Y"),
    ]
    assert no_date not in [c.id for c in _column(_board(world.actor("sales"), per_column=3), "received").cards]


def test_overdue_queue_holds_open_jobs_past_their_promised_date(world):
    manager = world.actor("manager")
    yesterday = manager.local(utcnow()).date() - timedelta(days=1)
    late = job_row(world.mum, "repair", "quality check", promised_on=yesterday - timedelta(days=3))
    later = job_row(world.mum, "repair", "received", promised_on=yesterday)
    job_row(world.mum, "repair", "delivered", promised_on=yesterday)
    job_row(world.mum, "repair", "approved", promised_on=yesterday + timedelta(days=1))  # due today: not late yet
    board = _board(manager)
    assert [c.id for c in board.overdue] == [late, later] and board.overdue_total == 2
    assert board.overdue_link == "/repairs/jobs?kind=repair&due=overdue"
    assert _column(board, "quality check").cards[0].overdue


def test_held_queue_uses_the_stores_held_days(world):
    manager = world.actor("manager")
    stuck = job_row(world.mum, "repair", "in workshop", stage_since=utcnow() - timedelta(days=8, hours=1))
    job_row(world.mum, "repair", "in workshop", stage_since=utcnow() - timedelta(days=2))
    board = _board(manager)
    assert [c.id for c in board.held] == [stuck] and board.held_days == 7
    assert board.held[0].days_in_stage == 8 and board.held[0].held
    _setting(manager, "repairs.held_days", "10")
    board = _board(manager)
    assert board.held == [] and board.held_total == 0 and board.held_days == 10


def test_kinds_and_stores_keep_to_their_own_board(world):
    repair = job_row(world.mum, "repair", "received")
    custom = job_row(world.mum, "custom", "design")
    job_row(world.dl, "repair", "received")
    manager = world.actor("manager")
    repairs = _board(manager)
    assert [card.id for column in repairs.columns for card in column.cards] == [repair]
    customs = _board(manager, "custom")
    assert customs.columns[0].stage == "enquiry"
    assert [card.id for column in customs.columns for card in column.cards] == [custom]
    delhi = _board(world.actor("manager", world.dl))
    assert sum(c.total for c in delhi.columns) == 1
    with pytest.raises(JewelError):
        _board(manager, "everything")


def test_a_job_in_a_stage_the_store_removed_stays_on_the_board(world):
    manager = world.actor("manager")
    job_id = job_row(world.mum, "repair", "estimated")
    _setting(manager, "repairs.repair_stages", "received, approved, in workshop, ready")
    board = _board(manager)
    assert [c.stage for c in board.columns] == ["received", "approved", "in workshop", "ready", "estimated"]
    (card,) = _column(board, "estimated").cards
    assert card.id == job_id and card.next_stage == ""


def test_the_board_needs_the_view_permission(world):
    sales = world.actor("sales")
    nobody = dataclasses.replace(sales, permissions=frozenset())
    with pytest.raises(PermissionDenied):
        _board(nobody)


def test_a_move_is_announced_on_the_stores_board_channel_once_it_commits(world, monkeypatch):
    from jewelerp import live

    pushed: list[str] = []
    monkeypatch.setattr(live, "push_soon", pushed.append)
    sales = world.actor("sales")
    job_id = job_row(world.mum, "repair", "received")
    with unit_of_work(sales) as session:
        number = move_card(session, sales, job_id, "received", "estimated")
        assert pushed == []  # not before the commit
    announced = [f"repairs.board:{world.mum}", f"repairs.job:{job_id}"]  # the board and pages showing the job
    assert number.startswith("RP-") and pushed == announced  # Delhi's board hears nothing
    assert [c.id for c in _column(_board(sales), "estimated").cards] == [job_id]
    with pytest.raises(JewelError), unit_of_work(sales) as session:  # seen in a column it has left: refused
        move_card(session, sales, job_id, "received", "estimated")
    assert pushed == announced  # a refused move announces nothing


def test_a_card_moved_meanwhile_by_someone_else_is_not_moved_again(world):
    sales, manager = world.actor("sales"), world.actor("manager")
    job_id = job_row(world.mum, "repair", "received")
    with unit_of_work(manager) as session:
        move_card(session, manager, job_id, "received", "estimated")
    with unit_of_work(sales) as session, pytest.raises(JewelError, match="was just moved to “Estimated” by Manager"):
        move_card(session, sales, job_id, "received", "estimated")  # the salesperson's board still showed it
    board = _board(sales)
    assert [c.id for c in _column(board, "estimated").cards] == [job_id] and _column(board, "received").total == 0
