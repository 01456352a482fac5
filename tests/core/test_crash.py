"""Kill a writer with SIGKILL mid-work: the database must be consistent and hold every edit reported stored."""

import os
import signal
import subprocess
import sys
import textwrap

from annotator.core.store import Store

WRITER = textwrap.dedent("""
    import sys
    from annotator.core.store import Store
    store = Store(sys.argv[1])
    text = store.get_article("a1").text
    tokens = store.tokens("a1")
    n = 0
    while True:
        start, end = tokens[n % len(tokens)]
        layer = f"annotator{n // len(tokens)}"
        store.add_entity("a1", layer, start, end, "PERSON")
        n += 1
        print(n, layer, start, end, flush=True)
""")


def test_sigkill_during_edits_loses_nothing_reported_as_stored(tmp_path):
    path = tmp_path / "crash.db"
    Store(path).add_article("a1", " ".join(f"kata{i}" for i in range(50)))
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.getcwd()})
    reported = []
    for line in proc.stdout:
        reported.append(line.split())
        if len(reported) == 120:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    store = Store(path)
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {(r["annotator"], r["start"], r["end"])
              for r in store.db.query('SELECT annotator, start, "end" FROM entities')}
    for _, layer, start, end in reported:
        assert (layer, int(start), int(end)) in stored
    # each stored entity has its edit-log row: the two are written in one transaction
    assert store.db.execute("SELECT count(*) FROM entities").fetchone()[0] == store.db.execute(
        "SELECT count(*) FROM edit_log WHERE action = 'add' AND target = 'entity'").fetchone()[0]
