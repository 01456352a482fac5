import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_corpus"


@pytest.fixture
def token_offsets():
    from annotator.nlp.tokenizer import token_offsets

    return token_offsets


@pytest.fixture
def store(db_url, token_offsets):
    from annotator.core.store import Store

    s = Store(db_url, tokenizer=token_offsets)
    yield s
    s.close()


# ---- backends: SQLite files and a PostgreSQL server -------------------------------------------
# A test module that sets BACKENDS = ("sqlite", "postgres") runs its tests that use `store` or
# `db_url` once per backend; a test marked @pytest.mark.sqlite_only runs on SQLite alone.

def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: the test checks SQLite itself (PRAGMAs, files)")


def pytest_generate_tests(metafunc):
    backends = getattr(metafunc.module, "BACKENDS", None)
    if backends and "backend" in metafunc.fixturenames:
        if metafunc.definition.get_closest_marker("sqlite_only"):
            backends = ("sqlite",)
        metafunc.parametrize("backend", backends)


@pytest.fixture
def backend():
    return "sqlite"


@pytest.fixture(scope="session")
def pg_server():
    """A private PostgreSQL 16 server for the test session (pip package pgserver)."""
    pgserver = pytest.importorskip("pgserver")
    import shutil
    import tempfile

    import psycopg

    # not under pytest's temporary folder: as root, pgserver runs the server as its own system user and
    # opens the folders above the data to it, and each new pytest session closes pytest-of-USER again
    folder = Path(tempfile.mkdtemp(prefix="annotator-test-pg-"))
    server = pgserver.get_server(folder, cleanup_mode="stop")
    # every login trusted, except PASSWORD_USER: the tests of a failed authentication log in as them
    hba = Path(server.pgdata) / "pg_hba.conf"
    hba.write_text(f"local all {PASSWORD_USER} scram-sha-256\n" + hba.read_text())
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")
    _wait_for_password_check(server.get_uri())
    yield server
    server.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


PASSWORD_USER = "pat"


def _wait_for_password_check(uri: str) -> None:
    """Wait (up to 30 s) until the server has reloaded pg_hba.conf and asks PASSWORD_USER for a password."""
    import time

    import psycopg
    from annotator.core.backends import postgres

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            psycopg.connect(postgres.with_user(uri, PASSWORD_USER)).close()
        except psycopg.OperationalError as exc:
            if "password" in str(exc):
                return
        time.sleep(0.02)
    raise RuntimeError(f"{uri}: the test server did not take its new pg_hba.conf")


@pytest.fixture
def pg_url(pg_server, request):
    """The URL of a new, empty database on the test server."""
    from annotator.core.backends import postgres

    pg_url.count += 1
    url = postgres.with_database(pg_server.get_uri(), f"test_{pg_url.count}")
    postgres.create_database(url)
    return url


pg_url.count = 0


@pytest.fixture
def db_url(backend, tmp_path, request):
    """Where the test's database lives: a file, or a fresh database on the PostgreSQL server."""
    if backend == "postgres":
        return request.getfixturevalue("pg_url")
    return str(tmp_path / "test.db")
