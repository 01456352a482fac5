"""Store.checkpoint and Store.backup (issue 11.6), and which suggestions seed a new layer."""

import os
import shutil
import sqlite3

import pytest

from annotator.core.model import MODEL_LAYER, Entity
from annotator.core.store import Store, StoreError
from tests.helpers import at

TEXT = "Menteri Luar Negeri AS Antony Blinken berbicara di Washington pada Kamis bersama Yoon Suk Yeol."


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "project.db")
    with Store(path) as store:
        store.add_article("a1", TEXT, title="Blinken")
    return path


def entities_in_file_alone(path, tmp_path) -> list:
    copy = str(tmp_path / "copy" / "project.db")
    os.makedirs(os.path.dirname(copy), exist_ok=True)
    shutil.copyfile(path, copy)
    conn = sqlite3.connect(copy)
    try:
        return conn.execute("SELECT label FROM entities").fetchall()
    finally:
        conn.close()


def test_checkpoint_moves_the_wal_into_the_db_file_while_open(db, tmp_path):
    store, reader = Store(db), Store(db)
    try:
        store.add_entity("a1", "alice", *at(TEXT, "Antony Blinken"), "PERSON")
        assert entities_in_file_alone(db, tmp_path) == []  # the edit is in the -wal only
        assert store.checkpoint() is True
        assert entities_in_file_alone(db, tmp_path) == [("PERSON",)]
        assert os.path.getsize(db + "-wal") == 0  # emptied: nobody needed it
    finally:
        store.close()
        reader.close()


def test_checkpoint_never_waits_for_a_reader(db):
    store, reader = Store(db), Store(db)
    try:
        reader.db.conn.execute("BEGIN")
        reader.db.conn.execute("SELECT count(*) FROM articles").fetchone()  # holds a read snapshot
        store.add_entity("a1", "alice", *at(TEXT, "Antony Blinken"), "PERSON")
        assert store.checkpoint() is False  # the reader still needs the -wal: not all copied, no waiting
        reader.db.conn.execute("COMMIT")
        assert store.checkpoint() is True
    finally:
        store.close()
        reader.close()


def test_backup_is_one_complete_file_and_replaces_only_with_force(db, tmp_path):
    dest = str(tmp_path / "out" / "backup.db")
    os.makedirs(os.path.dirname(dest))
    with Store(db) as store:
        store.add_entity("a1", "alice", *at(TEXT, "Antony Blinken"), "PERSON")
        seen = []
        assert store.backup(dest, progress=lambda done, total: seen.append((done, total))) == dest
        assert seen and seen[-1][0] == seen[-1][1]
        assert os.listdir(os.path.dirname(dest)) == ["backup.db"]
        conn = sqlite3.connect(dest)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # needs no -wal beside it
        conn.close()
        with Store(dest) as copy:
            assert copy.get_layer("a1", "alice") == store.get_layer("a1", "alice")
        with pytest.raises(StoreError, match="already exists"):
            store.backup(dest)
        with pytest.raises(StoreError, match="is the database itself"):
            store.backup(db, force=True)
        with pytest.raises(StoreError, match="is a folder"):
            store.backup(tmp_path)
        store.add_entity("a1", "alice", *at(TEXT, "Washington"), "LOC")
        store.backup(dest, force=True)
        with Store(dest) as copy:
            assert len(copy.get_layer("a1", "alice").entities) == 2


def test_a_stopped_backup_leaves_the_old_file_and_no_temporary(db, tmp_path):
    dest = str(tmp_path / "backup.db")
    with Store(db) as store:
        store.backup(dest)
        before = open(dest, "rb").read()
        for n in range(200):  # enough pages for several steps
            store.add_article(f"x{n}", f"Berita nomor {n} " * 40)

        def stop(done, total):
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            store.backup(dest, force=True, progress=stop)
    assert open(dest, "rb").read() == before
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".part")]


def test_a_new_layer_gets_every_suggestion_that_fits_beside_the_kept_ones(db):
    with Store(db) as store:
        model = [Entity(None, "a1", MODEL_LAYER, *at(TEXT, word), label, source="model", status="suggested")
                 for word, label in (("Antony Blinken", "PERSON"), ("Washington", "LOC"), ("Yoon Suk Yeol", "PERSON"))]
        store.replace_suggestions("a1", model, [], model="m")
        store.open_layer("a1", "bob")
        assert sorted(TEXT[e.start:e.end] for e in store.get_layer("a1", "bob").entities) == [
            "Antony Blinken", "Washington", "Yoon Suk Yeol"]
        # alice rejected Washington and marked "Blinken" herself before a new run seeds her layer
        store.open_layer("a1", "alice")
        layer = {TEXT[e.start:e.end]: e for e in store.get_layer("a1", "alice").entities}
        store.delete_or_reject_entity(layer["Washington"].id)  # a rejection: kept as rejected
        store.delete_or_reject_entity(layer["Antony Blinken"].id)
        store.add_entity("a1", "alice", *at(TEXT, "Blinken"), "PERSON")
        store.replace_suggestions("a1", model, [], model="m2")
        shown = sorted((TEXT[e.start:e.end], e.status) for e in store.get_layer("a1", "alice").entities)
        assert ("Washington", "suggested") not in shown  # her rejection holds
        assert ("Antony Blinken", "suggested") not in shown  # it overlaps her own "Blinken"
        assert ("Blinken", "accepted") in shown and ("Yoon Suk Yeol", "suggested") in shown
