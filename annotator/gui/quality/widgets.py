"""Small building blocks of the quality pages: QtCharts charts in one style, metric cards,
read-only tables with value colouring."""

from __future__ import annotations

import html
import math
from datetime import date, datetime, time, timezone

from PySide6.QtCharts import (
    QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QDateTimeAxis, QHorizontalStackedBarSeries,
    QLineSeries, QValueAxis,
)
from PySide6.QtCore import QDateTime, QEvent, QMargins, QObject, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QFrame, QHBoxLayout, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

PALETTE = ["#3b6fd1", "#8fb3ee", "#e07a2f", "#f2b88b", "#2f9e44", "#9b59b6", "#d64545", "#7b8794"]
MUTED = "#5f6b7a"
INK_ON_TINT = "#1d1d1f"


def fmt(value: float | None, digits: int = 3) -> str:
    """A figure as the pages show it ("—" when undefined)."""
    return "—" if value is None else f"{value:.{digits}f}"


def score_tint(value: float | None) -> QColor | None:
    """Background of an agreement figure: red below 0.6, amber below 0.8, green above."""
    if value is None:
        return None
    if value >= 0.8:
        return QColor("#dcf2e0")
    if value >= 0.6:
        return QColor("#fdf0d2")
    return QColor("#fbdada")


def _numeric(value) -> bool:
    text = str(value)
    return text == "—" or text.replace(".", "", 1).replace("-", "", 1).isdigit()


def heading(text: str = "", scale: float = 1.4) -> QLabel:
    """Bold plain text, `scale` times the normal size: page titles and the figures of cards."""
    label = QLabel(text)
    label.setTextFormat(Qt.PlainText)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label


def header_row(title: QLabel, subtitle: QLabel, *widgets) -> QHBoxLayout:
    """A page's top row: title over subtitle on the left, then `widgets` (an int: spacing)."""
    top = QHBoxLayout()
    titles = QVBoxLayout()
    titles.setSpacing(0)
    titles.addWidget(title)
    titles.addWidget(subtitle)
    top.addLayout(titles, 1)
    for widget in widgets:
        if isinstance(widget, int):
            top.addSpacing(widget)
        else:
            top.addWidget(widget)
    return top


def muted(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.PlainText)
    label.setStyleSheet(f"color: {MUTED};")
    return label


class CardFrame(QFrame):
    """The framed panel cards are drawn on (`Card` here, the dashboard's progress cards)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("card")
        self.setStyleSheet("#card { background: palette(base); border: 1px solid #d5d9de; border-radius: 6px; }")

    def stack(self, *widgets: QWidget, bottom: int = 8, spacing: int = 0) -> None:
        """Lay the widgets out in the card, top to bottom (`bottom`: the margin below them)."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, bottom)
        layout.setSpacing(spacing)
        for widget in widgets:
            layout.addWidget(widget)


class Card(CardFrame):
    """A headline figure with a caption: “Entity F1 (exact)  0.912”."""

    def __init__(self, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.caption = muted(caption)
        self.value = heading("—", 1.9)
        self.note = muted()
        small = self.note.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.note.setFont(small)
        self.stack(self.caption, self.value, self.note)

    def set(self, value: str, note: str = "", color: str | None = None) -> None:
        self.value.setText(value)
        self.value.setStyleSheet(f"color: {color};" if color else "")
        self.note.setText(note)


def score_color(value: float | None) -> str | None:
    if value is None:
        return None
    return "#2f7d3a" if value >= 0.8 else "#b7791f" if value >= 0.6 else "#c53030"


class Table(QTableWidget):
    """A read-only table filled from rows of plain values."""

    def __init__(self, headers: list[str], parent: QWidget | None = None):
        super().__init__(0, len(headers), parent)
        self.setHorizontalHeaderLabels(headers)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.setShowGrid(True)
        self.setWordWrap(False)
        self.setStyleSheet("QTableWidget { gridline-color: #e3e6ea; } QTableWidget::item { padding: 0 6px; }"
                           "QTableWidget::item:selected { background: #2f6fd1; color: white; }")
        self.horizontalHeader().setDefaultAlignment(Qt.AlignLeft | Qt.AlignVCenter)

    def fill(self, rows: list[list], *, numeric_from: int = 1, tints: list[list[QColor | None]] | None = None,
             bold_rows: set[int] = frozenset(), stretch: int | None = None, share: bool = False) -> None:
        """share: the first column fits its content, the others share the rest of the width."""
        self.setRowCount(len(rows))
        bold = QFont(self.font())
        bold.setBold(True)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(str(value))
                if c >= numeric_from and _numeric(value):
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if tints and tints[r][c] is not None:
                    item.setBackground(tints[r][c])
                    item.setForeground(QColor(INK_ON_TINT))  # the tints are light, in the dark theme too
                if r in bold_rows:
                    item.setFont(bold)
                self.setItem(r, c, item)
        header = self.horizontalHeader()
        for c in range(self.columnCount()):  # headers of number columns right-aligned, like the numbers
            head = self.horizontalHeaderItem(c)
            numeric = c >= numeric_from and bool(rows) and all(_numeric(r[c]) for r in rows)
            if head is not None:
                head.setTextAlignment((Qt.AlignRight if numeric else Qt.AlignLeft) | Qt.AlignVCenter)
        if share:
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
            header.setSectionResizeMode(QHeaderView.Stretch)
            header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
            return
        header.setSectionResizeMode(QHeaderView.Interactive)
        self.resizeColumnsToContents()
        if stretch is not None:
            header.setSectionResizeMode(stretch, QHeaderView.Stretch)


    def fit_height(self, max_rows: int = 12) -> None:
        """As tall as its rows (up to max_rows), so short tables leave room to the others."""
        rows = min(self.rowCount(), max_rows)
        header = self.horizontalHeader().sizeHint().height()
        self.setFixedHeight(header + sum(self.rowHeight(r) for r in range(rows)) + 2 * self.frameWidth() + 1)


class ReadableColumn(QObject):
    """Keeps one column of a table readable however many columns there are (see keep_readable)."""

    def __init__(self, table: QTableWidget):
        super().__init__(table)
        self.table = table
        self.column, self.minimum, self.shrink, self.floor = 0, 0, [], 0
        self.natural: dict[int, int] = {}
        table.viewport().installEventFilter(self)  # the viewport: its size is settled when it resizes

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        table, header = self.table, self.table.horizontalHeader()
        n = table.columnCount()
        if self.column >= n:
            return
        fixed = sum(self.natural.get(c, table.columnWidth(c)) for c in range(n)
                    if c != self.column and c not in self.shrink)
        room = table.viewport().width() - fixed - self.minimum
        # the narrowest columns keep their width, the others share what is left ("water filling")
        widths, budget = {}, max(room, 0)
        order = sorted(self.shrink, key=lambda c: self.natural[c])
        for i, c in enumerate(order):
            widths[c] = max(self.floor, min(self.natural[c], budget // (len(order) - i)))
            budget -= widths[c]
        for c, width in widths.items():
            table.setColumnWidth(c, width)
        fits = fixed + sum(widths.values()) + self.minimum <= table.viewport().width()
        header.setSectionResizeMode(self.column, QHeaderView.Stretch if fits else QHeaderView.Interactive)
        if not fits:
            table.setColumnWidth(self.column, self.minimum)


def keep_readable(table: QTableWidget, column: int, minimum: int, shrink: range | list[int], floor: int) -> None:
    """Call after filling `table`: `column` stretches and stays at least `minimum` pixels wide; the
    `shrink` columns give up width first, down to `floor` each (their text is elided, as Qt does,
    and their tooltips hold it whole). Follows the table's resizing."""
    keeper = table.findChild(ReadableColumn) or ReadableColumn(table)
    keeper.column, keeper.minimum, keeper.floor = column, minimum, floor
    keeper.shrink = [c for c in shrink if c != column]
    keeper.natural = {c: table.columnWidth(c) for c in range(table.columnCount())}
    table.setTextElideMode(Qt.ElideRight)
    keeper.fit()


# ---- charts -----------------------------------------------------------------------------------
def chart_text(text: str) -> str:
    """Text for a chart's title, axis labels or legend: Qt Charts render those as HTML, and names of
    people, layers and labels are data (shown literally, never markup)."""
    return html.escape(str(text), quote=False)


def chart_view(title: str) -> QChartView:
    view = QChartView(_chart(title))
    view.setRenderHint(QPainter.Antialiasing)
    view.setMinimumHeight(220)
    view.setStyleSheet("background: transparent;")
    return view


def dark() -> bool:
    """Is the application's theme dark (its window colour)?"""
    return QApplication.palette().color(QPalette.Window).lightness() < 128


def ink() -> str:
    """The colour of text on the window, in the theme of the moment."""
    return QApplication.palette().color(QPalette.WindowText).name()


def _chart(title: str) -> QChart:
    """A chart in the application's theme: dark when the window colour is dark."""
    chart = QChart()
    if dark():
        chart.setTheme(QChart.ChartThemeDark)
    chart.setTitle(chart_text(title))
    font = chart.titleFont()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    chart.setTitleFont(font)
    chart.setAnimationOptions(QChart.NoAnimation)
    chart.setBackgroundRoundness(6)
    chart.setMargins(QMargins(6, 4, 6, 4))
    chart.legend().setAlignment(Qt.AlignBottom)
    return chart


def _replace(view: QChartView, title: str) -> QChart:
    old = view.chart()
    chart = _chart(title)
    view.setChart(chart)
    if old is not None:
        old.deleteLater()
    return chart


def nice_step(top: float, ticks: int = 6) -> float:
    """A round tick interval (1, 2 or 5 × 10^k) giving about `ticks` intervals up to `top`."""
    raw = max(top, 1e-9) / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return max(factor * power, 1e-9)
    return 10 * power


def _axis_font(axis) -> None:
    font = axis.labelsFont()
    font.setPointSizeF(font.pointSizeF() * 0.9)
    axis.setLabelsFont(font)
    axis.setGridLineColor(QColor("#3a3d42" if dark() else "#e6e8eb"))
    axis.setTruncateLabels(False)


def set_bars(view: QChartView, title: str, categories: list[str], series: dict[str, list[float]],
             colors: list[str] | None = None, *, y_max: float | None = None, precision: int = 2,
             # precision: significant digits of the bar labels (2: 0.88; counts need more)
             y_title: str = "") -> QChart:
    """Grouped vertical bars: one bar set per entry of `series`, one group per category."""
    chart = _replace(view, title)
    bars = QBarSeries()
    colors = colors or PALETTE
    top = 0.0
    for n, (name, values) in enumerate(series.items()):
        bar_set = QBarSet(chart_text(name))
        bar_set.append([float(v or 0) for v in values])
        bar_set.setColor(QColor(colors[n % len(colors)]))
        bar_set.setBorderColor(QColor(colors[n % len(colors)]))
        bar_set.setLabelColor(QColor(ink()))
        small = bar_set.labelFont()
        small.setPointSizeF(small.pointSizeF() * (0.8 if len(series) > 2 else 0.9))
        bar_set.setLabelFont(small)
        bars.append(bar_set)
        top = max([top, *[float(v or 0) for v in values]])
    bars.setLabelsVisible(True)
    bars.setLabelsPosition(QBarSeries.LabelsOutsideEnd)
    bars.setLabelsPrecision(precision)  # significant digits
    bars.setLabelsFormat("@value")
    bars.setBarWidth(0.8)
    chart.addSeries(bars)
    x = QBarCategoryAxis()
    x.append([chart_text(c) for c in categories])
    _axis_font(x)
    chart.addAxis(x, Qt.AlignBottom)
    bars.attachAxis(x)
    y = QValueAxis()
    upper = y_max if y_max is not None else max(1.0, top * 1.15)
    y.setRange(0, upper)
    y.setTickType(QValueAxis.TicksDynamic)
    y.setTickAnchor(0)
    if upper <= 1.5:
        y.setLabelFormat("%.1f")
        y.setTickInterval(0.2)
    else:
        step = max(1, nice_step(top))
        upper = math.ceil(top * 1.1 / step) * step
        y.setRange(0, upper)
        y.setLabelFormat("%d")
        y.setTickInterval(step)
    if y_title:
        y.setTitleText(y_title)
    _axis_font(y)
    chart.addAxis(y, Qt.AlignLeft)
    bars.attachAxis(y)
    chart.legend().setVisible(len(series) > 1)
    return chart


def set_stacked_hbars(view: QChartView, title: str, categories: list[str], series: dict[str, list[float]],
                      colors: dict[str, str]) -> QChart:
    """Horizontal stacked bars (categories top to bottom in the given order)."""
    chart = _replace(view, title)
    bars = QHorizontalStackedBarSeries()
    top = [0.0] * len(categories)
    for name, values in series.items():
        bar_set = QBarSet(chart_text(name))
        bar_set.append([float(v) for v in reversed(values)])  # the axis draws bottom-up
        bar_set.setColor(QColor(colors.get(name, "#7b8794")))
        bar_set.setBorderColor(QColor("#ffffff"))
        bar_set.setLabelColor(QColor("#ffffff"))
        bars.append(bar_set)
        top = [t + float(v) for t, v in zip(top, values)]
    bars.setLabelsVisible(True)
    bars.setLabelsFormat("@value")
    bars.setLabelsPrecision(3)
    bars.setBarWidth(0.7)
    chart.addSeries(bars)
    y = QBarCategoryAxis()
    y.append([chart_text(c) for c in reversed(categories)])
    _axis_font(y)
    chart.addAxis(y, Qt.AlignLeft)
    bars.attachAxis(y)
    x = QValueAxis()
    step = max(1, nice_step(max([1.0, *top])))
    x.setRange(0, math.ceil(max([1.0, *top]) * 1.05 / step) * step)
    x.setLabelFormat("%d")
    x.setTickType(QValueAxis.TicksDynamic)
    x.setTickAnchor(0)
    x.setTickInterval(step)
    _axis_font(x)
    chart.addAxis(x, Qt.AlignBottom)
    bars.attachAxis(x)
    chart.legend().setVisible(True)
    return chart


def _msecs(day: date) -> float:
    return float(QDateTime(datetime.combine(day, time(12), tzinfo=timezone.utc)).toMSecsSinceEpoch())


def set_lines_by_day(view: QChartView, title: str, series: dict[str, list[tuple[date, float]]],
                     colors: dict[str, str] | None = None, *, y_title: str = "") -> QChart:
    """One line per entry, x = days (a date axis), y = values; points are marked."""
    chart = _replace(view, title)
    days = sorted({d for points in series.values() for d, _ in points})
    if not days:
        chart.setTitle(chart_text(title + " (nothing yet)"))
        return chart
    top = 1.0
    x = QDateTimeAxis()
    x.setFormat("d MMM")
    first, last = days[0], days[-1]
    span_days = max((last - first).days, 1)
    x.setRange(QDateTime.fromMSecsSinceEpoch(int(_msecs(first) - 43_200_000)),
               QDateTime.fromMSecsSinceEpoch(int(_msecs(last) + 43_200_000)))
    x.setTickCount(min(span_days + 2, 9))
    _axis_font(x)
    chart.addAxis(x, Qt.AlignBottom)
    y = QValueAxis()
    _axis_font(y)
    chart.addAxis(y, Qt.AlignLeft)
    for n, (name, points) in enumerate(series.items()):
        line = QLineSeries()
        line.setName(chart_text(name))
        color = QColor((colors or {}).get(name, PALETTE[n % len(PALETTE)]))
        pen = QPen(color)
        pen.setWidthF(2.5)
        if name.startswith("@"):
            pen.setStyle(Qt.DashLine)
        line.setPen(pen)
        line.setPointsVisible(True)
        for day, value in points:
            line.append(_msecs(day), float(value))
            top = max(top, float(value))
        chart.addSeries(line)
        line.attachAxis(x)
        line.attachAxis(y)
    step = max(1, nice_step(top, 5))
    y.setRange(0, math.ceil((top + 0.5) / step) * step)
    y.setLabelFormat("%d")
    y.setTickType(QValueAxis.TicksDynamic)
    y.setTickAnchor(0)
    y.setTickInterval(step)
    if y_title:
        y.setTitleText(y_title)
    chart.legend().setVisible(True)
    return chart
