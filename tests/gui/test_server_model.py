"""The window on a server project whose suggestion model folder was chosen on another computer:
the status bar says "not on this machine", and suggesting says so in an information box, not an
error. The test session's own PostgreSQL server."""

import shutil

from annotator.core.store import Store
from annotator.gui import window_tasks
from annotator.project import suggestion_model
from tests.project.test_suggestion_model import a_model

BACKENDS = ("postgres",)


def test_a_model_folder_not_on_this_machine_is_shown_as_such(make_db, open_window, tmp_path, monkeypatch):
    db = make_db()
    with Store(db) as store:  # the lead chose a model folder on their computer
        suggestion_model.choose_model(store, a_model(tmp_path / "lead-model", "2"))
    shutil.rmtree(tmp_path / "lead-model")  # this computer has no such folder
    window = open_window(db)
    assert window.model_label.text() == "Model: lead-model (not on this machine)"
    assert "model folder is not on this machine (it was chosen on another" in window.model_label.toolTip()
    told = []
    monkeypatch.setattr(window_tasks, "show_info", lambda parent, title, text, details="": told.append(("info", title, text)))
    monkeypatch.setattr(window_tasks, "show_error", lambda parent, title, text, details="": told.append(("error", title, text)))
    assert not window.run_suggestions(all_articles=True)
    [(kind, title, text)] = told
    assert (kind, title) == ("info", "The suggestion model is not on this machine")
    assert text.startswith(f"{tmp_path / 'lead-model'}: the project's model folder is not on this machine")
    assert "Tools ▸ Suggestion model…" in text
    assert window.task is None  # nothing started
