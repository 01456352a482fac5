"""The document view: the article as read-only plain text, spans drawn over it.

The text is set with setPlainText and never changes while an article is open; spans are
ExtraSelections built only for the part of the text near the viewport, so opening a long
article, scrolling and redrawing after an edit cost the same whatever the article's length.
Boxes around the current span, the selected quote, its speaker and its cue are painted over
the text. All offsets go through `TextMap` (code points <-> Qt positions)."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPainter, QPen, QTextBlockFormat, QTextCursor, QTextDocument, QTextOption
from PySide6.QtWidgets import QTextEdit, QToolTip

from annotator.gui.state import ArticleState, SpanKey
from annotator.gui.textmap import TextMap
from annotator.gui.theme import SpanStyles, plain_tooltip

LINE_HEIGHT = 165  # percent of the font's line spacing: room for the boxes between lines
PARAGRAPH_GAP = 0.55  # of a line, after each paragraph
DOCUMENT_MARGIN = 22


class DocumentView(QTextEdit):
    caretMoved = Signal(int)  # code-point offset of the caret (no selection), moved by the user
    clickedAt = Signal(int)  # code-point offset of the character clicked (no selection made)
    pickRequested = Signal(int, int, int)  # pick mode: clicked offset (-1: none), selection start, end
    contextRequested = Signal(QPoint)  # global position
    firstPaint = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("documentView")
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setAcceptRichText(False)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
        self.setLineWrapMode(QTextEdit.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapAtWordBoundaryOrAnywhere)
        self.setContextMenuPolicy(Qt.DefaultContextMenu)
        self.document().setDocumentMargin(DOCUMENT_MARGIN)
        self.viewport().setMouseTracking(True)
        self.state: ArticleState | None = None
        self.tmap = TextMap("")
        self.styles: SpanStyles | None = None
        self.current: SpanKey | None = None
        self.active_quote: int | None = None
        self.pick_mode: str | None = None  # "speaker" | "cue" while picking with the mouse/keys
        self.tooltip_provider = None  # callable(offset) -> str | None
        self._window: tuple[int, int] | None = None  # code-point range the ExtraSelections cover
        self._quiet = False  # the caret is moved by code: not a user move
        self._press_offset: int | None = None
        self._painted = False
        self._clip = None  # the region being painted
        self.highlight_builds = 0  # for tests and benchmarks
        self._scroll_timer = QTimer(self)
        self._scroll_timer.setSingleShot(True)
        self._scroll_timer.setInterval(0)
        self._scroll_timer.timeout.connect(self._follow_viewport)
        self.verticalScrollBar().valueChanged.connect(self._scroll_timer.start)
        self.cursorPositionChanged.connect(self._cursor_moved)

    # ---- content ---------------------------------------------------------------------------
    def set_article(self, state: ArticleState | None) -> None:
        self.state = state
        self.current, self.active_quote, self.pick_mode = None, None, None
        self._window = None
        self._quiet = True
        try:
            self.setExtraSelections([])
            text = state.text if state else ""
            self.tmap = TextMap(text)
            self._set_text(text)
            self.moveCursor(QTextCursor.Start)
        finally:
            self._quiet = False
        self.refresh()

    def _set_text(self, text: str) -> None:
        """Show `text` as plain text (markup in an article is shown literally, nothing is loaded).

        This is QTextDocument.setPlainText, with every paragraph given the view's line height
        as it is inserted; filling a new document before the view lays it out is several times
        faster than formatting the paragraphs of a shown one."""
        doc = QTextDocument(self)
        doc.setUndoRedoEnabled(False)
        doc.setDefaultFont(self.font())
        doc.setDocumentMargin(DOCUMENT_MARGIN)
        fmt = QTextBlockFormat()
        fmt.setLineHeight(LINE_HEIGHT, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        fmt.setBottomMargin(self.fontMetrics().lineSpacing() * PARAGRAPH_GAP)
        cursor = QTextCursor(doc)
        cursor.setBlockFormat(fmt)
        cursor.insertText(text)
        old = self.document()
        self.setDocument(doc)  # deletes the editor's own first document; the ones made here are ours
        if old is not None and shiboken6.isValid(old) and old.parent() is self:
            old.deleteLater()

    def set_styles(self, styles: SpanStyles) -> None:
        self.styles = styles
        self.refresh()

    def set_font_size(self, points: float) -> None:
        font = QFont(self.font())
        font.setPointSizeF(points)
        self.setFont(font)
        self.document().setDefaultFont(font)
        if self.state is not None:
            caret = self.caret()
            self._quiet = True
            try:
                self._set_text(self.state.text)  # the paragraph gap follows the font
                self.setTextCursor(self.cursor_for(caret))
            finally:
                self._quiet = False
        self.refresh()

    # ---- offsets ---------------------------------------------------------------------------
    def cursor_for(self, start: int, end: int | None = None) -> QTextCursor:
        """A cursor on [start, end) in code points (or at `start`)."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.tmap.to_qt(start))
        if end is not None:
            cursor.setPosition(self.tmap.to_qt(end), QTextCursor.KeepAnchor)
        return cursor

    def selection(self) -> tuple[int, int] | None:
        """The selected range in code points, ordered; None when nothing is selected."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        a, b = self.tmap.from_qt(cursor.anchor()), self.tmap.from_qt(cursor.position())
        return (a, b) if a <= b else (b, a)

    def caret(self) -> int:
        return self.tmap.from_qt(self.textCursor().position())

    def set_selection(self, anchor: int, position: int) -> None:
        cursor = self.cursor_for(anchor)
        cursor.setPosition(self.tmap.to_qt(position), QTextCursor.KeepAnchor)
        self._quiet = True
        try:
            self.setTextCursor(cursor)
        finally:
            self._quiet = False

    def place_caret(self, offset: int, reveal: bool = True) -> None:
        """Move the caret by code (the current span is set by the caller, not by the move)."""
        self._quiet = True
        try:
            self.setTextCursor(self.cursor_for(offset))
        finally:
            self._quiet = False
        if reveal:
            self.reveal(offset)

    def reveal(self, start: int, end: int | None = None) -> None:
        """Scroll so that [start, end) is in view, centred if it was out of view."""
        rect = self.cursorRect(self.cursor_for(start))
        bottom = self.cursorRect(self.cursor_for(end if end is not None else start))
        view = self.viewport().rect()
        if view.contains(rect.topLeft()) and view.contains(bottom.bottomLeft()):
            return
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + rect.center().y() - view.height() // 3)

    def char_at(self, point: QPoint) -> int | None:
        """Code-point offset of the character under a viewport point, None past a line's end."""
        cursor = self.cursorForPosition(point)
        caret = self.cursorRect(cursor)
        position = cursor.position()
        block = cursor.block()
        if point.x() < caret.x() and position > block.position():
            position -= 1
        elif point.x() > caret.x() + self.fontMetrics().averageCharWidth() * 1.5:
            return None  # right of the end of a line
        if position >= block.position() + block.length() - 1:
            return None  # the paragraph separator
        return self.tmap.from_qt(position)

    # ---- selection snapping ----------------------------------------------------------------
    def snap_selection(self) -> None:
        """Widen the selection to whole tokens and trim spaces; a selection of only spaces goes."""
        cursor = self.textCursor()
        if self.state is None or not cursor.hasSelection():
            return
        anchor, position = self.tmap.from_qt(cursor.anchor()), self.tmap.from_qt(cursor.position())
        snapped = self.state.snap(anchor, position)
        if snapped is None:
            self.place_caret(position, reveal=False)
            return
        start, end = snapped
        if position >= anchor:
            self.set_selection(start, end)
        else:
            self.set_selection(end, start)

    def _token_select(self, step: int) -> None:
        """Shift+Left/Right: grow or shrink the selection by one token."""
        state = self.state
        cursor = self.textCursor()
        position = self.tmap.from_qt(cursor.position())
        anchor = self.tmap.from_qt(cursor.anchor())
        if not cursor.hasSelection():
            token = state.token_at(position) or state.token_at(position - 1)
            if token is not None and token[0] < position < token[1]:
                anchor = token[0] if step > 0 else token[1]
        if step > 0:
            target = state.next_token_start(position) if position < anchor else state.next_token_end(position)
            if position < anchor and (target is None or target >= anchor):
                target = anchor
        else:
            target = state.previous_token_end(position) if position > anchor else state.previous_token_start(position)
            if position > anchor and (target is None or target <= anchor):
                target = anchor
        if target is None:
            return
        self.set_selection(anchor, target)
        self.ensureCursorVisible()

    # ---- highlights ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Rebuild the span formats around the viewport and repaint (after an edit)."""
        self._window = None
        self._follow_viewport()
        self.viewport().update()

    def visible_range(self) -> tuple[int, int]:
        top = self.cursorForPosition(QPoint(0, 0)).position()
        view = self.viewport().rect()
        bottom = self.cursorForPosition(QPoint(view.width() - 1, view.height() - 1)).position()
        block = self.document().findBlock(bottom)
        bottom = block.position() + block.length()
        return self.tmap.from_qt(top), self.tmap.from_qt(bottom)

    def _follow_viewport(self) -> None:
        if self.state is None or self.styles is None:
            return
        top, bottom = self.visible_range()
        if self._window and self._window[0] <= top and bottom <= self._window[1]:
            return
        margin = max(4000, (bottom - top) * 2)
        self._window = (max(0, top - margin), min(len(self.state.text), bottom + margin))
        self._build_highlights(*self._window)

    def _build_highlights(self, start: int, end: int) -> None:
        state, styles = self.state, self.styles
        selections = []
        doc = self.document()
        to_qt = self.tmap.to_qt

        def add(a: int, b: int, fmt) -> None:
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(doc)
            cursor.setPosition(to_qt(a))
            cursor.setPosition(to_qt(b), QTextCursor.KeepAnchor)
            sel.cursor = cursor
            sel.format = fmt
            selections.append(sel)

        quotes = state.quotes_in(start, end)
        for q in quotes:  # outer quotes first: inner ones and entities are drawn over them
            add(q.start, q.end, styles.quote_suggested if q.is_pending else styles.quote)
            if q.stance in styles.quote_stance and not q.is_pending:
                add(q.start, q.end, styles.quote_stance[q.stance])
        for q in state.shown_quotes:
            if q.cue is not None and q.cue.start < end and q.cue.end > start:
                add(q.cue.start, q.cue.end, styles.cue)
        for e in state.entities_in(start, end):
            table = styles.suggested if e.is_pending else styles.entity
            fmt = table.get(e.label)
            if fmt is not None:
                add(e.start, e.end, fmt)
        self.setExtraSelections(selections)
        self.highlight_builds += 1

    # ---- painting --------------------------------------------------------------------------
    def range_rects(self, start: int, end: int) -> list[QRectF]:
        """Viewport rectangles of the lines of [start, end) that are on screen."""
        a, b = self.tmap.to_qt(start), self.tmap.to_qt(end)
        doc = self.document()
        scroll = QPointF(self.horizontalScrollBar().value(), self.verticalScrollBar().value())
        height = self.viewport().height()
        rects = []
        block = doc.findBlock(a)
        while block.isValid() and block.position() < b:
            layout = block.layout()
            origin = layout.position() - scroll
            if origin.y() > height:
                break
            if origin.y() + layout.boundingRect().height() >= 0:
                base = block.position()
                for i in range(layout.lineCount()):
                    line = layout.lineAt(i)
                    lo = max(a - base, line.textStart())
                    hi = min(b - base, line.textStart() + line.textLength())
                    if lo >= hi:
                        continue
                    x1 = line.cursorToX(lo)[0]
                    x2 = line.cursorToX(hi)[0]
                    rects.append(QRectF(origin.x() + x1, origin.y() + line.y(), max(2.0, x2 - x1), line.height()))
            block = block.next()
        return rects

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.firstPaint.emit)
        if self.state is None or self.styles is None:
            return
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.Antialiasing)
        styles = self.styles
        self._clip = event.rect()
        # suggestions: a dashed outline in the label's colour, on their lighter background
        top, bottom = self._painted_range(event.rect())
        for e in self.state.entities_in(top, bottom):
            if e.is_pending:
                self._box(painter, e.start, e.end, styles.suggestion_outline.get(e.label, styles.current_box), 1.0,
                          Qt.DashLine, outset=-1)
        item = self.state.item(self.current)
        quote = self.state.quote(self.active_quote) if self.active_quote is not None else None
        if quote is not None and self.state.visible(quote):
            if item is None or (item.start, item.end) != (quote.start, quote.end):
                self._box(painter, quote.start, quote.end, styles.quote_box, 1.4, Qt.DashLine)
            # speaker and cue boxes sit a little outside, so the current-span box inside stays visible
            if quote.speaker is not None:
                self._box(painter, quote.speaker.start, quote.speaker.end, styles.speaker_box, 2.0, outset=3)
            if quote.cue is not None:
                self._box(painter, quote.cue.start, quote.cue.end, styles.cue_box, 2.0, outset=3)
        if item is not None:
            self._box(painter, item.start, item.end, styles.current_box, 2.2)
        painter.end()

    def _box(self, painter: QPainter, start: int, end: int, color, width: float, style=Qt.SolidLine,
             outset: float = 0) -> None:
        pen = QPen(color, width, style)
        pen.setJoinStyle(Qt.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.NoBrush)
        pad = width / 2 + 1 + outset
        radius = max(1.5, 3 + outset)
        for rect in self.range_rects(start, end):
            rect = rect.adjusted(-pad, -pad + 1, pad, pad)
            if self._clip is None or self._clip.intersects(rect.toAlignedRect()):
                painter.drawRoundedRect(rect, radius, radius)

    def _painted_range(self, rect) -> tuple[int, int]:
        top = self.cursorForPosition(rect.topLeft()).position()
        bottom = self.cursorForPosition(rect.bottomRight()).position()
        block = self.document().findBlock(bottom)
        return self.tmap.from_qt(self.document().findBlock(top).position()), \
            self.tmap.from_qt(block.position() + block.length())

    # ---- input -----------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        modifiers = event.modifiers() & ~Qt.KeypadModifier
        key = event.key()
        if self.state is not None and modifiers == Qt.ShiftModifier and key in (Qt.Key_Left, Qt.Key_Right):
            self._token_select(1 if key == Qt.Key_Right else -1)
            return
        super().keyPressEvent(event)
        if modifiers & Qt.ShiftModifier and key in (Qt.Key_Up, Qt.Key_Down, Qt.Key_Home, Qt.Key_End,
                                                     Qt.Key_Left, Qt.Key_Right):
            self.snap_selection()

    def mousePressEvent(self, event) -> None:
        self._press_offset = self.char_at(event.position().toPoint())
        self._quiet = True
        try:
            super().mousePressEvent(event)
        finally:
            self._quiet = False

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if event.button() != Qt.LeftButton or self.state is None:
            return
        if self.textCursor().hasSelection():
            self.snap_selection()
        selection = self.selection()
        if self.pick_mode:
            start, end = selection or (-1, -1)
            offset = self._press_offset if self._press_offset is not None else -1
            self.pickRequested.emit(offset if selection is None else -1, start, end)
        elif selection is None and self._press_offset is not None:
            self.clickedAt.emit(self._press_offset)

    def mouseDoubleClickEvent(self, event) -> None:
        super().mouseDoubleClickEvent(event)
        self.snap_selection()

    def contextMenuEvent(self, event) -> None:
        if self.state is None:
            return
        offset = self.char_at(event.pos())
        if offset is not None and self.selection() is None:
            self.clickedAt.emit(offset)
        self.contextRequested.emit(event.globalPos())

    def _cursor_moved(self) -> None:
        if self._quiet or self.state is None:
            return
        cursor = self.textCursor()
        if not cursor.hasSelection():
            self.caretMoved.emit(self.tmap.from_qt(cursor.position()))
        self.viewport().update()

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            offset = self.char_at(event.pos()) if self.state is not None else None
            text = self.tooltip_provider(offset) if offset is not None and self.tooltip_provider else None
            if text:
                QToolTip.showText(event.globalPos(), plain_tooltip(text), self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def set_pick_mode(self, mode: str | None) -> None:
        self.pick_mode = mode
        self.viewport().setCursor(Qt.PointingHandCursor if mode else Qt.IBeamCursor)
