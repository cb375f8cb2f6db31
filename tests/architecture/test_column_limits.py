"""Length limits the code checks equal the column lengths PostgreSQL enforces (SQLite enforces none).

A value longer than its column passes on SQLite and aborts a PostgreSQL import mid-transaction, so the
services and readers refuse it first, with a clear message; these constants must follow the models.
"""

from __future__ import annotations

import pytest
from sqlalchemy import String

from turnout_desktop.db import models
from turnout_desktop.domain.limits import MAX_DISTRICT, MAX_PRECINCT, MAX_USER_NAME
from turnout_desktop.errors import InvalidRequest
from turnout_desktop.services.context import AppContext

USER_COLUMNS = [(models.SourceFile, "uploaded_by"), (models.Submission, "submitted_by"),
                (models.CountyTurnoutReference, "uploaded_by"), (models.Fix, "created_by"), (models.Fix, "undone_by"),
                (models.AuditEvent, "user_name"), (models.ManualOverride, "created_by")]


def _length(model: type, column: str) -> int | None:
    kind = model.__table__.c[column].type
    assert isinstance(kind, String)
    return kind.length


LIMITS = [*((model, column, MAX_USER_NAME) for model, column in USER_COLUMNS),
          (models.CountyRosterRow, "precinct", MAX_PRECINCT), (models.TurnoutRecord, "precinct", MAX_PRECINCT),
          (models.PrecinctDistrict, "precinct", MAX_PRECINCT), (models.TurnoutRecord, "district", MAX_DISTRICT),
          (models.PrecinctDistrict, "district", MAX_DISTRICT)]


@pytest.mark.parametrize(("model", "column", "limit"), LIMITS)
def test_checked_limits_match_the_columns(model: type, column: str, limit: int) -> None:
    assert _length(model, column) == limit


def test_context_refuses_user_names_the_database_cannot_hold() -> None:
    from sqlalchemy import create_engine

    engine = create_engine("sqlite://")
    assert AppContext(engine, user="x" * MAX_USER_NAME).user == "x" * MAX_USER_NAME
    for bad in ("x" * (MAX_USER_NAME + 1), "", "   "):
        with pytest.raises(InvalidRequest, match="user name"):
            AppContext(engine, user=bad)
