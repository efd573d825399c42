"""Repairs: repair and custom-order jobs with intake, stages, the workshop board, karigar job work
and the customer's status page.

Events it emits: ``("repairs.job", "created")``, ``("repairs.job", "moved")`` and ``("repairs.job", "delivered")``
(payloads in modules.repairs.jobs, .stages and .delivery). Extension points it reads (modules.repairs.extensions):
``"repairs.amount_paid"`` (modules.repairs.payments), for the module that takes the money for jobs (a bridge to
billing), and ``"repairs.job_links"``: ``fn(session, actor, job) -> list[tuple[str, str]]``, the (label, href) of
another module's pages about the job, shown as buttons on the job page.

It handles ``("payments.order", "paid")`` for a job's balance paid online (:mod:`modules.repairs.online`).
"""

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
    Role,
    Searcher,
    Setting,
)

REPAIR_STAGES = "received, estimated, approved, in workshop, quality check, ready, delivered"
CUSTOM_STAGES = (
    "enquiry, design, customer approval, metal issued, making, stone setting, quality check, ready, delivered"
)

MODULE = Module(
    name="repairs",
    title="Repairs and custom orders",
    version="0.1.0",
    summary="Repair and custom-order jobs from intake to delivery, the workshop board and karigar job work.",
    depends=("clienteling", "stock", "payments"),
    models=("modules.repairs.models",),
    searchers=(Searcher("repairs.jobs", "Repair jobs", "modules.repairs.searchers:find_jobs", "repairs.job.view"),),
    pages=(
        Page(
            "/repairs/jobs",
            "modules.repairs.pages:jobs_page",
            "Repairs and custom orders",
            "repairs.job.view",
            MenuEntry("Repairs", "wrench", 40),
            "modules.repairs.pages:JobsTable.open_page",
        ),
        Page(
            "/repairs/jobs/[job_id]",
            "modules.repairs.job_page:job_page",
            "Job",
            "repairs.job.view",
            None,
            "modules.repairs.job_page:JobState.load",
        ),
        Page(
            "/repairs/intake",
            "modules.repairs.intake_page:intake_page",
            "Take in a job",
            "repairs.job.edit",
            MenuEntry("Take in a job", "clipboard-plus", 42),
            "modules.repairs.intake_page:IntakeState.load",
        ),
        Page(
            "/repairs/board",
            "modules.repairs.board_page:board_page",
            "Workshop board",
            "repairs.job.view",
            MenuEntry("Workshop board", "kanban", 41),
            "modules.repairs.board_page:BoardState.load",
        ),
        Page(
            "/repairs/karigars",
            "modules.repairs.karigar_pages:karigars_page",
            "Karigars",
            "repairs.karigar.manage",
            MenuEntry("Karigars", "hammer", 44),
            "modules.repairs.karigar_pages:KarigarsState.open_page",
        ),
        Page(
            "/repairs/karigars/[karigar_id]",
            "modules.repairs.karigar_pages:karigar_page",
            "Karigar",
            "repairs.karigar.manage",
            None,
            "modules.repairs.karigar_pages:KarigarState.open_page",
        ),
        Page(
            "/repairs/reports",
            "modules.repairs.report_page:workshop_report_page",
            "Workshop reports",
            "repairs.report.view",
            MenuEntry("Workshop reports", "chart-column", 45),
            "modules.repairs.report_page:WorkshopReportState.open_page",
        ),
        Page(
            "/repairs/reports/karigar-metal",
            "modules.repairs.metal_balance_page:metal_balance_page",
            "Karigar metal balance",
            "repairs.report.view",
            MenuEntry("Karigar metal balance", "scale", 46),
            "modules.repairs.metal_balance_page:MetalBalanceState.open_page",
        ),
    ),
    roles=(Role("repairs.coordinator", "Karigar coordinator"),),
    permissions=(
        Permission(
            "repairs.job.view",
            "See repair and custom-order jobs",
            ("manager", "sales", "designer", "repairs.coordinator"),
        ),
        Permission(
            "repairs.job.edit", "Take in jobs and move them through the stages", ("manager", "sales", "designer")
        ),
        Permission("repairs.job.override", "Deliver despite a balance or weight difference", ("manager",)),
        Permission("repairs.design.manage", "Upload design versions and record approvals", ("manager", "designer")),
        Permission(
            "repairs.karigar.manage", "Karigars and their metal ledger", ("manager", "designer", "repairs.coordinator")
        ),
        Permission("repairs.report.view", "See workshop reports", ("manager",)),
        Permission("repairs.settings.manage", "Change the store's stages and workshop rules", ("manager",)),
    ),
    settings=(
        Setting("repairs.repair_stages", "Stages of a repair, in order", REPAIR_STAGES, "Comma-separated."),
        Setting("repairs.custom_stages", "Stages of a custom order, in order", CUSTOM_STAGES, "Comma-separated."),
        Setting("repairs.allow_skip", "Allow skipping stages", False, "Otherwise a job moves one stage at a time."),
        Setting(
            "repairs.weight_tolerance",
            "Weight difference allowed at pickup (g)",
            Decimal("0.020"),
            "A larger difference between weight in and weight out needs a manager's sign-off.",
        ),
        Setting(
            "repairs.held_days", "Days in one stage before a job counts as held", 7, "Shown as a queue on the board."
        ),
        Setting("repairs.warranty_days", "Default warranty of a repair (days)", 180, "Printed on the job ticket."),
    ),
    jobs=(Job("repairs.remind", "0 9 * * *", "modules.repairs.reminders:remind", "Jobs due tomorrow and overdue"),),
    dashboard_cards=(
        DashboardCard("repairs.due", "Repairs due today", "modules.repairs.cards:due_card", "repairs.job.view"),
    ),
    events=(EventHandler("payments.order", "paid", "modules.repairs.online:balance_paid"),),
    emits=(("repairs.job", "created"), ("repairs.job", "moved"), ("repairs.job", "delivered")),
    extension_points=(
        ExtensionPoint("repairs.amount_paid", "modules.repairs.payments:AmountPaid", "What was paid towards a job"),
        ExtensionPoint("repairs.job_links", "modules.repairs.extensions:JobLinks", "Buttons on the job page"),
    ),
    contributions={
        "core.api_routes": ("modules.repairs.public:routes",),
        "core.files": ("modules.repairs.files:job_file",),
        "clienteling.customer360": ("modules.repairs.customer:customer_jobs",),
    },
    demo_data="modules.repairs.demo:load",
)
