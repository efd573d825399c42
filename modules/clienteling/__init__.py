"""Clienteling: customer profiles, families and occasions, segments, follow-ups, service cases, customer 360."""

from decimal import Decimal

from jewelerp.registry import (
    DashboardCard,
    EventHandler,
    ExtensionPoint,
    Job,
    MenuEntry,
    Module,
    Page,
    Permission,
    Searcher,
    Setting,
)

MODULE = Module(
    name="clienteling",
    title="Clienteling",
    version="0.2.0",
    summary="Customer profiles with family, occasions, segments, communication history and follow-ups.",
    models=("modules.clienteling.models", "modules.clienteling.search_index"),
    searchers=(
        Searcher(
            "clienteling.customers",
            "Customers",
            "modules.clienteling.searchers:find_customers",
            "clienteling.customer.view",
        ),
        Searcher(
            "clienteling.cases",
            "Service cases",
            "modules.clienteling.searchers:find_cases",
            "clienteling.case.view",
        ),
    ),
    permissions=(
        Permission("clienteling.customer.view", "See customers", ("manager", "sales", "designer")),
        Permission("clienteling.customer.edit", "Create and edit customers", ("manager", "sales")),
        Permission("clienteling.customer.pii", "See full phone, email, address and birth dates", ("manager",)),
        Permission("clienteling.interaction.log", "Log calls and visits; complete follow-ups", ("manager", "sales")),
        Permission("clienteling.customer.assign", "Assign customers and follow-ups to staff", ("manager",)),
        Permission("clienteling.customer.merge", "Merge duplicate customers", ("manager",)),
        Permission("clienteling.customer.import", "Import customers from spreadsheets", ("manager",)),
        Permission("clienteling.report.view", "See customer RFM segments and lifetime value", ("manager",)),
        Permission("clienteling.case.view", "See service cases", ("manager", "sales", "designer")),
        Permission(
            "clienteling.case.edit", "Open service cases, add notes and change their status", ("manager", "sales")
        ),
        Permission("clienteling.case.assign", "Assign service cases to staff and see the store's queue", ("manager",)),
    ),
    pages=(
        Page(
            "/clienteling/customers",
            "modules.clienteling.pages:customers_page",
            "Customers",
            "clienteling.customer.view",
            MenuEntry("Customers", "contact", 10),
            "modules.clienteling.pages:CustomersTable.open_page",
        ),
        Page(
            "/clienteling/customers/[customer_id]",
            "modules.clienteling.profile_page:profile_page",
            "Customer",
            "clienteling.customer.view",
            None,
            "modules.clienteling.profile_page:ProfileState.load",
        ),
        Page(
            "/clienteling/follow-ups",
            "modules.clienteling.follow_up_page:follow_ups_page",
            "Follow-ups",
            "clienteling.customer.view",
            MenuEntry("My follow-ups", "list-checks", 11),
            "modules.clienteling.follow_up_page:FollowUpsTable.open_page",
        ),
        Page(
            "/clienteling/cases",
            "modules.clienteling.case_lists:my_cases_page",
            "My cases",
            "clienteling.case.view",
            MenuEntry("My cases", "life-buoy", 11),
            "modules.clienteling.case_lists:MyCasesTable.load",
        ),
        Page(
            "/clienteling/case-queue",
            "modules.clienteling.case_lists:case_queue_page",
            "Case queue",
            "clienteling.case.assign",
            MenuEntry("Case queue", "inbox", 11),
            "modules.clienteling.case_lists:CaseQueueTable.load",
        ),
        Page(
            "/clienteling/cases/[case_id]",
            "modules.clienteling.case_page:case_page",
            "Case",
            "clienteling.case.view",
            None,
            "modules.clienteling.case_page:CaseState.load",
        ),
        Page(
            "/clienteling/segments",
            "modules.clienteling.segment_page:segments_page",
            "Segments",
            "clienteling.customer.view",
            MenuEntry("Segments", "chart-pie", 12),
            "modules.clienteling.segment_page:SegmentsState.load",
        ),
        Page(
            "/clienteling/import",
            "modules.clienteling.import_page:import_page",
            "Import customers",
            "clienteling.customer.import",
            MenuEntry("Import customers", "upload", 13),
            "modules.clienteling.import_page:ImportState.load",
        ),
        Page(
            "/clienteling/reports/rfm",
            "modules.clienteling.report_pages:rfm_page",
            "Customer RFM",
            "clienteling.report.view",
            MenuEntry("Customer RFM", "target", 14),
            "modules.clienteling.report_pages:RfmState.open_page",
        ),
    ),
    jobs=(
        Job(
            "clienteling.occasion_follow_ups",
            "0 7 * * *",
            "modules.clienteling.jobs:occasion_follow_ups",
            "Follow-ups before birthdays, anniversaries and occasions",
        ),
        Job(
            "clienteling.refresh_segments",
            "30 2 * * *",
            "modules.clienteling.jobs:refresh_segments",
            "Recompute customer segments",
        ),
    ),
    events=(
        EventHandler("billing.invoice", "issued", "modules.clienteling.handlers:invoice_issued", phase="after_commit"),
        EventHandler(
            "billing.invoice", "cancelled", "modules.clienteling.handlers:invoice_cancelled", phase="after_commit"
        ),
    ),
    dashboard_cards=(
        DashboardCard(
            "clienteling.customers",
            "Customers",
            "modules.clienteling.cards:customers_card",
            "clienteling.customer.view",
        ),
        DashboardCard(
            "clienteling.follow_ups",
            "My follow-ups today",
            "modules.clienteling.cards:follow_ups_card",
            "clienteling.customer.view",
        ),
        DashboardCard(
            "clienteling.cases",
            "My open cases",
            "modules.clienteling.cards:cases_card",
            "clienteling.case.view",
        ),
        DashboardCard(
            "clienteling.occasions",
            "Birthdays and anniversaries this week",
            "modules.clienteling.cards:occasions_card",
            "clienteling.customer.view",
        ),
    ),
    emits=(("clienteling.customer", "merged"),),
    extension_points=(
        ExtensionPoint(
            "clienteling.customer360", "modules.clienteling.extension:Customer360Section", "A section of the 360 page"
        ),
        ExtensionPoint(
            "clienteling.stock_lookup", "modules.clienteling.wishlist:StockLookup", "Describe a stock item by reference"
        ),
    ),
    contributions={
        "clienteling.customer360": ("modules.clienteling.segments:purchases_section",),
        "core.files": ("modules.clienteling.photos:customer_file",),
    },
    settings=(
        Setting(
            "clienteling.default_country",
            "Phone country when no +code is typed",
            "IN",
            "Two-letter country code used to read local phone numbers.",
        ),
        Setting(
            "clienteling.occasion_lead_days",
            "Days before an occasion to follow up",
            7,
            "The daily job creates the follow-up this many days ahead, for customers who consented.",
        ),
        Setting("clienteling.regular_min_purchases", "Purchases in 12 months to be Regular", 2),
        Setting("clienteling.vip_min_spend", "Spend in 12 months to be VIP (₹)", Decimal("500000")),
    ),
    demo_data="modules.clienteling.demo:load",
)
