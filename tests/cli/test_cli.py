"""The command line, each command that opens a database run on a file and on a PostgreSQL server
(--db URL or ANNOTATOR_DB)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli import CliError, check_display, main
from annotator.core.store import Store
from tests.conftest import SAMPLE
from tests.helpers import at

BACKENDS = ("sqlite", "postgres")


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("Presiden Joko Widodo tiba di Jakarta pada Rabu.", encoding="utf-8")
    (folder / "b.txt").write_text("“Kami prihatin,” kata Wood kepada Dewan Keamanan.", encoding="utf-8")
    return folder


def test_import_then_stats(db_url, corpus, capsys, monkeypatch):
    db = db_url
    assert main(["import", str(corpus), "--db", db]) == 0
    assert "imported 2 articles" in capsys.readouterr().out
    monkeypatch.setenv("ANNOTATOR_DB", db)
    assert main(["import", str(corpus)]) == 0
    assert "2 duplicates skipped" in capsys.readouterr().out
    assert main(["stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles"] == 2
    assert main(["stats"]) == 0
    assert "articles  2" in capsys.readouterr().out


def test_import_reports_file_and_line_of_bad_records(db_url, tmp_path, capsys):
    db = db_url
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "Halo dunia."}\n{oops\n', encoding="utf-8")
    assert main(["import", str(bad), "--db", db]) == 0
    captured = capsys.readouterr()
    assert f"{bad}:2: error: bad JSON" in captured.err
    assert "imported 1 articles" in captured.out and "1 errors" in captured.out


@pytest.mark.sqlite_only
def test_errors_are_messages_not_tracebacks(tmp_path, capsys):
    assert main(["stats", "--db", str(tmp_path / "missing.db")]) == 2
    assert "no such database" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "nothing-here"), "--db", str(tmp_path / "x.db")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    not_db = tmp_path / "text.db"
    not_db.write_text("not a database")
    assert main(["stats", "--db", str(not_db)]) == 2
    assert "not an SQLite database" in capsys.readouterr().err


def test_check_display_explains_what_is_missing():
    with pytest.raises(CliError, match="(?s)no display.*xvfb-run"):
        check_display(environ={}, find_library=lambda name: "lib")
    with pytest.raises(CliError, match="apt-get install libxcb-cursor0"):
        check_display(environ={"DISPLAY": ":0"}, find_library=lambda name: None if name == "xcb-cursor" else "lib")
    check_display(environ={"DISPLAY": ":0"}, find_library=lambda name: "lib")
    check_display(environ={"QT_QPA_PLATFORM": "offscreen"}, find_library=lambda name: None)


def test_module_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "annotator", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("annotator ")


def test_server_errors_are_messages_not_tracebacks(pg_url, capsys):
    from annotator.core.backends import postgres

    missing = postgres.with_database(pg_url, "no_such_project")
    assert main(["stats", "--db", missing]) == 2
    assert (f"{postgres.redact(missing)}: the server has no such database; create it with `annotator init-server"
            in capsys.readouterr().err)
    assert main(["stats", "--db", postgres.with_user(pg_url, "nobody_here")]) == 2
    assert "the server has no such user" in capsys.readouterr().err


def test_export_gold_jsonl_and_overwrite_protection(db_url, tmp_path, capsys):
    db = db_url
    assert main(["import", str(SAMPLE / "gold.jsonl"), "--db", db]) == 0
    out = tmp_path / "gold-out.jsonl"
    assert main(["export", str(out), "--gold", "--db", db]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5 and all(json.loads(line)["_annotator_id"] == "@gold" for line in lines)
    capsys.readouterr()
    assert main(["export", str(out), "--gold", "--db", db]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["export", str(out), "--gold", "--db", db, "--force"]) == 0
    assert main(["export", str(tmp_path / "q.csv"), "--format", "csv", "--gold", "--db", db]) == 0
    assert (tmp_path / "q.csv").read_text(encoding="utf-8").count("\n") >= 58  # header + 57 quotes


def test_train_from_gold_then_suggest_with_the_trained_model(db_url, tmp_path, capsys, monkeypatch):
    """The loop closes: gold → `annotator train` → `annotator suggest --model` records that model."""
    db = db_url
    assert main(["import", str(SAMPLE / "gold.jsonl"), "--db", db]) == 0
    out = tmp_path / "model"
    monkeypatch.setenv("ANNOTATOR_DB", db)
    assert main(["train", str(out), "--epochs", "1"]) == 0
    info = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert "model written to" in capsys.readouterr().out
    assert main(["suggest", "--model", str(out), "--articles", "002_45853475f2c5fccd", "--workers", "1"]) == 0
    with Store(db) as store:
        models = {r[0] for r in store.db.execute("SELECT DISTINCT model FROM entities WHERE annotator = '@model'")}
        assert models and all(info["name"] in m for m in models)
        assert store.db.execute("SELECT count(*) FROM quotes WHERE annotator = '@model'").fetchone()[0] > 0


def test_evaluate_layers_of_a_database(db_url, tmp_path, capsys):
    """Gold in the database against an annotator's layer, and a clear error for a missing layer."""
    gold_file = SAMPLE / "gold.jsonl"
    records = [json.loads(line) for line in gold_file.read_text(encoding="utf-8").splitlines()][:2]
    db = db_url
    gold_path = tmp_path / "gold.jsonl"
    gold_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    # an annotator who found every entity but the first of each article, and no quote speakers
    for r in records:
        r["_annotator_id"] = "ana"
        r["spans"] = r["spans"][1:]
        for q in r["quotes"]:
            q["speaker"] = None
    ana_path = tmp_path / "ana.jsonl"
    ana_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    assert main(["import", str(ana_path), "--db", db]) == 0
    # the gold after ana's work (imported later, ana's differing versions would reopen the done gold)
    assert main(["import", str(gold_path), "--db", db]) == 0
    capsys.readouterr()

    assert main(["evaluate", "--db", db, "--pred-layer", "@gold", "--json"]) == 0
    same = json.loads(capsys.readouterr().out)
    assert same["entities"]["exact"]["all"]["f1"] == 1.0 and same["speaker"]["exact_span"] == 1.0

    assert main(["evaluate", "--db", db, "--pred-layer", "ana", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["entities"]["exact"]["all"]["precision"] == 1.0
    assert result["entities"]["exact"]["all"]["recall"] < 1.0
    assert result["quotes"]["exact"]["f1"] == 1.0
    assert result["speaker"]["exact_span"] < 0.5

    assert main(["evaluate", "--db", db, "--pred-layer", "nobody"]) == 2
    assert "none of the 2 gold articles has the layer 'nobody'" in capsys.readouterr().err
    assert main(["evaluate", "--db", db, "--pred", str(ana_path)]) == 2


def test_agreement_config_and_merge(db_url, tmp_path, capsys, monkeypatch, token_offsets):
    """Two annotators' files merged into the project (file or server); agreement and config on it."""
    text = "Presiden Joko Widodo bertemu Kim Jong Un di Pyongyang pada hari Senin."
    for name, label in (("alice", "PERSON"), ("bob", "ORG")):
        with Store(tmp_path / f"{name}.db", tokenizer=token_offsets) as laptop:
            laptop.add_article("a", text)
            laptop.add_entity("a", name, *at(text, "Joko Widodo"), "PERSON")
            laptop.add_entity("a", name, *at(text, "Kim Jong Un"), label)
            laptop.set_status("a", name, "done")
    monkeypatch.setenv("ANNOTATOR_DB", db_url)
    assert main(["merge", str(tmp_path / "alice.db"), str(tmp_path / "bob.db")]) == 0
    assert "1 layers added" in capsys.readouterr().out
    assert main(["agreement", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["shared_articles"] == 1 and report["annotators"] == ["alice", "bob"]
    assert report["pairs"][0]["entities"]["exact"]["f1"] == 0.5  # Kim Jong Un: PERSON for alice, ORG for bob
    assert main(["config"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert "PERSON" in [label["name"] for label in shown["labels"]]
    config = tmp_path / "config.toml"
    config.write_text((Path(__file__).resolve().parents[2] / "annotator" / "resources" / "config.toml")
                      .read_text(encoding="utf-8").replace("Pengerahan pasukan Korea Utara ke Rusia", "Target baru"),
                      encoding="utf-8")
    assert main(["--db", db_url, "config", "--set", str(config)]) == 0
    assert "configuration replaced" in capsys.readouterr().out
    with Store(db_url) as store:
        assert store.config.target == "Target baru"


def test_backup_is_for_files_a_server_project_is_copied(db_url, backend, tmp_path, capsys):
    assert main(["import", str(SAMPLE / "gold.jsonl"), "--db", db_url]) == 0
    capsys.readouterr()
    if backend == "sqlite":
        assert main(["backup", str(tmp_path / "backup.db"), "--db", db_url]) == 0
        assert "one file; open it as a database" in capsys.readouterr().out
        with Store(tmp_path / "backup.db", read_only=True) as backup:
            assert backup.article_count() == 5
        return
    assert main(["backup", str(tmp_path / "backup.db"), "--db", db_url]) == 2
    assert "is backed up with `annotator copy URL FILE.db`" in capsys.readouterr().err
    assert main(["copy", db_url, str(tmp_path / "copy.db")]) == 0
    with Store(tmp_path / "copy.db", read_only=True) as copy:
        assert copy.article_count() == 5


def test_export_spacy_shard_size_makes_a_folder_of_shards(tmp_path, capsys):
    from spacy.training import Corpus
    import spacy

    db = str(tmp_path / "p.db")
    assert main(["import", str(SAMPLE / "gold.jsonl"), "--db", db]) == 0
    out = tmp_path / "gold.spacy"
    assert main(["export", str(out), "--gold", "--format", "spacy", "--shard-size", "2", "--db", db]) == 0
    assert "(3 DocBin shards of at most 2 articles)" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["00000.spacy", "00001.spacy", "00002.spacy"]
    assert len(list(Corpus(out)(spacy.blank("id")))) == 5
    assert main(["export", str(tmp_path / "g.jsonl"), "--gold", "--shard-size", "2", "--db", db]) == 2
    assert "only used for the spacy format" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "g2.spacy"), "--gold", "--format", "spacy", "--shard-size", "0",
                 "--db", db]) == 2
    assert "at least 1 article" in capsys.readouterr().err
