"""Clienteling: customer profiles a salesperson lives in."""

from jewelerp.registry import DashboardCard, MenuEntry, Module, Page, Permission, Setting

MODULE = Module(
    name="clienteling",
    title="Clienteling",
    version="0.1.0",
    summary="Customer profiles, search and export for every branch.",
    models=("modules.clienteling.models",),
    permissions=(
        Permission("clienteling.customer.view", "See customers", ("manager", "sales", "designer")),
        Permission("clienteling.customer.edit", "Create and edit customers", ("manager", "sales")),
        Permission("clienteling.customer.pii", "See full phone, email and birth dates", ("manager",)),
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
    ),
    dashboard_cards=(
        DashboardCard(
            "clienteling.customers",
            "Customers",
            "modules.clienteling.services:customers_card",
            "clienteling.customer.view",
        ),
    ),
    settings=(
        Setting(
            "clienteling.default_country",
            "Phone country when no +code is typed",
            "IN",
            "Two-letter country code used to read local phone numbers.",
        ),
    ),
    demo_data="modules.clienteling.demo:load",
)
