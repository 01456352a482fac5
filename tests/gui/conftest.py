"""Fixtures for the GUI tests: real Store files in tmp_path, the real window, driven by keys and
the mouse, and settings sent to a temporary ini file (never the user's)."""

import itertools
import json
import os
import tempfile

# before Qt is imported: no display, one 1920×1200 screen (the default offscreen screen is 800×600)
_SCREENS = os.path.join(tempfile.mkdtemp(prefix="annotator-qt-"), "screens.json")
with open(_SCREENS, "w") as _fh:
    json.dump({"screens": [{"name": "test", "x": 0, "y": 0, "width": 1920, "height": 1200, "logicalDpi": 96,
                            "logicalBaseDpi": 96, "dpr": 1}]}, _fh)
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREENS}"

import annotator.gui  # noqa: E402,F401  (installs the PySide6 reference guard first)
import pytest  # noqa: E402
from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from annotator.core.model import MODEL_LAYER, Entity, Quote  # noqa: E402
from annotator.core.store import Store  # noqa: E402
from annotator.gui.settings import ENV, Settings, open_settings  # noqa: E402
from tests.helpers import at  # noqa: E402,F401  (the GUI tests import it from here)

TEXT = ("Menteri Luar Negeri AS Antony Blinken mengatakan pada Kamis bahwa pasukan Korea Utara mungkin dikerahkan.\n"
        "“Kami sangat prihatin dengan laporan ini,” kata Blinken di Washington.\n"
        "Juru bicara PBB Stephane Dujarric menyebut pengerahan itu berbahaya.")


@pytest.fixture
def settings(tmp_path, monkeypatch):
    path = str(tmp_path / "settings.ini")
    monkeypatch.setenv(ENV, path)
    settings = Settings(open_settings(path))
    settings.set_value("confirmDoneWithPending", False)  # Done asks before accepting pending: tests/gui/test_done.py
    return settings


@pytest.fixture
def new_database(backend, tmp_path, request):
    """new_database(name) -> where a new project lives: a file in tmp_path, or (a test module with
    BACKENDS = ("sqlite", "postgres")) a new database on the test session's PostgreSQL server."""
    def new(name: str = "test.db") -> str:
        if backend != "postgres":
            return str(tmp_path / name)
        from annotator.core.backends import postgres

        url = postgres.with_database(request.getfixturevalue("pg_server").get_uri(), f"gui_{next(_numbers)}")
        postgres.create_database(url)
        return url

    return new


_numbers = itertools.count(1)  # the names of the databases made on the server in this session


@pytest.fixture
def make_db(new_database):
    """make_db(articles=[(id, text, meta)], suggestions={id: ([(word, label, occurrence)], [(quote words)])})
    -> the new database's file path or server URL (see new_database)."""
    def make(articles=None, suggestions=None, name="test.db", tokenizer=None):
        path = new_database(name)
        store = Store(path, tokenizer=tokenizer) if tokenizer else Store(path)
        for item in articles or [("a1", TEXT, {"title": "Blinken prihatin", "source": "antara.id",
                                               "date": "2024-11-01"})]:
            article_id, text, meta = item if len(item) == 3 else (*item, {})
            store.add_article(article_id, text, **meta)
        for article_id, (entities, quotes) in (suggestions or {}).items():
            text = store.get_article(article_id).text
            es = [Entity(None, article_id, MODEL_LAYER, *at(text, w, n), label, source="model", status="suggested",
                         score=0.9) for w, label, n in entities]
            qs = [Quote(None, article_id, MODEL_LAYER, *at(text, w), "direct", source="rule", status="suggested",
                        score=0.8) for w in quotes]
            store.replace_suggestions(article_id, es, qs, model="test")
        store.close()
        return path
    return make


@pytest.fixture
def open_window(qtbot, settings):
    """open_window(db_path, annotator="alice") -> MainWindow, shown and focused on the text."""
    from annotator.gui.mainwindow import MainWindow

    windows = []

    def open_(db_path, annotator="alice", article_id=None):
        window = MainWindow(db_path, annotator, settings, article_id=article_id)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        activate(qtbot, window)
        window.view.setFocus()
        qtbot.waitUntil(window.view.hasFocus, timeout=2000)
        windows.append(window)
        return window

    yield open_
    for window in windows:
        if window.isVisible():
            if window.editor.pending is not None:
                window.editor.discard_pending()
            window.close()


@pytest.fixture
def window(make_db, open_window):
    return open_window(make_db())


def activate(qtbot, window) -> None:
    """Make `window` the active window (shortcuts only work there); asks again if the platform missed it."""
    def active():
        if QApplication.activeWindow() is window:
            return True
        window.activateWindow()
        window.windowHandle().requestActivate()
        return False

    try:
        qtbot.waitUntil(active, timeout=3000)
    except Exception:
        from PySide6.QtGui import QGuiApplication
        print("DBG focusWindow", QGuiApplication.focusWindow(), "modal", QGuiApplication.modalWindow(),
              "exposed", window.windowHandle().isExposed(), "visible", window.isVisible(),
              "tops", [(w, w.isVisible(), w.isModal()) for w in QApplication.topLevelWidgets() if w.isVisible() or w.isModal()],
              "windows", [(w, w.isVisible(), w.modality()) for w in QGuiApplication.allWindows() if w.isVisible()])
        raise


# ---- driving the text with the mouse and the keyboard -------------------------------------------
def char_point(view, offset: int) -> QPoint:
    """A viewport point on the left part of the character at `offset`."""
    rect = view.cursorRect(view.cursor_for(offset))
    return QPoint(rect.x() + 2, rect.center().y())


def click_at(qtbot, view, offset: int) -> None:
    view.reveal(offset)
    QApplication.processEvents()
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=char_point(view, offset))


def caret_to(qtbot, view, offset: int) -> None:
    """Put the caret right before the character at `offset` (a mouse click)."""
    click_at(qtbot, view, offset)
    assert view.caret() == offset, (view.caret(), offset)


def select_tokens(qtbot, view, start: int, n_tokens: int) -> None:
    """Caret to `start`, then Shift+Right n times (token by token)."""
    caret_to(qtbot, view, start)
    for _ in range(n_tokens):
        qtbot.keyClick(view, Qt.Key_Right, Qt.ShiftModifier)


def drag(view, start: int, end: int, end_left: bool = True) -> None:
    """Press at `start`, move and release at `end` with the left button held."""
    viewport = view.viewport()
    view.reveal(start)
    a = QPointF(char_point(view, start))
    rect = view.cursorRect(view.cursor_for(end))
    b = QPointF(rect.x() + (0 if end_left else 2), rect.center().y())
    for kind, pos, buttons in ((QMouseEvent.MouseButtonPress, a, Qt.LeftButton),
                               (QMouseEvent.MouseMove, b, Qt.LeftButton),
                               (QMouseEvent.MouseButtonRelease, b, Qt.NoButton)):
        event = QMouseEvent(kind, pos, viewport.mapToGlobal(pos), Qt.LeftButton, buttons, Qt.NoModifier)
        QApplication.sendEvent(viewport, event)
    QApplication.processEvents()


def key(qtbot, widget, k, modifier=Qt.NoModifier) -> None:
    qtbot.keyClick(widget, k, modifier)


def highlighted_text(view, start: int, end: int) -> str | None:
    """The text Qt highlights for a span stored at [start, end), read back from the ExtraSelections."""
    qa, qb = view.tmap.to_qt(start), view.tmap.to_qt(end)
    for sel in view.extraSelections():
        c = sel.cursor
        if c.selectionStart() == qa and c.selectionEnd() == qb:
            return c.selectedText().replace("\u2029", "\n")
    return None


def layer(db_path, article_id="a1", annotator="alice"):
    with Store(db_path) as store:
        return store.get_layer(article_id, annotator)
