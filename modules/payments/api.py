"""What other modules may use of payments: open an order for a purpose and reference, read a customer's order,
and the checkout address to send the customer to. The ``("payments.order", "paid")`` event tells the owner
of the purpose that the money came in (see the module docstring)."""

from modules.payments.checkout import checkout_path
from modules.payments.orders import PAY, OrderView, create_order, customer_order

__all__ = ["PAY", "OrderView", "checkout_path", "create_order", "customer_order"]
