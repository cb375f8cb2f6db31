"""docs/reliability.md T15: the password goes only to a secure keyring backend, never to a plaintext one."""

from __future__ import annotations

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest

from turnout_desktop.gui.settings import Preferences, is_secure_keyring, store_password


class PlaintextKeyring:
    """Stands for keyrings.alt's plaintext file backend (same class name)."""

    def __init__(self) -> None:
        self.stored: list[str] = []

    def set_password(self, service: str, account: str, password: str) -> None:
        self.stored.append(password)


class SecretServiceLike:
    def __init__(self) -> None:
        self.stored: list[str] = []

    def set_password(self, service: str, account: str, password: str) -> None:
        self.stored.append(password)


class Chainer:
    def __init__(self, *backends: object) -> None:
        self.backends = list(backends)


def test_backend_classification() -> None:
    assert not is_secure_keyring(keyring.backends.fail.Keyring())
    assert not is_secure_keyring(keyring.backends.null.Keyring())
    assert not is_secure_keyring(PlaintextKeyring())
    assert is_secure_keyring(SecretServiceLike())
    assert not is_secure_keyring(Chainer(PlaintextKeyring(), keyring.backends.fail.Keyring()))
    assert is_secure_keyring(Chainer(PlaintextKeyring(), SecretServiceLike()))


@pytest.mark.parametrize("secure", [False, True])
def test_store_password_refuses_insecure_backends(monkeypatch: pytest.MonkeyPatch, secure: bool) -> None:
    backend = SecretServiceLike() if secure else PlaintextKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    monkeypatch.setattr(keyring, "set_password", backend.set_password)
    assert store_password(Preferences(), "S3cr3t-canary") is secure
    assert backend.stored == (["S3cr3t-canary"] if secure else [])
