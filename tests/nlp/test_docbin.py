"""spaCy DocBin export: database -> .spacy -> Docs with the same entities, quotes and stances;
the train/dev split; and `spacy debug data` accepting the files."""

from __future__ import annotations

import random

import pytest
from spacy.lang.id import Indonesian
from spacy.tokens import DocBin
from spacy.vocab import create_vocab

from annotator.core.records import iter_records
from annotator.nlp.docbin import records_to_docs, write_docbin
from annotator.core.importer import import_records
from annotator.core.store import Store
from annotator.nlp.tokenizer import token_offsets
from tests.helpers import span_at

TEXT = ("😀 Presiden Joko Widodo bertemu di Jawa\nTengah.  Itu  penting.\n\n"
        "\u201cKami menolak pengerahan itu,\u201d kata Joko Widodo.\n"
        "Menurut seorang pejabat, situasi memburuk 12 Januari 2025.\n")


def main_record():
    return {
        "id": "art-1", "text": TEXT,
        "spans": [span_at(TEXT, "Joko Widodo", "PERSON"), span_at(TEXT, "Jawa\nTengah", "LOC"),
                  span_at(TEXT, "Joko Widodo", "PERSON", 1), span_at(TEXT, "12 Januari 2025", "DATE"),
                  {**span_at(TEXT, "Presiden", "ORG"), "status": "rejected", "source": "model"}],
        "quotes": [
            {**span_at(TEXT, "Kami menolak pengerahan itu"), "kind": "direct",
             "speaker": span_at(TEXT, "Joko Widodo", "PERSON", 1), "cue": span_at(TEXT, "kata"), "stance": "OPPOSE"},
            {**span_at(TEXT, "situasi memburuk 12 Januari 2025"), "kind": "indirect",
             "speaker": span_at(TEXT, "seorang pejabat"), "cue": span_at(TEXT, "Menurut"), "stance": None},
            {**span_at(TEXT, "Itu"), "kind": "indirect", "speaker": span_at(TEXT, "Joko Widodo", "PERSON", 1),
             "cue": None, "stance": "NEUTRAL"},
        ],
        "cats": {"stance:SUPPORT": 0.0, "stance:OPPOSE": 1.0, "stance:NEUTRAL": 0.0},
    }


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "a.db", tokenizer=token_offsets) as s:
        summary = import_records(s, [main_record()])
        assert not summary.problems, summary.problems
        yield s


VOCAB = create_vocab("id", Indonesian.Defaults)  # spacy.blank("id") without its slow tokenizer


def load(path):
    return list(DocBin().from_disk(path).get_docs(VOCAB))


def test_database_to_docbin_and_back(tmp_path, store):
    out = tmp_path / "gold.spacy"
    assert write_docbin(iter_records(store, "@gold"), out) == {str(out): 1}
    [doc] = load(out)
    assert doc.text == TEXT
    article = store.get_article("art-1")
    # token boundaries are the stored ones (plus whitespace tokens for the extra whitespace)
    assert [(t.idx, t.idx + len(t)) for t in doc if not t.is_space] == list(article.tokens)
    assert [t.text for t in doc if t.is_space] == ["\n", " ", " ", "\n\n", "\n", "\n"]
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Joko Widodo", "PERSON"), ("Jawa\nTengah", "LOC"), ("Joko Widodo", "PERSON"), ("12 Januari 2025", "DATE")]
    assert [(s.text, s.label_) for s in doc.spans["quotes"]] == [
        ("Itu", "QUOTE"), ("Kami menolak pengerahan itu", "QUOTE"), ("situasi memburuk 12 Januari 2025", "QUOTE")]
    assert [(s.text, s.label_) for s in doc.spans["speakers"]] == [("Joko Widodo", "PERSON"), ("seorang pejabat", "SPEAKER")]
    assert [(s.text, s.label_) for s in doc.spans["cues"]] == [("kata", "CUE"), ("Menurut", "CUE")]
    quotes = doc.user_data["quotes"]
    assert [(q["kind"], q["stance"]) for q in quotes] == [("indirect", "NEUTRAL"), ("direct", "OPPOSE"), ("indirect", None)]
    for span, q in zip(doc.spans["quotes"], quotes):
        assert (span.start_char, span.end_char) == (q["start"], q["end"])
        if q["speaker"]:
            speaker = doc.spans["speakers"][q["speaker"]["index"]]
            assert (speaker.start_char, speaker.end_char) == (q["speaker"]["start"], q["speaker"]["end"])
        if q["cue"]:
            assert doc.spans["cues"][q["cue"]["index"]].text == q["cue"]["text"]
    assert quotes[1]["speaker"]["label"] == "PERSON" and quotes[2]["speaker"]["label"] is None
    assert quotes[0]["cue"] is None
    assert doc.user_data["id"] == "art-1" and doc.user_data["annotator"] == "@gold"
    assert doc.cats == {"stance:SUPPORT": 0.0, "stance:OPPOSE": 1.0, "stance:NEUTRAL": 0.0}


def test_records_without_tokens_still_align():
    text = "Halo Joko-Widodo!  Apa kabar?"
    record = {"id": "x", "text": text, "spans": [{"start": 5, "end": 9, "label": "PERSON"}],
              "quotes": [{"start": 19, "end": 29, "kind": "direct", "speaker": {"start": 5, "end": 16}}]}
    [doc] = records_to_docs([record])
    assert doc.text == text
    assert [(e.text, e.label_) for e in doc.ents] == [("Joko", "PERSON")]
    assert doc.spans["quotes"][0].text == "Apa kabar?"
    assert doc.spans["speakers"][0].text == "Joko-Widodo"
    assert "cats" not in record and doc.cats == {}


WORDS = ["Jakarta", "Moskow", "Seoul", "Pyongyang", "Kyiv", "Bandung"]
NAMES = ["Joko Widodo", "Retno Marsudi", "Kim Jong Un", "Vladimir Putin", "Prabowo Subianto", "Sugiono"]
ORGS = ["PBB", "NATO", "Kemlu", "DPR", "ASEAN"]
STANCES = ["SUPPORT", "OPPOSE", "NEUTRAL"]


def generated_records(n: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for i in range(n):
        name, org, place = rng.choice(NAMES), rng.choice(ORGS), rng.choice(WORDS)
        quote = f"Kami {rng.choice(['menolak', 'mendukung', 'mencatat'])} pengerahan nomor {i}"
        head = f"Pejabat {org} bertemu di {place} pada hari ke-{i}.\n\n"
        body = f"\u201c{quote},\u201d kata {name}."
        text = head + body
        q_start = text.index(quote)
        n_start = text.rindex(name)
        stance = rng.choice(STANCES)
        records.append({
            "id": f"gen-{i:04d}", "text": text,
            "spans": [span_at(text, org, "ORG"), span_at(text, place, "LOC"),
                      {"start": n_start, "end": n_start + len(name), "label": "PERSON"}],
            "quotes": [{"start": q_start, "end": q_start + len(quote), "kind": "direct",
                        "speaker": {"start": n_start, "end": n_start + len(name), "label": "PERSON"},
                        "cue": span_at(text, "kata"), "stance": stance}],
            "cats": {f"stance:{s}": float(s == stance) for s in STANCES},
        })
    return records


def test_split_is_fixed_by_the_seed(tmp_path):
    records = generated_records(20)
    a = write_docbin(records, tmp_path / "a", split=0.8, seed=3)
    b = write_docbin(records, tmp_path / "b", split=0.8, seed=3)
    c = write_docbin(records, tmp_path / "c", split=0.8, seed=4)
    assert list(a.values()) == [16, 4]
    ids = {d: [[doc.user_data["id"] for doc in load(tmp_path / d / f)] for f in ("train.spacy", "dev.spacy")]
           for d in "abc"}
    assert ids["a"] == ids["b"] and ids["a"] != ids["c"]
    train, dev = ids["a"]
    assert sorted(train + dev) == [r["id"] for r in records] and not set(train) & set(dev)
    assert train == sorted(train)  # corpus order within each file
    small = write_docbin(records[:2], tmp_path / "small", split=0.9)
    assert list(small.values()) == [1, 1]
    with pytest.raises(ValueError):
        write_docbin(records, tmp_path / "bad", split=1.0)


def test_spacy_debug_data_accepts_the_export(tmp_path, capsys):
    from spacy.cli.debug_data import debug_data
    from spacy.cli.init_config import init_config

    with Store(tmp_path / "g.db", tokenizer=token_offsets) as store:
        assert not import_records(store, generated_records(150) + [main_record()]).problems
        write_docbin(iter_records(store, "@gold"), tmp_path / "corpus", split=0.8)
    config = init_config(lang="id", pipeline=["ner", "spancat", "textcat"], optimize="efficiency")
    config["components"]["spancat"]["spans_key"] = "quotes"
    config["components"]["tok2vec"]["model"]["embed"]["width"] = 32
    config["components"]["tok2vec"]["model"]["encode"]["width"] = 32
    config_path = tmp_path / "config.cfg"
    config.to_disk(config_path)
    try:
        debug_data(config_path, config_overrides={"paths.train": str(tmp_path / "corpus" / "train.spacy"),
                                                  "paths.dev": str(tmp_path / "corpus" / "dev.spacy")},
                   silent=False)
    except SystemExit as exc:  # debug data exits with 1 when a check fails
        pytest.fail(f"spacy debug data found errors:\n{capsys.readouterr().out}")
    output = capsys.readouterr().out
    assert "Corpus is loadable" in output and "✘" not in output
    assert "121 training docs" in output and "30 evaluation docs" in output
