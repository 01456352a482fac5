import json
import sqlite3

import pytest

from annotator.core.model import MODEL_LAYER, Entity, Quote, SpanRef
from annotator.core.store import SCHEMA_VERSION, LockedError, Store, StoreError, ValidationError
from tests.helpers import at

BACKENDS = ("sqlite", "postgres")
TEXT = "😀 Menteri Luar Negeri AS Antony Blinken mengatakan, “Kami prihatin.” 𝕏 kata Blinken di Washington."


@pytest.fixture
def article(store):
    store.add_article("a1", TEXT, title="Blinken")
    return "a1"


@pytest.mark.sqlite_only
def test_new_database_is_wal_with_foreign_keys_and_schema_version(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.get_meta("schema_version") == str(SCHEMA_VERSION)
    assert json.loads(store.get_meta("config"))["target"] == "Pengerahan pasukan Korea Utara ke Rusia"


def test_same_text_again_is_a_no_op_and_text_is_immutable(store, article, backend):
    assert store.add_article("other-id", TEXT) == ("a1", False)
    assert store.article_count() == 1
    with pytest.raises(ValidationError, match="different text"):
        store.add_article("a1", TEXT + " changed")
    refused = sqlite3.IntegrityError if backend == "sqlite" else pytest.importorskip("psycopg").errors.RaiseException
    with pytest.raises(refused, match="immutable"):
        store.db.conn.execute("UPDATE articles SET text = 'x' WHERE id = 'a1'")


def test_entity_offsets_are_code_points_even_after_emoji(store, article):
    start, end = at(TEXT, "Antony Blinken")
    entity = store.add_entity(article, "alice", start, end, "PERSON")
    assert TEXT[entity.start:entity.end] == "Antony Blinken"
    assert store.get_layer(article, "alice").entities == (entity,)


@pytest.mark.parametrize("start,end,message", [
    (-1, 3, "outside the text"),
    (5, 500, "outside the text"),
    (4, 3, "outside the text"),
])
def test_invalid_offsets_are_refused_and_nothing_is_written(store, article, start, end, message):
    before = store.db.execute("SELECT count(*) FROM edit_log").fetchone()[0]
    with pytest.raises(ValidationError, match=message):
        store.add_entity(article, "alice", start, end, "PERSON")
    assert store.get_layer(article, "alice").entities == ()
    assert store.db.execute("SELECT count(*) FROM edit_log").fetchone()[0] == before


def test_span_must_lie_on_token_boundaries(store, article):
    start, end = at(TEXT, "Antony")
    with pytest.raises(ValidationError, match="token boundaries"):
        store.add_entity(article, "alice", start + 1, end, "PERSON")


def test_unknown_label_and_overlap_are_refused(store, article):
    start, end = at(TEXT, "Antony Blinken")
    with pytest.raises(ValidationError, match="unknown entity label"):
        store.add_entity(article, "alice", start, end, "WEAPON")
    store.add_entity(article, "alice", start, end, "PERSON")
    with pytest.raises(ValidationError, match="overlaps PERSON"):
        store.add_entity(article, "alice", start, start + 6, "PERSON")
    # another annotator's layer is independent
    store.add_entity(article, "bob", start, start + 6, "PERSON")


def test_quotes_may_contain_entities_and_link_speaker_and_cue(store, article):
    q_start, q_end = at(TEXT, "Kami prihatin.")
    s_start, s_end = at(TEXT, "Blinken", 1)
    c_start, c_end = at(TEXT, "kata")
    store.add_entity(article, "alice", s_start, s_end, "PERSON")
    quote = store.add_quote(article, "alice", q_start, q_end, kind="direct", speaker=SpanRef(s_start, s_end, "PERSON"),
                            cue=SpanRef(c_start, c_end), stance="OPPOSE")
    stored = store.get_layer(article, "alice").quotes[0]
    assert stored == quote
    assert TEXT[stored.cue.start:stored.cue.end] == "kata"
    with pytest.raises(ValidationError, match="unknown stance"):
        store.update_quote(quote.id, stance="MAYBE")
    with pytest.raises(ValidationError, match="unknown quote kind"):
        store.update_quote(quote.id, kind="rumour")
    assert store.get_quote(quote.id).stance == "OPPOSE"


def test_every_edit_has_an_edit_log_row_with_before_and_after(store, article):
    start, end = at(TEXT, "Antony Blinken")
    entity = store.add_entity(article, "alice", start, end, "PERSON")
    store.update_entity(entity.id, label="ORG")
    store.delete_or_reject_entity(entity.id)
    log = store.edit_log(article)
    actions = [(row["action"], row["target"]) for row in reversed(log)]
    assert actions[-3:] == [("add", "entity"), ("update", "entity"), ("delete", "entity")]
    update = [row for row in log if row["action"] == "update"][0]
    assert json.loads(update["before"])["label"] == "PERSON"
    assert json.loads(update["after"])["label"] == "ORG"
    deleted = json.loads(log[0]["before"])
    restored = store.add_entity(article, "alice", deleted["start"], deleted["end"], deleted["label"], id=deleted["id"])
    assert restored.id == entity.id


def test_suggestions_are_rejected_not_deleted_and_never_overwrite_human_work(store, article):
    a_start, a_end = at(TEXT, "Antony Blinken")
    w_start, w_end = at(TEXT, "Washington")
    b_start, b_end = at(TEXT, "Blinken", 1)
    store.open_layer(article, "alice")
    human = store.add_entity(article, "alice", a_start, a_end, "PERSON")
    suggestions = [
        Entity(None, article, MODEL_LAYER, a_start, a_end, "ORG", "model"),  # overlaps human work
        Entity(None, article, MODEL_LAYER, w_start, w_end, "LOC", "rule"),
        Entity(None, article, MODEL_LAYER, b_start, b_end, "PERSON", "model", score=0.9),
    ]
    store.replace_suggestions(article, suggestions, [], model="test-1")
    layer = store.get_layer(article, "alice")
    assert human in layer.entities
    assert {(e.label, e.status) for e in layer.entities} == {("PERSON", "accepted"), ("LOC", "suggested"),
                                                             ("PERSON", "suggested")}
    loc = next(e for e in layer.entities if e.label == "LOC")
    assert store.delete_or_reject_entity(loc.id).status == "rejected"
    other = next(e for e in layer.entities if e.start == b_start)
    store.update_entity(other.id, status="accepted")
    # a new model run replaces only pending suggestions: the rejection and the acceptance stay
    store.replace_suggestions(article, suggestions[1:], [], model="test-2")
    layer = store.get_layer(article, "alice")
    assert sorted((e.label, e.status, e.source) for e in layer.entities) == [
        ("LOC", "rejected", "rule"), ("PERSON", "accepted", "human"), ("PERSON", "accepted", "model")]
    assert [e.label for e in layer.visible_entities()] == ["PERSON", "PERSON"]


def test_open_layer_seeds_suggestions_once_and_accept_all(store, article):
    w_start, w_end = at(TEXT, "Washington")
    q_start, q_end = at(TEXT, "Kami prihatin.")
    store.replace_suggestions(article, [Entity(None, article, MODEL_LAYER, w_start, w_end, "LOC", "rule")],
                              [Quote(None, article, MODEL_LAYER, q_start, q_end, "direct", source="rule")])
    layer = store.open_layer(article, "bob")
    assert len(layer.pending()) == 2
    assert store.accept_all(article, "bob") == 2
    assert store.get_layer(article, "bob").pending() == []
    assert store.open_layer(article, "bob").pending() == []  # not seeded twice


def test_status_stance_comment_and_progress(store, article):
    store.set_status(article, "alice", "done")
    store.set_article_stance(article, "alice", "OPPOSE")
    store.set_comment(article, "alice", "check speaker", flagged=True)
    layer = store.get_layer(article, "alice")
    assert (layer.status, layer.stance, layer.comment, layer.flagged, layer.answer) == (
        "done", "OPPOSE", "check speaker", True, "accept")
    assert store.done_of_total("alice") == (1, 1)
    with pytest.raises(ValidationError):
        store.set_status(article, "alice", "finished")


def test_browse_search_filters_and_navigation(store, article):
    store.add_article("a2", "Presiden Joko Widodo meresmikan jembatan di Jakarta.", title="Jembatan")
    store.add_article("a3", "Hujan deras melanda Bandung.", title="Cuaca")
    assert [r["id"] for r in store.list_articles("alice")] == ["a1", "a2", "a3"]
    assert [r["id"] for r in store.list_articles("alice", search="jembat")] == ["a2"]
    assert store.count_articles("alice", search='"quote" AND (') == 0  # user input never breaks FTS
    store.set_status("a2", "alice", "done")
    assert [r["id"] for r in store.list_articles("alice", status="done")] == ["a2"]
    assert [r["id"] for r in store.list_articles("alice", status="new")] == ["a1", "a3"]
    assert store.next_article("a1", "alice") == "a2"
    assert store.next_article("a1", "alice", not_done=True) == "a3"
    assert store.next_article("a3", "alice", step=-1) == "a2"
    assert store.position("a3") == 3


def test_locked_database_gives_a_clear_error_and_loses_nothing(tmp_path, token_offsets):
    path = tmp_path / "locked.db"
    store = Store(path, tokenizer=token_offsets, timeout=0.2)
    store.add_article("a1", TEXT)
    other = sqlite3.connect(path)
    other.execute("BEGIN IMMEDIATE")
    start, end = at(TEXT, "Washington")
    with pytest.raises(LockedError, match="locked"):
        store.add_entity("a1", "alice", start, end, "LOC")
    other.rollback()
    store.add_entity("a1", "alice", start, end, "LOC")
    assert len(store.get_layer("a1", "alice").entities) == 1


def test_read_only_database_gives_a_clear_error(tmp_path, token_offsets):
    path = tmp_path / "ro.db"
    Store(path, tokenizer=token_offsets).add_article("a1", TEXT)
    path.chmod(0o444)
    try:
        # root may write read-only files, so also ask for read-only explicitly
        for store in (Store(path, tokenizer=token_offsets, read_only=True), Store(path, tokenizer=token_offsets)):
            if store.writable:
                continue
            assert store.get_article("a1").text == TEXT
            with pytest.raises(StoreError, match="read-only"):
                store.add_entity("a1", "alice", *at(TEXT, "Washington"), "LOC")
    finally:
        path.chmod(0o644)
    assert Store(path).get_layer("a1", "alice").entities == ()


def test_not_a_database_is_refused(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("hello")
    with pytest.raises(StoreError, match="not an SQLite database"):
        Store(bad)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.db"
    Store(path).set_meta("schema_version", str(SCHEMA_VERSION + 1))
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_full_disk_gives_a_clear_error_and_keeps_what_was_stored(tmp_path, token_offsets):
    from annotator.core.formats.readers import read_paths
    from annotator.core.importer import import_records

    path = tmp_path / "full.db"
    store = Store(path, tokenizer=token_offsets)
    store.add_article("kept", TEXT)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite answers as for a full disk
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps({"id": f"b{i}", "text": f"Artikel {i}. " * 400}) + "\n" for i in range(30)),
                   encoding="utf-8")
    summary = import_records(store, read_paths([big]))
    assert summary.errors and "disk is full" in summary.errors[-1].message
    with pytest.raises(StoreError, match="disk is full"):
        for i in range(200):
            store.add_entity("kept", f"annotator{i}", *at(TEXT, "Washington"), "LOC")
    store.close()
    reopened = Store(path)
    assert reopened.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert reopened.get_article("kept").text == TEXT
    ids = reopened.article_ids()
    for article_id in ids:  # whatever was imported is whole
        assert reopened.get_article(article_id).tokens


def test_an_older_database_is_migrated_forward_and_keeps_its_data(tmp_path, token_offsets):
    path = tmp_path / "old.db"
    store = Store(path, tokenizer=token_offsets)
    store.add_article("a1", TEXT)
    store.add_entity("a1", "alice", *at(TEXT, "Washington"), "LOC")
    store.db.execute("DROP INDEX articles_listing")  # as a database of schema 1 was
    store.set_meta("schema_version", "1")
    store.close()
    migrated = Store(path)
    assert migrated.get_meta("schema_version") == str(SCHEMA_VERSION)
    assert any(index.name == "articles_listing" for index in migrated.db["articles"].indexes)
    assert [e.label for e in migrated.get_layer("a1", "alice").entities] == ["LOC"]


def test_a_database_of_schema_3_migrates_to_packed_tokens_and_pending_indexes(db_url, backend, token_offsets,
                                                                             monkeypatch):
    """As `annotator init-server` (or a new file) made it before schema 4: tokens a JSON list of offsets."""
    import annotator.core.store as store_module

    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 3)
    with Store(db_url, tokenizer=token_offsets) as old:
        assert old.get_meta("schema_version") == "3"
        with old.transaction():
            for n in range(1001):  # more than one batch of the migration
                flat = json.dumps([x for pair in token_offsets(f"{TEXT} {n}") for x in pair])
                old._write("INSERT INTO articles(id, title, text, text_hash, tokens, created) VALUES (?,?,?,?,?,?)",
                           [f"a{n}", "", f"{TEXT} {n}", f"hash{n}", flat, "2026-01-01T00:00:00.000Z"])
    monkeypatch.undo()
    with Store(db_url, tokenizer=token_offsets) as migrated:
        assert migrated.get_meta("schema_version") == str(SCHEMA_VERSION)
        assert migrated.tokens("a1000") == token_offsets(f"{TEXT} 1000")
        assert {type(r[0]) for r in migrated.db.execute("SELECT tokens FROM articles")} == {bytes}
        if backend == "sqlite":
            indexes = {r[1] for r in migrated.db.execute("SELECT * FROM sqlite_master WHERE type = 'index'")}
        else:
            indexes = {r[0] for r in migrated.db.execute("SELECT indexname FROM pg_indexes")}
        assert {"entities_suggested", "quotes_suggested", "quotes_no_stance", "articles_listing"} <= indexes
        start, end = at(TEXT, "Washington")
        migrated.replace_suggestions("a7", [Entity(None, "a7", MODEL_LAYER, start, end, "LOC", source="model")], [])
        assert [r["id"] for r in migrated.list_articles("alice", pending=True)] == ["a7"]


def test_list_pages_are_slices_of_the_whole_list_with_their_counts(store, token_offsets):
    for n in range(12):
        store.add_article(f"p{n:02d}", f"{TEXT} Nomor {n}.")
        if n % 3 == 0:
            store.add_entity(f"p{n:02d}", "alice", *at(TEXT, "Washington"), "LOC")
            store.set_status(f"p{n:02d}", "alice", "done")
    for filters in ({}, {"status": "done"}, {"status": "new"}, {"search": "nomor"}):
        whole = store.list_articles("alice", 0, 100, **filters)
        pages = [row for offset in range(0, 12, 5) for row in store.list_articles("alice", offset, 5, **filters)]
        assert pages == whole and len(whole) == store.count_articles("alice", **filters)
    done = store.list_articles("alice", 1, 2, status="done")
    assert [(r["id"], r["status"], r["entities"]) for r in done] == [("p03", "done", 1), ("p06", "done", 1)]


def test_an_annotator_first_seen_in_a_rolled_back_transaction_is_stored_with_their_next_edit(store, article):
    with pytest.raises(StoreError):
        with store.transaction():
            store.add_entity(article, "zoe", *at(TEXT, "Washington"), "LOC")
            raise StoreError("changed my mind")
    assert store.annotators() == []
    store.add_entity(article, "zoe", *at(TEXT, "Washington"), "LOC")
    assert store.annotators() == ["zoe"] and store.get_layer(article, "zoe").status == "in_progress"
