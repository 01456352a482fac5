"""The "no stance" filter of the article list: with few quotes in the database it starts from them
instead of walking every article (a 1M corpus without quotes: 0.26 s -> 0.0 ms), and keeps the same
articles either way. Checked on SQLite's query plan (not timed)."""

from __future__ import annotations

import pytest

from annotator.core.store import Store
from tests.core.test_browse_plans import plan_of


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "stance.db")
    store.add_articles([dict(id=f"a{n}", text=f"Kami menolak rencana itu, kata Joko nomor {n}.") for n in range(12)])
    store.add_quote("a1", "@model", 0, 24, source="model", status="suggested")  # no stance: kept
    store.add_quote("a4", "@model", 0, 24, stance="SUPPORT", source="model", status="suggested")
    store.add_quote("a7", "@model", 0, 24, source="model", status="rejected")  # rejected: not kept
    store.add_quote("a9", "alice", 0, 24)  # alice's own quote without stance
    store.add_quote("a9", "@model", 0, 24, stance="OPPOSE", source="model", status="suggested")
    yield store
    store.close()


def test_the_no_stance_filter_keeps_the_same_articles_whether_it_starts_from_the_quotes_or_not(store, monkeypatch):
    found = {}
    for few in (True, False):
        monkeypatch.setattr(Store, "FEW_SUGGESTED", 1000 if few else 0)
        found[few] = {who: [r["id"] for r in store.list_articles(who, 0, 50, no_stance=True)] for who in ("alice", "bob")}
        assert store.count_articles("alice", no_stance=True) == len(found[few]["alice"])
        assert store.count_articles("bob", no_stance=True, at_most=1) == 1
    assert found[True] == found[False] == {"alice": ["a1", "a9"], "bob": ["a1"]}


def test_with_few_quotes_the_no_stance_list_does_not_walk_every_article(store, monkeypatch):
    monkeypatch.setattr(Store, "_few_quotes", lambda self: True)  # plan_of wants the list's one SELECT
    plan, rows = plan_of(store, lambda: store.list_articles("alice", 0, 50, no_stance=True))
    assert [r["id"] for r in rows] == ["a1", "a9"]
    assert not any(step.startswith("SCAN a") for step in plan), plan  # the articles are looked up by id


def test_many_stanced_quotes_and_few_open_ones_still_start_from_the_open_ones(store, monkeypatch):
    """The count that chooses the plan is of quotes without a stance (the partial index of schema 7), not
    of all quotes: a project whose quotes are mostly labelled keeps the fast plan."""
    for n in (2, 3, 5, 6, 8):
        store.add_quote(f"a{n}", "@model", 0, 24, stance="SUPPORT", source="model", status="suggested")
    monkeypatch.setattr(Store, "FEW_SUGGESTED", 3)  # 10 quotes in all, 2 of them open (one rejected)
    assert store._few_quotes()
    monkeypatch.setattr(Store, "_few_quotes", lambda self: True)  # plan_of wants the list's one SELECT
    plan, rows = plan_of(store, lambda: store.list_articles("alice", 0, 50, no_stance=True))
    assert [r["id"] for r in rows] == ["a1", "a9"]
    assert not any(step.startswith("SCAN a") for step in plan), plan
    assert any("quotes_no_stance" in step for step in plan), plan
    monkeypatch.undo()
    monkeypatch.setattr(Store, "FEW_SUGGESTED", 3)
    store.add_quote("a10", "@model", 0, 24, source="model", status="suggested")
    assert not store._few_quotes()  # 3 open: now from the articles in order
    assert [r["id"] for r in store.list_articles("alice", 0, 50, no_stance=True)] == ["a1", "a9", "a10"]
