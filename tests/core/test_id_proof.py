"""Identity documents: number formats, the Aadhaar check digit (Verhoeff), what is kept, and the mask."""

from __future__ import annotations

import pytest

from jewelerp.id_proof import read_id_proof, verhoeff_valid
from jewelerp.masking import mask_id, mask_pan


def test_verhoeff_accepts_the_textbook_example_and_refuses_any_single_digit_changed():
    assert verhoeff_valid("2363")  # 236 with its check digit 3
    assert not verhoeff_valid("2364")
    good = "234567890124"
    assert verhoeff_valid(good)
    for position in range(len(good)):
        changed = good[:position] + str((int(good[position]) + 1) % 10) + good[position + 1 :]
        assert not verhoeff_valid(changed)


@pytest.mark.parametrize(
    ("kind", "typed", "kept"),
    [
        ("aadhaar", "2345 6789 0124", "••••••••0124"),  # checked whole, kept as its last 4 digits
        ("pan", "abcde1234f", "ABCDE1234F"),
        ("passport", "k 1234567", "K1234567"),
        ("voter_id", "ABC-1234567", "ABC1234567"),
        ("Driving_Licence", "MH12 20110012345", "MH1220110012345"),
    ],
)
def test_numbers_are_kept_tidied(kind, typed, kept):
    errors: dict[str, str] = {}
    assert read_id_proof(kind, typed, errors) == (kind.lower(), kept) and not errors


@pytest.mark.parametrize(
    ("kind", "typed", "field"),
    [
        ("ration_card", "123", "id_kind"),
        ("aadhaar", "2345 6789 0123", "id_number"),
        ("aadhaar", "0345 6789 0124", "id_number"),
        ("aadhaar", "२३४५६७८९०१२४", "id_number"),  # Devanagari digits are not ASCII digits
        ("pan", "ABCD1234F", "id_number"),
        ("passport", "KK123456", "id_number"),
        ("voter_id", "", "id_number"),
        ("driving_licence", "MH12", "id_number"),
    ],
)
def test_bad_numbers_get_a_field_message(kind, typed, field):
    errors: dict[str, str] = {}
    assert read_id_proof(kind, typed, errors) is None and set(errors) == {field}


def test_masks_show_the_last_four_only():
    assert mask_id("K1234567") == "••••4567"
    assert mask_id("MH12 20110012345") == "•••••••••••2345"
    assert mask_id("123") == "•••" and mask_id("") == ""
    assert mask_pan("ABCDE1234F") == "••••••234F"
