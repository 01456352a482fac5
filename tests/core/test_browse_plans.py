"""The article list's queries walk the corpus in order and stop at a page, whatever the corpus size:
checked on SQLite's query plans (not timed)."""

from __future__ import annotations

import pytest

from annotator.core.store import Store


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "plans.db")
    store.add_articles([dict(id=f"n{i}", text=f"Pasukan nomor {i} tiba di Kursk.") for i in range(300)])
    store.set_status("n5", "alice", "done")
    yield store
    store.close()


def plan_of(store: Store, call) -> tuple[list[str], object]:
    """The query plan of the one SELECT `call` runs on the store, and its result."""
    seen: list[str] = []
    store.db.conn.set_trace_callback(seen.append)
    try:
        result = call()
    finally:
        store.db.conn.set_trace_callback(None)
    selects = [sql for sql in seen if sql.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, selects
    return [row[3] for row in store.db.execute("EXPLAIN QUERY PLAN " + selects[0])], result


@pytest.mark.parametrize("filters", [{"search": "pasukan"}, {"search": "pasukan", "status": "new"}])
def test_a_search_page_walks_the_full_text_index_in_order_without_collecting_every_match(store, filters):
    plan, rows = plan_of(store, lambda: store.list_articles("alice", 0, 50, **filters))
    scans = [step for step in plan if step.startswith("SCAN")]
    # the page's articles come from the index, in rowid (= corpus) order; the rows of the page are then
    # read by key (the page first: a server must not count what OFFSET skips)
    assert scans and scans[0].startswith("SCAN f VIRTUAL TABLE") and len(scans) == 1, plan
    assert not any("TEMP B-TREE" in step for step in plan)  # nothing gathered and sorted first
    assert [r["id"] for r in rows] == [f"n{i}" for i in range(51) if i != 5 or "status" not in filters][:50]


def test_the_next_page_starts_after_the_key_of_the_last_row(store):
    first = store.list_articles("alice", 0, 50, search="pasukan")
    plan, rows = plan_of(store, lambda: store.list_articles("alice", 0, 50, search="pasukan", after=first[-1]["seq"]))
    assert [r["id"] for r in rows] == [f"n{i}" for i in range(50, 100)]
    assert not any("TEMP B-TREE" in step for step in plan)
    plan, rows = plan_of(store, lambda: store.list_articles("alice", 0, 50, after=first[-1]["seq"]))
    assert [r["id"] for r in rows] == [f"n{i}" for i in range(50, 100)]
    assert any("INTEGER PRIMARY KEY (rowid>?)" in step or "(seq>?)" in step for step in plan), plan
