"""The pricing engine, against figures worked out by hand (every line rounded half up to the paisa)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from jewelerp.errors import ValidationError
from modules.billing.pricing import Discount, PriceInput, gst_split, price


def _ring(**changes) -> PriceInput:
    """10.000 g of 22K at ₹6,000/g, 8% wastage, ₹500/g making, no stones, ₹45 hallmark, GST 3% within the state."""
    values = {
        "rate": D("6000"),
        "net_weight": D("10.000"),
        "wastage_pct": D("8"),
        "making_rule": "per_gram",
        "making_value": D("500"),
        "stones_value": D("0"),
        "hallmark_charge": D("45"),
        "tax_rate": D("3"),
        "inter_state": False,
    }
    return PriceInput(**{**values, **changes})


def _amounts(breakdown) -> dict[str, D]:
    return {line.key: line.amount for line in breakdown.lines}


def test_intra_state_ring_every_line_by_hand():
    result = price(_ring())
    assert [line.key for line in result.lines] == [
        "metal",
        "wastage",
        "making",
        "stones",
        "hallmark",
        "taxable",
        "cgst",
        "sgst",
        "round_off",
        "total",
    ]
    assert _amounts(result) == {
        "metal": D("60000.00"),  # 10.000 × 6,000
        "wastage": D("4800.00"),  # 8% of 10 g = 0.8 g × 6,000
        "making": D("5000.00"),  # 10 × 500
        "stones": D("0.00"),
        "hallmark": D("45.00"),
        "taxable": D("69845.00"),
        "cgst": D("1047.68"),  # 1.5% of 69,845 = 1,047.675 -> half up
        "sgst": D("1047.68"),
        "round_off": D("-0.36"),  # 71,940.36 -> 71,940
        "total": D("71940.00"),
    }
    assert result.tax == D("2095.36") and not result.inter_state
    rows = {r["key"]: r for r in result.rows()}
    assert rows["metal"]["basis"] == "10.000 g × ₹6,000.00/g"
    assert rows["wastage"]["basis"] == "8% of 10.000 g = 0.800 g × ₹6,000.00/g"
    assert rows["making"]["basis"] == "10.000 g × ₹500.00/g"
    assert rows["cgst"]["basis"] == "1.5% of ₹69,845.00"
    assert rows["total"]["amount"] == "₹71,940.00"
    assert rows["round_off"]["amount"] == "-₹0.36"


def test_inter_state_charges_igst_3_percent():
    result = price(_ring(inter_state=True))
    amounts = _amounts(result)
    assert result.inter_state and "cgst" not in amounts and "sgst" not in amounts
    assert amounts["igst"] == D("2095.35")  # 3% of 69,845 = 2,095.35
    assert amounts["round_off"] == D("-0.35")  # 71,940.35 -> 71,940
    assert result.total == D("71940.00")


def test_gst_is_split_in_halves_each_rounded_or_charged_whole_as_igst():
    assert gst_split(D("1000.00"), D("18"), False) == {"cgst": D("90.00"), "sgst": D("90.00")}  # 9% + 9%
    assert gst_split(D("1000.00"), D("5"), False) == {"cgst": D("25.00"), "sgst": D("25.00")}  # 2.5% + 2.5%
    assert gst_split(D("333.33"), D("5"), False) == {"cgst": D("8.33"), "sgst": D("8.33")}  # 8.33325 each
    assert gst_split(D("333.33"), D("5"), True) == {"igst": D("16.67")}  # 16.6665 -> half up
    assert gst_split(D("69845.00"), D("3"), True) == {"igst": D("2095.35")}


def test_a_service_rate_prices_the_same_lines_at_18_percent():
    result = price(_ring(tax_rate=D("18")))
    amounts = _amounts(result)
    assert amounts["cgst"] == amounts["sgst"] == D("6286.05")  # 9% of 69,845 = 6,286.05
    assert amounts["round_off"] == D("-0.10")  # 82,417.10 -> 82,417
    rows = {r["key"]: r for r in result.rows()}
    assert rows["cgst"]["basis"] == "9% of ₹69,845.00" and rows["sgst"]["label"] == "SGST"


def test_percent_making_and_round_off_up():
    result = price(
        _ring(
            rate=D("12000"),
            net_weight=D("5.120"),
            wastage_pct=D("10"),
            making_rule="percent",
            making_value=D("12"),
        )
    )
    assert _amounts(result) == {
        "metal": D("61440.00"),  # 5.12 × 12,000
        "wastage": D("6144.00"),  # 10% of 5.12 g = 0.512 g × 12,000
        "making": D("7372.80"),  # 12% of 61,440
        "stones": D("0.00"),
        "hallmark": D("45.00"),
        "taxable": D("75001.80"),
        "cgst": D("1125.03"),  # 1.5% of 75,001.80 = 1,125.027
        "sgst": D("1125.03"),
        "round_off": D("0.14"),  # 77,251.86 -> 77,252
        "total": D("77252.00"),
    }
    basis = {line.key: line.basis for line in result.lines}
    assert basis["metal"] == "5.120 g × ₹12,000.00/g"
    assert basis["making"] == "12% of ₹61,440.00 metal value"


def test_flat_making_with_stones_across_states():
    result = price(
        _ring(
            rate=D("9825"),
            net_weight=D("8.250"),
            wastage_pct=D("12"),
            making_rule="flat",
            making_value=D("2500"),
            stones_value=D("15000"),
            inter_state=True,
        )
    )
    assert _amounts(result) == {
        "metal": D("81056.25"),  # 8.25 × 9,825
        "wastage": D("9726.75"),  # 12% of 81,056.25
        "making": D("2500.00"),
        "stones": D("15000.00"),
        "hallmark": D("45.00"),
        "taxable": D("108328.00"),
        "igst": D("3249.84"),  # 3% of 108,328
        "round_off": D("0.16"),  # 111,577.84 -> 111,578
        "total": D("111578.00"),
    }


def test_discount_on_making_as_a_percent():
    result = price(_ring(making_discount=Discount("percent", D("20"))))
    amounts = _amounts(result)
    assert amounts["making_discount"] == D("-1000.00")  # 20% of 5,000
    assert amounts["taxable"] == D("68845.00")
    assert amounts["cgst"] == amounts["sgst"] == D("1032.68")  # 1.5% of 68,845 = 1,032.675
    assert amounts["round_off"] == D("-0.36")  # 70,910.36
    assert result.total == D("70910.00")
    assert next(x.basis for x in result.lines if x.key == "making_discount") == "20% of ₹5,000.00"


def test_overall_discount_as_an_amount():
    result = price(_ring(discount=Discount("amount", D("845"))))
    amounts = _amounts(result)
    assert amounts["discount"] == D("-845.00")
    assert amounts["taxable"] == D("69000.00")
    assert amounts["cgst"] == amounts["sgst"] == D("1035.00")
    assert amounts["round_off"] == D("0.00")
    assert result.total == D("71070.00")


def test_both_discounts_together():
    result = price(_ring(making_discount=Discount("amount", D("500")), discount=Discount("percent", D("10"))))
    amounts = _amounts(result)
    # 60,000 + 4,800 + 5,000 - 500 + 0 + 45 = 69,345; 10% of it = 6,934.50
    assert amounts["making_discount"] == D("-500.00") and amounts["discount"] == D("-6934.50")
    assert amounts["taxable"] == D("62410.50")
    assert amounts["cgst"] == D("936.16")  # 1.5% of 62,410.50 = 936.1575
    assert amounts["round_off"] == D("0.18")  # 64,282.82 -> 64,283
    assert result.total == D("64283.00")


def test_half_a_paisa_rounds_up_and_round_off_up():
    result = price(
        _ring(
            rate=D("153"), net_weight=D("12.345"), wastage_pct=D("0"), making_value=D("15.50"), hallmark_charge=D("0")
        )
    )
    amounts = _amounts(result)
    assert amounts["metal"] == D("1888.79")  # 12.345 × 153 = 1,888.785
    assert amounts["making"] == D("191.35")  # 12.345 × 15.50 = 191.3475
    assert amounts["taxable"] == D("2080.14")
    assert amounts["cgst"] == D("31.20")  # 31.2021
    assert amounts["round_off"] == D("0.46")  # 2,142.54 -> 2,143
    assert result.total == D("2143.00")


def test_zero_weight_coin_with_flat_making_rounds_half_a_rupee_up():
    result = price(
        _ring(
            net_weight=D("0.000"), wastage_pct=D("0"), making_rule="flat", making_value=D("250"), hallmark_charge=D("0")
        )
    )
    amounts = _amounts(result)
    assert (amounts["metal"], amounts["wastage"], amounts["making"]) == (D("0.00"), D("0.00"), D("250.00"))
    assert amounts["cgst"] == amounts["sgst"] == D("3.75")
    assert amounts["round_off"] == D("0.50")  # 257.50 -> 258 (half up)
    assert result.total == D("258.00")


def test_discounts_cannot_exceed_what_they_apply_to():
    with pytest.raises(ValidationError) as err:
        price(_ring(making_discount=Discount("amount", D("5000.01"))))
    assert err.value.fields == {
        "making_discount": "The discount (₹5,000.01) cannot exceed the making charges (₹5,000.00)."
    }
    with pytest.raises(ValidationError) as err:
        price(_ring(discount=Discount("amount", D("69845.01"))))
    assert "cannot exceed the price before discount (₹69,845.00)" in err.value.fields["discount"]
    with pytest.raises(ValidationError) as err:
        price(_ring(discount=Discount("percent", D("100.5"))))
    assert err.value.fields == {"discount": "A discount cannot be more than 100%."}
    assert price(_ring(making_discount=Discount("amount", D("5000")))).amount("making") == D("5000.00")


def test_bad_inputs_are_named():
    with pytest.raises(ValidationError) as err:
        price(_ring(rate=D("-1"), making_rule="weekly", making_discount=Discount("coupon", D("1")), tax_rate=D("101")))
    assert set(err.value.fields) == {"rate", "making_rule", "making_discount", "tax_rate"}


def test_the_wastage_basis_shows_the_exact_grams_behind_the_amount():
    result = price(PriceInput(rate=D("12000"), net_weight=D("2.305"), wastage_pct=D("6")))
    wastage = next(line for line in result.lines if line.key == "wastage")
    assert wastage.basis == "6% of 2.305 g = 0.1383 g × ₹12,000.00/g"
    assert wastage.amount == D("1659.60")  # 0.1383 × 12,000, as the basis says
