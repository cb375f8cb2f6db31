"""Who may do what: the one table the services check (PostgreSQL enforces the same rules itself).

Roles are what the database reports for the signed-in login (``turnout_clerk`` ... group membership);
``local`` is the embedded SQLite file of one office, where nobody signs in and every action is allowed.
The database's own refusals (privileges, row-level security) back this table up on a shared server;
the README's section "A shared server" lists both side by side.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CLERK = "clerk"
    ADMIN = "admin"
    AUDITOR = "auditor"
    SERVICE = "service"
    LOCAL = "local"


class Action(StrEnum):
    """Operations that change or export data; reading (status, log, gate, report) is open to every role."""

    SUBMIT = "submit uploads"
    RECONCILE = "run a reconciliation"
    CHECK = "run the scheduled check"
    IMPORT_STATEWIDE = "import statewide data"
    IMPORT_PRECINCTS = "import the precinct map"
    SET_SHARED_SETTINGS = "change shared settings"
    UNDO = "undo a fix"
    OVERRIDE = "override a reconciliation status"
    REVOKE_OVERRIDE = "revoke an override"
    REVIEW = "mark an escalation reviewed"
    EXPORT_PUBLIC = "export the public figures"
    CERTIFY = "certify an election"


_EVERYONE_WHO_WRITES = frozenset({Role.ADMIN, Role.LOCAL})
ALLOWED: dict[Action, frozenset[Role]] = {
    Action.SUBMIT: frozenset({Role.CLERK, Role.ADMIN, Role.LOCAL}),
    Action.RECONCILE: frozenset({Role.CLERK, Role.ADMIN, Role.SERVICE, Role.LOCAL}),
    Action.CHECK: frozenset({Role.ADMIN, Role.SERVICE, Role.LOCAL}),
    Action.IMPORT_STATEWIDE: frozenset({Role.ADMIN, Role.SERVICE, Role.LOCAL}),
    Action.IMPORT_PRECINCTS: _EVERYONE_WHO_WRITES,
    Action.SET_SHARED_SETTINGS: _EVERYONE_WHO_WRITES,
    Action.UNDO: _EVERYONE_WHO_WRITES,
    Action.OVERRIDE: _EVERYONE_WHO_WRITES,
    Action.REVOKE_OVERRIDE: _EVERYONE_WHO_WRITES,
    Action.REVIEW: _EVERYONE_WHO_WRITES,
    Action.EXPORT_PUBLIC: frozenset({Role.ADMIN, Role.AUDITOR, Role.SERVICE, Role.LOCAL}),
    Action.CERTIFY: _EVERYONE_WHO_WRITES,
}

# Roles that see every county; a clerk sees only the counties granted to the login.
ALL_COUNTIES_ROLES = frozenset({Role.ADMIN, Role.AUDITOR, Role.SERVICE, Role.LOCAL})


def is_allowed(role: str, action: Action) -> bool:
    return role in ALLOWED[action]


def refusal(role: str, action: Action | str) -> str:
    """The one-line refusal the CLI prints (exit 4) and the GUI shows."""
    return f"not permitted: {role} may not {action}"
