"""An in-memory keyring backend for GUI tests: what the app stores is kept here and nowhere else."""

from __future__ import annotations

import pytest


class MemoryKeyring:
    """Stands for a secure system keyring (the class name is not a plaintext or fail backend's)."""

    def __init__(self) -> None:
        self.secrets: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, account: str, password: str) -> None:
        self.secrets[(service, account)] = password

    def get_password(self, service: str, account: str) -> str | None:
        return self.secrets.get((service, account))

    def delete_password(self, service: str, account: str) -> None:
        if (service, account) not in self.secrets:
            import keyring.errors

            raise keyring.errors.PasswordDeleteError("not stored")
        del self.secrets[(service, account)]


def install_memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    """Route the ``keyring`` module's calls to a fresh MemoryKeyring for one test."""
    import keyring

    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    for name in ("set_password", "get_password", "delete_password"):
        monkeypatch.setattr(keyring, name, getattr(backend, name))
    return backend
