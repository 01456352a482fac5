"""Project statistics: one implementation behind `annotator stats` and the dashboard."""

from __future__ import annotations

import json

from annotator.cli import main
from annotator.core.model import GOLD_LAYER
from annotator.project.statistics import database_figures, layer_progress


def test_cli_stats_and_the_dashboard_count_the_same_done_articles(store, tmp_path, capsys):
    for n in (1, 2, 3):
        store.add_article(f"a{n}", f"Joko Widodo tiba di Bandung {n}.")
    store.add_entity("a1", "alice", 0, 11, "PERSON")
    store.set_status("a1", "alice", "done")
    store.set_status("a2", "alice", "in_progress")
    store.add_entity("a1", GOLD_LAYER, 0, 11, "PERSON")
    store.set_status("a1", GOLD_LAYER, "done")

    assert layer_progress(store) == {"alice": {"done": 1, "in_progress": 1, "total": 3},
                                     GOLD_LAYER: {"done": 1, "in_progress": 0, "total": 3}}
    figures = database_figures(store)
    assert figures["layers"]["alice"] == {"done": 1, "in_progress": 1}
    assert figures["entities"]["alice"] == {"PERSON": {"accepted": 1}}
    assert main(["stats", "--db", str(store.path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["layers"] == figures["layers"] and printed["articles"] == 3


def test_the_gold_is_left_out_of_the_progress_until_it_has_a_layer(store):
    store.add_article("a1", "Joko Widodo tiba di Bandung.")
    store.set_status("a1", "alice", "in_progress")
    assert layer_progress(store) == {"alice": {"done": 0, "in_progress": 1, "total": 1}}
