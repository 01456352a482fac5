"""The suggestion model of a project on a server: its folder is stored as an absolute path (a
server has no folder to be relative to), and a computer that lacks the folder is told "not on this
machine" instead of failing. The test session's own PostgreSQL server; the bundled model's files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from annotator.project.suggestion_model import (
    META_KEY, SuggestionModelError, choose_model, project_model, suggest_with_project_model,
)
from tests.project.test_suggestion_model import a_model

BACKENDS = ("postgres",)


def test_a_server_project_stores_its_model_folder_as_an_absolute_path(store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store.add_article("a1", "Presiden Joko Widodo tiba di Bandung pada Senin.")
    url_as_folder = os.path.dirname(os.path.abspath(store.path))  # where the URL reads as a path from here
    folder = a_model(Path(url_as_folder) / "chosen", "3")
    chosen = choose_model(store, folder)
    assert store.get_meta(META_KEY) == folder == chosen.path  # absolute: not relative to the URL
    assert project_model(store, store.path) == chosen and chosen.kind == "spacy" and chosen.usable
    anchor = str(tmp_path / "elsewhere" / "project")  # what the window reads a server project's models against
    assert project_model(store, anchor) == chosen


def test_a_model_folder_not_on_this_machine_is_said_so_not_an_error(store, tmp_path):
    store.add_article("a1", "Presiden Joko Widodo tiba di Bandung pada Senin.")
    choose_model(store, a_model(tmp_path / "theirs", "1"))
    shutil.rmtree(tmp_path / "theirs")  # as on the computer of another annotator of the project
    model = project_model(store, store.path)
    assert model.kind == "elsewhere" and not model.usable
    assert model.label() == "theirs (not on this machine)"
    assert model.problem.startswith(f"{tmp_path / 'theirs'}: the project's model folder is not on this machine")
    with pytest.raises(SuggestionModelError, match="not on this machine"):
        suggest_with_project_model(store)
    assert store.get_meta(META_KEY) == str(tmp_path / "theirs")  # the project's choice stays for the others
