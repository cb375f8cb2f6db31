"""``turnout-desktop`` entry point: options, error handlers, database preparation, screenshots."""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtWidgets import QApplication

from turnout_desktop.gui import jobs, window_state
from turnout_desktop.gui.demo_actions import remove_demo_window
from turnout_desktop.gui.error_dialogs import install_handlers
from turnout_desktop.gui.icons import icon, stylesheet
from turnout_desktop.gui.main_thread_gc import MainThreadGarbageCollector
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.process_worker import shutdown_child
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.screenshots import VIEWS, ScreenshotTaker, apply_dark_palette, parse_size
from turnout_desktop.gui.settings import DB_LOCAL, DB_POSTGRESQL, Preferences, is_first_run, load_preferences
from turnout_desktop.gui.shutdown import TerminationWatch
from turnout_desktop.gui.sign_in_jobs import SignedIn
from turnout_desktop.gui.task_runner import TaskRunner, live_runners
from turnout_desktop.services.demo import (
    demo_database_path,
    make_temporary_folder,
    prepare_database,
    remove_temporary_folder,
)

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="turnout-desktop", description="Turnout Desktop.")
    parser.add_argument("--db", metavar="URL", help="database URL (default: the settings, else the local file)")
    parser.add_argument("--demo", action="store_true", help="open a freshly seeded demo database")
    parser.add_argument("--screenshot", metavar="PATH", type=Path,
                        help="render offscreen after the first reconciliation, save a PNG, exit")
    parser.add_argument("--view", choices=VIEWS, default="main", help="what --screenshot renders")
    parser.add_argument("--size", metavar="WxH", type=parse_size,
                        help="--screenshot at this size in pixels (default: the window 1280x800, dialogs their own)")
    parser.add_argument("--dark", action="store_true", help="use the dark palette (for --screenshot)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation offscreen on a temporary database, no window; exit 0 if all pass")
    return parser


def context_spec(args: argparse.Namespace, preferences: Preferences) -> tuple[jobs.ContextSpec, bool, Path | None]:
    """Which database to open, whether to seed demo data when empty, and the demo folder.

    Nobody is named here: on SQLite the user is ``local`` (not signed in), on PostgreSQL the sign-in
    dialog asks who, and the database says which role that login has.
    """
    if args.demo:
        folder = make_temporary_folder()  # removed when main() ends
        return jobs.ContextSpec(f"sqlite:///{folder / 'demo.db'}"), True, folder
    if args.db:
        return jobs.ContextSpec(args.db), False, None
    if preferences.db_kind == DB_POSTGRESQL:
        return jobs.ContextSpec(preferences.database_url()), False, None
    demo_database = demo_database_path()
    if preferences.db_kind == DB_LOCAL and preferences.local_path and \
            Path(preferences.local_path).resolve() == demo_database.resolve():
        # "Try with demo data": a database of its own, seeded when empty, files next to it.
        return jobs.ContextSpec(f"sqlite:///{demo_database}"), True, demo_database.parent
    # The local database holds real work only: it is never seeded with demo data.
    return jobs.ContextSpec(None), False, None


def wants_welcome(args: argparse.Namespace) -> bool:
    """The welcome dialog: a plain start (no ``--db``, ``--demo`` or ``--screenshot``) with nothing configured."""
    return not (args.demo or args.db or args.screenshot is not None) and is_first_run()


class Startup(QObject):
    """Prepares the database in the worker, loads the dashboard, optionally takes a screenshot."""

    screenshot_saved = Signal(str)

    def __init__(self, window: MainWindow, *, seed_if_empty: bool, demo_folder: Path | None = None,
                 screenshot: Path | None = None, view: str = "main", size: QSize | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.seed_if_empty = seed_if_empty
        self.demo_folder = demo_folder
        self.screenshot = screenshot
        self.view = view
        self.size = size
        self._loaded_once = False

    def start(self) -> None:
        self.window.dashboard_loaded.connect(self._on_first_dashboard)
        self.window.runner.start(prepare_database, self.window.session.spec, seed_if_empty=self.seed_if_empty,
                                 demo_folder=self.demo_folder, on_result=self.window.session.request_refresh,
                                 on_error=self._on_prepare_failed, title="Opening the database", heavy=True)

    def _on_prepare_failed(self, error: BaseException, trace: str) -> None:
        if self.window.outbox.handle_server_error(error):
            return  # the shared server is away: banner and "Offline - N queued"; the outbox check watches it
        self.window.show_error(error, trace)
        self.window.dashboard_view.refresh()  # show what can be shown (offline banner, empty tables)

    def _on_first_dashboard(self) -> None:
        if self._loaded_once:
            return
        self._loaded_once = True
        if self.screenshot is None:
            return
        taker = ScreenshotTaker(self.window.parts(), self.screenshot, self.view, size=self.size,
                                demo_folder=self.demo_folder)
        taker.saved.connect(lambda path: emit(self.screenshot_saved, path))
        taker.take()


class Launcher(QObject):
    """Opens the main window for a spec: at once (SQLite), or after the sign-in dialog (PostgreSQL)."""

    def __init__(self, preferences: Preferences, *, seed_if_empty: bool, demo_folder: Path | None,
                 screenshot: Path | None, view: str, size: QSize | None = None) -> None:
        super().__init__()
        self.preferences = preferences
        self.options = {"seed_if_empty": seed_if_empty, "demo_folder": demo_folder, "screenshot": screenshot,
                        "view": view, "size": size}
        self.window: MainWindow | None = None

    def signed_in(self, result: SignedIn) -> MainWindow:
        self.preferences = load_preferences()  # the sign-in dialog may have saved the user name
        window = self.launch(result.spec)
        if result.password_remembered is False:
            window.statusBar().showMessage("No secure keyring on this computer: the password was not remembered.",
                                           15_000)
        return window

    def launch(self, spec: jobs.ContextSpec) -> MainWindow:
        window = MainWindow(spec, self.preferences)
        startup = Startup(window, **self.options)
        if self.options["screenshot"] is not None:
            window.resize(self.options["size"] or window_state.PREFERRED_SIZE)  # one reproducible size
        else:
            window_state.fit_first_start(window)  # the saved geometry, else a size that fits the screen
        window.show()
        startup.start()
        window.demo.removal_confirmed.connect(lambda database: self.replace_demo(window, database))
        self.window = window
        return window

    def replace_demo(self, window: MainWindow, database: Path) -> MainWindow:
        """File > Remove demo data…: delete the demo database and open the local database in its place."""
        quits_when_closed = QApplication.quitOnLastWindowClosed()
        QApplication.setQuitOnLastWindowClosed(False)  # the demo's window closes before the next one opens
        try:
            problem = remove_demo_window(window, database)
            self.preferences = load_preferences()
            self.options.update(seed_if_empty=False, demo_folder=None)
            local = self.launch(jobs.ContextSpec(None))
        finally:
            QApplication.setQuitOnLastWindowClosed(quits_when_closed)
        if problem is not None:
            local.show_error(problem)
        return local


def main(argv: Sequence[str] | None = None) -> int:
    """Run the desktop app; returns the process exit code."""
    multiprocessing.freeze_support()  # the heavy-job child process in a frozen (PyInstaller) build
    args = build_parser().parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.self_test:
        from turnout_desktop.gui.self_test import run_desktop_self_test

        return run_desktop_self_test()
    if args.screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Turnout Desktop")
    app.setOrganizationName("TurnoutDesktop")
    app.setWindowIcon(icon("app"))
    app.setStyleSheet(stylesheet())
    if args.dark:
        apply_dark_palette(app)
    # The system switching between light and dark: recolour the stylesheet (rows recolour on their own).
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: app.setStyleSheet(stylesheet()))
    install_handlers()
    preferences = load_preferences()
    if wants_welcome(args):
        from turnout_desktop.gui.welcome_dialog import ask_how_to_start

        chosen = ask_how_to_start(preferences)
        if chosen is None:
            return 0  # closed without a choice: nothing saved, asked again at the next start
        preferences = chosen
    collector = MainThreadGarbageCollector(app)  # Qt objects are never freed by a worker thread
    collector.install()
    termination = TerminationWatch(parent=app)  # SIGTERM closes the windows like Quit: state is saved
    termination.install()
    spec, seed, demo_folder = context_spec(args, preferences)
    launcher = Launcher(preferences, seed_if_empty=seed, demo_folder=demo_folder, screenshot=args.screenshot,
                        view=args.view, size=args.size)
    if spec.is_shared and args.screenshot is None:
        # A shared server: sign in first (in the worker); the window opens once the database said who.
        from turnout_desktop.gui.sign_in_dialog import SignInDialog

        sign_in_runner = TaskRunner(app)
        dialog = SignInDialog(spec, sign_in_runner, preferences=preferences,
                              remember_user=not args.db and preferences.db_kind == DB_POSTGRESQL)
        dialog.signed_in.connect(launcher.signed_in)
        dialog.offline_chosen.connect(launcher.launch)
        dialog.rejected.connect(app.quit)
        dialog.open()
    else:
        launcher.launch(spec)
    code = app.exec()
    termination.uninstall()
    for runner in live_runners():  # the sign-in's runner too, when the app was quit from its dialog
        runner.shutdown()
    jobs.dispose_engines()
    shutdown_child()
    if args.demo:  # after every connection closed (Windows deletes no open file); SIGTERM ends here too
        remove_temporary_folder(demo_folder)
    collector.uninstall()
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
