"""Faults of the machine: a full disk, concurrent writers, read-only media. Real SQLite files, real processes."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from annotator.core.formats.readers import read_paths
from annotator.core.importer import import_records
from annotator.core.store import SCHEMA_VERSION, Store


def test_disk_full_mid_batch_stops_the_import_and_every_reported_article_is_stored(tmp_path):
    path = tmp_path / "full.db"
    Store(path).close()
    records = tmp_path / "many.jsonl"
    records.write_text("\n".join(json.dumps({"id": f"a{n}", "text": f"Berita nomor {n}. " + "Isi berita panjang. " * 200})
                                 for n in range(3000)), encoding="utf-8")
    store = Store(path)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + 3000}")  # SQLite's own limit: a disk that fills up
    summary = import_records(store, read_paths([records]))
    store.close()
    assert summary.stopped and "the disk is full" in summary.stopped
    assert any("the disk is full" in str(p) for p in summary.errors)
    assert 0 < summary.imported < 3000
    again = Store(path)
    assert again.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert again.article_count() == summary.imported
    assert again.db.execute("SELECT count(*) FROM edit_log WHERE action = 'add_article'").fetchone()[0] == summary.imported


EDITOR = textwrap.dedent("""
    import sys
    from annotator.core.store import Store
    store = Store(sys.argv[1], timeout=30)
    field, rounds = sys.argv[2], int(sys.argv[3])
    entity_id = int(sys.argv[4])
    for n in range(rounds):
        if field == "label":
            store.update_entity(entity_id, label="ORG" if n % 2 else "PERSON")
        else:
            store.update_entity(entity_id, score=float(n))
    print("done", flush=True)
""")


def test_two_processes_editing_one_entity_lose_no_update_and_log_the_true_before(tmp_path):
    path = tmp_path / "race.db"
    store = Store(path)
    store.add_article("a1", "Joko Widodo berkunjung ke Bandung.")
    entity = store.add_entity("a1", "alice", 0, 11, "PERSON")
    rounds = 300
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    procs = [subprocess.Popen([sys.executable, "-c", EDITOR, str(path), field, str(rounds), str(entity.id)],
                              stdout=subprocess.PIPE, text=True, env=env) for field in ("label", "score")]
    for proc in procs:
        assert proc.communicate(timeout=120)[0].strip() == "done"
    final = store.get_entity(entity.id)
    assert final.score == rounds - 1  # the last acknowledged score edit is there
    assert final.label == ("ORG" if (rounds - 1) % 2 else "PERSON")
    rows = store.db.execute("SELECT before, after FROM edit_log WHERE action = 'update' ORDER BY id").fetchall()
    assert len(rows) == 2 * rounds
    state = json.loads(rows[0][0])
    for before, after in rows:  # each `before` is the state the previous edit left: replaying gives the table
        assert json.loads(before) == state
        state = json.loads(after)
    assert (state["label"], state["score"]) == (final.label, final.score)


CREATOR = textwrap.dedent("""
    import sys, time
    from annotator.core.store import Store
    folder, n, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
    for round in range(6):  # six new databases, each opened by every process at the same instant
        time.sleep(max(0.0, start + 0.3 * round - time.time()))
        with Store(f"{folder}/new{round}.db", timeout=30) as store:
            store.add_article(f"a{n}", f"Artikel nomor {n} dari proses ini.")
    print("ok", flush=True)
""")


def test_several_processes_creating_one_new_database_at_once_all_succeed(tmp_path):
    import time

    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    start = time.time() + 1.5  # all processes import Store first, then open at the same instant
    procs = [subprocess.Popen([sys.executable, "-c", CREATOR, str(tmp_path), str(n), str(start)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for n in range(4)]
    results = [proc.communicate(timeout=120) for proc in procs]
    assert [out.strip() for out, _ in results] == ["ok"] * 4, [err for _, err in results]
    for round in range(6):
        store = Store(tmp_path / f"new{round}.db")
        assert sorted(store.article_ids()) == [f"a{n}" for n in range(4)]
        assert store.get_meta("schema_version") == str(SCHEMA_VERSION)
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        store.close()


QUICK_EDIT = textwrap.dedent("""
    import sys
    from annotator.core.store import Store, LockedError
    store = Store(sys.argv[1], timeout=0.2)
    try:
        store.set_comment("a0", "alice", "edited during the import")
    except LockedError:
        print("locked")
    else:
        print("stored")
""")


def test_a_long_import_leaves_the_lock_free_for_an_editor_between_short_batches(tmp_path):
    path = tmp_path / "busy.db"
    with Store(path) as store:
        store.add_article("a0", "Artikel yang sedang dibuka di jendela lain.")
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    outcomes = []

    def edit_now(count: int) -> None:
        if count in (250, 700):  # in the middle of an import of 1,000 records
            outcomes.append(subprocess.run([sys.executable, "-c", QUICK_EDIT, str(path)], capture_output=True,
                                           text=True, env=env, timeout=60).stdout.strip())

    records = [{"id": f"r{n}", "text": f"Berita nomor {n} tentang banyak hal."} for n in range(1000)]
    with Store(path) as store:
        summary = import_records(store, records, progress=edit_now)
        assert summary.imported == 1000
        assert store.get_layer("a0", "alice").comment == "edited during the import"
    assert outcomes == ["stored", "stored"]


def test_a_real_full_disk_stops_the_import_with_every_reported_article_stored(tmp_path):
    data = tmp_path / "many.jsonl"
    data.write_text("\n".join(json.dumps({"id": f"a{n}", "text": f"Berita nomor {n}. " + "Isi berita. " * 300})
                              for n in range(2000)), encoding="utf-8")
    disk = tmp_path / "disk"
    disk.mkdir()
    check = (f'"{sys.executable}" -c "from annotator.core.store import Store; s = Store(\'{disk}/x.db\'); '
             'print(\'stored\', s.article_count(), s.db.execute(\'PRAGMA integrity_check\').fetchone()[0])"')
    script = (f'mount -t tmpfs -o size=3m tmpfs "{disk}" || exit 99; '
              f'"{sys.executable}" -m annotator import "{data}" --db "{disk}/x.db"; echo "rc=$?"; {check}')
    try:
        result = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
                                capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": os.getcwd()})
    except FileNotFoundError:
        pytest.skip("unshare is not installed: cannot mount a small disk")
    if result.returncode == 99 or "Operation not permitted" in result.stderr:
        pytest.skip(f"cannot mount a small disk here: {result.stderr.strip()}")
    assert "the disk is full" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert "rc=1" in result.stdout
    imported = int(result.stdout.split("imported ")[1].split()[0])
    assert 0 < imported < 2000
    assert f"stored {imported} ok" in result.stdout
