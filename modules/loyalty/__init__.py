"""Loyalty: a points program with tiers and referrals, and gold savings schemes."""

from decimal import Decimal

from jewelerp.registry import DashboardCard, EventHandler, Job, MenuEntry, Module, Page, Permission, Searcher, Setting

MODULE = Module(
    name="loyalty",
    title="Loyalty and savings schemes",
    version="0.1.0",
    summary="Points with tiers and referrals, earned on invoices and redeemed at billing; gold savings schemes.",
    depends=("billing", "clienteling", "payments"),
    models=("modules.loyalty.models",),
    searchers=(
        Searcher("loyalty.schemes", "Gold schemes", "modules.loyalty.searchers:find_enrolments", "loyalty.member.view"),
    ),
    permissions=(
        Permission("loyalty.member.view", "See members, points and schemes", ("manager", "sales")),
        Permission("loyalty.points.redeem", "Redeem points and schemes at billing", ("manager", "sales")),
        Permission("loyalty.points.adjust", "Adjust points by hand (with a reason)", ("manager",)),
        Permission("loyalty.pin.reset", "Reset a member's PIN without the old one, and unlock it", ("manager",)),
        Permission("loyalty.program.manage", "Set up the points program, tiers and schemes", ("manager",)),
        Permission("loyalty.scheme.enrol", "Enrol customers and collect scheme instalments", ("manager", "sales")),
        Permission("loyalty.scheme.close", "Foreclose schemes", ("manager",)),
        Permission("loyalty.report.view", "See the loyalty liability report", ("manager",)),
    ),
    pages=(
        Page(
            route="/loyalty/members",
            component="modules.loyalty.pages:members_page",
            title="Loyalty members",
            permission="loyalty.member.view",
            menu=MenuEntry("Loyalty members", icon="award", order=45),
            on_load="modules.loyalty.pages:MembersState.open_page",
        ),
        Page(
            route="/loyalty/members/[member_id]",
            component="modules.loyalty.pages:member_page",
            title="Member",
            permission="loyalty.member.view",
            on_load="modules.loyalty.pages:MemberState.load",
        ),
        Page(
            route="/loyalty/program",
            component="modules.loyalty.pages:program_page",
            title="Points program",
            permission="loyalty.program.manage",
            menu=MenuEntry("Points program", icon="sliders-horizontal", order=46),
            on_load="modules.loyalty.pages:ProgramState.load",
        ),
        Page(
            route="/loyalty/schemes",
            component="modules.loyalty.scheme_pages:schemes_page",
            title="Gold schemes",
            permission="loyalty.member.view",
            menu=MenuEntry("Gold schemes", icon="piggy-bank", order=47),
            on_load="modules.loyalty.scheme_pages:SchemesState.open_page",
        ),
        Page(
            route="/loyalty/enrolments/[enrolment_id]",
            component="modules.loyalty.scheme_pages:enrolment_page",
            title="Gold scheme",
            permission="loyalty.member.view",
            on_load="modules.loyalty.scheme_pages:EnrolmentState.load",
        ),
        Page(
            route="/loyalty/schemes-maturing",
            component="modules.loyalty.scheme_pages:maturing_page",
            title="Schemes maturing this month",
            permission="loyalty.member.view",
            on_load="modules.loyalty.scheme_pages:MaturingState.open_page",
        ),
        Page(
            route="/loyalty/scheme-liability",
            component="modules.loyalty.scheme_pages:liability_page",
            title="Scheme liability",
            permission="loyalty.member.view",
            on_load="modules.loyalty.scheme_pages:LiabilityState.open_page",
        ),
        Page(
            route="/loyalty/scheme-templates",
            component="modules.loyalty.scheme_pages:templates_page",
            title="Scheme setup",
            permission="loyalty.member.view",
            on_load="modules.loyalty.scheme_pages:TemplatesState.open_page",
        ),
        Page(
            route="/loyalty/reports/liability",
            component="modules.loyalty.report_pages:liability_report_page",
            title="Loyalty liability",
            permission="loyalty.report.view",
            menu=MenuEntry("Loyalty liability", icon="scale", order=48),
            on_load="modules.loyalty.report_pages:LoyaltyLiabilityState.open_page",
        ),
    ),
    dashboard_cards=(
        DashboardCard(
            "loyalty.maturing",
            "Schemes maturing this month",
            "modules.loyalty.cards:maturing_card",
            "loyalty.member.view",
        ),
        DashboardCard(
            "loyalty.liability", "Scheme liability", "modules.loyalty.cards:liability_card", "loyalty.member.view"
        ),
    ),
    events=(
        EventHandler("billing.invoice", "issued", "modules.loyalty.points:earn_on_invoice"),
        EventHandler("billing.invoice", "cancelled", "modules.loyalty.points:reverse_on_cancel"),
        EventHandler("billing.payment", "received", "modules.loyalty.points:referral_on_payment"),
        EventHandler("payments.order", "paid", "modules.loyalty.online:instalment_paid"),
    ),
    jobs=(
        Job("loyalty.expire_points", "15 0 * * *", "modules.loyalty.points:expire_points", "Expire points"),
        Job("loyalty.statements", "0 8 1 * *", "modules.loyalty.points:send_statements", "Monthly points statements"),
        Job("loyalty.schemes_daily", "30 0 * * *", "modules.loyalty.scheme_jobs:daily", "Schemes missed and matured"),
        Job("loyalty.scheme_reminders", "0 10 * * *", "modules.loyalty.scheme_jobs:remind", "Instalment reminders"),
        Job(
            "loyalty.scheme_statements",
            "30 8 1 * *",
            "modules.loyalty.scheme_jobs:monthly_statement",
            "Monthly scheme statements",
        ),
    ),
    settings=(
        Setting(
            "loyalty.require_pin",
            "Ask the member's PIN to redeem points",
            False,
            "The customer types their PIN in the payment's reference field.",
        ),
        Setting(
            "loyalty.scheme_late_fee",
            "Late fee on a scheme instalment paid after its grace days (₹)",
            Decimal("0.00"),
            "0 charges nothing: the instalment is only marked as paid late.",
        ),
        Setting(
            "loyalty.scheme_reminder_days",
            "Remind scheme members this many days before an instalment falls due",
            3,
            "Sent on the channels the customer agreed to (0 turns the reminders off).",
        ),
    ),
    contributions={
        "billing.payment_methods": ("modules.loyalty.points:POINTS_METHOD", "modules.loyalty.schemes:SCHEME_METHOD"),
        "clienteling.customer360": ("modules.loyalty.customer:points_section",),
        "billing.making_discount": ("modules.loyalty.points:tier_making_discount",),
        "billing.cash_received": ("modules.loyalty.schemes:cash_received",),
    },
    demo_data="modules.loyalty.demo:load",
)
