"""Start the annotation window: `run(db_path, annotator=None, article_id=None)`."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

import annotator
from annotator.core.backends import is_server_url
from annotator.core.store import StoreError
from annotator.gui.settings import Settings
from annotator.gui.widgets import ask_name, show_error


def application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName("annotator")
        QCoreApplication.setApplicationName("annotator")
        app = QApplication(sys.argv[:1])
        app.setApplicationDisplayName("annotator")
        app.setApplicationVersion(annotator.__version__)
    return app


def build_window(db_path: str, annotator_name: str | None = None, article_id: str | None = None,
                 settings: Settings | None = None):
    """The main window, ready to show; None if no annotator name was given or the database is unusable.

    `db_path` is a database file or a postgresql:// URL. For a file the name is asked once and
    remembered (QSettings; File ▸ Switch annotator changes it); on a server it is the login."""
    from annotator.gui.mainwindow import MainWindow

    application()
    settings = settings or Settings()
    if is_server_url(db_path):
        try:
            return MainWindow(db_path, annotator_name, settings, article_id=article_id)
        except StoreError as exc:
            show_error(None, "Cannot open the project", str(exc))  # names the server, never the password
            return None
    name = annotator_name or settings.annotator
    if not name:
        name = ask_name(None)
        if not name:
            return None
    if name.startswith("@"):
        show_error(None, "annotator", f"{name!r} is a reserved layer name (names starting with @).")
        return None
    settings.annotator = name
    try:
        return MainWindow(db_path, name, settings, article_id=article_id)
    except StoreError as exc:
        show_error(None, "Cannot open the database", str(exc))
        return None


def run(db_path: str, annotator: str | None = None, article_id: str | None = None) -> int:
    """Open the annotation window on a database; returns the exit code."""
    app = application()
    window = build_window(db_path, annotator, article_id)
    if window is None:
        return 1
    window.show()
    window.activateWindow()
    window.raise_()
    return app.exec()
