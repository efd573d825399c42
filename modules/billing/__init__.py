"""Billing: the daily metal rates of each store and the pricing engine.

Contributes to stock: ``"stock.metal_rate"`` (today's billing rate values the stock) and
``"stock.tag_price"`` (tags priced at today's rate with :mod:`modules.billing.pricing`).
"""

from decimal import Decimal

from jewelerp.registry import MenuEntry, Module, Page, Permission, Setting

MODULE = Module(
    name="billing",
    title="Billing",
    version="0.1.0",
    summary="Daily metal rates per store (entered or imported, with history) and the price engine.",
    depends=("stock",),
    models=("modules.billing.models",),
    permissions=(
        Permission("billing.rate.view", "See metal rates", ("manager", "sales", "designer")),
        Permission("billing.rate.manage", "Enter, correct and import metal rates", ("manager",)),
        Permission("billing.invoice.create", "Create and issue invoices", ("manager", "sales")),
        Permission("billing.invoice.cancel", "Cancel invoices with a credit note", ("manager",)),
        Permission("billing.invoice.approve", "Approve high-value invoices and large discounts", ("manager",)),
        Permission("billing.payment.take", "Take payments and print receipts", ("manager", "sales")),
        Permission("billing.booking.manage", "Book pieces against advances (layaway)", ("manager", "sales")),
        Permission("billing.report.view", "See sales, GST and dues reports", ("manager",)),
    ),
    pages=(
        Page(
            route="/billing/rates",
            component="modules.billing.pages:rates_page",
            title="Metal rates",
            permission="billing.rate.view",
            menu=MenuEntry("Metal rates", icon="trending-up", order=30),
            on_load="modules.billing.pages:RatesState.open_page",
        ),
        Page(
            route="/billing/invoices",
            component="modules.billing.invoice_pages:invoices_page",
            title="Invoices",
            permission="billing.invoice.create",
            menu=MenuEntry("Invoices", icon="receipt", order=31),
            on_load="modules.billing.invoice_pages:InvoicesState.open_page",
        ),
        Page(
            route="/billing/invoices/[invoice_id]",
            component="modules.billing.invoice_pages:invoice_page",
            title="Invoice",
            permission="billing.invoice.create",
            on_load="modules.billing.invoice_pages:InvoiceState.load",
        ),
    ),
    contributions={
        "stock.metal_rate": ("modules.billing.rates:stock_metal_rate",),
        "stock.tag_price": ("modules.billing.tag_price:tag_price",),
    },
    settings=(
        Setting(
            "billing.hallmark_charge",
            "Hallmark charge per hallmarked piece (₹)",
            Decimal("45.00"),
            "Added to the price of pieces whose metal is hallmarked (BIS HUID).",
        ),
        Setting(
            "billing.discount_limit_pct",
            "Largest discount a salesperson may give without approval (%)",
            Decimal("5.00"),
            "A line discounted by more than this % of its price waits for a manager's approval.",
        ),
        Setting(
            "billing.approval_amount",
            "Invoices above this total need a manager's approval (₹)",
            Decimal("500000.00"),
            "High-value sales wait for a manager before they can be issued.",
        ),
        Setting(
            "billing.estimate_validity_days",
            "Days an estimate stays valid",
            7,
            "An estimate converts to an invoice at its quoted prices until then.",
        ),
        Setting(
            "billing.booking_forfeit_pct",
            "Share of advances kept when a booking is cancelled (%)",
            Decimal("10.00"),
            "The store's refund rule: the rest of the advances is refunded.",
        ),
    ),
    demo_data="modules.billing.demo:load",
)
