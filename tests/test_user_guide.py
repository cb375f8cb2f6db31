"""The user guide (docs/user-guide.md) explains every word the app shows for a status, a gate decision and a
strategy, shows only pictures the screenshot command makes, and is the source of the copy the app ships."""

from __future__ import annotations

import importlib.util
import re
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from turnout_desktop.domain import gate
from turnout_desktop.domain.gate import GateFacts, can_show_data_publicly
from turnout_desktop.domain.labels import (
    DISPLAY_LABELS,
    NOT_REVIEWED,
    REMOVE_DEMO_DATA,
    REVIEW_LABELS,
    START_CHOICE_LABELS,
    STATUS_LABELS,
)
from turnout_desktop.domain.status import Status
from turnout_desktop.strategies import declared_labels

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "user-guide.md"
SHIPPED = ROOT / "resources" / "user-guide.md"
SCREENSHOTS = ROOT / "resources" / "screenshots"

# Values the facts below put into a gate message; in the guide they are words (reason, STATUS, G, A).
REASON = "county judge signed the canvass"
# One case per gate level, so a new level fails test_every_gate_level_has_a_case until the guide explains it.
GATE_CASES: dict[str, GateFacts] = {
    gate.LEVEL_IN_PROGRESS: GateFacts(reconciled=False, status=None, confirmed_accuracy=None),
    gate.LEVEL_BLOCKED: GateFacts(reconciled=True, status=Status.ESCALATED, confirmed_accuracy=Decimal("80"),
                                  override_reason=REASON, override_status=Status.FAILED),
    gate.LEVEL_ESCALATED: GateFacts(reconciled=True, status=Status.ESCALATED, confirmed_accuracy=Decimal("80")),
    gate.LEVEL_OVERRIDE: GateFacts(reconciled=True, status=Status.ESCALATED, confirmed_accuracy=Decimal("80"),
                                   override_reason=REASON),
    gate.LEVEL_VERIFIED: GateFacts(reconciled=True, status=Status.RESOLVED, confirmed_accuracy=Decimal("100")),
    gate.LEVEL_WITHIN: GateFacts(reconciled=True, status=Status.RESOLVED, confirmed_accuracy=Decimal("99.5")),
    gate.LEVEL_UNCONFIRMED: GateFacts(reconciled=True, status=Status.RESOLVED, confirmed_accuracy=Decimal("80")),
}
# What the cases put into the messages, each standing for "any text" in the guide's wording.
VARIABLE_PARTS = re.compile("|".join(re.escape(part) for part in (REASON, str(Status.FAILED), "80.00", "0.50")))


def guide_text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def ship_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ship_user_guide", ROOT / "tools" / "ship_user_guide.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def label_pattern(message: str) -> re.Pattern[str]:
    """A guide table cell for ``message``, the values the case filled in matched by any words."""
    pieces = VARIABLE_PARTS.split(message)
    return re.compile(".+?".join(re.escape(piece) for piece in pieces) + r" \|")


@pytest.mark.parametrize("label", sorted({*STATUS_LABELS.values(), *DISPLAY_LABELS.values()}))
def test_every_status_label_is_explained(label: str) -> None:
    assert f"| {label} |" in guide_text(), f"docs/user-guide.md's status tables do not explain {label!r}"


def test_every_gate_level_has_a_case() -> None:
    levels = {value for name, value in vars(gate).items() if name.startswith("LEVEL_") and isinstance(value, str)}
    assert levels == set(GATE_CASES), "add a case for the new gate level here and explain its label in the guide"
    for level, facts in GATE_CASES.items():
        assert can_show_data_publicly(facts).level == level


@pytest.mark.parametrize("level", sorted(GATE_CASES))
def test_every_gate_label_is_explained(level: str) -> None:
    message = can_show_data_publicly(GATE_CASES[level]).message
    pattern = label_pattern(message)
    rows = [line for line in guide_text().splitlines() if line.startswith("| ")]
    assert any(pattern.match(row.removeprefix("| ")) for row in rows), \
        f"docs/user-guide.md's gate table has no row for {message!r} (level {level})"


@pytest.mark.parametrize(("name", "label"), sorted(declared_labels().items()))
def test_every_strategy_label_is_explained(name: str, label: str) -> None:
    assert f"| {label} |" in guide_text(), f"docs/user-guide.md's strategy table lacks {label!r} ({name})"


def test_review_states_first_run_choices_and_demo_removal_are_named() -> None:
    text = guide_text()
    for words in (*REVIEW_LABELS.values(), NOT_REVIEWED, *START_CHOICE_LABELS.values(), REMOVE_DEMO_DATA):
        assert words in text, f"docs/user-guide.md does not name {words!r}"


def test_the_label_pattern_fails_a_reworded_label() -> None:
    pattern = label_pattern(f"Published by override ({REASON})")
    assert pattern.match("Published by override (reason) | yes |")
    assert not pattern.match("Shown by override (reason) | yes |")


def test_every_picture_is_a_screenshot_view_that_exists() -> None:
    from turnout_desktop.gui.screenshots import VIEWS

    pictures = re.findall(r"!\[[^\]]*\]\(\.\./resources/screenshots/([\w-]+)\.png\)", guide_text())
    assert {"welcome", "wizard", "escalation", "override-confirm", "inbox", "settings"} <= set(pictures)
    for name in pictures:
        assert name in VIEWS, f"{name}.png is not a view of turnout-desktop --screenshot"
        assert (SCREENSHOTS / f"{name}.png").is_file(), name
    assert "](" not in re.sub(r"\]\((?:\.\./resources/screenshots/[\w-]+\.png|#[\w-]+)\)", "", guide_text())


def test_the_shipped_guide_is_generated_from_the_docs() -> None:
    tool = ship_tool()
    expected = tool.shipped_text(guide_text())
    assert SHIPPED.read_text(encoding="utf-8") == expected, \
        f"resources/user-guide.md is out of date with docs/user-guide.md; run: {tool.REGENERATE}"
    for name in re.findall(r"\]\(screenshots/([\w-]+\.png)\)", expected):
        assert (SHIPPED.parent / "screenshots" / name).is_file(), name


def test_the_tool_refuses_a_link_the_shipped_copy_cannot_reach() -> None:
    tool = ship_tool()
    assert "](screenshots/main.png)" in tool.shipped_text("![Main](../resources/screenshots/main.png)\n")
    with pytest.raises(tool.GuideLinkError, match="README.md"):
        tool.shipped_text("See [the README](../README.md).\n")
