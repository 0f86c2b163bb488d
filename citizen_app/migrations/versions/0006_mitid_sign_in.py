"""MitID sign-in: SAML requests and seen assertions, the CPR hash, how a session was established

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 05:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citizen_app.models.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saml_request",
        sa.Column("request_id", sa.String(length=100), nullable=False),
        sa.Column("created_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_path", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_saml_request")),
    )
    op.create_table(
        "saml_assertion_seen",
        sa.Column("assertion_id", sa.String(length=100), nullable=False),
        sa.Column("seen_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("assertion_id", name=op.f("pk_saml_assertion_seen")),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cpr_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_account_cpr_hash"), ["cpr_hash"])
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("auth_method", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("auth_level", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_column("auth_level")
        batch_op.drop_column("auth_method")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_account_cpr_hash"), type_="unique")
        batch_op.drop_column("cpr_hash")
    op.drop_table("saml_assertion_seen")
    op.drop_table("saml_request")
