"""SQLAlchemy 2.x typed models, one module per idea; importing this package registers every table on
``Base.metadata`` (Alembic's env.py and ``create_all`` rely on it).

``reconciliation_log`` and ``county_turnout_reference`` keep the names, columns, indexes and
unique constraint of the original design; the other tables carry the records, their
provenance and every change a fix makes (see docs/architecture.md, Data model).
"""

from turnout_desktop.db.models.access import AuditAnchor, AuditEvent, CountyGrant, LoginRole, RosterOverlapProbe
from turnout_desktop.db.models.base import Base, utcnow
from turnout_desktop.db.models.local_state import AppSetting, OutboxItem, StatewideCountCache
from turnout_desktop.db.models.official_counts import (
    Certification,
    CountyTurnoutReference,
    ManualOverride,
    OfficialCountChange,
)
from turnout_desktop.db.models.reconciliation import (
    Fix,
    FixAction,
    ReconcileInput,
    ReconciliationAttempt,
    ReconciliationLog,
)
from turnout_desktop.db.models.records import PrecinctDistrict, TurnoutRecord
from turnout_desktop.db.models.uploads import CountyRosterRow, SourceFile, Submission, SubmissionFile, UploadCount

__all__ = [
    "AppSetting", "AuditAnchor", "AuditEvent", "Base", "Certification", "CountyGrant", "CountyRosterRow",
    "CountyTurnoutReference", "Fix", "FixAction", "LoginRole", "ManualOverride", "OfficialCountChange",
    "OutboxItem", "PrecinctDistrict", "ReconcileInput", "ReconciliationAttempt", "ReconciliationLog",
    "RosterOverlapProbe", "SourceFile", "StatewideCountCache", "Submission", "SubmissionFile", "TurnoutRecord",
    "UploadCount", "utcnow",
]
