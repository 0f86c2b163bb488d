"""delegated_act_receipt: a content-free notice to the citizen of what someone acting for them did

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 06:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citizen_app.models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delegated_act_receipt",
        sa.Column("citizen_account_id", sa.Uuid(), nullable=False),
        sa.Column("delegation_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("created_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_account_id"],
            ["account.id"],
            name=op.f("fk_delegated_act_receipt_citizen_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["delegation_id"],
            ["delegation.id"],
            name=op.f("fk_delegated_act_receipt_delegation_id_delegation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegated_act_receipt")),
    )
    op.create_index(
        "ix_delegated_act_receipt_unseen",
        "delegated_act_receipt",
        ["citizen_account_id", "seen_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_delegated_act_receipt_delegation_id"),
        "delegated_act_receipt",
        ["delegation_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_delegated_act_receipt_delegation_id"), table_name="delegated_act_receipt"
    )
    op.drop_index("ix_delegated_act_receipt_unseen", table_name="delegated_act_receipt")
    op.drop_table("delegated_act_receipt")
