"""The workflow engine's tables, and the guard that keeps the audit trail append-only.

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = 64
GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "definitions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("process_id", sa.String(ID), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("deployed_at", sa.DateTime, nullable=False),
        sa.Column("deployed_by", sa.String(ID), nullable=False),
        sa.UniqueConstraint("process_id", "version"),
        sa.UniqueConstraint("process_id", "content_hash"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(ID), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("token_hash", sa.String(64), unique=True),
        sa.Column("auditor", sa.Boolean, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.String(ID), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("role", sa.String(ID), primary_key=True),
    )
    op.create_index("ix_user_roles_role", "user_roles", ["role"])
    op.create_table(
        "absences",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.String(ID), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("starts", sa.DateTime, nullable=False),
        sa.Column("ends", sa.DateTime, nullable=False),
        sa.Column("substitute_id", sa.String(ID), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_absences_user", "absences", ["user_id"])
    op.create_index("ix_absences_substitute", "absences", ["substitute_id"])
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("definition_id", sa.Integer, sa.ForeignKey("definitions.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(ID), nullable=False),
        sa.Column("end_step", sa.String(ID), nullable=False),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("drafter", sa.String(ID), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("ended_at", sa.DateTime),
        sa.Column("due_at", sa.DateTime),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_cases_status", "cases", ["status", "ended_at"])
    op.create_index("ix_cases_definition", "cases", ["definition_id"])
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("step", sa.String(ID), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("role", sa.String(ID), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("claimed_by", sa.String(ID)),
        sa.Column("claimed_at", sa.DateTime),
        sa.Column("done_at", sa.DateTime),
        sa.Column("done_by", sa.String(ID)),
        sa.Column("on_behalf_of", sa.String(ID)),
        sa.Column("outcome", sa.String(16)),
        sa.Column("due_at", sa.DateTime),
        sa.Column("escalations", sa.Integer, nullable=False),
        sa.Column("state_before", sa.Text),
        sa.Column("returned_to", sa.String(ID)),
        sa.Column("returned_to_user", sa.String(ID)),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_items_case", "items", ["case_id"])
    op.create_index("ix_items_open_role", "items", ["status", "role"])
    op.create_index("ix_items_claimed_by", "items", ["claimed_by", "status"])
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("item_id", sa.Integer),
        sa.Column("author", sa.String(ID), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_comments_case", "comments", ["case_id"])
    op.create_table(
        "timers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("item_id", sa.Integer),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("due_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("fired_at", sa.DateTime),
    )
    op.create_index("ix_timers_pending", "timers", ["status", "due_at"])
    op.create_index("ix_timers_case", "timers", ["case_id"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("user_id", sa.String(ID)),
        sa.Column("role", sa.String(ID)),
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("item_id", sa.Integer),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_notifications_user", "notifications", ["user_id"])
    op.create_index("ix_notifications_role", "notifications", ["role"])
    op.create_table(
        "audit",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(ID), nullable=False),
        sa.Column("on_behalf_of", sa.String(ID)),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("case_id", sa.Integer),
        sa.Column("item_id", sa.Integer),
        sa.Column("definition_id", sa.Integer),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_case", "audit", ["case_id"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.execute(sa.text(f"INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '{GENESIS}')"))
    _append_only()


def _append_only() -> None:
    """Rows of the audit trail are never updated or deleted (the archive moves them out under a guard row in
    audit_archiving, written in the same transaction as the archive's own audit record)."""
    op.create_table("audit_archiving", sa.Column("id", sa.Integer, primary_key=True, autoincrement=False))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("""CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                      BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""")
        op.execute("""CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
                      WHEN NOT EXISTS (SELECT 1 FROM audit_archiving)
                      BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""")
        return
    op.execute("""CREATE FUNCTION bpr_audit_append_only() RETURNS trigger AS $$
                  BEGIN
                    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_archiving) THEN RETURN OLD; END IF;
                    RAISE EXCEPTION 'the audit trail is append-only';
                  END $$ LANGUAGE plpgsql""")
    op.execute("""CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
                  FOR EACH ROW EXECUTE FUNCTION bpr_audit_append_only()""")


def downgrade() -> None:
    for table in ("audit_archiving", "audit_head", "audit", "notifications", "timers", "comments", "items",
                  "cases", "absences", "user_roles", "users", "definitions"):
        op.drop_table(table)
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS bpr_audit_append_only()")
