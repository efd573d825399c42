"""The job ticket: an A5 PDF handed to the customer at intake, with a QR code to their status page.

It shows the store, the job number, the customer (the phone masked to its last 4 digits unless the
staff member printing it may see contact details), the item and the work, the gross weight in, the
declared stones, condition notes, estimate, deposit, promised date, warranty, who accepted the terms
and when, and the QR of ``/r/<token>`` (or a note that the link was revoked).
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.money import format_inr
from jewelerp.pdf_fonts import document_fonts
from jewelerp.qr import qr_png
from modules.clienteling.api import shown_phone
from modules.repairs.jobs import job_stones
from modules.repairs.models import Job
from modules.repairs.records import KIND_LABELS, get_job, status_url
from modules.repairs.stages import stage_label

MARGIN = 12 * mm
QR_SIDE = 34 * mm
TERMS = (
    "The estimate can change once the piece is opened; we ask before doing more work. Weights and stones are "
    "as declared at the counter and are checked with you at pickup. Please bring this ticket to collect the piece."
)
LINE = colors.HexColor("#d9d2c5")


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()["BodyText"]
    fonts = document_fonts()
    return {
        "body": ParagraphStyle("body", parent=base, fontName=fonts.regular, fontSize=8.5, leading=11),
        "small": ParagraphStyle(
            "small", parent=base, fontName=fonts.regular, fontSize=7, leading=9, textColor=colors.grey
        ),
        "store": ParagraphStyle("store", parent=base, fontName=fonts.bold, fontSize=13, leading=16),
        "title": ParagraphStyle("title", parent=base, fontName=fonts.bold, fontSize=11, leading=14),
        "label": ParagraphStyle(
            "label", parent=base, fontName=fonts.regular, fontSize=8, leading=10, textColor=colors.grey
        ),
    }


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _facts(actor: Actor, job: Job, styles: dict[str, ParagraphStyle]) -> Table:
    rows = [
        ("Customer", f"{job.customer_name}  {shown_phone(actor, job.customer_phone)}".strip()),
        ("Item", job.item_description),
        ("Work", job.requested_work),
        ("Weight in", f"{job.weight_in} g (gross)" if job.weight_in is not None else ""),
        ("Condition", job.condition_notes),
        ("Estimate", format_inr(job.estimate)),
        ("Deposit", format_inr(job.deposit)),
        ("Promised for", job.promised_on.strftime("%d %b %Y") if job.promised_on else ""),
        ("Warranty", f"{job.warranty_days} days from delivery" if job.warranty_days else ""),
        ("Stage", stage_label(job.stage)),
    ]
    if job.terms_accepted_at:
        when = actor.local(job.terms_accepted_at).strftime("%d %b %Y %H:%M")
        rows.append(("Terms accepted", f"by {job.terms_accepted_by} on {when}"))
    data = [[_p(label, styles["label"]), _p(value, styles["body"])] for label, value in rows if value]
    table = Table(data, colWidths=[28 * mm, None])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return table


def _stones(session: Session, actor: Actor, job: Job, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    stones = job_stones(session, actor, job.id)
    if not stones:
        return []
    data = [[_p(h, styles["label"]) for h in ("Stones declared", "Count", "Carats", "Inscription")]]
    data += [[_p(s.kind, styles["body"]), s.count, f"{s.carats}", _p(s.inscription, styles["body"])] for s in stones]
    table = Table(data, colWidths=[None, 14 * mm, 18 * mm, 30 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), document_fonts().regular, 8.5),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
                ("ALIGN", (1, 1), (2, -1), "RIGHT"),
            ]
        )
    )
    return [Spacer(1, 3 * mm), table]


def _qr(session: Session, job: Job, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    if job.token_revoked_at is not None:
        return [_p("The status link of this ticket was withdrawn; ask the store for a new ticket.", styles["small"])]
    url = status_url(session, job)
    code = Image(io.BytesIO(qr_png(url)), width=QR_SIDE, height=QR_SIDE)
    caption = [_p("Scan to follow your job", styles["title"]), _p(url, styles["small"])]
    table = Table([[code, caption]], colWidths=[QR_SIDE + 4 * mm, None])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    return [table]


def ticket_pdf(session: Session, actor: Actor, job_id: int) -> bytes:
    """The job ticket of a job in the actor's store, as PDF bytes."""
    job = get_job(session, actor, job_id)
    store = session.get(Store, job.store_id)
    styles = _styles()
    taken = actor.local(job.created_at).strftime("%d %b %Y %H:%M")
    story: list[Flowable] = [
        _p(store.name if store else "", styles["store"]),
        _p(store.address if store else "", styles["small"]),
        Spacer(1, 3 * mm),
        _p(f"{KIND_LABELS.get(job.kind, 'Job')} ticket {job.number}", styles["title"]),
        _p(f"Taken in on {taken} by {job.created_by}", styles["small"]),
        Spacer(1, 3 * mm),
        _facts(actor, job, styles),
        *_stones(session, actor, job, styles),
        Spacer(1, 4 * mm),
        *_qr(session, job, styles),
        Spacer(1, 3 * mm),
        _p(TERMS, styles["small"]),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A5,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"Job ticket {job.number}",
        author=store.name if store else "",
        creator="JewelERP",
    )
    document.build(story)
    return buffer.getvalue()


def ticket_file_name(job: Job) -> str:
    """``RP-MUM-000012-ticket.pdf``."""
    return f"{job.number}-ticket.pdf"


def ticket_file(session: Session, actor: Actor, job_id: int) -> tuple[str, bytes]:
    """The ticket's file name and PDF bytes, for a download."""
    content = ticket_pdf(session, actor, job_id)  # checks the permission and the store
    return ticket_file_name(get_job(session, actor, job_id)), content
