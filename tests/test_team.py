"""A shared project on a PostgreSQL server: copying projects between backends, the command line
with a server URL, and the server's errors (on a private server that the test session starts)."""

import json

import pytest

from annotator.cli import main
from annotator.core.model import GOLD_LAYER, MODEL_LAYER, Entity, SpanRef
from annotator.core.store import Store, StoreError
from annotator.project.export import export_layer
from tests.helpers import at

pytest.importorskip("psycopg")

TEXT_A = "Menteri Luar Negeri AS Antony Blinken mengatakan, “Kami prihatin.” kata Blinken di Washington."
TEXT_B = "Presiden Joko Widodo bertemu Kim Jong Un di Pyongyang pada hari Senin."


def build_project(store: Store) -> None:
    """Two articles with a bit of everything: suggestions, decisions, a quote, gold, a deletion."""
    store.add_article("a", TEXT_A, title="Blinken", meta={"kanal": "dunia"})
    store.add_article("b", TEXT_B)
    start, end = at(TEXT_B, "Kim Jong Un")
    store.replace_suggestions("b", [Entity(None, "b", MODEL_LAYER, start, end, "PERSON", source="model", score=0.75)],
                              [], model="test-model")
    store.open_layer("b", "alice")
    store.accept_all("b", "alice")
    store.set_status("b", "alice", "done")
    person = store.add_entity("a", "alice", *at(TEXT_A, "Antony Blinken"), "PERSON")
    gone = store.add_entity("a", "alice", *at(TEXT_A, "Washington"), "LOC")
    store.delete_or_reject_entity(gone.id)
    store.add_quote("a", "alice", *at(TEXT_A, "Kami prihatin."), kind="direct",
                    speaker=SpanRef(person.start, person.end, "PERSON"), cue=SpanRef(*at(TEXT_A, "kata")),
                    stance="OPPOSE")
    store.set_comment("a", "alice", "cek ‘kutipan’ ini", flagged=True)
    store.set_status("a", "alice", "done")
    store.add_entity("a", GOLD_LAYER, *at(TEXT_A, "Antony Blinken"), "PERSON", actor="rita")
    store.set_status("a", GOLD_LAYER, "done", actor="rita")


def tables(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table, in key order (what `copy` must carry over unchanged)."""
    dump = {}
    for table, columns in Store.COPIED_TABLES.items():
        names = ", ".join(f'"{c}"' for c in columns)
        dump[table] = sorted(tuple(r) for r in store.db.execute(f"SELECT {names} FROM {table}"))
    return dump


def exports(store: Store, folder) -> dict[str, str]:
    folder.mkdir()
    texts = {}
    for name, kwargs in (("alice", {"layer": "alice"}), ("gold", {"gold": True}),
                         ("model", {"layer": MODEL_LAYER, "include_pending": True})):
        export_layer(store, folder / f"{name}.jsonl", **kwargs)
        texts[name] = (folder / f"{name}.jsonl").read_text(encoding="utf-8")
    return texts


def test_copy_sqlite_to_postgres_and_back_is_lossless(tmp_path, pg_url, token_offsets):
    with Store(tmp_path / "first.db", tokenizer=token_offsets) as first:
        build_project(first)
        with Store(pg_url, tokenizer=token_offsets) as server:
            counts = server.copy_from(first)
            assert counts["articles"] == 2 and counts["edit_log"] == len(first.edit_log())
            with Store(tmp_path / "back.db", tokenizer=token_offsets) as back:
                back.copy_from(server)
                assert tables(server) == tables(first) == tables(back)
                assert exports(server, tmp_path / "s") == exports(first, tmp_path / "f") == exports(back, tmp_path / "b")
                assert back.list_articles("alice", search="prihat")[0]["id"] == "a"
            # the server goes on numbering after the copied rows, and searches with its own engine
            entity = server.add_entity("b", "bob", *at(TEXT_B, "Pyongyang"), "LOC")
            assert entity.id > max(r[0] for r in tables(first)["entities"])
            assert [r["id"] for r in server.list_articles("alice", search="pyong")] == ["b"]
            assert server.edit_log(limit=1)[0]["after"] == json.dumps(entity.__dict__, ensure_ascii=False)


def test_copy_refuses_a_database_that_holds_a_project(tmp_path, pg_url, token_offsets):
    with Store(tmp_path / "first.db", tokenizer=token_offsets) as first, Store(pg_url) as server:
        build_project(first)
        server.add_article("x", "Sudah ada artikel di sini.")
        with pytest.raises(StoreError, match="already holds a project"):
            server.copy_from(first)
        assert server.article_ids() == ["x"]


def test_command_line_with_a_server_url(tmp_path, pg_server, capsys, monkeypatch):
    from annotator.core.backends import postgres

    url = postgres.with_database(pg_server.get_uri(), "cli_project")
    assert main(["init-server", url]) == 0
    assert "created; schema 3, 0 articles" in capsys.readouterr().out
    assert main(["init-server", url]) == 0
    assert "already there" in capsys.readouterr().out
    with Store(tmp_path / "local.db", tokenizer=token_offsets_of()) as local:
        build_project(local)
        expected = tables(local)
    assert main(["copy", str(tmp_path / "local.db"), url]) == 0  # into the empty project made by init-server
    assert "2 articles, 4 layers, 4 entities, 1 quotes" in capsys.readouterr().out
    assert main(["copy", str(tmp_path / "local.db"), url]) == 2
    assert "already holds a project" in capsys.readouterr().err
    assert main(["--db", url, "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles"] == 2
    monkeypatch.setenv("ANNOTATOR_DB", url)
    assert main(["export", str(tmp_path / "gold.jsonl"), "--gold"]) == 0
    assert json.loads((tmp_path / "gold.jsonl").read_text(encoding="utf-8"))["id"] == "a"
    assert main(["copy", url, str(tmp_path / "back.db")]) == 0
    with Store(tmp_path / "back.db", read_only=True) as back:
        assert tables(back) == expected


def token_offsets_of():
    from annotator.nlp.tokenizer import token_offsets

    return token_offsets
