"""Karigars (craftsmen) and their metal ledger.

- A karigar belongs to a store and has a loss allowance: the % of the fine metal issued for a job they
  may lose in the making (filings, polishing).
- Metal issued for a job is a ledger row of ``+fine`` grams (weight × fineness / 1000, to the
  milligram); the finished piece and scrap received back are rows of ``−fine``. A karigar's balance is
  the SUM of their rows (computed in SQL): the fine metal they hold.
- Stones are weighed on both sides: what goes out is its gross weight and the stones in it (stones for
  setting), and the finished piece comes back as its gross weight and the stones set in it. Only the
  metal (gross − stones) counts as fine metal, so a stone weight of 0 cannot pass stones off as metal:
  fine loss = metal issued × fineness − (gross received − stones received) × fineness. A stone weight
  that is not less than the gross weight is refused.
- Receiving the piece closes the karigar's work on the job: loss = fine issued − fine returned. A loss
  above the allowance flags the closing row (``over_allowance``) and notifies the store's managers. So
  does closed work to check (:func:`receipt_warnings`): more fine metal back than was issued, or stones
  in the piece that differ from the stones issued, by more than the store's weighing tolerance
  (``repairs.weight_tolerance``).
- A custom order gets metal only once the customer has approved a design version.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Select, case, func
from sqlmodel import Session, select

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind, shown_row
from jewelerp.core.settings import get_setting
from jewelerp.db import MILLIGRAM, PAISA
from jewelerp.errors import JewelError, NotFound, ValidationError, require_fields
from jewelerp.notifications import notify_staff
from jewelerp.ui.table_query import Filter, TableQuery, TableSpec
from jewelerp.validation import parse_amount_field, parse_grams_field
from modules.clienteling.api import parse_phone
from modules.repairs.models import Job, Karigar, KarigarEntry
from modules.repairs.records import get_job, job_by_number
from modules.repairs.stages import DELIVERED

MANAGE = "repairs.karigar.manage"
FINENESS = {
    916: "916 · 22K gold",
    750: "750 · 18K gold",
    585: "585 · 14K gold",
    995: "995 · 24K gold bar",
    999: "999 · fine gold or silver",
    950: "950 · platinum",
    925: "925 · sterling silver",
}
MAX_GRAMS = Decimal("5000.000")
NAME_MAX = 120
NOTE_MAX = 300
ENTRY_LABELS = {"issue": "Metal issued", "piece": "Piece received", "scrap": "Scrap received", "adjust": "Adjustment"}
ZERO = Decimal("0.000")


# ---------------------------------------------------------------------------- karigars


@dataclass
class KarigarInput:
    """What staff type into the karigar form (text as typed)."""

    name: str
    phone: str = ""
    loss_allowance_pct: str = "1.00"
    active: bool = True


def _clean(session: Session, actor: Actor, data: KarigarInput, exclude_id: int | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = " ".join(data.name.split())
    if not name:
        errors["name"] = "Enter the karigar's name."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Keep the name to {NAME_MAX} characters."
    else:
        same = select(Karigar.id).where(func.lower(Karigar.name) == name.lower(), Karigar.store_id == actor.store_id)
        if exclude_id is not None:
            same = same.where(Karigar.id != exclude_id)
        if session.exec(same).first() is not None:
            errors["name"] = f"{name} is already a karigar of this store."
    region = str(get_setting(session, actor.store_id, "clienteling.default_country"))
    phone = parse_phone(data.phone, region, errors, "phone")
    allowance = parse_amount_field(data.loss_allowance_pct, "Loss allowance", errors, "loss_allowance_pct")
    if allowance is not None and allowance > 100:
        errors["loss_allowance_pct"] = "The loss allowance is a % from 0 to 100."
    require_fields(errors)
    return {"name": name, "phone": phone, "loss_allowance_pct": allowance, "active": data.active}


def create_karigar(session: Session, actor: Actor, data: KarigarInput) -> Karigar:
    """Add a karigar to the actor's store."""
    actor.require(MANAGE)
    karigar = Karigar(store_id=actor.store_id, **_clean(session, actor, data, None))
    session.add(karigar)
    session.flush()
    return karigar


def update_karigar(session: Session, actor: Actor, karigar_id: int, data: KarigarInput) -> Karigar:
    """Change a karigar's name, phone, allowance or whether they still take work."""
    karigar = get_karigar(session, actor, karigar_id)
    for key, value in _clean(session, actor, data, karigar.id).items():
        setattr(karigar, key, value)
    session.add(karigar)
    session.flush()
    return karigar


def get_karigar(session: Session, actor: Actor, karigar_id: int) -> Karigar:
    """A karigar of the actor's store, or NotFound."""
    actor.require(MANAGE)
    karigar = session.get(Karigar, karigar_id)
    if karigar is None or karigar.store_id != actor.store_id:
        raise NotFound("That karigar does not work for this store.")
    return karigar


def karigar_options(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """The store's active karigars as (id, name) choices."""
    actor.require(MANAGE)
    stmt = select(Karigar).where(Karigar.store_id == actor.store_id, Karigar.active).order_by(Karigar.name)
    return [(str(k.id), k.name) for k in session.exec(stmt)]


def balance(session: Session, actor: Actor, karigar_id: int) -> Decimal:
    """Grams of fine metal the karigar holds: the sum of their ledger rows."""
    get_karigar(session, actor, karigar_id)
    return _grams(
        session.scalar(select(func.sum(KarigarEntry.fine_weight)).where(KarigarEntry.karigar_id == karigar_id))
    )


# ---------------------------------------------------------------------------- issue and receive


@dataclass
class IssueInput:
    """Metal issued for a job (text as typed): its gross weight in grams, the fineness of the metal in parts
    per thousand, and the weight of any stones going out with it for setting (empty: metal only)."""

    weight: str
    fineness: str
    note: str = ""
    stone_weight: str = ""


@dataclass
class ReceiptInput:
    """What comes back: the finished piece (closes the work: its gross weight and the stones set in it)
    and/or scrap (metal only), with their fineness."""

    piece_weight: str = ""
    scrap_weight: str = ""
    fineness: str = ""
    note: str = ""
    piece_stone_weight: str = ""


@dataclass(frozen=True)
class WorkTotals:
    """A karigar's work on one job: fine grams issued and returned and, once closed, the loss; the grams of
    stones issued and set in the piece returned; and what to check on the closed work."""

    karigar_id: int
    karigar_name: str
    allowance_pct: Decimal
    issued: Decimal
    returned: Decimal
    closed: bool
    over_allowance: bool
    stones_issued: Decimal = ZERO
    stones_returned: Decimal = ZERO
    warnings: tuple[str, ...] = ()

    @property
    def loss(self) -> Decimal:
        """Fine metal issued and not returned."""
        return self.issued - self.returned

    @property
    def loss_pct(self) -> Decimal:
        """The loss as a % of the fine metal issued (2 decimals)."""
        return loss_pct(self.issued, self.returned)


def fine_of(weight: Decimal, fineness: int) -> Decimal:
    """Grams of fine metal in ``weight`` grams of ``fineness``/1000 metal, to the milligram."""
    return (weight * fineness / 1000).quantize(MILLIGRAM, ROUND_HALF_UP)


def loss_pct(issued: Decimal, returned: Decimal) -> Decimal:
    """The loss (issued − returned) as a % of issued, to 2 decimals; 0 when nothing was issued."""
    if issued <= 0:
        return Decimal("0.00")
    return ((issued - returned) * 100 / issued).quantize(PAISA, ROUND_HALF_UP)


def receipt_warnings(totals: WorkTotals, tolerance: Decimal) -> tuple[str, ...]:
    """What to check on closed work beyond the loss allowance, each beyond the weighing ``tolerance`` (grams):
    more fine metal back than was issued (stones weighed as metal, or a wrong fineness), and stones set in
    the piece that differ from the stones issued for it."""
    if not totals.closed:
        return ()
    found = []
    if -totals.loss > tolerance:
        found.append(
            f"{-totals.loss:.3f} g more fine metal came back than was issued: check the stone weight and the fineness."
        )
    stones = totals.stones_returned - totals.stones_issued
    if totals.stones_issued and abs(stones) > tolerance:
        found.append(
            f"Stones: {totals.stones_issued:.3f} g issued, {totals.stones_returned:.3f} g in the piece "
            f"({stones:+.3f} g): check them."
        )
    return tuple(found)


def _weight(raw: str, label: str, key: str, errors: dict[str, str], required: bool) -> Decimal | None:
    value = parse_grams_field(raw, label, errors, key, required=required)
    if value is None:
        return None
    if value <= 0 or value > MAX_GRAMS:
        errors[key] = f"{label} must be more than 0 and at most {MAX_GRAMS:,.0f} g."
        return None
    return value


def _stones(raw: str, gross: Decimal | None, key: str, errors: dict[str, str]) -> Decimal:
    """Grams of stones weighed in ``gross`` grams (empty: none), less than the gross so that metal is left."""
    if not raw.strip():
        return ZERO
    stones = parse_grams_field(raw, "Stone weight", errors, key)
    if stones is not None and gross is not None and stones >= gross:
        errors[key] = "Stone weight must be less than the gross weight: the rest is the metal."
    return stones or ZERO


def _fineness(raw: str, errors: dict[str, str], key: str) -> int | None:
    text = raw.strip()
    if not text.isdigit() or not 1 <= int(text) <= 999:
        errors[key] = "Fineness is parts per thousand from 1 to 999, e.g. 916 for 22K gold."
        return None
    return int(text)


def _note(raw: str, errors: dict[str, str], key: str) -> str:
    note = " ".join(raw.split())
    if len(note) > NOTE_MAX:
        errors[key] = f"Keep the note to {NOTE_MAX} characters."
    return note


def _chosen_job(session: Session, actor: Actor, job_id: int, key: str) -> Job:
    """The job, its row locked on PostgreSQL (SQLite's write transaction already serialises), so two
    people recording the same job's work never both see it open."""
    if not job_id:
        raise ValidationError({key: "Choose the job."})
    job = get_job(session, actor, job_id)
    session.refresh(job, with_for_update=True)
    return job


def _chosen_karigar(session: Session, actor: Actor, karigar_id: int, key: str) -> Karigar:
    if not karigar_id:
        raise ValidationError({key: "Choose the karigar."})
    return get_karigar(session, actor, karigar_id)


def job_from_number(session: Session, actor: Actor, number: str) -> int:
    """The id of the job numbered ``number`` in the actor's store (a form field: errors name ``job``)."""
    if not number.strip():
        raise ValidationError({"job": "Enter the job number from the ticket."})
    try:
        return job_by_number(session, actor, number).id or 0
    except NotFound as exc:
        raise ValidationError({"job": exc.message}) from None


def _entry(
    actor: Actor, karigar: Karigar, job: Job, kind: str, gross: Decimal, stones: Decimal, fineness: int, note: str
) -> KarigarEntry:
    """A ledger row: the metal (gross − stones) signed, and its fine grams; the stones never count as fine."""
    sign = 1 if kind == "issue" else -1
    metal = gross - stones
    return KarigarEntry(
        store_id=actor.store_id,
        karigar_id=karigar.id,
        job_id=job.id,
        kind=kind,
        weight=sign * metal,
        stone_weight=stones,
        fineness=fineness,
        fine_weight=sign * fine_of(metal, fineness),
        note=note,
        user_name=actor.user_name,
    )


def issue_metal(session: Session, actor: Actor, job_id: int, karigar_id: int, data: IssueInput) -> KarigarEntry:
    """Give a karigar metal for a job; a custom order needs its approved design first."""
    actor.require(MANAGE)
    job = _chosen_job(session, actor, job_id, "job")
    if job.stage == DELIVERED:
        raise JewelError(f"{job.number} was delivered; no more metal goes out for it.")
    karigar = _chosen_karigar(session, actor, karigar_id, "issue_karigar")
    errors: dict[str, str] = {}
    weight = _weight(data.weight, "Weight", "issue_weight", errors, required=True)
    stones = _stones(data.stone_weight, weight, "issue_stone_weight", errors)
    fineness = _fineness(data.fineness, errors, "issue_fineness")
    note = _note(data.note, errors, "issue_note")
    require_fields(errors)
    if not karigar.active:
        raise JewelError(f"{karigar.name} no longer takes work; make them active again first.")
    if job.kind == "custom" and job.approved_version_id is None:
        raise JewelError(f"Metal is issued only after the customer approves a design version of {job.number}.")
    if work_totals(session, job.id, karigar).closed:
        raise JewelError(f"{karigar.name} has already returned the piece of {job.number}.")
    assert weight is not None and fineness is not None
    entry = _entry(actor, karigar, job, "issue", weight, stones, fineness, note)
    if job.karigar_id is None:
        job.karigar_id = karigar.id
    if job.metal_fineness is None:
        job.metal_fineness = fineness
    session.add_all([entry, job])
    session.flush()
    return entry


def receive_work(session: Session, actor: Actor, job_id: int, karigar_id: int, data: ReceiptInput) -> WorkTotals:
    """Take back scrap and/or the finished piece (also after the job was delivered). The piece closes the work
    and its loss is checked against the karigar's allowance (flag and a note to the managers when above).
    Returns the totals."""
    actor.require(MANAGE)
    job = _chosen_job(session, actor, job_id, "return_job")  # a delivered job's karigar may still return scrap
    karigar = _chosen_karigar(session, actor, karigar_id, "return_karigar")
    errors: dict[str, str] = {}
    piece = _weight(data.piece_weight, "Piece weight", "piece_weight", errors, required=False)
    stones = _stones(data.piece_stone_weight, piece, "piece_stone_weight", errors)
    if stones and piece is None and "piece_weight" not in errors:
        errors["piece_weight"] = "Enter the gross weight of the piece the stones are set in."
    scrap = _weight(data.scrap_weight, "Scrap weight", "scrap_weight", errors, required=False)
    fineness = _fineness(data.fineness, errors, "return_fineness")
    note = _note(data.note, errors, "return_note")
    if piece is None and scrap is None and not {"piece_weight", "scrap_weight"} & errors.keys():
        errors["piece_weight"] = "Enter the weight of the piece, the scrap, or both."
    require_fields(errors)
    before = work_totals(session, job.id, karigar)
    if before.issued <= 0:
        raise JewelError(f"No metal was issued to {karigar.name} for {job.number}.")
    if before.closed:
        raise JewelError(f"{karigar.name} has already returned the piece of {job.number}.")
    assert fineness is not None
    parts = [(kind, w, s) for kind, w, s in (("scrap", scrap, ZERO), ("piece", piece, stones)) if w is not None]
    entries = [_entry(actor, karigar, job, kind, w, s, fineness, note) for kind, w, s in parts]
    session.add_all(entries)
    session.flush()
    after = work_totals(session, job.id, karigar)
    if piece is not None and after.loss_pct > karigar.loss_allowance_pct:
        closing = entries[-1]
        closing.over_allowance = True
        session.add(closing)
        session.flush()
        _alert_managers(session, job, karigar, after)
        after = work_totals(session, job.id, karigar)
    if piece is not None and after.warnings:
        _ask_managers_to_check(session, job, karigar, after)
    return after


def _alert_managers(session: Session, job: Job, karigar: Karigar, totals: WorkTotals) -> None:
    notify_staff(
        session,
        job.store_id,
        role="manager",
        title=f"Metal loss above allowance: {karigar.name}, {job.number}",
        body=(
            f"{totals.loss:.3f} g of fine metal lost ({totals.loss_pct}%) of {totals.issued:.3f} g issued; "
            f"the allowance is {karigar.loss_allowance_pct}%."
        ),
        link=f"/repairs/karigars/{karigar.id}",
    )


def _ask_managers_to_check(session: Session, job: Job, karigar: Karigar, totals: WorkTotals) -> None:
    notify_staff(
        session,
        job.store_id,
        role="manager",
        title=f"Karigar receipt to check: {karigar.name}, {job.number}",
        body=" ".join(totals.warnings),
        link=f"/repairs/karigars/{karigar.id}",
    )


# ---------------------------------------------------------------------------- totals and rows


def _totals_statement() -> Select:
    fine = KarigarEntry.fine_weight
    return (
        select(
            Karigar.id,
            Karigar.name,
            Karigar.loss_allowance_pct,
            func.sum(case((fine > 0, fine), else_=0)),
            func.sum(case((fine < 0, -fine), else_=0)),
            func.max(case((KarigarEntry.kind == "piece", 1), else_=0)),
            func.max(case((KarigarEntry.over_allowance, 1), else_=0)),
            func.sum(case((KarigarEntry.kind == "issue", KarigarEntry.stone_weight), else_=0)),
            func.sum(case((KarigarEntry.kind == "piece", KarigarEntry.stone_weight), else_=0)),
        )
        .join(Karigar, Karigar.id == KarigarEntry.karigar_id)
        .group_by(Karigar.id, Karigar.name, Karigar.loss_allowance_pct)
    )


def _totals(row: Any, tolerance: Decimal) -> WorkTotals:
    karigar_id, name, allowance, issued, returned, closed, over, stones_issued, stones_returned = row
    totals = WorkTotals(
        karigar_id,
        name,
        allowance,
        _grams(issued),
        _grams(returned),
        bool(closed),
        bool(over),
        _grams(stones_issued),
        _grams(stones_returned),
    )
    return replace(totals, warnings=receipt_warnings(totals, tolerance))


def _tolerance(session: Session, store_id: int) -> Decimal:
    """The store's weighing tolerance in grams (the same one the pickup check uses)."""
    return Decimal(get_setting(session, store_id, "repairs.weight_tolerance"))


def _grams(total: Decimal | None) -> Decimal:
    """A SUM over the ledger's Weight column (None over no rows) as grams."""
    return ZERO if total is None else total


def work_totals(session: Session, job_id: int, karigar: Karigar) -> WorkTotals:
    """One karigar's totals on one job (zeros when they have no rows for it)."""
    row = session.execute(
        _totals_statement().where(KarigarEntry.job_id == job_id, KarigarEntry.karigar_id == karigar.id)
    ).first()
    if row is None:
        return WorkTotals(karigar.id or 0, karigar.name, karigar.loss_allowance_pct, ZERO, ZERO, False, False)
    return _totals(row, _tolerance(session, karigar.store_id))


def job_work(session: Session, actor: Actor, job_id: int) -> list[WorkTotals]:
    """Each karigar's work on a job of the actor's store."""
    get_job(session, actor, job_id)
    stmt = _totals_statement().where(KarigarEntry.job_id == job_id).order_by(Karigar.name)
    tolerance = _tolerance(session, actor.store_id)
    return [_totals(row, tolerance) for row in session.execute(stmt)]


def open_work(session: Session, actor: Actor, karigar_id: int) -> list[tuple[str, str]]:
    """Jobs the karigar has metal for and has not returned the piece of, as (job id, number) choices."""
    get_karigar(session, actor, karigar_id)
    closed = func.max(case((KarigarEntry.kind == "piece", 1), else_=0))
    stmt = (
        select(Job.id, Job.number, Job.customer_name)
        .join(KarigarEntry, KarigarEntry.job_id == Job.id)
        .where(KarigarEntry.karigar_id == karigar_id)
        .group_by(Job.id, Job.number, Job.customer_name)
        .having(closed == 0)
        .order_by(Job.id)
    )
    return [(str(i), f"{number} · {customer}" if customer else number) for i, number, customer in session.execute(stmt)]


def _entry_row(entry: KarigarEntry, actor: Actor, number: str, karigar: str) -> dict[str, Any]:
    fine = entry.fine_weight
    return {
        "id": str(entry.id),
        "at": actor.local(entry.at),
        "job": number,
        "_link": f"/repairs/jobs/{entry.job_id}" if entry.job_id else "",
        "karigar": karigar,
        "what": ENTRY_LABELS.get(entry.kind, entry.kind),
        "weight": abs(entry.weight) + entry.stone_weight,
        "stones": entry.stone_weight or None,
        "fineness": entry.fineness,
        "fine_in": fine if fine > 0 else None,
        "fine_out": -fine if fine < 0 else None,
        "note": entry.note,
        "by": entry.user_name,
        "alert": "Loss above allowance" if entry.over_allowance else "",
    }


def job_entries(session: Session, actor: Actor, job_id: int) -> list[dict[str, str]]:
    """The ledger rows of one job (every karigar), oldest first."""
    job = get_job(session, actor, job_id)
    stmt = (
        select(KarigarEntry, Karigar.name)
        .join(Karigar, Karigar.id == KarigarEntry.karigar_id)
        .where(KarigarEntry.job_id == job_id)
        .order_by(KarigarEntry.id)
    )
    return [
        shown_row(LEDGER.columns, _entry_row(entry, actor, job.number, name)) for entry, name in session.execute(stmt)
    ]


def _ledger_base(actor: Actor, q: TableQuery) -> Select:
    raw = q.filters.get("karigar", "")
    karigar_id = int(raw) if raw.isdigit() else 0
    return (
        select(KarigarEntry, Job.number, Karigar.name)
        .join(Karigar, Karigar.id == KarigarEntry.karigar_id)
        .outerjoin(Job, Job.id == KarigarEntry.job_id)
        .where(KarigarEntry.store_id == actor.store_id, KarigarEntry.karigar_id == karigar_id)
    )


def _ledger_row(r: Any, actor: Actor) -> dict[str, Any]:
    entry, number, name = r
    return _entry_row(entry, actor, number or "", name)


LEDGER = TableSpec(
    name="karigar-ledger",
    title="Karigar metal ledger",
    permission=MANAGE,
    columns=(
        Column("at", "When", kind=Kind.DATETIME),
        Column("job", "Job"),
        Column("what", "What", sortable=False),
        Column("weight", "Gross weight", sortable=False, kind=Kind.WEIGHT),
        Column("stones", "Stones", sortable=False, kind=Kind.WEIGHT),
        Column("fineness", "Fineness", sortable=False, kind=Kind.INTEGER, shown=str),
        Column("fine_in", "Fine issued", sortable=False, kind=Kind.WEIGHT),
        Column("fine_out", "Fine returned", sortable=False, kind=Kind.WEIGHT),
        Column("alert", "Alert", sortable=False),
        Column("note", "Note", sortable=False, wrap=True),
        Column("by", "By", sortable=False),
    ),
    base=_ledger_base,
    row=_ledger_row,
    sort_columns={"at": KarigarEntry.id, "job": Job.number},
    default_sort="at",
    newest_first=True,
    search_columns=(Job.number, KarigarEntry.note),
)


def _karigars_base(actor: Actor, q: TableQuery) -> Select:
    held = (
        select(KarigarEntry.karigar_id, func.sum(KarigarEntry.fine_weight).label("held"))
        .where(KarigarEntry.store_id == actor.store_id)
        .group_by(KarigarEntry.karigar_id)
        .subquery()
    )
    stmt = (
        select(Karigar, held.c.held)
        .outerjoin(held, held.c.karigar_id == Karigar.id)
        .where(Karigar.store_id == actor.store_id)
    )
    if q.filters.get("active") == "yes":
        stmt = stmt.where(Karigar.active)
    elif q.filters.get("active") == "no":
        stmt = stmt.where(~Karigar.active)
    return stmt


def _karigar_row(r: Any, actor: Actor) -> dict[str, Any]:
    karigar, held = r
    return {
        "id": str(karigar.id),
        "_link": f"/repairs/karigars/{karigar.id}",
        "name": karigar.name,
        "phone": karigar.phone,
        "allowance": karigar.loss_allowance_pct,
        "balance": _grams(held),
        "active": "Yes" if karigar.active else "No",
    }


KARIGARS = TableSpec(
    name="karigars",
    title="Karigars",
    permission=MANAGE,
    columns=(
        Column("name", "Name"),
        Column("phone", "Phone", sortable=False),
        Column("allowance", "Loss allowance", sortable=False, kind=Kind.PERCENT),
        Column("balance", "Fine metal held", sortable=False, kind=Kind.WEIGHT),
        Column("active", "Takes work", sortable=False),
    ),
    base=_karigars_base,
    row=_karigar_row,
    sort_columns={"name": Karigar.name},
    default_sort="name",
    filters=(Filter("active", "Karigars", (("yes", "Taking work"), ("no", "Not taking work"))),),
    search_columns=(Karigar.name, Karigar.phone),
)
