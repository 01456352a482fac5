"""Article level: stance, done (Ctrl+Enter goes on), PageDown/PageUp, comment and flag, status bar."""

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from annotator.gui.theme import plain_tooltip
from tests.gui.conftest import TEXT, at, key, layer, select_tokens

BACKENDS = ("sqlite", "postgres")  # the same tests on a file and on a PostgreSQL server


@pytest.fixture
def db(make_db):
    return make_db([("a1", TEXT, {"title": "Satu"}), ("a2", "Artikel kedua tentang Rusia.", {"title": "Dua"}),
                    ("a3", "Artikel ketiga tentang Ukraina.", {"title": "Tiga"})])


def test_status_bar_shows_annotator_database_position_and_saved(db, open_window, backend):
    window = open_window(db)
    if backend == "sqlite":
        assert window.annotator_label.text() == "Annotator: alice"
        assert window.db_label.toolTip() == plain_tooltip(window.db_path)  # the full path, as plain text
    else:  # the test server's superuser is the project's lead; a server URL is shown without password
        assert window.annotator_label.text() == "Annotator: alice (lead)"
        assert window.db_label.toolTip() == plain_tooltip(window.store.label)
    assert window.position_label.text() == "1 / 3"
    assert window.save_label.text() == "✓ saved"


def test_page_down_and_page_up_move_between_articles(db, open_window, qtbot):
    window = open_window(db)
    key(qtbot, window.view, Qt.Key_PageDown)
    assert window.article_id == "a2" and window.position_label.text() == "2 / 3"
    key(qtbot, window.view, Qt.Key_PageDown)
    key(qtbot, window.view, Qt.Key_PageDown)  # already the last
    assert window.article_id == "a3" and "last" in window.statusBar().currentMessage()
    key(qtbot, window.view, Qt.Key_PageUp)
    assert window.article_id == "a2"


def test_ctrl_enter_marks_done_and_opens_the_next_not_done_undo_reopens(db, open_window, qtbot):
    window = open_window(db)
    key(qtbot, window.view, Qt.Key_PageDown)  # a2
    key(qtbot, window.view, Qt.Key_Return, Qt.ControlModifier)
    assert layer(db, "a2").status == "done"
    assert window.article_id == "a3"
    key(qtbot, window.view, Qt.Key_Return, Qt.ControlModifier)
    assert window.article_id == "a1"  # wraps to the first not done
    assert window.browser.progress.value() == 2 or (qtbot.waitUntil(lambda: window.browser.progress.value() == 2) is None)
    key(qtbot, window.view, Qt.Key_Z, Qt.ControlModifier)  # undo "done" of a3: shows a3 again
    assert window.article_id == "a3" and layer(db, "a3").status != "done"


def test_article_stance_with_shift_f_keys_and_the_panel(db, open_window, qtbot):
    window = open_window(db)
    key(qtbot, window.view, Qt.Key_F2, Qt.ShiftModifier)
    assert layer(db).stance == "OPPOSE"
    assert window.panel.article.stance.currentData() == "OPPOSE"
    key(qtbot, window.view, Qt.Key_F2, Qt.ShiftModifier)
    assert layer(db).stance is None
    combo = window.panel.article.stance
    combo.setCurrentIndex(combo.findData("NEUTRAL"))
    combo.activated.emit(combo.currentIndex())
    assert layer(db).stance == "NEUTRAL"
    key(qtbot, window.view, Qt.Key_Z, Qt.ControlModifier)
    assert layer(db).stance is None


def test_comment_dialog_and_flag(db, open_window, qtbot):
    window = open_window(db)

    def type_comment():
        dialog = QApplication.activeModalWidget()
        dialog.text.setPlainText("Periksa <b>nama</b> juru bicara")
        dialog.flag.setChecked(True)
        dialog.accept()

    QTimer.singleShot(0, type_comment)
    key(qtbot, window.view, Qt.Key_M, Qt.ControlModifier)
    state = layer(db)
    assert state.comment == "Periksa <b>nama</b> juru bicara" and state.flagged
    assert window.panel.article.comment.text().endswith("juru bicara")
    window.activateWindow()  # the offscreen platform does not hand activation back after a dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    key(qtbot, window.view, Qt.Key_F, Qt.ControlModifier | Qt.ShiftModifier)
    assert not layer(db).flagged and layer(db).comment.startswith("Periksa")
    key(qtbot, window.view, Qt.Key_Z, Qt.ControlModifier)
    assert layer(db).flagged


def test_edits_mark_the_article_in_progress_and_the_browser_follows(db, open_window, qtbot):
    window = open_window(db)
    select_tokens(qtbot, window.view, at(TEXT, "Blinken")[0], 1)
    key(qtbot, window.view, Qt.Key_1)
    assert layer(db).status == "in_progress"
    assert window.panel.article.status.text().endswith("in progress")
    qtbot.waitUntil(lambda: window.browser.model.row_data(0)["status"] == "in_progress", timeout=2000)
    assert window.browser.model.row_data(0)["entities"] == 1


def test_menus_show_shortcuts_and_tooltips(db, open_window):
    window = open_window(db)
    actions = window.actions
    assert actions["accept"].shortcut().toString() == "A"
    assert "A" in actions["accept"].toolTip() and "Return" in actions["accept"].toolTip()
    assert actions["label:PERSON"].shortcut().toString() == "1"
    assert actions["stance:OPPOSE"].shortcut().toString() == "F2"
    assert actions["article_stance:OPPOSE"].shortcut().toString() == "Shift+F2"
    titles = [m.title().replace("&", "") for m in window.menuBar().findChildren(type(window.menus["File"]))]
    for name in ("File", "Edit", "View", "Tools", "Help"):
        assert name in titles
    assert actions.problems == []
