"""Lab certificates of a piece: one or more per piece, each with its lab report file.

A certificate names its lab (GIA, IGI, HRD, SGL or another), the report number and date,
and either the 4Cs and details of a diamond or the species, origin and treatment of a
coloured stone. The lab's report (a PDF or a photo of it) is checked to really be a PDF
or an image (of at most 40 megapixels, read from its header) and stored as uploaded under an
unguessable name in the private folder ``stock-files/`` (see :mod:`jewelerp.files`).
Certificates are shown on the public certificate page, so nothing here holds a price.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.db import utcnow
from jewelerp.errors import JewelError, NotFound, ValidationError, require_fields
from jewelerp.files import keep
from jewelerp.images import image_format
from jewelerp.staging import StagedFile
from modules.stock.models import Certificate, Piece

LABS = ("GIA", "IGI", "HRD", "SGL", "other")
LAB_LABELS = {
    "GIA": "GIA (Gemological Institute of America)",
    "IGI": "IGI (International Gemological Institute)",
    "HRD": "HRD Antwerp",
    "SGL": "SGL (Solitaire Gemological Laboratories)",
    "other": "Another lab",
}
VERIFY_NOTES = {
    "GIA": "Check report {number} at https://www.gia.edu/report-check",
    "IGI": "Check report {number} at https://www.igi.org/verify-your-report",
    "HRD": "Check report {number} under Report check at https://www.hrdantwerp.com",
    "SGL": "Check report {number} under Report verification on the SGL website",
    "other": "Ask the issuing lab to confirm report {number}.",
}
COLOURED_STONES = (
    "ruby",
    "emerald",
    "sapphire",
    "spinel",
    "alexandrite",
    "tanzanite",
    "tourmaline",
    "pearl",
    "other",
)
STONE_KINDS = ("diamond", *COLOURED_STONES)
DIAMOND_CLARITIES = ("FL", "IF", "VVS1", "VVS2", "VS1", "VS2", "SI1", "SI2", "SI3", "I1", "I2", "I3")
DIAMOND_CUTS = ("Ideal", "Excellent", "Very Good", "Good", "Fair", "Poor")
FLUORESCENCES = ("None", "Faint", "Medium", "Strong", "Very Strong")
DIAMOND_COLOUR_RE = re.compile(r"^[D-Z](?:-[D-Z])?$")
FANCY_COLOUR_RE = re.compile(r"^Fancy(?: [A-Za-z-]+)*$")
REPORT_NUMBER_RE = re.compile(r"^[A-Z0-9](?:[A-Z0-9-]{0,38}[A-Z0-9])?$")
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")
MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_FOLDER = "stock-files"
IMAGE_EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "TIFF": "tif", "GIF": "gif"}
CARAT_STEP = Decimal("0.001")


@dataclass
class CertificateInput:
    """A certificate as typed on the piece page (every value is text, except the lab-grown tick).

    ``stone_kind`` is ``diamond`` or one of :data:`COLOURED_STONES`. Diamonds take
    ``carat`` (required), ``colour``, ``clarity``, ``cut``, ``shape``, ``measurements`` and
    ``fluorescence``; coloured stones take ``species`` (required), ``origin`` and
    ``treatment`` (their colour, clarity and cut are free descriptions). A blank
    ``verify_note`` gets the lab's usual way of checking a report.
    """

    lab: str
    report_number: str
    issued_on: str
    stone_kind: str = "diamond"
    carat: str = ""
    shape: str = ""
    colour: str = ""
    clarity: str = ""
    cut: str = ""
    measurements: str = ""
    fluorescence: str = ""
    lab_grown: bool = False
    species: str = ""
    origin: str = ""
    treatment: str = ""
    verify_note: str = ""


def local_today(actor: Actor) -> date:
    """Today's date in the actor's store."""
    return actor.local(utcnow()).date()


def parse_date(raw: str | date, label: str, errors: dict[str, str], key: str, today: date) -> date | None:
    """A past or present date typed as 2024-03-12, 12-03-2024, 12/03/2024 or 12 Mar 2024."""
    if isinstance(raw, datetime):
        value: date | None = raw.date()
    elif isinstance(raw, date):
        value = raw
    else:
        text = " ".join(raw.split())
        if not text:
            errors[key] = f"Enter the {label.lower()}."
            return None
        value = None
        for fmt in DATE_FORMATS:
            try:
                value = datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        if value is None:
            errors[key] = f"{label}: enter a date such as 2024-03-12 or 12/03/2024."
            return None
    if value > today:
        errors[key] = f"{label} cannot be in the future."
        return None
    if value.year < 1900:
        errors[key] = f"{label}: check the year."
        return None
    return value


def _text(raw: str, label: str, limit: int, errors: dict[str, str], key: str) -> str:
    text = " ".join(raw.split())
    if len(text) > limit:
        errors[key] = f"{label}: keep it to {limit} characters (this is {len(text)})."
    return text


def _carat(raw: str, errors: dict[str, str], *, required: bool) -> Decimal | None:
    text = raw.strip().lower().removesuffix("ct").strip()
    if not text:
        if required:
            errors["carat"] = "Enter the carat weight from the report, e.g. 1.010."
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0 or value != value.quantize(CARAT_STEP):
        errors["carat"] = "Carat weight is a number above 0 with at most 3 decimals, e.g. 1.010."
        return None
    if value >= 1000:
        errors["carat"] = "Carat weight must be under 1,000 ct."
        return None
    return value.quantize(CARAT_STEP)


def _choice(raw: str, choices: tuple[str, ...], label: str, errors: dict[str, str], key: str) -> str:
    text = " ".join(raw.split())
    if not text:
        return ""
    for choice in choices:
        if choice.lower() == text.lower():
            return choice
    errors[key] = f"{label} is one of: {', '.join(choices)}."
    return text


def sniff_file(content: bytes, key: str = "file") -> tuple[str, str] | None:
    """``("pdf", "pdf")`` or ``("image", "jpg"|"png"|...)`` when ``content`` really is one, else None.

    Reads only the header of an image; raises :class:`~jewelerp.images.ImageTooLarge` under ``key`` past
    the pixel cap.
    """
    if content.startswith(b"%PDF-"):
        return "pdf", "pdf"
    extension = IMAGE_EXTENSIONS.get(image_format(content, tuple(IMAGE_EXTENSIONS), key) or "")
    return ("image", extension) if extension else None


def check_file(file_name: str, content: bytes | StagedFile, errors: dict[str, str], key: str = "file") -> str | None:
    """The file's extension when it is a PDF or an image of at most 10 MB; otherwise an error under ``key``.

    An image past the pixel cap raises :class:`~jewelerp.images.ImageTooLarge` at once. A file a page
    staged was checked when it was chosen (by :func:`prepare_document`).
    """
    if isinstance(content, StagedFile):
        return content.path.suffix.lstrip(".")
    if not content:
        if file_name.strip():
            errors[key] = f"{file_name.strip()} is empty."
        return None
    if len(content) > MAX_FILE_BYTES:
        errors[key] = f"The file is {len(content) / 1024 / 1024:.1f} MB; the limit is 10 MB."
        return None
    found = sniff_file(content, key)
    if found is None:
        errors[key] = "Attach the report as a PDF or an image (JPEG, PNG, WebP or TIFF)."
        return None
    return found[1]


def prepare_document(name: str, content: bytes) -> tuple[str, bytes]:
    """Check a lab report or provenance document as it is chosen: ``(".pdf"|".jpg"|..., content)``.

    Raises ValidationError under ``file``. CPU-bound: pages call it from a worker thread.
    """
    errors: dict[str, str] = {}
    extension = check_file(name or "The file", content, errors)
    if extension is None:
        raise ValidationError(errors or {"file": "Choose a file."})
    return f".{extension}", content


def store_file(session: Session, content: bytes | StagedFile, extension: str, upload_dir: Path | None) -> str:
    """Keep a checked report or document (bytes, or a staged file) in the private folder ``stock-files/``;
    returns its path there. The file goes again if the transaction rolls back."""
    data = content.path if isinstance(content, StagedFile) else content
    return keep(session, FILE_FOLDER, f".{extension}", data, upload_dir)


def piece_here(session: Session, actor: Actor, piece_id: int) -> Piece:
    """The piece when it is at the actor's branch (writes are made where the piece is)."""
    piece = session.get(Piece, piece_id)
    if piece is None:
        raise NotFound("That piece does not exist.")
    if piece.store_id != actor.store_id:
        raise JewelError(f"{piece.sku} is not at this branch.")
    return piece


def default_verify_note(lab: str, report_number: str) -> str:
    """How to check a report with its lab, e.g. GIA's report-check address."""
    return VERIFY_NOTES.get(lab, VERIFY_NOTES["other"]).format(number=report_number)


def _validate(session: Session, actor: Actor, data: CertificateInput) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    lab = next((code for code in LABS if code.lower() == data.lab.strip().lower()), "")
    if not lab:
        errors["lab"] = "Choose the lab: GIA, IGI, HRD, SGL or other."
    number = "".join(data.report_number.split()).upper()
    if not number:
        errors["report_number"] = "Enter the report number printed on the certificate."
    elif not REPORT_NUMBER_RE.match(number):
        errors["report_number"] = "A report number is letters, digits and dashes (up to 40), e.g. 2141438171."
    elif lab and lab != "other":  # labs without a code may number alike
        taken = session.execute(
            select(Piece.sku)
            .join(Certificate, Certificate.piece_id == Piece.id)
            .where(Certificate.lab == lab, Certificate.report_number == number)
        ).first()
        if taken is not None:
            errors["report_number"] = f"{lab} report {number} is already on {taken[0]}."
    issued_on = parse_date(data.issued_on, "Report date", errors, "issued_on", local_today(actor))
    kind = data.stone_kind.strip().lower() or "diamond"
    if kind not in STONE_KINDS:
        errors["stone_kind"] = f"Stone is one of: {', '.join(STONE_KINDS)}."
    diamond = kind == "diamond"
    values = {
        "lab": lab,
        "report_number": number,
        "issued_on": issued_on,
        "stone_kind": kind,
        "carat": _carat(data.carat, errors, required=diamond),
        "shape": _text(data.shape, "Shape", 30, errors, "shape"),
        "measurements": _text(data.measurements, "Measurements", 60, errors, "measurements"),
        "lab_grown": bool(data.lab_grown),
        "origin": _text(data.origin, "Origin", 60, errors, "origin"),
        "treatment": _text(data.treatment, "Treatment", 120, errors, "treatment"),
    }
    if diamond:
        colour = " ".join(data.colour.split())
        if colour.lower().startswith("fancy"):
            colour = colour.title()  # "Fancy Intense Yellow"
            valid = bool(FANCY_COLOUR_RE.match(colour)) and len(colour) <= 20
        else:
            colour = colour.replace(" ", "").upper()  # "g" -> "G", "s - t" -> "S-T"
            valid = bool(DIAMOND_COLOUR_RE.match(colour))
        if not colour:
            errors["colour"] = "Enter the colour grade, D to Z (or Fancy ...)."
        elif not valid:
            errors["colour"] = "Colour grade is a letter D to Z (e.g. G or S-T) or Fancy ... (up to 20 letters)."
        clarity = _choice(data.clarity.replace(" ", ""), DIAMOND_CLARITIES, "Clarity", errors, "clarity")
        if not clarity and "clarity" not in errors:
            errors["clarity"] = f"Enter the clarity grade: {', '.join(DIAMOND_CLARITIES)}."
        values |= {
            "colour": colour,
            "clarity": clarity,
            "cut": _choice(data.cut, DIAMOND_CUTS, "Cut grade", errors, "cut"),
            "fluorescence": _choice(data.fluorescence, FLUORESCENCES, "Fluorescence", errors, "fluorescence"),
            "species": "",
        }
        if data.species.strip():
            errors["species"] = "Species is for coloured stones; leave it empty for a diamond."
    else:
        species = _text(data.species, "Species", 40, errors, "species")
        if not species and "species" not in errors:
            errors["species"] = "Enter the species and variety from the report, e.g. Natural corundum, ruby."
        values |= {
            "colour": _text(data.colour, "Colour", 20, errors, "colour"),
            "clarity": _text(data.clarity, "Clarity", 20, errors, "clarity"),
            "cut": _text(data.cut, "Cut", 20, errors, "cut"),
            "fluorescence": _text(data.fluorescence, "Fluorescence", 20, errors, "fluorescence"),
            "species": species,
        }
    note = _text(data.verify_note, "How to verify", 300, errors, "verify_note")
    values["verify_note"] = note or (default_verify_note(lab, number) if lab and number else "")
    return values, errors


def add_certificate(
    session: Session,
    actor: Actor,
    piece_id: int,
    data: CertificateInput,
    file_name: str = "",
    file_bytes: bytes | StagedFile = b"",
    upload_dir: Path | None = None,
) -> Certificate:
    """Attach a lab certificate (and optionally its report file) to a piece at the actor's branch.

    Bad input raises :class:`~jewelerp.errors.ValidationError` keyed by the
    :class:`CertificateInput` field names (and ``file``), writing nothing. The report
    file (its bytes, or the file a page staged) must really be a PDF (``%PDF-``) or an image
    Pillow can read, at most 10 MB and 40 megapixels; it is kept as ``stock-files/<random>.<ext>``
    in the private files folder (``upload_dir`` when given).
    """
    actor.require("stock.certificate.edit")
    piece = piece_here(session, actor, piece_id)
    values, errors = _validate(session, actor, data)
    extension = check_file(file_name, file_bytes, errors)
    require_fields(errors)
    certificate = Certificate(piece_id=piece.id, **values)
    if extension:
        certificate.file = store_file(session, file_bytes, extension, upload_dir)
    session.add(certificate)
    session.flush()
    return certificate


def certificate_details(certificate: Certificate) -> list[tuple[str, str]]:
    """The filled-in details of a certificate as (label, value) pairs, in report order."""
    if certificate.stone_kind == "diamond":
        stone = "Lab-grown diamond" if certificate.lab_grown else "Natural diamond"
    else:
        stone = certificate.stone_kind.capitalize() + (" (lab-grown)" if certificate.lab_grown else "")
    pairs = [
        ("Stone", stone),
        ("Species", certificate.species),
        ("Shape", certificate.shape),
        ("Carat weight", f"{certificate.carat} ct" if certificate.carat is not None else ""),
        ("Colour", certificate.colour),
        ("Clarity", certificate.clarity),
        ("Cut", certificate.cut),
        ("Measurements", certificate.measurements),
        ("Fluorescence", certificate.fluorescence),
        ("Origin", certificate.origin),
        ("Treatment", certificate.treatment),
    ]
    return [(label, value) for label, value in pairs if value]


def piece_certificates(session: Session, piece_id: int) -> list[Certificate]:
    """A piece's certificates, oldest report first."""
    return list(
        session.scalars(
            select(Certificate).where(Certificate.piece_id == piece_id).order_by(Certificate.issued_on, Certificate.id)  # type: ignore[arg-type]
        )
    )


def certificate_rows(session: Session, actor: Actor, piece_id: int) -> list[dict[str, str]]:
    """A piece's certificates for display: lab, number, date, a one-line summary, how to verify, file."""
    actor.require("stock.piece.view")
    if session.get(Piece, piece_id) is None:
        raise NotFound("That piece does not exist.")
    rows = []
    for certificate in piece_certificates(session, piece_id):
        rows.append(
            {
                "id": str(certificate.id),
                "lab": certificate.lab,
                "lab_label": LAB_LABELS.get(certificate.lab, certificate.lab),
                "report_number": certificate.report_number,
                "issued_on": certificate.issued_on.strftime("%d %b %Y"),
                "summary": " · ".join(value for _label, value in certificate_details(certificate)),
                "verify_note": certificate.verify_note,
                "file": certificate.file,
                "file_kind": _file_kind(certificate.file),
            }
        )
    return rows


def _file_kind(path: str) -> str:
    if not path:
        return ""
    return "PDF" if path.endswith(".pdf") else "Image"
