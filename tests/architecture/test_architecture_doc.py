"""docs/architecture.md keeps up with the code: every table and every package of the application is named there.

A newcomer reads the data model and the layers there first; a table or a layer added without a line in it
is one the document silently does not know.
"""

from __future__ import annotations

import re
from pathlib import Path

import turnout_desktop
from turnout_desktop.db.models import Base

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_every_table_is_named_in_the_data_model() -> None:
    named = set(re.findall(r"`(\w+)`", DOC))
    assert sorted(set(Base.metadata.tables) - named) == []


def test_every_package_of_the_application_is_named() -> None:
    package_dir = Path(turnout_desktop.__file__).parent
    packages = {path.parent.name for path in package_dir.glob("*/__init__.py")
                if path.parent.name != "strategies"}  # strategies/ lives at the top level of the repository
    assert packages, "no package found beside turnout_desktop/__init__.py"
    missing = sorted(name for name in packages if f"{name}/" not in DOC)
    assert missing == [] and "strategies/" in DOC
