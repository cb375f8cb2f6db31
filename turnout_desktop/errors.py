"""Errors that reach users: each says what went wrong and where, and maps to a CLI exit code.

"Environment" errors (bad input, unreachable database) are expected and get a plain message;
anything else is a bug and reaches the crash dialog / a traceback.
"""

from __future__ import annotations


class TurnoutError(Exception):
    """Base of every expected, user-facing error."""

    exit_code = 2

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle without calling ``__init__`` again: the desktop's worker process sends errors back to the window,
        and a subclass whose ``__init__`` takes required keyword arguments could not be rebuilt from ``args``."""
        return (_restore_error, (type(self), self.args, dict(self.__dict__)))


def _restore_error(cls: type[TurnoutError], args: tuple[object, ...], state: dict[str, object]) -> TurnoutError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ImportRejected(TurnoutError):
    """A file cannot be read or is unsafe: nothing of it was stored.

    Attributes:
        reason: short stable code (``empty``, ``zip_bomb``, ``xml``, ``encrypted``, ``no_vuid_column`` ...).
        file, sheet, row, column: where the problem is, when known (row = the spreadsheet's own number).
    """

    def __init__(self, message: str, *, reason: str = "unreadable", file: str | None = None,
                 sheet: str | None = None, row: int | None = None, column: str | None = None) -> None:
        self.reason = reason
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        where = ", ".join(
            part for part in (
                f"file {file}" if file else "",
                f"sheet {sheet!r}" if sheet else "",
                f"row {row}" if row is not None else "",
                f"column {column!r}" if column else "",
            ) if part
        )
        super().__init__(f"{message} ({where})" if where else message)


class DatabaseUnavailable(TurnoutError):
    """The database cannot be reached or opened."""


INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL's SQLSTATE for a refused privilege or row-level security check


class PermissionDenied(TurnoutError):
    """The signed-in role may not do this (checked in the service, and on a shared server by PostgreSQL).

    The message is one line, ``not permitted: ROLE may not ACTION``; the CLI exits with 4.
    """

    exit_code = 4


class Certified(PermissionDenied):
    """The election or county is certified: changes to its data are refused until an admin uncertifies it.

    The message is one line and names the scope, the date and the certifier, e.g. ``HARRIS 2026-03-03 is
    certified on 2026-03-20 by jdoe: upload refused``; the CLI exits with 4.
    """

    def __init__(self, message: str, *, county: str | None = None, election: str | None = None,
                 certified_on: str | None = None, certified_by: str | None = None) -> None:
        self.county = county
        self.election = election
        self.certified_on = certified_on
        self.certified_by = certified_by
        super().__init__(message)


class SignInFailed(DatabaseUnavailable):
    """The shared server refused the sign-in: ``reason`` is ``password``, ``unreachable`` or ``no_role``."""

    def __init__(self, message: str, *, reason: str) -> None:
        self.reason = reason
        super().__init__(message)
        if reason == "no_role":
            self.exit_code = 4


class SchemaMismatch(DatabaseUnavailable):
    """The shared database's schema is older or newer than this client; clients never migrate it."""


class InvalidRequest(TurnoutError):
    """The request is incomplete or names an unknown value (exit code 2)."""


class SourceUnavailable(TurnoutError):
    """The statewide source cannot be read right now (HTTP error, timeout, TLS, size cap, HTML page, missing folder).

    The message names the cause; strategy A records it as an attempt with outcome ``source_unavailable``.
    """


class NotFound(TurnoutError):
    """A referenced fix, log entry or county does not exist."""


class StrategyPluginError(TurnoutError):
    """A strategy declared in the entry-point group ``turnout_desktop.strategies`` cannot be loaded or does not
    keep the plugin contract (``turnout_desktop.engine.types.Strategy``); the message names the plugin."""


class Cancelled(Exception):  # noqa: N818 - the name the UI swallows
    """Raised by long work when the user cancelled; never shown as an error."""
