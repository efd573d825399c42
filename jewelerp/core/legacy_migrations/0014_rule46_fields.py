"""Rule 46 invoice fields: recipient address, state code and GSTIN, delivery address, place of supply; per-line
tax class, HSN/SAC and rate; the store's GST state code (filled from its state's name)

Revision ID: 0014_rule46_fields
Revises: 0013_security
Create Date: 2026-12-04 18:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import jewelerp.db
from alembic import op
from jewelerp.gst import STATES

revision: str = "0014_rule46_fields"
down_revision: str | Sequence[str] | None = "0013_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INVOICE_TEXT = (
    ("customer_address", 300),
    ("customer_state_code", 2),
    ("customer_gstin", 15),
    ("ship_to_address", 300),
    ("ship_to_state_code", 2),
    ("place_of_supply", 2),
)
LINE_TEXT = (("tax_class", 20), ("hsn_sac", 8))


def _text(name: str, length: int) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=False, server_default="")


def _fill_state_codes(table: str, name_column: str, code_column: str) -> None:
    """Give rows whose state is written out its GST code (names as in jewelerp.gst.STATES, any case)."""
    for code, name in STATES.items():
        op.execute(
            sa.text(f"UPDATE {table} SET {code_column} = :code WHERE lower(trim({name_column})) = :name").bindparams(
                code=code, name=name.lower()
            )
        )


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("billing_invoice", schema=None) as batch_op:
        for name, length in INVOICE_TEXT:
            batch_op.add_column(_text(name, length))
    with op.batch_alter_table("billing_invoice_line", schema=None) as batch_op:
        for name, length in LINE_TEXT:
            batch_op.add_column(_text(name, length))
        batch_op.add_column(sa.Column("tax_rate", jewelerp.db.Money(), nullable=False, server_default="0"))
    with op.batch_alter_table("core_store", schema=None) as batch_op:
        batch_op.add_column(_text("state_code", 2))
    _fill_state_codes("core_store", "state", "state_code")
    _fill_state_codes("billing_invoice", "customer_state", "customer_state_code")


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("core_store", schema=None) as batch_op:
        batch_op.drop_column("state_code")
    with op.batch_alter_table("billing_invoice_line", schema=None) as batch_op:
        batch_op.drop_column("tax_rate")
        for name, _length in reversed(LINE_TEXT):
            batch_op.drop_column(name)
    with op.batch_alter_table("billing_invoice", schema=None) as batch_op:
        for name, _length in reversed(INVOICE_TEXT):
            batch_op.drop_column(name)
