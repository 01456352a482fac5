"""Live changes: what other sessions commit reaches a Store's poll_changes() and its observers (on a
server through LISTEN/NOTIFY, in a file through data_version and the edit log), never its own
commits; across two real processes within a second."""

import os
import subprocess
import sys
import time

import pytest

from annotator.core.model import MODEL_LAYER, Entity
from annotator.core.store import ChangeSet, Store, StoreError
from tests.conftest import ROOT
from tests.helpers import at

BACKENDS = ("sqlite", "postgres")
TEXT_A = "Menteri Luar Negeri AS Antony Blinken mengatakan, “Kami prihatin.” kata Blinken di Washington."
TEXT_B = "Presiden Joko Widodo bertemu Kim Jong Un di Pyongyang pada hari Senin."


@pytest.fixture
def two(db_url, token_offsets):
    with Store(db_url, tokenizer=token_offsets) as mine, Store(db_url, tokenizer=token_offsets) as theirs:
        mine.add_article("a", TEXT_A)
        mine.add_article("b", TEXT_B)
        theirs.poll_changes()
        yield mine, theirs


def test_others_commits_are_polled_with_articles_layers_and_statuses(two, backend):
    mine, theirs = two
    heard = []
    theirs.subscribe(heard.append)
    assert theirs.poll_changes() == ChangeSet()
    entity = mine.add_entity("a", "alice", *at(TEXT_A, "Antony Blinken"), "PERSON")
    mine.set_status("b", "bob", "done")
    changes = theirs.poll_changes()
    assert changes.outside and not changes.everything
    assert changes.articles == {"a", "b"} and changes.layers == {("a", "alice"), ("b", "bob")}
    assert changes.statuses == {("b", "bob", "done")}
    if backend == "sqlite":  # the edit log names the items too
        assert changes.entities == {entity.id}
    assert heard == [changes]  # the observers hear it
    assert theirs.poll_changes() == ChangeSet()  # told once
    assert heard == [changes]


def test_a_sessions_own_commits_are_not_news_to_it(two):
    mine, theirs = two
    mine.add_entity("a", "alice", *at(TEXT_A, "Antony Blinken"), "PERSON")
    theirs.set_status("b", "bob", "in_progress")  # interleaved with the other's
    mine.set_comment("a", "alice", "cek")
    assert mine.poll_changes().layers == {("b", "bob")}
    assert theirs.poll_changes().layers == {("a", "alice")}
    assert mine.poll_changes() == ChangeSet() == theirs.poll_changes()


def test_a_rolled_back_transaction_is_not_announced(two):
    mine, theirs = two
    with pytest.raises(StoreError):
        with mine.transaction():
            mine.set_status("a", "alice", "done")
            raise StoreError("changed my mind")
    assert theirs.poll_changes() == ChangeSet()


def test_an_import_and_bulk_accepts_are_heard(two, backend):
    mine, theirs = two
    start, end = at(TEXT_B, "Pyongyang")
    mine.replace_suggestions("b", [Entity(None, "b", MODEL_LAYER, start, end, "LOC", source="model")], [])
    mine.open_layer("b", "alice")
    theirs.poll_changes()
    mine.accept_all("b", "alice")
    mine.add_articles([dict(id="c", text="Artikel baru tentang ASEAN.")])
    changes = theirs.poll_changes()
    assert changes.articles == {"b", "c"} and ("b", "alice") in changes.layers
    if backend == "sqlite":
        assert changes.entities == {mine.get_layer("b", "alice").entities[0].id}


def test_more_than_can_be_told_says_everything(two, monkeypatch):
    mine, theirs = two
    monkeypatch.setattr(Store, "MAX_POLLED_ROWS", 3)  # a file: more edit-log rows than this
    ids = [f"x{n}" for n in range(1000)]  # a server: more ids than one notification holds
    mine.add_articles([dict(id=i, text=f"Artikel nomor {i} yang cukup panjang untuk diuji.") for i in ids])
    changes = theirs.poll_changes()
    assert changes.everything and changes.outside and changes
    assert theirs.poll_changes() == ChangeSet()


WATCHER = """
import sys, time
from annotator.core.store import Store

with Store(sys.argv[1]) as store:
    print("ready", flush=True)
    changes = store.wait_changes(timeout=30)
    print(repr(time.time()), sorted(changes.statuses), flush=True)
"""


def test_another_process_sees_an_article_marked_done_within_a_second(db_url, token_offsets):
    with Store(db_url, tokenizer=token_offsets) as store:
        store.add_article("a", TEXT_A)
        watcher = subprocess.Popen([sys.executable, "-c", WATCHER, db_url], stdout=subprocess.PIPE, text=True,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)})
        try:
            assert watcher.stdout.readline().strip() == "ready"
            store.set_status("a", "alice", "done")
            committed = time.time()
            out = watcher.communicate(timeout=60)[0].split(maxsplit=1)
        finally:
            watcher.kill()
    seen, statuses = float(out[0]), out[1].strip()
    assert statuses == "[('a', 'alice', 'done')]"
    assert seen - committed < 1.0
