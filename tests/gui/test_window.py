"""The rest of the window: span navigation, Esc, quote split/merge, menus and dialogs, view
settings, opening databases, and `run()` end to end."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QTableWidget

from annotator.gui.location import remembered
from tests.gui.conftest import TEXT, at, caret_to, drag, key, layer, select_tokens

BACKENDS = ("sqlite", "postgres")  # the same tests on a file and on a PostgreSQL server

ROOT = Path(__file__).resolve().parents[2]


def test_brackets_walk_all_spans_and_esc_clears(window, qtbot):
    view = window.view
    for word in ("Antony", "Washington"):
        select_tokens(qtbot, view, at(TEXT, word)[0], 1)
        key(qtbot, view, Qt.Key_1)
    caret_to(qtbot, view, 0)
    key(qtbot, view, Qt.Key_BracketRight)
    assert window.controller.current_item().start == at(TEXT, "Antony")[0]
    key(qtbot, view, Qt.Key_BracketRight)
    assert window.controller.current_item().start == at(TEXT, "Washington")[0]
    key(qtbot, view, Qt.Key_BracketLeft)
    assert window.controller.current_item().start == at(TEXT, "Antony")[0]
    key(qtbot, view, Qt.Key_Escape)
    assert window.controller.current is None
    select_tokens(qtbot, view, at(TEXT, "Korea")[0], 2)
    key(qtbot, view, Qt.Key_Escape)
    assert view.selection() is None


def test_esc_cancels_speaker_picking(window, qtbot):
    view = window.view
    drag(view, *at(TEXT, "“Kami sangat prihatin dengan laporan ini,”"))
    key(qtbot, view, Qt.Key_Q)
    key(qtbot, view, Qt.Key_S)
    assert window.controller.pick == "speaker"
    key(qtbot, view, Qt.Key_Escape)
    assert window.controller.pick is None and "Cancelled" in window.statusBar().currentMessage()


def test_split_and_merge_quotes(window, qtbot):
    view = window.view
    a, _ = at(TEXT, "Kami")
    select_tokens(qtbot, view, at(TEXT, "Kami sangat")[0], 6)  # "Kami sangat prihatin dengan laporan ini"
    key(qtbot, view, Qt.Key_Q)
    key(qtbot, view, Qt.Key_F2)
    caret_to(qtbot, view, at(TEXT, "dengan")[0])
    window.controller.set_current(window.controller.state.quote(window.controller.active_quote))
    key(qtbot, view, Qt.Key_S, Qt.ControlModifier | Qt.ShiftModifier)
    quotes = sorted(layer(window.db_path).quotes, key=lambda q: q.start)
    assert [TEXT[q.start:q.end] for q in quotes] == ["Kami sangat prihatin", "dengan laporan ini"]
    assert [q.stance for q in quotes] == ["OPPOSE", "OPPOSE"]
    window.controller.set_current(window.controller.state.quote(quotes[0].id))
    key(qtbot, view, Qt.Key_M, Qt.ControlModifier | Qt.ShiftModifier)
    assert [TEXT[q.start:q.end] for q in layer(window.db_path).quotes] == ["Kami sangat prihatin dengan laporan ini"]
    key(qtbot, view, Qt.Key_Z, Qt.ControlModifier)
    assert len(layer(window.db_path).quotes) == 2


def test_context_menu_offers_the_actions_for_the_span(window, qtbot):
    view = window.view
    select_tokens(qtbot, view, at(TEXT, "Antony")[0], 2)
    names = [a.objectName() for a in window.context_menu().actions()]
    assert "label:PERSON" in names and "quote" in names
    key(qtbot, view, Qt.Key_1)
    caret_to(qtbot, view, at(TEXT, "Antony")[0] + 1)
    names = [a.objectName() for a in window.context_menu().actions()]
    assert "delete" in names and "split" in names and "quote" not in names


def test_help_sheet_lists_every_shortcut(window, qtbot):
    def close_sheet():
        dialog = QApplication.activeModalWidget()
        table = dialog.findChild(QTableWidget, "shortcutsTable")
        rows = {table.item(r, 1).text() for r in range(table.rowCount())}
        close_sheet.rows = rows
        dialog.reject()

    QTimer.singleShot(0, close_sheet)
    key(qtbot, window.view, Qt.Key_Slash, Qt.ControlModifier)
    assert {"Accept suggestion", "Quote from selection", "PERSON", "Mark done and go on"} <= close_sheet.rows


def test_docs_list_the_shortcuts_of_the_window(window):
    """docs/gui.md must not drift from the actions: each key of the sheet appears in it."""
    from annotator.gui.actions import shortcut_rows

    doc = (ROOT / "docs" / "gui.md").read_text(encoding="utf-8")
    for _, _, keys in shortcut_rows(window.actions):
        for k in keys.split(", "):
            assert k in doc, f"{k} is not in docs/gui.md"


def test_font_size_keys_and_dark_theme(window, qtbot):
    size = window.view.font().pointSizeF()
    key(qtbot, window.view, Qt.Key_Equal, Qt.ControlModifier)
    assert window.view.font().pointSizeF() == size + 1
    key(qtbot, window.view, Qt.Key_Minus, Qt.ControlModifier)
    key(qtbot, window.view, Qt.Key_Minus, Qt.ControlModifier)
    assert window.view.font().pointSizeF() == size - 1
    key(qtbot, window.view, Qt.Key_0, Qt.ControlModifier)
    assert window.view.font().pointSizeF() == 12
    window.actions["theme_dark"].trigger()
    assert window.view.styles.dark and window.settings.theme == "dark"
    window.actions["theme_light"].trigger()
    assert not window.view.styles.dark


def test_open_database_from_the_recent_menu(make_db, open_window, qtbot):
    first = make_db(name="one.db")
    second = make_db([("z1", "Artikel lain tentang Seoul.")], name="two.db")
    window = open_window(first)
    other = window.open_database(second)
    qtbot.addWidget(other)
    assert other.article_id == "z1" and not window.isVisible()
    assert other.settings.recent()[:2] == [remembered(second), remembered(first)]  # a URL without password
    other.recent_menu.aboutToShow.emit()
    assert [a.toolTip() for a in other.recent_menu.actions()][:2] == [remembered(second), remembered(first)]
    other.close()


def test_a_broken_database_file_is_refused_with_a_message(tmp_path, settings, monkeypatch):
    import annotator.gui.app as app_module

    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 20)
    messages = []
    monkeypatch.setattr(app_module, "show_error", lambda parent, title, text: messages.append(text))
    assert app_module.build_window(str(bad), "alice", settings=settings) is None
    assert "not an SQLite database" in messages[0]


RUN = textwrap.dedent("""
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import annotator.gui
    from PySide6.QtCore import QTimer
    from annotator.gui.app import application, run
    app = application()
    QTimer.singleShot(700, lambda: [w.close() for w in app.topLevelWidgets() if w.isWindow()])
    print("exit", run(sys.argv[1], None if sys.argv[2] == "-" else sys.argv[2]), flush=True)
""")


@pytest.mark.sqlite_only  # a server project never asks for the name: tests/gui/test_team_window.py
def test_run_opens_the_window_remembers_the_name_and_exits_cleanly(make_db, tmp_path):
    db = make_db()
    env = dict(os.environ, PYTHONPATH=str(ROOT), ANNOTATOR_SETTINGS=str(tmp_path / "run.ini"))
    first = subprocess.run([sys.executable, "-c", RUN, db, "dewi"], capture_output=True, text=True, env=env, timeout=60)
    assert "exit 0" in first.stdout, first.stderr[-1000:]
    again = subprocess.run([sys.executable, "-c", RUN, db, "-"], capture_output=True, text=True, env=env, timeout=60)
    assert "exit 0" in again.stdout, again.stderr[-1000:]  # no name given: the remembered one, no question
    assert "annotator=dewi" in (tmp_path / "run.ini").read_text()
