"""A Store on a PostgreSQL server whose connection is dropped: each read and write says the server
cannot be reached (naming it, without the password) until it answers again, then the Store goes on
by itself; what other sessions did meanwhile is announced as "anything may have changed"."""

import pytest

from annotator.core.store import ServerUnreachableError, Store

psycopg = pytest.importorskip("psycopg")
from annotator.core.backends import postgres  # noqa: E402

TEXT = "Presiden Joko Widodo bertemu Kim Jong Un di Pyongyang pada hari Senin."


def test_a_dropped_connection_is_an_unreachable_server_until_it_answers_again(pg_url, pg_server):
    database = postgres.database_name(pg_url)
    with Store(pg_url) as lead:
        lead.add_article("a", TEXT)
        lead.add_user("ani", "annotator", password="k4ta sandi")
    url = postgres.with_user(pg_url, "ani", "k4ta sandi")
    with Store(url) as store, psycopg.connect(pg_server.get_uri(), autocommit=True) as admin:
        assert store.user_role() == ("ani", "annotator")
        admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [database])
        try:
            for attempt in (lambda: store.get_article("a"), lambda: store.add_entity("a", "ani", 9, 20, "PERSON")):
                with pytest.raises(ServerUnreachableError) as refused:
                    attempt()
                message = str(refused.value)
                assert message.startswith(postgres.redact(url) + ": the server cannot be reached")
                assert "k4ta" not in message
        finally:
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        assert store.poll_changes().everything  # what others did while it was away went unheard
        entity = store.add_entity("a", "ani", 9, 20, "PERSON")
        assert store.get_layer("a", "ani").entities == (entity,)
    with Store(pg_url, read_only=True) as lead:
        assert [e.id for e in lead.get_layer("a", "ani").entities] == [entity.id]  # stored once
