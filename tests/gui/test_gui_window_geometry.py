"""Window geometry: a first start fits the screen (a 1366x768 laptop keeps the status bar), later starts
restore what the user left; nothing forces 1280x800."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize

from turnout_desktop.gui import jobs, window_state
from turnout_desktop.gui.app import Launcher
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.settings import Preferences

LAPTOP = QRect(0, 0, 1366, 728)  # 1366x768 less a 40 px task bar


def test_first_start_geometry_fits_the_available_screen() -> None:
    placed = window_state.first_start_geometry(LAPTOP)
    allowance = window_state.FRAME_ALLOWANCE
    assert placed.height() + allowance.height() <= LAPTOP.height() < window_state.PREFERRED_SIZE.height()
    assert placed.top() >= allowance.height() - allowance.width() // 2 and placed.bottom() < LAPTOP.bottom()
    roomy = window_state.first_start_geometry(QRect(0, 0, 1920, 1040))
    assert roomy.size() == window_state.PREFERRED_SIZE and roomy.center().x() in range(955, 966)


def test_a_laptop_screen_keeps_the_status_bar_in_view(qtbot, admin_spec) -> None:
    window = MainWindow(admin_spec, Preferences(auto_check_minutes=0))
    qtbot.addWidget(window)
    window_state.fit_first_start(window, LAPTOP)
    window.show()
    qtbot.waitUntil(lambda: window.session.dashboard is not None or window.runner.is_idle(), timeout=15_000)
    bar = window.statusBar()
    assert bar.isVisible()
    assert window.geometry().top() + bar.geometry().bottom() < LAPTOP.bottom()  # the status bar is on screen
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)


def launch(qtbot, demo_url: str) -> MainWindow:
    launcher = Launcher(Preferences(auto_check_minutes=0), seed_if_empty=False, demo_folder=None, screenshot=None,
                        view="main")
    window = launcher.launch(jobs.ContextSpec(demo_url, user="ada", role="admin"))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.session.dashboard is not None, timeout=20_000)
    qtbot.waitUntil(window.runner.is_idle, timeout=15_000)
    return window


def test_the_app_fits_its_screen_first_and_then_remembers_the_users_size(qtbot, demo_url) -> None:
    assert not window_state.has_saved_geometry()
    first = launch(qtbot, demo_url)
    available = first.screen().availableGeometry()
    assert first.size() != QSize(1280, 800)
    assert first.height() + window_state.FRAME_ALLOWANCE.height() <= available.height()
    first.resize(700, 500)
    first.close()  # saves the layout
    assert window_state.has_saved_geometry()
    second = launch(qtbot, demo_url)
    assert second.size() == QSize(700, 500)
    second.close()
