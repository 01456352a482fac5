"""The article list of a big corpus: pages read after the page before (keyset, no deep OFFSET), and
filtered lists counted only as far as shown ("10,000+"), counting further as the view scrolls."""

import pytest

from annotator.core.store import Store
from annotator.gui import browser as browser_module

N = 1200
STEP = 500


@pytest.fixture
def big_db(tmp_path):
    path = str(tmp_path / "big.db")
    with Store(path) as store:
        store.add_articles([dict(id=f"n{i:05d}", text=f"Berita nomor {i} tentang pasukan di Rusia.", title=f"Berita {i}")
                            for i in range(N)])
    return path


def test_a_search_matching_more_than_a_step_is_counted_as_far_as_the_view_scrolls(big_db, open_window, qtbot,
                                                                                  monkeypatch):
    monkeypatch.setattr(browser_module, "COUNT_STEP", STEP)
    window = open_window(big_db)
    browser, model = window.browser, window.browser.model
    counted = []
    real_count = Store.count_articles
    monkeypatch.setattr(Store, "count_articles", lambda self, *a, **k: counted.append(k.get("at_most"))
                        or real_count(self, *a, **k))
    qtbot.keyClicks(browser.search, "pasukan")
    qtbot.waitUntil(lambda: model.rowCount() == STEP, timeout=3000)
    assert model.capped and browser.counter.text() == f"{STEP}+ shown"
    assert counted[-1] == STEP + 1  # the count stopped there
    browser.table.scrollToBottom()  # the view asks for more (fetchMore)
    qtbot.waitUntil(lambda: model.rowCount() == 2 * STEP, timeout=3000)
    assert browser.counter.text() == f"{2 * STEP:,}+ shown"
    model.fetchMore()
    assert model.rowCount() == N and not model.capped and not model.canFetchMore()
    assert browser.counter.text() == f"{N:,} articles"
    assert model.row_data(N - 1)["id"] == f"n{N - 1:05d}"
    browser.search.clear()
    qtbot.waitUntil(lambda: model.rowCount() == N and not model.capped, timeout=3000)


def test_pages_read_in_order_start_after_the_last_row_of_the_page_before(big_db, open_window, monkeypatch):
    window = open_window(big_db)
    model = window.browser.model
    asked = []
    real_list = Store.list_articles

    def spy(self, annotator, offset=0, limit=200, **filters):
        asked.append((offset, filters.get("after")))
        return real_list(self, annotator, offset, limit, **filters)

    monkeypatch.setattr(Store, "list_articles", spy)
    model.set_filters(search="pasukan")  # a new list: nothing read yet
    ids = [model.row_data(row)["id"] for row in range(model.rowCount())]
    assert ids == [f"n{i:05d}" for i in range(N)]
    pages = N // browser_module.PAGE
    assert asked[0] == (0, None) and len(asked) == pages
    seqs = [model.row_data(page * browser_module.PAGE - 1)["seq"] for page in range(1, pages)]
    assert asked[1:] == [(0, seq) for seq in seqs]  # no OFFSET: the key of the page before


def test_a_jump_to_the_end_of_the_list_reads_from_the_end(big_db, open_window, monkeypatch):
    window = open_window(big_db)
    model = window.browser.model
    asked = []
    real_list = Store.list_articles

    def spy(self, annotator, **arguments):
        asked.append({k: v for k, v in arguments.items() if k in ("offset", "limit", "after", "from_end")})
        return real_list(self, annotator, **arguments)

    monkeypatch.setattr(Store, "list_articles", spy)
    model.set_filters(status=None)  # a new list, counted whole: nothing read yet
    assert model.row_data(N - 1)["id"] == f"n{N - 1:05d}" and model.row_data(N - 200)["id"] == f"n{N - 200:05d}"
    assert asked == [{"offset": 0, "limit": 200, "from_end": True}]  # not OFFSET 1000 from the start
    assert model.row_data(650)["id"] == "n00650"  # the page 600-799: its 200 rows from 400 before the end
    assert asked[-1] == {"offset": 400, "limit": 200, "from_end": True}
    assert model.row_data(10)["id"] == "n00010" and asked[-1] == {"offset": 0, "limit": 200}
