"""What the tests hand a desktop job (``progress``, ``cancelled``) and a server nobody answers."""

from __future__ import annotations

import socket


def no_progress(fraction: float, text: str) -> None:
    pass


def never_cancelled() -> bool:
    return False


def closed_port_url() -> str:
    """A PostgreSQL URL on a loopback port that was just free (bound, then released): connection refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql://postgres@127.0.0.1:{port}/turnout_offline"
