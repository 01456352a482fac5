"""Training from gold: tiny gold in a real database → ner/, quotes/, stance/, model.json;
loadable and usable for suggestions; cancel; fixed seed; the gold selection and dev split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from annotator.core.importer import import_records
from annotator.core.store import Store
from annotator.nlp import train as train_mod
from annotator.nlp import trained as trained_mod
from annotator.nlp.tokenizer import token_offsets
from annotator.nlp.train import TrainingCancelled, gold_records, split_records, train_from_gold
from annotator.nlp.trained import (
    TrainingError,
    add_trained_components,
    is_trained_model_dir,
    load_trained,
    quote_candidates,
)
from tests.helpers import span_at

PEOPLE = ["Joko Widodo", "Retno Marsudi", "Antony Blinken", "Maria Zakharova", "Mark Rutte", "Kim Jong Un"]
PLACES = ["Jakarta", "Moskow", "Seoul", "Kyiv", "Washington", "Pyongyang"]
ORGS = ["NATO", "PBB", "Kementerian Pertahanan", "Uni Eropa", "DPR", "Gedung Putih"]
DATES = ["5 November 2024", "Senin (4/11/2024)", "31 Oktober 2024", "Kamis (7/11/2024)", "1 Januari 2025", "Rabu"]


def make_record(i: int) -> dict:
    """A short news article with entities, one direct and one indirect quote with stances."""
    p, q = PEOPLE[i % 6], PEOPLE[(i + 1) % 6]
    loc, org, date = PLACES[i % 6], ORGS[i % 6], DATES[i % 6]
    text = (f"{loc}, {date} — {p} dari {org} mengatakan bahwa pasukan Korea Utara sudah tiba di Rusia.\n\n"
            f"“Kami mengecam keras pengerahan pasukan itu,” kata {q} di {loc}.\n\n"
            f"Menurut {p}, pertemuan berikutnya digelar di {PLACES[(i + 2) % 6]}.\n")
    spans = [span_at(text, loc, "LOC"), span_at(text, date, "DATE"), span_at(text, p, "PERSON"), span_at(text, org, "ORG"),
             span_at(text, "Korea Utara", "LOC"), span_at(text, "Rusia", "LOC"), span_at(text, q, "PERSON"),
             span_at(text, loc, "LOC", 1), span_at(text, p, "PERSON", 1), span_at(text, PLACES[(i + 2) % 6], "LOC")]
    quotes = [
        {**span_at(text, "pasukan Korea Utara sudah tiba di Rusia"), "kind": "indirect",
         "speaker": span_at(text, p, "PERSON"), "cue": span_at(text, "mengatakan"), "stance": "NEUTRAL"},
        {**span_at(text, "Kami mengecam keras pengerahan pasukan itu,"), "kind": "direct",
         "speaker": span_at(text, q, "PERSON"), "cue": span_at(text, "kata"), "stance": "OPPOSE"},
        {**span_at(text, f"pertemuan berikutnya digelar di {PLACES[(i + 2) % 6]}"), "kind": "indirect",
         "speaker": span_at(text, p, "PERSON", 1), "cue": span_at(text, "Menurut"), "stance": "NEUTRAL"},
    ]
    for s in spans:
        s.update(source="human", status="accepted")
    for x in quotes:
        x.update(source="human", status="accepted")
    return {"id": f"art-{i}", "text": text, "spans": spans, "quotes": quotes, "answer": "accept"}


def fill(store: Store, n: int = 4) -> None:
    summary = import_records(store, [make_record(i) for i in range(n)], layer="@gold")
    assert not summary.problems, summary.problems


@pytest.fixture(scope="module")
def no_bundled_model(tmp_path_factory):
    """Train the NER from scratch, whatever resources/model/ner holds (fast, independent)."""
    mp = pytest.MonkeyPatch()
    mp.setattr(train_mod, "DEFAULT_BASE_MODEL", tmp_path_factory.mktemp("none") / "no-model")
    yield
    mp.undo()


@pytest.fixture(scope="module")
def trained(tmp_path_factory, no_bundled_model):
    """One training run shared by the tests that only inspect its result."""
    root = tmp_path_factory.mktemp("train")
    store = Store(root / "gold.db", tokenizer=token_offsets)
    fill(store)
    steps: list[float] = []
    info = train_from_gold(store, root / "model", seed=3, max_epochs=2, progress=steps.append, log_line=None)
    yield {"store": store, "out": root / "model", "info": info, "progress": steps, "root": root}
    store.close()


def test_model_dir_has_model_json_and_loadable_pipelines(trained):
    out, info = trained["out"], trained["info"]
    saved = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert saved["version"] == info["version"] and saved["name"] == info["name"]
    assert saved["components"] == {"ner": True, "quotes": True, "stance": True, "names": True}
    assert saved["seed"] == 3 and saved["base_model"] is None
    assert saved["data"]["train_articles"] and saved["data"]["dev_articles"]
    assert saved["data"]["stance_train_quotes"] == 3 * len(saved["data"]["train_articles"])
    assert saved["use"]["quotes"] in ("rules", "model", "rules+model") and saved["use"]["stance"] in ("lexicon", "model")
    assert saved["why"]["quotes"] and saved["why"]["stance"]
    for name in ("baseline", "trained", "trained_model_quotes", "trained_rules_plus_model_quotes"):
        summary = saved["dev"][name]["summary"]
        assert set(summary["entities"]["all"]) >= {"precision", "recall", "f1"}
        assert {"quotes_exact", "speaker_accuracy", "cue_accuracy", "stance_accuracy"} <= set(summary)
    assert saved["dev"]["trained"]["result"]["documents"] == len(saved["data"]["dev_articles"])
    assert is_trained_model_dir(out)
    ner = spacy.load(out / "ner")
    assert {"PERSON", "LOC", "ORG", "DATE"} <= set(ner.get_pipe("ner").labels)
    assert ner.meta["name"] == info["name"] and ner.meta["version"] == info["version"]
    assert spacy.load(out / "stance").get_pipe("textcat").labels == ("SUPPORT", "OPPOSE", "NEUTRAL")
    assert not list(out.parent.glob(".model.*"))  # no staging folder left behind


def test_progress_rises_to_one(trained):
    steps = trained["progress"]
    assert steps[0] == 0.0 and steps[-1] == 1.0
    assert steps == sorted(steps)


def test_trained_stance_returns_a_label_of_the_scheme(trained):
    model = load_trained(trained["out"], stance="model")
    label, score = model.stance_from_model("Kami mengecam keras pengerahan pasukan itu",
                                           {"before": "", "after": "kata Mark Rutte di Kyiv."})
    assert label in ("SUPPORT", "OPPOSE", "NEUTRAL")
    assert 0.0 <= score <= 1.0
    assert set(model.stance_scores("Pasukan tiba.")) == {"SUPPORT", "OPPOSE", "NEUTRAL"}


def test_trained_directory_drives_suggestions(trained):
    from annotator.nlp.pipeline import build_pipeline
    from annotator.nlp.suggest import model_name, suggest_articles

    store = trained["store"]
    model = load_trained(trained["out"])
    nlp = build_pipeline(str(model.ner_dir), {"labels": store.config.label_names,
                                              "stance_labels": store.config.stance_names,
                                              "target": store.config.target})
    add_trained_components(nlp, model)
    assert model_name(nlp) == model.model_name
    assert suggest_articles(store, ["art-0"], nlp=nlp) == 1
    layer = store.get_layer("art-0", "@model")
    assert layer.quotes and all(q.model == model.model_name for q in layer.quotes)
    assert all(q.stance in ("SUPPORT", "OPPOSE", "NEUTRAL") for q in layer.quotes)
    assert all(0.0 <= q.score <= 1.0 for q in layer.quotes)


def test_quotes_model_can_replace_the_rules(trained):
    from annotator.nlp.pipeline import build_pipeline, predict

    model = load_trained(trained["out"], quotes="model")
    nlp = add_trained_components(build_pipeline(str(model.ner_dir)), model)
    assert "annotator_trained_quotes" in nlp.pipe_names
    record = make_record(5)
    (out,) = predict([{"id": "x", "text": record["text"]}], nlp)
    for q in out["quotes"]:  # whatever it finds after 2 epochs is well formed
        assert 0 <= q["start"] < q["end"] <= len(record["text"]) and q["kind"] in ("direct", "indirect")


def test_model_quotes_replace_or_complete_the_rule_quotes():
    """quotes mode "model" replaces the rule quotes; "rules+model" adds only what they miss,
    taking speaker and cue from the rule quote a model quote overlaps."""
    import numpy

    from annotator.nlp import quotes as _quotes  # noqa: F401  (doc._.quotes)
    from annotator.nlp.tokenizer import new_blank

    nlp = new_blank()
    text = "“Kami menolak,” kata Rutte. Menurut Blinken, pasukan itu sudah tiba."
    doc = nlp(text)
    rule = {"start": 1, "end": 13, "kind": "direct", "speaker": {"start": 21, "end": 26, "label": "PERSON"},
            "cue": {"start": 16, "end": 20, "text": "kata"}, "stance": None, "score": None}
    assert text[1:13] == "Kami menolak"

    def fake_quotes_nlp(text):
        qdoc = nlp(text)
        spans = [qdoc.char_span(1, 13, label="QUOTE_DIRECT"), qdoc.char_span(45, 67, label="QUOTE_INDIRECT")]
        qdoc.spans["quotes"] = spans
        qdoc.spans["quotes"].attrs["scores"] = numpy.array([[0.9], [0.6]])
        return qdoc

    assert text[45:67] == "pasukan itu sudah tiba"
    model = trained_mod.TrainedModel(Path("."), {}, None, fake_quotes_nlp, None, quotes_mode="model")
    doc._.quotes = [rule]
    replaced = model.quotes(doc)
    assert [(q["start"], q["kind"], q["score"]) for q in replaced] == [(1, "direct", 0.9), (45, "indirect", 0.6)]
    assert replaced[0]["speaker"] == rule["speaker"] and replaced[0]["cue"] == rule["cue"]
    assert replaced[1]["speaker"] is None
    model.quotes_mode = "rules+model"
    completed = model.quotes(doc)
    assert completed[0] is rule and [q["start"] for q in completed] == [1, 45]
    model.quotes_mode = "rules"
    assert model.quotes(doc) == [rule]


def test_same_seed_gives_the_same_scores(trained, tmp_path):
    again = train_from_gold(trained["store"], tmp_path / "again", seed=3, max_epochs=2, log_line=None)
    for name in ("trained", "stance_on_gold_quotes"):
        first, second = trained["info"]["dev"][name], again["dev"][name]
        assert first == second
    assert again["training"]["ner"]["best_dev"] == trained["info"]["training"]["ner"]["best_dev"]


def test_cancel_leaves_the_output_folder_alone(trained, tmp_path):
    out = tmp_path / "model"
    out.mkdir()
    (out / "model.json").write_text('{"name": "previous"}', encoding="utf-8")
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3  # a few steps into NER training

    with pytest.raises(TrainingCancelled):
        train_from_gold(trained["store"], out, max_epochs=2, cancelled=cancelled, log_line=None)
    assert json.loads((out / "model.json").read_text(encoding="utf-8")) == {"name": "previous"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_fine_tunes_a_base_model(trained, tmp_path):
    """The first run's NER as base: components are sourced from it, DATE etc. kept."""
    info = train_from_gold(trained["store"], tmp_path / "tuned", base_model=trained["out"] / "ner", max_epochs=1,
                           base_share=0.5, log_line=None)
    assert info["base_model"] == str(trained["out"] / "ner")
    assert info["training"]["ner"]["base_model"] == str(trained["out"] / "ner")
    labels = spacy.load(tmp_path / "tuned" / "ner").get_pipe("ner").labels
    assert {"PERSON", "LOC", "ORG", "DATE"} <= set(labels)


def test_refuses_a_folder_that_is_not_a_model(trained, tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(TrainingError, match="not a trained model directory"):
        train_from_gold(trained["store"], tmp_path, log_line=None)
    with pytest.raises(TrainingError, match="not a spaCy pipeline"):
        train_from_gold(trained["store"], tmp_path / "m", base_model=tmp_path, log_line=None)
    from annotator.nlp.ensemble import build_ensemble
    from annotator.nlp.entities import DEFAULT_MODEL_DIR

    build_ensemble([DEFAULT_MODEL_DIR, DEFAULT_MODEL_DIR], tmp_path / "vote")
    with pytest.raises(TrainingError, match="a voting model .* cannot be fine-tuned"):
        train_from_gold(trained["store"], tmp_path / "m", base_model=tmp_path / "vote", log_line=None)
    assert not (tmp_path / "m").exists()


def test_extra_iob_sentences_mark_dates_missing(tmp_path):
    from annotator.nlp.tokenizer import new_blank

    iob = tmp_path / "extra.iob"
    iob.write_text("Joko\tB-PERSON\nWidodo\tI-PERSON\ntiba\tO\n5\tO\nNovember\tO\n2024\tO\n.\tO\n\n"
                   "PBB\tB-ORGANISATION\nbersidang\tO\n\nRusia\tB-PLACE\nmenolak\tO\n", encoding="utf-8")
    nlp = new_blank()
    docs = train_mod.iob_docs(iob, 2, 0, nlp, labels=["PERSON", "ORG", "LOC", "DATE"])
    assert len(docs) == 2 and "iob_dates" not in nlp.pipe_names
    all_docs = train_mod.iob_docs(iob, 10, 0, nlp, labels=["PERSON", "ORG", "LOC", "DATE"])
    first = all_docs[0]
    assert [(e.text, e.label_) for e in first.ents] == [("Joko Widodo", "PERSON")]
    assert [t.ent_iob_ for t in first][3:6] == ["", "", ""]  # the date: missing, not O
    assert [t.ent_iob_ for t in first][2] == "O"
    assert [(e.text, e.label_) for e in all_docs[1].ents] == [("PBB", "ORG")]


# --------------------------------------------------------------------------- gold and split

def test_gold_is_the_done_articles(tmp_path):
    with Store(tmp_path / "g.db", tokenizer=token_offsets) as store:
        fill(store, 3)
        store.set_status("art-1", "@gold", "in_progress")
        records, notes = gold_records(store)
        assert [r["id"] for r in records] == ["art-0", "art-2"] and not notes
        for article_id in ("art-0", "art-2"):
            store.set_status(article_id, "@gold", "in_progress")
        records, notes = gold_records(store)
        assert [r["id"] for r in records] == ["art-0", "art-1", "art-2"]
        assert "no article" in notes[0]
        store.add_entity("art-0", "@gold", 0, len(records[0]["text"].split(",")[0]), "LOC", source="model",
                         status="rejected")  # rejected suggestions are not gold
        assert all(s["status"] == "accepted" for r in gold_records(store)[0] for s in r["spans"])


def test_split_by_article_with_fixed_seed():
    records = [{"id": f"a{i}", "text": "x"} for i in range(10)]
    first = split_records(records, 0.2, seed=1)
    assert len(first.dev) == 2 and len(first.train) == 8 and not first.train_is_dev
    assert {r["id"] for r in first.dev}.isdisjoint(r["id"] for r in first.train)
    again = split_records(list(reversed(records)), 0.2, seed=1)
    assert {r["id"] for r in again.dev} == {r["id"] for r in first.dev}  # order of input does not matter
    few = split_records(records[:3], 0.2, seed=1)
    assert len(few.dev) == 1 and len(few.train) == 2 and "rough" in few.notes[0]
    one = split_records(records[:1], 0.2)
    assert one.train_is_dev and one.train == one.dev and "training-set scores" in one.notes[0]
    with pytest.raises(TrainingError, match="no gold"):
        split_records([], 0.2)


def test_quote_candidates_reach_long_quotes():
    from annotator.nlp.docbin import records_to_docs
    from annotator.nlp.tokenizer import new_blank

    record = make_record(0)
    (doc,) = records_to_docs([record], new_blank())
    candidates = set(quote_candidates(doc))
    for span in doc.spans["quotes"]:
        assert (span.start, span.end) in candidates
    assert len(candidates) < 4 * len(doc)


def test_load_trained_refuses_other_folders(tmp_path):
    assert not is_trained_model_dir(tmp_path)
    with pytest.raises(TrainingError, match="no model.json"):
        load_trained(tmp_path)


def test_uncertainty_order_can_run_a_trained_directory(trained, tmp_path):
    from annotator.nlp.uncertainty import uncertainty_scores

    with Store(tmp_path / "new.db", tokenizer=token_offsets) as store:
        for i in range(2):
            store.add_article(f"new-{i}", make_record(i + 2)["text"])
        scores = uncertainty_scores(store, "alice", str(trained["out"]))
    assert set(scores) == {"new-0", "new-1"}
    assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in scores.values())


def test_gold_paragraphs_weigh_more_than_base_sentences():
    nlp = spacy.blank("id")
    gold = [nlp.make_doc(f"gold {i}") for i in range(3)]
    extra = [nlp.make_doc(f"base {i}") for i in range(5)]
    mixed = train_mod.ner_training_docs(gold, extra, 3, seed=1)
    assert len(mixed) == 3 * 3 + 5
    assert sorted(d.text for d in mixed) == sorted([d.text for d in gold] * 3 + [d.text for d in extra])
    assert [d.text for d in mixed] == [d.text for d in train_mod.ner_training_docs(gold, extra, 3, seed=1)]
    assert len(train_mod.ner_training_docs(gold, extra, 0, seed=1)) == 3 + 5
    assert train_mod.GOLD_WEIGHT > 1  # the default


def test_a_corpora_folder_gives_harmonised_training_sentences(tmp_path):
    """--extra-iob FOLDER: the NER corpora's training sentences as the bundled model saw them
    (harmonised: a capitalised place prefix inside LOC), dev sentences left out, labels outside the
    project's dropped."""
    from annotator.nlp.corpora import DEV_EVERY
    from annotator.nlp.tokenizer import new_blank

    (tmp_path / "nergrit").mkdir()
    sentence = "Warga\tO\nKabupaten\tO\nBogor\tB-PLACE\nbertemu\tO\nJoko\tB-PERSON\n.\tO\n\n"
    nlp = new_blank()
    (tmp_path / "nergrit" / "train.iob").write_text(
        sentence * (DEV_EVERY - 1) + "Rusia\tB-PLACE\nmenolak\tO\n.\tO\n\n", encoding="utf-8")
    docs = train_mod.corpus_docs(tmp_path, 100, 0, nlp, labels=["PERSON", "ORG", "LOC", "DATE"])
    assert len(docs) == DEV_EVERY - 1
    assert [(e.text, e.label_) for e in docs[0].ents] == [("Kabupaten Bogor", "LOC"), ("Joko", "PERSON")]
    only_people = train_mod.corpus_docs(tmp_path, 100, 0, nlp, labels=["PERSON"])
    assert [(e.text, e.label_) for e in only_people[0].ents] == [("Joko", "PERSON")]
    with pytest.raises(TrainingError, match="no NER training sentences"):
        train_mod.corpus_docs(tmp_path / "empty", 10, 0, nlp, labels=["PERSON"])
