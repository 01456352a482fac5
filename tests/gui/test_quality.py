"""The quality pages driven like a user would: keys in the review, the agreement page against
agreement_report, the dashboard's counts."""

import os
import subprocess
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

import annotator.gui  # noqa: E402,F401  (reference guard first)
from annotator.core.agreement import agreement_report, worst_articles  # noqa: E402
from annotator.core.model import GOLD_LAYER, SpanRef  # noqa: E402
from annotator.gui.quality.widgets import fmt  # noqa: E402
from tests.helpers import at  # noqa: E402

BACKENDS = ("sqlite", "postgres")  # the same tests on a file and on a PostgreSQL server

T1 = ("Menteri Luar Negeri Retno Marsudi berbicara di Jakarta pada Senin. "
      "“Kami menolak pengerahan pasukan itu,” kata Retno Marsudi.")
T2 = "Sekjen NATO Mark Rutte mengecam Korea Utara di Brussel."
REVIEWER = "lead"


@pytest.fixture
def db(store):
    """a1: alice and bob agree on PERSON Retno Marsudi, disagree on Jakarta (LOC / ORG) and on the
    stance of the quote; a2: both mark NATO (ORG) and Mark Rutte (PERSON)."""
    store.add_article("a1", T1, title="Retno Marsudi di Jakarta")
    store.add_article("a2", T2, title="Rutte mengecam")
    quote = at(T1, "Kami menolak pengerahan pasukan itu")
    speaker = SpanRef(*at(T1, "Retno Marsudi", 1), "PERSON")
    for name, jakarta, stance in (("alice", "LOC", "OPPOSE"), ("bob", "ORG", "NEUTRAL")):
        store.add_entity("a1", name, *at(T1, "Retno Marsudi"), "PERSON", source="model", model="m1",
                         status="accepted" if name == "alice" else "rejected")
        if name == "bob":
            store.add_entity("a1", name, *at(T1, "Retno Marsudi"), "PERSON")
        store.add_entity("a1", name, *at(T1, "Jakarta"), jakarta)
        store.add_entity("a1", name, *at(T1, "Retno Marsudi", 1), "PERSON")  # the speaker of the quote
        store.add_quote("a1", name, *quote, speaker=speaker, cue=SpanRef(*at(T1, "kata")), stance=stance)
        store.add_entity("a2", name, *at(T2, "NATO"), "ORG")
        store.add_entity("a2", name, *at(T2, "Mark Rutte"), "PERSON")
        store.set_status("a1", name, "done")
    store.set_status("a2", "alice", "done")
    return store


def gold_entities(store, article_id):
    return sorted((e.start, e.end, e.label) for e in store.get_layer(article_id, GOLD_LAYER).entities
                  if e.status != "rejected")


def row_index(widget, kind, start=None):
    return next(i for i, r in enumerate(widget.rows) if r.kind == kind and (start is None or r.start == start))


@pytest.fixture
def review(qtbot, db):
    from annotator.gui.quality.review import ReviewWidget

    widget = ReviewWidget(db, REVIEWER)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()
    widget.table.setFocus()
    return widget


def press(qtbot, widget, key, modifier=Qt.NoModifier):
    qtbot.keyClick(widget.table, key, modifier)


# ---- review ---------------------------------------------------------------------------------
def test_review_shows_each_annotator_side_by_side(review):
    assert review.article_id == "a1"
    assert review.columns == ["alice", "bob"]
    headers = [review.table.horizontalHeaderItem(c).text() for c in range(review.table.columnCount())]
    assert headers[-3:] == ["1 alice", "2 bob", "Gold"]
    i = row_index(review, "entity", at(T1, "Jakarta")[0])
    cells = [review.table.item(i, c).text() for c in range(review.table.columnCount())]
    assert cells[1:] == ["Jakarta", "✗ conflict", "LOC", "ORG", ""]
    j = row_index(review, "entity", at(T1, "Retno Marsudi")[0])
    assert review.table.item(j, 2).text() == "✓ agree"  # alice's accepted suggestion = bob's own span


def test_review_decisions_are_undone_with_ctrl_z(qtbot, review, db):
    """A review decision, Ctrl+Z: the gold layer is back as before, in the database; Ctrl+Shift+Z redoes."""
    jakarta = at(T1, "Jakarta")
    review.select_row(row_index(review, "entity", jakarta[0]))
    press(qtbot, review, Qt.Key_2)  # bob's version: the first decision creates the gold layer
    assert gold_entities(db, "a1") == [(*jakarta, "ORG")]
    first = db.get_layer("a1", GOLD_LAYER)
    review.select_row(row_index(review, "entity", jakarta[0]))
    press(qtbot, review, Qt.Key_1)  # alice's version replaces it
    assert gold_entities(db, "a1") == [(*jakarta, "LOC")]

    press(qtbot, review, Qt.Key_Z, Qt.ControlModifier)
    assert db.get_layer("a1", GOLD_LAYER) == first  # the same items, ids and fields
    assert "Undone" in review.feedback.text()
    assert review.table.item(row_index(review, "entity", jakarta[0]), review.table.columnCount() - 1).text() \
        .startswith("ORG")  # the table shows the gold as stored
    press(qtbot, review, Qt.Key_Z, Qt.ControlModifier)
    assert not db.has_layer("a1", GOLD_LAYER)  # before the first decision there was no gold
    press(qtbot, review, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    press(qtbot, review, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert gold_entities(db, "a1") == [(*jakarta, "LOC")]

    review.next_article()  # an undo of another article's decision shows that article first
    press(qtbot, review, Qt.Key_Z, Qt.ControlModifier)
    assert review.article_id == "a1" and gold_entities(db, "a1") == [(*jakarta, "ORG")]


def test_review_keys_write_the_gold_layer(qtbot, review, db):
    jakarta = at(T1, "Jakarta")
    review.select_row(row_index(review, "entity", jakarta[0]))
    press(qtbot, review, Qt.Key_2)  # bob's version
    assert gold_entities(db, "a1") == [(*jakarta, "ORG")]
    def gold_cell():
        return review.table.item(row_index(review, "entity", jakarta[0]), review.table.columnCount() - 1)

    assert gold_cell().text() == "ORG"
    review.select_row(row_index(review, "entity", jakarta[0]))
    press(qtbot, review, Qt.Key_1)  # alice's version replaces it
    assert gold_entities(db, "a1") == [(*jakarta, "LOC")]
    assert gold_cell().text() == "✓ LOC"  # ✓: the gold holds the majority version (a tie goes to column 1)
    review.select_row(row_index(review, "entity", jakarta[0]))
    press(qtbot, review, Qt.Key_D)  # out of gold again
    assert gold_entities(db, "a1") == []

    retno = at(T1, "Retno Marsudi")
    review.select_row(row_index(review, "entity", retno[0]))
    press(qtbot, review, Qt.Key_Return)  # the majority (here: the agreed) version
    assert gold_entities(db, "a1") == [(*retno, "PERSON")]
    assert review.table.currentRow() == row_index(review, "entity", retno[0]) + 1  # moved on

    review.select_row(row_index(review, "quote"))
    press(qtbot, review, Qt.Key_1)
    (quote,) = db.get_layer("a1", GOLD_LAYER).quotes
    assert (quote.stance, quote.speaker, quote.status) == ("OPPOSE", SpanRef(*at(T1, "Retno Marsudi", 1), "PERSON"),
                                                           "accepted")
    review.select_row(row_index(review, "quote"))
    press(qtbot, review, Qt.Key_F3)  # F3 = NEUTRAL in the project configuration
    assert db.get_layer("a1", GOLD_LAYER).quotes[0].stance == "NEUTRAL"

    press(qtbot, review, Qt.Key_Return, Qt.ControlModifier)  # refused: the speaker's row is not decided
    assert db.get_layer("a1", GOLD_LAYER).status == "in_progress"
    assert "1 row is not decided" in review.feedback.text()
    speaker = at(T1, "Retno Marsudi", 1)
    assert review.table.currentRow() == row_index(review, "entity", speaker[0])  # moved to it
    assert "1 undecided" in review.summary.text()
    press(qtbot, review, Qt.Key_D)  # removing the speaker's entity leaves the quote's speaker dangling
    press(qtbot, review, Qt.Key_Return, Qt.ControlModifier)
    assert db.get_layer("a1", GOLD_LAYER).status == "in_progress"
    assert "speaker “Retno Marsudi”" in review.feedback.text() and "removed from @gold" in review.feedback.text()
    review.select_row(row_index(review, "entity", speaker[0]))
    press(qtbot, review, Qt.Key_1)
    press(qtbot, review, Qt.Key_Return, Qt.ControlModifier)  # every row decided, the quote consistent: done
    assert db.get_layer("a1", GOLD_LAYER).status == "done"
    assert "done" in review.gold_status.text()
    assert {r["actor"] for r in db.edit_log("a1") if r["layer"] == GOLD_LAYER} == {REVIEWER}


def test_review_accepts_everything_agreed_and_pages_through_articles(qtbot, review, db):
    with qtbot.waitSignal(review.articleChanged, timeout=2000) as changed:
        press(qtbot, review, Qt.Key_PageDown)
    assert changed.args == ["a2"] and review.article_id == "a2"
    press(qtbot, review, Qt.Key_A, Qt.ShiftModifier)
    assert gold_entities(db, "a2") == sorted([(*at(T2, "NATO"), "ORG"), (*at(T2, "Mark Rutte"), "PERSON")])
    assert "accepted 2" in review.feedback.text()
    press(qtbot, review, Qt.Key_PageUp)
    assert review.article_id == "a1"
    press(qtbot, review, Qt.Key_A, Qt.ShiftModifier)  # on a1 only the two mentions of Retno Marsudi are agreed on
    assert gold_entities(db, "a1") == [(*at(T1, "Retno Marsudi"), "PERSON"), (*at(T1, "Retno Marsudi", 1), "PERSON")]


def test_review_reports_an_action_that_does_not_apply(qtbot, review, db):
    review.select_row(row_index(review, "entity", at(T1, "Jakarta")[0]))
    press(qtbot, review, Qt.Key_F1)  # a stance on an entity row
    assert "quote" in review.feedback.text()
    press(qtbot, review, Qt.Key_7)  # there is no annotator 7
    assert "no annotator 7" in review.feedback.text()
    assert not db.has_layer("a1", GOLD_LAYER)


# ---- agreement page -----------------------------------------------------------------------------
def test_agreement_page_shows_the_report_computed_in_the_background(qtbot, db):
    from annotator.gui.quality.agreement_page import AgreementPage

    expected = agreement_report(db)
    page = AgreementPage(db)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    assert page.busy  # computing off the GUI thread
    qtbot.waitUntil(lambda: page.report is not None, timeout=10000)
    assert not page.busy and page.progress.isHidden()
    assert page.report["pairs"] == expected["pairs"]
    pair = expected["pairs"][0]
    row = [page.pairs.item(0, c).text() for c in range(page.pairs.columnCount())]
    # by default only the articles both marked done: a1 (bob has not finished a2)
    assert row == ["alice – bob", "1", fmt(pair["entities"]["exact"]["f1"]), fmt(pair["entities"]["overlap"]["f1"]),
                   fmt(pair["quotes"]["exact"]["f1"]), fmt(pair["quotes"]["overlap"]["f1"]),
                   fmt(pair["speaker"]["agreement"]), fmt(pair["stance"]["kappa"]), "1", "—"]
    assert row[2] == "0.667"  # by hand: alice 3 and bob 3 entities (his rejected copy does not count), 2 exact
    assert "marked done by both" in page.subtitle.text()
    assert page.cards["entity_exact"].value.text() == fmt(expected["overall"]["entities"]["exact"]["f1"])
    bars = page.pair_chart.chart().series()[0].barSets()
    assert bars[0].at(0) == pytest.approx(pair["entities"]["exact"]["f1"])
    assert page.worst_article_ids() == [a["article_id"] for a in worst_articles(expected)] == ["a1"]

    page.in_progress.setChecked(True)  # the checkbox: count the articles in progress too
    qtbot.waitUntil(lambda: page.report is not None and not page.report["done_only"] and not page.busy, timeout=10000)
    assert page.pairs.item(0, 1).text() == "2" and "in progress included" in page.subtitle.text()
    assert page.worst_article_ids() == ["a1", "a2"]

    rect = page.worst.visualRect(page.worst.model().index(0, 0))
    with qtbot.waitSignal(page.articleRequested, timeout=2000) as requested:
        qtbot.mouseClick(page.worst.viewport(), Qt.LeftButton, pos=rect.center())  # a double-click is
        qtbot.mouseDClick(page.worst.viewport(), Qt.LeftButton, pos=rect.center())  # press, release, press
    assert requested.args == ["a1"]


# ---- dashboard ----------------------------------------------------------------------------------
def test_dashboard_shows_the_counts(qtbot, db):
    from annotator.gui.quality.dashboard import DashboardPage

    page = DashboardPage(db)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    assert page.cards["alice"].figure.text() == "2 / 2 done"
    assert page.cards["bob"].figure.text() == "1 / 2 done"
    assert page.figures["labels"]["alice"] == {"PERSON": 3, "ORG": 1, "LOC": 1, "DATE": 0}
    # the line chart: alice's cumulative count reaches 2
    lines = {s.name(): s for s in page.progress_chart.chart().series()}
    assert [p.y() for p in lines["alice"].points()][-1] == 2
    # stance per speaker: Retno Marsudi quoted once as OPPOSE (alice) and once as NEUTRAL (bob)
    assert page.figures["speakers"] == [("Retno Marsudi", {"OPPOSE": 1, "NEUTRAL": 1})]
    sets = {s.label(): s.at(0) for s in page.speaker_chart.chart().series()[0].barSets()}
    assert sets == {"SUPPORT": 0, "OPPOSE": 1, "NEUTRAL": 1}
    # the model's suggestion of Retno Marsudi: accepted by alice, rejected by bob
    row = next(r for r in range(page.outcomes.rowCount()) if page.outcomes.item(r, 1).text() == "model · m1")
    assert [page.outcomes.item(row, c).text() for c in range(2, 6)] == ["1", "1", "0", "0.50"]

    db.set_status("a2", "bob", "done")
    page.refresh()
    assert page.cards["bob"].figure.text() == "2 / 2 done"


def test_dashboard_charts_follow_the_dark_theme(qtbot, db):
    from PySide6.QtCharts import QChart
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QApplication

    from annotator.gui.quality.dashboard import DashboardPage
    from annotator.gui.theme import apply_theme

    app = QApplication.instance()
    apply_theme(app, "dark")
    try:
        page = DashboardPage(db)
        qtbot.addWidget(page)
        assert page.progress_chart.chart().theme() == QChart.ChartThemeDark
        assert page.progress_chart.chart().backgroundBrush().color().lightness() < 128
        # the gold layer's colour is the theme's ink, readable on the dark background
        assert QColor(page._colors(["alice", "@gold"])["@gold"]).lightness() > 128
    finally:
        apply_theme(app, "light")
    page.refresh()  # charts are rebuilt in the theme of the moment
    assert page.progress_chart.chart().theme() == QChart.ChartThemeLight


def test_runner_screenshots_a_page(tmp_path, db):
    # in its own process, as it is used: its app.exec()/quit() must not touch this test session's app
    out = tmp_path / "dash.png"
    db.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "annotator.gui.quality", db.path, "dashboard", "--screenshot",
                             str(out), "--size", "800x600"], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 10_000


def test_review_shows_why_a_done_gold_was_reopened(qtbot, review, db):
    from annotator.core.review import reopen_gold

    press(qtbot, review, Qt.Key_PageDown)  # a2: alice and bob agree on everything
    press(qtbot, review, Qt.Key_A, Qt.ShiftModifier)
    press(qtbot, review, Qt.Key_Return, Qt.ControlModifier)
    assert db.get_layer("a2", GOLD_LAYER).status == "done"
    db.add_entity("a2", "carol", *at(T2, "Brussel"), "LOC")  # as a merge would bring it
    # carol lacks NATO and Mark Rutte, and has Brussel: three rows differ from the gold
    assert reopen_gold(db, "a2", ["carol"], "the merge of carol.db", "@merge") == 3
    review.refresh()
    assert "gold: in progress · ⚑ gold reopened: the merge of carol.db brought 3 rows" in review.gold_status.text()
    assert "1 undecided" in review.summary.text()
