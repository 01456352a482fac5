"""The quality pages' demo project, built through the store API alone: on a file and on a server."""

from annotator.core.model import GOLD_LAYER
from annotator.core.store import Store
from annotator.project.demo import DEMO_KEY, build_demo_db, is_demo

BACKENDS = ("sqlite", "postgres")


def test_the_demo_project_is_built_the_same_on_both_backends(db_url, token_offsets):
    with build_demo_db(db_url, tokenizer=token_offsets) as store:
        assert store.get_meta(DEMO_KEY) == "1" and is_demo(db_url)
        assert store.annotators() == ["alice", "bob", "carol"]
        ids = store.article_ids()
        assert all(store.get_layer(a, "alice").status == "done" for a in ids)
        assert store.get_layer(ids[0], GOLD_LAYER).status == "done"
        done_days = {r["ts"][:10] for r in store.edit_log(limit=100_000)
                     if r["action"] == "set" and '"done"' in (r["after"] or "") and r["layer"] == "alice"}
        assert len(done_days) >= 3  # spread over the week


def test_a_demo_is_not_built_over_a_real_project(db_url, token_offsets):
    import pytest

    with Store(db_url, tokenizer=token_offsets) as store:
        store.add_article("a", "Sebuah artikel sungguhan.")
    with pytest.raises(FileExistsError, match="choose another path|holds articles already"):
        build_demo_db(db_url, tokenizer=token_offsets)
    with Store(db_url) as store:
        assert store.article_ids() == ["a"]
