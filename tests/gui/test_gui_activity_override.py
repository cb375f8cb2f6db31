"""An override in force shows on its activity row (colour and tooltip) from the dashboard's marked copy of the
log entry; the service's own log entries keep the computed status and show no override."""

from __future__ import annotations

from PySide6.QtCore import Qt
from reconciliation_rows import ELECTION, MAIL, add_reference
from sqlalchemy import Engine

from turnout_desktop.domain.scope import Scope
from turnout_desktop.gui.activity_model import ActivityModel
from turnout_desktop.gui.record_model import STATUS_COLOURS
from turnout_desktop.services import reconciliation
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.dashboard import load_dashboard
from turnout_desktop.services.fixes import override

REASON = "County confirmed late mail ballots"


def _status_cells(model: ActivityModel) -> dict[str, tuple[str, str | None]]:
    """County -> (background colour, tooltip) of each row's status cell."""
    status = model.headers().index("Status")
    cells = {}
    for row in range(model.rowCount()):
        index = model.index(row, status)
        cells[model.record(row).county] = (index.data(Qt.ItemDataRole.BackgroundRole).color().name(),
                                           index.data(Qt.ItemDataRole.ToolTipRole))
    return cells


def test_the_override_shows_on_the_row_without_changing_the_service_rows(qtmodeltester, db_engine: Engine) -> None:
    add_reference(db_engine, "LOVING", "DEM", {MAIL: 50}, total=100)
    add_reference(db_engine, "KENT", "DEM", {MAIL: 5})
    ctx = AppContext(db_engine, user="ada", role="admin")
    reconciliation.reconcile(ctx, Scope(ELECTION), strategies=[])  # both escalate: no records at all
    override(ctx, Scope(ELECTION, "LOVING", "DEM"), reason=REASON)
    service_rows = reconciliation.log_entries(ctx, election=ELECTION)

    dashboard = ActivityModel()
    dashboard.set_records(load_dashboard(ctx).log)
    qtmodeltester.check(dashboard)
    cells = _status_cells(dashboard)
    assert cells["LOVING"][0] == STATUS_COLOURS["overridden"]
    assert (cells["LOVING"][1] or "").startswith(f"Overridden by ada: {REASON} (computed: ")
    assert cells["KENT"][0] == STATUS_COLOURS["escalated"] and "Overridden" not in (cells["KENT"][1] or "")

    plain = ActivityModel()
    plain.set_records(service_rows)  # the rows the service returned before the dashboard marked its copies
    assert all(entry.override is None for entry in service_rows)
    assert {county: colour for county, (colour, _tip) in _status_cells(plain).items()} == {
        "LOVING": STATUS_COLOURS["escalated"], "KENT": STATUS_COLOURS["escalated"]}
