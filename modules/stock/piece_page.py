"""One piece: details, stones, photos, ledger, certificates, provenance, its QR tag and public
link, and the movements it may make next (transfer, memo, repair, melt, write off ...)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.staging import discard
from jewelerp.ui.downloads import download_pdf
from jewelerp.ui.file_uploads import StagedBatch, UploadRule, forget_staged, receive_uploads, stage_uploads
from jewelerp.ui.forms import fact, field, field_error, select_field
from jewelerp.ui.private_files import file_src
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from jewelerp.ui.uploads import labelled_upload
from modules.stock.certificates import (
    LABS,
    MAX_FILE_BYTES,
    STONE_KINDS,
    CertificateInput,
    add_certificate,
    certificate_rows,
    local_today,
    prepare_document,
)
from modules.stock.images import MAX_BYTES as MAX_IMAGE_BYTES
from modules.stock.images import image_rows, prepare_image, save_image
from modules.stock.ledger import RULES, move
from modules.stock.masters import as_choices, party_options
from modules.stock.pieces import get_piece, record_huid
from modules.stock.provenance import KINDS, add_event, timeline
from modules.stock.tables import available_moves, movement_rows, other_branches, piece_details, stone_rows
from modules.stock.tags import label_sheet_pdf, piece_url, reissue_token, revoke_token

IMAGE_UPLOAD = "piece-images"
EDIT = "stock.certificate.edit"
DOCUMENT_RULES = {
    purpose: UploadRule(f"stock-{purpose}", EDIT, "file", prepare_document, MAX_FILE_BYTES)
    for purpose in ("certificate", "provenance")
}
IMAGE_RULE = UploadRule("stock-images", EDIT, "image", prepare_image, MAX_IMAGE_BYTES, max_files=6)
CERTIFICATE_TEXT = (
    "lab",
    "report_number",
    "issued_on",
    "stone_kind",
    "carat",
    "shape",
    "colour",
    "clarity",
    "cut",
    "measurements",
    "fluorescence",
    "species",
    "origin",
    "treatment",
    "verify_note",
)
PROVENANCE_TEXT = ("kind", "on", "place", "party", "document", "note")


def _timeline_rows(session: Session, actor: Actor, piece_id: int) -> list[dict[str, str]]:
    get_piece(session, actor, piece_id)
    return [
        {
            "id": str(e.id),
            "on": e.on_text,
            "what": e.label,
            "place": e.place,
            "party": e.party,
            "document": e.document,
            "note": e.note,
            "corrected": "yes" if e.corrected else "",
            "corrects": str(e.corrects_id or ""),
            "has_file": "yes" if e.has_file else "",
            "by": e.recorded_by,
        }
        for e in reversed(timeline(session, piece_id, public=False))
    ]


class PieceState(AppState):
    """What the piece page shows (one piece: a few dozen rows at most)."""

    piece: dict[str, str] = {}
    stones: list[dict[str, str]] = []
    movements: list[dict[str, str]] = []
    certificates: list[dict[str, str]] = []
    provenance: list[dict[str, str]] = []
    images: list[dict[str, str]] = []
    moves: list[dict[str, str]] = []
    branches: list[dict[str, str]] = []
    parties: list[dict[str, str]] = []
    public_link: str = ""
    qr_src: str = ""
    can_certify: bool = False
    can_tag: bool = False
    can_receive: bool = False
    correctable: list[dict[str, str]] = []
    today: str = ""
    found: bool = False
    action: str = ""
    version: int = 0
    staged: dict[str, str] = {}
    _staged_files: dict[str, list[dict[str, str]]] = {}  # staged on disk: ids and names only

    def _id(self) -> int:
        return self._route_number("piece_id")

    def _reload(self) -> None:
        piece_id = self._id()

        def work(session: Session, actor: Actor) -> dict[str, Any]:
            piece = get_piece(session, actor, piece_id)
            return {
                "piece": piece_details(session, actor, piece_id),
                "stones": stone_rows(session, actor, piece_id),
                "movements": movement_rows(session, actor, piece_id),
                "certificates": certificate_rows(session, actor, piece_id),
                "provenance": _timeline_rows(session, actor, piece_id),
                "images": image_rows(session, actor, piece_id),
                "moves": available_moves(session, actor, piece_id),
                "branches": as_choices([("", "Choose the branch"), *other_branches(session, actor)]),
                "parties": as_choices([("", "Choose the party"), *party_options(session, actor)]),
                "public_link": piece_url(session, piece) if piece.token_revoked_at is None else "",
                "can_certify": actor.can("stock.certificate.edit"),
                "can_tag": actor.can("stock.tag.manage"),
                "can_receive": actor.can("stock.piece.receive"),
                "today": local_today(actor).isoformat(),
            }

        data = self._open_record(piece_id, work, "That piece does not exist.")
        if data is None:
            return
        for key, value in data.items():
            setattr(self, key, value)
        self.correctable = [{"value": "", "label": "No"}] + [
            {"value": e["id"], "label": f"{e['on']} {e['what']}"} for e in self.provenance if e["corrected"] != "yes"
        ]
        token = self.piece.get("token", "")
        self.qr_src = f"{rx.config.get_config().api_url}/c/{token}/qr.png" if token else ""
        self.version += 1

    @rx.event
    def load(self) -> None:
        """Open the page for the piece in the URL."""
        self._clear_messages()
        self.action = ""
        self._reload()

    # ------------------------------------------------------------------ movements

    @rx.event
    def choose_action(self, kind: str) -> None:
        """Open the form of one movement (or close it when chosen again)."""
        self._clear_messages()
        self.action = "" if self.action == kind else kind
        self.version += 1

    @rx.event
    def cancel_action(self) -> None:
        """Close the movement form."""
        self._clear_messages()
        self.action = ""

    @rx.event
    def do_move(self, form: dict) -> None:
        """Record the chosen movement in the ledger."""
        kind, piece_id = self.action, self._id()
        if kind not in RULES:
            return
        store = str(form.get("to_store_id", ""))
        party = str(form.get("party_id", ""))
        reason, reference = str(form.get("reason", "")), str(form.get("reference", ""))

        def work(session: Session, actor: Actor) -> object:
            return move(
                session,
                actor,
                piece_id,
                kind,
                to_store_id=int(store) if store.isdigit() else None,
                party_id=int(party) if party.isdigit() else None,
                reason=reason,
                reference=reference,
            )

        done = f"{self.piece.get('sku', '')}: {RULES[kind].label.lower()} recorded."
        result = self._run(work, done=done)
        if result is not None:
            self.action = ""
        self._after(result)

    @rx.event
    def save_huid(self, form: dict) -> None:
        """Record or correct the piece's BIS HUID."""
        piece_id = self._id()

        def work(session: Session, actor: Actor) -> str:
            piece = record_huid(session, actor, piece_id, str(form.get("huid", "")))
            return f"{piece.sku}: HUID {piece.huid} recorded."

        message = self._run(work)
        if message is not None:
            self._say(message)
        self._after(message)

    # ------------------------------------------------------------------ certificates, provenance, photos

    async def _stage(self, purpose: str, files: list[rx.UploadFile]) -> None:
        """Check a chosen file and keep it on the server (on disk) until its form is saved."""
        self._forget_staged(purpose)
        entries = await stage_uploads(self, files, DOCUMENT_RULES[purpose], [])
        if entries:
            self._staged_files = {**self._staged_files, purpose: entries}
            self.staged = {**self.staged, purpose: entries[0]["name"]}

    def _staged_batch(self, purpose: str) -> StagedBatch:
        return StagedBatch(DOCUMENT_RULES[purpose].purpose, self._staged_files.get(purpose, []))

    def _forget_staged(self, purpose: str) -> None:
        forget_staged(self, DOCUMENT_RULES[purpose], self._staged_files.get(purpose, []))
        self._staged_files = {k: v for k, v in self._staged_files.items() if k != purpose}
        self.staged = {k: v for k, v in self.staged.items() if k != purpose}

    @rx.event
    async def stage_report(self, files: list[rx.UploadFile]) -> None:
        """Hold the lab report file for the certificate form."""
        await self._stage("certificate", files)

    @rx.event
    async def stage_document(self, files: list[rx.UploadFile]) -> None:
        """Hold a document (e.g. a Kimberley Process certificate scan) for the provenance form."""
        await self._stage("provenance", files)

    @rx.event
    def add_certificate(self, form: dict) -> None:
        """Attach a lab certificate, with its report file when one was chosen."""
        data = CertificateInput(
            **{k: str(form.get(k, "")) for k in CERTIFICATE_TEXT}, lab_grown=bool(form.get("lab_grown"))
        )
        piece_id, staged = self._id(), self._staged_batch("certificate")
        done = f"Certificate {data.report_number.strip().upper()} added."
        saved = self._run(lambda s, a: add_certificate(s, a, piece_id, data, *staged.take_one(a)), done=done)
        if saved is not None:
            self._forget_staged("certificate")
        self._after(saved)

    @rx.event
    def add_provenance(self, form: dict) -> None:
        """Append an event to the chain of custody, with its document when one was chosen."""
        text = {k: str(form.get(k, "")) for k in PROVENANCE_TEXT}
        raw = str(form.get("corrects_id", ""))
        corrects = int(raw) if raw.isdigit() else None
        piece_id, staged = self._id(), self._staged_batch("provenance")

        def work(session: Session, actor: Actor) -> Any:
            name, document = staged.take_one(actor)
            return add_event(
                session, actor, piece_id, **text, file_name=name, file_bytes=document, corrects_id=corrects
            )

        saved = self._run(work, done="Provenance event added.")
        if saved is not None:
            self._forget_staged("provenance")
        self._after(saved)

    @rx.event
    async def upload_images(self, files: list[rx.UploadFile]) -> None:
        """Add the chosen photos to the piece (the session and permission are checked before they are read)."""
        piece_id, photos = self._id(), await receive_uploads(self, files, IMAGE_RULE)
        if not photos:
            if not files:
                self._say("Choose one or more photos first.", ok=False)
            return

        def work(session: Session, actor: Actor) -> int:
            for photo in photos:
                save_image(session, actor, piece_id, photo)
            return len(photos)

        saved = self._run(work, done=f"{len(photos)} photo(s) added.")
        discard(photos)
        self._after(saved)

    # ------------------------------------------------------------------ tag and public link

    @rx.event
    def print_tag(self) -> EventSpec | None:
        """This piece's tag as a PDF label sheet."""
        piece_id, sku = self._id(), self.piece.get("sku", "piece")
        content = self._run(lambda s, a: label_sheet_pdf(s, a, [piece_id]), write=False)
        if content is None:
            return None
        return download_pdf(content, f"tag-{sku}.pdf")

    @rx.event
    def revoke_link(self) -> None:
        """Stop the public link (and printed QR) from working."""
        piece_id = self._id()
        self._after(self._run(lambda s, a: revoke_token(s, a, piece_id), done="The public link was revoked."))

    @rx.event
    def reissue_link(self) -> None:
        """Give the piece a new public link; old tags stop working."""
        piece_id = self._id()
        done = "A new public link was issued. Print a new tag."
        self._after(self._run(lambda s, a: reissue_token(s, a, piece_id), done=done))


# ---------------------------------------------------------------------------- pieces of the page


def _panel(title: str, *children: rx.Component, **props: Any) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%"), width="100%", **props)


def _table(headers: list[str], rows: rx.Var, keys: list[str], empty: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(
                    rx.foreach(rows, lambda r: rx.table.row(*[rx.table.cell(r[k], white_space="nowrap") for k in keys]))
                ),
                size="1",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.text(empty, size="2", color_scheme="gray"),
    )


def _status_badge() -> rx.Component:
    status = PieceState.piece["status"]
    return rx.badge(
        PieceState.piece["status_label"],
        color_scheme=rx.match(
            status,
            ("in_stock", "green"),
            ("in_transit", "blue"),
            ("reserved", "amber"),
            ("sold", "gray"),
            ("on_memo", "purple"),
            ("in_repair", "orange"),
            "red",
        ),
        size="3",
    )


def _huid_form() -> rx.Component:
    """Record or correct the HUID (managers, at the piece's branch, until it is sold)."""
    p = PieceState.piece
    return rx.cond(
        PieceState.can_receive & (p["here"] == "yes") & (p["status"] != "sold"),
        rx.el.details(
            rx.el.summary(
                rx.text(rx.cond(p["huid"] == "", "Record the HUID", "Correct the HUID"), size="2", as_="span")
            ),
            _small_form(
                PieceState.save_huid,
                "Save HUID",
                field("BIS HUID", "huid", default_value=p["huid"], hint="6 letters or digits, as stamped"),
            ),
            width="100%",
            max_width="24rem",
        ),
    )


def _summary() -> rx.Component:
    p = PieceState.piece
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.heading(p["sku"], size="7"),
                _status_badge(),
                rx.text(p["category"], " · ", p["metal"], size="3", color_scheme="gray"),
                rx.spacer(),
                rx.link("All stock", href="/stock/pieces", size="2"),
                spacing="3",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(p["description"] != "", rx.text(p["description"], size="2")),
            _huid_form(),
            rx.grid(
                rx.vstack(
                    fact("Gross weight", p["gross"]),
                    fact("Stone weight", p["stone_weight"]),
                    fact("Net weight", p["net"]),
                    fact("Size", p["size"]),
                    fact("HUID", p["huid"]),
                    fact("Design", p["design"]),
                    fact("Batch", p["batch"]),
                    spacing="1",
                ),
                rx.vstack(
                    fact("Branch", p["branch"]),
                    fact("On its way to", p["destination"]),
                    fact("Making charge", p["making"]),
                    fact("Wastage", p["wastage"]),
                    fact("Cost price", p["cost"]),
                    fact("Consignment", p["consignment"]),
                    fact("From / with", p["party"]),
                    fact("Received", p["received"]),
                    spacing="1",
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _move_form() -> rx.Component:
    needs = PieceState.moves.to(list[dict[str, str]])
    chosen = PieceState.action
    return rx.cond(
        chosen != "",
        rx.form(
            rx.vstack(
                rx.foreach(
                    needs,
                    lambda m: rx.cond(
                        m["kind"] == chosen,
                        rx.vstack(
                            rx.text(m["label"], weight="bold", size="3"),
                            rx.cond(
                                m["needs_store"] == "yes",
                                select_field("Send to branch", "to_store_id", PieceState.branches),
                            ),
                            rx.cond(
                                m["needs_party"] == "yes",
                                select_field("Memo party", "party_id", PieceState.parties),
                            ),
                            rx.cond(m["needs_reason"] == "yes", field("Reason", "reason")),
                            width="100%",
                            spacing="3",
                        ),
                    ),
                ),
                field("Reference (optional)", "reference", hint="Challan, memo or job number"),
                rx.hstack(
                    rx.button("Confirm", type="submit"),
                    rx.button(
                        "Cancel", type="button", variant="soft", color_scheme="gray", on_click=PieceState.cancel_action
                    ),
                ),
                spacing="3",
                width="100%",
                max_width="32rem",
            ),
            on_submit=PieceState.do_move,
            no_validate=True,
            reset_on_submit=False,
            key=PieceState.version.to_string(),
            width="100%",
        ),
    )


def _moves_panel() -> rx.Component:
    return rx.cond(
        PieceState.moves.length() > 0,
        _panel(
            "Move this piece",
            rx.flex(
                rx.foreach(
                    PieceState.moves,
                    lambda m: rx.button(
                        m["label"],
                        variant=rx.cond(PieceState.action == m["kind"], "solid", "soft"),
                        color_scheme=rx.cond((m["kind"] == "melt") | (m["kind"] == "write_off"), "red", "amber"),
                        on_click=PieceState.choose_action(m["kind"]),
                    ),
                ),
                spacing="2",
                wrap="wrap",
            ),
            _move_form(),
        ),
    )


def _tag_panel() -> rx.Component:
    token = PieceState.piece["token"]
    return _panel(
        "Tag and public page",
        rx.cond(
            token != "",
            rx.flex(
                rx.image(
                    src=PieceState.qr_src,
                    alt="QR code of " + PieceState.piece["sku"],
                    width="140px",
                    height="140px",
                    border="1px solid var(--gray-a5)",
                    border_radius="var(--radius-2)",
                ),
                rx.vstack(
                    rx.text("Customers who scan the tag open:", size="2", color_scheme="gray"),
                    rx.link(
                        PieceState.public_link,
                        href=PieceState.public_link,
                        is_external=True,
                        size="2",
                        word_break="break-all",
                        aria_label="Public page link: " + PieceState.public_link,
                    ),
                    rx.cond(
                        PieceState.can_tag,
                        rx.flex(
                            rx.button(rx.icon("printer", size=16), "Print tag", on_click=PieceState.print_tag),
                            rx.button(
                                "Revoke public link",
                                variant="soft",
                                color_scheme="red",
                                on_click=PieceState.revoke_link,
                            ),
                            rx.button("Issue new link", variant="soft", on_click=PieceState.reissue_link),
                            spacing="2",
                            wrap="wrap",
                        ),
                    ),
                    spacing="2",
                    min_width="0",
                    flex="1 1 14rem",
                ),
                spacing="4",
                wrap="wrap",
                align="start",
            ),
            rx.vstack(
                rx.text("The public link is revoked: the printed QR shows “not found”.", size="2", color_scheme="gray"),
                rx.cond(
                    PieceState.can_tag,
                    rx.button("Issue new link", variant="soft", on_click=PieceState.reissue_link),
                ),
                spacing="2",
            ),
        ),
    )


def _thumb(image: dict) -> rx.Component:
    return rx.link(
        rx.image(
            src=file_src("stock/thumb/" + image["id"]),
            alt="Photo of " + PieceState.piece["sku"],
            width="120px",
            height="120px",
            object_fit="cover",
            border_radius="var(--radius-2)",
        ),
        href=file_src("stock/image/" + image["id"]),
        is_external=True,
    )


def _images_panel() -> rx.Component:
    can_add = PieceState.can_certify & (PieceState.piece["here"] == "yes")
    return _panel(
        "Photos",
        rx.cond(
            PieceState.images.length() > 0,
            rx.flex(rx.foreach(PieceState.images, _thumb), spacing="2", wrap="wrap"),
            rx.text("No photos yet.", size="2", color_scheme="gray"),
        ),
        rx.cond(
            can_add,
            rx.vstack(
                labelled_upload(
                    rx.button(rx.icon("camera", size=14), "Choose photos", size="2", variant="soft", type="button"),
                    id=IMAGE_UPLOAD,
                    accept={"image/*": [".jpg", ".jpeg", ".png", ".webp"]},
                    multiple=True,
                    max_files=6,
                    border="none",
                    padding="0",
                    label="Piece photos",
                ),
                rx.foreach(rx.selected_files(IMAGE_UPLOAD), lambda f: rx.text(f, size="1")),
                rx.cond(
                    rx.selected_files(IMAGE_UPLOAD).length() > 0,
                    rx.button(
                        "Save photos",
                        size="2",
                        on_click=[
                            PieceState.upload_images(rx.upload_files(upload_id=IMAGE_UPLOAD)),
                            rx.clear_selected_files(IMAGE_UPLOAD),
                        ],
                    ),
                ),
                field_error("image"),
                spacing="2",
            ),
        ),
    )


def _file_picker(purpose: str, label: str, handler: Any) -> rx.Component:
    """Choose a file for a form; it is sent at once and attached when the form is saved."""
    upload_id = f"{purpose}-file"
    return rx.vstack(
        labelled_upload(
            rx.button(rx.icon("paperclip", size=14), label, size="1", variant="outline", type="button"),
            id=upload_id,
            accept={"application/pdf": [".pdf"], "image/*": [".jpg", ".jpeg", ".png", ".webp"]},
            multiple=False,
            max_files=1,
            border="none",
            padding="0",
            on_drop=handler(rx.upload_files(upload_id=upload_id)),
            label=label,
        ),
        rx.cond(
            PieceState.staged.contains(purpose),
            rx.text("Will attach: ", PieceState.staged[purpose], size="1", color_scheme="green"),
        ),
        field_error("file"),
        spacing="1",
    )


def _small_form(on_submit: Any, button: str, *children: rx.Component) -> rx.Component:
    return rx.form(
        rx.vstack(
            *children,
            rx.button(button, type="submit", variant="soft"),
            spacing="3",
            width="100%",
        ),
        on_submit=on_submit,
        no_validate=True,
        reset_on_submit=False,
        key=PieceState.version.to_string(),
        width="100%",
    )


def _grid(*children: rx.Component) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", sm="2", xl="3"), spacing="2", width="100%")


def _certificate(row: dict) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.badge(row["lab"], size="2"),
            rx.text(row["report_number"], weight="bold", size="2"),
            rx.text(row["issued_on"], size="2", color_scheme="gray"),
            rx.cond(
                row["file"] != "",
                rx.link(row["file_kind"], href=file_src("stock/certificate/" + row["id"]), is_external=True, size="2"),
            ),
            wrap="wrap",
            align="center",
        ),
        rx.text(row["summary"], size="2"),
        rx.text(row["verify_note"], size="1", color_scheme="gray"),
        padding_y="0.5rem",
        border_bottom="1px solid var(--gray-a4)",
        width="100%",
    )


def _certificates_panel() -> rx.Component:
    can_add = PieceState.can_certify & (PieceState.piece["here"] == "yes")
    return _panel(
        "Certificates",
        rx.cond(
            PieceState.certificates.length() > 0,
            rx.vstack(rx.foreach(PieceState.certificates, _certificate), spacing="0", width="100%"),
            rx.text("No certificates yet.", size="2", color_scheme="gray"),
        ),
        rx.cond(
            can_add,
            rx.el.details(
                rx.el.summary(rx.text("Add a certificate", size="2", weight="medium", as_="span")),
                _small_form(
                    PieceState.add_certificate,
                    "Add certificate",
                    _grid(
                        select_field("Lab", "lab", [(k, "Another lab" if k == "other" else k) for k in LABS]),
                        field("Report number", "report_number"),
                        field("Report date", "issued_on", type="date"),
                        select_field("Stone", "stone_kind", [(k, k.title()) for k in STONE_KINDS]),
                        field("Carat weight", "carat", input_mode="decimal", hint="Diamonds, e.g. 1.010"),
                        field("Shape", "shape", hint="e.g. Round brilliant"),
                        field("Colour", "colour", hint="Diamonds D to Z"),
                        field("Clarity", "clarity", hint="e.g. VS1"),
                        field("Cut", "cut", hint="e.g. Excellent"),
                        field("Measurements", "measurements"),
                        field("Fluorescence", "fluorescence", hint="None, Faint, Medium ..."),
                        field("Species", "species", hint="Coloured stones, e.g. Natural corundum"),
                        field("Origin", "origin"),
                        field("Treatment", "treatment"),
                        field("How to verify", "verify_note", hint="Left empty: the lab's usual check"),
                    ),
                    rx.el.label(
                        rx.hstack(
                            rx.el.input(type="checkbox", name="lab_grown", id="field-lab_grown"),
                            rx.text("Lab-grown", size="2"),
                            align="center",
                        )
                    ),
                    _file_picker("certificate", "Lab report (PDF or photo)", PieceState.stage_report),
                ),
                width="100%",
            ),
        ),
    )


def _event(row: dict) -> rx.Component:
    return rx.hstack(
        rx.box(
            width="10px",
            height="10px",
            border_radius="50%",
            background=rx.cond(row["corrected"] == "yes", "var(--gray-7)", "var(--amber-9)"),
            margin_top="0.35rem",
            flex_shrink="0",
        ),
        rx.vstack(
            rx.hstack(
                rx.text(row["on"], size="2", color_scheme="gray"),
                rx.text(
                    row["what"],
                    size="2",
                    weight="bold",
                    text_decoration=rx.cond(row["corrected"] == "yes", "line-through", "none"),
                ),
                rx.cond(row["corrected"] == "yes", rx.badge("corrected", color_scheme="gray")),
                wrap="wrap",
                align="center",
            ),
            rx.text(
                rx.cond(row["place"] != "", row["place"], ""),
                rx.cond((row["place"] != "") & (row["party"] != ""), " · ", ""),
                row["party"],
                rx.cond(row["document"] != "", " · " + row["document"], ""),
                size="2",
            ),
            rx.cond(row["note"] != "", rx.text(row["note"], size="2", color_scheme="gray")),
            rx.cond(
                row["has_file"] == "yes",
                rx.link("Open the document", href=file_src("stock/document/" + row["id"]), is_external=True, size="2"),
            ),
            spacing="0",
        ),
        align="start",
        width="100%",
    )


def _provenance_panel() -> rx.Component:
    can_add = PieceState.can_certify & (PieceState.piece["here"] == "yes")
    return _panel(
        "Provenance",
        rx.cond(
            PieceState.provenance.length() > 0,
            rx.vstack(rx.foreach(PieceState.provenance, _event), spacing="3", width="100%"),
            rx.text("No custody events yet.", size="2", color_scheme="gray"),
        ),
        rx.cond(
            can_add,
            rx.el.details(
                rx.el.summary(rx.text("Add an event", size="2", weight="medium", as_="span")),
                _small_form(
                    PieceState.add_provenance,
                    "Add event",
                    _grid(
                        select_field("What happened", "kind", list(KINDS.items())),
                        field("Date", "on", type="date", default_value=PieceState.today),
                        field("Place", "place", hint="Country, city or branch"),
                        field("Who", "party", hint="Mine, cutter, supplier, lab ..."),
                        field("Document", "document", hint="e.g. KP certificate number"),
                        field("Note", "note"),
                        select_field("Corrects an earlier event", "corrects_id", PieceState.correctable),
                    ),
                    _file_picker("provenance", "Document scan (PDF or photo)", PieceState.stage_document),
                ),
                width="100%",
            ),
        ),
    )


def _found() -> rx.Component:
    return rx.vstack(
        _summary(),
        _moves_panel(),
        rx.grid(
            _tag_panel(),
            rx.vstack(
                _panel(
                    "Stones",
                    _table(
                        ["Stone", "Count", "Carats", "Quality", "Value"],
                        PieceState.stones,
                        ["kind", "count", "carat", "quality", "value"],
                        "No stones.",
                    ),
                ),
                _images_panel(),
                spacing="4",
                width="100%",
                min_width="0",
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        _panel(
            "Movements",
            _table(
                ["When", "What", "Branch", "Party", "Status after", "Note", "By"],
                PieceState.movements,
                ["at", "what", "branch", "party", "status", "note", "by"],
                "No movements.",
            ),
        ),
        rx.grid(
            _certificates_panel(),
            _provenance_panel(),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def piece_page() -> rx.Component:
    """The piece page (``/stock/pieces/[piece_id]``)."""
    return shell(rx.cond(PieceState.found, _found()), "Piece")
