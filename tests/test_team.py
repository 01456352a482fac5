"""A shared project on a PostgreSQL server: copying projects between backends, the command line
with a server URL, and the server's errors (on a private server that the test session starts)."""

import json

import pytest

from annotator.cli import main
from annotator.core.model import GOLD_LAYER, MODEL_LAYER, Entity, SpanRef
from annotator.core.store import SCHEMA_VERSION, Store, StoreError
from annotator.project.export import export_layer
from tests.helpers import at

psycopg = pytest.importorskip("psycopg")

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
                assert {type(row[9]) for row in tables(server)["articles"]} == {bytes}  # packed tokens, bytea
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
    assert f"created; schema {SCHEMA_VERSION}, 0 articles" in capsys.readouterr().out
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


# ---- roles that the server enforces ---------------------------------------------------------
@pytest.fixture
def team(pg_url, token_offsets):
    """A server project made by its lead (the server's superuser) with alice and bob (annotators),
    rita (reviewer) and lena (lead); alice, bob and the gold have an entity on article a."""
    from annotator.core.backends import postgres

    with Store(pg_url, tokenizer=token_offsets) as lead:
        lead.add_article("a", TEXT_A, title="Blinken")
        for name, role in (("alice", "annotator"), ("bob", "annotator"), ("rita", "reviewer"), ("lena", "lead")):
            lead.add_user(name, role)
        ids = {layer: lead.add_entity("a", layer, *at(TEXT_A, "Antony Blinken"), "PERSON", actor=layer).id
               for layer in ("alice", "bob", GOLD_LAYER)}
    return {name: postgres.with_user(pg_url, name) for name in ("alice", "bob", "rita", "lena")}, ids


def entity_labels(url):
    with Store(url, read_only=True) as store:
        return {layer: [e.label for e in store.get_layer("a", layer).entities] for layer in ("alice", "bob", GOLD_LAYER)}


def test_an_annotator_writes_only_their_own_layer(team, token_offsets):
    from annotator.core.backends.postgres import PermissionDeniedError

    urls, ids = team
    before = entity_labels(urls["alice"])
    with Store(urls["alice"], tokenizer=token_offsets) as alice:
        alice.update_entity(ids["alice"], label="ORG")  # their own layer: stored
        for layer in ("bob", GOLD_LAYER):
            with pytest.raises(PermissionDeniedError, match="permission denied.*row-level security"):
                alice.add_entity("a", layer, *at(TEXT_A, "Washington"), "LOC")
            with pytest.raises(PermissionDeniedError, match="permission denied"):
                alice.update_entity(ids[layer], label="ORG")
            with pytest.raises(PermissionDeniedError, match="permission denied"):
                alice.set_status("a", layer, "done")
        with pytest.raises(PermissionDeniedError, match="permission denied for table articles"):
            alice.add_article("x", "Artikel yang tidak boleh diimpor oleh annotator.")
        with pytest.raises(PermissionDeniedError, match="permission denied for table meta"):
            alice.set_config(alice.config)
    assert entity_labels(urls["alice"]) == {**before, "alice": ["ORG"]}


def test_an_annotator_connecting_directly_cannot_touch_others_or_the_history(team):
    import psycopg

    urls, ids = team
    with psycopg.connect(urls["alice"], autocommit=True) as conn:
        # other layers' rows are invisible to an annotator's UPDATE and DELETE: nothing changes
        assert conn.execute("UPDATE entities SET label = 'ORG' WHERE annotator != 'alice'").rowcount == 0
        assert conn.execute("DELETE FROM entities WHERE annotator != 'alice'").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("UPDATE entities SET annotator = 'bob' WHERE annotator = 'alice'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO edit_log(ts, actor, article_id, layer, action) "
                         "VALUES ('t', 'bob', 'a', 'bob', 'add')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            conn.execute("DELETE FROM edit_log")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            conn.execute("UPDATE articles SET title = 'x'")
    assert entity_labels(urls["lena"]) == {"alice": ["PERSON"], "bob": ["PERSON"], GOLD_LAYER: ["PERSON"]}


def test_a_reviewer_writes_the_gold_and_a_lead_everything(team, token_offsets):
    from annotator.core.backends.postgres import PermissionDeniedError

    urls, ids = team
    with Store(urls["rita"], tokenizer=token_offsets) as rita:
        rita.update_entity(ids[GOLD_LAYER], label="ORG", actor="rita")
        rita.set_status("a", GOLD_LAYER, "done", actor="rita")
        with pytest.raises(PermissionDeniedError):
            rita.update_entity(ids["bob"], label="ORG", actor="rita")
        with pytest.raises(PermissionDeniedError):
            rita.add_user("mallory", "lead")
    with Store(urls["lena"], tokenizer=token_offsets) as lena:
        lena.add_article("b", TEXT_B)
        lena.update_entity(ids["bob"], label="LOC", actor="lena")
        lena.set_config(lena.config)
        assert lena.add_user("tom", "annotator")
    assert entity_labels(urls["lena"]) == {"alice": ["PERSON"], "bob": ["LOC"], GOLD_LAYER: ["ORG"]}


def test_user_add_on_the_command_line(pg_url, capsys):
    from annotator.core.backends import postgres

    Store(pg_url).close()
    assert main(["user", "add", "dina", "--role", "annotator", "--db", pg_url]) == 0
    assert "dina created as annotator" in capsys.readouterr().out
    assert main(["user", "add", "dina", "--role", "reviewer", "--db", pg_url]) == 0
    assert "dina is now reviewer" in capsys.readouterr().out
    with Store(postgres.with_user(pg_url, "dina")) as dina:
        assert dina.article_count() == 0
    assert main(["user", "add", "eve", "--role", "annotator", "--db", postgres.with_user(pg_url, "dina")]) == 2
    assert "permission denied" in capsys.readouterr().err


# ---- the server's errors, each naming the server and never the password ---------------------
def test_an_unreachable_server_is_named_without_its_password(tmp_path):
    url = f"postgresql://alice:s3cret@/project?host={tmp_path}"  # no server listens in this folder
    with pytest.raises(StoreError) as refused:
        Store(url, timeout=1)
    message = str(refused.value)
    assert message.startswith(f"postgresql://alice@/project?host={tmp_path}: the server cannot be reached")
    assert "s3cret" not in message
    with pytest.raises(StoreError) as refused:  # psycopg quotes a malformed URL's parts in its message
        Store(f"postgresql://alice:bad s3cret@/project?host={tmp_path}")
    assert "s3cret" not in str(refused.value) and str(refused.value).startswith("postgresql://alice@/project")


def test_a_wrong_password_is_an_authentication_failure(pg_url):  # the test server asks pat for a password
    from annotator.core.backends import postgres

    with Store(pg_url) as lead:
        lead.add_user("pat", "annotator", password="right one")
    with pytest.raises(StoreError) as refused:
        Store(postgres.with_user(pg_url, "pat", "wrong one"))
    message = str(refused.value)
    assert "authentication failed for user 'pat'" in message and "wrong one" not in message
    assert message.startswith(postgres.with_user(pg_url, "pat") + ":")
    with Store(postgres.with_user(pg_url, "pat", "right one"), read_only=True) as pat:
        assert pat.article_count() == 0


def test_a_missing_database_and_a_missing_user_say_what_to_do(pg_url):
    from annotator.core.backends import postgres

    with pytest.raises(StoreError, match="no such database; create it with `annotator init-server"):
        Store(postgres.with_database(pg_url, "nowhere"))
    with pytest.raises(StoreError, match="no such user; a lead adds it with `annotator user add"):
        Store(postgres.with_user(pg_url, "nobody"))


def test_a_user_without_a_role_in_the_project_is_told_permission_denied(pg_url):
    from annotator.core.backends import postgres
    from annotator.core.backends.postgres import PermissionDeniedError

    Store(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE ROLE stranger LOGIN")
    with pytest.raises(PermissionDeniedError, match=r"^postgresql://stranger@.*: permission denied .*table meta"):
        Store(postgres.with_user(pg_url, "stranger"))


# ---- live team view ---------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_other_sessions_see_a_commit_through_outside_version(db_url, token_offsets):
    with Store(db_url, tokenizer=token_offsets) as mine, Store(db_url, tokenizer=token_offsets) as theirs:
        mine.add_article("a", TEXT_A)
        seen = theirs.outside_version()
        assert theirs.outside_version() == seen  # nothing new
        own = mine.outside_version()
        mine.add_entity("a", "alice", *at(TEXT_A, "Antony Blinken"), "PERSON")
        assert mine.outside_version() == own  # its own commits are no news to a session
        assert theirs.outside_version() != seen
        seen = theirs.outside_version()
        with pytest.raises(StoreError):
            with mine.transaction():
                mine.set_status("a", "alice", "done")
                raise StoreError("changed my mind")  # rolled back: nothing to announce
        assert theirs.outside_version() == seen


def test_a_server_session_hears_which_articles_and_layers_changed(pg_url, token_offsets):
    from annotator.core.backends import postgres

    with Store(pg_url, tokenizer=token_offsets) as mine, Store(pg_url, tokenizer=token_offsets) as theirs:
        mine.add_article("a", TEXT_A)
        mine.add_article("b", TEXT_B)
        postgres.changes_heard(theirs.db)
        mine.set_status("b", "alice", "done")
        assert postgres.changes_heard(theirs.db) == [{"articles": ["b"], "layers": [["b", "alice"]],
                                                      "statuses": [["b", "alice", "done"]]}]


def test_merging_an_annotators_file_into_a_server_project(tmp_path, pg_url, token_offsets):
    """`annotator merge` brings a laptop's work into the server project as into a file."""
    with Store(tmp_path / "office.db", tokenizer=token_offsets) as office:
        build_project(office)
    assert main(["copy", str(tmp_path / "office.db"), str(tmp_path / "laptop.db")]) == 0
    with Store(tmp_path / "laptop.db", tokenizer=token_offsets) as laptop:
        laptop.add_entity("b", "bob", *at(TEXT_B, "Pyongyang"), "LOC")
        laptop.set_status("b", "bob", "done")
        laptop.add_article("c", "Artikel baru dari laptop tentang ASEAN.")
    assert main(["copy", str(tmp_path / "office.db"), pg_url]) == 0
    for target in (str(tmp_path / "office.db"), pg_url):
        assert main(["--db", target, "merge", str(tmp_path / "laptop.db")]) == 0
    with Store(tmp_path / "office.db") as office, Store(pg_url) as server:
        assert server.article_ids() == office.article_ids() == ["a", "b", "c"]
        assert exports(server, tmp_path / "s") == exports(office, tmp_path / "o")
        assert [e.label for e in server.get_layer("b", "bob").entities] == ["LOC"]


# ---- writers of different layers do not wait for each other on a server ---------------------------
def test_writers_of_other_layers_go_on_while_one_layer_is_being_written(pg_url, token_offsets):
    from annotator.core.store import LockedError

    with Store(pg_url, tokenizer=token_offsets) as alice, \
            Store(pg_url, tokenizer=token_offsets, timeout=1) as other:
        alice.add_article("a", TEXT_A)
        entity = alice.add_entity("a", "alice", *at(TEXT_A, "Antony Blinken"), "PERSON")
        with alice._layer_transaction("a", "alice"):  # alice's edit in progress, its lock held
            alice.update_entity(entity.id, label="ORG")
            bob = other.add_entity("a", "bob", *at(TEXT_A, "Washington"), "LOC")  # another layer: no wait
            other.set_status("a", "bob", "done")
            with pytest.raises(LockedError):  # the same layer waits (here: gives up after 1 s)
                other.add_entity("a", "alice", *at(TEXT_A, "Washington"), "LOC")
            with pytest.raises(LockedError):  # a change of the whole project waits for every writer
                other.add_article("b", TEXT_B)
        assert other.get_entity(entity.id).label == "ORG" and other.get_entity(bob.id).annotator == "bob"
        other.add_entity("a", "alice", *at(TEXT_A, "Washington"), "LOC")  # once alice's edit is stored
        assert other.add_article("b", TEXT_B) == ("b", True)


def test_user_add_password_from_standard_input_or_a_clear_refusal(pg_url, capsys, monkeypatch):
    """--password without a terminal reads the first line of standard input (scripts); an empty one
    is refused with a message, not a traceback, and nothing is created."""
    import io

    from annotator.core.backends import postgres

    Store(pg_url).close()
    monkeypatch.setattr("sys.stdin", io.StringIO("geheim\n"))
    assert main(["user", "add", "ina", "--role", "annotator", "--password", "--db", pg_url]) == 0
    with Store(postgres.with_user(pg_url, "ina", "geheim"), read_only=True) as ina:
        assert ina.article_count() == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["user", "add", "ole", "--role", "annotator", "--password", "--db", pg_url]) == 2
    assert "--password needs a password" in capsys.readouterr().err
    with pytest.raises(StoreError, match="no such user"):
        Store(postgres.with_user(pg_url, "ole", "x"))
