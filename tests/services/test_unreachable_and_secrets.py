"""A refused sign-in is not "offline", and a malformed URL never echoes its password."""

from __future__ import annotations

import pytest

from turnout_desktop.db.session import make_engine
from turnout_desktop.errors import DatabaseUnavailable, SchemaMismatch, SignInFailed
from turnout_desktop.services.outbox import is_unreachable


@pytest.mark.parametrize(("error", "unreachable"), [
    (SignInFailed("Server unreachable: h:5432", reason="unreachable"), True),
    (SignInFailed("wrong password", reason="password"), False),
    (SignInFailed("not permitted: x has no Turnout role", reason="no_role"), False),
    (SchemaMismatch("ask your administrator to run turnout admin setup"), False),
    (DatabaseUnavailable("Cannot reach the shared server"), True),
    (ValueError("bad data"), False),
])
def test_only_an_unreachable_server_queues_offline(error: Exception, unreachable: bool) -> None:
    assert is_unreachable(error) is unreachable


@pytest.mark.parametrize("url", ["postgresql+nosuchdriver://alice:S3cr3t-canary@host:5432/turnout",
                                 "postgresql://alice:S3cr3t-canary@host:notaport/turnout"])
def test_a_malformed_url_is_reported_without_its_password(url: str) -> None:
    with pytest.raises(DatabaseUnavailable) as raised:
        make_engine(url)
    assert "S3cr3t-canary" not in str(raised.value) and "alice:***@" in str(raised.value)
