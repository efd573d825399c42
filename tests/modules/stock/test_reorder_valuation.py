"""Reorder rules and alerts, stock valuation at today's rates (and billing's hook), demo data."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from jewelerp import scheduler
from jewelerp.auth.service import system_actor
from jewelerp.core.module_states import disable_module
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import NotFound, PermissionDenied, ValidationError
from jewelerp.registry import Module, Registry, discover, set_registry
from jewelerp.ui.table_query import forget_export, take_export
from jewelerp.xlsx_export import INR_FORMAT
from modules.stock import demo
from modules.stock.ledger import move
from modules.stock.masters import DesignInput, ensure_default_masters, save_design
from modules.stock.models import (
    Category,
    Certificate,
    Image,
    Metal,
    MetalRate,
    Movement,
    Party,
    Piece,
    ReorderAlert,
    ReorderRule,
)
from modules.stock.pieces import PieceInput, receive_piece
from modules.stock.reorder import RuleInput, alert_rows, low_stock_rows, on_hand, raise_alerts, remove_rule, set_rule
from modules.stock.valuation import export_valuation, set_rate, valuation, valuation_rows
from tests.conftest import make_world
from tests.modules.stock.huids import new_huid

HOOK_RATE = Decimal("12500.00")


def fake_rate(session, actor, metal_id, on):
    """A billing-like module's rate: only for gold 22K."""
    metal = session.get(Metal, metal_id)
    return HOOK_RATE if (metal.metal, metal.fineness) == ("gold", 916) else None


FAKE_BILLING = Module(
    name="fakebilling",
    title="Fake billing",
    version="0.0.1",
    summary="Contributes today's metal rate to stock.",
    contributions={"stock.metal_rate": ("tests.modules.stock.test_reorder_valuation:fake_rate",)},
)


def _masters() -> tuple[dict[str, int], dict[tuple[str, int], int]]:
    with unit_of_work() as session:
        ensure_default_masters(session)
        categories = {c.code: c.id for c in session.scalars(select(Category))}
        metals = {(m.metal, m.fineness): m.id for m in session.scalars(select(Metal))}
    return categories, metals


def _receive(actor, category_id: int, metal_id: int, gross: str, stones: str = "0", **extra) -> int:
    consignment = extra.pop("consignment", False)
    extra.setdefault("huid", new_huid())
    with unit_of_work(actor) as session:
        data = PieceInput(str(category_id), str(metal_id), gross, stone_weight=stones, **extra)
        return receive_piece(session, actor, data, consignment=consignment).id


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _read(actor, fn, *args):
    with read_session() as session:
        return fn(session, actor, *args)


# ---------------------------------------------------------------------------- reorder rules


def test_rules_are_validated_per_field_and_need_the_masters_permission(world):
    categories, _metals = _masters()
    manager = world.actor("manager")
    with pytest.raises(ValidationError) as err:
        _do(manager, set_rule, RuleInput(category_id="", min_qty="0", design_id="999"))
    assert set(err.value.fields) == {"category_id", "min_qty", "design_id"}
    for bad in ("-1", "2.5", "many", ""):
        with pytest.raises(ValidationError) as err:
            _do(manager, set_rule, RuleInput(str(categories["RING"]), bad))
        assert set(err.value.fields) == {"min_qty"}
    with pytest.raises(PermissionDenied):
        _do(world.actor("sales"), set_rule, RuleInput(str(categories["RING"]), "5"))
    rule = _do(manager, set_rule, RuleInput(str(categories["RING"]), " 5 "))
    again = _do(manager, set_rule, RuleInput(str(categories["RING"]), "8"))  # same category: the minimum changes
    assert (again.id, again.min_qty, again.store_id) == (rule.id, 8, world.mum)
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(ReorderRule)) == 1
    with pytest.raises(NotFound):  # Delhi cannot remove Mumbai's rule
        _do(world.actor("manager", world.dl), remove_rule, rule.id)
    _do(manager, remove_rule, rule.id)
    assert _read(manager, low_stock_rows) == []


def test_the_job_opens_an_alert_once_and_resolves_it_when_stock_is_back(world):
    categories, metals = _masters()
    manager, gold = world.actor("manager"), metals[("gold", 916)]
    ring = categories["RING"]
    design = _do(manager, save_design, DesignInput("SOL-1", "Solitaire"))
    first = _receive(manager, ring, gold, "4.000", design_id=str(design.id))
    _receive(world.actor("manager", world.dl), ring, gold, "4.000")  # another branch's ring does not count
    reserved = _receive(manager, ring, gold, "5.000")
    _do(manager, move, reserved, "reserve")  # reserved is not on hand
    category_rule = _do(manager, set_rule, RuleInput(str(ring), "2"))
    design_rule = _do(manager, set_rule, RuleInput(str(ring), "1", str(design.id)))
    with read_session() as session:
        assert on_hand(session, world.mum, ring) == 1
        assert on_hand(session, world.mum, ring, design.id) == 1

    counts = _do(manager, raise_alerts)
    assert (counts.rules, counts.short, counts.opened, counts.resolved) == (2, 1, 1, 0)
    assert _do(manager, raise_alerts).opened == 0  # still short, but already alerted
    rows = _read(manager, low_stock_rows)
    assert [(r["category"], r["design"], r["on_hand"], r["shortfall"]) for r in rows] == [
        ("Ring", "Any design", "1", "1"),
        ("Ring", "SOL-1 · Solitaire", "1", ""),
    ]
    assert rows[0]["alert"].startswith("Open since")
    assert [a["on_hand"] for a in _read(manager, alert_rows)] == ["1"]
    assert _read(world.actor("manager", world.dl), alert_rows) == []  # alerts are per branch

    _receive(manager, ring, gold, "3.500")
    counts = _do(manager, raise_alerts)
    assert (counts.short, counts.opened, counts.resolved) == (0, 0, 1)
    assert _do(manager, raise_alerts).resolved == 0
    assert _read(manager, alert_rows) == []

    _do(manager, move, first, "sale", reference="INV-1")  # both rules fall short again
    counts = _do(manager, raise_alerts)
    assert (counts.short, counts.opened, counts.resolved) == (2, 2, 0)
    with read_session() as session:
        alerts = session.scalars(select(ReorderAlert).order_by(ReorderAlert.id)).all()
    assert [(a.rule_id, a.on_hand, a.resolved_at is None) for a in alerts] == [
        (category_rule.id, 2, False),  # the first alert, resolved with 2 on hand
        (category_rule.id, 1, True),
        (design_rule.id, 0, True),
    ]
    _do(manager, remove_rule, design_rule.id)  # its alerts go with it
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(ReorderAlert)) == 2


def test_the_scheduled_job_raises_alerts_in_each_branch(world):
    categories, _metals = _masters()
    for store in (world.mum, world.dl):
        _do(world.actor("manager", store), set_rule, RuleInput(str(categories["COIN"]), "3"))
    run = scheduler.run_job("stock.reorder_alerts", trigger="manual")
    assert run is not None and run.status == "ok", run.error if run else None
    with read_session() as session:
        raised = session.scalars(select(ReorderAlert.store_id).order_by(ReorderAlert.store_id)).all()
    assert raised == sorted([world.mum, world.dl])


# ---------------------------------------------------------------------------- valuation


def _line(result, branch: str, metal: str):
    return next(line for line in result.lines if line.branch == branch and line.metal == metal)


def test_valuation_is_net_weight_times_todays_rate_exact_to_the_paisa(world, tmp_path):
    categories, metals = _masters()
    manager, ring, chain = world.actor("manager"), categories["RING"], categories["CHAIN"]
    gold, silver = metals[("gold", 916)], metals[("silver", 925)]
    _receive(manager, ring, gold, "1.201", "0.200")  # net 1.001
    _receive(manager, chain, gold, "2.002")
    _receive(manager, ring, silver, "2.500")
    _do(manager, move, _receive(manager, ring, gold, "9.000"), "sale", reference="INV-9")  # sold: not valued
    with unit_of_work() as session:
        party = Party(kind="consignor", name="Vendor")
        session.add(party)
        session.flush()
        party_id = str(party.id)
    _receive(manager, ring, gold, "7.000", party_id=party_id, consignment=True)  # the vendor's: not valued
    memo = _receive(manager, chain, gold, "10.000")
    _do(manager, move, memo, "memo_out", party_id=int(party_id))  # on memo: still ours
    today = manager.today()
    _do(manager, set_rate, gold, "7200.05")
    _do(manager, set_rate, gold, "9999", today + timedelta(days=1))  # tomorrow's rate is not today's
    _do(manager, set_rate, silver, "150.01", today - timedelta(days=3))  # the latest on or before today counts
    _receive(world.actor("manager", world.dl), ring, gold, "3.000")
    _do(world.actor("manager", world.dl), set_rate, gold, "7100")

    result = _read(manager, valuation)
    assert [b.branch for b in result.branches] == ["MUM", "DEL"]  # own branch first
    gold_line = _line(result, "MUM", "Gold 22K (916)")
    assert (gold_line.pieces, gold_line.net_weight, gold_line.rate) == (3, Decimal("13.003"), Decimal("7200.05"))
    assert gold_line.value == Decimal("93622.25")  # 13.003 × 7,200.05 = 93,622.250150
    silver_line = _line(result, "MUM", "Silver 925")
    assert silver_line.value == Decimal("375.03")  # 2.5 × 150.01 = 375.025, half a paisa rounds up
    assert silver_line.source.startswith("Stock, entered")
    assert _line(result, "DEL", "Gold 22K (916)").value == Decimal("21300.00")  # Delhi at Delhi's rate
    assert result.branches[0].value == Decimal("93997.28")
    assert result.total == Decimal("115297.28")
    assert result.missing == []
    rows = valuation_rows(result)
    assert rows[0]["value"] == "₹93,622.25" and rows[0]["rate"] == "₹7,200.05/g"
    assert (rows[-1]["branch"], rows[-1]["pieces"], rows[-1]["value"]) == ("All branches", "5", "₹1,15,297.28")

    token = _read(manager, export_valuation)
    path = take_export(token)
    sheet = load_workbook(path).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    forget_export(path)
    assert (sheet["G3"].number_format, sheet["D3"].number_format) == (INR_FORMAT, "0.000")  # rupees, grams
    assert values[1][0] == "Branch"
    assert values[2][:3] == ["MUM", "Gold 22K (916)", 3] and Decimal(str(values[2][6])) == Decimal("93622.25")


def test_a_metal_without_a_rate_today_is_reported_not_valued_at_zero(world):
    categories, metals = _masters()
    manager = world.actor("manager")
    _receive(manager, categories["RING"], metals[("platinum", 950)], "6.000")
    _receive(manager, categories["RING"], metals[("gold", 750)], "4.000")
    _do(manager, set_rate, metals[("gold", 750)], "9825")
    result = _read(manager, valuation)
    platinum = _line(result, "MUM", "Platinum 950")
    assert (platinum.pieces, platinum.net_weight, platinum.rate, platinum.value) == (1, Decimal("6.000"), None, None)
    assert result.missing == ["No rate for Platinum 950 today at MUM"]
    assert result.total == Decimal("39300.00")  # the gold only, flagged as incomplete
    rows = {(r["branch"], r["metal"]): r for r in valuation_rows(result)}
    assert rows[("MUM", "Platinum 950")]["value"] == "No rate for Platinum 950 today"
    assert rows[("MUM", "All metals")]["value"] == "₹39,300.00 (some metals have no rate)"


def test_rates_are_validated_and_need_the_masters_permission(world):
    _categories, metals = _masters()
    manager, gold = world.actor("manager"), metals[("gold", 916)]
    for bad in ("0", "-5", "12.345", "twelve", ""):
        with pytest.raises(ValidationError) as err:
            _do(manager, set_rate, gold, bad)
        assert set(err.value.fields) == {"rate"}
    with pytest.raises(ValidationError) as err:
        _do(manager, set_rate, "999", "7200")
    assert set(err.value.fields) == {"metal_id"}
    with pytest.raises(PermissionDenied):
        _do(world.actor("sales"), set_rate, gold, "7200")
    _do(manager, set_rate, gold, "₹7,200.5")
    _do(manager, set_rate, str(gold), "7210")  # the same day again corrects it
    with read_session() as session:
        assert [r.rate for r in session.scalars(select(MetalRate))] == [Decimal("7210.00")]


def test_a_module_contributing_the_metal_rate_overrides_stocks_rate_where_enabled(db, registry):
    reg = Registry([*discover().modules, FAKE_BILLING])
    set_registry(reg)
    world = make_world(reg)
    categories, metals = _masters()
    manager, gold, silver = world.actor("manager"), metals[("gold", 916)], metals[("silver", 925)]
    _receive(manager, categories["RING"], gold, "2.000")
    _receive(manager, categories["RING"], silver, "10.000")
    _do(manager, set_rate, gold, "7200")
    _do(manager, set_rate, silver, "90")
    result = _read(manager, valuation)
    gold_line = _line(result, "MUM", "Gold 22K (916)")
    assert (gold_line.rate, gold_line.source, gold_line.value) == (HOOK_RATE, "Fake billing", Decimal("25000.00"))
    silver_line = _line(result, "MUM", "Silver 925")  # the hook has no silver rate: stock's own is used
    assert (silver_line.rate, silver_line.source, silver_line.value) == (Decimal("90.00"), "Stock", Decimal("900.00"))

    with unit_of_work() as session:
        disable_module(session, None, "fakebilling", world.mum, reg)
    gold_line = _line(_read(world.actor("manager"), valuation), "MUM", "Gold 22K (916)")
    assert (gold_line.rate, gold_line.source, gold_line.value) == (Decimal("7200.00"), "Stock", Decimal("14400.00"))


# ---------------------------------------------------------------------------- demo data


def test_demo_load_is_idempotent_and_goes_through_the_services(world, install_data, tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "PER_STORE", 40)

    def load(store_id: int) -> None:
        with unit_of_work() as session:
            actor = system_actor(session, store_id)
            session.info["actor"] = actor
            demo.load(session, actor, upload_dir=tmp_path)

    def counts() -> dict[str, int]:
        with read_session() as session:
            return {
                model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (Piece, Movement, Image, Certificate, ReorderRule, MetalRate)
            }

    load(world.mum)
    after_first = counts()
    with read_session() as session:
        solitaires = session.scalar(select(func.count()).select_from(Certificate).where(Certificate.lab == "GIA"))
    assert after_first["stock_piece"] == 40 and 10 <= after_first["stock_image"] < 40  # every fourth, and solitaires
    assert after_first["stock_image"] >= max(10, solitaires)
    with read_session() as session:
        receipts = session.scalar(select(func.count()).where(Movement.kind.in_(("receipt", "consignment_in"))))
        huids = session.scalars(select(Piece.huid).where(Piece.huid.is_not(None))).all()
    assert receipts == 40  # every piece came through receive_piece
    assert huids and all(len(h) == 6 and h.isalnum() for h in huids)
    load(world.mum)
    assert counts() == after_first
    load(world.dl)  # Delhi gets its own stock even when transfers from Mumbai arrived first
    after_delhi = counts()
    assert after_delhi["stock_piece"] == 80
    load(world.dl)
    load(world.mum)
    assert counts() == after_delhi
    assert all((tmp_path / row["path"]).is_file() for row in _image_paths())
    result = _read(world.actor("manager"), valuation)
    assert result.missing == [] and result.total > 0


def _image_paths() -> list[dict[str, str]]:
    with read_session() as session:
        return [{"path": i.path} for i in session.scalars(select(Image))]


def test_demo_dates_are_in_the_past(world, install_data, tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "PER_STORE", 10)
    with unit_of_work() as session:
        actor = system_actor(session, world.mum)
        session.info["actor"] = actor
        demo.load(session, actor, upload_dir=tmp_path)
        today = actor.today()
    with read_session() as session:
        assert all(r.on <= today for r in session.scalars(select(MetalRate)))
        assert max(session.scalars(select(MetalRate.on))) == today
