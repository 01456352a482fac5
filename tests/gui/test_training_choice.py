"""After in-app training (issue 11.8, 11.12): the dialog defaults to the better model, switching the
project's model takes an explicit choice, and trained models go beside the database (or into the
user's data folder when the database sits in a source checkout), never into the working directory."""

import json
import os

import pytest
from PySide6.QtCore import Qt

from PySide6.QtWidgets import QApplication

from annotator.core.store import Store
from annotator.project import suggestion_model
from tests.gui.conftest import activate
from tests.gui.test_tools import _model_json


def write_model(folder, trained_f1: float, baseline_f1: float) -> str:
    info = _model_json(str(folder))
    info["dev"]["trained"]["summary"]["entities"]["all"]["f1"] = trained_f1
    info["dev"]["trained"]["summary"]["stance_accuracy"] = 0.33
    info["dev"]["baseline"]["summary"]["entities"]["all"]["f1"] = baseline_f1
    os.makedirs(folder)
    with open(os.path.join(folder, "model.json"), "w", encoding="utf-8") as fh:
        json.dump(info, fh)
    return str(folder)


def trained(make_db, open_window, qtbot, folder, trained_f1: float):
    """(database, window, the dialog on a model that scored `trained_f1` against the base model's 0.62)."""
    db = make_db()
    window = open_window(db)
    dialog = window.show_trained({}, write_model(folder, trained_f1=trained_f1, baseline_f1=0.62))
    qtbot.waitExposed(dialog)
    return db, window, dialog


def press_in(qtbot, dialog, key) -> None:
    activate(qtbot, dialog)
    qtbot.keyClick(QApplication.focusWidget(), key)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)


def test_a_model_that_scored_lower_is_not_the_default(make_db, open_window, qtbot, tmp_path):
    db, window, dialog = trained(make_db, open_window, qtbot, tmp_path / "test.models" / "worse", 0.41)
    dialog.grab().save("scratch/trained-worse.png") if os.path.isdir("scratch") else None
    assert dialog.verdict.better is False
    assert dialog.keep_button.isDefault() and not dialog.use_button.isDefault()
    assert "did not score better" in dialog.findChild(type(window.task_label), "trainedVerdict").text()
    press_in(qtbot, dialog, Qt.Key_Return)  # Enter: the default
    with Store(db) as store:
        assert store.get_meta(suggestion_model.META_KEY) is None  # still the bundled model
    assert window.model_label.text() == "Model: bundled model"


def test_a_better_model_is_the_default_and_switching_is_a_choice(make_db, open_window, qtbot, tmp_path):
    db, window, dialog = trained(make_db, open_window, qtbot, tmp_path / "test.models" / "better", 0.80)
    out = dialog.out_dir
    assert dialog.verdict.better is True and dialog.use_button.isDefault()
    assert "for everyone" in dialog.use_button.text()
    press_in(qtbot, dialog, Qt.Key_Escape)  # closing the dialog keeps the current model
    with Store(db) as store:
        assert store.get_meta(suggestion_model.META_KEY) is None
    dialog = window.show_trained({}, out)
    qtbot.mouseClick(dialog.use_button, Qt.LeftButton)
    with Store(db) as store:
        assert store.get_meta(suggestion_model.META_KEY) == os.path.join("test.models", "better")


def test_against_a_trained_current_model_its_own_scores_count(tmp_path):
    current = suggestion_model.describe(write_model(tmp_path / "current", trained_f1=0.9, baseline_f1=0.5))
    new = json.load(open(write_model(tmp_path / "new", trained_f1=0.8, baseline_f1=0.5) + "/model.json"))
    assert suggestion_model.compare_with_current(new, current).better is False  # 0.8 beats the base model, not 0.9
    assert suggestion_model.compare_with_current(new, suggestion_model.describe(None)).better is True
    assert suggestion_model.compare_with_current({}, suggestion_model.describe(None)).better is None


@pytest.mark.parametrize("checkout", [False, True])
def test_trained_models_go_beside_the_database_never_into_a_checkout(tmp_path, monkeypatch, checkout):
    project = tmp_path / "project"
    project.mkdir()
    if checkout:
        (project / "pyproject.toml").write_text("[project]\nname = 'annotator'\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    monkeypatch.chdir(work)
    out = suggestion_model.default_output_dir(str(project / "news.db"), str(tmp_path / "data"))
    parent = tmp_path / "data" if checkout else project
    assert os.path.dirname(out) == str(parent / "news.models")
    assert os.path.basename(out).startswith("news-")
    assert not out.startswith(str(work))
