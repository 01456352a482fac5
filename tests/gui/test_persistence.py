"""What persists across restarts (in a temporary settings file): annotator name, geometry,
splitter sizes, last article, text size, theme; each annotator sees their own layer."""

import pytest
from PySide6.QtCore import Qt

import annotator.gui.app as app_module
from annotator.gui.mainwindow import MainWindow
from annotator.gui.settings import Settings, open_settings
from tests.gui.conftest import TEXT, at, key, layer, select_tokens

BACKENDS = ("sqlite", "postgres")  # the same tests on a file and on a PostgreSQL server


@pytest.mark.sqlite_only  # on a server the annotator is the login: tests/gui/test_team_window.py
def test_name_is_asked_once_and_remembered(make_db, settings, qtbot, monkeypatch):
    db = make_db()
    asked = []
    monkeypatch.setattr(app_module, "ask_name", lambda parent: asked.append(1) or "budi")
    window = app_module.build_window(db, settings=settings)
    qtbot.addWidget(window)
    assert window.annotator == "budi" and asked == [1]
    window.close()
    again = app_module.build_window(db, settings=Settings(open_settings()))  # reads ANNOTATOR_SETTINGS
    qtbot.addWidget(again)
    assert again.annotator == "budi" and asked == [1]
    again.close()


@pytest.mark.sqlite_only
def test_cancelling_the_name_question_opens_nothing(make_db, settings, monkeypatch):
    monkeypatch.setattr(app_module, "ask_name", lambda parent: None)
    assert app_module.build_window(make_db(), settings=settings) is None


def test_layout_font_and_last_article_persist(make_db, open_window, settings, qtbot):
    db = make_db([("a1", TEXT), ("a2", "Artikel kedua tentang Rusia.")])
    window = open_window(db)
    window.resize(1100, 700)
    size = (window.size().width(), window.size().height())
    window.panel.splitter.setSizes([150, 350])
    sizes = window.panel.splitter.sizes()
    key(qtbot, window.view, Qt.Key_Equal, Qt.ControlModifier)  # Ctrl+= bigger text
    key(qtbot, window.view, Qt.Key_PageDown)
    window.actions["theme_dark"].trigger()
    font = window.view.font().pointSizeF()
    window.close()
    again = MainWindow(db, "alice", Settings(open_settings()))
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.article_id == "a2"
    assert again.view.font().pointSizeF() == font == settings.font_size
    assert again.theme == "dark" and again.actions["theme_dark"].isChecked()
    assert (again.size().width(), again.size().height()) == size
    assert all(abs(a - b) <= 3 for a, b in zip(again.panel.splitter.sizes(), sizes))
    again.close()


def test_each_annotator_has_their_own_layer(make_db, open_window, qtbot):
    db = make_db()
    alice = open_window(db, "alice")
    select_tokens(qtbot, alice.view, at(TEXT, "Blinken")[0], 1)
    key(qtbot, alice.view, Qt.Key_1)
    alice.close()
    bob = open_window(db, "bob")
    assert bob.controller.state.shown_entities == []
    assert len(layer(db, annotator="alice").entities) == 1
    assert bob.annotator_label.text() in ("Annotator: bob", "Annotator: bob (lead)")  # a lead on a server


def test_switch_annotator_from_the_menu(make_db, open_window, qtbot, monkeypatch):
    import annotator.gui.window_files as files

    window = open_window(make_db())
    monkeypatch.setattr(files, "ask_name", lambda parent, current: "citra")
    window.actions["switch_annotator"].trigger()
    new = files.open_windows[-1]
    qtbot.addWidget(new)
    assert new.annotator == "citra" and new.settings.annotator == "citra"
    assert not window.isVisible()
    new.close()
