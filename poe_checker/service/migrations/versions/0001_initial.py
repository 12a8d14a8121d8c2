"""Initial schema: keys, content-addressed blobs, checks with their files, append-only decisions.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from poe_checker.service.db import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("prefix", sa.String(16), nullable=False, unique=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("partner_id", sa.String(64)),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "checks",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", UTCDateTime, nullable=False, index=True),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("api_keys.id")),
        sa.Column("claim_json", sa.Text, nullable=False),
        sa.Column("claim_id", sa.String(64), nullable=False, index=True),
        sa.Column("partner_id", sa.String(64), index=True),
        sa.Column("partner_name", sa.String(300), nullable=False),
        sa.Column("customer_name", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("runs", sa.Integer, nullable=False),
        sa.Column("verdict", sa.String(16)),
        sa.Column("score", sa.Integer),
        sa.Column("risk", sa.Integer, nullable=False, index=True),
        sa.Column("failed_rules", sa.String(400), nullable=False),
        sa.Column("verdict_json", sa.Text),
        sa.Column("report_html", sa.Text),
    )
    op.create_table(
        "check_files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("check_id", sa.String(32), sa.ForeignKey("checks.id"), nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("check_id", sa.String(32), sa.ForeignKey("checks.id"), nullable=False, index=True),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("key_id", sa.Integer, sa.ForeignKey("api_keys.id"), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("decisions", "check_files", "checks", "blobs", "api_keys"):
        op.drop_table(table)
