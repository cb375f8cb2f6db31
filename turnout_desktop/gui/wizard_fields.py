"""The upload wizard's column mapping: a column per field, where each field was found, and the confirmations.

Every roster field says where its values come from (mapped / detected / from a sheet or file name / from the
first page / "not found: choose a column"); a party or method read from a sheet or file name is listed under
"Confirm" and the review page stays incomplete until each is ticked (``services/field_sources.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from turnout_desktop.domain.labels import field_label, field_source_text, field_value_text
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.services.upload_preview import MAPPABLE_FIELDS, FieldSource

AUTO = "(detect)"
KEY_ROLE = Qt.ItemDataRole.UserRole + 1


def confirmation_text(source: FieldSource) -> str:
    where = "sheet" if source.source == "sheet_name" else "file"
    place = f"{source.file} {source.sheet}".strip()
    return (f"Every row of {place} is {field_label(source.field).lower()} "
            f"{field_value_text(source.field, source.value)} "
            f"(taken from the {where} name; no column says so)")


class MappingPanel(QWidget):
    """Combos per field with their source, the re-check button, and the name-derived values to confirm."""

    confirmations_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combos: dict[str, QComboBox] = {}
        self.state_labels: dict[str, QLabel] = {}
        self.chosen: set[str] = set()  # fields the user picked a column for (detection decides the others)
        self.confirmed: set[str] = set()  # confirmation keys, kept across re-checks of the same files
        form = QFormLayout()
        for name in MAPPABLE_FIELDS:
            combo = QComboBox()
            combo.setObjectName(f"map_{name}")
            combo.setEditable(True)  # a title can be typed when detection found no header
            combo.addItem(AUTO)
            combo.currentTextChanged.connect(lambda _text, n=name: self.chosen.add(n))
            state = QLabel()
            state.setObjectName(f"mapState_{name}")
            row = QHBoxLayout()
            row.addWidget(combo, 1)
            row.addWidget(state, 1)
            self.combos[name] = combo
            self.state_labels[name] = state
            form.addRow(field_label(name), row)
        self.recheck_button = QPushButton("Re-check with this mapping")
        self.recheck_button.setObjectName("recheckMappingButton")
        form.addRow(self.recheck_button)
        self.confirm_label = QLabel("Confirm what the names say:")
        self.confirm_list = QListWidget()
        self.confirm_list.setObjectName("confirmList")
        self.confirm_list.setWordWrap(True)
        self.confirm_list.setMaximumHeight(90)
        self.confirm_list.itemChanged.connect(self._on_item_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.confirm_label)
        layout.addWidget(self.confirm_list)
        self._show_confirm_list(False)

    def mapping(self) -> dict[str, str]:
        """The columns the user chose; the other fields are left to detection."""
        chosen = {name: self.combos[name].currentText().strip() for name in self.chosen}
        return {name: title for name, title in chosen.items() if title not in ("", AUTO)}

    def reset(self) -> None:
        """Every field back to detection, nothing confirmed, no titles until new files are read."""
        for combo in self.combos.values():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(AUTO)
            combo.blockSignals(False)
        self.chosen.clear()
        self.confirmed.clear()
        self.show_sources((), None)

    def show_titles(self, titles: Sequence[str], found: Mapping[str, str]) -> None:
        """Offer the files' titles; each combo shows the column the check used (its own choice or detection's)."""
        for name, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([AUTO, *dict.fromkeys(titles)])
            combo.setCurrentText(found.get(name) or AUTO)
            combo.blockSignals(False)

    def show_sources(self, sources: Sequence[FieldSource], sheet: tuple[str, str] | None) -> None:
        """The source of each field of ``sheet`` (file, sheet name), and every value to confirm."""
        for name, label in self.state_labels.items():
            source = next((s for s in sources if (s.file, s.sheet) == sheet and s.field == name), None)
            label.setText(field_source_text(source.source, field_value_text(source.field, source.value),
                                            to_confirm=source.needs_confirmation) if source else "")
        self.confirm_list.blockSignals(True)
        self.confirm_list.clear()
        for source in sources:
            if source.needs_confirmation:
                key = "\x1f".join((source.file, source.sheet, source.field, source.value))
                item = QListWidgetItem(confirmation_text(source))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if key in self.confirmed else Qt.CheckState.Unchecked)
                item.setData(KEY_ROLE, key)
                self.confirm_list.addItem(item)
        self.confirm_list.blockSignals(False)
        self._show_confirm_list(self.confirm_list.count() > 0)
        emit(self.confirmations_changed)

    def all_confirmed(self) -> bool:
        items = (self.confirm_list.item(i) for i in range(self.confirm_list.count()))
        return all(item.checkState() == Qt.CheckState.Checked for item in items)

    def _show_confirm_list(self, visible: bool) -> None:
        self.confirm_label.setVisible(visible)
        self.confirm_list.setVisible(visible)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        key = str(item.data(KEY_ROLE))
        if item.checkState() == Qt.CheckState.Checked:
            self.confirmed.add(key)
        else:
            self.confirmed.discard(key)
        emit(self.confirmations_changed)
