"""What other modules may use of payments: open an order for a purpose and reference (with no transaction open:
the gateway is called between two short ones), read a customer's order,
the checkout address to send the customer to, and :func:`report_unapplied` for a paid order the owner cannot
take. The ``("payments.order", "paid")`` event tells the owner of the purpose that the money came in (see the
module docstring)."""

from modules.payments.checkout import checkout_path
from modules.payments.opening import create_order
from modules.payments.orders import PAY, OrderView, customer_order
from modules.payments.unapplied import report_unapplied

__all__ = ["PAY", "OrderView", "checkout_path", "create_order", "customer_order", "report_unapplied"]
