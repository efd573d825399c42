"""Stock services: masters, receiving (HUID, weights, SKUs), the ledger's rules and races,
and the piece list's search, filters and cost masking."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from jewelerp.ui.table_query import TableQuery
from modules.stock.ledger import move
from modules.stock.masters import (
    CategoryInput,
    DesignInput,
    MetalInput,
    PartyInput,
    category_options,
    ensure_default_masters,
    metal_options,
    save_category,
    save_design,
    save_metal,
    save_party,
)
from modules.stock.models import Category, Certificate, Metal, Movement, Piece
from modules.stock.pieces import PieceInput, StoneInput, receive_piece
from modules.stock.tables import PIECES, available_moves, movement_rows, piece_details
from tests.modules.stock.huids import new_huid


def run(actor, work):
    """Run ``work(session, actor)`` in its own committed unit of work."""
    with unit_of_work(actor) as session:
        return work(session, actor)


@pytest.fixture
def masters(world) -> dict[str, int]:
    """The default masters, and the ids of a few the tests use."""
    with unit_of_work() as session:
        ensure_default_masters(session)
        ids = {c.code: c.id for c in session.scalars(select(Category))}
        ids |= {f"{m.metal}{m.fineness}": m.id for m in session.scalars(select(Metal))}
    manager = world.actor("manager")
    ids["karigar"] = run(manager, lambda s, a: save_party(s, a, PartyInput("karigar", "Ramesh Soni"))).id
    ids["consignor"] = run(manager, lambda s, a: save_party(s, a, PartyInput("consignor", "Shah Diamonds"))).id
    ids["memo"] = run(manager, lambda s, a: save_party(s, a, PartyInput("memo", "Kapoor Showroom"))).id
    return ids


def receive(actor, masters, *, category="RING", metal="gold916", consignment=False, **fields):
    """Receive one piece as ``actor``; fields override a 5 g 22K ring."""
    values = {
        "category_id": str(masters[category]),
        "metal_id": str(masters[metal]),
        "gross_weight": "5.000",
        "huid": new_huid(),
    }
    data = PieceInput(**(values | fields))
    return run(actor, lambda s, a: receive_piece(s, a, data, consignment=consignment))


def moved(actor, piece_id, kind, **options):
    return run(actor, lambda s, a: move(s, a, piece_id, kind, **options))


def piece(piece_id) -> Piece:
    with read_session() as session:
        return session.get(Piece, piece_id)


def listed(actor, **query):
    with read_session() as session:
        return PIECES.fetch(session, actor, TableQuery(**query))


# ---------------------------------------------------------------------------- masters


def test_default_masters_are_seeded_once(db):
    with unit_of_work() as session:  # a database that already has some metals keeps them, once each
        session.add(Metal(metal="gold", purity="22K", fineness=916, hallmarked=True))
    for _ in range(2):
        with unit_of_work() as session:
            ensure_default_masters(session)
    with read_session() as session:
        metals = {(m.metal, m.purity, m.fineness) for m in session.scalars(select(Metal))}
        codes = set(session.scalars(select(Category.code)))
    assert len(metals) == 9 and ("gold", "22K", 916) in metals and ("platinum", "950", 950) in metals
    assert {("gold", "20K", 833), ("gold", "23K", 958)} <= metals  # every grade of the Hallmarking Order
    assert ("silver", "925", 925) in metals and ("gold", "14K", 585) in metals
    assert codes == {"RING", "CHAIN", "BANGLE", "NECKLACE", "EARRING", "PENDANT", "COIN"}


def test_masters_validate_each_field(masters, world):
    manager = world.actor("manager")
    with pytest.raises(ValidationError) as err:
        run(manager, lambda s, a: save_category(s, a, CategoryInput("ring", "")))
    assert set(err.value.fields) == {"code", "name"} and "already used" in err.value.fields["code"]
    with pytest.raises(ValidationError) as err:
        run(manager, lambda s, a: save_metal(s, a, MetalInput("copper", "22 carat", "1200")))
    assert set(err.value.fields) == {"metal", "purity", "fineness"}
    with pytest.raises(ValidationError) as err:
        run(manager, lambda s, a: save_metal(s, a, MetalInput("Gold", "22k", "916")))
    assert "already exists" in err.value.fields["fineness"]
    with pytest.raises(ValidationError) as err:
        run(manager, lambda s, a: save_party(s, a, PartyInput("friend", " ", phone="call me", gstin="27ABC")))
    assert set(err.value.fields) == {"kind", "name", "phone", "gstin"}
    with pytest.raises(ValidationError) as err:
        run(manager, lambda s, a: save_design(s, a, DesignInput("bad code!", "Temple")))
    assert set(err.value.fields) == {"code"}


def test_masters_are_saved_cleaned_and_edited(masters, world):
    manager = world.actor("manager")
    design = run(manager, lambda s, a: save_design(s, a, DesignInput(" tmp-101 ", " Temple  bangle ", "Heritage")))
    assert (design.code, design.name) == ("TMP-101", "Temple bangle")
    metal = run(manager, lambda s, a: save_metal(s, a, MetalInput("Palladium", "950", "950")))
    assert (metal.metal, metal.purity) == ("palladium", "950")
    renamed = run(manager, lambda s, a: save_category(s, a, CategoryInput("RING", "Finger ring"), masters["RING"]))
    assert renamed.id == masters["RING"] and renamed.name == "Finger ring"
    run(manager, lambda s, a: save_category(s, a, CategoryInput("COIN", "Coin", active=False), masters["COIN"]))
    with read_session() as session:
        categories = dict(category_options(session, manager))
        metals = dict(metal_options(session, manager))
    assert "Coin" not in categories.values() and categories[str(masters["RING"])] == "Finger ring"
    assert metals[str(masters["gold916"])] == "Gold 22K (916)" and metals[str(masters["silver925"])] == "Silver 925"


def test_only_managers_edit_masters(masters, world):
    for role in ("sales", "designer"):
        with pytest.raises(PermissionDenied):
            run(world.actor(role), lambda s, a: save_category(s, a, CategoryInput("TOE", "Toe ring")))


# ---------------------------------------------------------------------------- receiving


def test_huid_and_weights_are_checked_field_by_field(masters, world):
    manager = world.actor("manager")
    with pytest.raises(ValidationError) as err:
        receive(manager, masters, gross_weight="5.1234", huid="AB12")
    assert set(err.value.fields) == {"gross_weight", "huid"}
    with pytest.raises(ValidationError) as err:
        receive(manager, masters, gross_weight="4", stone_weight="4.5")
    assert "cannot exceed" in err.value.fields["stone_weight"]
    with pytest.raises(ValidationError) as err:
        receive(manager, masters, gross_weight="0")
    assert "more than 0" in err.value.fields["gross_weight"]
    first = receive(manager, masters, gross_weight="6.250", stone_weight="0.250", huid="ab12cd")
    assert (first.huid, first.net_weight) == ("AB12CD", Decimal("6.000"))
    with pytest.raises(ValidationError) as err:
        receive(manager, masters, huid="AB12CD")
    assert "already on another piece" in err.value.fields["huid"]
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(Piece)) == 1  # refused receipts saved nothing


def test_skus_are_numbered_per_store(masters, world):
    mumbai, delhi = world.actor("manager"), world.actor("manager", world.dl)
    skus = [receive(mumbai, masters).sku, receive(mumbai, masters).sku, receive(delhi, masters).sku]
    assert skus == ["MUM-000001", "MUM-000002", "DEL-000001"]


def test_stones_are_kept_with_the_piece(masters, world):
    manager = world.actor("manager")
    stones = [StoneInput("diamond", "12", "0.360", "F", "VS1"), StoneInput("ruby", "1", "0.500", lab_grown=True)]
    ring = receive(manager, masters, gross_weight="4.200", stone_weight="0.172", stones=stones)
    with read_session() as session:
        details = piece_details(session, manager, ring.id)
    assert details["net"] == "4.028 g" and details["status_label"] == "In stock"
    with pytest.raises(ValidationError) as err:
        receive(manager, masters, stones=[StoneInput("glass", "1", "0.1")])
    assert "stone_1" in err.value.fields


# ---------------------------------------------------------------------------- the ledger


def test_a_piece_cannot_be_sold_twice(masters, world):
    sales = world.actor("sales")
    ring = receive(world.actor("manager"), masters)
    moved(sales, ring.id, "sale", reference="INV-1")
    with pytest.raises(JewelError, match="sold"):
        moved(sales, ring.id, "sale", reference="INV-2")
    assert piece(ring.id).status == "sold"


def test_transfer_out_and_in_moves_the_branch(masters, world):
    mumbai, delhi = world.actor("manager"), world.actor("manager", world.dl)
    ring = receive(mumbai, masters)
    with pytest.raises(ValidationError) as err:
        moved(mumbai, ring.id, "transfer_out", to_store_id=world.mum)
    assert "to_store_id" in err.value.fields
    moved(mumbai, ring.id, "transfer_out", to_store_id=world.dl)
    assert (piece(ring.id).status, piece(ring.id).store_id) == ("in_transit", world.mum)
    with pytest.raises(JewelError, match="in transit"):
        moved(mumbai, ring.id, "transfer_out", to_store_id=world.dl)
    with pytest.raises(JewelError, match="not at this branch"):
        moved(mumbai, ring.id, "transfer_in")  # only the branch it goes to receives it
    with read_session() as session:
        assert [m["kind"] for m in available_moves(session, delhi, ring.id)] == ["transfer_in"]
        assert available_moves(session, mumbai, ring.id) == []
    moved(delhi, ring.id, "transfer_in")
    arrived = piece(ring.id)
    assert (arrived.status, arrived.store_id, arrived.transit_to_store_id) == ("in_stock", world.dl, None)
    with read_session() as session:
        history = movement_rows(session, delhi, ring.id)
    assert [h["what"] for h in history] == ["Receive a transfer", "Transfer to another branch", "Received"]
    assert history[1]["branch"] == "MUM → DEL"


def test_memo_needs_a_party_and_melt_a_reason(masters, world):
    manager = world.actor("manager")
    ring = receive(manager, masters)
    with pytest.raises(ValidationError) as err:
        moved(manager, ring.id, "memo_out")
    assert "party_id" in err.value.fields
    with pytest.raises(ValidationError) as err:
        moved(manager, ring.id, "melt", reason="  ")
    assert "reason" in err.value.fields
    moved(manager, ring.id, "memo_out", party_id=masters["memo"])
    assert (piece(ring.id).status, piece(ring.id).party_id) == ("on_memo", masters["memo"])
    moved(manager, ring.id, "memo_in")
    moved(manager, ring.id, "melt", reason="Broken beyond repair")
    assert piece(ring.id).status == "melted"


def test_only_consignment_goes_back_to_the_vendor(masters, world):
    manager = world.actor("manager")
    own = receive(manager, masters)
    with pytest.raises(JewelError, match="not a consignment"):
        moved(manager, own.id, "consignment_return")
    with pytest.raises(ValidationError) as err:
        receive(manager, masters, consignment=True)
    assert "party_id" in err.value.fields
    theirs = receive(manager, masters, consignment=True, party_id=str(masters["consignor"]))
    with read_session() as session:
        assert "consignment_return" in [m["kind"] for m in available_moves(session, manager, theirs.id)]
        assert "consignment_return" not in [m["kind"] for m in available_moves(session, manager, own.id)]
    moved(manager, theirs.id, "consignment_return")
    assert piece(theirs.id).status == "returned"


def test_sales_can_sell_but_not_transfer_or_receive(masters, world):
    sales = world.actor("sales")
    ring = receive(world.actor("manager"), masters)
    with pytest.raises(PermissionDenied):
        moved(sales, ring.id, "transfer_out", to_store_id=world.dl)
    with pytest.raises(PermissionDenied):
        receive(sales, masters)
    with read_session() as session:
        assert available_moves(session, sales, ring.id) == []
    moved(sales, ring.id, "sale", reference="INV-9")
    assert piece(ring.id).status == "sold"


def test_two_concurrent_sales_of_one_piece_only_one_wins(masters, world):
    sales, manager = world.actor("sales"), world.actor("manager")
    ring = receive(manager, masters)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sell(actor, reference: str) -> None:
        barrier.wait()
        try:
            with unit_of_work(actor) as session:
                move(session, actor, ring.id, "sale", reference=reference)
            outcomes.append("sold")
        except JewelError as exc:
            outcomes.append(exc.message)

    threads = [threading.Thread(target=sell, args=(who, f"INV-{n}")) for n, who in enumerate((sales, manager))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2 and outcomes.count("sold") == 1
    loser = next(o for o in outcomes if o != "sold")
    assert "cannot be moved" in loser or "changed by someone else" in loser
    with read_session() as session:
        sales_rows = session.scalars(select(Movement).where(Movement.piece_id == ring.id, Movement.kind == "sale"))
        assert len(list(sales_rows)) == 1
    assert piece(ring.id).status == "sold"


# ---------------------------------------------------------------------------- the piece list


def test_search_finds_sku_huid_and_certificate_number(masters, world):
    manager = world.actor("manager")
    ring = receive(manager, masters, huid="HU1D01", description="Solitaire ring")
    chain = receive(manager, masters, category="CHAIN", gross_weight="22.5", batch="B-77")
    with unit_of_work() as session:
        session.add(Certificate(piece_id=ring.id, lab="GIA", report_number="2141438171", issued_on=date(2026, 1, 5)))
    for text, expected in (
        ("mum-000002", chain.sku),
        ("hu1d01", ring.sku),
        ("1438171", ring.sku),
        ("solitaire", ring.sku),
        ("b-77", chain.sku),
    ):
        rows, total = listed(manager, search=text)
        assert (total, rows[0]["sku"]) == (1, expected), text
    assert listed(manager, search="nothing-like-this")[1] == 0


def test_filters_by_weight_band_status_category_and_branch(masters, world):
    mumbai, delhi = world.actor("manager"), world.actor("manager", world.dl)
    light = receive(mumbai, masters, gross_weight="1.500")
    heavy = receive(mumbai, masters, category="CHAIN", metal="silver925", gross_weight="55")
    receive(delhi, masters, gross_weight="7")
    assert [r["sku"] for r in listed(mumbai, filters={"weight": "u2"})[0]] == [light.sku]
    assert [r["sku"] for r in listed(mumbai, filters={"weight": "50+"})[0]] == [heavy.sku]
    assert [r["sku"] for r in listed(mumbai, filters={"category": str(masters["CHAIN"])})[0]] == [heavy.sku]
    assert [r["sku"] for r in listed(mumbai, filters={"metal": str(masters["silver925"])})[0]] == [heavy.sku]
    assert listed(mumbai)[1] == 2 and listed(mumbai, filters={"scope": "all"})[1] == 3
    moved(mumbai, light.id, "transfer_out", to_store_id=world.dl)
    rows, _total = listed(mumbai, filters={"status": "in_transit"})
    assert [(r["sku"], r["status"], r["branch"]) for r in rows] == [(light.sku, "In transit to DEL", "MUM → DEL")]
    arriving, total = listed(delhi, filters={"status": "arriving"})
    assert total == 1 and arriving[0]["status"] == "Arriving"  # Delhi sees what is on its way
    assert listed(delhi)[1] == 2
    moved(mumbai, heavy.id, "sale", reference="INV-3")
    assert [r["sku"] for r in listed(mumbai, filters={"status": "sold"})[0]] == [heavy.sku]


def test_cost_is_shown_only_to_those_who_may_see_it(masters, world):
    manager, sales = world.actor("manager"), world.actor("sales")
    ring = receive(manager, masters, cost_price="150000")
    assert listed(manager)[0][0]["cost"] == "₹1,50,000"
    assert listed(sales)[0][0]["cost"] == ""
    with read_session() as session:
        assert piece_details(session, manager, ring.id)["cost"] == "₹1,50,000"
        assert piece_details(session, sales, ring.id)["cost"] == ""


def test_the_search_index_follows_pieces_and_certificates_and_matches_the_plain_scan(masters, world):
    import dataclasses
    from datetime import date

    from modules.stock.models import Certificate

    manager = world.actor("manager")
    ring = receive(manager, masters, huid="QX12AB", description="Temple bangle with rubies", batch="DIWALI-26")
    with unit_of_work(manager) as session:
        session.add(Certificate(piece_id=ring.id, lab="IGI", report_number="LG612345678", issued_on=date(2026, 1, 5)))
    with unit_of_work(manager) as session:
        session.get(Piece, ring.id).description = "Antique choker"
    plain = dataclasses.replace(PIECES, search_index=None)  # the LIKE scan other databases use
    for typed, hits in (("qx12", 1), ("LG6123", 1), ("choker", 1), ("temple", 0), ("diwali", 1), (ring.sku, 1)):
        assert listed(manager, search=typed)[1] == hits, typed
        with read_session() as session:
            assert plain.fetch(session, manager, TableQuery(search=typed))[1] == hits, typed


def test_on_postgresql_the_piece_search_is_answered_from_the_trigram_indexes(masters, world):
    import dataclasses

    from sqlalchemy import select

    from jewelerp.db import get_engine

    if get_engine().dialect.name != "postgresql":
        pytest.skip("SQLite answers from its FTS5 table (the test above)")
    manager = world.actor("manager")
    receive(manager, masters, huid="QX12AB", description="Temple bangle with rubies")
    search_only = dataclasses.replace(PIECES, base=lambda _actor, _q: select(Piece.id))  # the clauses the list adds
    statement = search_only.statement(manager, TableQuery(search="bangle"))
    with get_engine().connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")  # a handful of rows: make the planner show what it can use
        compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})
        plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
    for index in ("piece_sku", "piece_huid", "piece_description", "piece_batch", "certificate_report_number"):
        assert f"stock_{index}_trgm" in plan, plan
    assert listed(manager, search="TEMPLE BANGLE")[1] == 1  # any case, as on SQLite
