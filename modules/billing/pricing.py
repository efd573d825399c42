"""The pricing engine: the price of one piece, line by line, so every figure can be traced.

Pure functions on plain data: no Reflex, no database. The order of the lines:

1. **Metal value** = net weight × rate per gram.
2. **Wastage** = wastage % of the net weight, at the same rate (net × rate × % / 100).
3. **Making charges**: ``per_gram`` = net weight × value; ``percent`` = value % of the
   metal value; ``flat`` = value per piece.
4. **Discount on making** (optional): a % of the making charges, or an amount; it may not
   exceed the making charges.
5. **Stones** (their value as given) and **hallmark / certification** charge.
6. **Discount** (optional, overall): a % of lines 1–5, or an amount; it may not exceed them.
7. **Taxable value** = the sum of the lines above.
8. **GST** on the taxable value at the line's rate (``tax_rate``, the total GST % of its tax
   class, :mod:`modules.billing.tax_classes`): within the state CGST and SGST of half the rate
   each (each its own line, each rounded to the paisa), across states IGST at the whole rate
   (CGST Act 2017 s.9(1), IGST Act 2017 s.5(1); the rate is split because the Central and State
   rate notifications each levy half). Whether the sale crosses states (``inter_state``) comes
   from its place of supply (:func:`modules.billing.supply.place_of_supply`).
9. **Round off** to the nearest rupee (half a rupee rounds up), shown as its own line, and
   the **total**.

Rounding rule: every line is rounded on its own to the paisa, half up (ROUND_HALF_UP, so
₹0.005 becomes ₹0.01), from the exact product of its inputs; sums are of the rounded lines.
Only the total is rounded to the rupee (half up), and the difference is the round-off line.
Weights are shown with 3 decimals (grams), rates and amounts with paise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from jewelerp.errors import ValidationError
from jewelerp.money import PAISA, RUPEE, ZERO, format_inr

HUNDRED = Decimal("100")
JEWELLERY_GST = Decimal("3")  # HSN 7113 (Notification 1/2017-Central Tax (Rate), Schedule V: 1.5% CGST)
# The jewellery split, for printing code that still labels taxes by a fixed rate; lines carry their own rate.
INTRA_STATE_TAX = (("cgst", "CGST", JEWELLERY_GST / 2), ("sgst", "SGST", JEWELLERY_GST / 2))
INTER_STATE_TAX = (("igst", "IGST", JEWELLERY_GST),)
MAKING_RULES = ("per_gram", "percent", "flat")
DISCOUNT_KINDS = ("percent", "amount")


def paisa(amount: Decimal) -> Decimal:
    """``amount`` rounded half up to the paisa."""
    return Decimal(amount).quantize(PAISA, ROUND_HALF_UP)


def _pct(value: Decimal) -> str:
    """Decimal("8") -> "8%", Decimal("1.5") -> "1.5%", Decimal("12.50") -> "12.5%"."""
    text = f"{Decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def _grams(weight: Decimal) -> str:
    """Grams with 3 decimals, or more when the weight has them (a wastage share such as 0.1383 g)."""
    places = max(3, -Decimal(weight).normalize().as_tuple().exponent)
    return f"{Decimal(weight):,.{places}f} g"


def _rate(rate: Decimal) -> str:
    return f"{format_inr(rate, paise=True)}/g"


def _money(amount: Decimal) -> str:
    return format_inr(amount, paise=True)


@dataclass(frozen=True)
class Discount:
    """A discount: ``kind`` "percent" (value is a %) or "amount" (value is rupees)."""

    kind: str
    value: Decimal

    def basis(self, of: Decimal, what: str) -> str:
        """How the discount was worked out, e.g. "20% of ₹5,000.00" or "₹845.00 off making charges"."""
        if self.kind == "percent":
            return f"{_pct(self.value)} of {_money(of)}"
        return f"{_money(self.value)} off {what}"


@dataclass(frozen=True)
class PriceInput:
    """Everything a piece's price depends on (quantity 1). Amounts in rupees, weights in grams."""

    rate: Decimal
    net_weight: Decimal
    wastage_pct: Decimal = Decimal("0")
    making_rule: str = "per_gram"
    making_value: Decimal = Decimal("0")
    stones_value: Decimal = Decimal("0")
    hallmark_charge: Decimal = Decimal("0")
    making_discount: Discount | None = None
    discount: Discount | None = None
    tax_rate: Decimal = JEWELLERY_GST
    inter_state: bool = False


@dataclass(frozen=True)
class PriceLine:
    """One line of the breakdown: what it is, how it was worked out, and the amount (negative for discounts)."""

    key: str
    label: str
    basis: str
    amount: Decimal


@dataclass
class PriceBreakdown:
    """Every line of a price in order, from the metal value down to the total."""

    lines: list[PriceLine] = field(default_factory=list)
    inter_state: bool = False

    def amount(self, key: str) -> Decimal:
        """The amount of the line ``key`` ("metal", "cgst", "round_off", ...), 0.00 when there is none."""
        return next((line.amount for line in self.lines if line.key == key), ZERO)

    @property
    def taxable(self) -> Decimal:
        """The value GST is charged on."""
        return self.amount("taxable")

    @property
    def tax(self) -> Decimal:
        """CGST + SGST, or IGST."""
        return self.amount("cgst") + self.amount("sgst") + self.amount("igst")

    @property
    def round_off(self) -> Decimal:
        """What rounding to the rupee added (positive) or took away (negative)."""
        return self.amount("round_off")

    @property
    def total(self) -> Decimal:
        """The price to pay, a whole number of rupees."""
        return self.amount("total")

    def rows(self) -> list[dict[str, str]]:
        """The lines as display rows: label, basis and the amount as ₹ text."""
        return [{"key": x.key, "label": x.label, "basis": x.basis, "amount": _money(x.amount)} for x in self.lines]


def gst_split(taxable: Decimal, tax_rate: Decimal, inter_state: bool) -> dict[str, Decimal]:
    """The GST on ``taxable`` at ``tax_rate`` % in total: {"cgst", "sgst"} of half the rate each within
    the state, or {"igst"} across states; each amount rounded half up to the paisa on its own."""
    if inter_state:
        return {"igst": paisa(taxable * tax_rate / HUNDRED)}
    half = paisa(taxable * tax_rate / 2 / HUNDRED)
    return {"cgst": half, "sgst": half}


def gst_lines(taxable: Decimal, tax_rate: Decimal, inter_state: bool) -> list[PriceLine]:
    """The GST lines of a taxable value, e.g. "CGST 9% of ₹1,000.00" and "SGST 9% of ₹1,000.00"."""
    split = gst_split(taxable, tax_rate, inter_state)
    part = tax_rate if inter_state else tax_rate / 2
    return [PriceLine(key, key.upper(), f"{_pct(part)} of {_money(taxable)}", amount) for key, amount in split.items()]


def taxed(lines: list[PriceLine], tax_rate: Decimal, inter_state: bool) -> PriceBreakdown:
    """``lines`` (ending with the taxable value, or holding only it) followed by their GST, the round-off
    to the rupee and the total."""
    out = PriceBreakdown(lines=list(lines), inter_state=inter_state)
    taxable = out.taxable
    out.lines += gst_lines(taxable, tax_rate, inter_state)
    gross = taxable + out.tax
    total = gross.quantize(RUPEE, ROUND_HALF_UP).quantize(PAISA)
    out.lines.append(PriceLine("round_off", "Round off", f"{_money(gross)} to the nearest rupee", total - gross))
    out.lines.append(PriceLine("total", "Total", "Taxable value + GST + round off", total))
    return out


def _check(data: PriceInput) -> None:
    errors: dict[str, str] = {}
    for key in ("rate", "net_weight", "wastage_pct", "making_value", "stones_value", "hallmark_charge"):
        value = getattr(data, key)
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            errors[key] = "Must be a number, 0 or more."
    rate = data.tax_rate
    if not isinstance(rate, Decimal) or not rate.is_finite() or not ZERO <= rate <= HUNDRED:
        errors["tax_rate"] = "The GST rate is a % from 0 to 100."
    if data.making_rule not in MAKING_RULES:
        errors["making_rule"] = "Making charges are per_gram, percent or flat."
    for key in ("making_discount", "discount"):
        discount = getattr(data, key)
        if discount is None:
            continue
        if discount.kind not in DISCOUNT_KINDS:
            errors[key] = "A discount is a percent or an amount."
        elif not discount.value.is_finite() or discount.value < 0:
            errors[key] = "A discount is 0 or more."
        elif discount.kind == "percent" and discount.value > HUNDRED:
            errors[key] = "A discount cannot be more than 100%."
    if errors:
        raise ValidationError(errors)


def _discount_amount(discount: Discount, of: Decimal, key: str, what: str) -> Decimal:
    if discount.kind == "percent":
        return paisa(of * discount.value / HUNDRED)
    amount = paisa(discount.value)
    if amount > of:
        raise ValidationError({key: f"The discount ({_money(amount)}) cannot exceed the {what} ({_money(of)})."})
    return amount


def price(data: PriceInput) -> PriceBreakdown:
    """The price of one piece, every line rounded half up to the paisa, the total to the rupee.

    Raises ValidationError (keyed by the PriceInput field) for negative or unknown inputs and
    for a discount larger than what it applies to.
    """
    _check(data)
    net, rate = data.net_weight, data.rate
    lines: list[PriceLine] = []

    metal = paisa(net * rate)
    lines.append(PriceLine("metal", "Metal value", f"{_grams(net)} × {_rate(rate)}", metal))

    wastage_weight = net * data.wastage_pct / HUNDRED
    wastage = paisa(net * rate * data.wastage_pct / HUNDRED)
    basis = f"{_pct(data.wastage_pct)} of {_grams(net)} = {_grams(wastage_weight)} × {_rate(rate)}"
    lines.append(PriceLine("wastage", "Wastage", basis, wastage))

    if data.making_rule == "per_gram":
        making = paisa(net * data.making_value)
        basis = f"{_grams(net)} × {_rate(data.making_value)}"
    elif data.making_rule == "percent":
        making = paisa(metal * data.making_value / HUNDRED)
        basis = f"{_pct(data.making_value)} of {_money(metal)} metal value"
    else:
        making = paisa(data.making_value)
        basis = "Flat per piece"
    lines.append(PriceLine("making", "Making charges", basis, making))

    if data.making_discount is not None:
        cut = _discount_amount(data.making_discount, making, "making_discount", "making charges")
        lines.append(
            PriceLine(
                "making_discount",
                "Discount on making",
                data.making_discount.basis(making, "making charges"),
                -cut,
            )
        )

    stones = paisa(data.stones_value)
    lines.append(PriceLine("stones", "Stones", "Value of the stones", stones))
    hallmark = paisa(data.hallmark_charge)
    lines.append(PriceLine("hallmark", "Hallmark / certification", "Per piece", hallmark))

    subtotal = sum((line.amount for line in lines), ZERO)
    if data.discount is not None:
        cut = _discount_amount(data.discount, subtotal, "discount", "price before discount")
        lines.append(PriceLine("discount", "Discount", data.discount.basis(subtotal, "the price"), -cut))

    taxable = sum((line.amount for line in lines), ZERO)
    lines.append(PriceLine("taxable", "Taxable value", "Sum of the lines above", taxable))
    return taxed(lines, data.tax_rate, data.inter_state)
