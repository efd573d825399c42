"""events: events, invitations and registrations (with tickets, waiting list and check-ins)

Revision ID: events_0001
Revises:
Create Date: 2026-12-06 22:51:37.837244
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "events_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("events",)
depends_on: str | Sequence[str] | None = "clienteling"


def upgrade() -> None:
    """Create the events tables."""
    op.create_table(
        "events_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ends_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("meeting_link", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("registration_open", sa.Boolean(), nullable=False),
        sa.Column("public_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["core_user.id"], name=op.f("fk_events_event_created_by_core_user")),
        sa.ForeignKeyConstraint(["store_id"], ["core_store.id"], name=op.f("fk_events_event_store_id_core_store")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events_event")),
        sa.UniqueConstraint("public_token", name=op.f("uq_events_event_public_token")),
    )
    with op.batch_alter_table("events_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_event_store_id"), ["store_id"], unique=False)
        batch_op.create_index("ix_events_event_store_start", ["store_id", "starts_at"], unique=False)

    op.create_table(
        "events_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channels", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["clienteling_customer.id"],
            name=op.f("fk_events_invitation_customer_id_clienteling_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events_event.id"], name=op.f("fk_events_invitation_event_id_events_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events_invitation")),
        sa.UniqueConstraint("event_id", "customer_id", name="uq_events_invitation_event_customer"),
        sa.UniqueConstraint("token", name=op.f("uq_events_invitation_token")),
    )
    with op.batch_alter_table("events_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_invitation_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_invitation_event_id"), ["event_id"], unique=False)

    op.create_table(
        "events_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("ticket_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("cancel_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("promoted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reminded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("checked_in_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("checked_in_by", sa.Integer(), nullable=True),
        sa.Column("client_ip", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
        sa.ForeignKeyConstraint(
            ["checked_in_by"], ["core_user.id"], name=op.f("fk_events_registration_checked_in_by_core_user")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["clienteling_customer.id"],
            name=op.f("fk_events_registration_customer_id_clienteling_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events_event.id"], name=op.f("fk_events_registration_event_id_events_event")
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["events_invitation.id"],
            name=op.f("fk_events_registration_invitation_id_events_invitation"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["core_store.id"], name=op.f("fk_events_registration_store_id_core_store")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events_registration")),
        sa.UniqueConstraint("cancel_token", name=op.f("uq_events_registration_cancel_token")),
        sa.UniqueConstraint("event_id", "email", name="uq_events_registration_event_email"),
        sa.UniqueConstraint("ticket_token", name=op.f("uq_events_registration_ticket_token")),
    )
    with op.batch_alter_table("events_registration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_registration_client_ip"), ["client_ip"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_registration_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_registration_event_id"), ["event_id"], unique=False)
        batch_op.create_index("ix_events_registration_event_status", ["event_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_registration_store_id"), ["store_id"], unique=False)


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("events_registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_registration_store_id"))
        batch_op.drop_index("ix_events_registration_event_status")
        batch_op.drop_index(batch_op.f("ix_events_registration_event_id"))
        batch_op.drop_index(batch_op.f("ix_events_registration_customer_id"))

    op.drop_table("events_registration")
    with op.batch_alter_table("events_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_invitation_event_id"))
        batch_op.drop_index(batch_op.f("ix_events_invitation_customer_id"))

    op.drop_table("events_invitation")
    with op.batch_alter_table("events_event", schema=None) as batch_op:
        batch_op.drop_index("ix_events_event_store_start")
        batch_op.drop_index(batch_op.f("ix_events_event_store_id"))

    op.drop_table("events_event")
