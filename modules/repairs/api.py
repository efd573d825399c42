"""What other modules may use of repairs: job lookups, the charge and balance of a job (and its quote for an online
payment, :data:`BALANCE_PURPOSE`, see :mod:`modules.repairs.online`), labels, and telling the
customer's status page that what it shows changed (:func:`touch_public_page`: a payment taken elsewhere). Each
stage move is announced live on the job's channel (:func:`job_channel`, see ``jewelerp.live``).

``create_job`` takes a job in at the counter (a demo's or an importer's records), with its photos;
``job_photos`` lists a job's photos and ``share_photo`` shows one to the customer (or stops showing it).
``customer_shared_photos`` and ``customer_photo_file`` give a customer portal the photos shared on the jobs of the
customer ids it passes (which it must take from its signed-in customer, never from the browser).

Functions that take ``(session, actor)`` check the actor's permission like the page that does the same.
``Job`` is exported as a type for annotations only: read what a service returns, and query or change
jobs only through these services (the boundary test refuses any other use).
"""

from modules.repairs.jobs import JobInput, create_job
from modules.repairs.models import Job
from modules.repairs.online import PURPOSE as BALANCE_PURPOSE
from modules.repairs.online import BalanceQuote, balance_quote, online_balance_problem, paid_job
from modules.repairs.payments import balance_due, charge_of
from modules.repairs.photos import job_photos, share_photo
from modules.repairs.public import touch_public_page
from modules.repairs.records import KIND_LABELS, customer_jobs, delivered_jobs, get_job, job_by_number
from modules.repairs.shared_photos import SharedPhoto, customer_photo_file, customer_shared_photos
from modules.repairs.stages import job_channel, stage_label

JOB_VIEW = "repairs.job.view"

__all__ = [
    "BALANCE_PURPOSE",
    "JOB_VIEW",
    "KIND_LABELS",
    "BalanceQuote",
    "Job",
    "JobInput",
    "SharedPhoto",
    "balance_due",
    "balance_quote",
    "charge_of",
    "create_job",
    "customer_jobs",
    "customer_photo_file",
    "customer_shared_photos",
    "delivered_jobs",
    "get_job",
    "job_by_number",
    "job_channel",
    "job_photos",
    "online_balance_problem",
    "paid_job",
    "share_photo",
    "stage_label",
    "touch_public_page",
]
