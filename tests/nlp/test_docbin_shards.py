"""A spaCy export bigger than one shard: a folder of DocBin files of at most K docs, written as each
fills, that spaCy's own Corpus reads whole; memory held by the writer is bounded by K (counted, not timed)."""

from __future__ import annotations

import weakref

import pytest
import spacy
from spacy.training import Corpus

import annotator.nlp.docbin as docbin
from annotator.core.importer import import_records
from annotator.core.model import GOLD_LAYER
from annotator.core.store import Store
from annotator.nlp.docbin import is_shard, write_docbin
from annotator.nlp.tokenizer import token_offsets
from annotator.project.export import ExportError, export_layer
from tests.helpers import span_at
from tests.nlp.test_docbin import VOCAB, generated_records, load

K = 3


def ids(docs) -> list[str]:
    return [doc.user_data["id"] for doc in docs]


def test_more_docs_than_a_shard_become_a_folder_of_shards_that_spacy_reads_whole(tmp_path):
    records = generated_records(10)
    written = write_docbin(records, tmp_path / "gold.spacy", shard_size=K)
    folder = tmp_path / "gold.spacy"
    assert folder.is_dir()
    assert written == {str(folder / f"0000{n}.spacy"): size for n, size in enumerate([3, 3, 3, 1])}
    assert all(is_shard(path) for path in written)
    examples = list(Corpus(folder)(spacy.blank("id")))  # what `spacy train --paths.train gold.spacy` reads
    assert [e.reference.user_data["id"] for e in examples] == [r["id"] for r in records]  # every doc, in order
    for example, record in zip(examples, records):
        doc = example.reference
        assert doc.text == record["text"]
        assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == sorted(
            (s["start"], s["end"], s["label"]) for s in record["spans"])
        assert [s.text for s in doc.spans["quotes"]] == [record["text"][q["start"]:q["end"]] for q in record["quotes"]]
        assert doc.cats == record["cats"]


def test_a_shard_full_is_still_one_file(tmp_path):
    out = tmp_path / "gold.spacy"
    assert write_docbin(generated_records(K), out, shard_size=K) == {str(out): K}
    assert out.is_file() and not is_shard(out) and len(load(out)) == K


def test_a_split_shards_train_and_dev_and_keeps_the_seeds_split(tmp_path):
    records = generated_records(20)
    whole = write_docbin(records, tmp_path / "whole", split=0.8, seed=3)
    sharded = write_docbin(records, tmp_path / "sharded", split=0.8, seed=3, shard_size=K, total=len(records))
    assert list(whole.values()) == [16, 4]
    assert list(sharded.values()) == [3, 3, 3, 3, 3, 1, 3, 1]  # train.spacy: 6 shards, dev.spacy: 2
    for name in ("train.spacy", "dev.spacy"):
        assert (tmp_path / "sharded" / name).is_dir()
        assert ids(shard_docs(tmp_path / "sharded" / name)) == ids(load(tmp_path / "whole" / name))  # as one file


def shard_docs(folder):
    """The docs of a folder of shards, in the order spaCy's Corpus reads them."""
    return list(Corpus(folder).read_docbin(VOCAB, sorted(folder.iterdir())))


def test_the_writer_holds_at_most_a_shard_of_docs_and_writes_each_shard_as_it_fills(tmp_path, monkeypatch):
    live = weakref.WeakSet()  # the DocBins not yet written and dropped
    new_doc_bin = docbin._new_doc_bin

    def tracked():
        doc_bin = new_doc_bin()
        live.add(doc_bin)
        return doc_bin

    monkeypatch.setattr(docbin, "_new_doc_bin", tracked)
    out = tmp_path / "gold.spacy"
    records = generated_records(20)
    held = []

    def streamed():
        for n, record in enumerate(records):
            held.append(sum(len(doc_bin) for doc_bin in live))
            # n docs are in: all full shards but the last are on disk (a full one is written when the next doc comes)
            assert len(list(out.glob("*.spacy")) if out.is_dir() else []) == max(0, (n - 1) // K)
            yield record

    written = write_docbin(streamed(), out, shard_size=K)
    assert max(held) == K and len(written) == 7
    assert ids(doc for path in written for doc in load(path)) == [r["id"] for r in records]


def test_the_vocab_is_renewed_every_shard_so_its_strings_do_not_pile_up(monkeypatch):
    """A vocab keeps every string it sees; records with new words each would grow one vocab without end."""
    records = generated_records(30)
    for n, record in enumerate(records):
        record["text"] += f" kata{n}a kata{n}b kata{n}c"
    vocabs = [doc.vocab for doc in docbin._docs(records, None, K)]
    assert len({id(v) for v in vocabs}) == 10  # a new one every K docs
    strings = max(len(v.strings) for v in vocabs)
    one_vocab = len(list(docbin._docs(records, None, len(records)))[0].vocab.strings)
    assert strings < one_vocab / 3  # about K records' words (and the shared ones), not all 30 records' words


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "s.db", tokenizer=token_offsets)
    records = [{"id": f"a{n:02d}", "text": f"Presiden Joko Widodo tiba di Jakarta pada hari ke-{n}.", "answer": "accept"}
               for n in range(10)]
    for record in records:
        record["spans"] = [span_at(record["text"], "Joko Widodo", "PERSON")]
    assert import_records(store, records, layer=GOLD_LAYER).imported == 10
    yield store
    store.close()


def test_export_writes_shards_in_place_of_the_file_and_replaces_them_only_with_force(store, tmp_path):
    out = tmp_path / "gold.spacy"
    summary = export_layer(store, out, fmt="spacy", shard_size=K)
    assert summary.shards == 4 and summary.files == [str(out / f"0000{n}.spacy") for n in range(4)]
    assert "(4 DocBin shards of at most 3 articles)" in summary.line()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold.spacy", "s.db", "s.db-shm", "s.db-wal"]  # no temp left
    assert ids(shard_docs(out)) == [f"a{n:02d}" for n in range(10)]
    with pytest.raises(ExportError, match="exists already"):
        export_layer(store, out, fmt="spacy", shard_size=K)
    summary = export_layer(store, out, fmt="spacy", force=True)  # now one file in place of the folder
    assert out.is_file() and summary.shards == 0 and len(load(out)) == 10
    summary = export_layer(store, out, fmt="spacy", force=True, shard_size=4)  # and a folder in place of the file
    assert sorted(p.name for p in out.iterdir()) == ["00000.spacy", "00001.spacy", "00002.spacy"]
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="is a folder"):  # not only shards: not ours to replace
        export_layer(store, out, fmt="spacy", force=True)
    assert (out / "notes.txt").read_text() == "mine"


def test_export_split_with_shards_replaces_an_earlier_split(store, tmp_path):
    out = tmp_path / "corpus"
    export_layer(store, out, fmt="spacy", split=0.5)
    assert (out / "train.spacy").is_file()
    summary = export_layer(store, out, fmt="spacy", split=0.5, shard_size=2, force=True)
    assert summary.shards == 6 and (out / "train.spacy").is_dir() and (out / "dev.spacy").is_dir()
    assert sorted(p.name for p in out.iterdir()) == ["dev.spacy", "train.spacy"]
    assert all(is_shard(path) for path in summary.files)
    assert sorted(ids(doc for path in summary.files for doc in load(path))) == [f"a{n:02d}" for n in range(10)]


def test_a_failure_after_some_shards_leaves_nothing_behind(store, tmp_path):
    out = tmp_path / "gold.spacy"
    out.write_bytes(b"old")

    def disk_full(done, total):
        if done == 7:
            [staging] = [p for p in tmp_path.iterdir() if p.name.startswith(".gold.spacy")]
            assert len(list(staging.glob("*.spacy"))) == 3  # three shards of 2 are written by now
            raise OSError(28, "No space left on device")

    with pytest.raises(ExportError, match="disk is full"):
        export_layer(store, out, fmt="spacy", force=True, shard_size=2, progress=disk_full)
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold.spacy", "s.db", "s.db-shm", "s.db-wal"]
