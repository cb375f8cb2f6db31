"""Worker side of the sign-in dialog (no Qt widgets): sign in, and the remembered password.

Both touch the network or the system keyring, which may block for seconds (a D-Bus keyring may even
prompt), so they run on the task runner, never on the GUI thread. The sign-in itself is
``services.worker_context.sign_in_for_jobs``; this module stays in gui/ because "remember me" is this
computer's keyring entry, named by the desktop preferences (gui/settings.py), which no service knows.
"""

from __future__ import annotations

from dataclasses import dataclass

from turnout_desktop.gui.jobs import Cancelled, Progress
from turnout_desktop.gui.settings import Preferences, forget_password, load_password, store_password
from turnout_desktop.services.worker_context import ContextSpec, sign_in_for_jobs


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A successful sign-in: the spec to work with (identity as the database reported it)."""

    spec: ContextSpec
    password_remembered: bool | None = None  # None: "remember me" not ticked; False: no secure keyring


def sign_in(spec: ContextSpec, account: Preferences | None, remember: bool | None, *, progress: Progress,
            cancelled: Cancelled) -> SignedIn:
    """Sign in as the login of ``spec`` (``sign_in_for_jobs``: the jobs that follow reuse its context).

    Only after a successful sign-in is the password remembered in the keyring (``remember`` True;
    ``account`` names the keyring entry) or a remembered one forgotten (False: "remember me" was
    unticked); None leaves the keyring alone. A mistyped password is never stored.

    Raises:
        SignInFailed: wrong password, unreachable server or no Turnout role (``reason`` says which).
        SchemaMismatch: the server's schema is older or newer than this app.
    """
    signed_in = sign_in_for_jobs(spec, application="desktop")
    remembered: bool | None = None
    if account is not None and remember is not None:
        if remember and spec.password:
            remembered = store_password(account, spec.password)
        elif not remember:
            forget_password(account)
    return SignedIn(signed_in, remembered)


def remembered_password(account: Preferences, *, progress: Progress, cancelled: Cancelled) -> str | None:
    """The password "remember me" stored for ``account``, or None."""
    return load_password(account)
