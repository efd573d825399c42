"""Customer portal: customers register, confirm their address and sign in with a one-time code or with Google,
Facebook or LinkedIn (apart from staff accounts), then see their own purchases and invoices, pieces with
certificates, repair jobs live, gold schemes, points, wishlist, family occasions and consent choices, pay a
scheme's next instalment online (the payments module's gateway; loyalty writes the receipt when the gateway's
signed webhook says it was paid), and open service cases and follow their replies live. Everything is read
through the other modules' apis for the customers linked to the signed-in account only.

It emits no events. Other modules add sections to its menu through ``"portal.menu"`` (a
``modules.portal.api.MenuLink``).
"""

from jewelerp.registry import ExtensionPoint, Module, Page

P = "modules.portal.records_pages"
S = "modules.portal.sign_in_pages"
C = "modules.portal.cases_page"


def _page(route: str, component: str, title: str, on_load: str) -> Page:
    """A portal page: public to the staff shell (no staff login); its state checks the portal session."""
    return Page(route=route, component=component, title=title, on_load=on_load, public=True)


MODULE = Module(
    name="portal",
    title="Customer portal",
    version="0.1.0",
    summary="Customers sign in with a one-time code and see their invoices, pieces, repairs, schemes and points.",
    depends=("clienteling", "billing", "stock", "repairs", "loyalty", "payments"),
    models=("modules.portal.models",),
    pages=(
        _page(
            "/portal/sign-in",
            f"{S}:sign_in_page",
            "Sign in to the customer portal",
            f"{S}:PortalEntryState.open_sign_in",
        ),
        _page(
            "/portal/register",
            f"{S}:register_page",
            "Register for the customer portal",
            f"{S}:PortalEntryState.open_register",
        ),
        _page("/portal/confirm", f"{S}:confirm_page", "Confirm your address", f"{S}:PortalEntryState.open_confirm"),
        _page("/portal", f"{P}:home_page", "My account", f"{P}:PortalHomeState.load"),
        _page("/portal/invoices", f"{P}:invoices_page", "My invoices", f"{P}:PortalInvoicesState.load"),
        _page("/portal/pieces", f"{P}:pieces_page", "My pieces", f"{P}:PortalPiecesState.load"),
        _page("/portal/repairs", f"{P}:repairs_page", "My repairs and orders", f"{P}:PortalRepairsState.load"),
        _page("/portal/schemes", f"{P}:schemes_page", "My gold schemes", f"{P}:PortalSchemesState.load"),
        _page("/portal/wishlist", f"{P}:wishlist_page", "My wish list", f"{P}:PortalWishlistState.load"),
        _page("/portal/occasions", f"{P}:occasions_page", "My family occasions", f"{P}:PortalOccasionsState.load"),
        _page("/portal/cases", f"{C}:cases_page", "My cases", f"{C}:PortalCasesState.load"),
        _page("/portal/consent", f"{P}:consent_page", "My contact choices", f"{P}:PortalConsentState.load"),
    ),
    contributions={
        "core.api_routes": ("modules.portal.routes:routes",),
        "core.identity_proofs": ("modules.portal.social:PROOF",),
    },
    demo_data="modules.portal.demo:load",
    extension_points=(
        ExtensionPoint(
            "portal.menu", "modules.portal.layout:MenuItem", "Sections other modules add to the portal's menu"
        ),
    ),
)
