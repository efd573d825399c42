"""Stock: every piece in every branch, its stones, certificates and provenance, the movement
ledger, QR tags and the public certificate page."""

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

LEDGER_KINDS = (  # every movement of modules.stock.ledger.RULES emits ("stock.piece", kind)
    "transfer_out",
    "transfer_in",
    "sale",
    "return",
    "reserve",
    "unreserve",
    "memo_out",
    "memo_in",
    "consignment_return",
    "repair_out",
    "repair_in",
    "melt",
    "write_off",
    "restore",
)
PROVENANCE_KINDS = (
    "transfer_out",
    "transfer_in",
    "sale",
    "return",
    "repair_in",
    "consignment_return",
)

MODULE = Module(
    name="stock",
    title="Stock",
    version="0.1.0",
    summary="Pieces with stones, certificates and provenance; the stock ledger across branches; QR tags.",
    models=("modules.stock.models", "modules.stock.search_index"),
    searchers=(Searcher("stock.pieces", "Pieces", "modules.stock.searchers:find_pieces", "stock.piece.view"),),
    permissions=(
        Permission("stock.piece.view", "See pieces and stock", ("manager", "sales", "designer")),
        Permission("stock.piece.receive", "Receive pieces from suppliers, karigars and consignors", ("manager",)),
        Permission("stock.piece.move", "Transfer, memo, repair and melt pieces", ("manager",)),
        Permission("stock.piece.sell", "Sell, return and reserve pieces (used by billing)", ("manager", "sales")),
        Permission("stock.piece.adjust", "Write off or restore pieces with a reason", ("manager",)),
        Permission("stock.cost.view", "See cost prices", ("manager",)),
        Permission("stock.masters.manage", "Edit categories, metals, designs, suppliers and karigars", ("manager",)),
        Permission("stock.certificate.edit", "Add certificates, provenance and photos", ("manager", "designer")),
        Permission("stock.tag.manage", "Print tags and revoke or reissue public links", ("manager", "sales")),
    ),
    pages=(
        Page(
            "/stock/pieces",
            "modules.stock.pages:pieces_page",
            "Stock",
            "stock.piece.view",
            MenuEntry("Stock", "gem", 20),
            "modules.stock.pages:PiecesTable.open_page",
        ),
        Page(
            "/stock/pieces/[piece_id]",
            "modules.stock.piece_page:piece_page",
            "Piece",
            "stock.piece.view",
            None,
            "modules.stock.piece_page:PieceState.load",
        ),
        Page(
            "/stock/receive",
            "modules.stock.receive_page:receive_page",
            "Receive stock",
            "stock.piece.receive",
            MenuEntry("Receive stock", "package-plus", 21),
            "modules.stock.receive_page:ReceiveState.load",
        ),
        Page(
            "/stock/low-stock",
            "modules.stock.reorder_page:reorder_page",
            "Low stock",
            "stock.piece.view",
            MenuEntry("Low stock", "triangle-alert", 22),
            "modules.stock.reorder_page:ReorderState.load",
        ),
        Page(
            "/stock/valuation",
            "modules.stock.valuation_page:valuation_page",
            "Stock valuation",
            "stock.piece.view",
            MenuEntry("Valuation", "scale", 23),
            "modules.stock.valuation_page:ValuationState.load",
        ),
        Page(
            "/stock/masters",
            "modules.stock.masters_page:masters_page",
            "Stock masters",
            "stock.masters.manage",
            MenuEntry("Stock masters", "list", 24),
            "modules.stock.masters_page:MastersState.load",
        ),
        Page(
            "/stock/old-gold",
            "modules.stock.old_gold_page:old_gold_page",
            "Old-gold lots",
            "stock.piece.view",
            MenuEntry("Old-gold lots", "recycle", 25),
            "modules.stock.old_gold_page:OldGoldLots.open_page",
        ),
    ),
    jobs=(Job("stock.reorder_alerts", "0 6 * * *", "modules.stock.reorder:raise_alerts", "Low-stock alerts"),),
    events=tuple(
        EventHandler("stock.piece", kind, "modules.stock.provenance:on_stock_movement") for kind in PROVENANCE_KINDS
    ),
    dashboard_cards=(
        DashboardCard("stock.on_hand", "Pieces in stock", "modules.stock.cards:on_hand_card", "stock.piece.view"),
        DashboardCard(
            "stock.value", "Stock value by metal", "modules.stock.cards:value_by_metal_card", "stock.piece.view"
        ),
        DashboardCard("stock.low", "Low stock", "modules.stock.cards:low_stock_card", "stock.piece.view"),
    ),
    emits=tuple(("stock.piece", kind) for kind in LEDGER_KINDS),
    extension_points=(
        ExtensionPoint("stock.metal_rate", "modules.stock.valuation:MetalRateSource", "Today's rate of a metal"),
        ExtensionPoint("stock.tag_price", "modules.stock.tags:TagPrice", "The price printed on a tag"),
    ),
    contributions={
        "core.api_routes": ("modules.stock.public:routes",),
        "core.files": ("modules.stock.files:piece_file",),
        "clienteling.stock_lookup": ("modules.stock.lookup:describe_piece",),
    },
    settings=(
        Setting(
            "stock.public_base_url",
            "Public address of the certificate pages",
            "http://localhost:8000",
            "QR tags encode <this address>/c/<token>; use the address customers can open.",
        ),
        Setting("stock.label_show_price", "Print the price on tags", False),
        Setting(
            "stock.huid_mandatory",
            "HUID required on hallmarked gold jewellery",
            True,
            "BIS Hallmarking Order 2020: gold jewellery of 14K to 24K (2 g or more, coins and bars exempt) is "
            "received and sold only with its 6-character HUID. Turn off only outside India or when exempt by turnover.",
        ),
    ),
    install_data="modules.stock.masters:ensure_default_masters",
    demo_data="modules.stock.demo:load",
)
