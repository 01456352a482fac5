"""Suggestions: Tab / Shift+Tab, A / Enter accept, X reject (hidden, still stored), Shift+A, undo."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat

from tests.gui.conftest import TEXT, at, key, layer

BACKENDS = ("sqlite", "postgres")  # the same tests on a file and on a PostgreSQL server


@pytest.fixture
def db(make_db):
    return make_db(suggestions={"a1": ([("Antony Blinken", "PERSON", 0), ("Korea Utara", "LOC", 0),
                                        ("Washington", "LOC", 0), ("PBB", "ORG", 0)],
                                       ["Kami sangat prihatin dengan laporan ini,"])})


def statuses(db):
    state = layer(db)
    return ({TEXT[e.start:e.end]: e.status for e in state.entities},
            {TEXT[q.start:q.end]: q.status for q in state.quotes})


def test_tab_walks_pending_suggestions_in_text_order_and_a_enter_accept(db, open_window, qtbot):
    window = open_window(db)
    window.set_accept_moves_on(False)  # Tab alone walks here (A moving on: test_window_keys.py)
    view = window.view
    key(qtbot, view, Qt.Key_Tab)
    assert window.controller.current_item().start == at(TEXT, "Antony Blinken")[0]
    key(qtbot, view, Qt.Key_A)
    key(qtbot, view, Qt.Key_Tab)
    assert window.controller.current_item().start == at(TEXT, "Korea Utara")[0]
    key(qtbot, view, Qt.Key_Return)
    key(qtbot, view, Qt.Key_Tab)  # the quote
    assert window.controller.current.kind == "quote"
    key(qtbot, view, Qt.Key_Tab)
    assert window.controller.current_item().start == at(TEXT, "Washington")[0]
    key(qtbot, view, Qt.Key_Backtab, Qt.ShiftModifier)
    assert window.controller.current.kind == "quote"
    key(qtbot, view, Qt.Key_Backtab, Qt.ShiftModifier)  # nothing pending before: wraps to the last
    assert window.controller.current_item().start == at(TEXT, "PBB")[0]
    assert "wrapped" in window.statusBar().currentMessage()
    entities, quotes = statuses(db)
    assert entities["Antony Blinken"] == "accepted" and entities["Korea Utara"] == "accepted"
    assert entities["Washington"] == "suggested"


def test_x_rejects_hides_but_keeps_and_undo_restores(db, open_window, qtbot):
    window = open_window(db)
    view = window.view
    for _ in range(3):
        key(qtbot, view, Qt.Key_Tab)  # Antony, Korea, quote
    key(qtbot, view, Qt.Key_Tab)  # Washington
    assert window.controller.current_item().label == "LOC"
    key(qtbot, view, Qt.Key_X)
    entities, _ = statuses(db)
    assert entities["Washington"] == "rejected"  # still stored
    assert "Washington" not in [TEXT[e.start:e.end] for e in window.controller.state.shown_entities]
    assert all(TEXT[e.start:e.end] != "Washington" for e in window.controller.state.pending())
    key(qtbot, view, Qt.Key_Z, Qt.ControlModifier)
    assert statuses(db)[0]["Washington"] == "suggested"
    assert "Washington" in [TEXT[e.start:e.end] for e in window.controller.state.shown_entities]


def test_shift_a_accepts_all_remaining_and_undo_returns_them(db, open_window, qtbot):
    window = open_window(db)
    key(qtbot, window.view, Qt.Key_A, Qt.ShiftModifier)
    entities, quotes = statuses(db)
    assert set(entities.values()) == {"accepted"} and set(quotes.values()) == {"accepted"}
    assert window.controller.state.pending() == []
    key(qtbot, window.view, Qt.Key_Z, Qt.ControlModifier)
    entities, quotes = statuses(db)
    assert set(entities.values()) == {"suggested"} and set(quotes.values()) == {"suggested"}


def test_suggestions_look_different_from_accepted_spans(db, open_window, qtbot):
    window = open_window(db)
    view = window.view
    styles = view.styles

    def fmt_of(word):
        qa, qb = (view.tmap.to_qt(x) for x in at(TEXT, word))
        selections = view.extraSelections()
        return next(QTextCharFormat(s.format) for s in selections
                    if (s.cursor.selectionStart(), s.cursor.selectionEnd()) == (qa, qb))

    suggested_bg = fmt_of("PBB").background().color()
    assert suggested_bg == styles.suggested["ORG"].background().color() != styles.entity["ORG"].background().color()
    key(qtbot, view, Qt.Key_Tab)
    key(qtbot, view, Qt.Key_A)
    accepted = fmt_of("Antony Blinken")
    assert accepted.background().color() == styles.entity["PERSON"].background().color()
    assert accepted.background().color() != fmt_of("PBB").background().color()


def test_hiding_model_suggestions_from_the_view_menu(db, open_window, qtbot):
    window = open_window(db)
    window.actions["show_model"].trigger()  # hide model suggestions
    assert all(e.source != "model" or e.status != "suggested" for e in window.controller.state.shown_entities)
    key(qtbot, window.view, Qt.Key_Tab)
    assert window.controller.current.kind == "quote"  # the rule-based quote is still shown
    window.actions["show_model"].trigger()
    assert len(window.controller.state.shown_entities) == 4


def test_hover_tooltip_tells_label_source_and_score(db, open_window, qtbot):
    window = open_window(db)
    text = window.controller.tooltip(at(TEXT, "Washington")[0] + 2)
    assert "LOC" in text and "suggestion" in text and "model" in text and "0.90" in text
