"""Merging databases of annotators who worked on separate machines."""

import re
from dataclasses import replace

import pytest

from annotator.core.config import Label, load_config
from annotator.core.merge import Conflict, MergeError, layer_content, merge_databases
from annotator.core.model import MODEL_LAYER, Entity, SpanRef
from annotator.core.store import Store

T1 = "Menteri Luar Negeri Retno Marsudi berbicara di Jakarta pada Senin."
T2 = "“Kami menolak pengerahan pasukan itu,” kata Retno Marsudi di Jakarta."
T3 = "Sekjen NATO Mark Rutte mengecam Korea Utara di Brussel."


def at(text, word):
    start = text.index(word)
    return start, start + len(word)


def counts(store: Store) -> dict:
    return {table: store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("articles", "layers", "entities", "quotes", "edit_log", "annotators")}


@pytest.fixture
def open_store(tmp_path, token_offsets):
    stores = []

    def make(name, **kwargs):
        s = Store(tmp_path / f"{name}.db", tokenizer=kwargs.pop("tokenizer", token_offsets), **kwargs)
        stores.append(s)
        return s

    yield make
    for s in stores:
        s.close()


@pytest.fixture
def two_machines(open_store):
    """here.db: art1 = T1, art2 = T2 (alice on both). laptop.db: art2 = T2 and art1 = T3 (the id
    names another text there): alice differs on T2, bob worked on T2 and T3."""
    here = open_store("here")
    here.add_article("art1", T1)
    here.add_article("art2", T2)
    here.add_entity("art1", "alice", *at(T1, "Retno Marsudi"), "PERSON")
    here.set_status("art1", "alice", "done")
    here.add_entity("art2", "alice", *at(T2, "Retno Marsudi"), "PERSON")
    here.set_status("art2", "alice", "done")

    laptop = open_store("laptop")
    laptop.add_article("art2", T2)
    laptop.add_article("art1", T3)
    laptop.add_entity("art2", "alice", *at(T2, "Retno Marsudi"), "PERSON")
    laptop.add_entity("art2", "alice", *at(T2, "Jakarta"), "LOC")  # alice's other version of T2
    laptop.set_status("art2", "alice", "done")
    laptop.add_entity("art2", "bob", *at(T2, "Retno Marsudi"), "PERSON")
    laptop.add_quote("art2", "bob", *at(T2, "Kami menolak pengerahan pasukan itu"),
                     speaker=SpanRef(*at(T2, "Retno Marsudi"), "PERSON"), cue=SpanRef(*at(T2, "kata")),
                     stance="OPPOSE")
    laptop.set_article_stance("art2", "bob", "OPPOSE")
    laptop.set_comment("art2", "bob", "jelas menolak", flagged=True)
    laptop.set_status("art2", "bob", "done")
    laptop.add_entity("art1", "bob", *at(T3, "Mark Rutte"), "PERSON")
    laptop.add_entity("art1", "bob", *at(T3, "NATO"), "ORG", source="model", status="rejected", model="m1")
    laptop.close()
    return here, laptop.path


def test_merge_adds_articles_and_layers_and_keeps_conflicts(two_machines):
    here, laptop_path = two_machines
    alice_here = layer_content(here.get_layer("art2", "alice"))
    summary = merge_databases(here, laptop_path)

    assert summary.articles == 2 and summary.articles_added == 1
    assert summary.layers_added == 2  # bob on T2, bob on T3
    assert summary.conflicts == [Conflict("art2", "alice", "alice@laptop")]
    assert "alice@laptop" in summary.line() and "1 conflicts kept" in summary.line()

    # T3 came under a new id (art1 is T1 here) with the laptop's tokens
    with Store(laptop_path, read_only=True) as laptop:
        (new_id,) = [a for a in here.article_ids() if a not in ("art1", "art2")]
        assert re.fullmatch(r"art1~[0-9a-f]{8}", new_id)
        assert here.get_article(new_id).text == T3
        assert here.get_article(new_id).tokens == laptop.get_article("art1").tokens
        assert any("art1" in w and new_id in w for w in summary.warnings)
        # everything of the layers came over: spans, rejected suggestion, quote, stance, comment, flag, status
        assert layer_content(here.get_layer(new_id, "bob")) == layer_content(laptop.get_layer("art1", "bob"))
        assert layer_content(here.get_layer("art2", "bob")) == layer_content(laptop.get_layer("art2", "bob"))
        bob = here.get_layer("art2", "bob")
        assert (bob.status, bob.stance, bob.comment, bob.flagged) == ("done", "OPPOSE", "jelas menolak", True)
        assert bob.quotes[0].speaker == SpanRef(*at(T2, "Retno Marsudi"), "PERSON")
        # the conflict: this database's alice untouched, the laptop's alice kept beside it
        assert layer_content(here.get_layer("art2", "alice")) == alice_here
        assert layer_content(here.get_layer("art2", "alice@laptop")) == layer_content(laptop.get_layer("art2", "alice"))
        # the laptop's history of the layer, with its original times, and one merge row
        laptop_times = {r["ts"] for r in laptop.edit_log("art2") if r["layer"] == "alice"}
    log = [r for r in here.edit_log("art2") if r["layer"] == "alice@laptop"]
    assert laptop_times <= {r["ts"] for r in log}
    assert sum(1 for r in log if r["action"] == "merge" and r["actor"] == "@merge") == 1
    assert "alice@laptop" in here.annotators()


def test_merging_the_same_file_twice_changes_nothing(two_machines):
    here, laptop_path = two_machines
    merge_databases(here, laptop_path)
    before = counts(here)
    contents = {(a, n): layer_content(here.get_layer(a, n)) for a in here.article_ids() for n in here.layers_of(a)}
    again = merge_databases(here, laptop_path)
    assert not again.changed
    assert again.articles_added == again.layers_added == len(again.conflicts) == 0
    assert again.layers_unchanged == 3  # the laptop's alice (kept as alice@laptop), bob on T2 and on T3
    assert counts(here) == before
    assert {(a, n): layer_content(here.get_layer(a, n)) for a in here.article_ids()
            for n in here.layers_of(a)} == contents


def test_a_later_version_of_a_conflict_is_kept_too(two_machines, open_store):
    here, laptop_path = two_machines
    merge_databases(here, laptop_path)
    with Store(laptop_path) as laptop:
        laptop.add_entity("art2", "alice", *at(T2, "Kami"), "ORG")
    summary = merge_databases(here, laptop_path)
    assert summary.conflicts == [Conflict("art2", "alice", "alice@laptop.2")]
    assert {"alice", "alice@laptop", "alice@laptop.2"} <= set(here.layers_of("art2"))


def test_untouched_layers_hold_no_work(open_store):
    here = open_store("here")
    here.add_article("a", T1)
    here.replace_suggestions("a", [Entity(None, "a", MODEL_LAYER, *at(T1, "Jakarta"), "LOC", "model", "suggested")],
                             [], model="m1")
    here.open_layer("a", "carol")  # seeded with the suggestion, never touched
    other = open_store("other")
    other.add_article("a", T1)
    other.add_entity("a", "carol", *at(T1, "Jakarta"), "LOC")
    other.add_entity("a", "carol", *at(T1, "Retno Marsudi"), "PERSON")
    other.open_layer("a", "dave")  # only opened there: nothing to bring over
    other.close()

    summary = merge_databases(here, other.path)
    assert summary.layers_replaced == 1 and summary.layers_skipped == 1 and not summary.conflicts
    with Store(other.path, read_only=True) as o:
        assert layer_content(here.get_layer("a", "carol")) == layer_content(o.get_layer("a", "carol"))
    assert "dave" not in here.layers_of("a")
    assert any(r["action"] == "replace_untouched" for r in here.edit_log("a"))  # the removed copy is logged
    assert not merge_databases(here, other.path).changed


def test_incompatible_configuration_stops_the_merge_before_writing(open_store):
    here = open_store("here")
    here.add_article("a", T1)
    config = load_config()
    other = open_store("other", config=replace(config, labels=(*config.labels, Label("EVENT"))))
    other.add_article("b", T3)
    other.close()
    before = counts(here)
    with pytest.raises(MergeError, match="EVENT"):
        merge_databases(here, other.path)
    assert counts(here) == before

    fewer = open_store("fewer", config=replace(config, labels=config.labels[:2], target="something else"))
    fewer.add_article("b", T3)
    fewer.close()
    summary = merge_databases(here, fewer.path)
    assert summary.articles_added == 1
    assert any("does not use" in w for w in summary.warnings) and any("target differs" in w for w in summary.warnings)


def test_an_article_that_cannot_be_stored_whole_is_left_out_whole(open_store):
    # here, T2 was tokenized at whitespace: "Jakarta." and "itu,”" are single tokens, so an entity
    # "Jakarta" or a quote ending at "itu" cannot be stored; "Retno Marsudi" could
    here = open_store("here", tokenizer=lambda text: [(m.start(), m.end()) for m in re.finditer(r"\S+", text)])
    here.add_article("t2", T2)
    other = open_store("other")
    other.add_article("t2", T2)
    other.add_article("t3", T3)
    other.add_entity("t2", "alice", *at(T2, "Retno Marsudi"), "PERSON")  # fits
    other.add_quote("t2", "alice", *at(T2, "Kami menolak pengerahan pasukan itu"))  # does not fit
    other.add_entity("t2", "bob", *at(T2, "Jakarta"), "LOC")  # does not fit
    other.add_entity("t3", "alice", *at(T3, "Mark Rutte"), "PERSON")
    other.close()
    summary = merge_databases(here, other.path)
    assert len(summary.problems) == 1 and "t2" in summary.problems[0]
    assert here.layers_of("t2") == []  # neither alice's nor bob's layer: one transaction per article
    assert here.layers_of("t3") == ["alice"]
    assert summary.layers_added == 1


def test_bad_sources_are_refused(open_store, tmp_path):
    here = open_store("here")
    with pytest.raises(MergeError, match="into itself"):
        merge_databases(here, here.path)
    with pytest.raises(MergeError, match="no such"):
        merge_databases(here, tmp_path / "missing.db")
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    with pytest.raises(MergeError):
        merge_databases(here, junk)
