"""Long work runs off the GUI thread with progress and cancel: import, export, suggestions."""

import json
import os
import subprocess
import sys
import threading
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from annotator.core.model import MODEL_LAYER, Entity
from annotator.gui.workers import Task
from tests.gui.conftest import TEXT


def test_import_runs_in_the_background_with_a_progress_dialog(window, qtbot, tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    for i in range(3):
        (folder / f"b{i}.txt").write_text(f"Berita {i}: pasukan Korea Utara tiba di Kursk, kata pejabat.\n",
                                          encoding="utf-8")
    assert window.import_paths([str(folder)])
    qtbot.waitUntil(lambda: window.task is None, timeout=20000)
    assert window.store.article_count() == 4
    assert window.browser.model.rowCount() == 4
    assert "imported 3 articles" in window.statusBar().currentMessage()


def test_cancel_stops_a_task_and_the_window_stays_responsive(window, qtbot):
    started = threading.Event()
    beats = []

    def work(task: Task):
        started.set()
        n = 0
        while not task.cancelled():
            n += 1
            task.report(n, 0, "working")
            time.sleep(0.01)
        return n

    results = []
    assert window._start_task("Waiting", work, lambda result, cancelled: results.append((result, cancelled)),
                              modal=False)
    assert started.wait(5)
    assert window.task_box.isVisible()
    assert not window._start_task("Another", work, lambda *a: None, modal=False)  # one at a time, said clearly
    assert "Wait for" in window.statusBar().currentMessage()
    for _ in range(5):  # the GUI thread keeps running events while the task works
        t = time.perf_counter()
        qtbot.wait(20)
        beats.append(time.perf_counter() - t)
    assert max(beats) < 0.5
    qtbot.mouseClick(window.task_cancel, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert results[0][1] is True and results[0][0] > 0
    assert not window.task_box.isVisible()


def test_suggestions_run_in_a_worker_with_its_own_store_and_show_up(window, qtbot, monkeypatch):
    import annotator.nlp.suggest as suggest

    threads = []

    def fake_suggest(store, article_ids=None, model_dir=None, progress=None, cancelled=None, **kw):
        threads.append(threading.current_thread() is not threading.main_thread())
        start = TEXT.index("Washington")
        for n, article_id in enumerate(article_ids or store.article_ids(), 1):
            store.replace_suggestions(article_id, [Entity(None, article_id, MODEL_LAYER, start, start + 10, "LOC",
                                                          source="model", status="suggested", score=0.7)], [])
            if progress:
                progress(n)
        return n

    monkeypatch.setattr(suggest, "suggest_articles", fake_suggest)
    monkeypatch.setattr("annotator.gui.workers._worker_store",
                        lambda open_store, with_tokenizer=True: open_store())  # no spaCy needed by the fake
    assert window.run_suggestions(all_articles=True)
    qtbot.waitUntil(lambda: window.task is None, timeout=10000)
    assert threads == [True]
    assert [e.status for e in window.controller.state.shown_entities] == ["suggested"]
    assert "Suggestions for all articles stored" in window.statusBar().currentMessage()


def test_export_writes_the_annotators_layer(window, qtbot, tmp_path):
    out = tmp_path / "out.jsonl"
    window.store.set_status(window.article_id, window.annotator, "done")  # a person's export: done articles
    assert window.export_to(str(out), "jsonl")
    qtbot.waitUntil(lambda: window.task is None, timeout=20000)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records and records[0]["text"] == TEXT


def test_export_gold_writes_done_gold_articles_as_brat(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from annotator.core.model import GOLD_LAYER

    article_id = window.article_id
    start = TEXT.index("Washington")
    window.store.add_entity(article_id, GOLD_LAYER, start, start + len("Washington"), "LOC")
    window.store.set_status(article_id, GOLD_LAYER, "done")
    out = tmp_path / "brat"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "brat standoff (a folder)"))
    qtbot.keyClick(window, Qt.Key_E, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.waitUntil(lambda: window.task is None, timeout=20000)
    ann = (out / f"{article_id}.ann").read_text(encoding="utf-8")
    assert "LOC" in ann and "Washington" in ann


def test_installed_pyside_survives_many_void_calls():
    """PySide6 6.12.0 on Python 3.11 loses a reference to None per void call and aborts
    (none_dealloc); pyproject.toml excludes it. This catches a wheel with the same bug."""
    code = ("import os; os.environ['QT_QPA_PLATFORM']='offscreen'\n"
            "from PySide6.QtWidgets import QApplication, QLabel\n"
            "app = QApplication([]); label = QLabel()\n"
            "for _ in range(200000): label.setText('x')\n"
            "print('alive')\n")
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.stdout.strip() == "alive", result.stderr[-500:]
    assert QApplication.instance() is not None
