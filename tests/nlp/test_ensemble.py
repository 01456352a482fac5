"""A voting NER (annotator.nlp.ensemble), built with `train-ner --seeds`: the vote, the members'
stash, the saved pipeline with the entity rules after it, its confidence, its training."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Span

from annotator.nlp.ensemble import NerVote, build_ensemble, is_ensemble
from annotator.nlp.entities import DEFAULT_MODEL_DIR, _load_model, load_entity_pipeline
from annotator.nlp.ner_train import train_ner_ensemble
from annotator.nlp.tokenizer import TOKENIZER_NAME, new_blank
from annotator.nlp.uncertainty import add_ner_confidence

TEXT = ("Presiden Joko Widodo bertemu Menteri Luar Negeri Rusia Sergei Lavrov di Jakarta pada 3 Mei 2024. "
        "Menurut NATO, pasukan Korea Utara sudah tiba di Kursk.")


def _vote_pipeline(groups: dict[str, list[tuple[int, int, str]]], min_votes: int = 0):
    """A blank pipeline whose only component is the vote over the given span groups."""
    nlp = new_blank()
    nlp.add_pipe("annotator_ner_vote", name="ner", config={"keys": list(groups), "min_votes": min_votes})

    def run(text):
        doc = nlp.make_doc(text)
        for key, spans in groups.items():
            doc.spans[key] = [Span(doc, s, e, label=lab) for s, e, lab in spans]
        return nlp.get_pipe("ner")(doc)

    return nlp, run


def test_a_span_most_members_found_wins_and_overlaps_go_to_the_most_voted():
    text = "Joko Widodo tiba di Kota Bandung hari ini"
    nlp, run = _vote_pipeline({
        "ner_1": [(0, 2, "PERSON"), (4, 6, "LOC"), (7, 8, "DATE")],
        "ner_2": [(0, 2, "PERSON"), (5, 6, "LOC")],
        "ner_3": [(0, 1, "PERSON"), (5, 6, "LOC"), (7, 8, "ORG")],
    })
    doc = run(text)
    assert [(e.text, e.label_) for e in doc.ents] == [("Joko Widodo", "PERSON"), ("Bandung", "LOC")]
    assert not any(key in doc.spans for key in ("ner_1", "ner_2", "ner_3"))  # the members' groups are gone
    assert doc[7].ent_iob_ == "O"  # one vote of three is not an entity
    shares = nlp.get_pipe("ner").scores(doc)
    assert shares[(0, 2, "PERSON")] == pytest.approx(2 / 3) and shares[(4, 6, "LOC")] == pytest.approx(1 / 3)


def test_min_votes_one_keeps_every_span_and_the_longer_of_equal_votes():
    _, run = _vote_pipeline({"a": [(0, 2, "PERSON")], "b": [(0, 1, "PERSON"), (4, 5, "LOC")]}, min_votes=1)
    doc = run("Joko Widodo tiba di Bandung")
    assert [(e.text, e.label_) for e in doc.ents] == [("Joko Widodo", "PERSON"), ("Bandung", "LOC")]


def test_the_vote_needs_members():
    with pytest.raises(ValueError, match="span groups"):
        _vote_pipeline({})


def test_two_copies_of_the_bundled_model_vote_exactly_as_the_model(tmp_path):
    """Each member must start from unset entities: were the first member's entities left as "O",
    the second would find none, and 2 of 2 votes would give nothing."""
    efficient = DEFAULT_MODEL_DIR
    nlp = build_ensemble([efficient, efficient], tmp_path / "pair")
    assert nlp.pipe_names == ["ner_1", "ner_1_stash", "ner_2", "ner_2_stash", "ner"]
    loaded = _load_model(tmp_path / "pair")
    assert is_ensemble(loaded) and set(loaded.get_pipe("ner").labels) == {"PERSON", "ORG", "LOC", "DATE"}
    single = _load_model(efficient)
    want = [(e.start_char, e.end_char, e.label_) for e in single(TEXT).ents]
    assert want and [(e.start_char, e.end_char, e.label_) for e in loaded(TEXT).ents] == want


def test_build_needs_two_members(tmp_path):
    with pytest.raises(ValueError, match="at least two"):
        build_ensemble([DEFAULT_MODEL_DIR], tmp_path / "one")


def _nergrit_root(tmp_path: Path) -> Path:
    rng = random.Random(7)
    first, last = ["Budi", "Siti", "Andi", "Dewi", "Rudi"], ["Santoso", "Wijaya", "Lestari", "Saputra"]
    places, sents = ["Jakarta", "Bandung", "Medan", "Surabaya"], []
    for _ in range(60):
        toks = [(rng.choice(first), "B-PERSON"), (rng.choice(last), "I-PERSON"), ("tiba", "O"), ("di", "O"),
                (rng.choice(places), "B-PLACE"), (".", "O")]
        sents.append("\n".join(f"{w}\t{t}" for w, t in toks))
    (tmp_path / "data" / "nergrit").mkdir(parents=True)
    (tmp_path / "data" / "nergrit" / "train.iob").write_text("\n\n".join(sents) + "\n", encoding="utf-8")
    return tmp_path / "data"


def test_train_ner_ensemble_trains_one_member_per_seed_and_saves_the_vote(tmp_path):
    small = {"components.tok2vec.model.encode.width": 32, "components.tok2vec.model.encode.depth": 1,
             "training.eval_frequency": 10}
    result = train_ner_ensemble(tmp_path / "accurate", [1, 2], data_root=_nergrit_root(tmp_path), max_epochs=1,
                                overrides=small, log=lambda _: None)
    assert set(result["members"]) == {"seed1", "seed2"}
    assert all(0.0 <= m["ents_f"] <= 1.0 for m in result["members"].values())
    nlp = load_entity_pipeline(tmp_path / "accurate")
    assert is_ensemble(nlp) and isinstance(nlp.get_pipe("ner"), NerVote)
    meta = spacy.load(tmp_path / "accurate", exclude=["tokenizer"],
                      config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}}).meta
    assert meta["annotator"]["seeds"] == [1, 2]
    nlp("Budi Santoso tiba di Medan.")  # runs


@pytest.fixture(scope="module")
def voting(tmp_path_factory):
    """The bundled model and two tiny models trained on a made-up corpus, voting."""
    tmp = tmp_path_factory.mktemp("voting")
    small = {"components.tok2vec.model.encode.width": 32, "components.tok2vec.model.encode.depth": 1,
             "components.tok2vec.model.embed.rows": [500, 100, 250, 250], "training.eval_frequency": 10}
    result = train_ner_ensemble(tmp / "voting", [1, 2], [DEFAULT_MODEL_DIR], data_root=_nergrit_root(tmp),
                                max_epochs=1, overrides=small, log=lambda _: None)
    return tmp / "voting", result


def test_a_given_model_votes_with_the_trained_ones(voting):
    folder, result = voting
    assert set(result["members"]) == {"seed1", "seed2"}
    nlp = _load_model(folder)
    assert [p for p in nlp.pipe_names if not p.endswith("_stash")] == ["ner_1", "ner_2", "ner_3", "ner"]
    # the first member is the bundled model, unchanged: same labels (DATE too, which the tiny corpus lacks)
    assert set(nlp.get_pipe("ner_1").labels) == {"PERSON", "ORG", "LOC", "DATE"}
    assert set(nlp.get_pipe("ner_2").labels) == {"PERSON", "LOC"}
    assert nlp.meta["annotator"]["given"] == [str(DEFAULT_MODEL_DIR)]
    assert nlp.meta["annotator"]["overrides"]["components.tok2vec.model.embed.rows"] == [500, 100, 250, 250]


def test_the_entity_rules_come_after_the_vote(voting):
    nlp = load_entity_pipeline(voting[0])
    names = nlp.pipe_names
    assert is_ensemble(nlp) and names.index("ner") > max(i for i, n in enumerate(names) if n.startswith("ner_"))
    assert names.index("entity_merge") > names.index("ner")
    doc = nlp(TEXT)
    assert ("Jakarta", "LOC") in {(e.text, e.label_) for e in doc.ents}


def test_confidence_of_a_voted_entity_is_the_share_of_members(voting):
    nlp = add_ner_confidence(_load_model(voting[0]))
    doc = nlp(TEXT + " Budi Santoso tiba di Medan.")
    scores = [e._.score for e in doc.ents]
    assert scores and all(s in {round(1 / 3, 4), round(2 / 3, 4), 1.0} for s in scores)
    assert min(scores) < 1.0  # the tiny members disagree with the bundled model somewhere


def test_train_ner_ensemble_refuses_one_seed_and_a_folder_that_is_not_a_model(tmp_path):
    with pytest.raises(ValueError, match="at least two members"):
        train_ner_ensemble(tmp_path / "x", [1], data_root=_nergrit_root(tmp_path))
    with pytest.raises(ValueError, match="nothing: not a spaCy model folder"):
        train_ner_ensemble(tmp_path / "x", [1], [tmp_path / "nothing"], data_root=tmp_path / "data")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not a spaCy pipeline directory"):
        train_ner_ensemble(precious, [1, 2], data_root=tmp_path / "data")
    assert (precious / "notes.txt").read_text() == "keep me"
