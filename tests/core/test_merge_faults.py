"""Merging a damaged, newer or incomplete database changes nothing; merging back and forth adds no copies."""

import sqlite3

import pytest

from annotator.core import merge as merge_module
from annotator.core.merge import MergeError, merge_databases
from annotator.core.store import Store

TEXT = "Menteri Retno Marsudi berbicara di Jakarta pada hari Senin nomor {n}. " + "Kalimat pengisi. " * 30


def counts(store: Store) -> dict:
    return {table: store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("articles", "layers", "entities", "quotes", "edit_log", "annotators", "meta")}


def make_other(path, n: int = 200) -> None:
    with Store(path) as other:
        for i in range(n):
            text = TEXT.format(n=i)
            other.add_article(f"o{i}", text)
            start = text.index("Retno")
            other.add_entity(f"o{i}", "bob", start, start + len("Retno Marsudi"), "PERSON")


@pytest.fixture
def here(tmp_path):
    store = Store(tmp_path / "here.db")
    store.add_article("h1", "Artikel yang sudah ada di sini.")
    store.add_entity("h1", "alice", 0, 7, "PERSON")
    yield store
    store.close()


def test_a_corrupted_database_is_refused_before_anything_is_written(here, tmp_path):
    other = tmp_path / "broken.db"
    make_other(other)
    data = bytearray(other.read_bytes())
    page = 4096
    middle = (len(data) // page) * 2 // 3 * page
    data[middle + 8: middle + page] = b"\xa5" * (page - 8)  # a damaged page, well after the first articles
    other.write_bytes(bytes(data))
    before = counts(here)
    with pytest.raises(MergeError, match="damaged"):
        merge_databases(here, other)
    assert counts(here) == before


@pytest.mark.parametrize("change, message", [
    ("UPDATE meta SET value = '99' WHERE key = 'schema_version'", "newer"),
    ("ALTER TABLE entities DROP COLUMN model", r"entities.*model"),
])
def test_a_newer_or_incomplete_schema_is_refused(here, tmp_path, change, message):
    other = tmp_path / "other.db"
    make_other(other, 3)
    with sqlite3.connect(other) as conn:
        conn.execute(change)
    before = counts(here)
    with pytest.raises(MergeError, match=message):
        merge_databases(here, other)
    assert counts(here) == before


def test_a_fault_in_the_middle_of_a_merge_rolls_all_of_it_back(here, tmp_path, monkeypatch):
    other = tmp_path / "other.db"
    make_other(other, 20)
    original = merge_module._merge_layer
    calls = []

    def fail_later(*args, **kwargs):
        calls.append(1)
        if len(calls) == 15:
            raise KeyError("speaker_label")
        return original(*args, **kwargs)

    monkeypatch.setattr(merge_module, "_merge_layer", fail_later)
    before = counts(here)
    with pytest.raises(MergeError, match="nothing was merged"):
        merge_databases(here, other)
    assert counts(here) == before


def test_merging_back_and_forth_creates_no_duplicate_conflict_layers(tmp_path):
    text = "Retno Marsudi berbicara di Jakarta."
    a, b = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
    for store in (a, b):
        store.add_article("x", text)
    a.add_entity("x", "alice", 0, 13, "PERSON")
    b.add_entity("x", "alice", 27, 34, "LOC")
    for _ in range(3):
        merge_databases(a, b.path)
        merge_databases(b, a.path)
    contents = {}
    for store in (a, b):
        layers = store.layers_of("x")
        contents[store.path] = layers
        versions = [merge_module.layer_content(store.get_layer("x", name)) for name in layers]
        assert len(versions) == len(set(versions)), layers  # each version of alice's work once
    assert contents[str(a.path)] == ["alice", "alice@b"]
    assert contents[str(b.path)] == ["alice", "alice@a"]
