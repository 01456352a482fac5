"""The article browser: lazy paging, full-text search, filters, progress, keyboard opening."""

import pytest
from PySide6.QtCore import Qt

from annotator.core.model import MODEL_LAYER, Entity, Quote
from annotator.core.store import Store
from tests.gui.conftest import key

BACKENDS = ("sqlite", "postgres")  # the same tests on a file and on a PostgreSQL server

N = 1200


@pytest.fixture
def big_db(tmp_path):
    path = str(tmp_path / "big.db")
    with Store(path) as store:
        with store.transaction():
            for i in range(N):
                place = "Ukraina" if i % 10 == 0 else "Rusia"
                store.add_article(f"n{i:05d}", f"Berita nomor {i} tentang pasukan di {place}.",
                                  title=f"Berita {i} {place}", source="antara.id", date="2024-11-01")
        text = store.get_article("n00003").text
        start = text.index("pasukan")
        store.replace_suggestions("n00003", [Entity(None, "n00003", MODEL_LAYER, start, start + 7, "ORG",
                                                    source="model", status="suggested")], [])
        store.add_quote("n00005", "alice", 0, 6, kind="indirect")
        store.set_status("n00002", "alice", "done")
    return path


def test_the_browser_fetches_only_the_pages_it_shows(big_db, open_window, qtbot):
    window = open_window(big_db)
    model = window.browser.model
    assert model.rowCount() == N
    assert model.pages_fetched <= 2
    window.browser.table.scrollToBottom()
    qtbot.wait(10)
    window.browser.table.viewport().repaint()
    assert model.pages_fetched <= 4
    assert model.row_data(N - 1)["id"] == f"n{N - 1:05d}"


def test_search_box_uses_full_text_search(big_db, open_window, qtbot):
    window = open_window(big_db)
    key(qtbot, window.view, Qt.Key_F, Qt.ControlModifier)
    qtbot.keyClicks(window.browser.search, "ukrain")
    qtbot.waitUntil(lambda: window.browser.model.rowCount() == N // 10, timeout=3000)
    assert "shown" in window.browser.counter.text()
    window.browser.search.clear()
    qtbot.waitUntil(lambda: window.browser.model.rowCount() == N, timeout=3000)


def test_status_pending_and_no_stance_filters(big_db, open_window, qtbot):
    window = open_window(big_db)
    browser = window.browser
    browser.status.setCurrentIndex(browser.status.findData("done"))
    assert [browser.model.article_id(r) for r in range(browser.model.rowCount())] == ["n00002"]
    browser.status.setCurrentIndex(0)
    browser.pending.setChecked(True)
    assert browser.model.article_id(0) == "n00003" and browser.model.rowCount() == 1
    browser.pending.setChecked(False)
    browser.no_stance.setChecked(True)
    assert [browser.model.article_id(r) for r in range(browser.model.rowCount())] == ["n00005"]


def test_progress_bar_counts_done_articles(big_db, open_window):
    window = open_window(big_db)
    assert window.browser.progress.format().startswith(f"1 / {N:,} done")


def test_keyboard_in_the_list_opens_an_article(big_db, open_window, qtbot):
    window = open_window(big_db)
    table = window.browser.table
    table.setFocus()
    table.setCurrentIndex(window.browser.model.index(0, 1))
    key(qtbot, table, Qt.Key_Down)
    key(qtbot, table, Qt.Key_Down)
    key(qtbot, table, Qt.Key_Return)
    assert window.article_id == "n00002" and window.view.hasFocus()
    assert window.position_label.text() == f"3 / {N:,}"


def test_status_colours_differ(big_db, open_window):
    from annotator.gui.theme import status_color

    assert len({status_color(s).name() for s in ("new", "in_progress", "done")}) == 3


def _status_cell(window, article_id: str) -> tuple[str, str]:
    model = window.browser.model
    index = model.index(model.row_of(article_id), 0)
    return model.data(index, Qt.DisplayRole), model.data(index, Qt.ToolTipRole)


def test_a_gold_reopened_by_a_merge_is_marked_in_the_article_list(make_db, open_window, qtbot):
    from annotator.core.model import GOLD_LAYER
    from annotator.core.review import reopen_gold

    db = make_db()
    with Store(db) as store:
        text = store.get_article("a1").text
        start = text.index("Antony Blinken")
        store.add_entity("a1", GOLD_LAYER, start, start + len("Antony Blinken"), "PERSON", actor="lead")
        store.set_status("a1", GOLD_LAYER, "done", actor="lead")
        store.add_entity("a1", "bob", start, start + len("Antony Blinken"), "ORG")
    window = open_window(db, annotator="lead")
    assert "gold" not in _status_cell(window, "a1")[0]

    with Store(db) as store:  # a merge in another process brings bob's other version
        assert reopen_gold(store, "a1", ["bob"], "the merge of bob.db", "@merge") == 1
    window._check_outside_changes()  # what the poll does
    qtbot.waitUntil(lambda: "⚑ gold" in _status_cell(window, "a1")[0], timeout=3000)
    assert "the merge of bob.db brought 1 row" in _status_cell(window, "a1")[1]


def test_a_change_through_the_windows_own_store_refreshes_its_row_without_polling(make_db, open_window, qtbot):
    db = make_db()
    window = open_window(db)
    window._poll.stop()  # the poll sees other connections only; this change comes as a store event
    window.store.set_comment("a1", "alice", "check the date", True)
    qtbot.waitUntil(lambda: "⚑ flagged" in _status_cell(window, "a1")[0], timeout=3000)
