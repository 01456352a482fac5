"""The pipeline on several processes and on Ray: same results, in order; Ctrl+C keeps only whole work."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.importer import import_records
from annotator.core.offsets import pack_tokens
from annotator.core.store import Store, connect_read_only
from annotator.nlp.parallel import ClusterUnavailable, TokenizerPool, pipeline_records
from annotator.nlp.suggest import suggest_articles
from annotator.nlp.tokenizer import token_offsets

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_corpus"
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_import import make_articles  # noqa: E402

SENTENCES = ["Presiden Joko Widodo berkunjung ke Bandung pada Senin.",
             "“Kami siap membantu semua warga,” kata Menteri Sosial Tri Rismaharini di Jakarta.",
             "Menurut Retno Marsudi, NATO harus menghormati kedaulatan Indonesia."]


def texts(n: int) -> list[str]:
    return [f"{SENTENCES[i % 3]} {SENTENCES[(i + 1) % 3]} Berita nomor {i}." for i in range(n)]


def test_two_worker_processes_give_the_records_of_one_process_in_input_order():
    items = [(text, f"k{n}") for n, text in enumerate(texts(9))]
    one = list(pipeline_records(items, workers=1, batch_size=2))
    two = list(pipeline_records(iter(items), workers=2, batch_size=2))
    assert [key for _, key in two] == [f"k{n}" for n in range(9)]
    assert two == one
    assert any(record["spans"] for record, _ in one) and any(record["quotes"] for record, _ in one)


def test_the_tokenizer_pool_gives_the_tokens_of_the_tokenizer(tmp_path):
    sample = texts(450)
    with TokenizerPool(2) as pool:
        assert pool(sample[:7]) == [pack_tokens(token_offsets(t)) for t in sample[:7]]
        assert not pool.started  # a few texts are tokenised in this process
        store = Store(tmp_path / "t.db", tokenizer=token_offsets)
        summary = import_records(store, [{"id": f"a{n}", "text": t} for n, t in enumerate(sample)], tokenize_many=pool)
        assert pool.started
    assert summary.imported == 450 and store.tokens("a321") == token_offsets(sample[321])


def test_suggest_on_two_workers_stores_what_one_process_stores(tmp_path):
    stored = {}
    for workers in (1, 2):
        store = Store(tmp_path / f"w{workers}.db", tokenizer=token_offsets)
        import_records(store, [{"id": f"a{n}", "text": t} for n, t in enumerate(texts(6))])
        assert suggest_articles(store, workers=workers, batch_size=2) == 6
        stored[workers] = [(e.start, e.end, e.label, e.model) for i in store.article_ids()
                           for e in store.get_layer(i, "@model").entities]
    assert stored[2] == stored[1] and stored[1]


def test_ray_without_ray_installed_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ClusterUnavailable, match="annotator\\[cluster\\]"):
        list(pipeline_records([("Teks.", 1)], ray="auto"))


def test_ray_at_an_address_where_nothing_listens_says_so_at_once(tmp_path, capsys):
    pytest.importorskip("ray")
    with socket.socket() as s:  # a port nobody listens on once closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = str(tmp_path / "r.db")
    assert main(["import", str(SAMPLE), "--db", db]) == 0
    started = time.monotonic()
    assert main(["suggest", "--db", db, "--ray", f"127.0.0.1:{port}"]) != 0
    assert time.monotonic() - started < 60  # ray.init alone retries such an address for minutes
    err = capsys.readouterr().err
    assert f"no Ray cluster answers at 127.0.0.1:{port}" in err and "ray start --head" in err


def test_suggest_on_a_local_ray_cluster_stores_what_one_process_stores(tmp_path):
    ray = pytest.importorskip("ray")
    store = Store(tmp_path / "r.db", tokenizer=token_offsets)
    import_records(store, [{"id": f"a{n}", "text": t} for n, t in enumerate(texts(6))])
    expected = [(record["spans"], record["quotes"]) for record, _ in
                pipeline_records([(t, n) for n, t in enumerate(texts(6))], workers=1, config=_config(store))]
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)  # not a cluster already on the machine
    try:
        assert suggest_articles(store, ray="auto", batch_size=2) == 6
    finally:
        ray.shutdown()
    got = [record_of(store, i) for i in store.article_ids()]
    assert got == [([(s["start"], s["end"], s["label"]) for s in spans], len(quotes)) for spans, quotes in expected]


def _config(store):
    return {"labels": store.config.label_names, "stance_labels": store.config.stance_names, "target": store.config.target}


def record_of(store, article_id):
    layer = store.get_layer(article_id, "@model")
    return [(e.start, e.end, e.label) for e in layer.entities], len(layer.quotes)


# ---- Ctrl+C ------------------------------------------------------------------------------------------
def _start(args: list[str], tmp_path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen([sys.executable, "-m", "annotator", *args], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def _interrupt_when(process: subprocess.Popen, ready, timeout: float = 120) -> set[int]:
    """Send SIGINT once `ready()` holds; returns the worker processes seen before."""
    deadline = time.monotonic() + timeout
    workers: set[int] = set()
    while not ready():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run did not get going"
        workers |= _children(process.pid)
        time.sleep(0.05)
    workers |= _children(process.pid)
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=60)
    return workers


def _alive(pid: int) -> bool:
    try:
        state = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("State:"))
    except (OSError, StopIteration):
        return False
    return "zombie" not in state


def _gone(pids: set[int]) -> bool:
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _count(db: Path, sql: str) -> int:
    """A count from the database another process writes (0 while it is being made)."""
    if not db.exists():
        return 0
    conn = connect_read_only(db)
    try:
        return conn.execute(sql).fetchone()[0]
    except Exception:  # noqa: BLE001 - the schema is still being made
        return 0
    finally:
        conn.close()


def _interrupt_and_check(process: subprocess.Popen, ready) -> None:
    """Ctrl+C once `ready()`: the command says it was interrupted (status 130) and its workers are gone."""
    workers = _interrupt_when(process, ready)
    assert process.returncode == 130
    assert len(workers) >= 2 and _gone(workers)


def test_ctrl_c_during_suggest_keeps_whole_articles_only_and_stops_the_workers(tmp_path):
    db = tmp_path / "big.db"
    with Store(db, tokenizer=token_offsets) as store:
        import_records(store, list(make_articles(600)))
    process = _start(["--db", str(db), "suggest", "--workers", "2"], tmp_path)
    _interrupt_and_check(process, lambda: _count(db, "SELECT count(*) FROM layers WHERE annotator = '@model'") >= 3)
    with Store(db) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        done = [r[0] for r in store.db.execute("SELECT article_id FROM layers WHERE annotator = '@model'")]
        assert 3 <= len(done) < 600
        logged = {r["article_id"]: json.loads(r["after"]) for r in store.edit_log(limit=10_000)
                  if r["action"] == "replace_suggestions"}
        assert set(logged) == set(done)
        for article_id in done:  # every stored article has all of its suggestions
            layer = store.get_layer(article_id, "@model")
            assert (len(layer.entities), len(layer.quotes)) == (logged[article_id]["entities"],
                                                                logged[article_id]["quotes"])
        assert store.db.execute("SELECT count(*) FROM entities WHERE article_id NOT IN "
                                "(SELECT article_id FROM layers WHERE annotator = '@model')").fetchone()[0] == 0


def test_ctrl_c_during_predict_leaves_no_output_and_stops_the_workers(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in make_articles(600)), encoding="utf-8")
    process = _start(["predict", str(source), "out.jsonl", "--workers", "2"], tmp_path)

    def running():
        parts = list(tmp_path.glob("out.jsonl.*.part"))
        return bool(parts) and parts[0].stat().st_size > 0

    _interrupt_and_check(process, running)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_ctrl_c_during_import_keeps_whole_batches_and_stops_the_tokenizer_workers(tmp_path):
    source, db = tmp_path / "in.jsonl", tmp_path / "big.db"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in make_articles(40_000)), encoding="utf-8")
    process = _start(["import", str(source), "--db", str(db), "--workers", "2"], tmp_path)
    _interrupt_and_check(process, lambda: _count(db, "SELECT count(*) FROM articles") >= 400)
    with Store(db) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = store.article_count()
        assert 400 <= stored < 40_000
        assert store.db.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == stored
        assert store.db.execute("SELECT count(*) FROM edit_log WHERE action = 'add_article'").fetchone()[0] == stored
        last = store.article_ids()[-1]
        assert store.tokens(last) == token_offsets(store.get_article(last).text)
