"""The customer's status page, reached by the QR code on the job ticket.

``GET /r/<token>`` is a server-rendered page (inline CSS, no JavaScript, no login) showing the store,
the job number, the item and the work asked for, the current stage among the store's stages, the
promised date, the photos the store chose to share, the estimate and the balance: no other price,
nothing about the customer. ``/r/<token>/photo/<n>`` serves the n-th shared photo (from 0) from the private
files folder, only while the token is live and the photo shared (never cached without asking again). An
unknown or revoked token, or a store where repairs is off, gets a plain "Not found" with status 404.

The token is random (256 bits); staff can revoke it or issue a new one (the printed ticket then stops working).

The page is cached per token (:func:`jewelerp.ui.public_page.serve_public_page`): the token is looked up at
most once a second per worker, and the page is rendered again only when the job's ``public_changed_at`` moved
(a change to the job, its photos or a stage move: :mod:`modules.repairs.models`; money taken in billing:
:func:`touch_public_page`) or after 10 minutes (the store's name, its stages and their labels are not stamped).
A browser's conditional GET gets 304.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jewelerp.auth.actor import Actor
from jewelerp.auth.service import system_actor
from jewelerp.core.models import Store
from jewelerp.db import read_session, utcnow
from jewelerp.files import file_response, find
from jewelerp.money import format_inr
from jewelerp.ui.public_page import (
    PAGE_CACHE,
    STYLE,
    PageRecord,
    document_head,
    escape,
    live_record,
    not_found_page,
    serve_public_page,
)
from modules.repairs.models import Job, JobPhoto
from modules.repairs.payments import balance_due
from modules.repairs.records import KIND_LABELS, get_job, new_token
from modules.repairs.stages import stage_label, stages_for

EXTRA_STYLE = """
.stage{font-size:1.3rem;font-weight:700;color:var(--gold);margin:.1rem 0 .8rem}
ol.stages{list-style:none;margin:0;padding:0}
ol.stages li{padding:.25rem 0 .25rem 1.6rem;position:relative;color:var(--muted)}
ol.stages li::before{content:"";position:absolute;left:.2rem;top:.6rem;width:.7rem;height:.7rem;border-radius:50%;
border:2px solid var(--line)}
ol.stages li.done{color:var(--ink)}ol.stages li.done::before{background:var(--gold);border-color:var(--gold)}
ol.stages li.now{color:var(--ink);font-weight:700}ol.stages li.now::before{background:var(--gold-soft);
border-color:var(--gold)}
"""


def revoke_link(session: Session, actor: Actor, job_id: int) -> Job:
    """Stop the job's status link from working (its page answers "not found"); already revoked is fine."""
    job = get_job(session, actor, job_id, "repairs.job.edit")
    if job.token_revoked_at is None:
        job.token_revoked_at = utcnow()
        session.add(job)
        session.flush()
    return job


def reissue_link(session: Session, actor: Actor, job_id: int) -> Job:
    """Give the job a new status link; the old one (and the printed ticket's QR) stops working."""
    job = get_job(session, actor, job_id, "repairs.job.edit")
    job.public_token = new_token()
    job.token_revoked_at = None
    session.add(job)
    session.flush()
    return job


def touch_public_page(session: Session, actor: Actor, job_id: int) -> None:
    """Mark the status page of a job of the actor's store as changed, so it is rendered afresh: for another
    module that changed what the page shows (the balance, from what billing received)."""
    job = get_job(session, actor, job_id)
    job.public_changed_at = utcnow()
    session.add(job)
    session.flush()


def find_job(session: Session, token: str) -> Job | None:
    """The job whose live token is ``token``, if repairs is on in its store; None otherwise."""
    record = live_record(session, Job, "repairs", token)
    return session.get(Job, record.id) if record is not None else None


def shared_photos(session: Session, job: Job) -> list[JobPhoto]:
    """The photos of ``job`` the store shares with the customer, oldest first."""
    stmt = select(JobPhoto).where(JobPhoto.job_id == job.id, JobPhoto.shared).order_by(JobPhoto.id)
    return list(session.exec(stmt))


def _stages_list(session: Session, job: Job) -> str:
    stages = stages_for(session, job.store_id, job.kind)
    now = stages.index(job.stage) if job.stage in stages else -1
    items = []
    for index, stage in enumerate(stages):
        css = "done" if index < now else "now" if index == now else ""
        items.append(f'<li class="{css}">{escape(stage_label(stage))}</li>')
    return f'<ol class="stages">{"".join(items)}</ol>'


def render_page(session: Session, job: Job, actor: Actor) -> str:
    """The status page of ``job`` as a complete HTML document."""
    store = session.get(Store, job.store_id)
    store_name = store.name if store else ""
    photos = "".join(
        f'<img src="/r/{escape(job.public_token)}/photo/{n}" alt="{escape(p.caption or "Photo")}">'
        for n, p in enumerate(shared_photos(session, job))
    )
    facts = [
        ("Item", job.item_description),
        ("Work", job.requested_work),
        ("Promised for", job.promised_on.strftime("%d %b %Y") if job.promised_on else ""),
        ("Delivered", actor.local(job.delivered_at).strftime("%d %b %Y") if job.delivered_at else ""),
        ("Estimate", format_inr(job.estimate) if job.estimate > 0 else ""),
        ("Balance to pay", format_inr(balance_due(session, actor, job))),
    ]
    rows = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in facts if value)
    body = (
        (f'<div class="photos">{photos}</div>' if photos else "")
        + f"<h1>{escape(KIND_LABELS.get(job.kind, 'Job'))} {escape(job.number)}</h1>"
        + f'<p class="stage">{escape(stage_label(job.stage))}</p>'
        + f"<section><dl>{rows}</dl></section>"
        + f"<section><h2>Progress</h2>{_stages_list(session, job)}</section>"
    )
    return (
        document_head(job.number, store_name, STYLE + EXTRA_STYLE)
        + f'<header><div class="store">{escape(store_name)}</div><div class="sub">Job status</div></header>'
        f"<main>{body}</main>"
        f"<footer>Questions about your job? Please contact {escape(store_name)} with the number {escape(job.number)}."
        "</footer></body></html>"
    )


def _render(session: Session, record: PageRecord) -> str:
    """The page of the job :func:`~jewelerp.ui.public_page.live_record` found, when it is not cached."""
    return render_page(session, session.get_one(Job, record.id), system_actor(session, record.store_id))


def not_found() -> Response:
    """The plain 404 page for unknown and revoked tokens (never cached)."""
    return not_found_page("This job link does not exist or is no longer valid. Please ask the store for a new ticket.")


def routes(upload_dir: Path | None = None) -> list[Route]:
    """The public routes, mounted beside the app through ``contributions['core.api_routes']``.

    ``upload_dir`` is where photos are stored; by default the private files folder.
    """

    async def page(request: Request) -> Response:
        return await serve_public_page(request, "r", Job, "repairs", _render, not_found)

    def photo(request: Request) -> Response:
        with read_session() as session:
            job = find_job(session, request.path_params["token"])
            photos = shared_photos(session, job) if job is not None else []
        index = request.path_params["n"]
        target = find(photos[index].path, upload_dir) if 0 <= index < len(photos) else None
        if job is None or target is None:
            return not_found()
        return file_response(request, target, f"{job.number}-{index + 1}", PAGE_CACHE)

    return [
        Route("/r/{token}", page, methods=["GET"]),
        Route("/r/{token}/photo/{n:int}", photo, methods=["GET"]),
    ]
