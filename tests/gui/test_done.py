"""Ctrl+Enter with suggestions still pending: the window says how many will be accepted (and asks,
unless turned off), or refuses and shows the first one when the project says to decide each."""

from dataclasses import replace

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from annotator.core.store import Store
from tests.gui.conftest import TEXT, activate, key, layer

BACKENDS = ("sqlite", "postgres")  # the same tests on a file and on a PostgreSQL server

SUGGESTIONS = {"a1": ([("Antony Blinken", "PERSON", 0), ("Korea Utara", "LOC", 0), ("Washington", "LOC", 0)], [])}


def articles():
    return [("a1", TEXT, {"title": "Satu"}), ("a2", "Artikel kedua tentang Rusia.", {"title": "Dua"})]


def test_done_says_how_many_pending_suggestions_it_accepts(make_db, open_window, qtbot, settings):
    db = make_db(articles(), SUGGESTIONS)
    settings.set_value("confirmDoneWithPending", True)
    window = open_window(db)
    key(qtbot, window.view, Qt.Key_Tab)
    key(qtbot, window.view, Qt.Key_X)  # reject the first suggestion
    asked = []

    def answer(button):
        box = window.done_confirmation
        if box is None:
            QTimer.singleShot(20, lambda: answer(button))
            return
        asked.append(box.text())
        if button == QMessageBox.Ok:
            box.checkBox().setChecked(True)  # and do not ask again
        box.button(button).click()

    QTimer.singleShot(0, lambda: answer(QMessageBox.Cancel))
    key(qtbot, window.view, Qt.Key_Return, Qt.ControlModifier)
    assert asked == ["2 pending suggestions will be accepted."]
    assert layer(db, "a1").status != "done" and window.article_id == "a1"

    activate(qtbot, window)  # the window manager's part after a dialog closes
    QTimer.singleShot(0, lambda: answer(QMessageBox.Ok))
    key(qtbot, window.view, Qt.Key_Return, Qt.ControlModifier)
    done = layer(db, "a1")
    assert done.status == "done" and done.pending() == []
    assert sorted(e.status for e in done.entities) == ["accepted", "accepted", "rejected"]
    assert window.article_id == "a2"
    assert "2 pending suggestions accepted" in window.statusBar().currentMessage()
    assert settings.q.value("confirmDoneWithPending", True, type=bool) is False  # turned off in the box


def test_done_is_refused_when_each_must_be_decided(make_db, open_window, qtbot):
    db = make_db(articles(), SUGGESTIONS)
    with Store(db) as store:
        store.set_config(replace(store.config, done_with_pending="refuse"))
    window = open_window(db)
    key(qtbot, window.view, Qt.Key_Tab)
    key(qtbot, window.view, Qt.Key_A)  # accept the first one
    key(qtbot, window.view, Qt.Key_Return, Qt.ControlModifier)
    assert layer(db, "a1").status != "done" and window.article_id == "a1"
    assert "2 suggestions are still pending" in window.statusBar().currentMessage()
    current = window.controller.current_item()
    assert current is not None and current.status == "suggested" and TEXT[current.start:current.end] == "Korea Utara"
    key(qtbot, window.view, Qt.Key_X)
    key(qtbot, window.view, Qt.Key_Tab)
    key(qtbot, window.view, Qt.Key_X)
    key(qtbot, window.view, Qt.Key_Return, Qt.ControlModifier)
    assert layer(db, "a1").status == "done" and window.article_id == "a2"


def test_undo_of_done_puts_back_the_status_and_the_suggestions_it_accepted(make_db, open_window, qtbot):
    db = make_db(articles(), SUGGESTIONS)
    window = open_window(db)
    key(qtbot, window.view, Qt.Key_Tab)
    key(qtbot, window.view, Qt.Key_X)  # reject the first suggestion: a decision Done must not touch
    before = layer(db, "a1")
    assert before.status == "in_progress" and len(before.pending()) == 2
    key(qtbot, window.view, Qt.Key_Return, Qt.ControlModifier)
    assert layer(db, "a1").status == "done" and layer(db, "a1").pending() == []
    assert window.article_id == "a2"

    key(qtbot, window.view, Qt.Key_Z, Qt.ControlModifier)
    undone = layer(db, "a1")
    assert window.article_id == "a1"
    assert undone.status == before.status
    assert sorted((e.start, e.status) for e in undone.entities) == sorted((e.start, e.status) for e in before.entities)
    assert [e.id for e in undone.pending()] == [e.id for e in before.pending()]
    assert len(window.controller.state.layer.pending()) == 2  # the window shows them pending again

    key(qtbot, window.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)  # redo: done again, accepted again
    assert layer(db, "a1").status == "done" and layer(db, "a1").pending() == []
