"""Billing: the daily metal rates of each store and the pricing engine.

Contributes to stock: ``"stock.metal_rate"`` (today's billing rate values the stock) and
``"stock.tag_price"`` (tags priced at today's rate with :mod:`modules.billing.pricing`).
Contributes to clienteling: ``"clienteling.customer360"`` (the customer's invoices, :mod:`modules.billing.customer`).
Depends on stock (pieces sold, reserved and returned through its ledger) and clienteling (the customer
number on invoices, estimates and bookings is read through its services, :mod:`modules.billing.customer_link`).
"""

from decimal import Decimal

from jewelerp.registry import DashboardCard, ExtensionPoint, MenuEntry, Module, Page, Permission, Searcher, Setting

CARDS = "modules.billing.cards"  # the home dashboard's cards
REPORT = "billing.report.view"
SALES_FILTERS = ("category", "salesperson")
ALL = ("period", "category", "salesperson")

# Tally ledgers the accountant's export names (modules.billing.tally): setting key suffix, what it books, default.
TALLY_LEDGERS = (
    ("sales", "sales (taxable value)", "Sales"),
    ("cgst", "output CGST", "Output CGST"),
    ("sgst", "output SGST", "Output SGST"),
    ("igst", "output IGST", "Output IGST"),
    ("round_off", "round-off", "Round Off"),
    ("party", "customers (the party of every voucher)", "Customers"),
    ("cash", "cash received", "Cash"),
    ("bank", "bank transfers received", "Bank"),
    ("card", "card payments received", "Card Receipts"),
    ("upi", "UPI payments received", "UPI Receipts"),
    ("old_gold", "old gold taken in exchange", "Old Gold Purchase"),
)

MODULE = Module(
    name="billing",
    title="Billing",
    version="0.1.0",
    summary="Daily metal rates per store (entered or imported, with history) and the price engine.",
    depends=("stock", "clienteling"),
    models=("modules.billing.models",),
    searchers=(
        Searcher("billing.invoices", "Invoices", "modules.billing.searchers:find_invoices", "billing.invoice.create"),
        Searcher(
            "billing.estimates", "Estimates", "modules.billing.searchers:find_estimates", "billing.invoice.create"
        ),
        Searcher("billing.bookings", "Bookings", "modules.billing.searchers:find_bookings", "billing.booking.manage"),
    ),
    permissions=(
        Permission("billing.rate.view", "See metal rates", ("manager", "sales", "designer")),
        Permission("billing.rate.manage", "Enter, correct and import metal rates", ("manager",)),
        Permission("billing.invoice.create", "Create and issue invoices", ("manager", "sales")),
        Permission("billing.invoice.cancel", "Cancel invoices with a credit note", ("manager",)),
        Permission("billing.invoice.approve", "Approve high-value invoices and large discounts", ("manager",)),
        Permission("billing.payment.take", "Take payments and print receipts", ("manager", "sales")),
        Permission("billing.booking.manage", "Book pieces against advances (layaway)", ("manager", "sales")),
        Permission("billing.report.view", "See sales, GST and dues reports", ("manager",)),
        Permission("billing.returns.export", "Export GSTR-1 and Tally vouchers for the accountant", ("manager",)),
        Permission("billing.tax.manage", "Change GST tax classes and their rates", ()),
        Permission(
            "billing.old_gold.buy", "Buy old gold from customers (buy-back vouchers) and see vouchers", ("manager",)
        ),
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
        Page(
            route="/billing/estimates",
            component="modules.billing.estimate_pages:estimates_page",
            title="Estimates",
            permission="billing.invoice.create",
            menu=MenuEntry("Estimates", icon="file-text", order=32),
            on_load="modules.billing.estimate_pages:EstimatesState.open_page",
        ),
        Page(
            route="/billing/approvals",
            component="modules.billing.approval_pages:approvals_page",
            title="Approvals",
            permission="billing.invoice.approve",
            menu=MenuEntry("Approvals", icon="badge-check", order=33),
            on_load="modules.billing.approval_pages:ApprovalsState.open_page",
        ),
        Page(
            route="/billing/bookings",
            component="modules.billing.booking_pages:bookings_page",
            title="Bookings",
            permission="billing.booking.manage",
            menu=MenuEntry("Bookings", icon="calendar-clock", order=34),
            on_load="modules.billing.booking_pages:BookingsState.open_page",
        ),
        Page(
            route="/billing/bookings/[booking_id]",
            component="modules.billing.booking_pages:booking_page",
            title="Booking",
            permission="billing.booking.manage",
            on_load="modules.billing.booking_pages:BookingState.load",
        ),
        Page(
            route="/billing/old-gold",
            component="modules.billing.old_gold_pages:old_gold_page",
            title="Old gold",
            permission="billing.old_gold.buy",
            menu=MenuEntry("Old gold", icon="coins", order=35),
            on_load="modules.billing.old_gold_pages:OldGoldState.open_page",
        ),
        Page(
            route="/billing/dues",
            component="modules.billing.payment_pages:dues_page",
            title="Dues",
            permission="billing.report.view",
            menu=MenuEntry("Dues", icon="hand-coins", order=37),
            on_load="modules.billing.payment_pages:DuesState.open_page",
        ),
        Page(
            route="/billing/reports/sales",
            component="modules.billing.report_pages:sales_report_page",
            title="Sales report",
            permission="billing.report.view",
            menu=MenuEntry("Sales report", icon="chart-column", order=38),
            on_load="modules.billing.report_pages:SalesReportState.open_page",
        ),
        Page(
            route="/billing/tax-classes",
            component="modules.billing.tax_class_pages:tax_classes_page",
            title="Tax classes",
            permission="billing.tax.manage",
            menu=MenuEntry("Tax classes", icon="percent", order=40),
            on_load="modules.billing.tax_class_pages:TaxClassesState.load",
        ),
        Page(
            route="/billing/reports/gst",
            component="modules.billing.report_pages:gst_report_page",
            title="GST summary",
            permission="billing.report.view",
            menu=MenuEntry("GST summary", icon="landmark", order=39),
            on_load="modules.billing.report_pages:GstReportState.open_page",
        ),
        Page(
            route="/billing/reports/returns",
            component="modules.billing.returns_pages:returns_page",
            title="GST returns",
            permission="billing.returns.export",
            menu=MenuEntry("GST returns", icon="file-json", order=41),
            on_load="modules.billing.returns_pages:ReturnsState.open_page",
        ),
    ),
    dashboard_cards=(
        DashboardCard("billing.sales_today", "Sales today", f"{CARDS}:sales_today_card", REPORT, SALES_FILTERS),
        DashboardCard("billing.sales_period", "Sales in the period", f"{CARDS}:sales_period_card", REPORT, ALL),
        DashboardCard("billing.branches", "Branch comparison", f"{CARDS}:branches_card", REPORT, ALL),
        DashboardCard("billing.top_categories", "Top categories", f"{CARDS}:top_categories_card", REPORT, ALL),
        DashboardCard("billing.top_salespeople", "Top salespeople", f"{CARDS}:top_salespeople_card", REPORT, ALL),
        DashboardCard("billing.dues", "Dues by age", f"{CARDS}:dues_card", REPORT),
        DashboardCard("billing.gold_rate", "Gold rate today", f"{CARDS}:gold_rate_card", "billing.rate.view"),
    ),
    emits=(("billing.invoice", "issued"), ("billing.invoice", "cancelled"), ("billing.payment", "received")),
    extension_points=(
        ExtensionPoint("billing.payment_methods", "modules.billing.payments:PaymentMethod", "Ways to pay an invoice"),
        ExtensionPoint(
            "billing.making_discount", "modules.billing.invoices:MakingDiscountSource", "A customer's making discount"
        ),
        ExtensionPoint("billing.cash_received", "modules.billing.payments:CashReceived", "Cash taken (s.269ST)"),
    ),
    contributions={
        "stock.metal_rate": ("modules.billing.rates:stock_metal_rate",),
        "stock.tag_price": ("modules.billing.tag_price:tag_price",),
        "clienteling.customer360": ("modules.billing.customer:purchases",),
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
        *(
            Setting(f"billing.tally_{key}_ledger", f"Tally ledger for {what}", default, "Used by the Tally XML export.")
            for key, what, default in TALLY_LEDGERS
        ),
    ),
    install_data="modules.billing.tax_classes:ensure_default_tax_classes",
    demo_data="modules.billing.demo:load",
)
