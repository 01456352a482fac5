"""Fine-tuning the bundled NER from a team's gold: the fine-tuned weights moved back towards the
base model's (interpolate_weights, `base_share`), and the development-only learning curve of
benchmarks/quality.py (two folds of articles, several seeds, never the held-out articles)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy
import pytest
import spacy

from annotator.nlp import gazetteer_features  # noqa: F401  (the bundled model's embedding)
from annotator.nlp.train import DEFAULT_BASE_MODEL, interpolate_weights
from annotator.nlp.trained import TrainingError, load_trained

ROOT = Path(__file__).resolve().parents[2]
needs_model = pytest.mark.skipif(not (DEFAULT_BASE_MODEL / "config.cfg").is_file(), reason="no bundled NER model")


def _params(nlp) -> list[numpy.ndarray]:
    return [numpy.array(node.get_param(name)) for pipe in ("tok2vec", "ner")
            for node in nlp.get_pipe(pipe).model.walk() for name in node.param_names if node.has_param(name)]


@needs_model
def test_interpolation_mixes_every_parameter_with_the_base():
    tuned, base = spacy.load(DEFAULT_BASE_MODEL), spacy.load(DEFAULT_BASE_MODEL)
    original = _params(tuned)
    for pipe in ("tok2vec", "ner"):  # a "base" whose weights are all zero
        for node in base.get_pipe(pipe).model.walk():
            for name in node.param_names:
                if node.has_param(name):
                    node.set_param(name, node.get_param(name) * 0.0)
    count = interpolate_weights(tuned, base, 0.25)
    mixed = _params(tuned)
    assert count == len(original) > 10
    assert all(numpy.allclose(m, 0.75 * o) for m, o in zip(mixed, original))


@needs_model
def test_full_base_share_gives_back_the_base_predictions():
    base = spacy.load(DEFAULT_BASE_MODEL)
    tuned = spacy.load(DEFAULT_BASE_MODEL)
    for node in tuned.get_pipe("ner").model.walk():  # a different "fine-tuned" model
        for name in node.param_names:
            if node.has_param(name):
                node.set_param(name, node.get_param(name) * -1.0)
    text = "Presiden Joko Widodo bertemu Menteri Retno Marsudi di Jakarta pada Senin (4/11/2024)."
    assert [(e.text, e.label_) for e in tuned(text).ents] != [(e.text, e.label_) for e in base(text).ents]
    interpolate_weights(tuned, base, 1.0)
    assert [(e.text, e.label_) for e in tuned(text).ents] == [(e.text, e.label_) for e in base(text).ents]


def test_interpolation_refuses_other_layers():
    blank = spacy.blank("id")
    blank.add_pipe("ner").add_label("PERSON")
    blank.initialize()
    other = spacy.blank("id")
    cats = other.add_pipe("textcat", name="ner")
    cats.add_label("X")
    cats.add_label("Y")
    other.initialize()
    with pytest.raises(TrainingError, match="does not have the base model's layers"):
        interpolate_weights(blank, other, 0.5)


def _train_on_three_articles(tmp_path, base_share: float) -> dict:
    from annotator.core.importer import import_records
    from annotator.core.store import Store
    from annotator.nlp.tokenizer import token_offsets
    from annotator.nlp.train import train_from_gold
    from tests.nlp.test_train import make_record

    with Store(tmp_path / "gold.db", tokenizer=token_offsets) as store:
        import_records(store, [make_record(i) for i in range(3)], layer="@gold")
        return train_from_gold(store, tmp_path / "model", max_epochs=1, base_share=base_share, log_line=None)


@needs_model
def test_training_records_its_base_share(tmp_path):
    info = _train_on_three_articles(tmp_path, 0.5)
    assert info["training"]["ner"]["base_share"] == 0.5
    assert load_trained(tmp_path / "model").ner_dir is not None


@needs_model
def test_full_base_share_keeps_the_base_model_without_fine_tuning(tmp_path):
    info = _train_on_three_articles(tmp_path, 1.0)
    assert info["training"]["ner"]["epochs"] == 0 and info["training"]["ner"]["fine_tuned"] is False
    ner = load_trained(tmp_path / "model").ner_dir
    assert spacy.load(ner).meta["version"] == info["version"]
    assert all(numpy.array_equal(a, b) for a, b in zip(_params(spacy.load(ner)), _params(spacy.load(DEFAULT_BASE_MODEL))))


@needs_model
def test_development_learning_curve_trains_on_one_fold_and_scores_the_other(tmp_path, capsys, monkeypatch):
    """quality.learning_curve_dev on synthetic articles: n = 0 scores the base model once per fold,
    n = 2 trains on two articles of one fold per seed and scores the other fold."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import quality
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    from tests.nlp.test_train import make_record

    records = [dict(make_record(i), id=f"art-{i}") for i in range(6)]
    trained_on: list[list[str]] = []
    real_train_on = quality.train_on

    def spy(recs, tmp, *args, **kwargs):
        trained_on.append([r["id"] for r in recs])
        return real_train_on(recs, tmp, *args, **kwargs)

    monkeypatch.setattr(quality, "train_on", spy)
    out = quality.learning_curve_dev(records, (0, 2), (0, 1), None, None, forgetting=False, max_epochs=1)
    runs = out["runs"]
    assert [(r["n"], r["fold"], r["seed"]) for r in runs] == [
        (0, 0, 0), (0, 1, 0), (2, 0, 0), (2, 0, 1), (2, 1, 0), (2, 1, 1)]
    assert trained_on == [["art-0", "art-1"]] * 2 + [["art-3", "art-4"]] * 2
    assert all(0.0 <= r["f1"] <= 1.0 for r in runs)
    printed = capsys.readouterr().out
    assert "mean over folds and seeds" in printed and "fold" in printed
