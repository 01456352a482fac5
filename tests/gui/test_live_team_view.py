"""Live team view: what another session stores (an article marked done, gold settled by a
reviewer) shows in the open window without anyone asking: within a second on a server
(LISTEN/NOTIFY, read every SERVER_POLL_MS), at the next poll of SQLite's data_version on a file."""

from PySide6.QtCore import Qt

from annotator.core.model import GOLD_LAYER
from annotator.core.store import Store
from annotator.gui import mainwindow
from annotator.gui.theme import plain_tooltip
from tests.gui.conftest import TEXT, at, click_at, key, layer, select_tokens

BACKENDS = ("sqlite", "postgres")
T2 = "Sekjen NATO Mark Rutte mengecam Korea Utara di Brussel."


def within(backend: str) -> int:
    """How long the test waits (ms): a second on a server (with room for a busy test machine); the
    polling period and more on a file."""
    return 2000 if backend == "postgres" else mainwindow.POLL_MS + 2000


def status_text(window, article_id: str) -> str:
    model = window.browser.model
    return model.data(model.index(model.row_of(article_id), 0), Qt.DisplayRole)


def test_an_article_marked_done_in_another_session_shows_in_the_open_list(make_db, open_window, qtbot, backend):
    db = make_db(articles=[("a1", TEXT, {"title": "Blinken"}), ("a2", T2, {"title": "Rutte"})])
    window = open_window(db)
    assert "done" not in status_text(window, "a2")
    with Store(db) as other:  # the same annotator on another computer
        other.open_layer("a2", "alice")
        other.add_entity("a2", "alice", *at(T2, "Mark Rutte"), "PERSON")
        other.set_status("a2", "alice", "done")
    qtbot.waitUntil(lambda: "done" in status_text(window, "a2"), timeout=within(backend))
    assert window.browser.model.row_data(window.browser.model.row_of("a2"))["entities"] == 1


def test_gold_settled_by_a_reviewer_elsewhere_shows_in_the_open_review_page(make_db, open_window, qtbot, backend):
    db = make_db()
    with Store(db) as store:
        store.add_entity("a1", "bob", *at(TEXT, "Antony Blinken"), "PERSON")
        store.set_status("a1", "bob", "done")
    window = open_window(db)
    page = window.open_review().page
    assert "done" not in page.gold_status.text()
    with Store(db) as reviewer:
        reviewer.add_entity("a1", GOLD_LAYER, *at(TEXT, "Antony Blinken"), "PERSON", actor="rita")
        reviewer.set_status("a1", GOLD_LAYER, "done", actor="rita")
    qtbot.waitUntil(lambda: "done" in page.gold_status.text(), timeout=within(backend))
    assert any(row.in_gold for row in page.rows)


def test_two_sessions_of_one_annotator_get_a_clear_conflict_not_a_silent_overwrite(make_db, open_window, qtbot):
    db = make_db()
    window = open_window(db)
    window._poll.stop()  # the window has not seen the other session's change yet: it edits what it read
    view = window.view
    start = at(TEXT, "Antony")[0]
    select_tokens(qtbot, view, start, 2)
    key(qtbot, view, Qt.Key_1)
    (mine,) = layer(db).entities
    with Store(db) as other:  # the same annotator on another computer relabels it
        other.update_entity(mine.id, label="ORG", version=mine.version)
    click_at(qtbot, view, start + 2)
    key(qtbot, view, Qt.Key_3)  # LOC, over a version that is no longer the stored one
    assert window.save_label.text() == "✗ not saved — changed elsewhere"
    message = window.statusBar().currentMessage()
    assert message.startswith("Not saved: another session changed this entity by alice at ")
    assert message.endswith("the article now shows what is stored.")
    details = window.editor.refusal  # the store's whole message (what, by whom, when, which versions) as a tooltip
    assert f"entity #{mine.id} in alice's layer (ORG 'Antony Blinken') was changed by alice" in details
    assert window.save_label.toolTip() == plain_tooltip(details)
    assert [e.label for e in layer(db).entities] == ["ORG"]  # theirs stays
    assert [e.label for e in window.controller.state.shown_entities] == ["ORG"]  # and is what the window shows
    key(qtbot, view, Qt.Key_Z, Qt.ControlModifier)  # undoing my add would delete their newer version: refused
    assert window.save_label.text() == "✗ not saved — changed elsewhere" and len(layer(db).entities) == 1
    click_at(qtbot, view, start + 2)
    key(qtbot, view, Qt.Key_3)  # now over what it shows: stored
    assert window.save_label.text() == "✓ saved" and [e.label for e in layer(db).entities] == ["LOC"]


def test_only_changes_to_what_the_window_shows_reload_the_open_article(make_db, open_window, qtbot, backend,
                                                                     monkeypatch):
    db = make_db(articles=[("a1", TEXT, {"title": "Blinken"}), ("a2", T2, {"title": "Rutte"})])
    window = open_window(db, article_id="a1")
    reloads = []
    reload = window.controller.reload
    monkeypatch.setattr(window.controller, "reload", lambda: (reloads.append(window.article_id), reload())[1])
    with Store(db) as other:
        other.add_entity("a1", "bob", *at(TEXT, "Antony Blinken"), "PERSON")  # another annotator's layer
        other.open_layer("a2", "alice")
        other.set_status("a2", "alice", "done")  # mine, but not the open article
    qtbot.waitUntil(lambda: "done" in status_text(window, "a2"), timeout=within(backend))
    assert reloads == []
    with Store(db) as other:  # my layer of the open article, from my other session
        other.add_entity("a1", "alice", *at(TEXT, "Washington"), "LOC")
    qtbot.waitUntil(lambda: reloads == ["a1"], timeout=within(backend))
    assert [e.label for e in window.controller.state.shown_entities] == ["LOC"]
