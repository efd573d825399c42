"""Online payments: a payment-gateway interface with a Razorpay-style adapter and a local test gateway.

A module that takes money (loyalty for scheme instalments, repairs for job balances) or shows customers what they
owe (the portal) opens an order with :func:`modules.payments.api.create_order` for one purpose and reference and
an amount its own server side decided; the customer pays on the gateway's checkout; the gateway's webhook, signed
with HMAC-SHA256 and checked here, marks the order paid once.

Why an event and not a bridge: the module that owns the money writes the receipt, with its own rules (the next
instalment, the job's balance), in the webhook's transaction. It listens for ``("payments.order", "paid",
{"order_id", "purpose", "reference", "customer_id", "amount", "payment_id", "quoted_on", "paid_at"})`` (the amount
as text, dates ISO) and keeps to the purposes it made (``loyalty.instalment``). So this module knows nothing of
schemes or jobs, depends on no other module, and its gateways can serve any future purpose.

Managers see the store's orders on ``/payments/orders`` (:mod:`modules.payments.order_list`): those marked
"refund needed" (a second payment for something already paid) are refunded at the gateway's dashboard and then
marked refunded here (:mod:`modules.payments.refunds`).

Settings per store: the gateway (none until an admin chooses ``razorpay``, or ``test`` for a demo: a store never
takes "payments" that move no money by default), Razorpay's key id and key secret, the webhook secret
(both secrets stored encrypted), and the gateway's API address.
"""

from jewelerp.registry import MenuEntry, Module, Page, Permission, Setting

MODULE = Module(
    name="payments",
    title="Online payments",
    version="0.1.0",
    summary="Customers pay online through a payment gateway (Razorpay, or the built-in test gateway).",
    models=("modules.payments.models",),
    permissions=(
        Permission("payments.order.pay", "Start online payments for customers", ("manager", "sales")),
        Permission("payments.order.view", "See the store's online payment orders", ("manager",)),
        Permission("payments.order.refund", "Mark online payments refunded at the gateway", ("manager",)),
    ),
    pages=(
        Page(
            "/payments/orders",
            "modules.payments.pages:orders_page",
            "Payment orders",
            "payments.order.view",
            MenuEntry("Online payments", "credit-card", 49),
            "modules.payments.pages:PaymentOrdersTable.load",
        ),
    ),
    emits=(("payments.order", "paid"),),
    settings=(
        Setting(
            "payments.gateway",
            "Payment gateway (razorpay, or test)",
            "",
            "Empty: no online payments. razorpay takes real money; test takes none and is for demos and trials only.",
        ),
        Setting("payments.key_id", "Gateway key id", "", "Razorpay: Settings › API keys, e.g. rzp_live_…"),
        Setting("payments.key_secret", "Gateway key secret", "", "Razorpay's key secret.", secret=True),
        Setting(
            "payments.webhook_secret",
            "Webhook secret",
            "",
            "The secret set on the gateway's webhook pointing at /api/payments/webhook/razorpay.",
            secret=True,
        ),
        Setting("payments.api_url", "Gateway API address", "https://api.razorpay.com", "Change only to test."),
    ),
    contributions={"core.api_routes": ("modules.payments.routes:routes",)},
    demo_data="modules.payments.demo:load",
)
