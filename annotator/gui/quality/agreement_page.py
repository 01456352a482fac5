"""The agreement page: `agreement_report` as headline cards, a table per pair and overall,
charts of F1 per pair and per label, the stance confusion of a pair and the articles where
annotators disagree most (double-click or Enter: `articleRequested(article_id)`).

The report is computed off the GUI thread (a `workers.Task` with its own read-only Store)
while a progress bar runs; refresh() starts a new computation and drops a running one."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from annotator.core.agreement import agreement_report, worst_articles
from annotator.core.store import Store
from annotator.gui.quality.widgets import (
    Card, Table, chart_view, fmt, header_row, heading, muted, score_color, score_tint, set_bars,
)
from annotator.gui.theme import plain_tooltip
from annotator.gui.workers import Task

PAIR_HEADERS = ["Pair", "Articles", "Entity F1\nexact", "Entity F1\noverlap", "Quote F1\nexact", "Quote F1\noverlap",
                "Speakers\nagree", "Stance\nκ", "Stance\nitems", "Article\nκ"]
PAIR_TIPS = ["", "Articles both annotated", "Entity F1, same start, end and label",
             "Entity F1, same label and overlapping spans", "Quote F1, same start and end",
             "Quote F1, the intersection covers half of the longer quote",
             "Matched quotes whose speakers agree", "Cohen's kappa of quote stance (matched quotes)",
             "Matched quote pairs where both gave a stance", "Cohen's kappa of the article stance"]
WORST_HEADERS = ["Article", "Entity F1", "Quote F1", "Stance agr.", "Annotators", "Title"]
WORST_ROWS = 15
_RUNNING: set[Task] = set()  # tasks outlive a page closed while they compute


def _report_work(db_path: str, annotators, done_only: bool):
    def work(task: Task):
        store = Store(db_path, read_only=True)  # a Store is not shared across threads
        try:
            return agreement_report(store, annotators, done_only=done_only,
                                    progress=task.progress_callback("articles"), cancelled=task.cancelled)
        finally:
            store.close()
    return work


class AgreementPage(QWidget):
    """Inter-annotator agreement. API: refresh(), report (the last dict), busy, articleRequested."""

    articleRequested = Signal(str)
    reportReady = Signal(dict)

    def __init__(self, store: Store, parent: QWidget | None = None, *, annotators: list[str] | None = None):
        super().__init__(parent)
        self.store = store
        self.annotators = annotators
        self.report: dict | None = None
        self._task: Task | None = None
        self._again = False
        self._build()
        self.refresh()

    # ---- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = heading("Inter-annotator agreement")
        self.subtitle = muted()
        self.in_progress = QCheckBox("Include articles in progress")
        self.in_progress.setToolTip("By default only articles both annotators marked done are compared")
        self.in_progress.toggled.connect(lambda *_: self.refresh())
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Recompute the agreement (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        QShortcut(QKeySequence("F5"), self, self.refresh, context=Qt.WidgetWithChildrenShortcut)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.setFormat("%v / %m articles")
        self.progress.hide()
        self.error = QLabel()
        self.error.setTextFormat(Qt.PlainText)
        self.error.setStyleSheet("color: #c53030;")

        top = header_row(self.title, self.subtitle, self.error, self.progress, self.in_progress, self.refresh_button)

        self.cards = {
            "entity_exact": Card("Entity F1 · exact"),
            "entity_overlap": Card("Entity F1 · overlap"),
            "quote_overlap": Card("Quote F1 · overlap ≥ 50%"),
            "speaker": Card("Speaker agreement"),
            "kappa": Card("Stance · Cohen's κ (mean)"),
            "alpha": Card("Stance · Krippendorff's α"),
        }
        cards = QHBoxLayout()
        for card in self.cards.values():
            cards.addWidget(card)

        self.pairs = Table(PAIR_HEADERS)
        self.pairs.itemSelectionChanged.connect(self._show_confusion)
        self.pair_chart = chart_view("F1 per pair")
        self.label_chart = chart_view("Entity F1 per label (all pairs)")
        self.worst = Table(WORST_HEADERS)
        self.worst.setToolTip("Double-click (or Enter) opens the article")
        self.worst.doubleClicked.connect(lambda index: self._request(index.row()))
        QShortcut(QKeySequence(Qt.Key_Return), self.worst, lambda: self._request(self.worst.currentRow()),
                  context=Qt.WidgetShortcut)
        self.confusion_title = muted("Stance confusion of the selected pair")
        self.confusion = Table([])

        for c, tip in enumerate(PAIR_TIPS):
            if tip:
                self.pairs.horizontalHeaderItem(c).setToolTip(tip)
        confusion_box = QWidget()
        cl = QVBoxLayout(confusion_box)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(4)
        cl.addWidget(self.confusion_title)
        cl.addWidget(self.confusion)

        left = QVBoxLayout()
        left.setSpacing(10)
        left.addWidget(self._boxed("Pairs (F1 pooled over the articles both annotated)", self.pairs))
        left.addWidget(confusion_box)
        left.addWidget(self._boxed("Articles with the lowest entity F1 — double-click to open", self.worst), 1)
        right = QVBoxLayout()
        right.setSpacing(10)
        right.addWidget(self.pair_chart, 1)
        right.addWidget(self.label_chart, 1)
        grid = QHBoxLayout()
        grid.setSpacing(12)
        grid.addLayout(left, 11)
        grid.addLayout(right, 9)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(cards)
        layout.addLayout(grid, 1)

    @staticmethod
    def _boxed(title: str, widget: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(muted(title))
        layout.addWidget(widget)
        return box

    # ---- computing ------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._task is not None

    def refresh(self) -> None:
        """Recompute the report in the background (a running computation is dropped)."""
        if self._task is not None:
            self._again = True
            self._task.cancel()
            return
        self.error.setText("")
        if self.store.path == ":memory:":  # another connection would see another database
            self._show(agreement_report(self.store, self.annotators, done_only=not self.in_progress.isChecked()))
            return
        task = Task("agreement", _report_work(self.store.path, self.annotators, not self.in_progress.isChecked()))
        task.progressed.connect(self._progressed)
        task.succeeded.connect(self._succeeded)
        task.failed.connect(self._failed)
        task.finished.connect(lambda task=task: _RUNNING.discard(task))
        self._task = task
        _RUNNING.add(task)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.refresh_button.setEnabled(False)
        task.start()

    def _progressed(self, done: int, total: int, _text: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _finish_task(self) -> bool:
        """Forget the finished task; start again if a refresh came meanwhile."""
        self._task = None
        self.progress.hide()
        self.refresh_button.setEnabled(True)
        if self._again:
            self._again = False
            self.refresh()
            return True
        return False

    def _succeeded(self, report) -> None:
        if self._finish_task() or report is None:
            return
        self._show(report)

    def _failed(self, message: str) -> None:
        if not self._finish_task():
            self.error.setText(f"agreement could not be computed: {message}")

    # ---- showing --------------------------------------------------------------------------
    def _show(self, report: dict) -> None:
        self.report = report
        names = report["annotators"]
        counts = ", ".join(f"{n} ({c})" for n, c in report["articles_per_annotator"].items())
        self.subtitle.setText(f"{report['shared_articles']} articles annotated by two or more of {len(names)} "
                              f"annotators: {counts or 'none'}"
                              + (" · articles marked done by both annotators of a pair" if report["done_only"]
                                 else " · articles in progress included"))
        o = report["overall"]
        self._card("entity_exact", o["entities"]["exact"]["f1"],
                   f"{o['entities']['exact']['matched']} of {o['entities']['a'] + o['entities']['b']} spans")
        self._card("entity_overlap", o["entities"]["overlap"]["f1"], "same label, spans overlap")
        self._card("quote_overlap", o["quotes"]["overlap"]["f1"],
                   f"exact {fmt(o['quotes']['exact']['f1'])}")
        self._card("speaker", o["speaker"]["agreement"], f"{o['speaker']['matched']} matched quotes")
        self._card("kappa", o["stance"]["kappa_mean"], f"{o['stance']['items']} quote pairs")
        self._card("alpha", o["stance"]["alpha"], f"{o['stance']['alpha_units']} quotes, "
                                                  f"{len(names)} annotators")
        self._fill_pairs(report)
        self._fill_charts(report)
        self._fill_worst(report)
        self.reportReady.emit(report)

    def _card(self, key: str, value: float | None, note: str) -> None:
        self.cards[key].set(fmt(value), note, score_color(value))

    def _fill_pairs(self, report: dict) -> None:
        rows, tints = [], []
        entries = [(f"{p['a']} – {p['b']}", p, p["stance"]["kappa"]) for p in report["pairs"]]
        o = report["overall"]
        entries.append(("Overall", {**o, "articles": report["shared_articles"],
                                    "article_stance": {"kappa": None}}, o["stance"]["kappa_mean"]))
        for name, p, kappa in entries:
            values = [p["entities"]["exact"]["f1"], p["entities"]["overlap"]["f1"], p["quotes"]["exact"]["f1"],
                      p["quotes"]["overlap"]["f1"], p["speaker"]["agreement"], kappa]
            rows.append([name, p["articles"], *[fmt(v) for v in values], p["stance"]["items"],
                         fmt(p["article_stance"]["kappa"])])
            tints.append([None, None, *[score_tint(v) for v in values], None, score_tint(p["article_stance"]["kappa"])])
        self.pairs.fill(rows, tints=tints, bold_rows={len(rows) - 1}, share=True)
        self.pairs.fit_height(max_rows=8)
        if report["pairs"]:
            self.pairs.selectRow(0)
        self._show_confusion()

    def _fill_charts(self, report: dict) -> None:
        pairs = report["pairs"]
        categories = [f"{p['a']}–{p['b']}" for p in pairs] + ["overall"]
        everything = [*pairs, report["overall"]]
        set_bars(self.pair_chart, "F1 per pair", categories, {
            "entity exact": [p["entities"]["exact"]["f1"] for p in everything],
            "entity overlap": [p["entities"]["overlap"]["f1"] for p in everything],
            "quote exact": [p["quotes"]["exact"]["f1"] for p in everything],
            "quote overlap": [p["quotes"]["overlap"]["f1"] for p in everything],
        }, y_max=1.1)
        labels = report["overall"]["entities"]["labels"]
        set_bars(self.label_chart, "Entity F1 per label (all pairs)", list(labels), {
            "exact": [c["exact_f1"] for c in labels.values()],
            "overlap": [c["overlap_f1"] for c in labels.values()],
        }, y_max=1.1)

    def _fill_worst(self, report: dict) -> None:
        self._worst = worst_articles(report, n=WORST_ROWS)
        rows, tints = [], []
        for a in self._worst:
            values = [a["entity_f1"], a["quote_overlap_f1"], a["stance_agreement"]]
            rows.append([a["article_id"], *[fmt(v) for v in values], ", ".join(a["annotators"]), a["title"]])
            tints.append([None, *[score_tint(v) for v in values], None, None])
        self.worst.fill(rows, tints=tints, numeric_from=1, stretch=len(WORST_HEADERS) - 1)
        for r in range(len(rows)):
            self.worst.item(r, 5).setToolTip(plain_tooltip(str(rows[r][5])))

    def _show_confusion(self) -> None:
        if not self.report or not self.report["pairs"]:
            self.confusion.setRowCount(0)
            return
        row = self.pairs.currentRow()
        if not 0 <= row < len(self.report["pairs"]):
            row = 0
        pair = self.report["pairs"][row]
        table = pair["stance"]["confusion"]
        stances = list(self.store.config.stance_names)
        stances += sorted(({k for r in table.values() for k in r} | set(table)) - set(stances))
        self.confusion_title.setText(f"Stance confusion: {pair['a']} (rows) × {pair['b']} (columns), "
                                     f"κ = {fmt(pair['stance']['kappa'])}")
        self.confusion.setColumnCount(len(stances) + 1)
        self.confusion.setHorizontalHeaderLabels(["", *stances])
        rows, tints = [], []
        biggest = max([1, *[v for r in table.values() for v in r.values()]])
        for a in stances:
            counts = [table.get(a, {}).get(b, 0) for b in stances]
            rows.append([a, *counts])
            tints.append([None, *[self._cell_tint(a == b, n, biggest) for b, n in zip(stances, counts)]])
        self.confusion.fill(rows, tints=tints, share=True)
        for c in range(1, len(stances) + 1):  # a matrix reads better centred
            self.confusion.horizontalHeaderItem(c).setTextAlignment(Qt.AlignCenter)
            for r in range(len(rows)):
                self.confusion.item(r, c).setTextAlignment(Qt.AlignCenter)
        self.confusion.fit_height()

    @staticmethod
    def _cell_tint(diagonal: bool, n: int, biggest: int) -> QColor | None:
        if not n:
            return None
        strength = 0.25 + 0.75 * n / biggest
        base = QColor("#2f9e44") if diagonal else QColor("#d64545")
        white = QColor("#ffffff")
        mix = lambda a, b: round(b + (a - b) * strength * 0.45)  # noqa: E731
        return QColor(mix(base.red(), white.red()), mix(base.green(), white.green()), mix(base.blue(), white.blue()))

    def _request(self, row: int) -> None:
        if 0 <= row < len(getattr(self, "_worst", [])):
            self.articleRequested.emit(self._worst[row]["article_id"])

    def worst_article_ids(self) -> list[str]:
        return [a["article_id"] for a in getattr(self, "_worst", [])]
