"""The project's suggestion model lives in the database: `annotator suggest` uses the model the
lead chose in the window (issue 14). Real files, the real pipeline."""

from __future__ import annotations

import json
import shutil

import pytest

from annotator.cli import main
from annotator.core.model import MODEL_LAYER
from annotator.core.store import Store
from annotator.project.suggestion_model import (
    SuggestionModelError, choose_model, project_model, suggest_with_project_model,
)
from annotator.resources import RESOURCES_DIR


def a_model(folder, version: str) -> str:
    """A copy of the bundled NER model under another name, so suggestions tell which one ran."""
    shutil.copytree(RESOURCES_DIR / "model" / "ner", folder)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta.update(name="chosen", version=version)
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return str(folder)


def suggested_by(db: str) -> set[str]:
    with Store(db) as store:
        return {e.model for e in store.get_layer("a1", MODEL_LAYER).entities}


def test_cli_suggest_uses_the_model_chosen_for_the_project(tmp_path, capsys):
    db = str(tmp_path / "project.db")
    with Store(db) as store:
        store.add_article("a1", "Presiden Joko Widodo tiba di Bandung pada Senin.")
        chosen = choose_model(store, a_model(tmp_path / "models" / "chosen", "7"))
        assert project_model(store, db) == chosen
        assert store.get_meta("suggestion_model") == "models/chosen"  # relative: the project moves as a whole
    assert main(["suggest", "--db", db]) == 0
    assert suggested_by(db) == {"chosen-7"}
    assert "by the chosen-7" in capsys.readouterr().out

    assert main(["suggest", "--db", db, "--model", str(RESOURCES_DIR / "model" / "ner")]) == 0  # an explicit one
    assert suggested_by(db) == {"annotator_ner-0.0.0"}


def test_a_missing_project_model_is_refused_with_its_path(tmp_path, capsys):
    db = str(tmp_path / "project.db")
    with Store(db) as store:
        store.add_article("a1", "Presiden Joko Widodo tiba di Bandung pada Senin.")
        with pytest.raises(SuggestionModelError, match="no such folder"):
            choose_model(store, str(tmp_path / "nothing"))
        assert store.get_meta("suggestion_model") is None  # nothing stored
        choose_model(store, a_model(tmp_path / "gone", "1"))
        shutil.rmtree(tmp_path / "gone")
        with pytest.raises(SuggestionModelError, match="gone"):
            suggest_with_project_model(store)
        run = suggest_with_project_model(store, model_dir=str(RESOURCES_DIR / "model" / "ner"))
        assert run.articles == 1 and run.changes.articles == {"a1"} and ("a1", MODEL_LAYER) in run.changes.layers
    assert main(["suggest", "--db", db]) == 2
    assert "gone: no such folder" in capsys.readouterr().err
    assert suggested_by(db) == {"annotator_ner-0.0.0"}  # only the run with an explicit model stored any


def test_a_voting_model_folder_suggests_like_any_spacy_model(tmp_path):
    from annotator.nlp.ensemble import build_ensemble

    build_ensemble([RESOURCES_DIR / "model" / "ner"] * 2, tmp_path / "vote")
    db = str(tmp_path / "project.db")
    with Store(db) as store:
        store.add_article("a1", "Presiden Joko Widodo tiba di Bandung pada Senin.")
        chosen = choose_model(store, str(tmp_path / "vote"))
        assert chosen.kind == "spacy" and chosen.usable
        run = suggest_with_project_model(store)
        assert run.articles == 1
        found = {(e.start, e.end, e.label) for e in store.get_layer("a1", MODEL_LAYER).entities}
    assert suggested_by(db) == {"annotator_ner_vote-0.0.0"}
    assert (9, 20, "PERSON") in found and (29, 36, "LOC") in found  # Joko Widodo, Bandung
