"""The project dashboard: progress per annotator (and of the gold) over time, label
distribution, the stance of the most quoted speakers, and how often annotators accepted the
model's suggestions. Figures come from `stats` (aggregate queries); refresh() reloads them."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox, QGridLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget,
)

from annotator.core.model import GOLD_LAYER
from annotator.core.store import Store
from annotator.project import statistics as stats
from annotator.gui.quality.widgets import (
    PALETTE, CardFrame, Table, chart_view, fmt, header_row, heading, ink, muted, set_bars, set_lines_by_day, set_stacked_hbars,
)

NO_STANCE = "no stance"
OUTCOME_COLORS = {"accepted": "#2f9e44", "rejected": "#d64545", "pending": "#aab2bd"}
OUTCOME_HEADERS = ["Suggested", "By", "Accepted", "Rejected", "Pending", "Acceptance"]


class ProgressCard(CardFrame):
    """One annotator: done of all articles, with a bar."""

    def __init__(self, name: str, color: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.name = QLabel(name)
        self.name.setTextFormat(Qt.PlainText)
        font = self.name.font()
        font.setBold(True)
        self.name.setFont(font)
        self.name.setStyleSheet(f"color: {color};")
        self.figure = heading(scale=1.5)
        self.note = muted()
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(6)
        self.bar.setStyleSheet(f"QProgressBar {{ background: palette(midlight); border: none; border-radius: 3px; }}"
                               f"QProgressBar::chunk {{ background: {color}; border-radius: 3px; }}")
        self.stack(self.name, self.figure, self.note, self.bar, bottom=10, spacing=2)

    def set(self, done: int, in_progress: int, total: int) -> None:
        self.figure.setText(f"{done} / {total} done")
        share = done / total if total else 0
        self.note.setText(f"{share:.0%} · {in_progress} in progress")
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)


class DashboardPage(QWidget):
    """Project figures. API: refresh(), figures (the last numbers shown, a dict), articleRequested."""

    articleRequested = Signal(str)  # for symmetry with the other pages (nothing here opens articles yet)

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.figures: dict = {}
        self._build()
        self.refresh()

    def _build(self) -> None:
        config = self.store.config
        self.title = heading("Project dashboard")
        self.subtitle = muted(f"{config.name} · stance toward: {config.target}")
        self.speaker_layer = QComboBox()
        self.speaker_layer.setToolTip("Whose quotes the speaker chart counts")
        self.speaker_layer.currentIndexChanged.connect(lambda *_: self._fill_speakers())
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Reload the figures (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        QShortcut(QKeySequence("F5"), self, self.refresh, context=Qt.WidgetWithChildrenShortcut)
        top = header_row(self.title, self.subtitle, muted("Speakers' quotes of"), self.speaker_layer, 12,
                         self.refresh_button)

        self.cards_row = QHBoxLayout()
        self.cards: dict[str, ProgressCard] = {}

        self.progress_chart = chart_view("Articles done over time (cumulative)")
        self.label_chart = chart_view("Entity labels (accepted)")
        self.speaker_chart = chart_view("Stance of the most quoted speakers")
        self.outcome_chart = chart_view("Suggestions: accepted vs rejected")
        self.outcomes = Table(OUTCOME_HEADERS)

        outcomes = QWidget()
        ol = QVBoxLayout(outcomes)
        ol.setContentsMargins(0, 0, 0, 0)
        ol.setSpacing(4)
        ol.addWidget(self.outcome_chart, 1)
        ol.addWidget(self.outcomes)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(10)
        grid.addWidget(self.progress_chart, 0, 0)
        grid.addWidget(self.label_chart, 0, 1)
        grid.addWidget(self.speaker_chart, 1, 0)
        grid.addWidget(outcomes, 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(0, 5)
        grid.setRowStretch(1, 6)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self.cards_row)
        layout.addLayout(grid, 1)

    # ---- figures --------------------------------------------------------------------------
    def _colors(self, names: list[str]) -> dict[str, str]:
        people = [n for n in names if n != GOLD_LAYER]
        colors = {name: PALETTE[(2 * i) % len(PALETTE)] if i < 4 else PALETTE[i % len(PALETTE)]
                  for i, name in enumerate(people)}
        colors[GOLD_LAYER] = ink()
        return colors

    def refresh(self) -> None:
        progress = stats.layer_progress(self.store)
        per_day = stats.done_per_day(self.store)
        labels = stats.label_counts(self.store)
        outcomes = stats.suggestion_outcomes(self.store)
        self.figures = {"progress": progress, "done_per_day": per_day, "labels": labels, "outcomes": outcomes}
        colors = self._colors(list(progress))
        self._fill_cards(progress, colors)
        set_lines_by_day(self.progress_chart, "Articles done over time (cumulative)",
                         {name: stats.cumulative(points) for name, points in per_day.items()}, colors,
                         y_title="articles")
        label_names = list(self.store.config.label_names)
        set_bars(self.label_chart, "Entity labels (accepted)", label_names,
                 {name: [counts.get(label, 0) for label in label_names] for name, counts in labels.items()},
                 [colors[name] if name != GOLD_LAYER else "#5f6b7a" for name in labels], precision=9)
        self._fill_speaker_choice(list(progress))
        self._fill_speakers()
        self._fill_outcomes(outcomes)

    def _fill_cards(self, progress: dict, colors: dict[str, str]) -> None:
        for name in list(self.cards):
            if name not in progress:
                self.cards.pop(name).deleteLater()
        for name, p in progress.items():
            if name not in self.cards:
                self.cards[name] = ProgressCard(f"{name} (reviewed)" if name == GOLD_LAYER else name, colors[name])
                self.cards_row.addWidget(self.cards[name])
            self.cards[name].set(p["done"], p["in_progress"], p["total"])
        if not progress:
            placeholder = self.cards.setdefault("", ProgressCard("no annotators yet", "#7b8794"))
            self.cards_row.addWidget(placeholder)
            placeholder.set(0, 0, self.store.article_count())

    def _fill_speaker_choice(self, layers: list[str]) -> None:
        current = self.speaker_layer.currentData()
        self.speaker_layer.blockSignals(True)
        self.speaker_layer.clear()
        self.speaker_layer.addItem("all annotators", stats.ALL)
        for name in layers:
            self.speaker_layer.addItem(name, name)
        index = self.speaker_layer.findData(current)
        self.speaker_layer.setCurrentIndex(max(index, 0))
        self.speaker_layer.blockSignals(False)

    def _fill_speakers(self) -> None:
        layer = self.speaker_layer.currentData() or stats.ALL
        speakers = stats.speaker_stances(self.store, layer, top=10)
        whose = "all annotators" if layer == stats.ALL else layer
        self.figures["speakers"] = speakers
        stance_names = list(self.store.config.stance_names)
        colors = {label.name: label.color for label in self.store.config.stance_labels}
        colors[NO_STANCE] = "#c9ced6"
        series = {name: [counts.get(name, 0) for _, counts in speakers] for name in stance_names}
        if any(counts.get(None) for _, counts in speakers):
            series[NO_STANCE] = [counts.get(None, 0) for _, counts in speakers]
        title = (f"Stance toward the target of the {len(speakers)} most quoted speakers ({whose})" if speakers
                 else f"Stance toward the target: no accepted quote with a speaker yet ({whose})")
        set_stacked_hbars(self.speaker_chart, title, [_short(name) for name, _ in speakers], series, colors)

    def _fill_outcomes(self, outcomes: list[dict]) -> None:
        machine = [o for o in outcomes if o["source"] != "human"]
        categories = [f"{o['what']} · {o['source']}" for o in machine]
        set_stacked_hbars(self.outcome_chart, "Suggestions in annotators' layers: accepted vs rejected", categories,
                          {"accepted": [o["accepted"] for o in machine], "rejected": [o["rejected"] for o in machine],
                           "pending": [o["pending"] for o in machine]}, OUTCOME_COLORS)
        rows = [[o["what"], o["source"] if o["source"] == "human" else f"{o['source']} · {o['model']}",
                 o["accepted"], o["rejected"] if o["source"] != "human" else "—",
                 o["pending"] if o["source"] != "human" else "—",
                 fmt(o["acceptance"], 2) if o["acceptance"] is not None else "—"] for o in outcomes]
        self.outcomes.fill(rows, numeric_from=2, stretch=1)
        for r, o in enumerate(outcomes):
            if o["source"] == "human":
                self.outcomes.item(r, 1).setText("added by hand")
        self.outcomes.fit_height(max_rows=8)


def _short(text: str, n: int = 28) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
