"""Row versions: two sessions of one annotator editing the same entity, quote or layer get a clear
conflict (StaleEditError), never a silent overwrite; on a file and on a server, through two Store
objects and through two processes."""

import os
import subprocess
import sys

import pytest

from annotator.core.model import MODEL_LAYER, Entity, SpanRef
from annotator.core.store import StaleEditError, Store, ValidationError
from tests.conftest import ROOT
from tests.helpers import at

BACKENDS = ("sqlite", "postgres")
TEXT = "Menteri Luar Negeri AS Antony Blinken mengatakan, “Kami prihatin.” kata Blinken di Washington."


@pytest.fixture
def two(db_url, token_offsets):
    """Two sessions (two windows of alice) on one project holding article a."""
    with Store(db_url, tokenizer=token_offsets) as mine, Store(db_url, tokenizer=token_offsets) as theirs:
        mine.add_article("a", TEXT)
        yield mine, theirs


def test_an_entity_changed_meanwhile_is_a_conflict_naming_who_and_when(two):
    mine, theirs = two
    entity = mine.add_entity("a", "alice", *at(TEXT, "Antony Blinken"), "PERSON")
    assert entity.version == 1
    seen = theirs.get_layer("a", "alice").entities[0]
    assert seen.version == 1
    changed = mine.update_entity(entity.id, label="ORG", version=entity.version)
    assert changed.version == 2 == mine.get_entity(entity.id).version
    with pytest.raises(StaleEditError) as caught:
        theirs.update_entity(seen.id, label="LOC", version=seen.version)
    message = str(caught.value)
    assert f"entity #{entity.id} in alice's layer (ORG 'Antony Blinken') was changed by alice at " in message
    assert "you edited version 1, it is now version 2" in message and "not stored" in message
    assert (caught.value.seen, caught.value.current, caught.value.actor) == (1, 2, "alice")
    assert caught.value.ts == mine.edit_log(limit=1)[0]["ts"]
    assert mine.get_entity(entity.id).label == "ORG"  # theirs did not overwrite
    assert [r["action"] for r in mine.edit_log("a")].count("update") == 1
    with pytest.raises(StaleEditError):
        theirs.delete_or_reject_entity(seen.id, version=seen.version)
    assert mine.get_entity(entity.id).label == "ORG"
    # having reloaded, their edit goes through
    fresh = theirs.get_entity(entity.id)
    assert theirs.update_entity(fresh.id, label="LOC", version=fresh.version).version == 3


def test_an_entity_deleted_meanwhile_is_a_conflict_and_undo_restores_a_newer_version(two):
    mine, theirs = two
    entity = mine.add_entity("a", "alice", *at(TEXT, "Washington"), "LOC")
    seen = theirs.get_entity(entity.id)
    deleted = mine.delete_or_reject_entity(entity.id, actor="alice", version=entity.version)
    with pytest.raises(StaleEditError, match=rf"a: entity #{entity.id} in alice's layer was deleted by alice at "
                                             r".* \(you edited version 1\); your change was not stored"):
        theirs.update_entity(seen.id, label="ORG", version=seen.version)
    with pytest.raises(ValidationError, match="no entity"):  # without a version: as before
        theirs.update_entity(seen.id, label="ORG")
    restored = mine.add_item(deleted)  # undo of the deletion, with its id
    assert restored.id == entity.id and restored.version == 2
    with pytest.raises(StaleEditError):  # what they read before the deletion is still old
        theirs.update_entity(seen.id, label="ORG", version=seen.version)


def test_a_quote_changed_meanwhile_is_a_conflict(two):
    mine, theirs = two
    quote = mine.add_quote("a", "alice", *at(TEXT, "Kami prihatin."), speaker=SpanRef(*at(TEXT, "Antony Blinken")))
    seen = theirs.get_layer("a", "alice").quotes[0]
    assert seen.version == quote.version == 1
    mine.update_quote(quote.id, stance="OPPOSE", version=quote.version)
    with pytest.raises(StaleEditError, match=rf"quote #{quote.id} in alice's layer was changed by alice"):
        theirs.update_quote(seen.id, stance="SUPPORT", version=seen.version)
    with pytest.raises(StaleEditError):
        theirs.delete_or_reject_quote(seen.id, version=seen.version)
    assert mine.get_quote(quote.id).stance == "OPPOSE"


def test_a_layer_changed_meanwhile_is_a_conflict_but_its_own_edits_are_not(two):
    mine, theirs = two
    layer = mine.get_layer("a", "alice")
    assert layer.version == 0
    mine.add_entity("a", "alice", *at(TEXT, "Antony Blinken"), "PERSON")  # new -> in progress: no new version
    layer = mine.set_comment("a", "alice", "cek kutipan", version=layer.version)
    assert layer.version == 1
    seen = theirs.get_layer("a", "alice")
    assert seen.version == 1 and seen.comment == "cek kutipan"
    layer = mine.set_status("a", "alice", "done", version=layer.version)
    assert layer.version == 2
    with pytest.raises(StaleEditError) as caught:
        theirs.set_article_stance("a", "alice", "SUPPORT", version=seen.version)
    assert "a: the status, stance, answer or comment of alice's layer was changed by alice at" in str(caught.value)
    assert "you edited version 1, it is now version 2" in str(caught.value)
    for refused in (lambda: theirs.set_status("a", "alice", "in_progress", version=seen.version),
                    lambda: theirs.set_comment("a", "alice", "lain", version=seen.version),
                    lambda: theirs.set_answer("a", "alice", "reject", version=seen.version)):
        with pytest.raises(StaleEditError):
            refused()
    stored = mine.get_layer("a", "alice")
    assert (stored.status, stored.stance, stored.comment, stored.answer) == ("done", None, "cek kutipan", "accept")
    theirs.set_article_stance("a", "alice", "SUPPORT")  # without a version: as before


def test_a_suggestion_accepted_by_accept_all_meanwhile_names_that_edit(two):
    mine, theirs = two
    start, end = at(TEXT, "Washington")
    mine.replace_suggestions("a", [Entity(None, "a", MODEL_LAYER, start, end, "LOC", source="model")], [])
    suggestion = theirs.open_layer("a", "alice").entities[0]
    mine.accept_all("a", "alice", actor="alice")
    with pytest.raises(StaleEditError, match=r"was changed by alice at .*\(you edited version 1, it is now version 2\)"):
        theirs.delete_or_reject_entity(suggestion.id, version=suggestion.version)
    assert mine.get_entity(suggestion.id).status == "accepted"


def test_a_writer_outside_the_store_makes_a_new_version_too(two):
    mine, theirs = two
    entity = mine.add_entity("a", "alice", *at(TEXT, "Antony Blinken"), "PERSON")
    with mine.transaction():  # as psql would: the triggers count the version
        mine.db.conn.execute("UPDATE entities SET label = 'ORG' WHERE id = ?", [entity.id])
    assert mine.get_entity(entity.id).version == 2
    with pytest.raises(StaleEditError):
        theirs.update_entity(entity.id, label="LOC", version=entity.version)


CONTENDER = """
import sys
from annotator.core.store import StaleEditError, Store

url, entity_id, label = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with Store(url) as store:
    seen = store.get_entity(entity_id)
    print("read", seen.version, flush=True)
    sys.stdin.readline()  # both have read: now both edit what they saw
    try:
        store.update_entity(entity_id, label=label, version=seen.version)
        print("stored", flush=True)
    except StaleEditError as exc:
        print("stale", exc, flush=True)
"""


def test_two_processes_editing_one_entity_one_wins_the_other_is_told(db_url, token_offsets):
    with Store(db_url, tokenizer=token_offsets) as store:
        store.add_article("a", TEXT)
        entity = store.add_entity("a", "alice", *at(TEXT, "Antony Blinken"), "PERSON")
    procs = {label: subprocess.Popen([sys.executable, "-c", CONTENDER, db_url, str(entity.id), label],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)})
             for label in ("ORG", "LOC")}
    try:
        assert [p.stdout.readline().split() for p in procs.values()] == [["read", "1"], ["read", "1"]]
        for p in procs.values():
            p.stdin.write("go\n")
            p.stdin.flush()
        said = {label: p.communicate(timeout=60)[0] for label, p in procs.items()}
    finally:
        for p in procs.values():
            p.kill()
    winners = [label for label, out in said.items() if out.startswith("stored")]
    assert len(winners) == 1, said
    loser = ({"ORG", "LOC"} - set(winners)).pop()
    assert said[loser].startswith(f"stale a: entity #{entity.id} in alice's layer ({winners[0]} 'Antony Blinken') "
                                  "was changed by alice at ")
    with Store(db_url) as store:
        assert store.get_entity(entity.id).label == winners[0] and store.get_entity(entity.id).version == 2
        assert [r["action"] for r in store.edit_log("a")].count("update") == 1
