"""The main window's project: checkpoints and backups of a database file, opening another project
(a file or a server URL) or the same one as another annotator (in a new window)."""

from __future__ import annotations

import os
import time

from PySide6.QtWidgets import QFileDialog

from annotator.core.backends import is_server_url
from annotator.core.store import StoreError
from annotator.gui import location
from annotator.gui.open_project import OpenProjectDialog
from annotator.gui.widgets import ask_name, show_error
from annotator.gui.workers import backup_work

IDLE_CHECKPOINT_MS = 30_000  # after this long without an edit, the -wal's edits go into the .db file

open_windows: list = []  # windows opened from a window (open database, switch annotator): kept alive


class DatabaseFiles:
    """Part of MainWindow (a mixin: it uses the window's store, settings and tasks)."""

    # ---- the database file: checkpoints and backups -----------------------------------------
    def _stored(self, touched) -> None:
        """An edit is stored: a checkpoint when it marked the article done, else once idle."""
        self._idle_timer.start()
        state = self.controller.state
        if (touched.layer and state is not None and state.article.id == touched.article_id
                and state.layer.status == "done"):
            self.checkpoint()

    def checkpoint(self) -> bool:
        """Move the stored edits from the -wal file into the .db file (never waits for others)."""
        if self.closed:
            return False
        try:
            return self.store.checkpoint()
        except StoreError:
            return False  # busy or read-only: the next checkpoint tries again

    def back_up(self) -> None:
        if self.store.server:
            return  # the action is disabled, with the tooltip saying how (server_backup_tip)
        stem = os.path.splitext(os.path.basename(self.db_path))[0]
        suggested = os.path.join(os.path.dirname(self.db_path), f"{stem}-backup-{time.strftime('%Y%m%d-%H%M')}.db")
        path, _ = QFileDialog.getSaveFileName(self, "Back up the database", suggested,
                                              "Annotator databases (*.db);;All files (*)")
        if path:
            self.back_up_to(path, force=True)  # the file dialog asked before replacing a file

    def back_up_to(self, path: str, force: bool = False) -> bool:
        """Copy the database into one file, in the background (progress and Cancel in a dialog)."""
        def done(result, cancelled: bool) -> None:
            if result is None:
                self.statusBar().showMessage(f"Backup cancelled; {path} was not written.", 10000)
            else:
                size = os.path.getsize(result) / 1e6
                self.statusBar().showMessage(f"Backed up to {result} ({size:.1f} MB).", 15000)

        return self._start_task("Backing up", backup_work(self._task_store, path, force), done, modal=True)

    def set_accept_moves_on(self, on: bool) -> None:
        """A / X go on to the next pending suggestion (on by default), or stay."""
        self.actions["accept_moves_on"].setChecked(on)
        self.controller.moves_on = on
        self.settings.accept_moves_on = on

    def server_backup_tip(self) -> str:
        where = self.store.label
        return (f"A project on a server is backed up with `annotator copy {where} FILE.db` (a complete SQLite "
                "copy, edit log included) or with the server's own pg_dump.")

    # ---- projects and annotators -----------------------------------------------------------
    project_dialog: OpenProjectDialog | None = None  # File ▸ Open project… while it is open

    def choose_database(self) -> None:
        """File ▸ Open project…: a file or a server URL, typed, browsed for or picked from the recent ones."""
        dialog = OpenProjectDialog(self.settings.recent(), location.local_folder(self.db_path)
                                   if not self.store.server else os.path.expanduser("~"), self)
        self.project_dialog = dialog
        accepted = dialog.exec()
        self.project_dialog = None
        if accepted and dialog.chosen():
            self.open_database(dialog.chosen())

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent():
            action = self.recent_menu.addAction(self._short_path(path).replace("&", "&&"))  # no mnemonic
            action.setToolTip(path)
            action.setEnabled(is_server_url(path) or os.path.exists(path))
            action.triggered.connect(lambda checked=False, p=path: self.open_database(p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none)").setEnabled(False)

    def open_database(self, path: str, annotator_name: str | None = None) -> "DatabaseFiles | None":
        """Open another project (or the same as someone else) in a window that takes this one's place
        (its size, position and docks); this one closes. On a server the annotator is the login."""
        name = annotator_name or (None if is_server_url(path) else self.annotator)
        try:
            window = type(self)(path, name, self.settings)
        except StoreError as exc:
            show_error(self, "Cannot open the project", str(exc))  # store messages never hold a password
            return None
        open_windows.append(window)
        self.save_layout()
        window.restoreGeometry(self.saveGeometry())
        window.show()
        self.close()
        return window

    def switch_annotator(self) -> None:
        if self.store.server and self.role != "lead":
            return  # disabled: on a server, annotators and reviewers write as their login
        name = ask_name(self, self.annotator)
        if name and name != self.annotator:
            self.settings.annotator = name
            self.open_database(self.db_path, name)
