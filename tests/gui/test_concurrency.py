"""Two windows or processes on one database; a locked database; SIGKILL right after an edit."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

import annotator.gui.mainwindow as mainwindow
from tests.gui.conftest import TEXT, at, key, layer, select_tokens

ROOT = Path(__file__).resolve().parents[2]


def count_entities(db, annotator="alice"):
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM entities WHERE annotator = ? AND status != 'rejected'",
                            [annotator]).fetchone()[0]
    finally:
        conn.close()


def child_env(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    env["ANNOTATOR_SETTINGS"] = str(tmp_path / "child-settings.ini")
    return env


LOCKER = textwrap.dedent("""
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    sys.stdin.readline()
    conn.execute("COMMIT")
    print("released", flush=True)
""")


def test_locked_database_shows_a_message_retries_and_keeps_the_edit(window, qtbot, tmp_path):
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, window.db_path], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=child_env(tmp_path))
    try:
        assert locker.stdout.readline().strip() == "locked"
        view = window.view
        select_tokens(qtbot, view, at(TEXT, "Blinken")[0], 1)
        key(qtbot, view, Qt.Key_1)
        assert window.save_label.text().startswith("⟳ database locked")
        assert "locked" in window.statusBar().currentMessage()
        assert window.discard_button.isVisible()
        assert count_entities(window.db_path) == 0
        assert window.controller.state.shown_entities == []  # never shown as done before it is stored
        key(qtbot, view, Qt.Key_2)  # a second edit meanwhile is refused, and says so
        assert "Still waiting" in window.statusBar().currentMessage()
        qtbot.wait(2 * mainwindow.Editor.RETRY_MS)
        assert window.editor.pending is not None  # still retrying
    finally:
        locker.stdin.write("go\n")
        locker.stdin.flush()
        locker.wait(10)
    qtbot.waitUntil(lambda: count_entities(window.db_path) == 1, timeout=5000)
    qtbot.waitUntil(lambda: window.save_label.text() == "✓ saved", timeout=2000)
    assert [e.label for e in window.controller.state.shown_entities] == ["PERSON"]
    assert not window.discard_button.isVisible()
    key(qtbot, view, Qt.Key_Z, Qt.ControlModifier)
    assert count_entities(window.db_path) == 0


def test_two_windows_on_one_database_see_each_other_and_nothing_is_corrupted(make_db, open_window, qtbot,
                                                                             monkeypatch):
    monkeypatch.setattr(mainwindow, "POLL_MS", 100)
    db = make_db()
    first = open_window(db)
    second = open_window(db)
    first.activateWindow()
    qtbot.waitUntil(lambda: first.isActiveWindow(), timeout=2000)
    select_tokens(qtbot, first.view, at(TEXT, "Blinken")[0], 1)
    key(qtbot, first.view, Qt.Key_1)
    qtbot.waitUntil(lambda: len(second.controller.state.shown_entities) == 1, timeout=3000)
    second.activateWindow()
    qtbot.waitUntil(lambda: second.isActiveWindow(), timeout=2000)
    select_tokens(qtbot, second.view, at(TEXT, "Washington")[0], 1)
    key(qtbot, second.view, Qt.Key_3)
    qtbot.waitUntil(lambda: len(first.controller.state.shown_entities) == 2, timeout=3000)
    assert count_entities(db) == 2
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert {TEXT[e.start:e.end] for e in layer(db).entities} == {"Blinken", "Washington"}


KILLED_CHILD = textwrap.dedent("""
    import os, sys, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import annotator.gui
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from annotator.gui.app import application
    from annotator.gui.mainwindow import MainWindow
    from annotator.gui.settings import Settings

    db, start, tokens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    app = application()
    window = MainWindow(db, "alice", Settings())
    window.show()
    window.activateWindow()
    while QApplication.activeWindow() is not window:
        app.processEvents()
    view = window.view
    view.setFocus()
    app.processEvents()
    rect = view.cursorRect(view.cursor_for(start))
    QTest.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, QPoint(rect.x() + 2, rect.center().y()))
    assert view.caret() == start
    for _ in range(tokens):
        QTest.keyClick(view, Qt.Key_Right, Qt.ShiftModifier)
    QTest.keyClick(view, Qt.Key_1)
    shown = [e.label for e in window.controller.state.shown_entities]
    print("SAVED" if window.save_label.text() == "✓ saved" and shown == ["PERSON"] else "NOT SAVED", flush=True)
    app.exec()
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_right_after_an_edit_loses_nothing_shown_as_saved(make_db, tmp_path):
    db = make_db()
    start, _ = at(TEXT, "Antony Blinken")
    child = subprocess.Popen([sys.executable, "-c", KILLED_CHILD, db, str(start), "2"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, env=child_env(tmp_path))
    try:
        line = child.stdout.readline().strip()
    finally:
        child.send_signal(signal.SIGKILL)  # no clean shutdown, no checkpoint
        child.wait(10)
    assert line == "SAVED"
    assert child.returncode == -signal.SIGKILL
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT start, \"end\", label FROM entities WHERE annotator = 'alice'").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [(TEXT[s:e], label) for s, e, label in rows] == [("Antony Blinken", "PERSON")]
