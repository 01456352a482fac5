"""The Tools menu's windows and dialogs: a quality page in a window of its own, the choice of
the suggestion model, the training dialog and what a training run gives.

Each quality page (review, agreement, dashboard) opens in a separate, non-modal window: its
keys (the review's A, 1–9, Ctrl+Return, Ctrl+E …) then never compete with the annotation
window's, and the page can sit next to the text it is about."""

from __future__ import annotations

import os
from typing import Callable

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup, QDialog, QDialogButtonBox, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QMainWindow,
    QPushButton, QRadioButton, QVBoxLayout, QWidget,
)

from annotator.project import suggestion_model
from annotator.project.suggestion_model import ModelInfo
from annotator.gui.theme import mix

PAGE_SIZES = {"review": (1400, 820), "agreement": (1400, 900), "dashboard": (1400, 900)}


def _plain(text: str = "", wrap: bool = True, muted: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(wrap)
    if muted:
        palette = label.palette()
        palette.setColor(QPalette.WindowText, mix(palette.color(QPalette.WindowText), palette.color(QPalette.Window), 0.35))
        label.setPalette(palette)
    return label


class PageWindow(QMainWindow):
    """A quality page in a window of its own (closed with Ctrl+W); remembers its size."""

    closed = Signal(str)

    def __init__(self, name: str, title: str, make_page: Callable[[QWidget], QWidget], settings, parent: QWidget):
        """`make_page(parent)` builds the page, in this window."""
        super().__init__(parent)  # a QMainWindow is a window of its own, even with a parent
        self.name, self.settings = name, settings
        self.setObjectName(f"{name}Window")
        self.setWindowTitle(title)
        self.page = make_page(self)
        self.setCentralWidget(self.page)
        self.statusBar().setSizeGripEnabled(True)
        if hasattr(self.page, "message"):
            self.page.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        QShortcut(QKeySequence("Ctrl+W"), self, self.close)
        geometry = settings.bytes_value(f"{name}Geometry")
        if isinstance(geometry, (bytes, QByteArray)) and geometry:
            self.restoreGeometry(geometry)
        else:
            self.resize(*PAGE_SIZES.get(name, (1200, 800)))

    def present(self) -> None:
        self.show()
        self.setWindowState(self.windowState() & ~Qt.WindowMinimized)
        self.raise_()
        self.activateWindow()
        self.page.setFocus()

    def closeEvent(self, event) -> None:
        self.settings.set_value(f"{self.name}Geometry", self.saveGeometry())
        self.closed.emit(self.name)
        super().closeEvent(event)


class SuggestionModelDialog(QDialog):
    """Bundled model, or a folder with a model trained from gold or a spaCy (NER) model."""

    def __init__(self, current: ModelInfo, start_dir: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("suggestionModelDialog")
        self.setWindowTitle("Suggestion model")
        self.start_dir = start_dir
        intro = _plain("The model that makes the suggestions of this database (Tools ▸ Suggest …) and orders "
                       "“most useful next”. Every annotator of the database uses the same.")
        self.bundled = QRadioButton("&Bundled model (entities from the NER model that comes with annotator, "
                                    "quotes from rules, stance from the lexicon)")
        self.folder = QRadioButton("A model &folder: trained from gold (model.json) or a spaCy NER model")
        group = QButtonGroup(self)
        group.addButton(self.bundled)
        group.addButton(self.folder)
        self.path = QLineEdit()
        self.path.setObjectName("modelPath")
        self.path.setPlaceholderText("folder of the model")
        self.browse = QPushButton("Browse…")
        self.browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.setContentsMargins(24, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        self.verdict = _plain()
        self.verdict.setObjectName("modelVerdict")
        self.verdict.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Use this model")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addWidget(self.bundled)
        layout.addWidget(self.folder)
        layout.addLayout(row)
        layout.addWidget(self.verdict)
        layout.addWidget(self.buttons)
        if current.kind == "bundled":
            self.bundled.setChecked(True)
        else:
            self.folder.setChecked(True)
            self.path.setText(current.path or "")
        self.bundled.toggled.connect(self._check)
        self.path.textChanged.connect(lambda *_: (self.folder.setChecked(True), self._check()))
        self._check()
        self.resize(640, self.sizeHint().height())

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder of the suggestion model",
                                                self.path.text() or self.start_dir)
        if path:
            self.path.setText(path)

    def chosen(self) -> ModelInfo:
        return suggestion_model.describe(None if self.bundled.isChecked() else self.path.text().strip())

    def _check(self) -> None:
        if self.folder.isChecked() and not self.path.text().strip():
            self.verdict.setText("Choose the folder of the model.")
            self.buttons.button(QDialogButtonBox.Ok).setEnabled(False)
            return
        info = self.chosen()
        if info.problem:
            self.verdict.setText(f"✗ {info.problem}")
            self.verdict.setStyleSheet("color: #c92a2a;")
        else:
            self.verdict.setStyleSheet("")
            self.verdict.setText(describe_model(info))
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(info.usable)


def describe_model(info: ModelInfo) -> str:
    """A line or two on a model, for the dialogs and tooltips."""
    if info.kind == "bundled":
        return "✓ The bundled model."
    if info.kind == "spacy":
        return f"✓ spaCy model {info.name}: its entities, with quotes from rules and stance from the lexicon."
    summary = suggestion_model.training_summary(info.info)
    figures = ", ".join(f"{label} {trained}" for label, trained, _ in summary.rows[:2] if trained != "—")
    return f"✓ Trained from gold: {info.name}" + (f" — dev {figures}" if figures else "") + "."


class TrainDialog(QDialog):
    """Where to write the model trained from the gold layer."""

    def __init__(self, out_dir: str, gold_note: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trainDialog")
        self.setWindowTitle("Train model from gold")
        intro = _plain("Trains the entity model, the quote finder and the stance classifier from the reviewed gold "
                       "annotations (Tools ▸ Review gold…) and scores them against the current model on held-out "
                       "gold articles. Training runs in the background; the window stays usable.")
        self.note = _plain(gold_note, muted=True)
        self.out = QLineEdit(out_dir)
        self.out.setObjectName("trainOutput")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(QLabel("Output folder:"))
        row.addWidget(self.out, 1)
        row.addWidget(browse)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Train")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.out.textChanged.connect(lambda text: buttons.button(QDialogButtonBox.Ok).setEnabled(bool(text.strip())))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.note)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.resize(680, self.sizeHint().height())

    def _browse(self) -> None:
        parent = QFileDialog.getExistingDirectory(self, "Folder to put the model in",
                                                  os.path.dirname(self.out.text().strip()) or os.path.expanduser("~"))
        if parent:
            self.out.setText(os.path.join(parent, os.path.basename(self.out.text().strip()) or "model"))

    def out_dir(self) -> str:
        return os.path.abspath(os.path.expanduser(self.out.text().strip()))


class TrainedDialog(QDialog):
    """The scores of a new model and the offer to suggest with it."""

    def __init__(self, info: dict, out_dir: str, current: ModelInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trainedDialog")
        self.setWindowTitle("Model trained")
        self.out_dir = out_dir
        summary = suggestion_model.training_summary(info)
        title = QLabel(f"✓ {summary.title}")
        title.setTextFormat(Qt.PlainText)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        title.setFont(font)
        where = _plain(out_dir, muted=True)
        where.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(where)
        if summary.rows:
            grid = QGridLayout()
            grid.setHorizontalSpacing(24)
            baseline = any(b for _, _, b in summary.rows)
            heads = ["Scores on held-out gold", "New model"] + (["Base model"] if baseline else [])
            for c, head in enumerate(heads):
                label = _plain(head, wrap=False)
                label.setStyleSheet("font-weight: 600;")
                grid.addWidget(label, 0, c, Qt.AlignRight if c else Qt.AlignLeft)
            for r, (name, trained, base) in enumerate(summary.rows, 1):
                grid.addWidget(_plain(name, wrap=False), r, 0)
                value = _plain(trained, wrap=False)
                value.setStyleSheet("font-weight: 600;")
                grid.addWidget(value, r, 1, Qt.AlignRight)
                if baseline:
                    grid.addWidget(_plain(base, wrap=False), r, 2, Qt.AlignRight)
            grid.setColumnStretch(3, 1)
            layout.addSpacing(6)
            layout.addLayout(grid)
        self.details = _plain("\n".join(summary.lines))
        self.details.setObjectName("trainedDetails")
        layout.addSpacing(6)
        layout.addWidget(self.details)
        layout.addSpacing(6)
        self.verdict = suggestion_model.compare_with_current(info, current)
        verdict = _plain(("✓ " if self.verdict.better else "! " if self.verdict.better is False else "")
                         + self.verdict.text)
        verdict.setObjectName("trainedVerdict")
        verdict.setStyleSheet("font-weight: 600;" + ("color: #c92a2a;" if self.verdict.better is False else ""))
        layout.addWidget(verdict)
        layout.addWidget(_plain(f"Suggestions come from the {current.label()} now. Switching to the new model changes "
                                f"the suggestions of everyone using this database (Tools ▸ Suggestion model… "
                                f"changes it back)."))
        self.buttons = QDialogButtonBox()
        self.use_button = self.buttons.addButton("&Use the new model for everyone", QDialogButtonBox.AcceptRole)
        self.keep_button = self.buttons.addButton("&Keep the current model", QDialogButtonBox.RejectRole)
        # Enter takes the better model; an unknown comparison keeps the current one (Esc always keeps it)
        default = self.use_button if self.verdict.better else self.keep_button
        for button in (self.use_button, self.keep_button):
            button.setAutoDefault(button is default)
        default.setDefault(True)
        default.setFocus()
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(620)
