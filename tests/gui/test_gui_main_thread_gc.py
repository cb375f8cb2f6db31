"""Garbage holding Qt objects is freed in the GUI thread, never in a worker that happens to allocate."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from turnout_desktop.gui.main_thread_gc import MainThreadGarbageCollector


class _CycleHolder:
    """A Python object in a reference cycle that owns a widget, like a closed dialog's controller."""

    def __init__(self) -> None:
        self.me = self
        self.widget = QWidget()


def _drop_a_cycle_and_watch_where_it_dies() -> list[str]:
    freed_in: list[str] = []
    holder = _CycleHolder()
    weakref.finalize(holder, lambda: freed_in.append(threading.current_thread().name))
    del holder
    return freed_in


def _allocate_in_a_worker() -> list[list[int]]:
    """Allocate far past the young generation's threshold, as a big query in a worker does."""
    rows: list[list[int]] = []

    def query() -> None:
        rows.extend([index] for index in range(gc.get_threshold()[0] * 20))

    worker = threading.Thread(target=query, name="worker")
    worker.start()
    worker.join()
    return rows  # still held, like a result on its way to the window


@pytest.fixture
def automatic_gc() -> Iterator[None]:
    """The test's starting point is Python's default: the collector on (the suite switches it off)."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


def test_without_the_guard_a_worker_thread_frees_the_qt_garbage(qapp: QApplication, automatic_gc: None) -> None:
    """The hazard the guard exists for (if this stops failing, Python changed and the guard may be moot)."""
    freed_in = _drop_a_cycle_and_watch_where_it_dies()
    _allocate_in_a_worker()
    assert freed_in == ["worker"]


def test_with_the_guard_the_gui_thread_frees_it_on_its_timer(qapp: QApplication, qtbot: QtBot,
                                                             automatic_gc: None) -> None:
    collector = MainThreadGarbageCollector(interval_ms=20)
    collector.install()
    try:
        assert not gc.isenabled()
        freed_in = _drop_a_cycle_and_watch_where_it_dies()
        rows = _allocate_in_a_worker()
        assert freed_in == []
        qtbot.waitUntil(lambda: bool(freed_in), timeout=5000)
        assert freed_in == [threading.main_thread().name]
        assert rows
    finally:
        collector.uninstall()
    assert gc.isenabled()
