"""Indian rupee formatting."""

from decimal import Decimal

from jewelerp.money import format_inr, group_indian


def test_lakh_and_crore_grouping():
    assert group_indian(999) == "999"
    assert group_indian(1000) == "1,000"
    assert group_indian(150000) == "1,50,000"
    assert group_indian(12345678) == "1,23,45,678"


def test_paise_shown_only_when_present_or_asked():
    assert format_inr(Decimal("150000")) == "₹1,50,000"
    assert format_inr(Decimal("150000.5")) == "₹1,50,000.50"
    assert format_inr(Decimal("45000"), paise=True) == "₹45,000.00"
    assert format_inr(Decimal("-1200.25")) == "-₹1,200.25"
