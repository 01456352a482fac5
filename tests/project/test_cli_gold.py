"""The command line of issue 11: export defaults and flags, agreement's default, and the format
document that `predict --help` and the README point to."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.model import MODEL_LAYER, Entity
from annotator.core.store import Store
from tests.helpers import at

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Sekjen NATO Mark Rutte mengecam Korea Utara di Brussel."
OTHER = "Menteri Retno Marsudi berbicara di Jakarta."


BACKENDS = ("sqlite", "postgres")


@pytest.fixture
def db(db_url, token_offsets):
    """alice and bob: a1 done (two suggestions left pending at Done), a2 opened by alice only."""
    path = db_url
    with Store(path, tokenizer=token_offsets) as store:
        for article_id, text, words in (("a1", TEXT, [("NATO", "ORG"), ("Mark Rutte", "PERSON"),
                                                      ("Brussel", "LOC")]),
                                        ("a2", OTHER, [("Retno Marsudi", "PERSON")])):
            store.add_article(article_id, text)
            store.replace_suggestions(article_id, [Entity(None, article_id, MODEL_LAYER, *at(text, w), label,
                                                          source="model") for w, label in words], [], model="m1")
        for name in ("alice", "bob"):
            layer = store.open_layer("a1", name)
            store.update_entity(layer.entities[0].id, status="accepted")
            store.set_status("a1", name, "done")
        store.open_layer("a2", "alice")
        store.add_entity("a2", "alice", *at(OTHER, "Jakarta"), "LOC")
    return path


def lines(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def test_export_of_a_person_defaults_to_their_decisions_on_done_articles(db, tmp_path, capsys):
    out = tmp_path / "alice.jsonl"
    assert main(["export", str(out), "--annotator", "alice", "--db", db]) == 0
    assert "1 not marked done left out (--all-articles)" in capsys.readouterr().out
    [record] = lines(out)
    assert record["id"] == "a1" and {s["status"] for s in record["spans"]} == {"accepted"} and len(record["spans"]) == 3
    assert isinstance(record["_input_hash"], int) and isinstance(record["_task_hash"], int)

    out = tmp_path / "all.jsonl"
    assert main(["export", str(out), "--annotator", "alice", "--all-articles", "--include-pending", "--db", db]) == 0
    a1, a2 = lines(out)
    assert [(s["label"], s["status"]) for s in a2["spans"]] == [("PERSON", "suggested"), ("LOC", "accepted")]
    out = tmp_path / "conll"
    assert main(["export", str(out), "--format", "conll", "--annotator", "alice", "--db", db]) == 0
    assert "Jakarta" not in out.read_text(encoding="utf-8")  # a2 is not done: the same default in every format


def test_agreement_counts_done_articles_unless_asked(db, capsys):
    assert main(["agreement", "--db", db]) == 0
    text = capsys.readouterr().out
    assert "on 1 shared article(s) marked done by both" in text
    assert re.search(r"alice – bob\s+1\s+1\.000", text)  # the suggestions left pending were accepted by Done
    assert main(["agreement", "--include-in-progress", "--db", db, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["done_only"] is False and report["articles_per_annotator"] == {"alice": 2, "bob": 1}


def test_predict_help_and_readme_point_to_the_format_document(capsys):
    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    assert "docs/FORMAT.md" in " ".join(capsys.readouterr().out.split())
    document = (ROOT / "docs" / "FORMAT.md").read_text(encoding="utf-8")
    for key in ("_input_hash", "_task_hash", "answer", "done_with_pending", "--include-pending", "free span"):
        assert key in document
    assert "(docs/FORMAT.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
