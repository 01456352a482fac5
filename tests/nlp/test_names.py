"""The name memory of a trained model (annotator.nlp.names): counted from the gold at training,
saved as names.json, applied after the entity rules: add, relabel and drop by exact text."""

from __future__ import annotations

import json
import shutil

import pytest
from spacy.tokens import Span

from annotator.core.importer import import_records
from annotator.core.store import Store
from annotator.nlp import train as train_mod
from annotator.nlp.names import NAMES_JSON, FormCounts, NameMemory
from annotator.nlp.tokenizer import new_blank, token_offsets
from annotator.nlp.train import train_from_gold
from annotator.nlp.trained import load_trained
from tests.helpers import span_at
from tests.nlp.test_train import make_record

COMPANY = "Kopiloka"


def gold(text: str, *spans: tuple[str, str, int]) -> dict:
    """A gold record: (word, label, occurrence) spans, accepted."""
    return {"id": "g", "text": text, "spans": [dict(span_at(text, w, lab, k), status="accepted") for w, lab, k in spans]}


def doc_with(text: str, *ents: tuple[str, str]):
    """A Doc of the project tokenizer with these (word, label) entities (first occurrence)."""
    doc = new_blank().make_doc(text)
    doc.ents = [doc.char_span(text.index(w), text.index(w) + len(w), label=lab) for w, lab in ents]
    return doc


def ents(doc) -> list[tuple[str, str]]:
    return [(e.text, e.label_) for e in doc.ents]


def test_learning_counts_labels_unannotated_and_inside_occurrences():
    text = ("Saham Kopiloka naik. Kopiloka Group membeli Kopiloka Jaya. Direktur Kopiloka, Ani, "
            "hadir. Muncul juga nama Kopilokaan di situ. Muncul lagi Ani.")
    record = gold(text, (COMPANY, "ORG", 0), ("Kopiloka Group", "ORG", 0), ("Kopiloka Jaya", "ORG", 0),
                  (COMPANY, "ORG", 3), ("Ani", "PERSON", 0))
    memory = NameMemory.learn([record], candidates=["naik"])
    company = memory.forms[COMPANY]
    assert company.labels == {"ORG": 2} and company.inside == 2 and company.none == 0  # "Kopilokaan": no token boundary
    assert memory.forms["Ani"].labels == {"PERSON": 1} and memory.forms["Ani"].none == 1
    assert memory.forms["Muncul"].none == 2 and not memory.forms["Muncul"].labels  # a run of capitalised words
    assert memory.forms["naik"].none == 1  # a candidate (a rejected suggestion's text)
    assert memory.articles == 1


def test_rejected_spans_are_not_gold():
    text = "Kopiloka naik."
    record = {"text": text, "spans": [dict(span_at(text, COMPANY, "ORG"), status="rejected")]}
    assert NameMemory.learn([record]).forms[COMPANY] == FormCounts({}, 1, 0)


def test_thresholds_decide_label_and_drop():
    counts = FormCounts({"ORG": 3, "LOC": 1}, none=0)
    assert counts.label(1, 0.7) == "ORG" and counts.label(1, 0.8) is None and counts.label(4, 0.5) is None
    assert FormCounts({}, none=2).unannotated(2, 0.7) and not FormCounts({"ORG": 1}, none=2).unannotated(1, 0.7)


def test_memory_adds_relabels_and_drops_by_exact_text():
    memory = NameMemory({COMPANY: FormCounts({"ORG": 2}), "PT Kopiloka Jaya": FormCounts({"ORG": 1}),
                         "Garuda": FormCounts({"ORG": 3}), "Muncul": FormCounts({}, none=2),
                         "Senin": FormCounts({}, none=5), "Ani": FormCounts({"PERSON": 1}, none=1)},
                        min_count=1, min_share=0.7, drop_share=0.7)
    text = "Muncul kabar PT Kopiloka Jaya dan Kopiloka bekerja sama dengan Garuda pada Senin, kata Ani."
    doc = memory.apply(doc_with(text, ("Muncul", "LOC"), ("Garuda", "LOC"), ("Senin", "DATE"), ("Ani", "PERSON")))
    assert ents(doc) == [("PT Kopiloka Jaya", "ORG"), (COMPANY, "ORG"), ("Garuda", "ORG"), ("Senin", "DATE"),
                         ("Ani", "PERSON")]  # longest first; dates and uncertain forms left alone
    if Span.has_extension("source"):  # registered by annotator.nlp.entities
        assert doc.ents[0]._.source == "rule" and doc.ents[2]._.source is None  # relabelled: its own source


def test_memory_never_overlaps_an_entity():
    memory = NameMemory({COMPANY: FormCounts({"ORG": 2})}, min_count=1)
    text = "Direktur Kopiloka Jaya datang."
    doc = memory.apply(doc_with(text, ("Kopiloka Jaya", "ORG")))
    assert ents(doc) == [("Kopiloka Jaya", "ORG")]


def test_names_json_round_trip_and_version(tmp_path):
    memory = NameMemory({COMPANY: FormCounts({"ORG": 2}, none=1, inside=3)}, articles=4)
    memory.save(tmp_path / NAMES_JSON)
    data = json.loads((tmp_path / NAMES_JSON).read_text(encoding="utf-8"))
    assert data == {"format": 1, "articles": 4, "forms": {COMPANY: {"labels": {"ORG": 2}, "none": 1, "inside": 3}}}
    assert NameMemory.load(tmp_path / NAMES_JSON).forms == memory.forms
    (tmp_path / "bad.json").write_text(json.dumps({"format": 99, "forms": {}}), encoding="utf-8")
    with pytest.raises(ValueError, match="format 99"):
        NameMemory.load(tmp_path / "bad.json")


# --------------------------------------------------------------------------- with a real training


def company_record(i: int) -> dict:
    """make_record(i) with a paragraph about a company the gold labels ORG."""
    record = make_record(i)
    text = record["text"] + f"Saham {COMPANY} naik, menurut laporan {COMPANY} kepada bursa.\n"
    spans = record["spans"] + [dict(span_at(text, COMPANY, "ORG", k), source="human", status="accepted") for k in (0, 1)]
    return dict(record, text=text, spans=spans)


@pytest.fixture(scope="module")
def trained_names(tmp_path_factory):
    """One tiny real training (NER from scratch, 1 epoch) on gold that names the company."""
    mp = pytest.MonkeyPatch()
    mp.setattr(train_mod, "DEFAULT_BASE_MODEL", tmp_path_factory.mktemp("none") / "no-model")
    root = tmp_path_factory.mktemp("names")
    with Store(root / "gold.db", tokenizer=token_offsets) as store:
        summary = import_records(store, [company_record(i) for i in range(3)], layer="@gold")
        assert not summary.problems, summary.problems
        info = train_from_gold(store, root / "model", seed=1, max_epochs=1, log_line=None)
    mp.undo()
    return {"out": root / "model", "info": info, "root": root}


def test_training_writes_the_name_memory_of_every_gold_article(trained_names):
    out, info = trained_names["out"], trained_names["info"]
    memory = NameMemory.load(out / NAMES_JSON)
    assert memory.articles == 3 == info["data"]["names_articles"]
    assert memory.forms[COMPANY].labels == {"ORG": 6}
    assert info["components"]["names"] is True
    assert load_trained(out).names_path == (out / NAMES_JSON).resolve()


def test_trained_pipeline_suggests_a_remembered_name_in_a_new_text(trained_names):
    from annotator.nlp.pipeline import build_pipeline, predict

    nlp = build_pipeline(str(trained_names["out"]))
    assert nlp.pipe_names.index("annotator_name_memory") > nlp.pipe_names.index("entity_merge")
    text = f"Kemarin {COMPANY} membuka kantor baru di Bandung."
    (record,) = predict([{"id": "new", "text": text}], nlp)
    assert {(text[s["start"]:s["end"]], s["label"], s["source"]) for s in record["spans"]} >= {(COMPANY, "ORG", "rule")}
    nlp.remove_pipe("annotator_name_memory")  # the model and the rule families alone miss it
    (record,) = predict([{"id": "new", "text": text}], nlp)
    assert (COMPANY, "ORG") not in {(text[s["start"]:s["end"]], s["label"]) for s in record["spans"]}


def test_a_folder_trained_before_the_memory_still_loads(trained_names, tmp_path):
    from annotator.nlp.pipeline import build_pipeline

    old = tmp_path / "old"
    shutil.copytree(trained_names["out"], old)
    (old / NAMES_JSON).unlink()
    model = load_trained(old)
    assert model.names_path is None
    nlp = build_pipeline(str(old))
    assert "annotator_name_memory" not in nlp.pipe_names and "entity_merge" in nlp.pipe_names
