"""The project's files while the window runs (issue 11.6): the edits reach the .db file itself after
"done", once idle and on close; File ▸ Back up… and `annotator backup` copy the whole database."""

import os
import shutil
import sqlite3

from PySide6.QtCore import Qt

from annotator.cli import main
from annotator.core.store import Store
from tests.gui.conftest import TEXT, at, key, layer, select_tokens


def copy_db_file_only(db_path: str, folder) -> str:
    """What a user copying `annotator.db` alone gets (no -wal, no -shm)."""
    os.makedirs(folder, exist_ok=True)
    copy = os.path.join(folder, os.path.basename(db_path))
    shutil.copyfile(db_path, copy)
    return copy


def human_work(db_path: str) -> tuple[list, list]:
    conn = sqlite3.connect(db_path)
    try:
        entities = conn.execute("SELECT label, start, \"end\" FROM entities WHERE annotator = 'alice'").fetchall()
        layers = conn.execute("SELECT article_id, status FROM layers WHERE annotator = 'alice'").fetchall()
        return entities, layers
    finally:
        conn.close()


def label_blinken(qtbot, window) -> None:
    select_tokens(qtbot, window.view, at(TEXT, "Antony")[0], 2)
    key(qtbot, window.view, Qt.Key_1)
    assert [TEXT[e.start:e.end] for e in layer(window.db_path).entities] == ["Antony Blinken"]


def test_a_copy_of_the_db_file_alone_holds_the_work_after_done(make_db, open_window, qtbot, tmp_path):
    db = make_db()
    window = open_window(db)
    label_blinken(qtbot, window)
    key(qtbot, window.view, Qt.Key_Return, Qt.ControlModifier)  # mark done
    assert layer(db).status == "done"
    assert window.isVisible()  # the window is still open: the -wal file is in use
    entities, layers = human_work(copy_db_file_only(db, tmp_path / "copy"))
    assert entities == [("PERSON", *at(TEXT, "Antony Blinken"))]
    assert layers == [("a1", "done")]


def test_edits_reach_the_db_file_once_the_window_is_idle(make_db, open_window, qtbot, tmp_path):
    db = make_db()
    window = open_window(db)
    window._idle_timer.setInterval(50)  # 30 s in use
    label_blinken(qtbot, window)
    assert window._idle_timer.isActive()  # restarted by the stored edit
    qtbot.waitUntil(lambda: not window._idle_timer.isActive(), timeout=3000)
    entities, _ = human_work(copy_db_file_only(db, tmp_path / "copy"))
    assert entities == [("PERSON", *at(TEXT, "Antony Blinken"))]


def test_closing_the_window_leaves_everything_in_the_db_file(make_db, open_window, qtbot, tmp_path):
    db = make_db()
    window = open_window(db)
    label_blinken(qtbot, window)
    other = Store(db)  # another program keeps the database open: closing the window must not rely on it
    try:
        window.close()
        assert not os.path.exists(db + "-wal") or os.path.getsize(db + "-wal") == 0
        entities, _ = human_work(copy_db_file_only(db, tmp_path / "copy"))
        assert entities == [("PERSON", *at(TEXT, "Antony Blinken"))]
    finally:
        other.close()


def test_file_back_up_copies_the_whole_database_in_the_background(make_db, open_window, qtbot, tmp_path,
                                                                  monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    db = make_db()
    window = open_window(db)
    label_blinken(qtbot, window)
    dest = str(tmp_path / "saved" / "backup.db")
    os.makedirs(os.path.dirname(dest))
    asked = []

    def save_name(parent, title, suggested, filters):
        asked.append(suggested)
        return dest, filters.split(";;")[0]

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    window.actions["backup"].trigger()
    assert window.task is not None and window.task.title == "Backing up"
    qtbot.waitUntil(lambda: window.task is None, timeout=10000)
    assert os.path.dirname(asked[0]) == os.path.dirname(db) and asked[0].endswith(".db")
    assert "Backed up to" in window.statusBar().currentMessage()
    assert os.listdir(os.path.dirname(dest)) == ["backup.db"]  # one file, no temporary left, no -wal
    with Store(dest) as copy, Store(db) as original:
        assert copy.get_layer("a1", "alice") == original.get_layer("a1", "alice")
        assert copy.get_article("a1") == original.get_article("a1")
        assert copy.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_backup_command_writes_one_file_and_refuses_to_overwrite(make_db, tmp_path, capsys):
    db = make_db()
    with Store(db) as store:
        store.add_entity("a1", "alice", *at(TEXT, "Antony Blinken"), "PERSON")
        holder = Store(db)  # a window's connection: the edit may still sit in the -wal
        dest = str(tmp_path / "copy.db")
        assert main(["--db", db, "backup", dest]) == 0
        assert "backed up to" in capsys.readouterr().out
        assert human_work(dest)[0] == [("PERSON", *at(TEXT, "Antony Blinken"))]
        before = os.path.getmtime(dest)
        assert main(["--db", db, "backup", dest]) == 2
        assert "already exists" in capsys.readouterr().err and os.path.getmtime(dest) == before
        store.add_entity("a1", "alice", *at(TEXT, "Washington"), "LOC")
        assert main(["--db", db, "backup", dest, "--force"]) == 0
        assert len(human_work(dest)[0]) == 2
        holder.close()
