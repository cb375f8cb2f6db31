"""A shared PostgreSQL database set up by ``admin setup``, seeded with the demo election, and its logins.

Every test here needs the real server (``.ci/run`` starts one and sets TURNOUT_TEST_PG_URL); without it
the tests fail rather than skip, because these are the checks that the database enforces the roles.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pg_logins import reset_schema, signed_in_url
from security_server import owner_url

from turnout_desktop.db.pg_security import setup_database
from turnout_desktop.db.session import make_engine
from turnout_desktop.domain.permissions import Role
from turnout_desktop.services.context import open_context
from turnout_desktop.services.demo import DEMO_ELECTION, write_demo_files

OWN_COUNTY = "LOVING"
OTHER_COUNTY = "KING"


@dataclass(frozen=True)
class SharedServer:
    owner_url: str
    clerk_own: str  # clerk of LOVING
    clerk_other: str  # clerk of KING, acting on LOVING is refused
    admin: str
    auditor: str
    service: str
    no_role: str
    files: dict[str, Path]


@pytest.fixture
def fresh_server() -> Iterator[str]:
    """The owner URL of an empty database after ``admin setup``."""
    url = owner_url()
    reset_schema(url)
    engine = make_engine(url)
    setup_database(engine)
    engine.dispose()
    yield url


@pytest.fixture
def server(fresh_server: str, tmp_path: Path) -> SharedServer:
    """Demo election loaded by an admin login (statewide file, source folder, seven county uploads)."""
    from turnout_desktop.services import reconciliation
    from turnout_desktop.services.submission import import_statewide, submit_files

    admin = signed_in_url(fresh_server, "t_admin", Role.ADMIN)
    files = write_demo_files(tmp_path / "demo")
    ctx = open_context(admin)
    try:
        import_statewide(ctx, [files["statewide"]], election=DEMO_ELECTION)
        reconciliation.set_statewide_source(ctx, str(files["newer"].parent))
        for county in ("LOVING", "KING", "BORDEN", "KENT"):
            submit_files(ctx, [files[county]], election=DEMO_ELECTION, county=county)
    finally:
        ctx.engine.dispose()
    return SharedServer(
        owner_url=fresh_server,
        clerk_own=signed_in_url(fresh_server, "t_clerk_loving", Role.CLERK, [OWN_COUNTY]),
        clerk_other=signed_in_url(fresh_server, "t_clerk_king", Role.CLERK, [OTHER_COUNTY]),
        admin=admin,
        auditor=signed_in_url(fresh_server, "t_auditor", Role.AUDITOR),
        service=signed_in_url(fresh_server, "t_service", Role.SERVICE),
        no_role=signed_in_url(fresh_server, "t_nobody", None),
        files=files,
    )
