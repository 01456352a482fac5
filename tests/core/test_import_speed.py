"""The fast import path: packed token offsets, bulk article writes, batched tokenisation."""

import json

import pytest

from annotator.core.importer import import_records
from annotator.core.offsets import pack_tokens, unpack_tokens
from annotator.core.store import SCHEMA_VERSION, Store, ValidationError

TEXT = "Juru bicara Kementerian Luar Negeri, Retno Marsudi, mengatakan “kami prihatin” pada Rabu (12/3)."


def test_packed_tokens_round_trip_and_take_less_room_than_the_text(token_offsets):
    tokens = token_offsets(TEXT)
    packed = pack_tokens(tokens)
    assert unpack_tokens(packed) == tokens
    assert len(packed) < len(TEXT.encode("utf-8")) < len(json.dumps(tokens))
    wide = [(0, 3), (70_000, 70_001), (70_001, 140_000)]  # gaps and lengths past one and two bytes
    assert unpack_tokens(pack_tokens(wide)) == wide
    assert unpack_tokens(pack_tokens([])) == []


def test_imported_tokens_are_stored_packed_and_read_back(store, token_offsets):
    summary = import_records(store, [{"id": "a", "text": TEXT}])
    assert summary.imported == 1
    kind, stored = store.db.execute("SELECT typeof(tokens), tokens FROM articles").fetchone()
    assert kind == "blob" and len(stored) < len(TEXT)
    assert store.tokens("a") == token_offsets(TEXT)
    assert list(store.get_article("a").tokens) == token_offsets(TEXT)


def test_a_database_with_json_tokens_is_migrated(tmp_path, token_offsets):
    path = tmp_path / "old.db"
    with Store(path, tokenizer=token_offsets) as store:
        import_records(store, [{"id": f"a{n}", "text": f"{TEXT} Nomor {n}."} for n in range(1500)])
        expected = store.tokens("a1499")
        flat = json.dumps([x for pair in expected for x in pair])
        # the schema-3 layout: tokens as a JSON list of offsets
        store.db.execute("UPDATE articles SET tokens = ? WHERE id = 'a1499'", [flat])
        store.db.execute("UPDATE articles SET tokens = '[0,4]' WHERE id != 'a1499'")
        store.db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    with Store(path, tokenizer=token_offsets) as store:
        assert store.db.execute("SELECT count(*) FROM articles WHERE typeof(tokens) != 'blob'").fetchone()[0] == 0
        assert store.tokens("a1499") == expected
        assert store.tokens("a0") == [(0, 4)]
        assert store.get_meta("schema_version") == str(SCHEMA_VERSION)


def test_add_articles_stores_the_good_ones_and_says_why_each_other_was_kept_out(store):
    store.add_article("old", "Teks lama.")
    results = store.add_articles([
        dict(id="x1", text="Satu dua."),
        dict(id="x2", text="Satu dua."),  # the same text earlier in the list: a no-op
        dict(id="old", text="Teks lain."),  # the id is taken
        dict(id="x3", text="Teks lama."),  # stored already
        dict(id="x4", text="   "),
        dict(id="x5", text="Tiga.", tokens=[(0, 3), (2, 5)]),
        dict(id="x6", text="Empat lima.", meta={"k": "v"}, title="Judul"),
    ])
    assert results[0] == ("x1", True) and results[1] == ("x1", False) and results[3] == ("old", False)
    assert results[6] == ("x6", True)
    assert all(isinstance(results[n], ValidationError) for n in (2, 4, 5))
    assert "already exists" in str(results[2]) and "empty" in str(results[4]) and "overlap" in str(results[5])
    assert store.article_ids() == ["old", "x1", "x6"]
    assert store.get_article("x6").meta == {"k": "v"} and store.get_article("x6").title == "Judul"
    logged = [r["article_id"] for r in store.edit_log() if r["action"] == "add_article"]
    assert sorted(logged) == ["old", "x1", "x6"]
    assert store.count_articles("@gold", search="lima") == 1  # the full-text index has it


def test_import_tokenises_a_batch_at_a_time_through_the_given_tokenizer(store, token_offsets):
    calls = []

    def tokenize_many(texts):
        calls.append(len(texts))
        return [token_offsets(t) for t in texts]

    store.add_article("old", "Berita lama.")
    records = [{"id": f"r{n}", "text": f"Berita nomor {n}."} for n in range(450)]
    records.append({"id": "dup", "text": "Berita lama."})
    records.append({"id": "dup2", "text": "Berita nomor 3."})  # met before it is written: tokenised, not stored
    summary = import_records(store, records, tokenize_many=tokenize_many)
    assert summary.imported == 450 and summary.duplicates == 2
    assert calls == [200, 200, 51]  # the duplicate of a text stored before is not tokenised
    assert store.tokens("r7") == token_offsets("Berita nomor 7.")


def test_import_gives_the_tokenizer_two_batches_ahead_of_the_one_written(store, token_offsets):
    stored_when_submitted = []

    class Tokenizer:
        def submit(self, texts):
            stored_when_submitted.append(store.article_count())
            return lambda: [token_offsets(t) for t in texts]

    records = [{"id": f"r{n}", "text": f"Berita nomor {n}."} for n in range(1000)]
    summary = import_records(store, records, tokenize_many=Tokenizer())
    assert summary.imported == 1000 and store.article_count() == 1000
    # batches 1-3 are submitted before batch 1 is written; then each write makes room for one more
    assert stored_when_submitted == [0, 0, 0, 200, 400]


def _whole_file_records(path):
    """What read_jsonl gave when it read the file whole."""
    from annotator.core.formats.common import read_nonempty
    from annotator.core.formats.jsonl import _records

    text, problems = read_nonempty(path)
    return problems + ([] if text is None else list(_records(path, enumerate(text.split("\n"), 1))))


def test_jsonl_read_a_line_at_a_time_gives_what_reading_it_whole_gave(tmp_path):
    from annotator.core.formats.jsonl import read_jsonl

    line = json.dumps({"id": "a", "text": "Café “kutipan”."}, ensure_ascii=False).encode()
    cases = {
        "crlf": b"\xef\xbb\xbf" + line + b"\r\n\r\n" + line.replace(b'"a"', b'"b"') + b"\r\n",
        "lone_cr": line + b"\r" + line.replace(b'"a"', b'"b"') + b"\r\r\n{bad\n",
        "no_final_newline": b"\n\n" + line,
        "blank": b"  \n\n",
        "cp1252_line": line + b"\n" + b'{"id": "c", "text": "caf\xe9"}\n' + line.replace(b'"a"', b'"d"') + b"\n",
        "all_cp1252": b'{"id": "c", "text": "caf\xe9"}\n{"id": "e", "text": "na\xefve"}\n',
    }
    for name, data in cases.items():
        path = tmp_path / f"{name}.jsonl"
        path.write_bytes(data)
        streamed, whole = list(read_jsonl(path)), _whole_file_records(path)
        # the same records in the same order, the same problems (a warning may come after earlier records)
        assert [r for r in streamed if isinstance(r, dict)] == [r for r in whole if isinstance(r, dict)], name
        assert sorted(map(str, streamed)) == sorted(map(str, whole)), name


def test_reading_a_big_jsonl_file_takes_memory_for_one_line_not_the_file(tmp_path):
    import tracemalloc

    from annotator.core.formats.jsonl import read_jsonl

    path = tmp_path / "big.jsonl"
    record = json.dumps({"id": "x", "text": TEXT * 20}, ensure_ascii=False)
    path.write_text("\n".join(record.replace('"x"', f'"x{n}"') for n in range(8000)), encoding="utf-8")
    assert path.stat().st_size > 16_000_000
    tracemalloc.start()
    try:
        assert sum(1 for _ in read_jsonl(path)) == 8000
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, peak


def test_packed_tokens_from_the_tokenizer_are_stored_as_they_are_and_bad_ones_refused(tmp_path):
    from annotator.nlp.tokenizer import packed_token_offsets, token_offsets

    store = Store(tmp_path / "p.db", tokenizer=packed_token_offsets)
    span = {"start": 0, "end": 4, "label": "PERSON"}
    summary = import_records(store, [{"id": "a", "text": TEXT}, {"id": "b", "text": "Juru" + TEXT[4:] + ".",
                                                                  "spans": [{**span, "start": 2}]}])
    assert summary.imported == 2
    assert store.tokens("a") == token_offsets(TEXT)
    assert store.tokens("b")[:2] == [(0, 2), (2, 4)]  # split where the imported span starts
    results = store.add_articles([dict(id="c", text="Dua kata.", tokens=b"B\x00\x03\x01\x04\x00\x01"),
                                  dict(id="d", text="Dua kata,", tokens=b"B\x00\x03\x01\x00"),
                                  dict(id="e", text="Dua kata!", tokens=b"B\x00\x03\x01\x09"),
                                  dict(id="f", text="Dua kata?", tokens=b"Q\x00\x03"),
                                  dict(id="g", text="Dua kata;", tokens=b"B\x00\x03\x01")])
    assert results[0] == ("c", True) and store.tokens("c") == [(0, 3), (4, 8), (8, 9)]
    messages = [str(r) for r in results[1:]]
    assert "length 0" in messages[0] and "outside the text" in messages[1]
    assert "type code" in messages[2] and "a gap and a length" in messages[3]


def test_a_record_the_tokenizer_fails_on_is_a_problem_and_its_batch_still_imports(tmp_path):
    def tokenizer(text):
        if "rusak" in text:
            raise RuntimeError("the tokenizer broke")
        return [(0, len(text))]

    def tokenize_many(texts):
        return [tokenizer(t) for t in texts]

    store = Store(tmp_path / "t.db", tokenizer=tokenizer)
    records = [{"id": f"r{n}", "text": f"Berita {n}" + (" rusak" if n == 5 else ""), "_file": "in.jsonl", "_line": n}
               for n in range(1, 300)]
    summary = import_records(store, records, tokenize_many=tokenize_many)
    assert summary.imported == 298 and "r5" not in store.article_ids()
    assert [(p.line, p.message) for p in summary.errors] == [(5, "cannot be stored: RuntimeError: the tokenizer broke")]


def test_counts_without_a_layer_filter_do_not_join_the_layers_and_agree_with_the_filtered_ids(store):
    import_records(store, [{"id": f"a{n}", "text": f"Berita {'pasukan' if n % 3 else 'cuaca'} nomor {n}."}
                           for n in range(30)])
    store.set_status("a4", "alice", "done")
    for filters in ({}, {"search": "pasukan"}, {"search": "pas"}, {"search": "tidak-ada"}, {"status": "done"},
                    {"status": "new", "search": "cuaca"}):
        assert store.count_articles("alice", **filters) == len(store.matching_ids("alice", **filters)), filters
        assert store.count_articles("alice", **filters, at_most=5) == min(5, len(store.matching_ids("alice", **filters)))
    plans = []
    store.db.conn.set_trace_callback(plans.append)
    store.count_articles("alice")
    store.count_articles("alice", search="pasukan")
    store.db.conn.set_trace_callback(None)
    assert plans and not any("layers" in sql for sql in plans), plans


def test_the_pending_filter_keeps_the_same_articles_whether_it_starts_from_the_suggestions_or_not(store, monkeypatch):
    from annotator.core.model import Entity

    import_records(store, [{"id": f"a{n}", "text": f"Presiden Joko berkunjung ke kota nomor {n}."} for n in range(12)])
    for n in (1, 4, 7):  # @model suggestions; alice decides one article's, bob opens another
        store.replace_suggestions(f"a{n}", [Entity(None, f"a{n}", "@model", 9, 13, "PERSON")], [])
    store.open_layer("a4", "alice")
    store.accept_all("a4", "alice")
    store.open_layer("a7", "bob")
    rows = {}
    for few in (True, False):
        monkeypatch.setattr(Store, "FEW_SUGGESTED", 1000 if few else 0)
        rows[few] = {who: [r["id"] for r in store.list_articles(who, 0, 50, pending=True)] for who in ("alice", "bob")}
        assert store.count_articles("alice", pending=True) == len(rows[few]["alice"])
    assert rows[True] == rows[False] == {"alice": ["a1", "a7"], "bob": ["a1", "a4", "a7"]}


def test_an_import_writes_without_syncing_each_commit_and_restores_the_settings(tmp_path, token_offsets):
    store = Store(tmp_path / "bulk.db")
    conn = store.db.conn
    before = conn.execute("PRAGMA synchronous").fetchone()[0], conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    seen = []

    def progress(count):
        seen.append((conn.execute("PRAGMA synchronous").fetchone()[0],
                     conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]))
        if count == 3:
            raise KeyboardInterrupt  # Ctrl+C: the settings come back too

    with pytest.raises(KeyboardInterrupt):
        import_records(store, [{"id": f"r{n}", "text": f"Berita {n}."} for n in range(5)], progress=progress)
    assert seen[0] == (1, Store.BULK_CHECKPOINT_PAGES)  # NORMAL: whole transactions survive a crash in WAL mode
    assert before == (2, 1000)
    assert (conn.execute("PRAGMA synchronous").fetchone()[0], conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]) == before


def test_an_import_inside_a_transaction_keeps_the_settings_of_that_transaction(tmp_path):
    store = Store(tmp_path / "outer.db")
    with store.transaction():  # SQLite refuses to change the safety level inside a transaction
        summary = import_records(store, [{"id": "a", "text": "Berita satu."}, {"id": "b", "text": "Berita dua."}])
        assert store.db.conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert summary.imported == 2 and store.article_ids() == ["a", "b"]
