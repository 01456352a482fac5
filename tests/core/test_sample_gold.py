"""The hand-made gold of the sample corpus: valid, and lossless through the store."""

import json

from annotator.core.records import iter_records
from annotator.core.formats.readers import read_paths
from annotator.core.importer import import_records
from annotator.core.store import Store
from tests.conftest import SAMPLE

GOLD = SAMPLE / "gold.jsonl"


def gold_records():
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_gold_matches_the_sample_texts_and_tokenizer(token_offsets):
    records = gold_records()
    assert len(records) == 5
    for record in records:
        text = (SAMPLE / f"{record['id']}.txt").read_text(encoding="utf-8")
        assert record["text"] == text
        assert [(t["start"], t["end"]) for t in record["tokens"]] == token_offsets(text)
        assert record["quotes"], record["id"]
        for quote in record["quotes"]:
            assert quote["speaker"] is None or text[quote["speaker"]["start"]:quote["speaker"]["end"]].strip()


def test_gold_round_trips_through_the_store(tmp_path, token_offsets):
    store = Store(tmp_path / "gold.db", tokenizer=token_offsets)
    summary = import_records(store, read_paths([GOLD]))
    assert summary.errors == [] and summary.imported == 5
    exported = {r["id"]: r for r in iter_records(store, "@gold")}
    for record in gold_records():
        out = exported[record["id"]]
        key = lambda s: (s["start"], s["end"], s["label"])  # noqa: E731
        assert sorted(map(key, out["spans"])) == sorted(map(key, record["spans"]))
        qkey = lambda q: (q["start"], q["end"], q["kind"], json.dumps(q["speaker"], sort_keys=True),  # noqa: E731
                          json.dumps(q["cue"], sort_keys=True), q["stance"])
        assert sorted(map(qkey, out["quotes"])) == sorted(map(qkey, record["quotes"]))
        assert out["tokens"] == record["tokens"]
        assert sorted(map(json.dumps, out["relations"])) == sorted(map(json.dumps, record["relations"]))
    # and once more: DB -> JSONL -> DB gives the same records
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in exported.values()), encoding="utf-8")
    other = Store(tmp_path / "again.db", tokenizer=token_offsets)
    import_records(other, read_paths([path]))
    assert {r["id"]: r for r in iter_records(other, "@gold")} == exported
