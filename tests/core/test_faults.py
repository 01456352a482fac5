"""Faults of the machine: a full disk, concurrent writers, read-only media. Real SQLite files, real processes."""

import json

from annotator.core.formats.readers import read_paths
from annotator.core.importer import import_records
from annotator.core.store import Store


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
