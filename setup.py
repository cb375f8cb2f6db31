"""Package discovery: the app package, the strategy plugins, and resources/ shipped as data.

The top-level ``resources/`` folder (icons, stylesheet, county list, demo data) is installed
as the ``turnout_desktop.resources`` package so that a plain ``pip install .`` carries it.
"""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
RESOURCE_DIRS = sorted(
    str(p.relative_to(HERE)).replace("/", ".").replace("resources", "turnout_desktop.resources", 1)
    for p in [HERE / "resources", *(d for d in (HERE / "resources").rglob("*") if d.is_dir())]
)

setup(
    packages=find_packages(include=["turnout_desktop", "turnout_desktop.*", "strategies", "strategies.*"])
    + RESOURCE_DIRS,
    package_dir={"turnout_desktop.resources": "resources"},
    package_data={
        "turnout_desktop.resources": ["*", "**/*"],
        "turnout_desktop.db": ["migrations/*.ini", "migrations/*.mako"],
    },
    include_package_data=True,
)
