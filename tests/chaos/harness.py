"""Chaos runs against a real database file with real processes: writers killed at random points,
several writers on one article at once, an import of a folder of malformed files. Each run ends
with the same checks: SQLite's integrity check, every edit a writer acknowledged is in the edit
log, and replaying the edit log gives exactly the entity, quote and layer tables.

Used in a short form by tests/chaos (part of `make test`) and in a long form by benchmarks/chaos.py."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.store import Store

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = "chaos"
TEXT = " ".join(f"Nama{i} berkata bahwa Kota{i} tenang." for i in range(40))
LAYERS = ("alice", "bob")

#: One writer process: random edits of the article until killed or out of time. After each edit
#: the store acknowledged, it prints the edit's unique actor name (the edit log row carries it).
WRITER = textwrap.dedent("""
    import random, sys, time
    from annotator.core.model import SpanRef
    from annotator.core.store import Store, StoreError
    path, name, seconds, seed = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    rng = random.Random(seed)
    store = Store(path, timeout=10)
    tokens = store.tokens("chaos")
    labels = ["PERSON", "LOC", "ORG"]
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
        actor = f"{name}-{n}"
        layer = rng.choice(["alice", "bob"])
        op = rng.random()
        began = time.monotonic()
        try:
            if op < 0.35:
                first = rng.randrange(len(tokens) - 1)
                last = min(len(tokens) - 1, first + rng.randrange(2))
                store.add_entity("chaos", layer, tokens[first][0], tokens[last][1], rng.choice(labels), actor=actor)
            elif op < 0.6:
                ids = [r[0] for r in store.db.execute("SELECT id FROM entities WHERE annotator = ?", [layer])]
                if not ids:
                    continue
                store.update_entity(rng.choice(ids), label=rng.choice(labels), actor=actor)
            elif op < 0.7:
                ids = [r[0] for r in store.db.execute("SELECT id FROM entities WHERE annotator = ?", [layer])]
                if not ids:
                    continue
                store.delete_or_reject_entity(rng.choice(ids), actor=actor)
            elif op < 0.8:
                first = rng.randrange(len(tokens) - 3)
                quote = store.add_quote("chaos", layer, tokens[first][0], tokens[first + 2][1], actor=actor)
                ids = [quote.id]
            elif op < 0.9:
                ids = [r[0] for r in store.db.execute("SELECT id FROM quotes WHERE annotator = ?", [layer])]
                if not ids:
                    continue
                speaker = rng.randrange(len(tokens))
                store.update_quote(rng.choice(ids), stance=rng.choice([None, "SUPPORT", "OPPOSE"]),
                                   speaker=SpanRef(*tokens[speaker], "PERSON"), actor=actor)
            else:
                store.set_comment("chaos", layer, f"catatan {actor}", flagged=rng.random() < 0.5, actor=actor)
        except StoreError as exc:  # refused (overlap, row deleted by another writer …) or locked: not stored
            print(f"refused {type(exc).__name__} {time.monotonic() - began:.4f}", flush=True)
            continue
        print(f"ack {actor} {time.monotonic() - began:.4f}", flush=True)
""")


@dataclass
class Report:
    acknowledged: list[str] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    kills: int = 0

    def read(self, lines) -> None:
        for line in lines:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "ack":
                self.acknowledged.append(parts[1])
                self.latencies.append(float(parts[2]))
            elif len(parts) == 3 and parts[0] == "refused":
                self.refused[parts[1]] = self.refused.get(parts[1], 0) + 1
                self.latencies.append(float(parts[2]))


def new_database(path: Path) -> None:
    with Store(path) as store:
        store.add_article(ARTICLE, TEXT)


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _writer(path: Path, name: str, seconds: float, seed: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(seconds), str(seed)],
                            stdout=subprocess.PIPE, text=True, env=_env())


def kill_writers(path: Path, kills: int, seed: int = 0) -> Report:
    """Start a writer `kills` times and SIGKILL it after a random number of acknowledged edits."""
    rng = random.Random(seed)
    report = Report()
    for n in range(kills):
        proc = _writer(path, f"k{n}", 60, seed * 1000 + n)
        wanted, lines = rng.randint(1, 40), []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("ack") and sum(x.startswith("ack") for x in lines) >= wanted:
                time.sleep(rng.random() * 0.01)  # land the kill anywhere in the next edit
                break
        os.kill(proc.pid, signal.SIGKILL)
        lines += proc.stdout.read().splitlines()  # acknowledged before the kill landed
        proc.wait()
        report.kills += proc.returncode == -signal.SIGKILL
        report.read(lines)
    return report


def concurrent_writers(path: Path, writers: int, seconds: float, seed: int = 0) -> Report:
    """`writers` processes editing the same article (the same two layers) for `seconds`."""
    procs = [_writer(path, f"w{n}", seconds, seed * 1000 + n) for n in range(writers)]
    report = Report()
    for proc in procs:
        out, _ = proc.communicate(timeout=seconds + 120)
        report.read(out.splitlines())
    return report


# ---- checks ---------------------------------------------------------------------------------
def check_database(path: Path, acknowledged: list[str]) -> dict:
    """Integrity, every acknowledged edit present, edit log replaying to the tables. Raises AssertionError."""
    with Store(path, read_only=True) as store:
        integrity = store.db.execute("PRAGMA integrity_check").fetchone()[0]
        assert integrity == "ok", integrity
        logged = {r[0] for r in store.db.execute("SELECT actor FROM edit_log")}
        missing = [a for a in acknowledged if a not in logged]
        assert not missing, f"{len(missing)} acknowledged edits missing, e.g. {missing[:5]}"
        replayed = replay(store)
        assert replayed == tables(store), "the edit log does not replay to the tables"
        return {"edit_log_rows": store.db.execute("SELECT count(*) FROM edit_log").fetchone()[0],
                "entities": len(replayed["entity"]), "quotes": len(replayed["quote"])}


_ENTITY = ("article_id", "annotator", "start", "end", "label", "source", "status", "score", "model")
_QUOTE = ("article_id", "annotator", "start", "end", "kind", "speaker", "cue", "stance", "source", "status",
          "score", "model")


def replay(store: Store) -> dict:
    """Entities, quotes and layer comments as the edit log tells them, checking each `before`."""
    state: dict = {"entity": {}, "quote": {}, "layer": {}}
    for action, target, target_id, layer, article, before, after in store.db.execute(
            "SELECT action, target, target_id, layer, article_id, before, after FROM edit_log ORDER BY id"):
        before = json.loads(before) if before else None
        after = json.loads(after) if after else None
        if target in ("entity", "quote"):
            rows, columns = state[target], _ENTITY if target == "entity" else _QUOTE
            if action == "update" or action == "delete":
                assert rows.get(target_id) == _pick(before, columns), f"stale before in {target} #{target_id}"
            if action in ("add", "update"):
                rows[target_id] = _pick(after, columns)
            elif action == "delete":
                del rows[target_id]
        elif target == "layer" and action == "set":
            current = state["layer"].setdefault((article, layer), {})
            for key in ("comment", "flagged"):
                if key in after:
                    current[key] = bool(after[key]) if key == "flagged" else after[key]
    return state


def tables(store: Store) -> dict:
    state: dict = {"entity": {}, "quote": {}, "layer": {}}
    for e in store.db.query("SELECT * FROM entities"):
        state["entity"][e["id"]] = tuple(e[c] for c in _ENTITY)
    for q in store.db.query("SELECT * FROM quotes"):
        row = {**q, "speaker": (q["speaker_start"], q["speaker_end"], q["speaker_label"]) if q["speaker_start"] is not None
               else None, "cue": (q["cue_start"], q["cue_end"], None) if q["cue_start"] is not None else None}
        state["quote"][q["id"]] = _pick(row, _QUOTE)
    for row in store.db.query("SELECT article_id, annotator, comment, flagged FROM layers WHERE comment != ''"):
        state["layer"][(row["article_id"], row["annotator"])] = {"comment": row["comment"],
                                                                 "flagged": bool(row["flagged"])}
    return state


def _pick(row: dict | None, columns: tuple) -> tuple | None:
    return None if row is None else tuple(_plain(row.get(c)) for c in columns)


def _plain(value):
    """A logged value as the tables give it: a span reference {start, end, label} as a tuple."""
    if isinstance(value, dict):
        return (value.get("start"), value.get("end"), value.get("label"))
    return tuple(value) if isinstance(value, list) else value


# ---- malformed import ---------------------------------------------------------------------------
def malformed_folder(folder: Path, outside: Path, copies: int = 1) -> int:
    """Write a folder of hostile and broken input files; returns how many good articles it holds
    at least (a broken CoNLL file may give one more)."""
    folder.mkdir(parents=True, exist_ok=True)
    good = 0
    for c in range(copies):
        lines = [json.dumps({"id": f"good{c}-{n}", "text": f"Berita baik {c}-{n} dari Jakarta."}) for n in range(20)]
        good += 20
        lines += [
            '{"id": "deep", "text": "x", "meta": ' + "[" * 50_000 + "]" * 50_000 + "}",
            json.dumps({"id": f"m{c}", "text": f"Meta salah {c}.", "meta": "teks"}),
            json.dumps({"id": f"c{c}", "text": f"Cats salah {c}.", "cats": ["stance:pro"]}),
            '{"id": "s", "text": "surrogate \\ud800 di sini"}',
            json.dumps({"id": f"sc{c}", "text": f"Skor salah {c}.", "spans": [{"start": 0, "end": 4, "label": "PERSON",
                                                                             "score": "tinggi"}]}),
            json.dumps({"id": f"t{c}", "text": f"Token salah {c}.", "tokens": [{"start": 3, "end": 9},
                                                                              {"start": 0, "end": 4}]}),
            "{not json at all",
            json.dumps([1, 2, 3]),
        ]
        (folder / f"mixed{c}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (folder / f"latin{c}.txt").write_bytes(f"Caf\xe9 nomor {c} di Bandung.".encode("cp1252"))
        (folder / f"badbyte{c}.jsonl").write_bytes(
            json.dumps({"id": f"u{c}", "text": f"“Kutipan” {c} yang baik."}, ensure_ascii=False).encode() + b"\n"
            + b'{"id": "bb%d", "text": "Caf\xe9 rusak %d"}\n' % (c, c))
        (folder / f"wide{c}.txt").write_bytes("\ufeffBerita UTF-16 nomor {c}.".replace("{c}", str(c)).encode("utf-16-le"))
        (folder / f"binary{c}.txt").write_bytes(bytes(range(256)) * 4)
        (folder / f"empty{c}.txt").write_text("   \n")
        (folder / f"nul{c}.txt").write_bytes(b"Berita panjang. " * 1000 + b"\x00 ekor")
        (folder / f"formula{c}.csv").write_text(f"id,text\nf{c},=1+1 berita {c}\n", encoding="utf-8")
        (folder / f"broken{c}.conll").write_text("-DOCSTART- -X- O O\n\nKata B-PER\nLain\tI-XYZ\tzz\n")
        (folder / f"side{c}.txt").write_text(f"Berita dengan sidecar {c}.")
        (folder / f"side{c}.meta.json").write_text(json.dumps({"source": {"name": "Kompas"}, "date": 2024}))
        good += 6  # latin, both lines of badbyte (one read as cp1252), wide, formula, side
    secret = outside / "secret.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("Isi dari luar folder yang tidak boleh masuk.")
    if not (folder / "leak.txt").exists():
        (folder / "leak.txt").symlink_to(secret)
    return good


def import_folder(path: Path, folder: Path) -> subprocess.CompletedProcess:
    """`annotator import FOLDER` in its own process, as a user would run it."""
    return subprocess.run([sys.executable, "-m", "annotator", "import", str(folder), "--db", str(path)],
                          capture_output=True, text=True, env=_env(), timeout=600)


def killed_import(path: Path, folder: Path, after: float) -> None:
    """Start an import and SIGKILL it after `after` seconds."""
    proc = subprocess.Popen([sys.executable, "-m", "annotator", "import", str(folder), "--db", str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    try:
        proc.wait(timeout=after)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def article_log_consistent(path: Path) -> int:
    """Every stored article has its add_article log row and the reverse; returns the article count.
    (Opened for writing: an import killed before it made the database leaves none, or an empty one.)"""
    with Store(path) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        articles = {r[0] for r in store.db.execute("SELECT id FROM articles")}
        logged = {r[0] for r in store.db.execute("SELECT article_id FROM edit_log WHERE action = 'add_article'")}
        assert articles == logged, (articles ^ logged)
        return len(articles)
