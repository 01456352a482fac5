"""Small widgets and dialogs: the legend, the article header, comment, shortcuts sheet, errors."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QHeaderView, QInputDialog, QLabel, QLineEdit,
    QMessageBox, QPlainTextEdit, QSizePolicy, QTableWidget, QTableWidgetItem, QToolButton, QVBoxLayout, QWidget,
)

from annotator.core.config import ProjectConfig
from annotator.gui.flow import FlowLayout
from annotator.gui.theme import SpanStyles, mix, plain_tooltip, readable_on


class Swatch(QWidget):
    """A sample of how something is drawn in the text, with its name."""

    def __init__(self, text: str, tip: str, parent=None):
        super().__init__(parent)
        self.text = text
        self.setToolTip(plain_tooltip(tip))
        self.background: QColor | None = None
        self.underline: tuple[QColor, Qt.PenStyle] | None = None
        self.box: tuple[QColor, Qt.PenStyle] | None = None
        self.underline_width = 1.4
        self.box_width = 2.0
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance(self.text) + 18, fm.height() + 10)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        r = self.rect().adjusted(2, 3, -2, -3)
        if self.background is not None:
            painter.setPen(Qt.NoPen)
            painter.setBrush(self.background)
            painter.drawRoundedRect(r, 3, 3)
        if self.box is not None:
            painter.setPen(QPen(self.box[0], self.box_width, self.box[1]))
            painter.setBrush(Qt.NoBrush)
            painter.drawRoundedRect(r.adjusted(1, 1, -1, -1), 3, 3)
        text_color = readable_on(self.background) if self.background is not None else self.palette().color(QPalette.WindowText)
        painter.setPen(text_color)
        painter.drawText(r, Qt.AlignCenter, self.text)
        if self.underline is not None:
            fm = self.fontMetrics()
            y = r.center().y() + fm.ascent() // 2 + 2
            w = fm.horizontalAdvance(self.text)
            x = r.center().x() - w // 2
            painter.setPen(QPen(self.underline[0], self.underline_width, self.underline[1]))
            painter.drawLine(x, y, x + w, y)
        painter.end()


class LegendBar(QWidget):
    """Label keys (click = apply the label) and how quotes, cues, speakers and suggestions look."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("legend")
        self.layout_ = FlowLayout(self, spacing=6)
        self.layout_.setContentsMargins(12, 2, 12, 6)
        self.label_buttons: dict[str, QToolButton] = {}

    def build(self, config: ProjectConfig, styles: SpanStyles, actions) -> None:
        while self.layout_.count():
            item = self.layout_.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.label_buttons.clear()
        for label in config.labels:
            action = actions[f"label:{label.name}"]
            button = QToolButton()
            button.setDefaultAction(action)
            keys = action.shortcut().toString()
            button.setText(f"{keys}  {label.name}" if keys else label.name)
            button.setObjectName(f"legend:{label.name}")
            color = QColor(label.color)
            button.setStyleSheet(
                f"QToolButton {{ background: {color.name()}; color: {readable_on(color).name()}; border: none;"
                f" border-radius: 4px; padding: 2px 8px; font-weight: 600; }}"
                f"QToolButton:hover {{ background: {color.darker(112).name()}; }}")
            button.setCursor(Qt.PointingHandCursor)
            self.label_buttons[label.name] = button
            self.layout_.addWidget(button)
        quote = Swatch("Q  quote", "A quotation: tinted block, underlined in its stance colour")
        quote.background = styles.quote.background().color()
        first_stance = next(iter(styles.stance_color.values()), None)
        if first_stance is not None:
            quote.underline = (first_stance, Qt.SolidLine)
        cue = Swatch("C  cue", "The reporting word of a quote (kata, ujar, mengatakan…)")
        cue.background = styles.cue.background().color()
        cue.underline = (styles.cue.underlineColor(), Qt.SolidLine)
        speaker = Swatch("S  speaker", "Box around the speaker of the selected quote")
        speaker.box = (styles.speaker_box, Qt.SolidLine)
        suggestion = Swatch("suggestion", "Not yet accepted: lighter, dashed outline (A accept, X reject)")
        some = next(iter(styles.suggested), None)
        if some is not None:
            suggestion.background = styles.suggested[some].background().color()
            suggestion.box = (styles.suggestion_outline[some], Qt.DashLine)
            suggestion.box_width = 1.0
        current = Swatch("selected", "The span at the caret: keys act on it")
        current.box = (styles.current_box, Qt.SolidLine)
        for w in (quote, cue, speaker, suggestion, current):
            self.layout_.addWidget(w)
        for s in config.stance_labels:
            chip = Swatch(f"{s.key} {s.name}", f"Quote stance {s.name} ({s.key}); Shift+{s.key}: article stance. "
                                               f"{s.description}")
            chip.underline = (styles.stance_color[s.name], Qt.SolidLine)
            chip.underline_width = 3
            self.layout_.addWidget(chip)


class ArticleHeader(QWidget):
    """Title and source line of the open article (plain text: titles are data, never markup)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("articleHeader")
        self.title = QLabel()
        self.title.setObjectName("articleTitle")
        self.title.setTextFormat(Qt.PlainText)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.meta = QLabel()
        self.meta.setObjectName("articleMeta")
        self.meta.setTextFormat(Qt.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 2)
        layout.setSpacing(1)
        layout.addWidget(self.title)
        layout.addWidget(self.meta)
        self.apply_fonts(12)

    def apply_fonts(self, points: float) -> None:
        font = QFont(self.font())
        font.setPointSizeF(points * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        palette = self.meta.palette()
        palette.setColor(QPalette.WindowText, mix(palette.color(QPalette.WindowText), palette.color(QPalette.Window), 0.35))
        self.meta.setPalette(palette)

    def show_article(self, title: str, meta: str) -> None:
        self.title.setText(title)
        self.meta.setText(meta)


class CommentDialog(QDialog):
    def __init__(self, comment: str, flagged: bool, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Comment on this article")
        self.text = QPlainTextEdit()
        self.text.setObjectName("commentText")
        self.text.setPlainText(comment)
        self.text.setPlaceholderText("Anything a reviewer should know about this article…")
        self.flag = QCheckBox("Flag for review")
        self.flag.setChecked(flagged)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.flag)
        layout.addWidget(buttons)
        self.resize(460, 260)


class ShortcutsDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str, str]], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        table = QTableWidget(len(rows), 3)
        table.setObjectName("shortcutsTable")
        table.setHorizontalHeaderLabels(["Menu", "Action", "Keys"])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.NoEditTriggers)
        table.setAlternatingRowColors(True)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(value))
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        note = QLabel("Annotation keys work while the text or the quote list has focus. Shortcuts are set in the "
                      "project configuration ([shortcuts] in resources/config.toml, copied into each database).")
        note.setWordWrap(True)
        note.setTextFormat(Qt.PlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(620, 640)


def _show(icon, parent, title: str, text: str, details: str) -> None:
    """A message box that shows its text literally (it may quote article text)."""
    box = QMessageBox(icon, title, text, QMessageBox.Ok, parent)
    box.setTextFormat(Qt.PlainText)
    if details:
        box.setDetailedText(details)
    box.exec()


def show_error(parent, title: str, text: str, details: str = "") -> None:
    _show(QMessageBox.Warning, parent, title, text, details)


def show_info(parent, title: str, text: str, details: str = "") -> None:
    _show(QMessageBox.Information, parent, title, text, details)


def ask_name(parent, current: str = "") -> str | None:
    """Ask the annotator's name; None when cancelled."""
    while True:
        name, ok = QInputDialog.getText(parent, "Who is annotating?",
                                        "Your name (each annotator has a layer of their own):",
                                        QLineEdit.Normal, current)
        if not ok:
            return None
        name = name.strip()
        if name and not name.startswith("@"):
            return name
        current = name.lstrip("@")
