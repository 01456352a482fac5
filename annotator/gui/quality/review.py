"""Review mode: the versions of every annotator and the model side by side, resolved into `@gold`.

One table row per distinct entity, quote (and the article stance) across the layers, one
column per annotator (1…9) plus the model and the gold. Keys (keyboard first):

    Enter / A      accept the majority version of the row into gold
    1 … 9          take annotator N's version of the row (nothing, if N lacks it)
    Shift+A        accept every row on which all annotators agree
    D / Delete     remove the row from gold
    F1 … (config)  stance of the gold quote (or the gold article stance)
    Ctrl+1 … 4     label of the gold entity
    Ctrl+Return    mark the gold of the article done (again: back in progress)
    PgDown / PgUp  next / previous article
    Ctrl+E         open the article in the annotation view (articleRequested)
    Ctrl+Z / Ctrl+Shift+Z  undo / redo a decision (the gold layer is written back)

Every action is written through the Store API in one transaction before the table shows it, as an
undoable ReviewDecision (gui.commands) of project.gold."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit, QPushButton, QSplitter, QTableWidget,
    QTableWidgetItem, QTextEdit, QVBoxLayout, QWidget,
)

from annotator.core.agreement import annotated_articles
from annotator.core.model import GOLD_LAYER, MODEL_LAYER, Entity, Quote
from annotator.core.review import (
    AGREE, CONFLICT, EMPTY, GOLD_ONLY, MODEL_ONLY, PARTIAL, REOPENED, Row, build_rows, reference,
)
from annotator.core.store import Store, StoreError
from annotator.project import gold
from annotator.gui.commands import Editor, ReviewDecision
from annotator.gui.quality.widgets import keep_readable
from annotator.gui.textmap import TextMap
from annotator.gui.theme import plain_tooltip

STATE_TEXT = {AGREE: "✓ agree", PARTIAL: "◐ partial", CONFLICT: "✗ conflict", MODEL_ONLY: "model only",
              GOLD_ONLY: "gold only", EMPTY: "—"}
STATE_COLOR = {AGREE: "#2f9e44", PARTIAL: "#d9822b", CONFLICT: "#d64545", MODEL_ONLY: "#7b8794",
               GOLD_ONLY: "#3b6fd1", EMPTY: "#a0a7b1"}
SAME_TINT, OTHER_TINT, GOLD_TINT, GOLD_OTHER_TINT = "#dcf2e0", "#fbdada", "#d6e6fb", "#fdebc8"
INK_ON_TINT = "#1d1d1f"  # text on the light tints, in the dark theme too
KIND_TEXT = {"article": "article", "entity": "entity", "quote": "quote"}
HELP = ("Enter/A accept majority · 1–9 take annotator N · Shift+A accept all agreed · D remove · "
        "N next to resolve · {stance} stance · Ctrl+{labels} label · Ctrl+Return gold done · PgUp/PgDn article")
FIXED_COLUMNS = ("Kind", "Text", "State")


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


class ReviewWidget(QWidget):
    """Review one article at a time into the gold layer. API: refresh(), set_article(id),
    article_id, rows, columns, select_row(i) and the actions in `actions_by_name`."""

    articleChanged = Signal(str)
    articleRequested = Signal(str)  # open the article in the annotation view
    goldChanged = Signal(str)  # the gold of this article was written
    message = Signal(str)  # a line for the status bar

    #: the actions that write the gold layer (disabled in a read-only review)
    WRITING = ("accept", "accept_agreed", "remove", "done", "undo", "redo")

    def __init__(self, store: Store, reviewer_name: str, parent: QWidget | None = None, *,
                 read_only: str | None = None):
        """`read_only`: why this person may not write gold (on a server, their role): the page then
        shows the versions and the gold, and every action that writes is disabled, saying why."""
        super().__init__(parent)
        self.store = store
        self.reviewer = reviewer_name
        self.read_only = read_only
        self.article_id: str | None = None
        self.article_ids: list[str] = []
        self.rows: list[Row] = []
        self.columns: list[str] = []
        self._text = ""
        self._map = TextMap("")
        self.editor = Editor(store, self)
        self.editor.saveState.connect(self._save_state)
        self.editor.applied.connect(self._stored)
        self._build()
        self._build_actions()
        if read_only:
            self._disable_writing(read_only)
        self.refresh()

    # ---- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextFormat(Qt.PlainText)
        self.position = QLabel()
        self.position.setTextFormat(Qt.PlainText)
        self.gold_status = QLabel()
        self.gold_status.setTextFormat(Qt.PlainText)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.PlainText)
        self.prev_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.agreed_button = QPushButton("Accept all agreed")
        self.done_button = QPushButton("Mark gold done")
        for button in (self.prev_button, self.next_button, self.agreed_button, self.done_button):
            button.setFocusPolicy(Qt.NoFocus)
        self.prev_button.clicked.connect(self.previous_article)
        self.next_button.clicked.connect(self.next_article)
        self.agreed_button.clicked.connect(self.accept_agreed)
        self.done_button.clicked.connect(self.toggle_done)

        header = QHBoxLayout()
        left = QVBoxLayout()
        left.setSpacing(2)
        left.addWidget(self.title)
        info = QHBoxLayout()
        info.addWidget(self.position)
        info.addSpacing(16)
        info.addWidget(self.gold_status)
        info.addSpacing(16)
        info.addWidget(self.summary)
        info.addStretch(1)
        left.addLayout(info)
        header.addLayout(left, 1)
        for button in (self.prev_button, self.next_button, self.agreed_button, self.done_button):
            header.addWidget(button)

        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        self.text_view.setFocusPolicy(Qt.ClickFocus)
        self.text_view.setLineWrapMode(QPlainTextEdit.WidgetWidth)
        doc_font = self.text_view.font()
        doc_font.setPointSizeF(doc_font.pointSizeF() * 1.1)
        self.text_view.setFont(doc_font)

        self.table = QTableWidget()
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setShowGrid(True)
        self.table.setStyleSheet("QTableWidget { gridline-color: #e3e6ea; } QTableWidget::item { padding: 0 6px; }"
                                 "QTableWidget::item:selected { background: #2f6fd1; color: white; }")
        self.table.currentCellChanged.connect(lambda *_: self._show_row())
        self.table.doubleClicked.connect(lambda *_: self.read_only or self.accept_selected())

        self.details = QLabel()
        self.details.setTextFormat(Qt.PlainText)
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.details.setMinimumHeight(self.fontMetrics().height() * 5)
        self.details.setStyleSheet("QLabel { background: palette(base); border: 1px solid #d5d9de; "
                                   "border-radius: 4px; padding: 6px; }")

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.table, 1)
        right_layout.addWidget(self.details)

        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(self.text_view)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([380, 760])

        self.help = QLabel()
        self.help.setTextFormat(Qt.PlainText)
        self.help.setStyleSheet("color: #5f6b7a;")
        self.feedback = QLabel()
        self.feedback.setTextFormat(Qt.PlainText)
        bottom = QHBoxLayout()
        bottom.addWidget(self.help, 1)
        bottom.addWidget(self.feedback)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)
        self.setFocusProxy(self.table)

    def _build_actions(self) -> None:
        config = self.store.config
        self.actions_by_name: dict[str, QAction] = {}

        def add(name: str, text: str, keys: list[str], slot) -> None:
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda *_: slot())
            self.addAction(action)
            self.actions_by_name[name] = action

        add("accept", "Accept the majority version into gold", ["Return", "Enter", "A"], self.accept_selected)
        for n in range(1, 10):
            add(f"take_{n}", f"Take annotator {n}'s version", [str(n)], lambda n=n: self.take_version(n))
        add("accept_agreed", "Accept everything all annotators agree on", ["Shift+A"], self.accept_agreed)
        add("next_unresolved", "Next row to resolve", ["N"], lambda: self.next_unresolved(1))
        add("previous_unresolved", "Previous row to resolve", ["Shift+N"], lambda: self.next_unresolved(-1))
        add("remove", "Remove the row from gold", ["D", "Delete"], self.remove_from_gold)
        add("done", "Mark the gold of the article done", ["Ctrl+Return", "Ctrl+Enter"], self.toggle_done)
        add("next_article", "Next article", ["PgDown"], self.next_article)
        add("previous_article", "Previous article", ["PgUp"], self.previous_article)
        add("undo", "Undo the last decision", ["Ctrl+Z"], self.undo)
        add("redo", "Redo", ["Ctrl+Shift+Z", "Ctrl+Y"], self.redo)
        add("open", "Open the article in the annotation view", ["Ctrl+E"],
            lambda: self.article_id and self.articleRequested.emit(self.article_id))
        for label in config.stance_labels:
            add(f"stance_{label.name}", f"Gold stance {label.name}", [label.key] if label.key else [],
                lambda name=label.name: self.set_gold_stance(name))
        for label in config.labels:
            add(f"label_{label.name}", f"Gold label {label.name}", [f"Ctrl+{label.key}"] if label.key else [],
                lambda name=label.name: self.set_gold_label(name))
        stance_keys = "/".join(label.key for label in config.stance_labels if label.key)
        label_keys = "/".join(label.key for label in config.labels if label.key)
        self.help.setText(HELP.format(stance=stance_keys or "—", labels=label_keys or "—"))

    def _disable_writing(self, reason: str) -> None:
        for name, action in self.actions_by_name.items():
            if name in self.WRITING or name.startswith(("take_", "stance_", "label_")):
                action.setEnabled(False)
        for button in (self.agreed_button, self.done_button):
            button.setEnabled(False)
            button.setToolTip(reason)
        self.help.setText(reason)

    # ---- navigation -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the list of articles to review and the current article from the store."""
        names = [n for n in self.store.annotators(include_special=True) if n not in (GOLD_LAYER, MODEL_LAYER)]
        wanted = set()
        for name in names:
            wanted.update(annotated_articles(self.store, name))
        all_ids = self.store.article_ids()
        self.article_ids = [a for a in all_ids if a in wanted] or all_ids
        if self.article_id not in self.article_ids:
            self.article_id = self.article_ids[0] if self.article_ids else None
        self._load(keep_row=True)

    def set_article(self, article_id: str) -> None:
        if article_id not in self.article_ids:
            self.article_ids = [a for a in self.store.article_ids() if a in set(self.article_ids) | {article_id}]
        self.article_id = article_id
        self._load(keep_row=False)
        self.articleChanged.emit(article_id)

    def next_article(self) -> None:
        self._step(1)

    def previous_article(self) -> None:
        self._step(-1)

    def _step(self, step: int) -> None:
        if not self.article_ids or self.article_id is None:
            return
        i = self.article_ids.index(self.article_id) + step
        if 0 <= i < len(self.article_ids):
            self.set_article(self.article_ids[i])
        else:
            self._say("first article" if step < 0 else "last article")

    # ---- loading --------------------------------------------------------------------------
    def _load(self, keep_row: bool) -> None:
        current = self.table.currentRow() if keep_row else -1
        if self.article_id is None:
            self.rows, self.columns = [], []
            self.title.setText("No articles to review")
            self.text_view.setPlainText("")
            self._fill_table()
            return
        article = self.store.get_article(self.article_id)
        if article.text != self._text:
            self._text = article.text
            self._map = TextMap(article.text)
            self.text_view.setPlainText(article.text)
        self.title.setText(_short(article.title or article.id, 110))
        self.rows, self.columns = build_rows(self.store, self.article_id)
        self._fill_table()
        self._update_header()
        if self.rows:
            if current < 0:  # a newly shown article: start at the first row to resolve
                todo = [i for i, row in enumerate(self.rows) if not row.decided]
                self.select_row(todo[0] if todo else 0)
            else:
                self.select_row(min(current, len(self.rows) - 1))

    def _update_header(self) -> None:
        position = self.article_ids.index(self.article_id) + 1 if self.article_id in self.article_ids else 0
        self.position.setText(f"{self.article_id} · article {position} of {len(self.article_ids)}")
        layer = self.store.get_layer(self.article_id, GOLD_LAYER)
        status = layer.status
        text = {"done": "gold: done ✓", "in_progress": "gold: in progress", "new": "gold: not started"}[status]
        reopened = [line for line in layer.comment.splitlines() if line.startswith(REOPENED)]
        if status != "done" and layer.flagged and reopened:
            text += f" · ⚑ {reopened[-1]}"  # a merge or import brought versions that differ from the gold
        self.gold_status.setText(text)
        color = {"done": "#2f9e44", "in_progress": "#d9822b", "new": "#7b8794"}[status]
        self.gold_status.setStyleSheet(f"color: {color}; font-weight: bold;")
        self.done_button.setText("Reopen gold" if status == "done" else "Mark gold done")
        counts = {state: sum(1 for r in self.rows if r.state == state) for state in STATE_TEXT}
        in_gold = sum(1 for r in self.rows if r.in_gold)
        undecided = sum(1 for r in self.rows if not r.decided)
        self.summary.setText(f"{len(self.rows)} rows · {counts[AGREE]} agree · {counts[PARTIAL]} partial · "
                             f"{counts[CONFLICT]} conflict · {in_gold} in gold · {undecided} undecided")
        self.prev_button.setToolTip("Previous article (PgUp)")
        self.next_button.setToolTip("Next article (PgDown)")
        if not self.read_only:
            self.agreed_button.setToolTip("Accept every row all annotators agree on (Shift+A)")
            self.done_button.setToolTip("Mark the gold of this article done (Ctrl+Return)")

    def _fill_table(self) -> None:
        headers = list(FIXED_COLUMNS)
        for n, name in enumerate(self.columns, 1):
            headers.append(f"{n} {name}" if n <= 9 else name)
        headers.append("Gold")
        self.table.blockSignals(True)
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(self.rows))
        bold = QFont(self.table.font())
        bold.setBold(True)
        for r, row in enumerate(self.rows):
            ref = reference(row)
            kind = QTableWidgetItem(KIND_TEXT[row.kind])
            kind.setForeground(QColor("#9a6700" if row.kind == "quote" else "#5f6b7a"))
            self.table.setItem(r, 0, kind)
            text = "article stance" if row.kind == "article" else _short(self._span_text(ref), 48)
            text_item = QTableWidgetItem(text)
            if row.kind != "article":
                text_item.setToolTip(plain_tooltip(self._span_text(ref)))
            self.table.setItem(r, 1, text_item)
            state = QTableWidgetItem(STATE_TEXT[row.state])
            state.setForeground(QColor(STATE_COLOR[row.state]))
            state.setFont(bold)
            self.table.setItem(r, 2, state)
            majority = row.key(row.majority()) if row.majority() else None
            for c, name in enumerate(self.columns, len(FIXED_COLUMNS)):
                version = row.versions.get(name, ())
                item = QTableWidgetItem(self._cell(row, version, ref))
                if version:
                    item.setBackground(QColor(SAME_TINT if row.key(name) == majority else OTHER_TINT))
                    item.setForeground(QColor(INK_ON_TINT))  # light tints, in the dark theme too
                    item.setToolTip(plain_tooltip(self._describe(version)))
                else:
                    item.setForeground(QColor("#a0a7b1"))
                self.table.setItem(r, c, item)
            gold_item = QTableWidgetItem(("✓ " if row.in_gold else "") + self._cell(row, row.gold, ref)
                                         if row.gold else "✗ removed" if row.removed else "")
            if row.gold:
                gold_item.setBackground(QColor(GOLD_TINT if row.in_gold else GOLD_OTHER_TINT))
                gold_item.setForeground(QColor(INK_ON_TINT))
                gold_item.setFont(bold)
                gold_item.setToolTip(plain_tooltip(self._describe(row.gold)))
            self.table.setItem(r, len(headers) - 1, gold_item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setStretchLastSection(False)
        self.table.resizeColumnsToContents()
        em = self.table.fontMetrics().horizontalAdvance("M")
        self.table.setColumnWidth(1, min(self.table.columnWidth(1), 17 * em))
        for c in range(len(FIXED_COLUMNS), len(headers)):
            self.table.setColumnWidth(c, min(max(self.table.columnWidth(c), 6 * em), 14 * em))
        keep_readable(self.table, 1, 22 * em, range(len(FIXED_COLUMNS), len(headers)), 5 * em)
        self.table.blockSignals(False)

    # ---- text of versions -----------------------------------------------------------------
    def _span_text(self, version: tuple) -> str:
        if not version:
            return ""
        return " … ".join(self._text[x.start:x.end] for x in version if hasattr(x, "start"))

    def _cell(self, row: Row, version: tuple, ref: tuple) -> str:
        """What a column shows: the label or stance, and how the span differs from the row's."""
        if not version:
            return "—"
        if row.kind == "article":
            return version[0]
        ref_spans = {(x.start, x.end) for x in ref}
        parts = []
        for x in version:
            if isinstance(x, Entity):
                part = x.label
            else:
                speaker = _short(self._text[x.speaker.start:x.speaker.end], 18) if x.speaker else "no speaker"
                part = f"{x.stance or 'no stance'} · {speaker}"
            if (x.start, x.end) not in ref_spans:  # another extent than the row's reference
                part += f" “{_short(self._text[x.start:x.end], 22)}”" if isinstance(x, Entity) else " · other span"
            parts.append(part)
        return " + ".join(parts)

    def _describe(self, version: tuple) -> str:
        lines = []
        for x in version:
            if isinstance(x, Entity):
                text = self._text[x.start:x.end]
                lines.append(f"{x.label} “{text}” [{x.start}–{x.end}] ({x.source}, {x.status})")
            elif isinstance(x, Quote):
                speaker = f"“{self._text[x.speaker.start:x.speaker.end]}”" if x.speaker else "none"
                cue = f"“{self._text[x.cue.start:x.cue.end]}”" if x.cue else "none"
                lines.append(f"{x.kind} quote [{x.start}–{x.end}] · stance {x.stance or 'none'} · "
                             f"speaker {speaker} · "
                             f"cue {cue}\n“{_short(self._text[x.start:x.end], 240)}”")
            else:
                lines.append(f"article stance {x}")
        return "\n".join(lines)

    # ---- selection ------------------------------------------------------------------------
    def select_row(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            self.table.setCurrentCell(index, 1)
            self.table.selectRow(index)
            self._show_row()

    def next_unresolved(self, step: int = 1) -> None:
        """Select the next row the reviewer has not decided yet (core.review: decided rows)."""
        start = self.table.currentRow()
        n = len(self.rows)
        for k in range(1, n + 1):
            i = (start + step * k) % n
            row = self.rows[i]
            if not row.decided:
                self.select_row(i)
                return
        self._say("every row is decided")

    def current_row(self) -> Row | None:
        index = self.table.currentRow()
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def _show_row(self) -> None:
        row = self.current_row()
        if row is None:
            self.details.setText("")
            self.text_view.setExtraSelections([])
            return
        lines = []
        for n, name in enumerate(self.columns, 1):
            version = row.versions.get(name, ())
            lines.append(f"{n} {name}: " + (self._describe(version).replace("\n", "\n    ") if version else "—"))
        lines.append("gold: " + (self._describe(row.gold).replace("\n", "\n    ") if row.gold else "—"))
        self.details.setText("\n".join(lines))
        self._highlight(row)

    def _highlight(self, row: Row) -> None:
        selections = []
        if row.kind != "article":
            spans = {(x.start, x.end) for v in row.versions.values() for x in v}
            spans |= {(x.start, x.end) for x in row.gold}
            for start, end in sorted(spans):
                selections.append(self._selection(start, end, "#fff1b8", underline=False))
            for x in reference(row):
                selections.append(self._selection(x.start, x.end, "#ffd166", underline=True))
        self.text_view.setExtraSelections(selections)
        if selections:
            cursor = self.text_view.textCursor()
            cursor.setPosition(self._map.to_qt(row.start))
            self.text_view.setTextCursor(cursor)
            self.text_view.centerCursor()

    def _selection(self, start: int, end: int, color: str, underline: bool) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.text_view.document())
        cursor.setPosition(self._map.to_qt(start))
        cursor.setPosition(self._map.to_qt(end), QTextCursor.KeepAnchor)
        selection.cursor = cursor
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(color))
        fmt.setForeground(QColor(INK_ON_TINT))
        if underline:
            fmt.setFontUnderline(True)
            fmt.setUnderlineColor(QColor("#b7791f"))
        selection.format = fmt
        return selection

    # ---- actions --------------------------------------------------------------------------
    def _act(self, action, *, advance: bool = False, what: str = "") -> ReviewDecision | None:
        """Store a gold write as an undoable decision, reload and report; errors are shown, not
        raised. Returns the stored decision (None: refused or waiting for a locked database)."""
        if self.article_id is None:
            return None
        index = self.table.currentRow()
        command = ReviewDecision(what or "review decision", self.article_id, action, self.reviewer)
        if not self.editor.execute(command):
            return None
        if advance and index + 1 < len(self.rows):
            self.select_row(index + 1)
        self._say(what if command.edit.changes else "gold already holds this")
        return command

    def undo(self) -> None:
        self._step_history(self.editor.next_undo(), self.editor.undo)

    def redo(self) -> None:
        self._step_history(self.editor.next_redo(), self.editor.redo)

    def _step_history(self, command, step) -> None:
        if command is None:
            self._say("nothing to undo" if step == self.editor.undo else "nothing to redo")
            return
        if command.article_id != self.article_id:
            self.set_article(command.article_id)  # show what is being undone
        step()

    def _stored(self, touched) -> None:
        """A decision, its undo or redo is stored: show the gold as it is now."""
        if touched.article_id == self.article_id:
            self._load(keep_row=True)
        self.goldChanged.emit(touched.article_id)

    def _save_state(self, state: str, message: str) -> None:
        if state == "conflict" and self.article_id is not None:
            try:  # show the gold the other session stored (the refused decision wrote nothing)
                self._load(keep_row=True)
            except StoreError:
                pass  # cannot read now: the next poll shows it
        if state != "saved":
            self._say(message, error=True)
        elif message.startswith(("Undone: ", "Redone: ")):
            self._say(message)

    def accept_selected(self) -> None:
        row = self.current_row()
        if row is not None:
            self._act(lambda: gold.accept(self.store, self.article_id, row, self.reviewer), advance=True,
                      what=f"accepted {row.majority()}'s version into gold")

    def take_version(self, n: int) -> None:
        """Take the version of column n (1-based) into gold."""
        row = self.current_row()
        if row is None:
            return
        if not 1 <= n <= len(self.columns):
            self._say(f"there is no annotator {n} (columns 1–{len(self.columns)})", error=True)
            return
        name = self.columns[n - 1]
        what = (f"took {name}'s version into gold" if row.versions.get(name)
                else f"{name} has nothing here: removed from gold")
        self._act(lambda: gold.take_version(self.store, self.article_id, row, name, self.reviewer), advance=True,
                  what=what)

    def accept_agreed(self) -> None:
        rows = list(self.rows)
        command = self._act(lambda: gold.accept_agreed(self.store, self.article_id, rows, self.reviewer),
                            what="accepted the agreed rows into gold")
        if command is not None:
            n = command.edit.result
            self._say(f"accepted {n} agreed rows into gold" if n else "all agreed rows are in gold")

    def remove_from_gold(self) -> None:
        row = self.current_row()
        if row is not None:
            self._act(lambda: gold.remove(self.store, self.article_id, row, self.reviewer), what="removed from gold")

    def set_gold_stance(self, stance: str) -> None:
        row = self.current_row()
        if row is not None:
            self._act(lambda: gold.set_stance(self.store, self.article_id, row, stance, self.reviewer),
                      what=f"gold stance {stance}")

    def set_gold_label(self, label: str) -> None:
        row = self.current_row()
        if row is not None:
            self._act(lambda: gold.set_label(self.store, self.article_id, row, label, self.reviewer),
                      what=f"gold label {label}")

    def toggle_done(self) -> None:
        if self.article_id is None:
            return
        done = self.store.get_layer(self.article_id, GOLD_LAYER).status == "done"
        command = self._act(lambda: gold.toggle_done(self.store, self.article_id, self.reviewer),
                            what="gold reopened" if done else "gold marked done")
        if command is None:
            todo = [i for i, row in enumerate(self.rows) if not row.decided]
            if todo:  # show the first one to decide
                self.select_row(todo[0])
                self._say(self.feedback.text(), error=True)  # the reason stays visible
            return
        self._update_header()
        self._say("gold marked done: `export --gold` writes it" if command.edit.result == "done" else "gold reopened")

    def _say(self, text: str, error: bool = False) -> None:
        self.feedback.setText(text)
        self.feedback.setStyleSheet("color: #d64545;" if error else "color: #2f6b3a;")
        self.message.emit(text)
