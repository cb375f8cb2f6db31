"""Which database a background job opens and who acts there.

The desktop app's jobs run on its worker thread (or its heavy-job child process, gui/process_worker.py):
each gets a :class:`ContextSpec` and opens its own :class:`AppContext` with :func:`open_worker_context`, so
the GUI thread never holds an engine or a session. Contexts are cached per connect URL: on PostgreSQL the
identity is read from the database once per engine (or adopted from the sign-in, :func:`sign_in_for_jobs`),
on SQLite the file is migrated once.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url

from turnout_desktop.db.identity import LOCAL_LABEL, LOCAL_USER
from turnout_desktop.db.migrate import upgrade_to_head
from turnout_desktop.db.session import make_engine, resolve_db_url
from turnout_desktop.domain.permissions import Role
from turnout_desktop.services.context import AppContext, open_context
from turnout_desktop.services.sign_in import sign_in

# Keyed by the connect URL (with its password: in memory only) so that two logins never share one.
_contexts: dict[str, AppContext] = {}
_engines_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class ContextSpec:
    """Everything a worker needs to open its own :class:`AppContext`.

    On SQLite ``user``/``role``/``county`` are the app-level identity (``local``: nobody signs in). On
    PostgreSQL they only mirror what the database reported (for labels and which actions to offer);
    worker contexts take the identity from the database, never from here. ``password`` lives only in
    memory (it may cross to the heavy-job child process, never to a file or a log: ``repr`` hides it).
    """

    db_url: str | None
    user: str = LOCAL_USER
    role: str = Role.LOCAL
    county: str | None = None
    outbox_url: str | None = None  # local SQLite database that queues submissions while the server is away
    counties: tuple[str, ...] | None = None  # a clerk's granted counties as the database reported them
    password: str | None = field(default=None, repr=False)

    @property
    def resolved_url(self) -> str:
        """The database URL without the password (safe to show and log)."""
        return resolve_db_url(self.db_url)

    @property
    def connect_url(self) -> str:
        """The URL to connect with: ``resolved_url`` plus the in-memory password, if any."""
        if self.password is None or not self.is_shared:
            return self.resolved_url
        url = make_url(self.resolved_url).set(password=self.password)
        return url.render_as_string(hide_password=False)

    @property
    def is_shared(self) -> bool:
        return not self.resolved_url.startswith("sqlite")

    @property
    def uses_outbox(self) -> bool:
        """True when submissions go to a server and queue locally (in ``outbox_url``) while it is away."""
        return bool(self.outbox_url) and self.outbox_url != self.resolved_url

    @property
    def scope(self) -> tuple[str, ...] | None:
        """The counties a clerk sees (None: every county, every other role)."""
        if self.role != Role.CLERK:
            return None
        return self.counties if self.counties is not None else ((self.county,) if self.county else ())

    def label(self) -> str:
        """Who acts, for the status bar: ``clerk_loving - clerk (LOVING)``, ``local, not signed in``."""
        if not self.is_shared and self.role == Role.LOCAL:
            return LOCAL_LABEL
        if not self.role:  # "Work offline" at sign-in: the server has not confirmed this login yet
            return f"{self.user} - not signed in (server unreachable)"
        if self.is_shared and self.role == Role.LOCAL:  # no sign-in yet: the first load asks the database
            return "not signed in"
        scope = self.scope
        return f"{self.user} - {self.role}" + (f" ({', '.join(scope)})" if scope else "")

    def outbox_spec(self) -> ContextSpec:
        """The same user on the local outbox database."""
        if not self.outbox_url:
            raise ValueError("this context has no outbox database")
        return ContextSpec(self.outbox_url, self.user, self.role, self.county, counties=self.counties)

    def with_identity(self, identity: ActingIdentity) -> ContextSpec:
        """This spec acting as ``identity`` (what the database reported)."""
        counties = tuple(identity.counties) if identity.counties is not None else None
        return dataclasses.replace(self, user=identity.user, role=identity.role, counties=counties,
                                   county=counties[0] if counties and len(counties) == 1 else None)


@dataclass(frozen=True, slots=True)
class ActingIdentity:
    """Who a worker context acts as; crosses the thread (and process) boundary back to the GUI."""

    user: str
    role: str
    counties: tuple[str, ...] | None = None

    @classmethod
    def of(cls, ctx: AppContext) -> ActingIdentity:
        return cls(ctx.user, ctx.role, tuple(sorted(ctx.counties)) if ctx.counties is not None else None)


def open_worker_context(spec: ContextSpec) -> AppContext:
    """Context for one job; engines are cached per URL (they are thread-safe, sessions are not).

    SQLite: the file is migrated to the current schema and the identity is the spec's (app-level).
    PostgreSQL: never migrated here (``turnout admin setup`` does that); ``open_context`` checks the
    schema revision and reads the login's role and counties from the database, once per engine.
    """
    url = spec.connect_url
    with _engines_lock:
        cached = _contexts.get(url)
        if cached is None:
            cached = _open_context(url, shared=spec.is_shared)
            _contexts[url] = cached
    if spec.is_shared:
        return dataclasses.replace(cached)  # a copy: a job may not change what the next job sees
    return AppContext(engine=cached.engine, user=spec.user, role=spec.role, county=spec.county,
                      counties=frozenset(spec.counties) if spec.counties is not None else None)


def _open_context(url: str, *, shared: bool) -> AppContext:
    if shared:
        return open_context(url)  # disposes its engine itself when the sign-in or schema check fails
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
    except BaseException:
        engine.dispose()  # an unreachable database is asked again on every check: leave nothing open
        raise
    return AppContext(engine=engine)


def sign_in_for_jobs(spec: ContextSpec, *, application: str = "desktop") -> ContextSpec:
    """Sign in as the login of ``spec`` (``services.sign_in``, which records the ``sign_in`` event).

    The context it opened is kept for the jobs that follow, so they do not connect and read the identity
    a second time. Returns ``spec`` acting as the database reported.

    Raises:
        SignInFailed: wrong password, unreachable server or no Turnout role (``reason`` says which).
        SchemaMismatch: the server's schema is older or newer than this app.
    """
    url = spec.connect_url
    ctx = sign_in(url, application=application)
    adopt_context(url, ctx)
    return spec.with_identity(ActingIdentity.of(ctx))


def adopt_context(url: str, ctx: AppContext) -> None:
    """Keep a context opened elsewhere (the sign-in) for the jobs that follow on the same URL."""
    with _engines_lock:
        previous = _contexts.get(url)
        _contexts[url] = ctx
    if previous is not None and previous.engine is not ctx.engine:
        previous.engine.dispose()


def dispose_engines() -> None:
    """Close every cached engine (called once the worker is idle at shutdown)."""
    with _engines_lock:
        for ctx in _contexts.values():
            ctx.engine.dispose()
        _contexts.clear()
