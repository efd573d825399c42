"""The platform's notification service, for every module.

- In-app notices for staff: :func:`notify_staff`, read with :func:`unread_count`,
  :func:`notifications_for` / :func:`unread_for`, cleared with :func:`mark_read` /
  :func:`mark_all_read`. The bell in the header and ``/notifications`` show them.
- Messages to customers: :func:`queue_message` puts an e-mail, SMS or WhatsApp message
  in the outbox inside the caller's transaction; the ``core.outbox`` job sends it
  (:func:`deliver_due`) through the store's SMTP settings or a module's sender
  (contribution ``"core.senders"``) and retries failures.
  An e-mail may carry files (:class:`Attachment`, such as a calendar invitation).
  Admins and managers see the outbox at ``/admin/outbox``.

The service sends what it is given: whether a customer agreed to be contacted on a
channel (consent) is for the calling module to check before it queues a message.
"""

from jewelerp.notifications.outbox import DeliveryReport, deliver_due, queue_message, retry_now
from jewelerp.notifications.senders import Attachment, OutgoingMessage, SenderNotConfigured
from jewelerp.notifications.staff import (
    mark_all_read,
    mark_read,
    notifications_for,
    notify_staff,
    unread_count,
    unread_for,
)

__all__ = [
    "Attachment",
    "DeliveryReport",
    "OutgoingMessage",
    "SenderNotConfigured",
    "deliver_due",
    "mark_all_read",
    "mark_read",
    "notifications_for",
    "notify_staff",
    "queue_message",
    "retry_now",
    "unread_count",
    "unread_for",
]
