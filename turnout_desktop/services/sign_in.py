"""Sign-in to the shared PostgreSQL server, and ``whoami`` (the CLI and the desktop app call these).

The password travels only in the connection (never in settings files or logs: the desktop app keeps it
in the system keyring when the user ticks "remember me"). A successful sign-in is an audit event. A
refused one opens no session here (a wrong password, or a login without a Turnout role, which
``admin setup`` does not let connect): PostgreSQL's own server log records it, and the client logs why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import quote

from turnout_desktop.db.audit import record_event
from turnout_desktop.db.identity import LOCAL_LABEL, Identity
from turnout_desktop.db.session import transaction
from turnout_desktop.services.context import AppContext, open_context

# LOCAL_LABEL: how ``turnout whoami`` names a local, not signed-in session (cli/ never imports db/).
__all__ = ["LOCAL_LABEL", "SSL_MODES", "ServerAddress", "sign_in", "whoami"]

log = logging.getLogger(__name__)
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


@dataclass(frozen=True, slots=True)
class ServerAddress:
    """Where the shared server is; ``sslmode`` as libpq spells it (``verify-full`` in production)."""

    host: str
    database: str
    port: int = 5432
    sslmode: str = "prefer"

    def url(self, user: str, password: str | None = None) -> str:
        secret = f":{quote(password, safe='')}" if password else ""
        return (f"postgresql://{quote(user, safe='')}{secret}@{self.host}:{self.port}/{quote(self.database, safe='')}"
                f"?sslmode={self.sslmode}")


def sign_in(url: str, *, application: str = "cli") -> AppContext:
    """Connect as the login in ``url`` and read who it is; records ``sign_in`` on success.

    Raises:
        SignInFailed: wrong password, unreachable server or no Turnout role (``reason`` says which).
        SchemaMismatch: the server's schema is older or newer than this client.
    """
    try:
        ctx = open_context(url)
    except Exception as exc:
        log.warning("sign-in failed: %s", exc)
        raise
    if ctx.signed_in:
        with transaction(ctx.engine) as session:
            record_event(session, "sign_in", f"{ctx.user} signed in as {ctx.role} ({application})", user=ctx.user,
                         role=ctx.role, details={"application": application,
                                                 "counties": sorted(ctx.counties) if ctx.counties else None})
    return ctx


def whoami(ctx: AppContext) -> Identity:
    """The acting identity as the database reports it (``local`` on SQLite)."""
    from turnout_desktop.db.identity import read_identity

    if not ctx.signed_in:
        return Identity(user=ctx.user, role=ctx.role, counties=None, backend=ctx.backend)  # type: ignore[arg-type]
    return read_identity(ctx.engine)
