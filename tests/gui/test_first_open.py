"""The first opening of a long article (issue 11.5): seeding the annotator's layer with the model's
suggestions is linear in the suggestions (it compared every suggestion with every copied one, 25 s
on a 100,000-word article); tests/core cover which suggestions it copies. Figures: benchmarks/bench_gui.py ("first open")."""

import annotator.core.store as store_module
from annotator.core.model import MODEL_LAYER, Entity
from annotator.core.store import Store

N = 1500  # suggestions


def long_article(path: str) -> tuple[str, list[tuple[int, int]]]:
    text = " ".join(f"kata{i}" for i in range(2 * N)) + "."
    with Store(path) as store:
        store.add_article("long", text, title="long")
        tokens = store.tokens("long")
        suggestions = [Entity(None, "long", MODEL_LAYER, tokens[2 * k][0], tokens[2 * k][1], "PERSON",
                              source="model", status="suggested", score=0.5) for k in range(N)]
        store.replace_suggestions("long", suggestions, [], model="test")
    return text, tokens


def test_first_open_seeds_the_layer_in_linear_time(make_db, open_window, tmp_path, monkeypatch):
    db = make_db(name="long.db")
    text, tokens = long_article(db)
    calls = []
    real = store_module.overlaps

    def counted(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(store_module, "overlaps", counted)
    window = open_window(db, article_id="long")
    assert window.article_id == "long"
    assert len(calls) <= 2 * N  # one comparison per suggestion; it was N²/2 (over a million here)
    entities = window.controller.state.entities.values()
    seeded = sorted((e.start, e.end, e.label) for e in entities if e.source == "model")
    expected = [(tokens[2 * k][0], tokens[2 * k][1], "PERSON") for k in range(N)]
    assert seeded == expected
    assert len(window.controller.state.shown_entities) == N
