"""Strategies are found through the entry-point group ``turnout_desktop.strategies``: the built-in six, and a
separate package an office installs (here: written to a temporary folder with its own dist-info, put on the
path) that the engine then uses. A broken plugin is named in a clear error."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reconciliation_rows import ELECTION, EV, add_records, add_reference, add_roster, vuid
from sqlalchemy import Engine, select

import turnout_desktop.strategies as registry
from turnout_desktop.db.models import ReconciliationAttempt
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.scope import Scope
from turnout_desktop.errors import StrategyPluginError
from turnout_desktop.services import reconciliation
from turnout_desktop.services.context import AppContext
from turnout_desktop.strategies import ENTRY_POINT_GROUP, default_strategies, get_strategy, strategy_modules

ROOT = Path(__file__).resolve().parents[2]
BUILT_IN = ["refetch_statewide", "fill_gaps", "fix_districts", "remove_duplicates", "data_format", "manual_review"]

# An office's own strategy: fills the VUIDs the county roster has and the database lacks, declared to run
# before the built-in ones for missing voters (priority 5 < A's 10).
OFFICE_STRATEGY = '''
from turnout_desktop.db.models import TurnoutRecord
from turnout_desktop.engine.types import MISSING_VUIDS, Diagnosis, StrategyContext, StrategyResult


class FillFromOfficeList:
    name = "fill_from_office_list"
    letter = "G"
    label = "Fill from the office's own list"
    handles = (MISSING_VUIDS,)
    priority = 5
    escalates = False

    def applies(self, diagnosis: Diagnosis) -> bool:
        return MISSING_VUIDS in diagnosis.codes

    def execute(self, context: StrategyContext) -> StrategyResult:
        context.fixes.begin(self.name, "fill from the office list")
        rows = context.diagnosis.details[MISSING_VUIDS]["vuids"]
        for row in rows:
            record = TurnoutRecord(election_date=context.election_date, vuid=row["vuid"], county=context.county,
                                   party=context.party, voting_method=row["voting_method"], source="county",
                                   verification="pending")
            context.session.add(record)
            context.session.flush()
            context.fixes.inserted("turnout_record", record.id, record.vuid, {"vuid": record.vuid})
        return StrategyResult(True, f"filled {len(rows)} from the office list", inserted=len(rows))
'''

Install = Callable[..., str]


@pytest.fixture
def install_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """Writes a package and its dist-info (with an entry point in the group) to a folder on ``sys.path``:
    what ``pip install`` of an office's strategy package leaves in site-packages."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    packages: list[str] = []

    def install(package: str, source: str, entry_points: dict[str, str]) -> str:
        (site / package).mkdir()
        (site / package / "__init__.py").write_text(textwrap.dedent(source), encoding="utf-8")
        dist_info = site / f"{package}-1.0.dist-info"
        dist_info.mkdir()
        (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 1.0\n",
                                            encoding="utf-8")
        lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
        (dist_info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{lines}", encoding="utf-8")
        packages.append(package)
        return package

    yield install
    for package in packages:
        sys.modules.pop(package, None)


def test_the_built_in_six_come_in_priority_order_and_declare_the_contract() -> None:
    strategies = default_strategies()
    assert [s.name for s in strategies] == BUILT_IN
    assert [s.letter for s in strategies] == list("ABCDEF")
    assert [s.priority for s in strategies] == sorted(s.priority for s in strategies)
    assert [s.name for s in strategies if s.escalates] == ["manual_review"]
    assert all(s.label and s.label != s.name for s in strategies)
    assert get_strategy("B").name == "fill_gaps"
    assert strategy_modules() == sorted(f"turnout_desktop.strategies.{name}" for name in BUILT_IN)


def test_each_call_gives_fresh_instances() -> None:
    first, second = default_strategies(), default_strategies()
    assert all(a is not b for a, b in zip(first, second, strict=True))


def test_without_entry_points_the_package_scan_still_finds_the_six(monkeypatch: pytest.MonkeyPatch) -> None:
    """A source checkout whose installed metadata predates the group (no entry points at all)."""
    monkeypatch.setattr(registry, "entry_points", lambda group: [])
    assert [s.name for s in default_strategies()] == BUILT_IN


def test_a_source_checkout_maps_its_strategies_folder_without_any_install() -> None:
    """No site-packages at all (``-S``): no editable install, no metadata; the checkout's folder is found."""
    script = ("import sys; sys.path.insert(0, sys.argv[1])\n"
              "import importlib.util\n"
              "print(importlib.util.find_spec('turnout_desktop.strategies').origin)\n")
    shown = subprocess.run([sys.executable, "-S", "-c", script, str(ROOT)], check=True, capture_output=True,
                           text=True, cwd=ROOT.parent, timeout=60).stdout.strip()
    assert Path(shown) == ROOT / "strategies" / "__init__.py"


def test_an_installed_office_strategy_is_used_by_the_engine(db_engine: Engine, install_plugin: Install) -> None:
    package = install_plugin("travis_office_strategy", OFFICE_STRATEGY,
                             {"fill_from_office_list": "travis_office_strategy:FillFromOfficeList"})
    assert [s.name for s in default_strategies()] == ["fill_from_office_list", *BUILT_IN]
    assert strategy_modules()[0] == package

    add_reference(db_engine, "TRAVIS", "DEM", {EV: 8})
    add_roster(db_engine, "TRAVIS", [(vuid(i), "DEM", EV) for i in range(8)])
    add_records(db_engine, [(vuid(i), "TRAVIS", "DEM", EV) for i in range(5)])
    (result,) = reconciliation.reconcile(AppContext(db_engine, user="ada", role="admin"), Scope(ELECTION))

    assert result.status == "RESOLVED"
    assert result.strategy_succeeded == "fill_from_office_list"
    with transaction(db_engine) as session:
        attempts = session.execute(select(ReconciliationAttempt.strategy, ReconciliationAttempt.outcome)
                                   .where(ReconciliationAttempt.log_id == result.id)).all()
    assert [tuple(a) for a in attempts] == [("fill_from_office_list", "resolved")]


def test_a_plugin_that_cannot_be_imported_is_named(install_plugin: Install) -> None:
    install_plugin("broken_office_strategy", "import no_such_module_anywhere\n",
                   {"broken": "broken_office_strategy:Broken"})
    with pytest.raises(StrategyPluginError, match=r"'broken' \(broken_office_strategy:Broken\) cannot be loaded"):
        default_strategies()


def test_a_plugin_missing_declarations_is_named(install_plugin: Install) -> None:
    source = '''
    class Undeclared:
        name = "undeclared"
        letter = "X"

        def applies(self, diagnosis):
            return True

        def execute(self, context):
            return None
    '''
    install_plugin("undeclared_office_strategy", source, {"undeclared": "undeclared_office_strategy:Undeclared"})
    with pytest.raises(StrategyPluginError, match="does not declare label, handles, priority, escalates"):
        default_strategies()


def test_a_plugin_handling_an_unknown_cause_is_refused(install_plugin: Install) -> None:
    source = OFFICE_STRATEGY.replace("handles = (MISSING_VUIDS,)", 'handles = ("missing_voters",)')
    install_plugin("typo_office_strategy", source, {"typo": "typo_office_strategy:FillFromOfficeList"})
    with pytest.raises(StrategyPluginError, match="'missing_voters'"):
        default_strategies()


def test_a_plugin_reusing_a_built_in_name_is_refused(install_plugin: Install) -> None:
    source = OFFICE_STRATEGY.replace('name = "fill_from_office_list"', 'name = "fill_gaps"')
    install_plugin("clash_office_strategy", source, {"clash": "clash_office_strategy:FillFromOfficeList"})
    with pytest.raises(StrategyPluginError, match="named 'fill_gaps'.*must be unique"):
        default_strategies()
