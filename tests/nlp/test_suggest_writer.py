"""suggest's single writer keeps up with the workers: one commit per group of articles, and a stop
still keeps whole articles only."""

from __future__ import annotations

import pytest

from annotator.core.importer import import_records
from annotator.core.store import Store
from annotator.nlp.pipeline import build_pipeline
from annotator.nlp.suggest import suggest_articles
from annotator.nlp.tokenizer import token_offsets

TEXT = "“Kami siap membantu semua warga,” kata Menteri Sosial Tri Rismaharini di Jakarta. Berita nomor {}."


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline(config={"entities": False})


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "s.db", tokenizer=token_offsets)
    import_records(store, [{"id": f"a{n:02d}", "text": TEXT.format(n)} for n in range(40)])
    yield store
    store.close()


def test_suggest_stores_a_group_of_articles_per_transaction(store, nlp):
    commits = []
    store.subscribe(lambda changes: commits.append(sorted(changes.articles)))
    assert suggest_articles(store, nlp=nlp, batch_size=16) == 40
    assert [len(c) for c in commits] == [16, 16, 8]
    assert commits[0][0] == "a00" and commits[2][-1] == "a39"
    assert all(store.get_layer(f"a{n:02d}", "@model").quotes for n in range(40))


def test_a_cancelled_suggest_keeps_the_whole_articles_it_stored(store, nlp):
    done = []
    stored = suggest_articles(store, nlp=nlp, batch_size=16, progress=done.append, cancelled=lambda: len(done) >= 20)
    # progress comes after each group's commit (16, then 32): the cancel is seen at the third group
    assert stored == 32
    with_layer = [r[0] for r in store.db.execute("SELECT article_id FROM layers WHERE annotator = '@model'")]
    assert len(with_layer) == stored and done == list(range(1, stored + 1))
    logged = [r["article_id"] for r in store.edit_log(limit=1000) if r["action"] == "replace_suggestions"]
    assert sorted(logged) == sorted(with_layer)
