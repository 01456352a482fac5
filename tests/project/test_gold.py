"""Gold you can trust (issue 11, points 2, 3, 4, 10, 11): what Done means, the review into gold,
gold consistency, reopening, and the JSONL hashes. Real SQLite files, no Qt."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from annotator.core.agreement import agreement_report
from annotator.core.config import DEFAULT_CONFIG_PATH, ConfigError, load_config
from annotator.project.export import ExportError, export_layer
from annotator.core.records import quote_problems
from annotator.core.formats.jsonl import (
    INPUT_HASH_KEYS, TASK_HASH_KEYS, murmurhash3_32, prodigy_hash, read_jsonl,
)
from annotator.core.importer import import_records
from annotator.core.merge import merge_databases
from annotator.core.model import GOLD_LAYER, MODEL_LAYER, Entity, SpanRef
from annotator.core.review import REOPENED, build_rows, undecided_rows
from annotator.core.store import SCHEMA_VERSION, PendingError, Store
from annotator.project import gold
from tests.helpers import at

TEXT = ("Menteri Luar Negeri Retno Marsudi berbicara di Jakarta pada Senin. "
        "“Kami menolak pengerahan pasukan itu,” kata Retno Marsudi. "
        "Sekjen NATO Mark Rutte mengecam Korea Utara di Brussel.")
NAMES = [("Retno Marsudi", "PERSON"), ("Jakarta", "LOC"), ("Senin", "DATE"), ("NATO", "ORG"),
         ("Mark Rutte", "PERSON"), ("Korea Utara", "LOC"), ("Brussel", "LOC"), ("Luar Negeri", "ORG")]
REVIEWER = "lead"


def suggestions() -> list[Entity]:
    return [Entity(None, "a1", MODEL_LAYER, *at(TEXT, word), label, source="model", model="m1")
            for word, label in NAMES]


@pytest.fixture
def suggested(store):
    """Article a1 with eight model suggestions; alice and bob open it (their layers are seeded)."""
    store.add_article("a1", TEXT, title="Retno Marsudi di Jakarta")
    store.replace_suggestions("a1", suggestions(), [], model="m1")
    for name in ("alice", "bob"):
        store.open_layer("a1", name)
    return store


def pending_of(store, name):
    return [e for e in store.get_layer("a1", name).entities if e.status == "suggested"]


# ---- point 2: Done with pending suggestions -------------------------------------------------------
def test_done_accepts_what_is_still_pending_and_everything_agrees(suggested, tmp_path):
    store = suggested
    # alice rejects one suggestion and decides nothing else; bob accepts one; both press Done
    store.delete_or_reject_entity(next(e for e in pending_of(store, "alice") if e.label == "DATE").id, actor="alice")
    store.update_entity(pending_of(store, "bob")[0].id, status="accepted", actor="bob")
    store.set_status("a1", "alice", "done")
    store.set_status("a1", "bob", "done")
    for name, expected in (("alice", 7), ("bob", 8)):
        layer = store.get_layer("a1", name)
        assert layer.pending() == [] and len([e for e in layer.entities if e.status == "accepted"]) == expected
    accepted = [r for r in store.edit_log("a1") if r["action"] == "accept-on-done"]
    assert {r["layer"] for r in accepted} == {"alice", "bob"}
    assert len(json.loads(next(r for r in accepted if r["layer"] == "alice")["after"])["ids"]) == 7

    # agreement sees the answers (it was 0.0 when pending suggestions counted as absent)
    pair = agreement_report(store)["pairs"][0]
    assert pair["entities"]["exact"]["f1"] == pytest.approx(2 * 7 / 15)
    # the review shows them as the annotators' versions
    rows, columns = build_rows(store, "a1")
    assert columns == ["alice", "bob", MODEL_LAYER]
    entity_rows = [r for r in rows if r.kind == "entity"]
    assert sum(r.state == "agree" for r in entity_rows) == 7 and len(entity_rows) == 8
    # and the export of each holds them as accepted
    export_layer(store, tmp_path / "alice.jsonl", layer="alice")
    [record] = [r for r in read_jsonl(tmp_path / "alice.jsonl")]
    assert len(record["spans"]) == 7 and {s["status"] for s in record["spans"]} == {"accepted"}


def test_done_refused_when_the_project_says_decide_each(tmp_path, token_offsets):
    config = replace(load_config(), done_with_pending="refuse")
    with Store(tmp_path / "refuse.db", config=config, tokenizer=token_offsets) as store:
        store.add_article("a1", TEXT)
        store.replace_suggestions("a1", suggestions(), [], model="m1")
        store.open_layer("a1", "alice")
        with pytest.raises(PendingError, match="a1: 8 suggestions are still pending") as refused:
            store.set_status("a1", "alice", "done")
        assert refused.value.pending == 8
        assert store.get_layer("a1", "alice").status != "done" and len(pending_of(store, "alice")) == 8
        store.accept_all("a1", "alice")
        assert store.set_status("a1", "alice", "done").status == "done"


def test_the_setting_is_checked(tmp_path):
    path = tmp_path / "config.toml"
    text = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
    path.write_text(text.replace('done_with_pending = "accept"', 'done_with_pending = "maybe"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="done_with_pending must be one of accept, refuse"):
        load_config(path)


def test_old_databases_get_the_rule_by_migration(suggested):
    store = suggested
    path = store.path
    # as a database of schema 2 left it: alice's layer done with eight pending suggestions
    store.db.execute("UPDATE layers SET status = 'done' WHERE annotator = 'alice'")
    store.db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    store.close()
    with Store(path) as again:
        assert again.get_meta("schema_version") == str(SCHEMA_VERSION)  # migrated to the newest
        layer = again.get_layer("a1", "alice")
        assert layer.status == "done" and layer.pending() == [] and len(layer.entities) == 8
        assert [r["actor"] for r in again.edit_log("a1") if r["action"] == "accept-on-done"] == ["@migration"]
        assert len(pending_of(again, "bob")) == 8  # not done: untouched


# ---- point 3: the gold ----------------------------------------------------------------------------
@pytest.fixture
def reviewed(store):
    """alice and bob marked a1 done: they agree on Retno Marsudi (both mentions) and the quote, and
    differ on Jakarta (LOC / ORG)."""
    store.add_article("a1", TEXT)
    quote = at(TEXT, "Kami menolak pengerahan pasukan itu")
    speaker = SpanRef(*at(TEXT, "Retno Marsudi", 1), "PERSON")
    for name, jakarta in (("alice", "LOC"), ("bob", "ORG")):
        store.add_entity("a1", name, *at(TEXT, "Retno Marsudi"), "PERSON")
        store.add_entity("a1", name, *at(TEXT, "Retno Marsudi", 1), "PERSON")
        store.add_entity("a1", name, *at(TEXT, "Jakarta"), jakarta)
        store.add_quote("a1", name, *quote, speaker=speaker, cue=SpanRef(*at(TEXT, "kata")), stance="OPPOSE")
        store.set_status("a1", name, "done")
    return store


def test_gold_done_needs_every_row_decided(reviewed):
    store = reviewed
    rows, _ = build_rows(store, "a1")
    gold.accept_agreed(store, "a1", rows, REVIEWER)
    assert [r.start for r in undecided_rows(store, "a1")] == [at(TEXT, "Jakarta")[0]]
    with pytest.raises(gold.GoldError, match="1 row is not decided"):
        gold.mark_done(store, "a1", REVIEWER)
    assert store.get_layer("a1", GOLD_LAYER).status != "done"
    jakarta = next(r for r in build_rows(store, "a1")[0] if r.start == at(TEXT, "Jakarta")[0])
    gold.remove(store, "a1", jakarta, REVIEWER)  # decided: not in the gold
    assert undecided_rows(store, "a1") == []
    removed = [e for e in store.get_layer("a1", GOLD_LAYER).entities if e.status == "rejected"]
    assert [(e.start, e.label) for e in removed] == [(at(TEXT, "Jakarta")[0], "LOC")]  # the decision is stored
    gold.mark_done(store, "a1", REVIEWER)
    assert store.get_layer("a1", GOLD_LAYER).status == "done"
    # a later take of a version replaces the removal
    jakarta = next(r for r in build_rows(store, "a1")[0] if r.start == at(TEXT, "Jakarta")[0])
    gold.take_version(store, "a1", jakarta, "bob", REVIEWER)
    assert sorted((e.label, e.status) for e in store.get_layer("a1", GOLD_LAYER).entities
                  if e.start == at(TEXT, "Jakarta")[0]) == [("ORG", "accepted")]


def test_gold_done_needs_consistent_quotes(reviewed):
    store = reviewed
    rows, _ = build_rows(store, "a1")
    gold.accept_agreed(store, "a1", rows, REVIEWER)
    for row in build_rows(store, "a1")[0]:
        if row.start == at(TEXT, "Jakarta")[0]:
            gold.take_version(store, "a1", row, "alice", REVIEWER)
        if row.start == at(TEXT, "Retno Marsudi", 1)[0] and row.kind == "entity":
            gold.set_label(store, "a1", row, "ORG", REVIEWER)  # the speaker's entity relabelled
    with pytest.raises(gold.GoldError, match="speaker “Retno Marsudi” \\(PERSON .*\\) is a ORG entity of @gold"):
        gold.mark_done(store, "a1", REVIEWER)


def test_gold_export_checks_speakers_and_cues_first(reviewed, tmp_path):
    store = reviewed
    store.add_entity("a1", GOLD_LAYER, *at(TEXT, "Retno Marsudi", 1), "PERSON")
    store.add_quote("a1", GOLD_LAYER, *at(TEXT, "Kami menolak pengerahan pasukan itu"),
                    speaker=SpanRef(*at(TEXT, "Marsudi", 1), "PERSON"), cue=SpanRef(*at(TEXT, "menolak")))
    store.set_status("a1", GOLD_LAYER, "done")
    out = tmp_path / "gold.jsonl"
    with pytest.raises(ExportError) as refused:
        export_layer(store, out, gold=True)
    message = str(refused.value)
    assert "2 problems" in message and "nothing was written" in message
    assert "a1: quote" in message and "“Kami menolak pengerahan pasukan itu”" in message
    assert "cuts its PERSON “Retno Marsudi”" in message and "cue “menolak”" in message
    assert not out.exists()
    # free spans are allowed: a speaker that holds no entity, or only whole ones
    layer = store.get_layer("a1", GOLD_LAYER)
    free = replace(layer, quotes=(replace(layer.quotes[0], speaker=SpanRef(*at(TEXT, "Menteri Luar Negeri Retno Marsudi"),
                                                                                 "PERSON"), cue=None),))
    assert quote_problems(TEXT, free) == []
    # an indirect quote interrupted by its attribution holds its cue (GUIDELINES.md section 8)
    inner = replace(layer, quotes=(replace(layer.quotes[0], speaker=None, kind="indirect"),))
    assert quote_problems(TEXT, inner) == []
    assert "lies inside the quote" in quote_problems(TEXT, replace(inner, quotes=(replace(inner.quotes[0], kind="direct"),)))[0]


def other_db(path, token_offsets, layers, quote=False):
    """Another annotator's database holding a1 with the given {name: [(word, occurrence, label)]}
    (and the quote as alice and bob have it), done."""
    with Store(path, tokenizer=token_offsets) as other:
        other.add_article("a1", TEXT)
        for name, entities in layers.items():
            for word, occurrence, label in entities:
                other.add_entity("a1", name, *at(TEXT, word, occurrence), label)
            if quote:
                other.add_quote("a1", name, *at(TEXT, "Kami menolak pengerahan pasukan itu"),
                                speaker=SpanRef(*at(TEXT, "Retno Marsudi", 1), "PERSON"),
                                cue=SpanRef(*at(TEXT, "kata")), stance="OPPOSE")
            other.set_status("a1", name, "done")
    return path


def done_gold(store):
    for row in build_rows(store, "a1")[0]:
        if row.kind != "article":
            (gold.accept if row.majority() else gold.remove)(store, "a1", row, REVIEWER)
    gold.mark_done(store, "a1", REVIEWER)


def test_a_merge_bringing_other_versions_reopens_the_gold(reviewed, tmp_path, token_offsets):
    store = reviewed
    done_gold(store)
    same = other_db(tmp_path / "carol.db", token_offsets, {"carol": [
        ("Retno Marsudi", 0, "PERSON"), ("Retno Marsudi", 1, "PERSON"), ("Jakarta", 0, "LOC")]}, quote=True)
    summary = merge_databases(store, same)
    assert summary.gold_reopened == [] and store.get_layer("a1", GOLD_LAYER).status == "done"  # nothing new

    other = other_db(tmp_path / "dave.db", token_offsets, {"dave": [("Retno Marsudi", 0, "PERSON"),
                                                                    ("Brussel", 0, "LOC")]})
    summary = merge_databases(store, other)
    assert summary.gold_reopened == ["a1"] and "reopened" in summary.line()
    layer = store.get_layer("a1", GOLD_LAYER)
    assert layer.status == "in_progress" and layer.flagged
    assert layer.comment.startswith(f"{REOPENED}: the merge of dave.db brought")
    assert "(dave)" in layer.comment
    with pytest.raises(gold.GoldError, match="1 row is not decided"):  # Brussel
        gold.mark_done(store, "a1", REVIEWER)


def test_an_import_bringing_other_versions_reopens_the_gold(reviewed, tmp_path):
    store = reviewed
    done_gold(store)
    path = tmp_path / "erin.jsonl"
    start, end = at(TEXT, "Senin")
    path.write_text(json.dumps({"text": TEXT, "spans": [{"start": start, "end": end, "label": "DATE"}],
                                "answer": "accept", "_annotator_id": "erin"}) + "\n", encoding="utf-8")
    from annotator.core.formats.readers import read_paths
    summary = import_records(store, read_paths([path]))
    assert summary.annotated == 1
    layer = store.get_layer("a1", GOLD_LAYER)
    assert layer.status == "in_progress" and layer.flagged and f"the import of {path}" in layer.comment


# ---- point 11: Prodigy's hashes -------------------------------------------------------------------
def test_murmurhash_matches_the_package_spacy_uses():
    murmurhash = pytest.importorskip("murmurhash")
    for text in ("", "a", "ab", "abc", "abcd", "abcde", TEXT, "🇮🇩 kata “Retno” 👨‍👩‍👧"):
        assert murmurhash3_32(text.encode("utf-8")) == murmurhash.hash(text)


def test_jsonl_export_carries_prodigys_hashes_and_keeps_imported_ones(reviewed, tmp_path, token_offsets):
    store = reviewed
    export_layer(store, tmp_path / "alice.jsonl", layer="alice")
    export_layer(store, tmp_path / "bob.jsonl", layer="bob")
    [alice], [bob] = read_jsonl(tmp_path / "alice.jsonl"), read_jsonl(tmp_path / "bob.jsonl")
    for record in (alice, bob):
        assert isinstance(record["_input_hash"], int) and isinstance(record["_task_hash"], int)
        assert record["answer"] == "accept"
    assert alice["_input_hash"] == bob["_input_hash"] == prodigy_hash({"text": TEXT}, INPUT_HASH_KEYS)
    assert alice["_task_hash"] != bob["_task_hash"]  # Jakarta LOC / ORG
    assert alice["_task_hash"] == prodigy_hash(alice, TASK_HASH_KEYS, prefix=alice["_input_hash"])
    # a record that comes with hashes (from Prodigy) keeps them: import -> export -> import is lossless
    record = {"id": "p1", "text": "Joko Widodo di Jakarta.", "_input_hash": 11, "_task_hash": -22, "answer": "accept",
              "spans": [{"start": 0, "end": 11, "label": "PERSON"}]}
    with Store(tmp_path / "p.db", tokenizer=token_offsets) as other:
        assert not import_records(other, [record]).problems
        export_layer(other, tmp_path / "p.jsonl")
        [out] = read_jsonl(tmp_path / "p.jsonl")
        assert (out["_input_hash"], out["_task_hash"]) == (11, -22) and "_input_hash" not in out["meta"]
    with Store(tmp_path / "p2.db", tokenizer=token_offsets) as again:
        import_records(again, [out])
        export_layer(again, tmp_path / "p2.jsonl")
        [back] = read_jsonl(tmp_path / "p2.jsonl")
    strip = lambda r: {k: v for k, v in r.items() if k not in ("_file", "_line")}  # noqa: E731
    assert strip(back) == strip(out)


def test_a_review_decision_is_undone_and_redone_through_the_store(suggested):
    store = suggested
    for name in ("alice", "bob"):
        store.set_status("a1", name, "done")  # both accept every suggestion: every row agrees
    rows, _ = build_rows(store, "a1")
    assert not store.has_layer("a1", GOLD_LAYER)
    edit = gold.decide(store, "a1", lambda: gold.accept_agreed(store, "a1", rows, REVIEWER))
    assert edit.result > 0 and not edit.had_layer
    taken = store.get_layer("a1", GOLD_LAYER)
    assert edit.after == taken and edit.changes.layers == {("a1", GOLD_LAYER)}
    assert edit.changes.entities == {e.id for e in taken.entities}

    written, undone = gold.undo(store, edit, REVIEWER)
    assert not store.has_layer("a1", GOLD_LAYER)  # as before: no gold at all
    assert undone.entities == edit.changes.entities
    gold.redo(store, edit, REVIEWER, written)
    assert store.get_layer("a1", GOLD_LAYER) == taken  # the same items, ids included

    person = next(r for r in build_rows(store, "a1")[0] if r.kind == "entity" and r.gold
                  and r.gold[0].label == "PERSON")
    second = gold.decide(store, "a1", lambda: gold.set_label(store, "a1", person, "ORG", REVIEWER))
    assert second.result is True and second.after != second.before
    gold.undo(store, second, REVIEWER)
    assert store.get_layer("a1", GOLD_LAYER) == taken
    actions = {r[0] for r in store.db.execute("SELECT action FROM edit_log WHERE layer = ?", [GOLD_LAYER])}
    assert "write_layer" in actions  # the undo is in the edit log like any edit
