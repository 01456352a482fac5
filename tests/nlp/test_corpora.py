"""annotator.nlp.corpora on a small data root laid out like /work/shared/data: readers, label
maps, harmonisation, splits, de-duplication, scoring, and training from the corpora."""

from __future__ import annotations

import json

import pytest
import spacy

from annotator.nlp import corpora
from annotator.nlp.corpora import MISSING, decode, harmonise, load_splits, read_columns, score, training_sentences
from annotator.nlp.tokenizer import new_blank


def iob(*sentences: list[tuple[str, str]], sep: str = "\t") -> str:
    return "\n\n".join("\n".join(f"{w}{sep}{t}" for w, t in s) for s in sentences) + "\n"


PERSON_SENT = [("Budi", "B-PERSON"), ("Santoso", "I-PERSON"), ("tiba", "O"), (".", "O")]
HELD_OUT_SENT = [("Siti", "B-PERSON"), ("pergi", "O"), ("ke", "O"), ("Medan", "B-PLACE"), (".", "O")]


@pytest.fixture
def root(tmp_path):
    """A data root with every corpus, a few sentences each."""
    (tmp_path / "nergrit").mkdir()
    nergrit_train = [PERSON_SENT] * 9 + [[("Rudi", "B-PERSON"), ("di", "O"), ("Kabupaten", "B-PLACE"),
                                          ("Bogor", "I-PLACE"), ("tahun", "O"), ("2020", "O")]]
    nergrit_train.append(HELD_OUT_SENT)  # also in valid: must not train
    (tmp_path / "nergrit" / "train.iob").write_text(iob(*nergrit_train), encoding="utf-8")
    (tmp_path / "nergrit" / "valid.iob").write_text(iob(HELD_OUT_SENT), encoding="utf-8")
    news = tmp_path / "ner-extra" / "idner-news-2k"
    news.mkdir(parents=True)
    for name, verb in (("train", "di"), ("dev", "ke"), ("test", "dari")):
        (news / f"{name}.txt").write_text(iob([("Presiden", "PROPN B-PER"), ("Jokowi", "PROPN I-PER"),
                                               (verb, "ADP O"), ("PT", "PROPN O"), ("Pertamina", "PROPN B-ORG")],
                                              sep=" "), encoding="utf-8")
    nerui = tmp_path / "ner-extra" / "nerui"
    nerui.mkdir()
    for name in ("train.01", "dev.01", "test.01"):
        (nerui / f"{name}.tsv").write_text(iob([("KPK", "B-ORGANIZATION"), ("di", "O"), ("Jakarta", "B-LOCATION")]),
                                           encoding="utf-8")
    gsd = tmp_path / "ner-extra" / "gsd-ner"
    gsd.mkdir()
    def gsd_row(year):
        text = f"Orang Jawa tinggal di Jakarta sejak {year}."
        return json.dumps([text, {"entities": [[6, 10, "NORP"], [22, 29, "GPE"], [36, 40, "DATE"], [0, 5, "CARDINAL"]]}])

    (gsd / "ner-train.jsonl").write_text("".join(gsd_row(1990 + i) + "\n" for i in range(10)), encoding="utf-8")
    (gsd / "ner-test.jsonl").write_text(gsd_row(2001) + "\n", encoding="utf-8")
    mdee = tmp_path / "ner-extra" / "mdee"
    mdee.mkdir()
    (mdee / "goldstandard-0811.txt").write_text(
        "Amerika\tPlace\nSerikat\tPlace \n.\tO\nSoekarno\tPerson\nlahir\tO\t\n.\tO\n", encoding="utf-8")
    return tmp_path


def by_key(splits):
    return {(s.corpus, s.split): s for s in splits}


def ents_of(sentence):
    words, tags = sentence
    return [(" ".join(words[s:e]), label) for s, e, label in decode(tags)]


def test_every_corpus_is_read_mapped_and_split(root):
    splits = by_key(load_splits(root))
    assert set(splits) == {("nergrit", "train"), ("nergrit", "dev"), ("nergrit", "heldout"),
                           ("idner", "train"), ("idner", "dev"), ("idner", "heldout"),
                           ("nerui", "train"), ("nerui", "dev"), ("nerui", "heldout"),
                           ("gsd", "train"), ("gsd", "dev"), ("gsd", "heldout"), ("mdee", "train")}
    # every 10th NERGrit training sentence is its dev split; valid is held out
    assert len(splits["nergrit", "dev"].sentences) == 1 and len(splits["nergrit", "train"].sentences) == 10
    assert splits["nergrit", "heldout"].name == "valid"
    assert ents_of(splits["nerui", "train"].sentences[0]) == [("KPK", "ORG"), ("Jakarta", "LOC")]
    # MDEE: IO tags, adjacent same-label tokens are one entity, "." ends a sentence, stray tabs ignored
    assert [ents_of(s) for s in splits["mdee", "train"].sentences] == [[("Amerika Serikat", "LOC")],
                                                                        [("Soekarno", "PERSON")]]


def test_harmonisation_to_the_guidelines(root):
    splits = by_key(load_splits(root))
    # title outside PERSON, "PT" inside ORG
    assert ents_of(splits["idner", "train"].sentences[0]) == [("Jokowi", "PERSON"), ("PT Pertamina", "ORG")]
    # a capitalised place prefix inside LOC; the date our patterns find is unknown (no DATE gold in NERGrit)
    words, tags = splits["nergrit", "dev"].sentences[0]
    assert ents_of((words, tags)) == [("Rudi", "PERSON"), ("Kabupaten Bogor", "LOC")]
    assert tags[words.index("Kabupaten")] == "B-LOC"
    assert tags[words.index("tahun")] == MISSING and tags[words.index("2020")] == MISSING
    # GSD-NER: GPE -> LOC, DATE learned, NORP unknown, CARDINAL is O
    words, tags = splits["gsd", "heldout"].sentences[0]
    assert ents_of((words, tags)) == [("Jakarta", "LOC"), ("2001", "DATE")]
    assert tags[words.index("Jawa")] == MISSING and tags[words.index("Orang")] == "O"


def test_harmonise_leaves_titles_and_honorifics_outside_person():
    words = ["oleh", "Ir.", "Soprijanto", "dan", "Presiden", "Joko", "Widodo"]
    tags = ["O", "B-PERSON", "I-PERSON", "O", "B-PERSON", "I-PERSON", "I-PERSON"]
    assert decode(harmonise(words, tags, has_dates=True)) == [(2, 3, "PERSON"), (5, 7, "PERSON")]


def test_harmonise_splits_a_parenthesised_alias_off():
    words = ["Partai", "Persatuan", "Pembangunan", "(", "PPP", ")", "dan", "PT", "Pertamina", "(", "Persero", ")"]
    tags = ["B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG"]
    assert decode(harmonise(words, tags, has_dates=True)) == [(0, 3, "ORG"), (4, 5, "ORG"), (7, 12, "ORG")]


def test_glued_brackets_are_split_off_and_left_outside_the_entity():
    words, tags = corpora.retokenise(["Presiden", "(SBY)", "dan", "Partai", "Amanat", "Nasional", "(PAN),"],
                                     ["O", "B-PERSON", "O", "B-ORG", "I-ORG", "I-ORG", "I-ORG"])
    assert words == ["Presiden", "(", "SBY", ")", "dan", "Partai", "Amanat", "Nasional", "(", "PAN", ")", ","]
    assert [(" ".join(words[s:e]), label) for s, e, label in decode(harmonise(words, tags, has_dates=True))] == [
        ("SBY", "PERSON"), ("Partai Amanat Nasional", "ORG"), ("PAN", "ORG")]


def test_harmonise_puts_the_unit_word_inside_a_date():
    words = ["Pada", "tahun", "1990", "dan", "tanggal", "16", "Mei", "2012"]
    tags = ["O", "O", "B-DATE", "O", "O", "B-DATE", "I-DATE", "I-DATE"]
    assert decode(harmonise(words, tags, has_dates=True)) == [(1, 3, "DATE"), (4, 8, "DATE")]


def test_harmonise_makes_unannotated_gazetteer_places_unknown_where_asked():
    words = ["serangan", "militer", "Israel", "di", "Gaza"]
    tags = ["O", "O", "O", "O", "B-LOC"]
    assert harmonise(words, tags, has_dates=True) == tags
    assert harmonise(words, tags, has_dates=True, places_unknown=True) == ["O", "O", MISSING, "O", "B-LOC"]


def test_harmonise_keeps_a_one_word_place_with_a_prefix_name():
    assert harmonise(["Kota"], ["B-LOC"], has_dates=True) == ["B-LOC"]


def test_training_drops_sentences_of_dev_and_held_out_splits(root):
    splits = load_splits(root)
    train, dropped = training_sentences(splits)
    texts = [" ".join(w) for w, _ in train]
    assert "Siti pergi ke Medan ." not in texts  # in NERGrit valid
    assert not any(t.startswith("Rudi") for t in texts)  # NERGrit's dev sentence (carved, not trained)
    assert not any(t.startswith("KPK") for t in texts)  # the same sentence is in NER UI dev/test
    assert dropped == 2  # the NERGrit valid sentence and NER UI train (same as its dev and test)
    for start in ("Budi", "Amerika", "Presiden Jokowi di", "Orang Jawa"):
        assert any(t.startswith(start) for t in texts)


def test_a_missing_corpus_is_skipped(root):
    import shutil

    shutil.rmtree(root / "ner-extra" / "gsd-ner")
    assert "gsd" not in {s.corpus for s in load_splits(root)}


def test_read_columns_names_file_and_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("Budi\tB-PER\nSantoso\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"{path}:2: expected a token and a tag"):
        read_columns(path)


def test_read_spacy_jsonl_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('["ok", {"entities": []}]\n{"text": "no"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=rf"{path}:2:"):
        corpora.read_spacy_jsonl(path)


def test_score_counts_exact_spans_and_skips_unknown_tokens():
    nlp = new_blank()
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Budi"}, {"label": "LOC", "pattern": "Jawa"},
                        {"label": "LOC", "pattern": "Medan"}, {"label": "DATE", "pattern": "1990"}])
    sentences = [
        (["Budi", "Santoso", "ke", "Medan", "."], ["B-PERSON", "I-PERSON", "O", "B-LOC", "O"]),
        (["Orang", "Jawa", "1990"], ["O", MISSING, "O"]),
    ]
    result = score(nlp, sentences, ("PERSON", "LOC"))
    assert result["PERSON"] == {"p": 0.0, "r": 0.0, "f1": 0.0, "n_gold": 1, "n_pred": 1, "tp": 0}  # "Budi" is partial
    assert (result["LOC"]["tp"], result["LOC"]["n_pred"], result["LOC"]["n_gold"]) == (1, 1, 1)  # "Jawa" unknown
    assert (result["ALL"]["tp"], result["ALL"]["n_pred"], result["ALL"]["n_gold"]) == (1, 2, 2)  # DATE not scored


def test_train_ner_corpora_learns_dates_and_records_its_data(root, tmp_path):
    from annotator.nlp.ner_train import train_ner_corpora

    out = tmp_path / "model"
    scores = train_ner_corpora(out, data_root=root, max_epochs=1, log=lambda _: None,
                               overrides={"components.tok2vec.model.encode.width": 32,
                                          "components.tok2vec.model.encode.depth": 1})
    assert scores["n_train"] == len(training_sentences(load_splits(root))[0])
    nlp = spacy.load(out)
    assert set(nlp.get_pipe("ner").labels) == {"PERSON", "ORG", "LOC", "DATE"}
    meta = json.loads((out / "meta.json").read_text())
    assert meta["training_data"]["corpora"] == ["gsd", "idner", "mdee", "nergrit", "nerui"]


def test_train_ner_corpora_without_data_says_so(tmp_path):
    from annotator.nlp.ner_train import train_ner_corpora

    with pytest.raises(ValueError, match="no NER corpus"):
        train_ner_corpora(tmp_path / "model", data_root=tmp_path, log=lambda _: None)


def test_train_ner_corpora_can_start_from_pretrained_weights(root, tmp_path):
    from annotator.nlp.ner_train import train_ner_corpora

    tagged = tmp_path / "raw.txt"
    tagged.write_text("\n\n".join("\n".join(f"{w}\tX" for w in f"Budi Santoso pergi ke pasar di Medan hari {i} .".split())
                                  for i in range(20)) + "\n", encoding="utf-8")
    out = tmp_path / "model"
    logged: list[str] = []
    small = {"components.tok2vec.model.encode.width": 32, "components.tok2vec.model.encode.depth": 1}
    train_ner_corpora(out, data_root=root, pretrain_text=tagged, pretrain_epochs=1, max_epochs=1,
                      log=logged.append, overrides=small)
    assert any("pretraining tok2vec" in line for line in logged)
    meta = json.loads((out / "meta.json").read_text())
    assert meta["training_data"]["pretrain_text"] == "raw.txt" and meta["training_data"]["pretrain_epochs"] == 1
    assert spacy.load(out).pipe_names == ["tok2vec", "ner"]
    # the pretrained weights are really used: the same training without them gives another model
    train_ner_corpora(tmp_path / "plain", data_root=root, max_epochs=1, log=lambda _: None, overrides=small)
    assert (out / "tok2vec" / "model").read_bytes() != (tmp_path / "plain" / "tok2vec" / "model").read_bytes()


def test_quality_ner_rows_score_both_systems_on_dev_and_held_out_splits(root):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "quality_ner.py"
    spec = importlib.util.spec_from_file_location("quality_ner", path)
    quality_ner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(quality_ner)
    rows = quality_ner.ner_rows(data_root=root)
    assert {(r["corpus"], r["part"]) for r in rows} == {
        (name, part) for name in ("NERGrit", "idner-news-2k", "NER UI", "GSD-NER") for part in ("dev", "heldout")}
    assert {r["system"] for r in rows} == {"model+rules", "model"}
    gsd = {r["label"] for r in rows if r["corpus"] == "GSD-NER"}
    assert gsd == {"PERSON", "ORG", "LOC", "DATE", "ALL"}
    assert "DATE" not in {r["label"] for r in rows if r["corpus"] == "NER UI"}
    assert all(set(r) >= {"corpus", "split", "label", "p", "r", "f1", "n_gold"} for r in rows)
    assert quality_ner.ner_rows(data_root=root / "nothing") == []


def test_training_weights_repeat_a_corpus(root):
    splits = load_splits(root)
    plain, _ = training_sentences(splits)
    weighted, _ = training_sentences(splits, {"mdee": 3})
    n_mdee = len([s for s in plain if s[0][0] in ("Amerika", "Soekarno")])
    assert len(weighted) == len(plain) + 2 * n_mdee


def test_cli_train_ner_from_the_corpora(root, tmp_path, capsys):
    from annotator.cli import main

    assert main(["train-ner", "--out", str(tmp_path / "m")]) == 2
    assert "needs --corpora, or --iob and --dev" in capsys.readouterr().err
    assert main(["train-ner", "--corpora", "all", "--weights", "idner=x", "--data", str(root),
                 "--out", str(tmp_path / "m")]) == 2
    assert "--weights: expected NAME=N" in capsys.readouterr().err
    assert main(["train-ner", "--corpora", "nergrit,mdee", "--data", str(root), "--max-steps", "2",
                 "--width", "32", "--out", str(tmp_path / "m")]) == 0
    assert json.loads((tmp_path / "m" / "meta.json").read_text())["training_data"]["corpora"] == ["mdee", "nergrit"]
    assert main(["train-ner", "--iob", "x.iob", "--dev", "y.iob", "--seeds", "1,2", "--out", str(tmp_path / "e")]) == 2
    assert "--seeds trains an ensemble from the corpora: it needs --corpora" in capsys.readouterr().err
    assert main(["train-ner", "--corpora", "all", "--data", str(root), "--seeds", "1,two",
                 "--out", str(tmp_path / "e")]) == 2
    assert "--seeds: expected numbers separated by commas, found '1,two'" in capsys.readouterr().err
    assert main(["train-ner", "--corpora", "all", "--data", str(root), "--rows", "100,200",
                 "--out", str(tmp_path / "e")]) == 2
    assert "--rows: expected four numbers (NORM, PREFIX, SUFFIX, SHAPE) separated by commas, found '100,200'" \
        in capsys.readouterr().err
    assert main(["train-ner", "--corpora", "nergrit,mdee", "--data", str(root), "--max-steps", "2", "--width", "32",
                 "--seeds", "1,2", "--out", str(tmp_path / "e")]) == 0
    meta = json.loads((tmp_path / "e" / "meta.json").read_text())
    assert meta["annotator"]["seeds"] == [1, 2] and set(meta["annotator"]["members"]) == {"seed1", "seed2"}


def test_harmonise_joins_state_bodies_and_regional_governments_with_their_area():
    # GUIDELINES.md section 8; NER UI writes "Pemkot [Surabaya]" and "[Polda] [Jabar]"
    words = ["Pemkot", "Surabaya", "dan", "Polda", "Jabar", "serta", "Universitas", "Indonesia", "Depok"]
    tags = ["O", "B-LOC", "O", "B-ORG", "B-LOC", "O", "B-ORG", "I-ORG", "B-LOC"]
    assert decode(harmonise(words, tags, has_dates=True)) == [(0, 2, "ORG"), (3, 5, "ORG"), (6, 8, "ORG"), (8, 9, "LOC")]


def test_harmonise_puts_capitalised_place_prefixes_inside_and_lower_case_ones_outside():
    words = ["di", "Kota", "Bekasi", "dan", "kota", "Bogor", "kata", "Wali", "Kota", "Depok"]
    tags = ["O", "O", "B-LOC", "O", "B-LOC", "I-LOC", "O", "O", "O", "B-LOC"]
    assert decode(harmonise(words, tags, has_dates=True)) == [(1, 3, "LOC"), (5, 6, "LOC"), (9, 10, "LOC")]


def test_harmonise_marks_durations_unknown_where_a_dated_corpus_leaves_them_o():
    words = ["selama", "tiga", "tahun", "sejak", "2001"]
    tags = ["O", "O", "O", "O", "B-DATE"]
    out = harmonise(words, tags, has_dates=True)
    assert out[1] == out[2] == MISSING and out[0] == "O" and out[4] == "B-DATE"


def test_harmonise_makes_hospitals_and_universities_org():
    words = ["di", "Rumah", "Sakit", "Pusat", "Pertamina", ",", "Jakarta"]
    tags = ["O", "B-LOC", "I-LOC", "I-LOC", "I-LOC", "O", "B-LOC"]
    assert decode(harmonise(words, tags, has_dates=True)) == [(1, 5, "ORG"), (6, 7, "LOC")]


def test_harmonise_splits_a_pair_of_names_joined_by_a_hyphen_where_asked():
    # GUIDELINES section 8: "[Andi Putra]-[Budi Santoso]"; idner-news-2k and NER UI keep the pair in one span
    words = ["pasangan", "Prabowo", "Subianto", "-", "Hatta", "Rajasa", "dan", "Grace", "Judio", "-", "Kahl"]
    tags = ["O", "B-PERSON", "I-PERSON", "I-PERSON", "I-PERSON", "I-PERSON", "O", "B-PERSON", "I-PERSON", "I-PERSON",
            "I-PERSON"]
    assert decode(harmonise(words, tags, has_dates=True)) == [(1, 6, "PERSON"), (7, 11, "PERSON")]
    assert decode(harmonise(words, tags, has_dates=True, split_pairs=True)) == [
        (1, 3, "PERSON"), (4, 6, "PERSON"), (7, 11, "PERSON")]  # a double surname stays one name
    assert corpora.PAIRS_IN_ONE_SPAN == {"idner", "nerui"}


def test_gsd_languages_are_unknown_not_o():
    # "bahasa Yunani": a country name used as a modifier is LOC in our guidelines; GSD-NER tags the language
    assert corpora.map_labels(["O", "B-LANGUAGE", "I-LANGUAGE"], corpora.LABEL_MAPS["gsd"]) == ["O", MISSING, MISSING]
