"""Demo stock: about 1,500 pieces per branch with stones, certificates, provenance and photos.

Every piece goes through :func:`modules.stock.pieces.receive_piece` (so each has its ledger's
first row), then a few are sold, reserved, sent on memo or for repair, or transferred to the
other branch through the ledger. The same records come back on every run (seeded by the
store code), and a branch that has already received stock is left alone.

Metal rates are the author's estimates for 2026 (India, per gram, before GST), not market
data: gold 24K ₹13,100, 23K ₹12,550, 22K ₹12,000, 20K ₹10,915, 18K ₹9,825, 14K ₹7,665; silver 999
₹165, 925 ₹153; platinum 950 ₹4,400. Change :data:`RATES_2026` to taste.

Every gold piece of a hallmarking grade (:func:`modules.stock.hallmark.hallmark_grade`) gets a unique
six-character HUID, those under 2 g too; coins (bullion, exempt) get none.

Stone values (what a stone line is charged to the customer, before GST) are the author's
estimates too: small natural diamonds ₹60,000–1,20,000 a carat by grade, a solitaire's
per-carat price rising with its size, lab-grown diamonds about 15% of a natural one, coloured
stones, polki, pearls, kundan and CZ modest (:data:`STONE_PER_CARAT`). The cost of stones is
55–75% of their value.
"""

from __future__ import annotations

import io
import random
import string
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageDraw
from sqlalchemy import select, update
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import system_actor
from jewelerp.core.models import Store
from jewelerp.db import utcnow
from modules.stock.certificates import CertificateInput, add_certificate
from modules.stock.hallmark import hallmark_grade
from modules.stock.images import save_image
from modules.stock.ledger import move
from modules.stock.masters import DesignInput, PartyInput, save_design, save_party
from modules.stock.models import Category, Design, Metal, Movement, Party, Piece, ProvenanceEvent
from modules.stock.pieces import PieceInput, StoneInput, receive_piece
from modules.stock.provenance import add_event
from modules.stock.reorder import RuleInput, raise_alerts, set_rule
from modules.stock.valuation import set_rate

PER_STORE = 1_500
PHOTO_EVERY = 4  # each image is encoded three times (photo, thumbnail, JPEG): every piece's photo was half the demo
CERTIFIED_SOLITAIRES = 0.8  # share of solitaires with a GIA or IGI report (and their chain of custody)
CERTIFIED_JEWELLERY = 0.05  # share of studded diamond pieces with an IGI jewellery report
IMAGE_SIDE = 160
G = Decimal("0.001")
CARAT_TO_GRAMS = Decimal("0.2")

# (metal, fineness) -> per-gram rate in rupees: estimates for 2026, see the module docstring.
RATES_2026: dict[tuple[str, int], Decimal] = {
    ("gold", 999): Decimal("13100.00"),
    ("gold", 958): Decimal("12550.00"),
    ("gold", 916): Decimal("12000.00"),
    ("gold", 833): Decimal("10915.00"),
    ("gold", 750): Decimal("9825.00"),
    ("gold", 585): Decimal("7665.00"),
    ("silver", 999): Decimal("165.00"),
    ("silver", 925): Decimal("153.00"),
    ("platinum", 950): Decimal("4400.00"),
}
METAL_COLOURS = {
    "gold": ((255, 236, 170), (196, 146, 40)),
    "silver": ((245, 246, 250), (150, 156, 168)),
    "platinum": ((236, 238, 240), (120, 126, 134)),
}
# Gross weight ranges in grams per category (gold); silver pieces run heavier, platinum lighter.
WEIGHTS: dict[str, tuple[float, float]] = {
    "RING": (2.0, 12.0),
    "CHAIN": (5.0, 40.0),
    "BANGLE": (8.0, 40.0),
    "NECKLACE": (15.0, 90.0),
    "EARRING": (2.0, 14.0),
    "PENDANT": (1.5, 10.0),
}
COIN_WEIGHTS = ("1", "2", "5", "8", "10", "20", "50")
CATEGORY_MIX = (("RING", 26), ("CHAIN", 16), ("BANGLE", 14), ("NECKLACE", 10), ("EARRING", 20), ("PENDANT", 10))
JEWELLERY_METALS = (((("gold", 916), 55), (("gold", 750), 22), (("gold", 585), 5), (("silver", 925), 12)), 6)
SIZES = {
    "RING": tuple(str(n) for n in range(8, 25)),
    "BANGLE": ("2-2", "2-4", "2-6", "2-8", "2-10"),
    "CHAIN": ("16 in", "18 in", "20 in", "22 in", "24 in"),
    "NECKLACE": ("16 in", "18 in", "adjustable"),
}
DESIGNS = (
    ("TMP-101", "Lakshmi temple bangle", "Temple", "BANGLE"),
    ("TMP-102", "Peacock temple necklace", "Temple", "NECKLACE"),
    ("SOL-201", "Classic six-prong solitaire", "Solitaire", "RING"),
    ("SOL-202", "Halo solitaire pendant", "Solitaire", "PENDANT"),
    ("BRD-301", "Rani haar", "Bridal", "NECKLACE"),
    ("BRD-302", "Polki choker", "Bridal", "NECKLACE"),
    ("DLY-401", "Everyday hoops", "Daily wear", "EARRING"),
    ("DLY-402", "Rope chain", "Daily wear", "CHAIN"),
    ("ANT-601", "Antique jhumka", "Antique", "EARRING"),
    ("CON-801", "Infinity band", "Contemporary", "RING"),
    ("CON-802", "Geometric studs", "Contemporary", "EARRING"),
    ("CON-803", "Box-link kada", "Contemporary", "BANGLE"),
)
PARTIES = (
    ("supplier", "Shree Ganesh Jewellers Pvt Ltd", "+91 22 2342 1188", "27AACCS4521K1Z3", "Zaveri Bazaar, Mumbai"),
    ("supplier", "Kothari Diamonds LLP", "+91 261 245 7711", "24AAKFK7734M1ZQ", "Mahidharpura, Surat"),
    ("supplier", "Rajesh Chains and Ornaments", "+91 11 2575 3390", "07ABCPR6120D1ZL", "Karol Bagh, New Delhi"),
    ("karigar", "Bapi Das (karigar)", "+91 98310 44521", "", "Bowbazar, Kolkata"),
    ("karigar", "Sk. Anwar Hossain (karigar)", "+91 98204 11873", "", "Kalbadevi, Mumbai"),
    ("consignor", "Moti Polki House", "+91 141 256 2210", "08AAGFM3302P1Z8", "Johari Bazaar, Jaipur"),
    ("memo", "Mrs. Kavita Malhotra (approval)", "+91 98111 20456", "", "Greater Kailash, New Delhi"),
    ("memo", "Zaveri Exhibitions (trunk show)", "+91 22 2208 1177", "", "Nariman Point, Mumbai"),
)
DIAMOND_COLOURS = ("D", "E", "F", "G", "H", "I", "J")
MELEE = (("EF", "VVS"), ("FG", "VVS-VS"), ("GH", "VS"), ("GH", "VS-SI"), ("IJ", "SI"))
MELEE_CLARITY = {"VVS": "VVS2", "VVS-VS": "VS1", "VS": "VS1", "VS-SI": "VS2", "SI": "SI1"}  # the lower grade
CLARITIES = ("IF", "VVS1", "VVS2", "VS1", "VS2", "SI1", "SI2")
SHAPES = ("Round Brilliant", "Round Brilliant", "Oval", "Princess", "Pear", "Cushion", "Emerald")
ORIGINS = (
    ("Botswana (Jwaneng mine)", "BW"),
    ("Canada (Diavik mine)", "CA"),
    ("Namibia (Namdeb marine)", "NA"),
    ("South Africa (Venetia mine)", "ZA"),
)
CUTTERS = ("Kiran Gems cutting unit, Surat", "Venus Jewel, Surat", "SRK Diamonds, Surat")
COLOURED = (("ruby", "Mozambique"), ("emerald", "Zambia"), ("sapphire", "Sri Lanka"))
# Selling price per carat of small diamonds by their clarity range (the colour range goes with it).
MELEE_PER_CARAT = {"VVS": 120_000, "VVS-VS": 100_000, "VS": 85_000, "VS-SI": 75_000, "SI": 60_000}
# A solitaire's per-carat price: ₹1,20,000 for D IF, ₹5,000 less per colour or clarity grade below it
# (₹60,000 for J SI2), times 1 + 3 × carats (a 1 ct stone sells at four times the per-carat base).
SOLITAIRE_TOP = 120_000
SOLITAIRE_GRADE_STEP = 5_000
LAB_GROWN_SHARE = Decimal("0.15")
# Other stones: (low, high) selling price per carat in rupees.
STONE_PER_CARAT = {
    "ruby": (8_000, 25_000),
    "emerald": (10_000, 30_000),
    "sapphire": (8_000, 25_000),
    "polki": (15_000, 35_000),
    "pearl": (1_500, 4_000),
    "kundan": (400, 1_200),
    "cz": (150, 400),
}


@dataclass
class _Plan:
    """One piece to receive, and what follows its receipt."""

    data: PieceInput
    category: str
    metal: Metal
    received_on: date
    solitaire: tuple[Decimal, str, str, bool] | None = None
    melee: StoneInput | None = None


def _has_received_stock(session: Session, store_id: int) -> bool:
    return (
        session.scalars(
            select(Movement.id)
            .where(Movement.store_id == store_id, Movement.kind.in_(("receipt", "consignment_in")))
            .limit(1)
        ).first()
        is not None
    )


def _masters(session: Session, actor: Actor) -> tuple[dict[str, Category], dict[tuple[str, int], Metal], dict]:
    """Add the demo designs and parties; return them with the categories and metals (stock's install data)."""
    have_designs = set(session.scalars(select(Design.code)))
    for code, name, collection, _category in DESIGNS:
        if code not in have_designs:
            save_design(session, actor, DesignInput(code, name, collection))
    have_parties = set(session.scalars(select(Party.name)))
    for kind, name, phone, gstin, address in PARTIES:
        if name not in have_parties:
            save_party(session, actor, PartyInput(kind, name, phone, gstin, address))
    categories = {c.code: c for c in session.scalars(select(Category))}
    metals = {(m.metal, m.fineness): m for m in session.scalars(select(Metal))}
    designs = {d.code: d for d in session.scalars(select(Design))}
    parties: dict[str, list[Party]] = {}
    for party in session.scalars(select(Party).where(Party.active)):
        parties.setdefault(party.kind, []).append(party)
    return categories, metals, {"designs": designs, "parties": parties}


def _huid(rng: random.Random, taken: set[str]) -> str:
    alphabet = string.ascii_uppercase + string.digits
    while True:
        huid = "".join(rng.choices(alphabet, k=6))
        if huid not in taken and not huid.isdigit():
            taken.add(huid)
            return huid


def _grams(value: float) -> Decimal:
    return Decimal(str(value)).quantize(G, ROUND_HALF_UP)


def _rupees(carats: str, per_carat: Decimal | int) -> str:
    """A stone line's value to the rupee: its carats × the price per carat."""
    return str((Decimal(carats) * Decimal(per_carat)).quantize(Decimal(1), ROUND_HALF_UP))


def _priced(rng: random.Random, kind: str, count: int, carats: str, **quality: str) -> StoneInput:
    """A line of coloured stones, polki, pearls, kundan or CZ at a per-carat price in :data:`STONE_PER_CARAT`."""
    low, high = STONE_PER_CARAT[kind]
    value = _rupees(carats, rng.randrange(low, high + 1, 100))
    return StoneInput(kind, str(count), carats, value=value, **quality)


def _solitaire(carat: Decimal, colour: str, clarity: str, lab_grown: bool) -> StoneInput:
    """A solitaire priced by grade and size (lab-grown at :data:`LAB_GROWN_SHARE` of a natural one)."""
    grades_below = DIAMOND_COLOURS.index(colour) + CLARITIES.index(clarity)
    per_carat = Decimal(SOLITAIRE_TOP - SOLITAIRE_GRADE_STEP * grades_below) * (1 + 3 * carat)
    if lab_grown:
        per_carat *= LAB_GROWN_SHARE
    return StoneInput("diamond", "1", str(carat), colour, clarity, lab_grown=lab_grown, value=_rupees(carat, per_carat))


def _stones(rng: random.Random, metal: Metal, category: str) -> tuple[list[StoneInput], tuple | None]:
    """Stone lines for a piece (about 40% have some) and, for a solitaire, (carat, colour, clarity, lab-grown)."""
    if category == "COIN" or rng.random() >= 0.40:
        return [], None
    if metal.metal == "silver":
        return [_priced(rng, "cz", rng.randint(4, 40), f"{rng.uniform(0.2, 3.0):.3f}")], None
    if metal.fineness == 916 and rng.random() < 0.55:  # 22K: polki, kundan and coloured stones
        kind = rng.choice(("polki", "kundan", "ruby", "emerald", "pearl"))
        count = rng.randint(3, 60)
        return [_priced(rng, kind, count, f"{count * rng.uniform(0.05, 0.4):.3f}", grade="AA")], None
    lines: list[StoneInput] = []
    solitaire = None
    if category in ("RING", "PENDANT") and rng.random() < 0.45:
        carat = Decimal(f"{rng.choice((0.30, 0.40, 0.50, 0.70, 0.90, 1.00, 1.01, 1.20, 1.50, 2.00)):.2f}0")
        lab_grown = rng.random() < 0.25
        colour, clarity = rng.choice(DIAMOND_COLOURS), rng.choice(CLARITIES)
        lines.append(_solitaire(carat, colour, clarity, lab_grown))
        solitaire = (carat, colour, clarity, lab_grown)
    colour, clarity = rng.choice(MELEE)
    count = rng.randint(6, 120)
    carats = f"{count * rng.uniform(0.005, 0.03):.3f}"
    value = _rupees(carats, MELEE_PER_CARAT[clarity])
    lines.append(StoneInput("diamond", str(count), carats, colour, clarity, value=value))
    if rng.random() < 0.15:
        kind, _origin = rng.choice(COLOURED)
        lines.append(_priced(rng, kind, rng.randint(1, 8), f"{rng.uniform(0.2, 2.5):.3f}"))
    return lines, solitaire


def _plan(
    rng: random.Random,
    today: date,
    categories: dict[str, Category],
    metals: dict[tuple[str, int], Metal],
    extra: dict,
    huids: set[str],
) -> _Plan:
    designs, parties = extra["designs"], extra["parties"]
    suppliers = parties.get("supplier", []) + parties.get("karigar", [])
    received_on = today - timedelta(days=int(rng.triangular(0, 540, 30)))
    if rng.random() < 0.05:
        category, metal = "COIN", metals[rng.choice((("gold", 999), ("gold", 999), ("silver", 999)))]
        gross = Decimal(rng.choice(COIN_WEIGHTS) if metal.metal == "gold" else rng.choice(("10", "20", "50", "100")))
        data = PieceInput(
            category_id=str(categories["COIN"].id),
            metal_id=str(metal.id),
            gross_weight=str(gross.quantize(G)),
            description=f"{metal.metal.title()} coin {gross} g, {metal.purity}",
            making_rule="flat",
            making_value=str(rng.choice((150, 250, 350, 500))),
            cost_price=str((gross * RATES_2026[(metal.metal, metal.fineness)] * Decimal("0.98")).quantize(Decimal(1))),
            party_id=str(rng.choice(suppliers).id) if suppliers else "",
            batch=f"C{received_on:%y%m}",
        )
        return _Plan(data, category, metal, received_on)
    category = rng.choices([c for c, _ in CATEGORY_MIX], weights=[w for _, w in CATEGORY_MIX])[0]
    pairs, platinum_weight = JEWELLERY_METALS
    keys = [k for k, _ in pairs] + [("platinum", 950)]
    key = rng.choices(keys, weights=[w for _, w in pairs] + [platinum_weight])[0]
    if key == ("platinum", 950) and category in ("BANGLE", "NECKLACE"):
        key = ("gold", 750)
    metal = metals[key]
    low, high = WEIGHTS[category]
    scale = 2.2 if metal.metal == "silver" else 0.8 if metal.metal == "platinum" else 1.0
    stones, solitaire = _stones(rng, metal, category)
    stone_grams = Decimal(0)
    for line in stones:
        per_carat = CARAT_TO_GRAMS if line.kind not in ("polki", "kundan", "pearl") else Decimal("0.3")
        stone_grams += Decimal(line.carat) * per_carat
    stone_grams = stone_grams.quantize(G)
    metal_grams = _grams(rng.triangular(low, high, low + (high - low) / 4) * scale)
    gross = metal_grams + stone_grams
    matching = [d for d in DESIGNS if d[3] == category]
    design = designs.get(rng.choice(matching)[0]) if matching and rng.random() < 0.45 else None
    if solitaire and category == "RING":
        design = designs.get("SOL-201")
    elif solitaire:
        design = designs.get("SOL-202")
    rate = RATES_2026[(metal.metal, metal.fineness)]
    if metal.metal == "silver":
        making_rule, making, wastage = "flat", str(rng.choice((150, 250, 400, 600, 900))), "0"
    elif stones and stones[0].kind == "diamond":
        making_rule, making, wastage = "percent", str(rng.choice((12, 14, 15, 16, 18))), "0"
    else:
        making_rule, making = "per_gram", str(rng.choice((350, 400, 450, 500, 550, 650)))
        wastage = str(rng.choice((0, 2, 3, 4, 5, 6, 8, 10, 12)))
    stone_cost = sum((Decimal(s.value) * Decimal(f"{rng.uniform(0.55, 0.75):.2f}") for s in stones), Decimal(0))
    cost = (metal_grams * rate * Decimal("0.97") + stone_cost).quantize(Decimal(1))
    words = [design.name if design else categories[category].name, metal.metal, metal.purity]
    if stones:
        words.append("with " + " and ".join(dict.fromkeys(s.kind for s in stones)))
    data = PieceInput(
        category_id=str(categories[category].id),
        metal_id=str(metal.id),
        gross_weight=str(gross),
        stone_weight=str(stone_grams),
        design_id=str(design.id) if design else "",
        size=rng.choice(SIZES[category]) if category in SIZES else "",
        batch=f"B{received_on:%y%m}-{rng.randint(1, 40):02d}",
        description=" ".join(words),
        making_rule=making_rule,
        making_value=making,
        wastage_pct=wastage,
        cost_price=str(cost),
        huid=_huid(rng, huids) if hallmark_grade(metal) else "",
        party_id=str(rng.choice(suppliers).id) if suppliers else "",
        stones=stones,
    )
    melee = next((s for s in stones if s.kind == "diamond" and s.count != "1"), None)
    return _Plan(data, category, metal, received_on, solitaire, melee)


def _base_images() -> dict[str, PILImage.Image]:
    """A soft diagonal gradient per metal colour, drawn once."""
    vertical = PILImage.linear_gradient("L").resize((IMAGE_SIDE, IMAGE_SIDE))
    ramp = PILImage.blend(vertical, vertical.transpose(PILImage.Transpose.ROTATE_90), 0.5)
    bases = {}
    for metal, (light, dark) in METAL_COLOURS.items():
        bases[metal] = PILImage.merge(
            "RGB",
            [ramp.point(lambda v, lo=lo, hi=hi: lo + (hi - lo) * v // 255) for lo, hi in zip(light, dark, strict=True)],
        )
    return bases


def _photo(base: PILImage.Image, initial: str, sku: str) -> bytes:
    """A small PNG: the metal's gradient with the category's initial and the SKU."""
    picture = base.copy()
    draw = ImageDraw.Draw(picture)
    draw.ellipse((30, 22, 130, 122), outline=(90, 60, 10), width=3)
    draw.text((72, 58), initial, fill=(60, 40, 0), font_size=36)
    draw.text((10, IMAGE_SIDE - 20), sku, fill=(40, 40, 40), font_size=12)
    out = io.BytesIO()
    picture.save(out, "PNG", compress_level=1)
    return out.getvalue()


def _report_number(rng: random.Random, lab: str, lab_grown: bool) -> str:
    if lab == "GIA":
        return str(rng.randint(1_100_000_000, 7_499_999_999))
    return ("LG" if lab_grown else "") + str(rng.randint(500_000_000, 699_999_999))


def _certify_jewellery(session: Session, actor: Actor, rng: random.Random, piece: Piece, plan: _Plan) -> None:
    """An IGI jewellery report on the small diamonds of a piece (total carats, colour and clarity range)."""
    melee = plan.melee
    assert melee is not None
    graded_on = plan.received_on - timedelta(days=rng.randint(3, 30))
    number = _report_number(rng, "IGI", False)
    add_certificate(
        session,
        actor,
        piece.id,
        CertificateInput(
            lab="IGI",
            report_number=number,
            issued_on=graded_on.isoformat(),
            carat=melee.carat,
            shape="Round Brilliant",
            colour="-".join(melee.colour),
            clarity=MELEE_CLARITY[melee.clarity],
            measurements=f"{melee.count} stones",
            fluorescence="None",
        ),
    )
    add_event(session, actor, piece.id, "graded", graded_on, party="IGI", document=f"IGI {number}")


def _certify(session: Session, actor: Actor, rng: random.Random, piece: Piece, plan: _Plan) -> None:
    """Certificate and chain of custody of a solitaire: origin, KP, cutter, supplier, graded."""
    carat, colour, clarity, lab_grown = plan.solitaire  # type: ignore[misc]
    lab = "IGI" if lab_grown or rng.random() < 0.4 else "GIA"
    number = _report_number(rng, lab, lab_grown)
    graded_on = plan.received_on - timedelta(days=rng.randint(10, 60))
    shape = rng.choice(SHAPES)
    side = Decimal("6.45") * (carat ** (Decimal(1) / 3))
    add_certificate(
        session,
        actor,
        piece.id,
        CertificateInput(
            lab=lab,
            report_number=number,
            issued_on=graded_on.isoformat(),
            carat=str(carat),
            shape=shape,
            colour=colour,
            clarity=clarity,
            cut=rng.choice(("Excellent", "Excellent", "Very Good", "Ideal")) if shape == "Round Brilliant" else "",
            measurements=f"{side:.2f} - {side * Decimal('1.004'):.2f} x {side * Decimal('0.615'):.2f} mm",
            fluorescence=rng.choice(("None", "None", "Faint", "Medium")),
            lab_grown=lab_grown,
        ),
    )
    supplier = session.get(Party, piece.party_id) if piece.party_id else None
    if lab_grown:
        add_event(session, actor, piece.id, "origin", graded_on - timedelta(days=90), place="India (CVD grown, Surat)")
    else:
        place, country = rng.choice(ORIGINS)
        mined = graded_on - timedelta(days=rng.randint(200, 600))
        add_event(session, actor, piece.id, "origin", mined, place=place)
        add_event(
            session,
            actor,
            piece.id,
            "kimberley_process",
            mined + timedelta(days=rng.randint(20, 60)),
            place=f"Export from {country}",
            document=f"KP-{country}-{mined.year}-{rng.randint(10_000, 99_999)}",
        )
    add_event(
        session,
        actor,
        piece.id,
        "cutter",
        graded_on - timedelta(days=rng.randint(15, 45)),
        place="Surat",
        party=rng.choice(CUTTERS),
    )
    add_event(session, actor, piece.id, "graded", graded_on, party=lab, document=f"{lab} {number}")
    if supplier is not None:
        add_event(session, actor, piece.id, "supplier", plan.received_on, party=supplier.name)


def _backdate(session: Session, received: list[tuple[Piece, _Plan]], zone_offset: timedelta) -> None:
    """Receipt times spread over the past months (bulk statements: the audit log keeps the real insert)."""
    at = {
        piece.id: datetime.combine(plan.received_on, time(11, 0), tzinfo=UTC) - zone_offset for piece, plan in received
    }
    session.execute(update(Piece), [{"id": pid, "created_at": moment} for pid, moment in at.items()])
    receipts = session.execute(
        select(Movement.id, Movement.piece_id).where(
            Movement.piece_id.in_(list(at)), Movement.kind.in_(("receipt", "consignment_in"))
        )
    ).all()
    session.execute(update(Movement), [{"id": mid, "at": at[pid]} for mid, pid in receipts])
    received_on = {piece.id: plan.received_on for piece, plan in received}
    events = session.execute(
        select(ProvenanceEvent.id, ProvenanceEvent.piece_id).where(
            ProvenanceEvent.piece_id.in_(list(at)), ProvenanceEvent.kind == "received"
        )
    ).all()
    if events:
        session.execute(update(ProvenanceEvent), [{"id": eid, "on": received_on[pid]} for eid, pid in events])


def _movements(session: Session, actor: Actor, rng: random.Random, pieces: list[Piece], extra: dict) -> None:
    """A few sales, reservations, memos, repairs and transfers through the ledger."""
    parties = extra["parties"]
    memo_parties = parties.get("memo", [])
    karigars = parties.get("karigar", [])
    pool = [p for p in pieces if not p.consignment]
    rng.shuffle(pool)
    n = len(pool)
    sold, reserved = pool[: n * 4 // 100], pool[n * 4 // 100 : n * 5 // 100]
    memo = pool[n * 5 // 100 : n * 6 // 100]
    repair = pool[n * 6 // 100 : n * 7 // 100]
    transfers = pool[n * 7 // 100 : n * 7 // 100 + max(1, n // 120)]
    for number, piece in enumerate(sold, start=1):
        move(session, actor, piece.id, "sale", reference=f"{actor.store_code}/INV/2026/{number:05d}")
    for piece in reserved:
        move(session, actor, piece.id, "reserve", reference="Advance received", reason="Customer paid an advance")
    for piece in memo:
        if memo_parties:
            move(session, actor, piece.id, "memo_out", party_id=rng.choice(memo_parties).id, reference="Approval memo")
    for piece in repair:
        move(session, actor, piece.id, "repair_out", party_id=rng.choice(karigars).id if karigars else None)
    other = session.scalars(
        select(Store).where(Store.active, Store.id != actor.store_id).order_by(Store.id).limit(1)
    ).first()
    if other is None:
        return
    receiver = system_actor(session, other.id)
    if "stock" not in receiver.enabled_modules:
        return
    for index, piece in enumerate(transfers):
        move(session, actor, piece.id, "transfer_out", to_store_id=other.id, reference=f"Stock transfer {index + 1}")
        if index % 3:  # two in three have arrived; the rest are on their way
            move(session, receiver, piece.id, "transfer_in", reference=f"Stock transfer {index + 1}")


def _rates(session: Session, actor: Actor, metals: dict[tuple[str, int], Metal], today: date) -> None:
    """Stock's own rates for the past week, ending at :data:`RATES_2026` today."""
    for key, rate in RATES_2026.items():
        metal = metals.get(key)
        if metal is None:
            continue
        for days_ago in range(6, -1, -1):
            drift = Decimal(1) - Decimal(days_ago) * Decimal("0.0025")
            set_rate(session, actor, metal.id, (rate * drift).quantize(Decimal("0.01")), today - timedelta(days_ago))


def _rules(session: Session, actor: Actor, categories: dict[str, Category], designs: dict[str, Design]) -> None:
    """A minimum per category and two design rules, as shares of the branch's demo stock.

    Necklaces, coins and solitaire rings are set above what the demo holds, so they show as short.
    """
    shares = {"RING": 15, "CHAIN": 8, "BANGLE": 8, "NECKLACE": 11, "EARRING": 12, "PENDANT": 5, "COIN": 6}
    for code, share in shares.items():
        if code in categories:
            set_rule(session, actor, RuleInput(str(categories[code].id), str(max(1, PER_STORE * share // 100))))
    for code, share in (("SOL-201", 10), ("TMP-101", 2)):
        design = designs.get(code)
        if design is not None:
            category = categories[next(d[3] for d in DESIGNS if d[0] == code)]
            minimum = str(max(1, PER_STORE * share // 100))
            set_rule(session, actor, RuleInput(str(category.id), minimum, str(design.id)))


def load(session: Session, actor: Actor, upload_dir: Path | None = None) -> None:
    """Fill the actor's branch with demo stock unless it has already received some (idempotent)."""
    if _has_received_stock(session, actor.store_id):
        return
    rng = random.Random(f"stock-{actor.store_code}")
    categories, metals, extra = _masters(session, actor)
    today = actor.today()
    huids = set(session.scalars(select(Piece.huid).where(Piece.huid.is_not(None))))
    bases = _base_images()
    consignors = extra["parties"].get("consignor", [])
    store = session.get(Store, actor.store_id)
    place = store.name if store is not None else actor.store_code
    received: list[tuple[Piece, _Plan]] = []
    for _n in range(PER_STORE):
        plan = _plan(rng, today, categories, metals, extra, huids)
        consignment = bool(consignors) and plan.category == "NECKLACE" and rng.random() < 0.15
        if consignment:
            plan.data.party_id = str(consignors[0].id)
        piece = receive_piece(session, actor, plan.data, consignment=consignment)
        received.append((piece, plan))
        if plan.solitaire and rng.random() < CERTIFIED_SOLITAIRES:
            _certify(session, actor, rng, piece, plan)
        elif plan.melee and rng.random() < CERTIFIED_JEWELLERY:
            _certify_jewellery(session, actor, rng, piece, plan)
        elif plan.solitaire is None and rng.random() < 0.08 and plan.data.party_id:
            supplier = session.get(Party, int(plan.data.party_id))
            add_event(session, actor, piece.id, "supplier", plan.received_on, party=supplier.name if supplier else "")
        if plan.solitaire or rng.random() < 0.25:  # chains end in the branch's receipt
            add_event(session, actor, piece.id, "received", plan.received_on, place=place)
        if plan.solitaire or _n % PHOTO_EVERY == 0:  # a photo on a solitaire and on some others, as shops have it
            initial = plan.category[0]
            save_image(session, actor, piece.id, _photo(bases[plan.metal.metal], initial, piece.sku), upload_dir)
    offset = actor.local(utcnow()).utcoffset() or timedelta(0)
    _backdate(session, received, offset)
    _movements(session, actor, rng, [piece for piece, _plan in received], extra)
    _rates(session, actor, metals, today)
    _rules(session, actor, categories, extra["designs"])
    raise_alerts(session, actor)
    session.flush()
