"""Identity documents a customer shows (Aadhaar, PAN, passport, voter ID, driving licence): their number
formats, and what of a number may be kept.

:func:`read_id_proof` checks a kind and number as typed and returns the text to store, adding a field
message to ``errors`` instead when either is wrong. Spaces and hyphens typed inside a number are dropped.

- **Aadhaar**: 12 digits, the first 2–9, the last a Verhoeff check digit (UIDAI's Aadhaar number
  format). Only its last 4 digits are kept (``••••••••1234``): a jeweller is not an authentication user
  agency, and UIDAI asks such entities not to store the number, or to store it masked (Aadhaar Act 2016
  s.29; Aadhaar (Sharing of Information) Regulations 2016, regs. 5–6; UIDAI's guidelines for offline
  verification seeking entities, January 2023). The whole number is checked when typed, then dropped.
- **PAN**: 5 letters, 4 digits, a letter (Income-tax Act s.139A; the format of Rule 114).
- **Passport** (Indian): a letter and 7 digits (Passports Act 1967; the number printed on the booklet).
- **Voter ID** (EPIC): 3 letters and 7 digits (the Election Commission's EPIC number).
- **Driving licence**: the Sarathi number, 2 letters (the state) and 13 digits (RTO, year of issue,
  serial), e.g. ``MH1220110012345`` (Motor Vehicles Act 1988, Central Motor Vehicles Rules 1989, form 7).

Every other kind is kept whole; pages show it masked to staff without the permission to see personal
details (:func:`jewelerp.masking.mask_id`).
"""

from __future__ import annotations

import re

from jewelerp.masking import HIDDEN

ID_KINDS = (
    ("aadhaar", "Aadhaar"),
    ("pan", "PAN"),
    ("passport", "Passport"),
    ("voter_id", "Voter ID (EPIC)"),
    ("driving_licence", "Driving licence"),
)
ID_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "aadhaar": (re.compile(r"^[2-9][0-9]{11}$"), "An Aadhaar number is 12 digits and does not start with 0 or 1."),
    "pan": (re.compile(r"^[A-Z]{5}[0-9]{4}[A-Z]$"), "A PAN is 5 letters, 4 digits and a letter, e.g. ABCDE1234F."),
    "passport": (re.compile(r"^[A-Z][0-9]{7}$"), "An Indian passport number is a letter and 7 digits, e.g. K1234567."),
    "voter_id": (re.compile(r"^[A-Z]{3}[0-9]{7}$"), "A voter ID (EPIC) is 3 letters and 7 digits, e.g. ABC1234567."),
    "driving_licence": (
        re.compile(r"^[A-Z]{2}[0-9]{13}$"),
        "A driving licence number is 2 letters and 13 digits, e.g. MH12 20110012345.",
    ),
}
AADHAAR_KEPT = 4  # digits of an Aadhaar number kept

# Verhoeff's dihedral-group tables: the multiplication table, the position permutations.
_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


def verhoeff_valid(digits: str) -> bool:
    """Whether a string of ASCII digits ends with its Verhoeff check digit (``2363`` does)."""
    check = 0
    for position, digit in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(digit)]]
    return check == 0


def id_kind_label(kind: str) -> str:
    """'Voter ID (EPIC)' for ``voter_id``; an unknown kind as stored."""
    return dict(ID_KINDS).get(kind, kind)


def _clean(number: str) -> str:
    return "".join(ch for ch in str(number) if ch not in " -\t").upper()[:40]


def read_id_proof(
    kind: str, number: str, errors: dict[str, str], kind_key: str = "id_kind", number_key: str = "id_number"
) -> tuple[str, str] | None:
    """``(kind, number to store)`` for an identity document as typed, or None with a message in ``errors``.

    An Aadhaar number is checked whole (format and Verhoeff check digit) and returned masked to its
    last 4 digits; other numbers are returned whole, upper case, without spaces or hyphens.
    """
    kind = str(kind).strip().lower()
    if kind not in ID_FORMATS:
        errors[kind_key] = "Choose the identity document shown: Aadhaar, PAN, passport, voter ID or driving licence."
        return None
    text = _clean(number)
    pattern, message = ID_FORMATS[kind]
    if not pattern.match(text):
        errors[number_key] = message
        return None
    if kind == "aadhaar":
        if not verhoeff_valid(text):
            errors[number_key] = "That Aadhaar number's last digit does not match: check the number typed."
            return None
        text = HIDDEN * (len(text) - AADHAAR_KEPT) + text[-AADHAAR_KEPT:]
    return kind, text
