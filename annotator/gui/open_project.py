"""File ▸ Open project…: a database file or a project on a PostgreSQL server, typed, browsed for or
picked from the recent ones."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton,
    QStyle, QVBoxLayout,
)

from annotator.core.backends import is_server_url
from annotator.gui import location

HINT = ("A database file (created if missing), or a shared project on a PostgreSQL server:\n"
        "postgresql://USER@HOST:PORT/PROJECT — the password comes from PGPASSWORD or ~/.pgpass "
        "and is never shown or remembered.")


class OpenProjectDialog(QDialog):
    """Asks where the project is; `chosen()` is what was typed or picked."""

    def __init__(self, recent: list[str], start_folder: str, parent=None):
        super().__init__(parent)
        self.setObjectName("openProjectDialog")
        self.setWindowTitle("Open project")
        self.start_folder = start_folder
        self.where = QLineEdit()
        self.where.setObjectName("projectLocation")
        self.where.setPlaceholderText("/path/to/project.db  or  postgresql://you@server:5432/project")
        self.where.setClearButtonEnabled(True)
        browse = QPushButton("Browse for a file…")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.where, 1)
        row.addWidget(browse)
        hint = QLabel(HINT)
        hint.setTextFormat(Qt.PlainText)
        hint.setWordWrap(True)
        self.recent = QListWidget()
        self.recent.setObjectName("recentProjects")
        for db in recent:
            icon = QStyle.SP_DriveNetIcon if is_server_url(db) else QStyle.SP_FileIcon
            item = QListWidgetItem(self.style().standardIcon(icon), location.shown_location(db))
            item.setData(Qt.UserRole, db)
            item.setToolTip(db)  # plain text: a tooltip that does not start with a tag is not rich text
            if not is_server_url(db) and not os.path.exists(db):
                item.setFlags(item.flags() & ~Qt.ItemIsEnabled)
            self.recent.addItem(item)
        self.recent.currentItemChanged.connect(
            lambda item, _: item is not None and self.where.setText(item.data(Qt.UserRole)))
        self.recent.itemDoubleClicked.connect(lambda item: (self.where.setText(item.data(Qt.UserRole)), self.accept()))
        self.buttons = QDialogButtonBox(QDialogButtonBox.Open | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        open_button = self.buttons.button(QDialogButtonBox.Open)
        open_button.setEnabled(False)
        self.where.textChanged.connect(lambda text: open_button.setEnabled(bool(text.strip())))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Project:"))
        layout.addLayout(row)
        layout.addWidget(hint)
        layout.addWidget(QLabel("Recent projects:"))
        layout.addWidget(self.recent, 1)
        layout.addWidget(self.buttons)
        self.resize(640, 380)

    def browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Open or create a database", self.start_folder,
                                              "Annotator databases (*.db);;All files (*)",
                                              options=QFileDialog.DontConfirmOverwrite)
        if path:
            self.where.setText(path)

    def chosen(self) -> str:
        return self.where.text().strip()
