"""Exports read the store a page at a time (keyset paging), in every format: memory does not grow
with the corpus. Counted through the SQL the store runs, not timed."""

from __future__ import annotations

import json

import pytest

from annotator.core.importer import import_records
from annotator.core.model import GOLD_LAYER
from annotator.core.store import Store
from annotator.nlp.tokenizer import token_offsets
from annotator.project.export import FORMATS, export_layer
from tests.helpers import span_at

N = 45
PAGE = 10


def text(n: int) -> str:
    return f"Presiden Joko Widodo tiba di Jakarta pada hari ke-{n}."


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(Store, "LAYER_PAGE", PAGE)
    store = Store(tmp_path / "s.db", tokenizer=token_offsets)
    records = [{"id": f"a{n:02d}", "text": text(n), "answer": "accept",
                "spans": [span_at(text(n), "Joko Widodo", "PERSON"), span_at(text(n), "Jakarta", "LOC")]}
               for n in range(N)]
    records.insert(7, {"id": "not-done", "text": "Artikel tanpa anotasi yang selesai.",
                       "spans": [span_at("Artikel tanpa anotasi yang selesai.", "Artikel", "ORG")]})
    summary = import_records(store, records, layer=GOLD_LAYER)
    assert summary.imported == N + 1 and not summary.problems
    yield store
    store.close()


def page_reads(store: Store) -> list[str]:
    """The SELECTs of articles the store runs from now on (its connection's trace)."""
    reads: list[str] = []
    store.db.conn.set_trace_callback(lambda sql: reads.append(sql) if "FROM articles a" in sql else None)
    return reads


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_is_written_while_the_store_is_read_a_page_at_a_time(store, tmp_path, monkeypatch, fmt):
    monkeypatch.setattr(Store, "article_ids", lambda self: pytest.fail("the export listed every article id"))
    monkeypatch.setattr(Store, "get_article", lambda self, a: pytest.fail("the export read one article at a time"))
    reads = page_reads(store)
    reads_at = []  # page queries run when each article was written
    out = tmp_path / ("out" if fmt == "brat" else f"out.{fmt}")
    summary = export_layer(store, out, fmt=fmt, progress=lambda done, total: reads_at.append((done, total, len(reads))))
    assert summary.articles == N and summary.not_done == 1
    assert [total for _, total, _ in reads_at] == [N] * N  # the total is counted, not listed
    pages = [r for r in reads if "ORDER BY p.seq LIMIT" in r]
    assert len(pages) == -(-N // PAGE) + 1  # five pages, then an empty one ends it
    # the first article is written before the second page is read: the pages are not gathered first
    assert reads_at[0][2] <= reads.index(pages[1])
    assert reads_at[PAGE][2] > reads.index(pages[1])  # the 11th article comes from the second page


def test_a_paged_export_holds_what_reading_article_by_article_gave(store, tmp_path):
    export_layer(store, tmp_path / "paged.jsonl", fmt="jsonl")
    paged = [json.loads(line) for line in (tmp_path / "paged.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in paged] == [f"a{n:02d}" for n in range(N)]
    for record in paged:
        layer = store.get_layer(record["id"], GOLD_LAYER)
        assert [(s["start"], s["end"], s["label"]) for s in record["spans"]] == [
            (e.start, e.end, e.label) for e in layer.entities]
        assert record["text"] == store.get_article(record["id"]).text


def test_chosen_articles_are_read_in_pages_in_the_order_chosen(store, tmp_path):
    chosen = [f"a{n:02d}" for n in (30, 2, 44, 11)] + ["not-done", "a02"]
    summary = export_layer(store, tmp_path / "chosen.jsonl", fmt="jsonl", article_ids=chosen)
    assert summary.articles == 4 and summary.not_done == 1
    ids = [json.loads(line)["id"] for line in (tmp_path / "chosen.jsonl").read_text(encoding="utf-8").splitlines()]
    assert ids == ["a30", "a02", "a44", "a11"]


def test_the_docbin_keeps_only_the_token_attributes_the_docs_carry(store, tmp_path):
    from spacy.tokens import DocBin

    from annotator.nlp.docbin import _vocab

    export_layer(store, tmp_path / "out.spacy", fmt="spacy")
    doc_bin = DocBin().from_disk(tmp_path / "out.spacy")
    assert len(doc_bin) == N and len(doc_bin.attrs) == 3  # ORTH, ENT_IOB, ENT_TYPE (not 13; spaces apart)
    docs = list(doc_bin.get_docs(_vocab(None)))
    assert [(e.text, e.label_) for e in docs[3].ents] == [("Joko Widodo", "PERSON"), ("Jakarta", "LOC")]
    assert docs[3].text == text(3) and docs[3].user_data["id"] == "a03"


def test_paged_layers_are_the_stored_layers_with_their_row_versions(store):
    """Store.iter_layers gives what get_layer gives, row versions included (they are not part of
    equality, so compared apart)."""
    store.set_comment("a03", GOLD_LAYER, "cek")  # a layer at a later version than the others
    paged = dict((article.id, layer) for article, layer in store.iter_layers(GOLD_LAYER))
    assert list(paged)[:3] == ["a00", "a01", "a02"] and len(paged) == N + 1
    for article_id, layer in paged.items():
        stored = store.get_layer(article_id, GOLD_LAYER)
        assert layer == stored and layer.version == stored.version
        assert [e.version for e in layer.entities] == [e.version for e in stored.entities]
    assert paged["a03"].version > paged["a00"].version
    assert store.count_layer_articles(GOLD_LAYER, done_only=True, article_ids=["a03", "a03", "not-done", "x"]) == 1
    assert store.count_layer_articles(GOLD_LAYER, article_ids=["a03", "not-done", "x"]) == 2


def test_each_page_walks_the_articles_from_the_last_key_without_sorting_the_layer(store):
    """The page query goes along the corpus order from the last key: led by the layers, SQLite would
    gather and sort every layer row for each page (time per page growing with the corpus)."""
    reads = page_reads(store)
    assert len(list(store.iter_layers(GOLD_LAYER, done_only=True))) == N
    page = next(sql for sql in reads if "ORDER BY p.seq LIMIT" in sql)
    plan = [row[3] for row in store.db.execute("EXPLAIN QUERY PLAN " + page)]  # the trace has the values in
    assert not any("TEMP B-TREE" in step for step in plan), plan
    assert any("(seq>?)" in step or "(rowid>?)" in step for step in plan), plan
