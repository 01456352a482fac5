"""Reading databases on read-only media, 0-byte files and locked databases: read commands work or say clearly why not."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from annotator.cli import main
from annotator.core.store import LockedError, Store, StoreError


def _fill(path, wal_left: bool = False) -> Store | None:
    store = Store(path)
    store.add_article("a1", "Retno Marsudi berbicara di Jakarta.")
    store.add_entity("a1", "alice", 0, 13, "PERSON")
    if not wal_left:
        store.close()
        return None
    store.db.execute("PRAGMA wal_autocheckpoint = 0")
    store.add_article("a2", "Artikel kedua yang hanya ada di WAL.")
    return store  # still open: the -wal file holds a2


def _run_on_read_only_mount(folder, script: str) -> subprocess.CompletedProcess:
    """Run a shell script with `folder` mounted read-only at $RO (a private mount namespace)."""
    mount_point = folder.parent / "ro"
    mount_point.mkdir()
    shell = (f'mount --bind "{folder}" "{mount_point}" && mount -o remount,ro,bind "{mount_point}" && '
             f'touch "{mount_point}/probe" 2>/dev/null && echo WRITABLE; RO="{mount_point}"; {script}')
    try:
        return subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", shell],
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": os.getcwd()})
    except FileNotFoundError:
        pytest.skip("unshare is not installed: cannot mount a read-only folder")


def test_read_commands_work_on_a_wal_database_on_read_only_media(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    _fill(media / "clean.db")
    live = _fill(tmp_path / "live.db", wal_left=True)
    for suffix in ("", "-wal", "-shm"):  # a copy taken while a writer had changes in its WAL
        shutil.copy(f"{live.path}{suffix}", f"{media}/crashed.db{suffix}")
    live.close()
    shutil.copy(media / "crashed.db", media / "lost-shm.db")
    shutil.copy(media / "crashed.db-wal", media / "lost-shm.db-wal")
    here = tmp_path / "here.db"
    Store(here).close()
    python = f'"{sys.executable}" -m annotator'
    result = _run_on_read_only_mount(media, f"""
        {python} stats --json --db "$RO/clean.db"; echo "rc=$?"
        {python} stats --json --db "$RO/crashed.db"; echo "rc=$?"
        {python} export "{tmp_path}/out.jsonl" --annotator alice --all-articles --db "$RO/clean.db"; echo "rc=$?"
        {python} merge "$RO/crashed.db" --db "{here}"; echo "rc=$?"
        {python} stats --db "$RO/lost-shm.db"; echo "rc=$?"
    """)
    if "Operation not permitted" in result.stderr or "unshare" in result.stderr:
        pytest.skip(f"cannot mount a read-only folder here: {result.stderr.strip()}")
    assert "WRITABLE" not in result.stdout
    decoder = json.JSONDecoder()
    first = decoder.raw_decode(result.stdout[result.stdout.index("{"):])[0]
    assert first["articles"] == 1
    rest = result.stdout[result.stdout.index("rc=0") + 4:]
    second = decoder.raw_decode(rest[rest.index("{"):])[0]
    assert second["articles"] == 2  # the changes in the WAL are read, not ignored
    assert result.stdout.count("rc=0") == 4, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("rc=2")
    assert "-wal" in result.stderr and "writable folder" in result.stderr
    assert (tmp_path / "out.jsonl").read_text().count("\n") == 1
    assert Store(here).article_count() == 2


def test_stats_on_a_zero_byte_file_leaves_it_alone(tmp_path, capsys):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert main(["stats", "--db", str(empty)]) == 2
    assert "not an annotator database" in capsys.readouterr().err
    assert empty.read_bytes() == b""
    assert not (tmp_path / "empty.db-wal").exists()


def test_a_read_of_a_locked_database_does_not_speak_of_a_change(tmp_path):
    path = tmp_path / "locked.db"
    _fill(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE meta SET value = value WHERE key = 'schema_version'")
    try:
        with pytest.raises(LockedError) as caught:
            Store(path, read_only=True, timeout=0.1)
        assert "locked" in str(caught.value) and "change" not in str(caught.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert issubclass(LockedError, StoreError)
