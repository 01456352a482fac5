"""The right panel: the article's state (status, stance, flag, comment), its quotes as cards,
and an editor for the selected quote (speaker, cue, stance, kind)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFormLayout, QFrame, QHBoxLayout, QLabel, QListView, QPushButton,
    QSizePolicy, QSplitter, QStyle, QStyledItemDelegate, QToolButton, QVBoxLayout, QWidget,
)

from annotator.core.config import ProjectConfig
from annotator.core.model import Quote
from annotator.gui.state import ArticleState
from annotator.gui.theme import STATUS_TEXT, mix, plain_tooltip, readable_on, status_color


SPEAKER_CHOICES = 80


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def describe_quote(state: ArticleState, quote: Quote) -> dict[str, str]:
    text = state.text
    speaker = text[quote.speaker.start:quote.speaker.end] if quote.speaker else ""
    cue = text[quote.cue.start:quote.cue.end] if quote.cue else ""
    origin = quote.source if quote.source != "human" else "you"
    status = {"suggested": f"suggested by {origin}", "accepted": "accepted" if quote.source != "human" else "yours",
              "rejected": "rejected"}[quote.status]
    if quote.score is not None and quote.is_pending:
        status += f" {quote.score:.2f}"
    return {"text": text[quote.start:quote.end], "speaker": speaker,
            "speaker_label": (quote.speaker.label or "") if quote.speaker else "", "cue": cue, "status": status}


class QuoteListModel(QAbstractListModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.state: ArticleState | None = None
        self.quotes: list[Quote] = []

    def set_state(self, state: ArticleState | None) -> None:
        self.beginResetModel()
        self.state = state
        self.quotes = list(state.shown_quotes) if state else []
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.quotes)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.quotes):
            return None
        quote = self.quotes[index.row()]
        if role == Qt.UserRole:
            return quote
        info = describe_quote(self.state, quote)
        if role == Qt.DisplayRole or role == Qt.AccessibleTextRole:
            return f"{info['text']} — {info['speaker'] or 'no speaker'}"
        if role == Qt.ToolTipRole:
            lines = [f"“{clip(info['text'], 600)}”", "",
                     f"speaker: {info['speaker'] or '—'} {('(' + info['speaker_label'] + ')') if info['speaker_label'] else ''}",
                     f"cue: {info['cue'] or '—'}", f"stance: {quote.stance or '—'}", f"{quote.kind}, {info['status']}"]
            return plain_tooltip("\n".join(lines))
        return None

    def row_of(self, quote_id: int | None) -> int | None:
        for i, q in enumerate(self.quotes):
            if q.id == quote_id:
                return i
        return None


class QuoteCardDelegate(QStyledItemDelegate):
    """A quote as a card: stance bar and chip, the text on two lines, speaker and cue."""

    def __init__(self, config: ProjectConfig, parent=None):
        super().__init__(parent)
        self.stance_colors = {s.name: QColor(s.color) for s in config.stance_labels}
        self.suggestion_color = QColor("#8d99ae")

    def sizeHint(self, option, index) -> QSize:
        fm = QFontMetrics(option.font)
        return QSize(200, fm.lineSpacing() * 4 + 22)

    def paint(self, painter: QPainter, option, index) -> None:
        quote: Quote = index.data(Qt.UserRole)
        model: QuoteListModel = index.model()
        if quote is None or model.state is None:
            return
        info = describe_quote(model.state, quote)
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        palette = option.palette
        rect = option.rect.adjusted(4, 3, -4, -3)
        selected = bool(option.state & QStyle.State_Selected)
        base = palette.color(QPalette.Base)
        fill = mix(palette.color(QPalette.Highlight), base, 0.82) if selected else base
        border = palette.color(QPalette.Highlight) if selected else mix(palette.color(QPalette.Text), base, 0.8)
        painter.setPen(border)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 5, 5)
        stance_color = self.stance_colors.get(quote.stance, mix(palette.color(QPalette.Text), base, 0.75))
        painter.setPen(Qt.NoPen)
        painter.setBrush(stance_color)
        painter.drawRoundedRect(QRect(rect.left(), rect.top(), 5, rect.height()), 2, 2)
        fm = QFontMetrics(option.font)
        line = fm.lineSpacing()
        inner = rect.adjusted(13, 6, -8, -6)
        text_color = palette.color(QPalette.Text)
        muted = mix(text_color, base, 0.42)
        # first line: number, kind, status … stance chip on the right
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.88))
        painter.setFont(small)
        chip_text = quote.stance or "no stance"
        sfm = QFontMetrics(small)
        chip_w = sfm.horizontalAdvance(chip_text) + 12
        chip = QRect(inner.right() - chip_w, inner.top(), chip_w, sfm.height() + 2)
        if quote.stance:
            painter.setBrush(stance_color)
            painter.setPen(Qt.NoPen)
            painter.drawRoundedRect(chip, 7, 7)
            painter.setPen(readable_on(stance_color))
        else:
            painter.setBrush(Qt.NoBrush)
            painter.setPen(muted)
            painter.drawRoundedRect(chip.adjusted(0, 0, -1, -1), 7, 7)
        painter.drawText(chip, Qt.AlignCenter, chip_text)
        head = f"#{index.row() + 1} · {quote.kind} · {info['status']}"
        painter.setPen(self.suggestion_color.darker(120) if quote.is_pending else muted)
        painter.drawText(QRect(inner.left(), inner.top(), inner.width() - chip_w - 6, line),
                         Qt.AlignLeft | Qt.AlignVCenter, head)
        # two lines of quote text
        painter.setFont(option.font)
        painter.setPen(text_color)
        body = QRect(inner.left(), inner.top() + line + 2, inner.width(), line * 2)
        words = clip(info["text"], 400)
        shown = _two_lines(fm, f"“{words}”", body.width())
        painter.drawText(body, Qt.AlignLeft | Qt.AlignTop | Qt.TextWordWrap, shown)
        # speaker and cue
        foot = QRect(inner.left(), inner.top() + line * 3 + 4, inner.width(), line)
        if info["speaker"]:
            who = f"— {clip(info['speaker'], 60)}"
            painter.setPen(text_color)
        else:
            who = "— no speaker"
            painter.setPen(QColor("#c0392b") if not palette.color(QPalette.Base).lightness() < 128 else QColor("#ff8a80"))
        bold = QFont(small)
        bold.setBold(bool(info["speaker"]))
        painter.setFont(bold)
        who_w = QFontMetrics(bold).horizontalAdvance(who)
        painter.drawText(foot, Qt.AlignLeft | Qt.AlignVCenter, who)
        painter.setFont(small)
        painter.setPen(muted)
        cue = f"   cue: {clip(info['cue'], 30)}" if info["cue"] else "   no cue"
        painter.drawText(foot.adjusted(who_w, 0, 0, 0), Qt.AlignLeft | Qt.AlignVCenter,
                         QFontMetrics(small).elidedText(cue, Qt.ElideRight, max(0, foot.width() - who_w)))
        painter.restore()


_TWO_LINES: dict[tuple, str] = {}


def _two_lines(fm: QFontMetrics, text: str, width: int) -> str:
    """Text that fits two lines of `width`, ellipsis at the end if it did not (cached: cards repaint often)."""
    key = (text, width, fm.height(), fm.averageCharWidth())
    shown = _TWO_LINES.get(key)
    if shown is None:
        if len(_TWO_LINES) > 5000:
            _TWO_LINES.clear()
        shown = _TWO_LINES[key] = _fit_two_lines(fm, text, width)
    return shown


def _fit_two_lines(fm: QFontMetrics, text: str, width: int) -> str:
    if fm.boundingRect(QRect(0, 0, width, 10_000), Qt.TextWordWrap, text).height() <= fm.lineSpacing() * 2 + 2:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        candidate = text[:mid].rstrip() + "…"
        if fm.boundingRect(QRect(0, 0, width, 10_000), Qt.TextWordWrap, candidate).height() <= fm.lineSpacing() * 2 + 2:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


class QuoteList(QListView):
    """The list of quote cards; annotation shortcuts work here as in the text."""

    def __init__(self, config: ProjectConfig, parent=None):
        super().__init__(parent)
        self.setObjectName("quoteList")
        self.setItemDelegate(QuoteCardDelegate(config, self))
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setUniformItemSizes(True)
        self.setSpacing(0)
        self.setFrameShape(QFrame.NoFrame)


def _chip_button(text: str, color: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setCheckable(True)
    button.setToolTip(plain_tooltip(tip))
    button.setCursor(Qt.PointingHandCursor)
    c = QColor(color)
    button.setStyleSheet(
        f"QToolButton {{ border: 1px solid {c.name()}; border-radius: 9px; padding: 2px 8px; }}"
        f"QToolButton:checked {{ background: {c.name()}; color: {readable_on(c).name()}; }}")
    return button


class QuoteEditor(QFrame):
    """Speaker, cue, stance and kind of the selected quote."""

    speakerChosen = Signal(object)  # entity id, or None to clear
    stanceChosen = Signal(object)  # stance name or None
    kindChosen = Signal(str)

    def __init__(self, config: ProjectConfig, parent=None):
        super().__init__(parent)
        self.setObjectName("quoteEditor")
        self.config = config
        self.quote: Quote | None = None
        self.title = QLabel("No quote selected")
        self.title.setTextFormat(Qt.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.text = QLabel()
        self.text.setTextFormat(Qt.PlainText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.text.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)
        self.speaker = QComboBox()
        self.speaker.setObjectName("speakerCombo")
        self.speaker.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.speaker.setMinimumContentsLength(12)
        self.speaker.setToolTip("Speaker of the quote: one of the article's entities (S in the text)")
        self.cue = QLabel("—")
        self.cue.setTextFormat(Qt.PlainText)
        self.cue_button = QToolButton()
        self.cue_clear = QToolButton()
        self.kind = QComboBox()
        self.kind.setObjectName("kindCombo")
        for kind in config.quote_kinds:
            self.kind.addItem(kind, kind)
        self.stance_buttons: dict[str, QToolButton] = {}
        stance_row = QHBoxLayout()
        stance_row.setSpacing(4)
        for s in config.stance_labels:
            button = _chip_button(s.name, s.color, f"{s.name} ({s.key}): {s.description}")
            button.clicked.connect(lambda checked=False, name=s.name: self._stance_clicked(name))
            self.stance_buttons[s.name] = button
            stance_row.addWidget(button)
        stance_row.addStretch(1)
        self.accept_button = QToolButton()
        self.delete_button = QToolButton()
        cue_row = QHBoxLayout()
        cue_row.addWidget(self.cue, 1)
        cue_row.addWidget(self.cue_button)
        cue_row.addWidget(self.cue_clear)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignRight)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form.addRow("Speaker", self.speaker)
        form.addRow("Cue", cue_row)
        form.addRow("Stance", stance_row)
        form.addRow("Kind", self.kind)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self._speaker_ids: list[int | None] = []
        self._updating = False
        self.speaker.activated.connect(self._speaker_activated)
        self.kind.activated.connect(lambda i: self._updating or self.kindChosen.emit(self.kind.itemData(i)))
        self.set_quote(None, None)

    def bind(self, actions) -> None:
        self.cue_button.setDefaultAction(actions["set_cue"])
        self.cue_button.setText("Set…")
        self.cue_clear.setDefaultAction(actions["clear_cue"])
        self.cue_clear.setText("Clear")
        self.accept_button.setDefaultAction(actions["accept"])
        self.accept_button.setText("Accept")
        self.delete_button.setDefaultAction(actions["delete"])
        self.delete_button.setText("Delete / reject")

    def _stance_clicked(self, name: str) -> None:
        if self.quote is not None:
            self.stanceChosen.emit(None if self.quote.stance == name else name)

    def _speaker_activated(self, index: int) -> None:
        if not self._updating and 0 <= index < len(self._speaker_ids):
            self.speakerChosen.emit(self._speaker_ids[index])

    def set_quote(self, state: ArticleState | None, quote: Quote | None) -> None:
        self.quote = quote
        self._updating = True
        try:
            enabled = quote is not None and state is not None
            for w in (self.speaker, self.kind, self.cue_button, self.cue_clear, *self.stance_buttons.values()):
                w.setEnabled(enabled)
            if not enabled:
                self.title.setText("No quote selected")
                self.text.setText("Select text and press Q to add a quote, or pick one above (Alt+↑/↓).")
                self.speaker.clear()
                self.cue.setText("—")
                for b in self.stance_buttons.values():
                    b.setChecked(False)
                return
            info = describe_quote(state, quote)
            number = next((i for i, q in enumerate(state.shown_quotes) if q.id == quote.id), 0) + 1
            self.title.setText(f"Quote {number} of {len(state.shown_quotes)} · {info['status']}")
            self.text.setText(f"“{clip(info['text'], 420)}”")
            self.speaker.clear()
            self._speaker_ids = [None]
            self.speaker.addItem("— no speaker —")
            current = 0
            # the entities nearest to the quote (S S in the text lists them all)
            near = state.entities_in(quote.start - 3000, quote.end + 3000) or state.shown_entities[:SPEAKER_CHOICES]
            entities = sorted(near, key=lambda e: (abs(e.start - quote.start), e.start))[:SPEAKER_CHOICES]
            seen = set()
            for e in entities:
                name = state.text[e.start:e.end]
                self.speaker.addItem(f"{clip(name, 40)} · {e.label}")
                self._speaker_ids.append(e.id)
                if quote.speaker and (quote.speaker.start, quote.speaker.end) == (e.start, e.end):
                    current = len(self._speaker_ids) - 1
                seen.add((e.start, e.end))
            if quote.speaker and (quote.speaker.start, quote.speaker.end) not in seen:
                self.speaker.addItem(f"{clip(info['speaker'], 40)} (free span)")
                self._speaker_ids.append(-1)
                current = len(self._speaker_ids) - 1
            self.speaker.setCurrentIndex(current)
            self.cue.setText(info["cue"] or "—")
            for name, b in self.stance_buttons.items():
                b.setChecked(quote.stance == name)
            self.kind.setCurrentIndex(max(0, self.kind.findData(quote.kind)))
        finally:
            self._updating = False


class ArticlePanel(QFrame):
    """Status, stance toward the target, flag and comment of the open article."""

    stanceChosen = Signal(object)

    def __init__(self, config: ProjectConfig, parent=None):
        super().__init__(parent)
        self.setObjectName("articlePanel")
        self.status = QLabel()
        self.status.setObjectName("articleStatus")
        bold = self.status.font()
        bold.setBold(True)
        self.status.setFont(bold)
        self.status.setMinimumWidth(QFontMetrics(bold).horizontalAdvance("● in progress") + 4)
        self.done_button = QPushButton()
        self.stance = QComboBox()
        self.stance.setObjectName("articleStance")
        self.stance.addItem("— not set —", None)
        for s in config.stance_labels:
            self.stance.addItem(f"{s.name}  (Shift+{s.key})", s.name)
        self.stance.setToolTip(plain_tooltip(f"Stance of the whole article toward: {config.target}"))
        self.flag = QToolButton()
        self.comment_button = QToolButton()
        self.comment = QLabel()
        self.comment.setTextFormat(Qt.PlainText)
        self.comment.setWordWrap(True)
        self.comment.setObjectName("articleComment")
        top = QHBoxLayout()
        top.addWidget(self.status)
        top.addStretch(1)
        top.addWidget(self.done_button)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignRight)
        target = QLabel(clip(config.target, 80))
        target.setTextFormat(Qt.PlainText)
        target.setWordWrap(True)
        target.setToolTip(plain_tooltip(config.target))
        form.addRow("Target", target)
        form.addRow("Stance", self.stance)
        review = QHBoxLayout()
        review.addWidget(self.flag)
        review.addWidget(self.comment_button)
        review.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addLayout(review)
        layout.addWidget(self.comment)
        self._updating = False
        self.stance.activated.connect(
            lambda i: self._updating or self.stanceChosen.emit(self.stance.itemData(i)))

    def bind(self, actions) -> None:
        self.done_button.setText("Done ✓ (Ctrl+Enter)")
        self.done_button.clicked.connect(actions["mark_done"].trigger)
        self.done_button.setToolTip(actions["mark_done"].toolTip())
        self.flag.setDefaultAction(actions["flag"])
        self.flag.setText("⚑ Flag")
        self.comment_button.setDefaultAction(actions["comment"])
        self.comment_button.setText("Comment…")

    def set_layer(self, state: ArticleState | None) -> None:
        self._updating = True
        try:
            layer = state.layer if state else None
            status = layer.status if layer else "new"
            palette = self.status.palette()
            palette.setColor(QPalette.WindowText, status_color(status).darker(115))
            self.status.setPalette(palette)
            self.status.setText(f"● {STATUS_TEXT.get(status, status)}")
            self.stance.setCurrentIndex(max(0, self.stance.findData(layer.stance if layer else None)))
            self.comment.setText(f"Comment: {layer.comment}" if layer and layer.comment else "")
            self.comment.setVisible(bool(layer and layer.comment))
            self.setEnabled(state is not None)
        finally:
            self._updating = False


class QuotePanel(QWidget):
    """Article panel on top, quote cards in the middle, quote editor at the bottom."""

    def __init__(self, config: ProjectConfig, parent=None):
        super().__init__(parent)
        self.setObjectName("quotePanel")
        self.article = ArticlePanel(config)
        self.model = QuoteListModel(self)
        self.list = QuoteList(config)
        self.list.setModel(self.model)
        self.editor = QuoteEditor(config)
        self.heading = QLabel("Quotes")
        self.heading.setObjectName("quotesHeading")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.setSpacing(2)
        middle_layout.addWidget(self.heading)
        middle_layout.addWidget(self.list, 1)
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.setObjectName("quoteSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.article)
        line = QFrame()
        line.setFrameShape(QFrame.HLine)
        line.setFrameShadow(QFrame.Sunken)
        layout.addWidget(line)
        layout.addWidget(self.splitter, 1)

    def set_state(self, state: ArticleState | None, active_quote: int | None) -> None:
        self.model.set_state(state)
        n = len(self.model.quotes)
        missing = sum(1 for q in self.model.quotes if q.stance is None) if state else 0
        self.heading.setText(f"Quotes ({n})" + (f" · {missing} without stance" if missing else ""))
        self.article.set_layer(state)
        self.select(active_quote, state)

    def select(self, quote_id: int | None, state: ArticleState | None) -> None:
        row = self.model.row_of(quote_id)
        selection = self.list.selectionModel()
        blocked = selection.blockSignals(True)
        try:
            if row is None:
                selection.clearSelection()
                selection.setCurrentIndex(QModelIndex(), selection.SelectionFlag.Clear)
            else:
                index = self.model.index(row)
                selection.setCurrentIndex(index, selection.SelectionFlag.ClearAndSelect)
                if not self.list.viewport().rect().contains(self.list.visualRect(index)):
                    self.list.scrollTo(index, QAbstractItemView.PositionAtCenter)
        finally:
            selection.blockSignals(blocked)
        self.list.viewport().update()
        self.editor.set_quote(state, state.quote(quote_id) if state and quote_id is not None else None)

    def sizeHint(self) -> QSize:
        return QSize(360, 600)
