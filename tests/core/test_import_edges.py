"""Smaller holes of the import and export paths: links, pipes, devices, NUL bytes, sidecars, long ids."""

import json
import os
import threading

import pytest

from annotator.core.formats import common
from annotator.core.formats.brat import write_brat
from annotator.core.formats.readers import read_paths
from annotator.core.importer import import_records


def test_a_link_inside_a_folder_leading_out_of_it_is_not_followed(store, tmp_path):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("Isi rahasia dari luar folder.")
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "ok.txt").write_text("Berita biasa di dalam folder.")
    (folder / "zz-inside.txt").symlink_to(folder / "ok.txt")
    (folder / "leak.txt").symlink_to(secret)
    summary = import_records(store, read_paths([folder]))
    assert sorted(store.article_ids()) == ["ok"]  # the inner link is the same text: a duplicate
    assert summary.duplicates == 1
    assert any("leak.txt" in str(p) and "outside the folder" in p.message for p in summary.warnings)


def test_a_fifo_named_on_the_command_line_is_refused_without_hanging(store, tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    result = []
    reader = threading.Thread(target=lambda: result.append(import_records(store, read_paths([fifo]))), daemon=True)
    reader.start()
    reader.join(timeout=20)
    if reader.is_alive():  # unblock the reader so the test run can end, then fail
        with open(fifo, "w"):
            pass
        pytest.fail("reading a FIFO hangs")
    assert "not a regular file" in result[0].errors[0].message


def test_a_device_is_refused_not_read_into_memory(store):
    summary = import_records(store, read_paths(["/dev/zero"], "txt"))
    assert summary.imported == 0 and "not a regular file" in summary.errors[0].message


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(store, tmp_path, monkeypatch):
    monkeypatch.setattr(common, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.txt"
    big.write_text("kata " * 1000)
    summary = import_records(store, read_paths([big]))
    assert summary.imported == 0 and "split it into smaller files" in summary.errors[0].message


def test_a_nul_byte_after_the_binary_sniff_window_is_refused_per_record(store, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "late.txt").write_bytes(("Berita panjang. " * 1000).encode() + b"\x00 ekor")
    (folder / "fine.txt").write_text("Berita yang baik.")
    lines = [json.dumps({"id": "j1", "text": "Baik."}), '{"id": "j2", "text": "NUL \x00 mentah"}']
    (folder / "late.jsonl").write_text(("\n" * 10000) + "\n".join(lines) + "\n")
    summary = import_records(store, read_paths([folder]))
    assert sorted(store.article_ids()) == ["fine", "j1"]
    problems = {p.file.rsplit("/", 1)[-1]: p for p in summary.errors}
    assert "NUL" in problems["late.txt"].message
    assert problems["late.jsonl"].line == 10002
    assert store.db.execute("SELECT count(*) FROM articles WHERE instr(text, char(0)) > 0").fetchone()[0] == 0


def test_a_sidecar_with_an_object_as_source_keeps_the_article(store, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("Isi berita dengan metadata aneh.")
    (folder / "a.meta.json").write_text(json.dumps({"source": {"name": "Kompas", "id": 7}, "date": 20240101,
                                                    "title": "Judul"}))
    summary = import_records(store, read_paths([folder]))
    assert summary.imported == 1, summary.problems
    article = store.get_article("a")
    assert json.loads(article.source) == {"name": "Kompas", "id": 7}
    assert (article.date, article.title) == ("20240101", "Judul")


def test_brat_export_of_a_very_long_non_latin_id_shortens_the_file_name(tmp_path):
    long_id = "東京" * 150 + "-берита" * 20  # ~1,200 bytes of UTF-8
    records = [{"id": long_id, "text": "Teks.", "spans": [], "quotes": []},
               {"id": long_id + "x", "text": "Teks lain.", "spans": [], "quotes": []}]
    assert write_brat(records, tmp_path / "brat") == 2
    names = sorted(p.name for p in (tmp_path / "brat").iterdir() if p.suffix in (".txt", ".ann"))
    assert len(names) == 4 and len(set(names)) == 4
    assert all(len(name.encode("utf-8")) <= 255 for name in names)
