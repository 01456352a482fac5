"""The article browser: a lazily fetched table model over the store, with search, filters and
progress; the view draws each row (title, status, source, date, counts) on two lines.

The model asks the store only for the pages of rows the view paints (200 rows a page, a few
pages cached). Pages deep in a long list (an SQL OFFSET walks the rows before it) and the
article's position are read by `ListReader` on its own connection, in a thread: the row shows
a placeholder for a moment, the window never waits. 100,000 articles open and scroll like 100.

"Most useful next" (set_order): the list shows a given order of article ids instead (the
articles the annotator has not done, the model's least certain first); a page is then read by
its 200 ids, which costs the same at any depth."""

from __future__ import annotations

import queue
from collections import OrderedDict

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSize, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar, QStyle,
    QStyledItemDelegate, QTableView, QVBoxLayout, QWidget,
)

from annotator.core.store import Store, StoreError
from annotator.gui.theme import STATUS_TEXT, mix, plain_tooltip, status_color

PAGE = 200
MAX_PAGES = 40
ASYNC_FROM_ROW = 4000  # pages from here on are read in the background (OFFSET gets slow)
ASYNC_POSITION_FROM = 20_000  # articles; below, the position is cheap to ask directly
#: A filtered list is counted up to this many rows ("10,000+"); scrolling to its end counts further
#: (a search word in most of a 1M corpus takes seconds to count whole)
COUNT_STEP = 10_000

COLUMNS = ("status", "title", "source", "date", "entities", "quotes")
HEADERS = {"status": "Status", "title": "Title", "source": "Source", "date": "Date", "entities": "Ent.",
           "quotes": "Quotes"}


def flags_text(row: dict) -> str:
    """The flag marks of a browser row: the annotator's own flag, and the gold's (a reviewer flagged
    it, or a merge reopened it with a comment saying why)."""
    return ("  ⚑ flagged" if row.get("flagged") else "") + ("  ⚑ gold" if row.get("gold_flagged") else "")


def gold_note(row: dict) -> str:
    """The tooltip line of a flagged gold: the last line of its comment (a reopening's reason)."""
    if not row.get("gold_flagged"):
        return ""
    lines = [line for line in (row.get("gold_comment") or "").splitlines() if line.strip()]
    return "gold flagged for review" + (f": {lines[-1]}" if lines else "")


def rows_for_ids(store: Store, annotator: str, ids: list[str]) -> list[dict]:
    """Browser rows for these articles, in this order (an article deleted meanwhile: a bare row)."""
    found = {r["id"]: r for r in store.articles_by_ids(annotator, ids)}
    return [found.get(i) or {"seq": None, "id": i, "title": i, "source": None, "date": None, "status": "new",
                             "flagged": None, "entities": 0, "quotes": 0, "gold_flagged": None, "gold_comment": None} for i in ids]


def statuses(store: Store, annotator: str, ids: list[str]) -> dict[str, str]:
    """The annotator's status of each of these articles (new when it has no layer)."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    found = dict(store.db.execute(f"SELECT article_id, status FROM layers WHERE annotator = ? AND article_id IN ({marks})",
                                  [annotator, *ids]).fetchall())
    return {i: found.get(i, "new") for i in ids}


def matching_ids(store: Store, annotator: str, filters: dict) -> set[str]:
    """The ids of the articles the browser's filters keep."""
    return store.matching_ids(annotator, status=filters.get("status"), pending=filters.get("pending", False),
                              no_stance=filters.get("no_stance", False), search=filters.get("search"))


def page_arguments(page: int, after: int | None, count: int, capped: bool) -> dict:
    """list_articles' arguments for a page: after the page before's last row (keyset), else by offset
    from the start or, in the second half of a list counted whole, from the end."""
    first = page * PAGE
    if after is not None:
        return {"offset": 0, "limit": PAGE, "after": after}
    if capped or first < count // 2:
        return {"offset": first, "limit": PAGE}
    last = min(count, first + PAGE)
    return {"offset": count - last, "limit": max(0, last - first), "from_end": True}


class ListReader(QThread):
    """Reads list pages and positions on its own Store connection (reads only)."""

    pageRead = Signal(int, int, object)  # generation, page, rows
    positionRead = Signal(str, int)  # article id, 1-based position

    def __init__(self, store: Store, parent=None):
        """`store`: a Store of its own (made in the GUI thread, used only by this thread from now on)."""
        super().__init__(parent)
        self.store = store
        self._queue: queue.Queue = queue.Queue()

    def read_page(self, generation: int, page: int, annotator: str, filters: dict, where: dict) -> None:
        """`where`: page_arguments of the page."""
        self._queue.put(("page", generation, page, annotator, dict(filters), where))

    def read_position(self, article_id: str) -> None:
        self._queue.put(("position", article_id))

    def stop(self) -> None:
        if self.isRunning():
            self._queue.put(None)
            self.wait(5000)

    def run(self) -> None:
        store = self.store
        try:
            while True:
                job = self._queue.get()
                if job is None:
                    return
                try:
                    if job[0] == "page":
                        _, generation, page, annotator, filters, where = job
                        rows = store.list_articles(annotator, **where, **filters)
                        self.pageRead.emit(generation, page, rows)
                    else:
                        self.positionRead.emit(job[1], store.position(job[1]))
                except (StoreError, TypeError):
                    continue
        finally:
            store.close()


class ArticleTableModel(QAbstractTableModel):
    """Rows of `Store.list_articles` for one annotator and one filter, fetched a page at a time."""

    failed = Signal(str)

    def __init__(self, store: Store, annotator: str, parent=None, reader: ListReader | None = None):
        super().__init__(parent)
        self.store, self.annotator, self.reader = store, annotator, reader
        self.filters: dict = {"status": None, "pending": False, "no_stance": False, "search": None}
        self._pages: OrderedDict[int, list[dict]] = OrderedDict()
        self._stale: set[int] = set()  # pages shown while a fresh copy is read
        self._asked: set[int] = set()  # pages asked of the reader
        self._generation = 0
        self._count = 0
        self._count_limit = COUNT_STEP  # a filtered list is counted up to here (see fetchMore)
        self.capped = False  # the filtered list holds more rows than counted
        self.current_id: str | None = None
        self.order: list[str] | None = None  # "most useful next": the ids in that order; None: corpus order
        self._ids: list[str] = []  # the order, filtered
        self._row_of_id: dict[str, int] | None = None
        self.pages_fetched = 0  # for tests: the model must stay lazy
        if reader is not None:
            reader.pageRead.connect(self._page_read)

    # ---- data ------------------------------------------------------------------------------
    def _safe_count(self) -> int:
        try:
            if self.order is not None:
                self._row_of_id = None
                if any(self.filters.values()):
                    keep = matching_ids(self.store, self.annotator, self.filters)
                    self._ids = [a for a in self.order if a in keep]
                else:
                    self._ids = self.order
                return len(self._ids)
            if not any(self.filters.values()):
                self.capped = False
                return self.store.count_articles(self.annotator)
            count = self.store.count_articles(self.annotator, at_most=self._count_limit + 1, **self.filters)
            self.capped = count > self._count_limit
            return min(count, self._count_limit)
        except StoreError as exc:
            self._ids = []
            self.failed.emit(str(exc))
            return 0

    def _fetch(self, page: int) -> list[dict]:
        try:
            if self.order is not None:
                rows = rows_for_ids(self.store, self.annotator, self._ids[page * PAGE:(page + 1) * PAGE])
            else:
                rows = self.store.list_articles(self.annotator, **self._page_arguments(page), **self.filters)
        except StoreError as exc:
            self.failed.emit(str(exc))
            rows = []
        self.pages_fetched += 1
        self._keep(page, rows)
        return rows

    def _page_arguments(self, page: int) -> dict:
        """How to read a page: after the last row of the page before when that is read and fresh."""
        rows = self._pages.get(page - 1)
        fresh = rows and page - 1 not in self._stale and len(rows) == PAGE and rows[-1].get("seq") is not None
        return page_arguments(page, rows[-1]["seq"] if fresh else None, self._count, self.capped)

    def _keep(self, page: int, rows: list[dict]) -> None:
        self._pages[page] = rows
        self._pages.move_to_end(page)
        self._stale.discard(page)
        self._asked.discard(page)
        while len(self._pages) > MAX_PAGES:
            old, _ = self._pages.popitem(last=False)
            self._stale.discard(old)

    def row_data(self, row: int, wait: bool = True) -> dict | None:
        """The row's data; without `wait`, a deep page not read yet is asked of the reader (None now)."""
        if not 0 <= row < self._count:
            return None
        page = row // PAGE
        rows = self._pages.get(page)
        deep = self.reader is not None and self.order is None and page * PAGE >= ASYNC_FROM_ROW
        if rows is None or page in self._stale:
            if deep and not wait:
                if page not in self._asked:
                    self._asked.add(page)
                    self.reader.read_page(self._generation, page, self.annotator, self.filters,
                                          self._page_arguments(page))
            else:
                rows = self._fetch(page)
        else:
            self._pages.move_to_end(page)
        if rows is None:
            return None
        index = row - page * PAGE
        return rows[index] if index < len(rows) else None

    def _page_read(self, generation: int, page: int, rows: list) -> None:
        if generation != self._generation or self.order is not None:
            return  # asked before the filters or the data changed
        self.pages_fetched += 1
        self._keep(page, rows)
        first = page * PAGE
        last = min(self._count, first + len(rows)) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def article_id(self, row: int) -> str | None:
        data = self.row_data(row)
        return data["id"] if data else None

    def cached_row_of(self, article_id: str) -> int | None:
        for page, rows in self._pages.items():
            for i, r in enumerate(rows):
                if r["id"] == article_id:
                    return page * PAGE + i
        return None

    def row_of(self, article_id: str) -> int | None:
        """The row of an article, if cheap to know (in a cached page, or no filter: its position)."""
        if self.order is not None:
            if self._row_of_id is None:
                self._row_of_id = {a: i for i, a in enumerate(self._ids)}
            return self._row_of_id.get(article_id)
        row = self.cached_row_of(article_id)
        if row is not None or any(self.filters.values()):
            return row
        try:
            row = self.store.position(article_id) - 1
        except (StoreError, TypeError):
            return None
        return row if 0 <= row < self._count else None

    # ---- Qt model --------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and self.order is None and self.capped

    def fetchMore(self, parent=QModelIndex()) -> None:
        """The view scrolled to the end of a capped list: count (up to) the next COUNT_STEP rows."""
        if not self.canFetchMore(parent):
            return
        self._count_limit += COUNT_STEP
        count = self._safe_count()
        if count > self._count:
            self.beginInsertRows(QModelIndex(), self._count, count - 1)
            self._count = count
            self.endInsertRows()

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return HEADERS[COLUMNS[section]]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row = self.row_data(index.row(), wait=False)
        if row is None:
            return "…" if role == Qt.DisplayRole else None
        column = COLUMNS[index.column()]
        if role == Qt.DisplayRole:
            if column == "status":
                return STATUS_TEXT.get(row["status"], row["status"]) + flags_text(row)
            value = row.get(column)
            return "" if value is None else str(value)
        if role == Qt.ToolTipRole:
            parts = [row["title"] or row["id"], f"id: {row['id']}"]
            if row.get("source") or row.get("date"):
                parts.append(" · ".join(str(x) for x in (row.get("source"), row.get("date")) if x))
            parts.append(f"{row['entities']} entities, {row['quotes']} quotes · {STATUS_TEXT.get(row['status'])}"
                         + (" · flagged for review" if row.get("flagged") else ""))
            if gold_note(row):
                parts.append(gold_note(row))
            return plain_tooltip("\n".join(parts))
        if role == Qt.UserRole:
            return row
        return None

    # ---- updates ---------------------------------------------------------------------------
    def set_order(self, ids: list[str] | None) -> None:
        """Show these articles in this order (None: every article in corpus order, as filtered)."""
        self.beginResetModel()
        self.order = list(ids) if ids is not None else None
        self._reset()
        self.endResetModel()

    def set_filters(self, **filters) -> None:
        self.beginResetModel()
        self.filters.update(filters)
        self._reset()
        self.endResetModel()

    def _reset(self) -> None:
        self._generation += 1
        self._pages.clear()
        self._stale.clear()
        self._asked.clear()
        self._count_limit = COUNT_STEP
        self._count = self._safe_count()

    def refresh(self) -> None:
        """Re-read counts and rows (after an import, another window's change …)."""
        count = self._safe_count()
        self._generation += 1
        self._asked.clear()
        if count != self._count:
            self.beginResetModel()
            self._pages.clear()
            self._stale.clear()
            self._count = count
            self.endResetModel()
            return
        self._stale = set(self._pages)  # shown as they were until the fresh copy is read
        if self._count:
            self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, len(COLUMNS) - 1))

    def refresh_article(self, article_id: str) -> None:
        """Re-read the page holding one article (after an edit of it)."""
        row = self.cached_row_of(article_id)
        if row is None:
            return
        self._generation += 1
        self._asked.clear()
        self._stale.add(row // PAGE)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))


class ArticleDelegate(QStyledItemDelegate):
    """Two lines per article: status dot and title; status, source, date and counts below."""

    def sizeHint(self, option, index) -> QSize:
        fm = QFontMetrics(option.font)
        return QSize(200, fm.lineSpacing() * 2 + 12)

    def paint(self, painter: QPainter, option, index) -> None:
        row = index.data(Qt.UserRole)
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style:
            style.drawControl(QStyle.CE_ItemViewItem, option, painter, option.widget)
        if row is None:  # being read in the background
            painter.save()
            painter.setPen(Qt.NoPen)
            painter.setBrush(mix(option.palette.color(QPalette.Text), option.palette.color(QPalette.Base), 0.9))
            r = option.rect.adjusted(10, 9, -40, -option.rect.height() // 2 - 2)
            painter.drawRoundedRect(r, 3, 3)
            painter.restore()
            return
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        palette = option.palette
        selected = bool(option.state & QStyle.State_Selected)
        ink = palette.color(QPalette.HighlightedText if selected else QPalette.Text)
        muted = mix(ink, palette.color(QPalette.Highlight if selected else QPalette.Base), 0.4)
        r = option.rect.adjusted(8, 5, -8, -5)
        fm = QFontMetrics(option.font)
        line = fm.lineSpacing()
        d = max(8, fm.height() // 2)
        painter.setPen(Qt.NoPen)
        painter.setBrush(status_color(row["status"]))
        painter.drawEllipse(r.left(), r.top() + (line - d) // 2, d, d)
        title_font = QFont(option.font)
        title_font.setBold(row["id"] == index.model().current_id)
        painter.setFont(title_font)
        painter.setPen(ink)
        title_rect = r.adjusted(d + 8, 0, 0, -(r.height() - line))
        title = row["title"] or row["id"]
        painter.drawText(title_rect, Qt.AlignLeft | Qt.AlignVCenter,
                         QFontMetrics(title_font).elidedText(" ".join(title.split()), Qt.ElideRight, title_rect.width()))
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.86))
        painter.setFont(small)
        sfm = QFontMetrics(small)
        status = STATUS_TEXT.get(row["status"], row["status"]) + flags_text(row)
        counts = f"{row['entities']} ent · {row['quotes']} quotes"
        meta = " · ".join(str(x) for x in (row.get("source"), row.get("date")) if x)
        second = r.adjusted(d + 8, line, 0, 0)
        painter.setPen(status_color(row["status"]).darker(130) if not selected else ink)
        painter.drawText(second, Qt.AlignLeft | Qt.AlignVCenter, status)
        x = sfm.horizontalAdvance(status) + 10
        painter.setPen(muted)
        counts_w = sfm.horizontalAdvance(counts)
        painter.drawText(second, Qt.AlignRight | Qt.AlignVCenter, counts)
        painter.drawText(second.adjusted(x, 0, -(counts_w + 10), 0), Qt.AlignLeft | Qt.AlignVCenter,
                         sfm.elidedText(meta, Qt.ElideRight, max(0, second.width() - x - counts_w - 10)))
        painter.restore()


class BrowserPanel(QWidget):
    """Search box, filters, the article table and the progress bar of the annotator."""

    articleChosen = Signal(str, bool)  # id, move the focus to the text
    orderRequested = Signal(bool)  # the user chose "most useful next" (True) or corpus order (False)

    def __init__(self, store: Store, annotator: str, parent=None, reader_store: Store | None = None):
        super().__init__(parent)
        self.setObjectName("browserPanel")
        self._reader_store = reader_store
        self.search = QLineEdit()
        self.search.setObjectName("searchBox")
        self.search.setPlaceholderText("Search title and text…")
        self.search.setClearButtonEnabled(True)
        self.status = QComboBox()
        self.status.setObjectName("statusFilter")
        for text, value in (("All statuses", None), ("New", "new"), ("In progress", "in_progress"), ("Done", "done")):
            self.status.addItem(text, value)
        self.order = QComboBox()
        self.order.setObjectName("orderChoice")
        self.order.addItem("Corpus order", False)
        self.order.addItem("Most useful next", True)
        self.order.setToolTip("Most useful next: the articles you have not done, those the model is least sure "
                              "about first (Article ▸ Order: most useful next)")
        self.pending = QCheckBox("Pending suggestions")
        self.pending.setToolTip("Only articles with suggestions you have not accepted or rejected")
        self.no_stance = QCheckBox("Quotes without stance")
        self.no_stance.setToolTip("Only articles with a quote whose stance is not set")
        # one row per article, drawn on two lines in the title column; a table view because its
        # fixed-height rows cost nothing to lay out, whatever the number of articles
        self.table = QTableView()
        self.table.setObjectName("articleTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().hide()
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(QFontMetrics(self.font()).lineSpacing() * 2 + 12)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.table.setItemDelegate(ArticleDelegate(self.table))
        self.counter = QLabel()
        self.counter.setObjectName("browserCounter")
        self.progress = QProgressBar()
        self.progress.setObjectName("annotatorProgress")
        self.progress.setTextVisible(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        filters = QHBoxLayout()
        filters.setSpacing(8)
        filters.addWidget(self.status, 1)
        filters.addWidget(self.order, 1)
        layout.addLayout(filters)
        checks = QHBoxLayout()
        checks.addWidget(self.pending)
        checks.addWidget(self.no_stance)
        checks.addStretch(1)
        layout.addLayout(checks)
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.counter)
        bottom.addWidget(self.progress, 1)
        layout.addLayout(bottom)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(220)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self._search_entered)
        self.status.currentIndexChanged.connect(self.apply_filters)
        self.order.activated.connect(lambda index: self.orderRequested.emit(bool(self.order.itemData(index))))
        self.pending.toggled.connect(self.apply_filters)
        self.no_stance.toggled.connect(self.apply_filters)
        self.table.activated.connect(lambda index: self._choose(index.row(), True))
        self.table.clicked.connect(lambda index: self._choose(index.row(), False))
        self._open_timer = QTimer(self)
        self._open_timer.setSingleShot(True)
        self._open_timer.setInterval(120)
        self._open_timer.timeout.connect(self._open_current_row)
        self.set_store(store, annotator)

    def set_store(self, store: Store, annotator: str) -> None:
        self.store, self.annotator = store, annotator
        self.reader = None
        if self._reader_store is not None:
            self.reader = ListReader(self._reader_store, self)
            self.reader.positionRead.connect(self._position_read)
            self.reader.start()
        self.model = ArticleTableModel(store, annotator, self, self.reader)
        self.model.rowsInserted.connect(lambda *_: self.update_counts())  # a capped count grew (fetchMore)
        self.model.set_filters(**self._filters())
        self.table.setModel(self.model)
        title = COLUMNS.index("title")
        for column in range(len(COLUMNS)):
            self.table.setColumnHidden(column, column != title)
        self.table.horizontalHeader().setSectionResizeMode(title, QHeaderView.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.update_counts()

    def stop(self) -> None:
        """The window closes: no more queries."""
        self._debounce.stop()
        self._open_timer.stop()
        self.blockSignals(True)
        self.search.blockSignals(True)
        if self.reader is not None:
            self.reader.stop()
            self.reader = None

    def _filters(self) -> dict:
        return {"status": self.status.currentData(), "pending": self.pending.isChecked(),
                "no_stance": self.no_stance.isChecked(), "search": self.search.text().strip() or None}

    def apply_filters(self) -> None:
        self._debounce.stop()
        self.model.set_filters(**self._filters())
        self.update_counts()
        self.select_article(self.model.current_id, scroll=True)

    def set_order(self, ids: list[str] | None) -> None:
        """Show the articles in this order ("most useful next"); None: corpus order."""
        self.show_order_choice(ids is not None)
        self.model.set_order(ids)
        self.update_counts()
        self.select_article(self.model.current_id, scroll=True)

    def show_order_choice(self, useful: bool) -> None:
        """The order box says which order is chosen (without asking for it again)."""
        blocked = self.order.blockSignals(True)
        self.order.setCurrentIndex(1 if useful else 0)
        self.order.blockSignals(blocked)

    def update_counts(self) -> None:
        try:
            done, total = self.store.done_of_total(self.annotator)
        except StoreError:
            done, total = 0, 0
        shown = self.model.rowCount()
        if self.model.order is not None:
            self.counter.setText(f"{shown:,} to do")
            self.counter.setToolTip("Articles you had not done when the order was made, the model's least "
                                    "certain first")
        else:
            self.counter.setText(f"{shown:,}+ shown" if self.model.capped else
                                 f"{shown:,} shown" if shown != total else f"{total:,} articles")
            self.counter.setToolTip("")
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        percent = 100 * done / total if total else 0
        self.progress.setFormat(f"{done:,} / {total:,} done ({percent:.0f}%)")
        self.progress.setToolTip(plain_tooltip(f"{self.annotator}: {done:,} of {total:,} articles done"))

    def refresh(self) -> None:
        self.model.refresh()
        self.update_counts()

    def select_article(self, article_id: str | None, scroll: bool = True) -> None:
        self.model.current_id = article_id
        if article_id is None:
            return
        row = self.model.cached_row_of(article_id)
        if row is None and self.model.order is not None:
            row = self.model.row_of(article_id)
        elif row is None and not any(self.model.filters.values()):
            if self.reader is not None and self.store.article_count() >= ASYNC_POSITION_FROM:
                self._scroll_wanted = scroll
                self.reader.read_position(article_id)  # selected when the position is known
                return
            row = self.model.row_of(article_id)
        if row is None:
            self.table.viewport().update()
            return
        self._select_row(row, scroll)

    def _position_read(self, article_id: str, position: int) -> None:
        if article_id == self.model.current_id and not any(self.model.filters.values()) and self.model.order is None:
            self._select_row(position - 1, getattr(self, "_scroll_wanted", True))

    def _select_row(self, row: int, scroll: bool) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        selection = self.table.selectionModel()
        index = self.model.index(row, 1)
        blocked = selection.blockSignals(True)
        try:
            selection.setCurrentIndex(index, selection.SelectionFlag.ClearAndSelect | selection.SelectionFlag.Rows)
        finally:
            selection.blockSignals(blocked)
        if scroll:
            self.table.scrollTo(index, QAbstractItemView.PositionAtCenter)
        self.table.viewport().update()

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows(COLUMNS.index("title"))})
        return [a for a in (self.model.article_id(r) for r in rows) if a]

    def _row_changed(self, current, previous) -> None:
        if current.isValid():
            self._pending_row = current.row()
            self._open_timer.start()

    def _open_current_row(self) -> None:
        article_id = self.model.article_id(getattr(self, "_pending_row", -1))
        if article_id and article_id != self.model.current_id:
            self.articleChosen.emit(article_id, False)

    def _choose(self, row: int, focus_text: bool) -> None:
        self._open_timer.stop()
        article_id = self.model.article_id(row)
        if article_id:
            self.articleChosen.emit(article_id, focus_text)

    def _search_entered(self) -> None:
        self.apply_filters()
        if self.model.rowCount():
            self.table.setFocus()
            if not self.table.currentIndex().isValid():
                self.table.setCurrentIndex(self.model.index(0, COLUMNS.index("title")))

    def sizeHint(self) -> QSize:
        return QSize(380, 600)

