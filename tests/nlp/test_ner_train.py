"""read_iob on good and bad input; train_ner end to end on a tiny generated corpus."""

from __future__ import annotations

import random

import pytest
import spacy
from spacy.vocab import Vocab

from annotator.nlp.ner_train import NERGRIT_LABEL_MAP, iob_to_doc, read_iob, read_tagged, train_ner
from annotator.nlp.tokenizer import token_offsets

GOOD = (
    "Joko\tB-PERSON\nWidodo\tI-PERSON\nke\tO\nJakarta\tB-PLACE\n.\tO\n"
    "\n\n"
    "PBB\tB-ORGANISATION\nbersidang\tO\n"
)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_iob_sentences_and_tags(tmp_path):
    sents = read_iob(write(tmp_path, "good.iob", GOOD))
    assert sents == [
        (["Joko", "Widodo", "ke", "Jakarta", "."], ["B-PERSON", "I-PERSON", "O", "B-PLACE", "O"]),
        (["PBB", "bersidang"], ["B-ORGANISATION", "O"]),
    ]


def test_read_iob_accepts_crlf_and_no_final_blank_line(tmp_path):
    sents = read_iob(write(tmp_path, "crlf.iob", "A\tO\r\nB\tB-PLACE"))
    assert sents == [(["A", "B"], ["O", "B-PLACE"])]


@pytest.mark.parametrize(
    "text, line, reason",
    [
        ("Joko\tB-PERSON\nWidodo I-PERSON\n", 2, "expected 'token<TAB>tag'"),
        ("Joko\tB-PERSON\n\nx\ty\tz\n", 3, "expected 'token<TAB>tag'"),
        ("Joko\tB-PERSON\nWidodo\tX-PERSON\n", 2, "bad tag 'X-PERSON'"),
        ("Joko\tB-\n", 1, "bad tag 'B-'"),
        ("\tO\n", 1, "empty token"),
    ],
)
def test_read_iob_reports_file_and_line(tmp_path, text, line, reason):
    path = write(tmp_path, "bad.iob", text)
    with pytest.raises(ValueError) as err:
        read_iob(path)
    assert f"{path}:{line}:" in str(err.value)
    assert reason in str(err.value)


def test_read_iob_missing_file_names_it(tmp_path):
    with pytest.raises(ValueError, match="missing.iob"):
        read_iob(tmp_path / "missing.iob")


def test_iob_to_doc_maps_labels_and_repairs_lone_inside_tag():
    doc = iob_to_doc(Vocab(), ["di", "Kota", "Bogor", "oleh", "KPK"],
                     ["O", "I-PLACE", "I-PLACE", "O", "B-ORGANISATION"], NERGRIT_LABEL_MAP)
    assert [(e.text, e.label_) for e in doc.ents] == [("Kota Bogor", "LOC"), ("KPK", "ORG")]


def _tiny_corpus(n: int, seed: int) -> str:
    rng = random.Random(seed)
    first = ["Budi", "Siti", "Andi", "Dewi", "Rudi", "Maria", "Joko", "Ani"]
    last = ["Santoso", "Wijaya", "Lestari", "Saputra", "Widodo", "Hidayat"]
    places = ["Jakarta", "Bandung", "Medan", "Surabaya", "Makassar"]
    verbs = ["tiba di", "pergi ke", "tinggal di", "berkunjung ke"]
    lines = []
    for _ in range(n):
        toks = [(rng.choice(first), "B-PERSON"), (rng.choice(last), "I-PERSON")]
        toks += [(w, "O") for w in rng.choice(verbs).split()]
        toks += [(rng.choice(places), "B-PLACE"), (".", "O")]
        lines.append("\n".join(f"{w}\t{t}" for w, t in toks))
    return "\n\n".join(lines) + "\n"


def test_train_ner_tiny_corpus_gives_loadable_model(tmp_path):
    train = write(tmp_path, "train.iob", _tiny_corpus(60, 1))
    dev = write(tmp_path, "dev.iob", _tiny_corpus(15, 2))
    out = tmp_path / "model"
    logged: list[str] = []
    scores = train_ner(train, dev, out, max_epochs=2, n_sentences=40, log=logged.append,
                       overrides={"components.tok2vec.model.encode.width": 32,
                                  "components.tok2vec.model.encode.depth": 1,
                                  "training.eval_frequency": 10})
    assert scores["n_train"] == 40 and scores["n_dev"] == 15
    assert set(scores) >= {"ents_p", "ents_r", "ents_f", "ents_per_type"}
    assert 0.0 <= scores["ents_f"] <= 1.0
    assert any("ENTS_F" in line for line in logged)  # the training table went through `log`
    nlp = spacy.load(out)
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert set(nlp.get_pipe("ner").labels) == {"PERSON", "LOC"}
    # the saved tokenizer is the project tokenizer: quote marks split like token_offsets
    text = "Kata Budi:“Halo” ke Jakarta."
    assert [(t.idx, t.idx + len(t)) for t in nlp.make_doc(text)] == token_offsets(text)


def test_train_ner_is_reproducible(tmp_path):
    train = write(tmp_path, "train.iob", _tiny_corpus(30, 3))
    dev = write(tmp_path, "dev.iob", _tiny_corpus(10, 4))
    small = {"components.tok2vec.model.encode.width": 32, "components.tok2vec.model.encode.depth": 1}
    a = train_ner(train, dev, tmp_path / "a", max_epochs=1, log=lambda _: None, overrides=small)
    b = train_ner(train, dev, tmp_path / "b", max_epochs=1, log=lambda _: None, overrides=small)
    assert (a["ents_p"], a["ents_r"], a["ents_f"]) == (b["ents_p"], b["ents_r"], b["ents_f"])
    assert (tmp_path / "a" / "ner" / "model").read_bytes() == (tmp_path / "b" / "ner" / "model").read_bytes()


def test_train_ner_refuses_to_overwrite_a_non_model_directory(tmp_path):
    train = write(tmp_path, "train.iob", _tiny_corpus(5, 5))
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not a spaCy pipeline directory"):
        train_ner(train, train, precious, max_epochs=1, log=lambda _: None)
    assert (precious / "notes.txt").read_text() == "keep me"


def _tiny_pos(n: int, seed: int) -> str:
    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        toks = [(rng.choice(["Budi", "Siti", "Wijaya"]), "NNP"), (rng.choice(["makan", "pergi"]), "VB"),
                (rng.choice(["nasi", "pasar"]), "NN"), (".", "SYM")]
        lines.append("\n".join(f"{w}\t{t}" for w, t in toks))
    return "\n\n".join(lines) + "\n"


def test_read_tagged_and_its_errors(tmp_path):
    assert read_tagged(write(tmp_path, "pos.txt", "Budi\tNNP\nmakan\tVB\n\nIa\tPRP\n")) == [
        (["Budi", "makan"], ["NNP", "VB"]), (["Ia"], ["PRP"])]
    with pytest.raises(ValueError, match=r"bad.txt:2: expected 'word<TAB>tag'"):
        read_tagged(write(tmp_path, "bad.txt", "Budi\tNNP\nmakan VB\n"))
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9\tNN\n".encode("latin-1"))
    with pytest.raises(ValueError, match="latin1.txt: not UTF-8"):
        read_tagged(tmp_path / "latin1.txt")


def test_train_ner_with_a_pos_corpus_saves_only_tok2vec_and_ner(tmp_path):
    train = write(tmp_path, "train.iob", _tiny_corpus(30, 6))
    dev = write(tmp_path, "dev.iob", _tiny_corpus(10, 7))
    pos = write(tmp_path, "pos.txt", _tiny_pos(50, 8))
    logged: list[str] = []
    scores = train_ner(train, dev, tmp_path / "m", max_epochs=1, log=logged.append, pos_data=pos, pos_sentences=20,
                       overrides={"components.tok2vec.model.encode.width": 32, "components.tok2vec.model.encode.depth": 1,
                                  "training.eval_frequency": 5})
    # the tagger was trained beside the NER, on the POS sentences' tags (its loss is not zero)
    header = [w for w in next(line for line in logged if "TAG_ACC" in line).split() if w != "LOSS"]
    rows = [line.split() for line in logged if line.split()[:1] == ["0"] and len(line.split()) == len(header)]
    assert rows and all(float(row[header.index("TAGGER")]) > 0 for row in rows)
    nlp = spacy.load(tmp_path / "m")
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert nlp.meta["training_data"]["n_pos"] == 20
    assert not (tmp_path / "m" / "tagger").exists()
    assert 0.0 <= scores["ents_f"] <= 1.0
    assert all(not t.tag_ for t in nlp("Budi Santoso tiba di Jakarta ."))  # no tagger runs


def test_gazetteer_flags_of_capitalised_words_are_stored_in_the_trained_model(tmp_path):
    from annotator.nlp.gazetteer_features import FLAG_BITS, build_table, token_flags
    from annotator.nlp.tokenizer import blank_nlp

    table = build_table(tmp_path)  # no MDEE lists there: resources/patterns/gazetteer.jsonl only
    assert table["jakarta"] & FLAG_BITS["LOC"]
    doc = blank_nlp()("Warga Jakarta dan warga jakarta")
    assert token_flags(doc, table) == [table.get("warga", 0), table["jakarta"], 0, table.get("warga", 0), 0]

    train = write(tmp_path, "train.iob", _tiny_corpus(30, 5))
    dev = write(tmp_path, "dev.iob", _tiny_corpus(10, 6))
    train_ner(train, dev, tmp_path / "model", max_epochs=1, log=lambda _: None,
              overrides={"components.tok2vec.model.encode.width": 32, "components.tok2vec.model.encode.depth": 1})
    nlp = spacy.load(tmp_path / "model")  # a fresh load: the table comes from the model's files
    tables = [node.attrs["table"] for node in nlp.get_pipe("tok2vec").model.walk()
              if node.name == "annotator_gazetteer_features"]
    assert len(tables) == 1 and tables[0]["jakarta"] & FLAG_BITS["LOC"]
