"""Repairs: repair and custom-order jobs with intake, stages, the workshop board, karigar job work
and the customer's status page."""

from decimal import Decimal

from jewelerp.registry import Module, Permission, Setting

REPAIR_STAGES = "received, estimated, approved, in workshop, quality check, ready, delivered"
CUSTOM_STAGES = (
    "enquiry, design, customer approval, metal issued, making, stone setting, quality check, ready, delivered"
)

MODULE = Module(
    name="repairs",
    title="Repairs and custom orders",
    version="0.1.0",
    summary="Repair and custom-order jobs from intake to delivery, the workshop board and karigar job work.",
    depends=("clienteling", "stock"),
    models=("modules.repairs.models",),
    permissions=(
        Permission("repairs.job.view", "See repair and custom-order jobs", ("manager", "sales", "designer")),
        Permission(
            "repairs.job.edit", "Take in jobs and move them through the stages", ("manager", "sales", "designer")
        ),
        Permission("repairs.job.override", "Deliver despite a balance or weight difference", ("manager",)),
        Permission("repairs.design.manage", "Upload design versions and record approvals", ("manager", "designer")),
        Permission("repairs.karigar.manage", "Karigars and their metal ledger", ("manager", "designer")),
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
)
