"""Row versions on the writes of many rows at once: accept all, the suggestions Done accepts, and a
layer written back whole (the undo of a review decision). Two sessions of one person on one article
get StaleEditError (nothing written), never a silent overwrite; on a file and on a server."""

import pytest

from annotator.core.model import MODEL_LAYER, Entity
from annotator.core.store import StaleEditError, Store
from tests.helpers import at

BACKENDS = ("sqlite", "postgres")
TEXT = "Menteri Luar Negeri AS Antony Blinken mengatakan di Washington pada Senin bahwa NATO siap."
NAMES = [("Antony Blinken", "PERSON"), ("Washington", "LOC"), ("Senin", "DATE"), ("NATO", "ORG")]


@pytest.fixture
def two(db_url, token_offsets):
    """Two sessions (two windows of alice) on one project; a holds four model suggestions, which
    alice's layer holds pending."""
    with Store(db_url, tokenizer=token_offsets) as mine, Store(db_url, tokenizer=token_offsets) as theirs:
        mine.add_article("a", TEXT)
        mine.replace_suggestions("a", [Entity(None, "a", MODEL_LAYER, *at(TEXT, word), label, source="model")
                                       for word, label in NAMES], [])
        mine.open_layer("a", "alice")
        yield mine, theirs


def statuses(store: Store, annotator: str = "alice") -> list[str]:
    return [e.status for e in store.get_layer("a", annotator).entities]


def test_accept_all_of_what_was_read_refuses_a_suggestion_decided_meanwhile(two):
    mine, theirs = two
    seen = theirs.get_layer("a", "alice").pending()
    rejected = mine.delete_or_reject_entity(seen[0].id, actor="alice")
    with pytest.raises(StaleEditError) as caught:
        theirs.accept_all("a", "alice", pending=seen)
    assert f"a: entity #{seen[0].id} in alice's layer (PERSON 'Antony Blinken') was changed by alice at " in str(caught.value)
    assert "(you edited version 1, it is now version 2)" in str(caught.value)
    assert (caught.value.target, caught.value.target_id) == ("entity", rejected.id)
    assert statuses(mine) == ["rejected", "suggested", "suggested", "suggested"]  # nothing accepted, theirs kept
    assert not [r for r in mine.edit_log("a") if r["action"] == "accept_all"]
    fresh = theirs.get_layer("a", "alice").pending()
    assert theirs.accept_all("a", "alice", pending=fresh) == 3
    assert statuses(mine) == ["rejected", "accepted", "accepted", "accepted"]


def test_accept_all_refuses_a_suggestion_pending_again_that_was_not_read(two):
    mine, theirs = two
    first = mine.get_layer("a", "alice").pending()[0]
    rejected = mine.delete_or_reject_entity(first.id, actor="alice")
    seen = theirs.get_layer("a", "alice").pending()  # three: the rejected one is not shown
    mine.update_entity(first.id, status="suggested", version=rejected.version)  # undone in my window
    with pytest.raises(StaleEditError, match=r"you had not seen it, it is now version 3\); your change was not stored"):
        theirs.accept_all("a", "alice", pending=seen)
    assert statuses(mine) == ["suggested"] * 4


def test_done_accepts_only_the_suggestions_read_and_refuses_when_one_changed(two):
    mine, theirs = two
    layer = theirs.get_layer("a", "alice")
    seen = layer.pending()
    mine.update_entity(seen[3].id, label="PERSON", version=seen[3].version)  # still pending, relabelled
    with pytest.raises(StaleEditError, match=rf"entity #{seen[3].id} in alice's layer \(PERSON 'NATO'\) was changed"):
        theirs.set_status("a", "alice", "done", version=layer.version, pending=seen)
    stored = mine.get_layer("a", "alice")
    assert stored.status == "in_progress" and statuses(mine) == ["suggested"] * 4  # not done, nothing accepted
    mine.delete_or_reject_entity(seen[0].id, actor="alice")
    fresh = theirs.get_layer("a", "alice")  # read again: PERSON NATO and the rejection are what is seen
    done = theirs.set_status("a", "alice", "done", version=fresh.version, pending=fresh.pending())
    assert done.status == "done" and statuses(mine) == ["rejected", "accepted", "accepted", "accepted"]


def test_a_layer_written_back_onto_what_was_read_refuses_a_change_made_since(two):
    mine, theirs = two
    read = theirs.get_layer("a", "alice")
    restored = mine.write_layer(read, expected=read)  # nothing changed since: goes through
    assert restored == read
    added = mine.add_entity("a", "alice", *at(TEXT, "Menteri"), "PERSON")
    with pytest.raises(StaleEditError, match=rf"entity #{added.id} in alice's layer \(PERSON 'Menteri'\) was changed "
                                             r"by alice at .* \(you had not seen it, it is now version 1\)"):
        theirs.write_layer(read, expected=read)
    assert added in mine.get_layer("a", "alice").entities
    again = theirs.get_layer("a", "alice")
    mine.set_comment("a", "alice", "cek", version=again.version)
    with pytest.raises(StaleEditError, match="the status, stance, answer or comment of alice's layer was changed"):
        theirs.write_layer(read, expected=again)
    assert mine.get_layer("a", "alice").comment == "cek"
