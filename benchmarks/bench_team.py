"""A team editing one project at once: annotators (processes) against PostgreSQL and SQLite.

    .venv/bin/python benchmarks/bench_team.py [--annotators 10] [--seconds 60] [--url postgresql://...]
                                              [--windows 2 --articles 10]

Without --url it starts a private PostgreSQL server (pip package pgserver) in a temporary folder.
Each annotator is a process with its own login (role annotator, so row-level security is on
the path) that adds, relabels and deletes entities in its own layer of random articles as fast
as it can, each change on the row version it read (a stale one would be refused: StaleEditError).
Prints edits/s, the median and 95th-percentile latency of an acknowledged edit, and checks that no
acknowledged edit is lost: each annotator's edit-log rows equal its acknowledged edits, and
replaying the edit log gives the entities table. The same run on one SQLite file follows.
With --windows N each annotator works in N processes at once (windows of one person): each picks an
entity of its layer as stored, thinks a few milliseconds, and changes it; the figures then also say
how many edits were refused as stale and check that every acknowledged change was made to the
version its window had read (the edit log's `before` of that change). Prints figures only; never
part of the tests.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotator.core.store import LockedError, StaleEditError, Store, ValidationError  # noqa: E402

WORDS = ["Presiden", "Joko", "Widodo", "bertemu", "Menteri", "Retno", "Marsudi", "di", "Jakarta", "pada",
         "hari", "Senin", "untuk", "membahas", "pengerahan", "pasukan", "Korea", "Utara", "ke", "Rusia"]
LABELS = ["PERSON", "ORG", "LOC"]


def build(url: str, articles: int, annotators: int) -> list[str]:
    rng = random.Random(0)
    with Store(url) as lead:
        for i in range(articles):
            lead.add_article(f"a{i}", " ".join(rng.choice(WORDS) for _ in range(120)) + f" ({i}).")
        if lead.server:
            for n in range(annotators):
                lead.add_user(f"ann{n}", "annotator")
    return [f"a{i}" for i in range(articles)]


def annotate(url: str, name: str, article_ids: list[str], seconds: float, start_at: float, out: mp.Queue,
             window: int = 0) -> None:
    """Edit as fast as possible until the time is up; report latencies and acknowledged edits. Window
    1, 2 …: one of several windows of `name`, changing entities of the layer as it reads them."""
    rng = random.Random(f"{name}/{window}")
    latencies: list[float] = []
    acknowledged = locked = stale = 0
    changed: list[tuple[int, int]] = []  # (entity id, version read) of each acknowledged change
    with Store(url, timeout=30) as store:
        own: dict[int, int] = {}  # its entities and the version it last saw
        while time.time() < start_at:
            time.sleep(0.001)
        end = start_at + seconds
        while time.time() < end:
            article = rng.choice(article_ids)
            t0 = time.perf_counter()
            try:
                choice = rng.random()
                if window and choice < 0.5:
                    entities = store.get_layer(article, name).entities
                    if not entities:
                        continue
                    seen = rng.choice(entities)
                    time.sleep(rng.uniform(0, 0.005))  # the person thinks
                    t0 = time.perf_counter()
                    if choice < 0.2:
                        store.delete_or_reject_entity(seen.id, version=seen.version)
                    else:
                        store.update_entity(seen.id, label=rng.choice(LABELS), version=seen.version)
                    changed.append((seen.id, seen.version))
                elif own and choice < 0.2:
                    entity_id = rng.choice(list(own))
                    store.delete_or_reject_entity(entity_id, version=own.pop(entity_id))
                elif own and choice < 0.5:
                    entity_id = rng.choice(list(own))
                    own[entity_id] = store.update_entity(entity_id, label=rng.choice(LABELS),
                                                         version=own[entity_id]).version
                else:
                    tokens = store.tokens(article)
                    i = rng.randrange(len(tokens))
                    try:
                        entity = store.add_entity(article, name, tokens[i][0], tokens[i][1], rng.choice(LABELS))
                    except ValidationError:  # overlaps one of its own: refused, not acknowledged
                        continue
                    own[entity.id] = entity.version
            except LockedError:
                locked += 1
                continue
            except StaleEditError:
                stale += 1
                continue
            latencies.append(time.perf_counter() - t0)
            acknowledged += 1
    out.put((name, acknowledged, locked, stale, latencies, changed))


def replay_equals_tables(url: str) -> bool:
    """Replaying the entity rows of the edit log gives exactly the entities table."""
    with Store(url, read_only=True) as store:
        state: dict[int, tuple] = {}
        for r in store.db.query("SELECT action, target_id, before, after FROM edit_log "
                                "WHERE target = 'entity' ORDER BY id"):
            if r["action"] in ("add", "update"):
                e = json.loads(r["after"])
                state[r["target_id"]] = (e["article_id"], e["annotator"], e["start"], e["end"], e["label"], e["status"])
            elif r["action"] == "delete":
                state.pop(r["target_id"], None)
        table = {r[0]: tuple(r[1:]) for r in store.db.execute(
            'SELECT id, article_id, annotator, start, "end", label, status FROM entities')}
        return state == table


def changed_other_versions(url: str, changed: list[tuple[int, int]]) -> int:
    """How many acknowledged changes the edit log shows made to another version than the one read."""
    with Store(url, read_only=True) as store:
        made = Counter((r["target_id"], json.loads(r["before"])["version"]) for r in store.db.query(
            "SELECT target_id, before FROM edit_log WHERE target = 'entity' AND action IN ('update', 'delete')"))
    wrong = 0
    for change in changed:  # two windows changing one version would both claim the same row
        if made[change]:
            made[change] -= 1
        else:
            wrong += 1
    return wrong


def run(url: str, label: str, annotators: int, seconds: float, articles: int, windows: int = 1) -> None:
    ids = build(url, articles, annotators)
    names = [f"ann{n}" for n in range(annotators)]
    with Store(url) as probe:
        server = probe.server
    urls = {name: (server.with_user(url, name) if server else url) for name in names}
    out: mp.Queue = mp.Queue()
    start_at = time.time() + 2.0  # every process connected before the clock starts
    sessions = [(n, w if windows > 1 else 0) for n in names for w in range(1, windows + 1)]
    procs = [mp.Process(target=annotate, args=(urls[n], n, ids, seconds, start_at, out, w)) for n, w in sessions]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for *_, lat, _ in results for x in lat)
    total = sum(r[1] for r in results)
    locked = sum(r[2] for r in results)
    stale = sum(r[3] for r in results)
    acknowledged = {name: sum(r[1] for r in results if r[0] == name) for name in names}
    with Store(url, read_only=True) as store:
        logged = dict(store.db.execute(
            "SELECT actor, count(*) FROM edit_log WHERE target = 'entity' GROUP BY actor").fetchall())
    lost = sum(max(0, n - logged.get(name, 0)) for name, n in acknowledged.items())
    extra = sum(max(0, logged.get(name, 0) - n) for name, n in acknowledged.items())
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    who = f"{annotators} annotators" + (f" x {windows} windows" if windows > 1 else "")
    print(f"{label}: {who} x {seconds:.0f} s: {total / seconds:.0f} edits/s, "
          f"latency median {statistics.median(latencies) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
          f"'locked' refusals {locked}, stale-version refusals {stale}, acknowledged edits missing from the log "
          f"{lost}, unacknowledged in it {extra}, edit-log replay equals the table: {replay_equals_tables(url)}")
    if windows > 1:
        changed = [c for r in results for c in r[5]]
        print(f"{label}: {len(changed)} acknowledged changes of entities read by a window, made to another version "
              f"than the one read: {changed_other_versions(url, changed)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotators", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--windows", type=int, default=1, help="processes per annotator (windows of one person)")
    parser.add_argument("--url", help="an empty PostgreSQL database (default: a private pgserver)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = None
        url = args.url
        if url is None:
            import pgserver
            from annotator.core.backends import postgres

            server = pgserver.get_server(Path(folder) / "pg", cleanup_mode="stop")
            url = postgres.with_database(server.get_uri(), "bench_team")
            postgres.create_database(url)
        try:
            run(url, "PostgreSQL", args.annotators, args.seconds, args.articles, args.windows)
        finally:
            if server is not None:
                server.cleanup()
        run(str(Path(folder) / "team.db"), "SQLite    ", args.annotators, args.seconds, args.articles, args.windows)


if __name__ == "__main__":
    main()
