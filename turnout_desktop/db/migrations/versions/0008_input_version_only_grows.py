"""a county's input version only ever goes up

``reconcile_input.version`` tells the gate and the check whether a finished run still describes its
inputs (turnout_desktop/engine/inputs.py). Every legitimate change raises it by one; a lowered version
could make a stale run look current again. A clerk's login may update its counties' rows (its uploads bump
them), so the database itself refuses an UPDATE that lowers a version, for every role.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 20:10:00
"""

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

MESSAGE = 'reconcile_input.version only grows'


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER reconcile_input_version_only_grows BEFORE UPDATE OF version ON reconcile_input "
            f"WHEN NEW.version < OLD.version BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
        return
    op.execute(
        "CREATE FUNCTION reconcile_input_version_only_grows() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN IF NEW.version < OLD.version THEN RAISE EXCEPTION '{MESSAGE}'; END IF; RETURN NEW; END $$")
    op.execute(
        "CREATE TRIGGER reconcile_input_version_only_grows BEFORE UPDATE ON reconcile_input "
        "FOR EACH ROW EXECUTE FUNCTION reconcile_input_version_only_grows()")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS reconcile_input_version_only_grows" +
               ("" if op.get_bind().dialect.name == "sqlite" else " ON reconcile_input"))
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS reconcile_input_version_only_grows()")
