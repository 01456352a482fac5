"""The store announces what each committed transaction changed (observers: Store.subscribe)."""

from __future__ import annotations

import pytest

from annotator.core.model import MODEL_LAYER, Entity
from annotator.core.store import ChangeSet, Store, ValidationError

TEXT = "Joko Widodo tiba di Bandung pada Senin."


@pytest.fixture
def heard(store):
    store.add_article("a1", TEXT)
    store.add_article("a2", "Prabowo Subianto tiba di Jakarta.")
    events: list[ChangeSet] = []
    store.subscribe(events.append)
    return events


def test_each_committed_edit_is_announced_once_with_what_it_touched(store, heard):
    entity = store.add_entity("a1", "alice", 0, 11, "PERSON")
    assert heard == [ChangeSet(frozenset({"a1"}), frozenset({("a1", "alice")}), frozenset({entity.id}))]
    with store.transaction():  # one transaction, one announcement
        store.update_entity(entity.id, label="ORG")
        store.set_status("a2", "alice", "in_progress")
    assert len(heard) == 2
    assert heard[1].articles == {"a1", "a2"} and heard[1].entities == {entity.id}
    assert heard[1].layers == {("a1", "alice"), ("a2", "alice")}


def test_a_failed_or_rolled_back_change_is_not_announced(store, heard):
    with pytest.raises(ValidationError):
        store.add_entity("a1", "alice", 5, 2, "PERSON")
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_entity("a1", "alice", 0, 11, "PERSON")
            raise RuntimeError("give up")
    assert heard == []
    store.add_entity("a1", "alice", 0, 11, "PERSON")
    assert len(heard) == 1 and heard[0].articles == {"a1"}  # nothing of the rolled back one leaks in


def test_bulk_accepts_name_every_item_and_unsubscribe_stops_the_calls(store, heard):
    suggestions = [Entity(None, "a1", MODEL_LAYER, 0, 11, "PERSON", source="model", status="suggested"),
                   Entity(None, "a1", MODEL_LAYER, 20, 27, "LOC", source="model", status="suggested")]
    store.replace_suggestions("a1", suggestions, [], model="m")
    heard.clear()
    layer = store.get_layer("a1", MODEL_LAYER)
    store.accept_all("a1", MODEL_LAYER)
    assert heard and heard[-1].entities == {e.id for e in layer.entities}

    other: list[ChangeSet] = []
    unsubscribe = store.subscribe(other.append)
    unsubscribe()
    store.set_status("a1", "alice", "done")
    assert other == [] and heard[-1].layers == {("a1", "alice")}


def test_changes_through_another_connection_are_not_announced(store, heard):
    with Store(store.path) as other:
        other.add_entity("a1", "bob", 0, 11, "PERSON")
    assert heard == []  # the window finds those by PRAGMA data_version


def test_bulk_accept_rows_of_the_edit_log_name_their_target(store, heard):
    store.replace_suggestions("a1", [Entity(None, "a1", MODEL_LAYER, 0, 11, "PERSON", source="model",
                                            status="suggested")], [], model="m")
    store.accept_all("a1", MODEL_LAYER)
    targets = [r[0] for r in store.db.execute("SELECT target FROM edit_log WHERE action = 'accept_all'")]
    assert targets == ["entity"]  # was "entitie" (the table name cut short)


def test_add_item_stores_every_field_and_copies_with_changes(store, heard):
    from annotator.core.model import Quote, SpanRef

    quote = store.add_quote("a1", "alice", 0, 27, kind="indirect", speaker=SpanRef(0, 11, "PERSON"),
                            cue=SpanRef(12, 16), stance="NEUTRAL", source="rule", status="suggested", score=0.4,
                            model="m")
    copy = store.add_item(quote.with_changes(id=None, annotator="bob"))
    assert isinstance(copy, Quote) and copy.id != quote.id
    assert copy.with_changes(id=quote.id, annotator="alice") == quote  # every other field kept
    assert copy.is_machine_suggestion and copy.is_pending
