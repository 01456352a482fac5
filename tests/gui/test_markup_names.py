"""Names are data (issue 12.11, issue 11.13): an annotator, a database, an article title, a speaker
or a label description holding markup shows literally everywhere (labels, tooltips, charts), and
the dashboard counts a person's mentions as one speaker."""

import os

import pytest
from PySide6.QtCharts import QBarCategoryAxis, QChartView
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from annotator.core.model import SpanRef
from annotator.core.store import Store
from tests.helpers import at

BOLD = "<b>x</b>"
IMAGE = "<img src=x.png>"
DB_NAME = "<b>bold <img src=x.png>.db"  # a file name cannot hold "/"
TEXT = ("Sekjen PBB Antonio Guterres berbicara di New York. “Perang harus berhenti,” kata Guterres. "
        "“Kami menolak,” ujar <img src=x.png> kemudian.")


@pytest.fixture
def hostile_db(tmp_path):
    path = str(tmp_path / DB_NAME)
    with Store(path) as store:
        store.add_article("a1", TEXT, title=f"{IMAGE} {BOLD}")
        for name in (BOLD, "plain"):
            store.add_entity("a1", name, *at(TEXT, "Antonio Guterres"), "PERSON")
            guterres = SpanRef(*at(TEXT, "Antonio Guterres"), "PERSON")
            store.add_quote("a1", name, *at(TEXT, "Perang harus berhenti"), speaker=SpanRef(*at(TEXT, "Guterres", 1),
                                                                                            "PERSON"), stance="OPPOSE")
            store.add_quote("a1", name, *at(TEXT, "Kami menolak"), speaker=SpanRef(*at(TEXT, IMAGE), "PERSON"),
                            stance="SUPPORT")
            store.add_quote("a1", name, *at(TEXT, "Sekjen PBB"), speaker=guterres, stance="NEUTRAL")
            store.set_status("a1", name, "done")
    return path


def shown_markup(root: QWidget) -> list[str]:
    """Every place under `root` where Qt would render BOLD or IMAGE as markup."""
    found = []
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if isinstance(w, QLabel) and ("<b>" in w.text() or IMAGE in w.text()) and w.textFormat() != Qt.PlainText:
            found.append(f"label {w.objectName() or w.text()!r}")
        tip = w.toolTip()
        if "<b>" in tip or IMAGE in tip:
            found.append(f"tooltip of {type(w).__name__} {w.objectName()}: {tip!r}")
        if isinstance(w, QChartView) and w.chart() is not None:
            chart = w.chart()
            texts = [chart.title()]
            for axis in chart.axes():
                if isinstance(axis, QBarCategoryAxis):
                    texts += axis.categories()
            for series in chart.series():
                texts.append(series.name())
                texts += [s.label() for s in getattr(series, "barSets", lambda: [])()]
            found += [f"chart text {t!r}" for t in texts if "<b>" in t or IMAGE in t]
    return found


def test_names_with_markup_show_literally_in_the_window(hostile_db, open_window, qtbot):
    window = open_window(hostile_db, annotator=BOLD)
    assert window.annotator_label.text() == f"Annotator: {BOLD}"
    assert DB_NAME in window.db_label.text()
    window.browser.update_counts()
    assert shown_markup(window) == []
    window.statusBar().grab().save("scratch/markup-status.png") if os.path.isdir("scratch") else None


@pytest.mark.parametrize("page", ["agreement", "dashboard"])
def test_names_with_markup_show_literally_on_the_quality_pages(hostile_db, open_window, qtbot, page):
    window = open_window(hostile_db, annotator=BOLD)
    tool = window.open_page(page)
    qtbot.waitExposed(tool)
    if page == "agreement":
        qtbot.waitUntil(lambda: tool.page.report is not None, timeout=10000)
    assert DB_NAME in tool.windowTitle()  # a window title is plain text
    assert shown_markup(tool) == []
    tool.grab().save(f"scratch/markup-{page}.png") if os.path.isdir("scratch") else None


def test_the_dashboard_counts_a_persons_mentions_as_one_speaker(hostile_db, open_window, qtbot):
    window = open_window(hostile_db, annotator="plain")
    page = window.open_page("dashboard").page
    speakers = dict(page.figures["speakers"])
    assert speakers["Antonio Guterres"] == {"OPPOSE": 2, "NEUTRAL": 2}  # "Guterres" joined the full name
    assert "Guterres" not in speakers and speakers[IMAGE] == {"SUPPORT": 2}
    axis = next(a for a in page.speaker_chart.chart().axes() if isinstance(a, QBarCategoryAxis))
    assert sorted(axis.categories()) == sorted(["Antonio Guterres", "&lt;img src=x.png&gt;"])
    QApplication.processEvents()
