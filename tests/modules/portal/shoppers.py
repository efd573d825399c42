"""Two customers of MUM with the records a portal shows: an invoice selling a piece, a repair job, a gold scheme
and a wish, each made through the owning module's services (as staff would); photos of a job, some shared."""

from __future__ import annotations

from dataclasses import dataclass

from jewelerp.db import unit_of_work
from modules.billing.invoices import add_piece_line, create_draft, issue_invoice
from modules.clienteling.wishlist import add_wish
from modules.loyalty import schemes
from modules.loyalty.schemes import EnrolInput, TemplateInput
from modules.repairs.photos import job_photos, share_photo
from modules.repairs.stages import move_job
from modules.stock.pieces import PieceInput, receive_piece
from tests.modules.billing.conftest import price_gold
from tests.modules.portal.helpers import customer, signed_up
from tests.modules.repairs.intake import intake, png
from tests.modules.stock.huids import new_huid


@dataclass(frozen=True)
class Shopper:
    """A customer with a portal account and one record of each kind."""

    account_id: int
    customer_id: int
    invoice_id: int
    piece_sku: str
    job_id: int
    enrolment_id: int
    wish_id: int


def _sale(manager, gold: dict[str, int], customer_id: int) -> tuple[int, str]:
    data = PieceInput(
        str(gold["ring"]), str(gold["metal"]), "4.000", making_rule="percent", making_value="12", huid=new_huid()
    )
    with unit_of_work(manager) as session:
        piece = receive_piece(session, manager, data)
        invoice = create_draft(session, manager, customer_id=customer_id)
        add_piece_line(session, manager, invoice.id, piece.id)
        issue_invoice(session, manager, invoice.id)
        return invoice.id, piece.sku


def shoppers(world) -> tuple[Shopper, Shopper]:
    """Asha and Ravi, each registered on the portal with their own records."""
    manager = world.actor("manager")
    gold = price_gold(world)
    with unit_of_work(manager) as session:
        template = schemes.save_template(
            session, manager, TemplateInput(name="Swarna 11+1", instalment="5000", months="11")
        ).id
    made = []
    for name, email in (("Asha Rao", "asha@example.com"), ("Ravi Menon", "ravi@example.com")):
        customer_id = customer(manager, name, email=email)
        invoice_id, sku = _sale(manager, gold, customer_id)
        job_id = intake(manager, customer_id).id
        with unit_of_work(manager) as session:
            enrolment = schemes.enrol(
                session,
                manager,
                EnrolInput(
                    str(template), str(customer_id), "Nominee", "Son", id_kind="aadhaar", id_number="2345 6789 0123"
                ),
            ).id
            wish = add_wish(session, manager, customer_id, f"Emerald earrings for {name}").id
        account = signed_up(world.mum, name, email)
        made.append(Shopper(account, customer_id, invoice_id, sku, job_id, enrolment, wish))
    return made[0], made[1]


def shared_at_estimate(world, job_id: int, upload_dir) -> list[int]:
    """Move the job to "estimated" with two photos and share the first; returns both photo ids (shared first)."""
    manager = world.actor("manager")
    pictures = [("claw.png", png((200, 150, 30))), ("bench.png", png((30, 30, 200)))]
    with unit_of_work(manager) as session:
        move_job(session, manager, job_id, "estimated", "Checked the claw", pictures, upload_dir=upload_dir)
        photos = job_photos(session, manager, job_id)
        share_photo(session, manager, photos[0].id, True)
        return [photo.id for photo in photos]
