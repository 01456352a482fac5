"""The Tools menu wired into the window: quality pages, training from gold in the background,
the project's suggestion model, and the "most useful next" order of the article list."""

import json
import os
import threading
import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from annotator.core.model import GOLD_LAYER, MODEL_LAYER, Entity
from annotator.core.store import Store
from annotator.project import suggestion_model
from tests.gui.conftest import TEXT, activate, at

CTRL_SHIFT = Qt.ControlModifier | Qt.ShiftModifier
TEXT2 = "Sekjen NATO Mark Rutte mengecam Korea Utara di Brussel pada Jumat."


@pytest.fixture
def team_db(make_db):
    """a1 and a2 annotated by alice and bob: they agree on Antony Blinken and NATO, not on Washington."""
    path = make_db(articles=[("a1", TEXT, {"title": "Blinken prihatin"}), ("a2", TEXT2, {"title": "Rutte mengecam"})])
    with Store(path) as store:
        for name, washington in (("alice", "LOC"), ("bob", "ORG")):
            store.add_entity("a1", name, *at(TEXT, "Antony Blinken"), "PERSON")
            store.add_entity("a1", name, *at(TEXT, "Washington"), washington)
            store.add_entity("a2", name, *at(TEXT2, "NATO"), "ORG")
            store.set_status("a1", name, "done")
        store.set_status("a2", "alice", "done")
    return path


def press(qtbot, widget, key, modifier=Qt.NoModifier) -> None:
    qtbot.keyClick(widget, key, modifier)


def when_modal(callback, timeout_ms: int = 5000) -> None:
    """Run callback(dialog) as soon as a modal dialog is up (exec() blocks the test meanwhile)."""
    started = time.monotonic()

    def look():
        dialog = QApplication.activeModalWidget()
        if dialog is not None and QApplication.activeWindow() is dialog:  # up, with the keyboard
            try:
                callback(dialog)
            finally:
                if dialog.isVisible():  # the callback failed: never leave the test blocked in exec()
                    dialog.reject()
        elif time.monotonic() - started < timeout_ms / 1000:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)


# ---- quality pages ------------------------------------------------------------------------------
@pytest.mark.parametrize("name, key", [("review", Qt.Key_R), ("agreement", Qt.Key_K), ("dashboard", Qt.Key_D)],
                         ids=["review", "agreement", "dashboard"])
def test_a_quality_page_opens_from_the_tools_menu_key_populated(team_db, open_window, qtbot, name, key):
    window = open_window(team_db)
    action = window.actions[name]
    assert action in window.menus["Tools"].actions()
    assert f"Ctrl+Shift+{chr(key)}" in action.toolTip()
    press(qtbot, window.view, key, CTRL_SHIFT)
    page_window = window.tool_windows[name]
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page_window, timeout=3000)
    assert page_window.isWindow() and page_window is not window
    page = page_window.page
    if name == "review":
        assert (page.article_id, page.reviewer, page.columns) == ("a1", "alice", ["alice", "bob"])
        assert [r.kind for r in page.rows].count("entity") == 2
    elif name == "agreement":
        qtbot.waitUntil(lambda: page.report is not None, timeout=10000)
        assert [(p["a"], p["b"]) for p in page.report["pairs"]] == [("alice", "bob")]
        assert page.pairs.item(0, 0).text() == "alice – bob"
    else:
        assert page.cards["alice"].figure.text() == "2 / 2 done"
        assert page.cards["bob"].figure.text() == "1 / 2 done"

    activate(qtbot, window)  # the same key again: the same window comes up, refreshed
    window.view.setFocus()
    press(qtbot, window.view, key, CTRL_SHIFT)
    assert list(window.tool_windows.values()).count(page_window) == 1
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page_window, timeout=3000)
    press(qtbot, page_window.page, Qt.Key_W, Qt.ControlModifier)  # closes it
    qtbot.waitUntil(lambda: name not in window.tool_windows, timeout=2000)


def test_review_accepts_into_gold_by_key_and_opens_an_article_in_the_window(team_db, open_window, qtbot):
    window = open_window(team_db)
    press(qtbot, window.view, Qt.Key_R, CTRL_SHIFT)
    review = window.tool_windows["review"].page
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window.tool_windows["review"], timeout=3000)
    blinken = at(TEXT, "Antony Blinken")
    review.select_row(next(i for i, r in enumerate(review.rows) if r.start == blinken[0]))
    review.table.setFocus()
    press(qtbot, review.table, Qt.Key_Return)  # the agreed version into gold
    with Store(team_db) as store:
        gold = store.get_layer("a1", GOLD_LAYER)
        assert [(e.start, e.end, e.label) for e in gold.entities] == [(*blinken, "PERSON")]
        assert {r["actor"] for r in store.edit_log("a1") if r["layer"] == GOLD_LAYER} == {"alice"}
    press(qtbot, review.table, Qt.Key_PageDown)
    assert review.article_id == "a2"
    press(qtbot, review.table, Qt.Key_E, Qt.ControlModifier)  # open it in the annotation window
    assert window.article_id == "a2"
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)


# ---- training -----------------------------------------------------------------------------------
def _model_json(out_dir: str) -> dict:
    summary = lambda f1, quotes, stance: {  # noqa: E731  (the shape of annotator.nlp.train.summary)
        "entities": {"all": {"precision": f1, "recall": f1, "f1": f1, "gold": 10, "pred": 10}},
        "quotes_exact": {"f1": quotes}, "quotes_overlap": {"f1": quotes}, "speaker_accuracy": 0.5,
        "cue_accuracy": 0.5, "stance_accuracy": stance, "stance_pairs": 3}
    return {"format": 1, "name": "annotator_gold", "version": "20250101.120000",
            "model_name": "annotator_gold-20250101.120000", "components": {"ner": True},
            "use": {"quotes": "rules", "stance": "model"}, "why": {"quotes": "rules scored better", "stance": "0.67 > 0.33"},
            "data": {"gold_articles": 2, "train_articles": ["a1"], "dev_articles": ["a2"], "train_is_dev": False},
            "notes": [], "dev": {"baseline": {"summary": summary(0.5, 0.4, 0.33)},
                                 "trained": {"summary": summary(0.75, 0.4, 0.67)}}, "seconds": 1.5}


@pytest.fixture
def gold_db(team_db):
    with Store(team_db) as store:
        store.add_entity("a1", GOLD_LAYER, *at(TEXT, "Antony Blinken"), "PERSON", actor="alice")
        store.set_status("a1", GOLD_LAYER, "done")
    return team_db


def test_training_runs_in_the_background_and_becomes_the_suggestion_model(gold_db, open_window, qtbot, monkeypatch):
    import annotator.nlp.train as train

    halfway, release, calls = threading.Event(), threading.Event(), []

    def fake_train(store, out_dir, *, progress=None, cancelled=None, log_line=print, **kwargs):
        calls.append((store.path, threading.current_thread() is threading.main_thread()))
        progress(0.5)
        halfway.set()
        release.wait(10)
        os.makedirs(out_dir)
        with open(os.path.join(out_dir, "model.json"), "w", encoding="utf-8") as fh:
            json.dump(_model_json(str(out_dir)), fh)
        progress(1.0)
        return {"name": "annotator_gold"}  # the window reads model.json

    monkeypatch.setattr(train, "train_from_gold", fake_train)
    window = open_window(gold_db)
    asked = []

    def train_dialog(dialog):
        asked.append(dialog.out.text())
        press(qtbot, dialog.out, Qt.Key_Return)  # Train

    when_modal(train_dialog)
    press(qtbot, window.view, Qt.Key_T, CTRL_SHIFT)
    out_dir = asked[0]
    assert os.path.dirname(out_dir) == os.path.join(os.path.dirname(gold_db), "test.models")
    assert os.path.basename(out_dir).startswith("test-")  # <db stem>.models/<db stem>-<time> beside the database
    assert halfway.wait(5)
    qtbot.waitUntil(lambda: window.task_progress.value() == 50, timeout=3000)
    assert window.task_box.isVisible() and window.task_label.text() == "Training"
    release.set()
    qtbot.waitUntil(lambda: window.trained_dialog is not None and window.trained_dialog.isVisible(), timeout=5000)
    assert calls == [(gold_db, False)]  # its own Store, in a worker thread
    dialog = window.trained_dialog
    shown = " ".join(label.text() for label in dialog.findChildren(type(window.task_label)))
    assert "annotator_gold-20250101.120000" in shown and "0.750" in shown and "0.500" in shown
    assert "trained stance classifier" in dialog.details.text()
    qtbot.mouseClick(dialog.use_button, Qt.LeftButton)
    with Store(gold_db) as store:  # in the database, for every annotator
        assert store.get_meta(suggestion_model.META_KEY) == os.path.join("test.models", os.path.basename(out_dir))
    assert window.model_label.text() == "Model: gold model of 2025-01-01 12:00"
    assert "annotator_gold-20250101.120000" in window.model_label.toolTip()
    assert window.actions["suggestion_model"].text() == "Suggestion &model: gold model of 2025-01-01 12:00…"


def test_cancel_stops_training_and_keeps_the_model(gold_db, open_window, qtbot, monkeypatch, tmp_path):
    import annotator.nlp.train as train

    def fake_train(store, out_dir, *, progress=None, cancelled=None, **kwargs):
        while not cancelled():
            progress(0.1)
            time.sleep(0.01)
        raise train.TrainingCancelled("training cancelled; the output folder was not changed")

    monkeypatch.setattr(train, "train_from_gold", fake_train)
    window = open_window(gold_db)
    out_dir = tmp_path / "models" / "run"
    assert window.start_training(str(out_dir))
    qtbot.waitUntil(lambda: window.task_progress.value() == 10, timeout=5000)
    qtbot.mouseClick(window.task_cancel, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.task is None, timeout=5000)
    assert "Training cancelled" in window.statusBar().currentMessage()
    assert window.trained_dialog is None and not out_dir.exists()
    assert window.model_label.text() == "Model: bundled model"
    with Store(gold_db) as store:
        assert store.get_meta(suggestion_model.META_KEY) is None


# ---- the suggestion model -----------------------------------------------------------------------
def test_the_chosen_model_is_stored_in_the_database_and_suggests(make_db, open_window, qtbot, monkeypatch,
                                                                  tmp_path_factory):
    import annotator.nlp.suggest as suggest

    trained = tmp_path_factory.mktemp("elsewhere") / "gold-model"
    trained.mkdir()
    (trained / "model.json").write_text(json.dumps(_model_json(str(trained))), encoding="utf-8")
    seen = []

    def fake_suggest(store, article_ids=None, model_dir=None, progress=None, cancelled=None, **kw):
        seen.append(model_dir)
        return len(article_ids or [])

    monkeypatch.setattr(suggest, "suggest_articles", fake_suggest)
    monkeypatch.setattr("annotator.gui.workers._worker_store", lambda open_store, with_tokenizer=True: open_store())
    db = make_db()
    window = open_window(db)
    assert window.model_label.text() == "Model: bundled model"
    verdicts = []

    def choose(dialog):
        dialog.path.setFocus()
        qtbot.keyClicks(dialog.path, str(trained))
        verdicts.append(dialog.verdict.text())
        press(qtbot, dialog.path, Qt.Key_Return)  # Use this model

    when_modal(choose)
    press(qtbot, window.view, Qt.Key_L, CTRL_SHIFT)
    assert verdicts and verdicts[0].startswith("✓ Trained from gold: annotator_gold-20250101.120000")
    with Store(db) as store:
        assert store.get_meta(suggestion_model.META_KEY) == str(trained)  # outside the database's folder: absolute
    assert window.model_label.text() == "Model: gold model of 2025-01-01 12:00"

    activate(qtbot, window)
    window.view.setFocus()
    press(qtbot, window.view, Qt.Key_G, CTRL_SHIFT)  # Tools ▸ Suggest for selected articles
    qtbot.waitUntil(lambda: window.task is None and bool(seen), timeout=5000)
    assert seen == [str(trained)]
    assert "gold model of 2025-01-01 12:00" in window.statusBar().currentMessage()

    assert window.set_suggestion_model(None)  # back to the bundled model
    assert window.run_suggestions(all_articles=True)
    qtbot.waitUntil(lambda: window.task is None and len(seen) == 2, timeout=5000)
    assert seen[1] is None

    with Store(db) as store:  # another annotator chose a folder that is gone meanwhile
        store.set_meta(suggestion_model.META_KEY, "models/gone")
    window._show_model()
    assert "missing" in window.model_label.text()


# ---- most useful next ---------------------------------------------------------------------------
@pytest.fixture
def scored_db(make_db):
    """Four articles; the model is least sure about a3, then a2, a4, a1."""
    articles = [(f"a{i}", TEXT.replace("Kamis", day), {"title": f"Artikel {i}"})
                for i, day in enumerate(("Senin", "Selasa", "Rabu", "Kamis"), 1)]
    path = make_db(articles=articles)
    with Store(path) as store:
        for article_id, score in (("a1", 0.95), ("a2", 0.5), ("a3", 0.2), ("a4", 0.7)):
            text = store.get_article(article_id).text
            start, end = at(text, "Washington")
            store.replace_suggestions(article_id, [Entity(None, article_id, MODEL_LAYER, start, end, "LOC",
                                                          source="model", status="suggested", score=score)], [],
                                      model="test")
    return path


def listed(window) -> list[str]:
    model = window.browser.model
    return [model.article_id(r) for r in range(model.rowCount())]


def test_most_useful_next_orders_the_list_and_ctrl_return_follows_it(scored_db, open_window, qtbot):
    window = open_window(scored_db, article_id="a3")
    press(qtbot, window.view, Qt.Key_U, CTRL_SHIFT)
    qtbot.waitUntil(lambda: window.browser.model.order is not None, timeout=10000)
    assert listed(window) == ["a3", "a2", "a4", "a1"]
    assert window.actions["useful_order"].isChecked()
    assert window.browser.order.currentText() == "Most useful next"
    assert window.browser.counter.text() == "4 to do"
    assert window.position_label.text() == "1 / 4 useful"
    assert window.browser.selected_ids() == ["a3"]
    assert "the least sure first" in window.statusBar().currentMessage()

    press(qtbot, window.view, Qt.Key_Return, Qt.ControlModifier)  # done → a2 (corpus order would give a4)
    assert window.article_id == "a2"
    assert window.browser.selected_ids() == ["a2"]
    press(qtbot, window.view, Qt.Key_Return, Qt.ControlModifier)
    assert window.article_id == "a4"
    press(qtbot, window.view, Qt.Key_PageDown)  # next in the list too
    assert window.article_id == "a1"
    press(qtbot, window.view, Qt.Key_Return, Qt.ControlModifier)  # a1 done: from the top, a4 is left
    assert window.article_id == "a4"
    qtbot.waitUntil(lambda: window.browser.model.row_data(0)["status"] == "done", timeout=3000)

    press(qtbot, window.view, Qt.Key_U, CTRL_SHIFT)  # back to corpus order
    assert window.browser.model.order is None and listed(window) == ["a1", "a2", "a3", "a4"]
    assert window.browser.order.currentText() == "Corpus order"


def test_the_useful_order_is_kept_for_the_next_session(scored_db, open_window, qtbot):
    window = open_window(scored_db, article_id="a3")
    press(qtbot, window.view, Qt.Key_U, CTRL_SHIFT)
    qtbot.waitUntil(lambda: window.browser.model.order is not None, timeout=10000)
    press(qtbot, window.view, Qt.Key_Return, Qt.ControlModifier)  # a3 done
    window.close()

    again = open_window(scored_db)  # same settings: the annotator comes back to the useful order
    qtbot.waitUntil(lambda: again.browser.model.order is not None, timeout=10000)
    assert listed(again) == ["a2", "a4", "a1"]  # a3 is done: it drops out
    assert again.actions["useful_order"].isChecked() and again.article_id == "a2"
    press(qtbot, again.view, Qt.Key_U, CTRL_SHIFT)  # back to corpus order, and so next time
    again.close()
    third = open_window(scored_db)
    assert third.browser.model.order is None and not third.actions["useful_order"].isChecked()
    assert open_window(scored_db, annotator="bob").browser.model.order is None  # per annotator


def test_the_order_box_and_its_fallback_without_model_scores(make_db, open_window, qtbot, monkeypatch):
    def no_model(store, model_dir):
        raise OSError("no model here")

    monkeypatch.setattr("annotator.gui.workers._measuring_pipeline", no_model)
    window = open_window(make_db())  # no suggestion has a score: the model would have to measure
    window.browser.order.setFocus()
    press(qtbot, window.browser.order, Qt.Key_Down)  # the box: Most useful next
    qtbot.waitUntil(lambda: "could not be ordered" in window.statusBar().currentMessage(), timeout=10000)
    assert "no model here" in window.statusBar().currentMessage()
    assert window.browser.model.order is None and not window.actions["useful_order"].isChecked()
    assert window.browser.order.currentText() == "Corpus order"


def test_the_useful_order_pages_through_many_articles_lazily(scored_db, open_window, qtbot):
    window = open_window(scored_db)
    browser = window.browser
    ids = [f"x{i}" for i in range(100_000)]
    ids[1234] = "a2"  # ids no longer stored show as bare rows
    browser.set_order(ids)
    assert browser.model.rowCount() == 100_000
    fetched = browser.model.pages_fetched
    browser.table.scrollToBottom()
    QApplication.processEvents()
    assert browser.model.pages_fetched - fetched <= 3
    assert browser.model.row_of("a2") == 1234
    assert browser.model.row_data(1234)["title"] == "Artikel 2"
    browser.search.setText("Selasa")  # filters keep working on the order
    browser.apply_filters()
    assert listed(window) == ["a2"]
