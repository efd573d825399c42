"""GST state codes and GSTIN checks (CGST Rules 2017, Rule 10; the GSTN's mod-36 check character)."""

from __future__ import annotations

import pytest

from jewelerp.gst import gstin_check_char, gstin_problem, state_code_of, state_name, state_options


def test_the_check_character_is_computed_by_hand():
    # 27AAPFU0939F1Z: values 2,7,10,10,25,15,30,0,9,3,9,15,1,35 with factors 1,2,1,2...
    # products 2,14,10,20,25,30,30,0,9,6,9,30,1,70 -> digit sums (q + r of /36) 2,14,10,20,25,30,30,0,9,6,9,30,1,35
    # total 221; 221 % 36 = 5; check = 36 - 5 = 31 -> "V"
    assert gstin_check_char("27AAPFU0939F1Z") == "V"
    assert gstin_problem("27AAPFU0939F1ZV") is None
    assert gstin_problem(" 27aapfu0939f1zv ") is None, "case and spaces as typed"


@pytest.mark.parametrize(
    ("gstin", "words"),
    [
        ("27AAPFU0939F1ZX", "check character"),
        ("27AAPFU0939F1Z", "15 characters"),
        ("27AAPFU0939F0ZV", "15 characters"),  # entity number 0 does not exist
        ("00AAPFU0939F1ZV", "state code"),
    ],
)
def test_a_wrong_gstin_is_refused_with_the_reason(gstin, words):
    assert words in (gstin_problem(gstin) or "")


def test_the_gstin_must_belong_to_the_state_chosen():
    assert gstin_problem("27AAPFU0939F1ZV", "27") is None
    assert gstin_problem("27AAPFU0939F1ZV", "07") == "This GSTIN is registered in Maharashtra (27), not Delhi."


def test_states_come_from_the_list_with_their_codes():
    options = dict(state_options())
    assert options["27"] == "27 · Maharashtra" and options["07"] == "07 · Delhi" and options["38"] == "38 · Ladakh"
    assert "25" not in options and "28" not in options, "merged or reorganised codes are not offered"
    assert (
        state_name("36") == "Telangana" and state_code_of(" tamil  nadu ") == "33" and state_code_of("Atlantis") == ""
    )
