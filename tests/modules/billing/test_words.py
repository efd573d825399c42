"""Amounts in words, Indian numbering: crore, lakh, thousand, hundred; paise only when there are any."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from modules.billing.words import amount_in_words, number_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "Rupees Zero Only"),
        ("1", "Rupees One Only"),
        ("19", "Rupees Nineteen Only"),
        ("20", "Rupees Twenty Only"),
        ("21", "Rupees Twenty-One Only"),
        ("100", "Rupees One Hundred Only"),
        ("101", "Rupees One Hundred One Only"),
        ("1000", "Rupees One Thousand Only"),
        ("100000", "Rupees One Lakh Only"),
        ("1234567.50", "Rupees Twelve Lakh Thirty-Four Thousand Five Hundred Sixty-Seven and Fifty Paise Only"),
        ("100000000", "Rupees Ten Crore Only"),
        ("200000.00", "Rupees Two Lakh Only"),
        ("1.05", "Rupees One and Five Paise Only"),
        ("0.99", "Ninety-Nine Paise Only"),
        ("45000.10", "Rupees Forty-Five Thousand and Ten Paise Only"),
        ("10000000000", "Rupees One Thousand Crore Only"),
        ("-12.30", "Minus Rupees Twelve and Thirty Paise Only"),
    ],
)
def test_amounts_read_the_indian_way(amount, words):
    assert amount_in_words(D(amount)) == words


def test_an_amount_is_taken_to_the_paisa_half_up():
    assert amount_in_words(D("10.005")) == "Rupees Ten and One Paise Only"
    assert amount_in_words(D("10.004")) == "Rupees Ten Only"


def test_whole_numbers_use_every_scale():
    assert number_in_words(12_34_56_789) == (
        "Twelve Crore Thirty-Four Lakh Fifty-Six Thousand Seven Hundred Eighty-Nine"
    )
    assert number_in_words(10_01_010) == "Ten Lakh One Thousand Ten"
    with pytest.raises(ValueError):
        number_in_words(-1)
