"""Hostile and malformed input: every bad record is a `file:line: reason` problem, the good ones import."""

import json

import pytest

from annotator.core.formats.readers import read_paths
from annotator.core.importer import import_records
from annotator.core.store import ValidationError

TEXT = "Presiden Joko Widodo berkunjung ke Bandung."


def write(path, data: bytes | str):
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def record(n: int, **extra) -> str:
    return json.dumps({"id": f"r{n}", "text": f"{TEXT} Berita {n}.", **extra})


def test_each_bad_record_is_a_problem_and_the_good_ones_of_the_batch_import(store, tmp_path):
    span = {"start": 9, "end": 20, "label": "PERSON"}
    bad = {
        2: '{"id": "deep", "text": "x", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}",
        3: record(3, meta="not an object"),
        4: record(4, cats=["stance:pro"]),
        5: record(5, cats={"stance:pro": "very"}),
        6: '{"id": "s1", "text": "Teks \\ud800 rusak."}',
        7: '{"id": "\\ud800", "text": "Teks dengan id rusak."}',
        8: record(8, spans=[{**span, "score": "high"}]),
        9: record(9, meta=[1, 2]),
        10: '{"id": "n1", "text": "Teks \\u0000 dengan NUL."}',
    }
    lines = [record(1, spans=[span])] + [bad[n] for n in sorted(bad)] + [record(11), record(12, spans=[span])]
    path = write(tmp_path / "in.jsonl", "\n".join(lines) + "\n")
    summary = import_records(store, read_paths([path]))
    assert sorted(store.article_ids()) == ["r1", "r11", "r12"]
    assert summary.imported == 3
    errors = {p.line: p.message for p in summary.errors}
    assert set(errors) == set(bad), summary.problems
    assert "nested too deeply" in errors[2]
    assert "meta must be an object" in errors[3] and "meta must be an object" in errors[9]
    assert "cats must be an object" in errors[4]
    assert "cats" in errors[5] and "'very'" in errors[5]
    assert "surrogate" in errors[6] and "surrogate" in errors[7]
    assert "score" in errors[8]
    assert "NUL" in errors[10]
    assert all(str(p).startswith(f"{path}:") for p in summary.errors)
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_unexpected_error_in_one_record_is_a_problem_not_a_crash(store, tmp_path, monkeypatch):
    from annotator.core import store as store_module

    original = store_module.Store.add_articles

    def explode(self, articles, *args, **kwargs):  # Store.add_article stores through add_articles too
        if any(a["id"] == "boom" for a in articles):
            raise KeyError("something nobody foresaw")
        return original(self, articles, *args, **kwargs)

    monkeypatch.setattr(store_module.Store, "add_articles", explode)
    items = [{"id": "a", "text": "Satu."}, {"id": "boom", "text": "Dua.", "_file": "f.jsonl", "_line": 2},
             {"id": "c", "text": "Tiga."}]
    summary = import_records(store, items)
    assert sorted(store.article_ids()) == ["a", "c"]
    assert [(p.file, p.line) for p in summary.errors] == [("f.jsonl", 2)]
    assert "something nobody foresaw" in summary.errors[0].message


def test_an_article_longer_than_spacys_max_length_imports(store, tmp_path):
    words = " ".join(f"kata{i % 997}" for i in range(150_000))
    text = "Judul panjang.\n\n" + words + "\n" + ("Paragraf kedua yang sangat panjang. " * 8000)
    assert len(text.encode("utf-8")) > 1_200_000
    path = write(tmp_path / "long.txt", text)
    summary = import_records(store, read_paths([path]))
    assert summary.imported == 1, summary.problems
    tokens = store.tokens("long")
    assert len(tokens) > 150_000
    assert all(a[1] <= b[0] for a, b in zip(tokens, tokens[1:]))
    assert [text[s:e] for s, e in tokens[:4]] == ["Judul", "panjang", ".", "kata0"]


def test_imported_tokens_must_be_sorted_not_overlapping_and_inside_the_text(store):
    text = "Joko Widodo berkunjung."
    good = [{"start": 0, "end": 4}, {"start": 5, "end": 11}, {"start": 12, "end": 22}, {"start": 22, "end": 23}]
    bad = {
        "overlap": [{"start": 0, "end": 6}, {"start": 5, "end": 11}],
        "unsorted": [{"start": 5, "end": 11}, {"start": 0, "end": 4}],
        "outside": [{"start": 0, "end": 4}, {"start": 20, "end": 40}],
        "empty": [{"start": 3, "end": 3}],
        "float": [{"start": 0.5, "end": 4}],
    }
    items = [{"id": name, "text": f"{text} {name}", "tokens": tokens, "_file": "t.jsonl", "_line": n}
             for n, (name, tokens) in enumerate(bad.items(), 1)]
    items.append({"id": "good", "text": text, "tokens": good,
                  "spans": [{"start": 0, "end": 11, "label": "PERSON"}]})
    summary = import_records(store, items)
    assert store.article_ids() == ["good"]
    messages = {p.line: p.message for p in summary.errors}
    assert "overlap" in messages[1] and "overlap" in messages[2]
    assert "outside" in messages[3] and "outside" in messages[4]
    assert "integers" in messages[5]
    assert store.tokens("good") == [(0, 4), (5, 11), (12, 22), (22, 23)]
    # a span cutting a word is refused on the validated tokens
    with pytest.raises(ValidationError, match="token boundaries"):
        store.add_entity("good", "alice", 0, 8, "PERSON")
    with pytest.raises(ValidationError, match="overlap"):
        store.add_article("direct", "Teks lain.", tokens=[(0, 4), (2, 4)])


def _vm_steps_to_import(tmp_path, n: int) -> int:
    """SQLite virtual-machine steps (in thousands) spent importing one record with n entities."""
    from annotator.core.store import Store

    words = " ".join(f"Nama{i}" for i in range(n))
    spans = [{"start": m, "end": m + len(f"Nama{i}"), "label": "PERSON"}
             for i, m in enumerate(_starts(words, n))]
    store = Store(tmp_path / f"dense{n}.db")
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    store.db.conn.set_progress_handler(count, 1000)
    summary = import_records(store, [{"id": "dense", "text": words, "spans": spans}])
    store.db.conn.set_progress_handler(None, 0)
    assert summary.annotated == 1 and not summary.problems
    assert store.db.execute("SELECT count(*) FROM entities").fetchone()[0] == n
    store.close()
    return steps[0]


def _starts(words: str, n: int) -> list[int]:
    starts, pos = [], 0
    for i in range(n):
        starts.append(pos)
        pos += len(f"Nama{i}") + 1
    return starts


def test_a_dense_article_imports_in_linear_work(tmp_path):
    small, large = _vm_steps_to_import(tmp_path, 1000), _vm_steps_to_import(tmp_path, 4000)
    assert large < 6 * small, (small, large)  # 4x the entities: about 4x the work, not 16x


def test_a_cancelled_import_stores_what_it_had_read_and_reports_it(store):
    records = [{"id": f"r{n}", "text": f"Berita nomor {n}."} for n in range(50)]
    seen = []
    summary = import_records(store, records, progress=seen.append, cancelled=lambda: len(seen) >= 30)
    assert summary.imported == 30 == store.article_count()
