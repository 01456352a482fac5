"""The SQLite store: the single source of truth. Every change is one validated transaction
written together with its edit-log row."""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import sqlite3
import tempfile
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import sqlite_utils

from annotator.core.backends import is_server_url
from annotator.core.config import ProjectConfig, load_config
from annotator.core.model import (
    ARTICLE_STATUSES,
    GOLD_LAYER,
    MODEL_LAYER,
    SOURCES,
    STATUSES,
    Article,
    Entity,
    Layer,
    Quote,
    SpanRef,
)
from annotator.core.offsets import (Tokens, overlaps, pack_tokens, packed_array, simple_tokens, split_tokens_at,
                                    unpack_tokens)

SCHEMA_VERSION = 7
DEFAULT_DB = "annotator.db"


class StoreError(Exception):
    """A change could not be stored; the database is unchanged."""


class ValidationError(StoreError):
    """The change is invalid (offsets, labels, overlap …)."""


class PendingError(ValidationError):
    """Done was refused: suggestions are still pending and the project says to decide each."""

    def __init__(self, message: str, pending: int):
        super().__init__(message)
        self.pending = pending


class StaleEditError(StoreError):
    """The entity, quote or layer was changed (or deleted) by another session since the caller read
    the version it edits: the edit was not stored. `seen` is the version read (None: the caller had
    not seen the row, e.g. a suggestion pending again); `current` is the stored version (None: deleted);
    `actor` and `ts` say who changed it and when (from the edit log, None when unknown)."""

    def __init__(self, message: str, *, target: str, target_id, seen: int | None, current: int | None,
                 actor: str | None, ts: str | None):
        super().__init__(message)
        self.target, self.target_id, self.seen, self.current = target, target_id, seen, current
        self.actor, self.ts = actor, ts


class LockedError(StoreError):
    """Another process holds the database lock for longer than the timeout."""


class ServerUnreachableError(StoreError):
    """The database server cannot be reached (now); the change was not stored. Try again later: the
    store connects again by itself."""


class DiskFullError(StoreError):
    """The disk (or the database's size limit) is full; the change was not stored."""


class TransactionLostError(StoreError):
    """SQLite rolled back the whole transaction (disk full, I/O error …): none of it was stored."""


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_db_path() -> str:
    """--db's default: $ANNOTATOR_DB (a file or a postgresql:// URL), else ./annotator.db."""
    return os.environ.get("ANNOTATOR_DB") or DEFAULT_DB


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{int(time.time() * 1000) % 1000:03d}Z"


def stored_tokens(stored: bytes | str) -> Tokens:
    """Tokens as stored: packed bytes (schema 4), or the JSON list of a database not migrated yet."""
    if isinstance(stored, bytes):
        return unpack_tokens(stored)
    flat = json.loads(stored)
    return list(zip(flat[0::2], flat[1::2]))


CREATE_LAYERS = """CREATE TABLE layers (
            article_id TEXT NOT NULL REFERENCES articles(id),
            annotator TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'new',
            stance TEXT, answer TEXT,
            comment TEXT NOT NULL DEFAULT '',
            flagged INTEGER NOT NULL DEFAULT 0,
            updated TEXT NOT NULL,
            PRIMARY KEY (article_id, annotator))"""  # the same on every backend


def _migrate_1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE articles (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            source TEXT, date TEXT, url TEXT,
            meta TEXT NOT NULL DEFAULT '{}',
            text_hash TEXT NOT NULL UNIQUE,
            tokens TEXT NOT NULL,
            created TEXT NOT NULL)"""
    )
    db.execute(
        "CREATE TRIGGER articles_text_immutable BEFORE UPDATE OF text, text_hash ON articles "
        "BEGIN SELECT RAISE(ABORT, 'article text is immutable'); END"
    )
    db.execute("CREATE TABLE annotators (name TEXT PRIMARY KEY, created TEXT NOT NULL)")
    db.execute(CREATE_LAYERS)
    span_columns = """id INTEGER PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id),
            annotator TEXT NOT NULL,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL"""
    common = """source TEXT NOT NULL, status TEXT NOT NULL,
            score REAL, model TEXT, created TEXT NOT NULL, updated TEXT NOT NULL"""
    db.execute(f"CREATE TABLE entities ({span_columns}, label TEXT NOT NULL, {common})")
    db.execute(
        f"""CREATE TABLE quotes ({span_columns}, kind TEXT NOT NULL,
            speaker_start INTEGER, speaker_end INTEGER, speaker_label TEXT,
            cue_start INTEGER, cue_end INTEGER, stance TEXT, {common})"""
    )
    db.execute(
        """CREATE TABLE edit_log (
            id INTEGER PRIMARY KEY, ts TEXT NOT NULL, actor TEXT NOT NULL,
            article_id TEXT, layer TEXT, action TEXT NOT NULL, target TEXT,
            target_id INTEGER, before TEXT, after TEXT)"""
    )
    db.execute("CREATE INDEX entities_layer ON entities(article_id, annotator)")
    db.execute("CREATE INDEX quotes_layer ON quotes(article_id, annotator)")
    db.execute("CREATE INDEX edit_log_article ON edit_log(article_id)")
    db.execute("CREATE INDEX layers_annotator ON layers(annotator, status)")
    db["articles"].enable_fts(["title", "text"], create_triggers=True, tokenize="unicode61")


def _migrate_2(db: sqlite_utils.Database) -> None:
    # the article browser pages through 100,000 articles: a covering index spares it the texts
    db.execute("CREATE INDEX IF NOT EXISTS articles_listing ON articles(seq, id, title, source, date)")


ACCEPT_ON_DONE = "accept-on-done"  # edit-log action of a suggestion accepted by marking its article done


def _migrate_3(db: sqlite_utils.Database) -> None:
    """Layers marked done that still hold pending suggestions (made before Done had a rule) get the
    project's rule now: accepted ("accept"), or the layer goes back in progress ("refuse")."""
    row = db.execute("SELECT value FROM meta WHERE key = 'config'").fetchone()
    rule = json.loads(row[0]).get("done_with_pending", "accept") if row else "accept"
    layers = db.execute(
        "SELECT article_id, annotator FROM layers l WHERE status = 'done' AND substr(annotator, 1, 1) != '@' AND ("
        "EXISTS (SELECT 1 FROM entities e WHERE e.article_id = l.article_id AND e.annotator = l.annotator "
        "AND e.status = 'suggested') OR EXISTS (SELECT 1 FROM quotes q WHERE q.article_id = l.article_id "
        "AND q.annotator = l.annotator AND q.status = 'suggested'))").fetchall()
    log = ("INSERT INTO edit_log(ts, actor, article_id, layer, action, target, target_id, before, after) "
           "VALUES (?, '@migration', ?, ?, ?, ?, ?, ?, ?)")
    for article_id, annotator in layers:
        if rule == "refuse":
            db.execute("UPDATE layers SET status = 'in_progress', answer = NULL, updated = ? "
                       "WHERE article_id = ? AND annotator = ?", [_now(), article_id, annotator])
            db.execute(log, [_now(), article_id, annotator, "set", "layer", None,
                             json.dumps({"status": "done"}), json.dumps({"status": "in_progress"})])
            continue
        for table in ("entities", "quotes"):
            ids = [r[0] for r in db.execute(f"SELECT id FROM {table} WHERE article_id = ? AND annotator = ? "
                                            "AND status = 'suggested'", [article_id, annotator])]
            if ids:
                db.execute(f"UPDATE {table} SET status = 'accepted', updated = ? WHERE article_id = ? "
                           "AND annotator = ? AND status = 'suggested'", [_now(), article_id, annotator])
                kind = "entity" if table == "entities" else "quote"
                db.execute(log, [_now(), article_id, annotator, ACCEPT_ON_DONE, kind, None,
                                 json.dumps({"ids": ids, "status": "suggested"}),
                                 json.dumps({"ids": ids, "status": "accepted"})])


def _migrate_4(db: sqlite_utils.Database) -> None:
    """Token offsets from a JSON list to packed bytes (core.offsets.pack_tokens), 1,000 articles at a time."""
    last = 0
    while True:
        rows = db.execute("SELECT seq, tokens FROM articles WHERE seq > ? AND typeof(tokens) = 'text' "
                          "ORDER BY seq LIMIT 1000", [last]).fetchall()
        if not rows:
            return
        db.conn.executemany("UPDATE articles SET tokens = ? WHERE seq = ?",
                            [(pack_tokens(stored_tokens(tokens)), seq) for seq, tokens in rows])
        last = rows[-1][0]


def _migrate_5(db: sqlite_utils.Database) -> None:
    """The browser's "pending suggestions" filter asks each article for suggested rows: these partial
    indexes hold only those, so the question is a lookup in a small index (a 1M corpus scans in ms, not 0.5 s)."""
    for table in ("entities", "quotes"):
        db.execute(f"CREATE INDEX IF NOT EXISTS {table}_suggested ON {table}(article_id, annotator) "
                   "WHERE status = 'suggested'")


#: Row versions (schema 6): each table's version before its rows' first change. Every UPDATE of an
#: entity or quote makes a new version; of a layer, one that changes its own fields (an article going
#: from new to in progress with its first edit is none).
ROW_VERSIONS = {"entities": 1, "quotes": 1, "layers": 0}


def new_version_condition(table: str, differs: str) -> str:
    """SQL over OLD and NEW: whether an UPDATE of `table` makes a new version (`differs`: the
    dialect's null-safe inequality)."""
    if table != "layers":
        return "NEW.version = OLD.version"
    fields = " OR ".join(f"OLD.{name} {differs} NEW.{name}" for name in ("stance", "answer", "comment", "flagged"))
    return (f"NEW.version = OLD.version AND ({fields} OR (OLD.status {differs} NEW.status "
            "AND NOT (OLD.status = 'new' AND NEW.status = 'in_progress')))")


def add_row_versions(db) -> None:
    """Schema 6, what both backends share: the version columns (unless a database marked older already
    has them), and an index to find an item's edits."""
    for table, first in ROW_VERSIONS.items():
        if "version" not in {column[0] for column in db.execute(f"SELECT * FROM {table} LIMIT 0").description}:
            db.execute(f"ALTER TABLE {table} ADD COLUMN version INTEGER NOT NULL DEFAULT {first}")
    db.execute("CREATE INDEX IF NOT EXISTS edit_log_target ON edit_log(target_id) WHERE target_id IS NOT NULL")


def _migrate_6(db: sqlite_utils.Database) -> None:
    """Row versions: every UPDATE of an entity, a quote or a layer's fields counts its row's version up
    (a trigger, so no writer can forget it); an edit made on a version that is no longer the stored
    one is refused (StaleEditError) instead of overwriting what another session stored."""
    add_row_versions(db)
    for table in ROW_VERSIONS:
        key = "id = OLD.id" if table != "layers" else "article_id = OLD.article_id AND annotator = OLD.annotator"
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_version AFTER UPDATE ON {table} FOR EACH ROW "
                   f"WHEN {new_version_condition(table, 'IS NOT')} "
                   f"BEGIN UPDATE {table} SET version = OLD.version + 1 WHERE {key}; END")


def _migrate_7(db) -> None:
    """The browser's "no stance" filter asks for quotes still without a stance: this partial index holds
    only those, so with many stanced quotes and few open ones the filter starts from them (a 1M corpus
    with 20,000+ stanced quotes walked every article, ~0.26 s) and each article's question is a lookup."""
    db.execute("CREATE INDEX IF NOT EXISTS quotes_no_stance ON quotes(article_id, annotator) "
               "WHERE stance IS NULL AND status != 'rejected'")


MIGRATIONS: dict[int, Callable[[sqlite_utils.Database], None]] = {
    1: _migrate_1, 2: _migrate_2, 3: _migrate_3, 4: _migrate_4, 5: _migrate_5, 6: _migrate_6, 7: _migrate_7}


def _writable(path: str) -> bool:
    """Whether this process may write the database: the file, and its folder (journal, WAL files)."""
    return os.access(path, os.W_OK) and os.access(Path(path).resolve().parent, os.W_OK)


def connect_read_only(path: str | os.PathLike, timeout: float = 5.0) -> sqlite3.Connection:
    """A read-only connection, also on read-only media: when SQLite cannot create the WAL index
    (-shm) there and no -wal file holds changes, the file is opened as immutable."""
    uri = Path(path).resolve().as_uri()
    options = dict(uri=True, timeout=timeout, isolation_level=None, check_same_thread=False)
    conn = sqlite3.connect(uri + "?mode=ro", **options)
    try:
        conn.execute("PRAGMA schema_version").fetchone()
        return conn
    except sqlite3.DatabaseError as exc:
        conn.close()
        if "not a database" in str(exc):
            raise StoreError(f"{path}: not an SQLite database") from None
        if "unable to open" not in str(exc) or _writable(str(path)):
            raise
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StoreError(f"{path}: cannot be read in this read-only folder: its {wal.name} file holds changes that "
                         "are not in the database yet. Copy the database together with that file to a writable "
                         "folder and open the copy")
    return sqlite3.connect(uri + "?immutable=1", **options)


def _translate(exc: sqlite3.Error, path: str, *, reading: bool = False) -> StoreError:
    message = str(exc)
    if ("locked" in message or "busy" in message) and reading:
        return LockedError(f"{path}: the database is locked by another program; try again in a moment")
    if "locked" in message or "busy" in message:
        return LockedError(f"{path}: the database is locked by another program; the change was not stored (try again)")
    if "readonly" in message:
        return StoreError(f"{path}: the database is read-only; the change was not stored")
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in message:
        return DiskFullError(f"{path}: the disk is full; the change was not stored")
    if "disk I/O" in message:
        return StoreError(f"{path}: the disk is failing ({message}); the change was not stored")
    if isinstance(exc, sqlite3.IntegrityError):
        return ValidationError(f"{path}: {message}")
    return StoreError(f"{path}: {message}")


@dataclass(frozen=True)
class ChangeSet:
    """What stored changes touched: articles, layers (article id, layer name), entity and quote ids,
    and the statuses layers were set to (article id, layer name, status). The store announces one per
    committed transaction to its observers (Store.subscribe), and one for what other sessions
    committed (Store.poll_changes: `outside` is true; on a server it names no entities or quotes, and
    `everything` says more changed than could be told: read everything again); the project's use
    cases return one."""

    articles: frozenset[str] = frozenset()
    layers: frozenset[tuple[str, str]] = frozenset()
    entities: frozenset[int] = frozenset()
    quotes: frozenset[int] = frozenset()
    statuses: frozenset[tuple[str, str, str]] = frozenset()
    outside: bool = False
    everything: bool = False

    def __or__(self, other: "ChangeSet") -> "ChangeSet":
        return ChangeSet(self.articles | other.articles, self.layers | other.layers,
                         self.entities | other.entities, self.quotes | other.quotes,
                         self.statuses | other.statuses, self.outside or other.outside,
                         self.everything or other.everything)

    def __bool__(self) -> bool:
        return bool(self.articles or self.layers or self.entities or self.quotes or self.everything)


class _ChangeCollector:
    """The changes of the transaction in progress (edit-log rows), announced when it commits."""

    def __init__(self):
        self.clear()

    def clear(self) -> None:
        self.articles: set[str] = set()
        self.layers: set[tuple[str, str]] = set()
        self.items: dict[str, set[int]] = {"entity": set(), "quote": set()}
        self.statuses: set[tuple[str, str, str]] = set()

    def add(self, article_id: str | None, layer: str | None, target: str | None, target_id: int | None,
            before, after=None) -> None:
        """What one edit-log row says changed (before and after as dicts, or None)."""
        if article_id is not None:
            self.articles.add(article_id)
            if layer is not None:
                self.layers.add((article_id, layer))
                if target == "layer" and isinstance(after, dict) and isinstance(after.get("status"), str):
                    self.statuses.add((article_id, layer, after["status"]))
        if target in self.items:
            if target_id is not None:
                self.items[target].add(target_id)
            elif isinstance(before, dict):  # a bulk row lists its ids
                self.items[target].update(before.get("ids") or ())

    def take(self, *, outside: bool = False) -> ChangeSet:
        changes = ChangeSet(frozenset(self.articles), frozenset(self.layers), frozenset(self.items["entity"]),
                            frozenset(self.items["quote"]), frozenset(self.statuses), outside)
        self.clear()
        return changes


class Store:
    """One annotator database. Not shared across threads: open one Store per thread."""

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        *,
        config: ProjectConfig | None = None,
        tokenizer: Callable[[str], Tokens] | None = None,
        timeout: float = 5.0,
        read_only: bool = False,
    ):
        self.path = str(path or default_db_path())
        self.timeout = timeout
        self.tokenizer = tokenizer or simple_tokens
        self._token_cache: OrderedDict[str, tuple[str, Tokens, set[int], set[int]]] = OrderedDict()
        self._lock = threading.RLock()
        self._observers: list[Callable[[ChangeSet], None]] = []
        self._changes = _ChangeCollector()
        self.server = None  # the PostgreSQL backend module when the database is on a server
        self._outside_version = 0
        self._errors: tuple = (sqlite3.Error,)
        self._own_log_rows: list[tuple[int, int]] | None = None  # (after, up to) edit-log ids this Store wrote
        self._known_annotators: set[str] = set()  # stored, as far as this Store knows (forgotten at a rollback)
        self._layer_scope: tuple[str, str] | None = None  # the one layer the transaction to begin writes
        if is_server_url(self.path):
            self._open_server(read_only)
        else:
            self._open_file(read_only)
        # what other sessions commit from now on (poll_changes): on a server what they announce, in a
        # file the edit-log rows after this one that this Store did not write
        self._heard: list[dict] = []
        self._seen_log_id = self._seen_data_version = 0
        if not self.server:
            self._seen_data_version = self.db.execute("PRAGMA data_version").fetchone()[0]
            self._seen_log_id = self._last_log_id()
            self._own_log_rows = []
        stored = self.get_meta("config")
        if stored:
            self.config = ProjectConfig.from_json(stored)
        else:
            self.config = config or load_config()
            if self.writable:  # another process creating the database may have stored its configuration
                with self.transaction():
                    self._write("INSERT INTO meta(key, value) VALUES ('config', ?) ON CONFLICT DO NOTHING",
                                [self.config.to_json()])
                self.config = ProjectConfig.from_json(self.get_meta("config"))

    def _open_server(self, read_only: bool) -> None:
        """Connect to the project's database on a PostgreSQL server and bring its schema up to date."""
        from annotator.core.backends import postgres

        self.server = postgres
        self._errors = postgres.ERRORS
        self.read_only = read_only
        self.db = postgres.connect(self.path, timeout=self.timeout, read_only=read_only)
        try:
            if not read_only:
                self._migrate()
            elif not postgres.table_exists(self.db, "meta"):
                raise StoreError(f"{postgres.redact(self.path)}: not an annotator database (it has no annotator "
                                 f"tables; create them with `annotator init-server`)")
        except postgres.ERRORS as exc:
            raise postgres.translate(exc, self.path, reading=read_only) from None

    def _open_file(self, read_only: bool) -> None:
        """Open (or create) the SQLite file and bring its schema up to date."""
        timeout = self.timeout
        if self.path != ":memory:" and Path(self.path).is_dir():
            raise StoreError(f"{self.path}: is a folder, not a database file")
        exists = self.path != ":memory:" and Path(self.path).exists()
        self.read_only = read_only or (exists and not _writable(self.path))
        try:
            if self.read_only:
                conn = connect_read_only(self.path, timeout)
            else:
                conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
            self.db = sqlite_utils.Database(conn)
            # SQLite itself checks the file: opening and closing it here would drop this process's
            # POSIX locks on it, and another connection could then remove the WAL under us
            try:
                conn.execute("PRAGMA schema_version").fetchone()
            except sqlite3.DatabaseError as exc:
                conn.close()
                if "not a database" in str(exc):
                    raise StoreError(f"{self.path}: not an SQLite database") from None
                raise
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            if not self.read_only:
                self._migrate()
            if not self.read_only and self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal" and self.path != ":memory:":
                try:
                    self.db.enable_wal()
                except sqlite3.OperationalError:
                    pass  # read-only file: reading still works
            if self.read_only and not self.db["meta"].exists():
                conn.close()
                raise StoreError(f"{self.path}: not an annotator database (it has no annotator tables)")
        except sqlite3.DatabaseError as exc:
            raise _translate(exc, self.path, reading=self.read_only) from None

    # ---- plumbing -------------------------------------------------------------------------
    @property
    def writable(self) -> bool:
        return not self.read_only

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _translate(self, exc: Exception) -> StoreError:
        if self.server:
            return self.server.translate(exc, self.path)
        return _translate(exc, self.path)

    def _schema_version(self) -> int:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except self._errors as exc:
            if "no such table" in str(exc) or "does not exist" in str(exc):
                return 0
            raise
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        """Bring the schema up to date. The version is read again under the write lock, so processes
        creating one new database at once migrate it once (the others wait, then find it done)."""
        if self._schema_version() == SCHEMA_VERSION:
            return
        with self.transaction():
            self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            version = self._schema_version()
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path}: made by a newer annotator (schema {version} > {SCHEMA_VERSION})")
            for target in range(version + 1, SCHEMA_VERSION + 1):
                own = self.server.MIGRATIONS.get(target) if self.server else None  # where the dialects differ
                (own or MIGRATIONS[target])(self.db)
                self.db.execute(
                    "INSERT INTO meta(key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [str(target)]
                )

    def _begin(self) -> None:
        """BEGIN IMMEDIATE, trying again every few milliseconds while another process writes: SQLite's
        own busy handler backs off to 100 ms between tries, so a writer could starve for seconds
        beside others that write in quick succession. On a server: BEGIN and the project's write lock."""
        if self.server:
            self.server.begin(self.db, self._layer_scope)
            return
        conn = self.db.conn
        deadline = time.monotonic() + self.timeout
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() >= deadline:
                        raise
                time.sleep(0.002)
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing. Nested calls become savepoints of the outer transaction. When the outer
        transaction commits, the observers hear what it changed (Store.subscribe)."""
        with self._lock:
            conn = self.db.conn
            nested = conn.in_transaction
            name = f"sp_{id(conn)}_{time.perf_counter_ns()}"
            try:
                conn.execute(f"SAVEPOINT {name}") if nested else self._begin()
                log_before = None if nested or self._own_log_rows is None else self._last_log_id()
            except self._errors as exc:
                if conn.in_transaction and not nested:
                    conn.execute("ROLLBACK")
                raise self._translate(exc) from None
            try:
                yield
            except BaseException as exc:
                self._known_annotators.clear()
                if not nested:
                    self._changes.clear()
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO {name}" if nested else "ROLLBACK")
                    if nested:
                        conn.execute(f"RELEASE {name}")
                    elif self._token_cache:
                        self._token_cache.clear()
                    raise
                self._token_cache.clear()
                if nested and not isinstance(exc, TransactionLostError):
                    # SQLite rolled back the outer transaction too: its callers must not believe it stored
                    raise TransactionLostError(f"{exc}; SQLite rolled back the whole transaction") from exc
                raise
            if not conn.in_transaction:  # rolled back by SQLite under a statement that did not fail here
                self._token_cache.clear()
                self._changes.clear()
                self._known_annotators.clear()
                raise TransactionLostError(f"{self.path}: SQLite rolled back the transaction; nothing of it was stored")
            try:
                if log_before is not None:  # SQLite writes one transaction at a time: these rows are ours
                    log_after = self._last_log_id()
                    if log_after > log_before:
                        self._own_log_rows.append((log_before, log_after))
                if nested:
                    conn.execute(f"RELEASE {name}")
                elif self.server and self._changes.articles:  # telling the others, in the same round trip
                    self.server.commit_announcing(self.db, self._changes.articles, self._changes.layers,
                                                  self._changes.statuses)
                else:
                    conn.execute("COMMIT")
            except self._errors as exc:
                if conn.in_transaction and not nested:
                    conn.execute("ROLLBACK")
                    self._changes.clear()
                    self._known_annotators.clear()
                self._token_cache.clear()
                raise self._translate(exc) from None
            changes = ChangeSet() if nested else self._changes.take()
        if changes:
            self._announce(changes)

    @contextmanager
    def _layer_transaction(self, article_id: str | None, annotator: str | None) -> Iterator[None]:
        """A transaction that writes one layer (its items, its fields, the edit log): on a server it
        waits only for writers of the same layer and for project-wide changes, so people editing their
        own layers do not queue behind each other. Inside another transaction: a part of that one."""
        if not self.server or self.db.conn.in_transaction or article_id is None:
            with self.transaction():
                yield
            return
        self._layer_scope = (article_id, annotator)
        try:
            with self.transaction():
                self._layer_scope = None
                yield
        finally:
            self._layer_scope = None

    def subscribe(self, callback: Callable[[ChangeSet], None]) -> Callable[[], None]:
        """Call `callback(changes)` after each committed transaction of this Store that changed
        annotations (every edit-log row counts), and with what other sessions committed whenever
        poll_changes() or wait_changes() finds some (ChangeSet.outside); returns the function that
        unsubscribes."""
        self._observers.append(callback)
        return lambda: self._observers.remove(callback) if callback in self._observers else None

    def outside_version(self) -> int:
        """A number that changes when other connections or processes commit changes (SQLite's
        data_version; on a server, the changes other sessions announced through NOTIFY)."""
        if self.server:
            self._hear()
            return self._outside_version
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    #: More edit-log rows than this since the last look: ChangeSet.everything instead of reading them.
    MAX_POLLED_ROWS = 10_000

    def poll_changes(self) -> ChangeSet:
        """What other sessions (windows, processes, people on the server) committed since the last
        call, or since this Store opened; an empty ChangeSet when nothing. A non-empty one also goes
        to the observers (subscribe). Cheap: call it every few hundred milliseconds (on a server the
        others' NOTIFY messages wait on the connection; in a file SQLite's data_version says whether
        to read the new edit-log rows)."""
        try:
            changes = self._outside_changes()
        except self._errors as exc:
            raise self._translate(exc) from None
        if changes:
            self._announce(changes)
        return changes

    def wait_changes(self, timeout: float) -> ChangeSet:
        """poll_changes(), waiting up to `timeout` seconds for other sessions' changes: on a server
        until their notification arrives, in a file looking every 50 ms."""
        deadline = time.monotonic() + timeout
        while True:
            changes = self.poll_changes()
            remaining = deadline - time.monotonic()
            if changes or remaining <= 0:
                return changes
            if self.server:
                self.server.wait_for_notification(self.db, remaining)
            else:
                time.sleep(min(0.05, remaining))

    def _hear(self) -> None:
        """Keep what other sessions announced on the server (NOTIFY) until poll_changes takes it."""
        heard = self.server.changes_heard(self.db)
        self._outside_version += len(heard)
        self._heard += heard

    def _outside_changes(self) -> ChangeSet:
        collected = _ChangeCollector()
        if self.server:
            self._hear()
            heard, self._heard = self._heard, []
            everything = False
            for message in heard:
                if message.get("articles") is None:
                    everything = True
                    continue
                collected.articles.update(message["articles"])
                collected.layers.update(tuple(layer) for layer in message["layers"])
                collected.statuses.update(tuple(status) for status in message.get("statuses", ()))
            changes = collected.take(outside=True)
            if everything:
                return ChangeSet(everything=True, outside=True) | changes
            return changes or ChangeSet()
        data_version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if data_version == self._seen_data_version:
            return ChangeSet()
        self._seen_data_version = data_version
        rows = self.db.execute(
            "SELECT id, article_id, layer, target, target_id, before, after FROM edit_log WHERE id > ? "
            "ORDER BY id LIMIT ?", [self._seen_log_id, self.MAX_POLLED_ROWS + 1]).fetchall()
        if len(rows) > self.MAX_POLLED_ROWS:
            self._seen_log_id, self._own_log_rows = self._last_log_id(), []
            return ChangeSet(outside=True, everything=True)
        own = self._own_log_rows
        for row_id, article_id, layer, target, target_id, before, after in rows:
            if any(low < row_id <= high for low, high in own):
                continue
            bulk = target_id is None and target in collected.items  # lists its ids in `before`
            collected.add(article_id, layer, target, target_id, json.loads(before) if bulk and before else None,
                          json.loads(after) if target == "layer" and after else None)
        if rows:
            self._seen_log_id = rows[-1][0]
        self._own_log_rows = [(low, high) for low, high in own if high > self._seen_log_id]
        return collected.take(outside=True) or ChangeSet()

    def _last_log_id(self) -> int:
        return self.db.execute("SELECT COALESCE(max(id), 0) FROM edit_log").fetchone()[0]

    def _announce(self, changes: ChangeSet) -> None:
        for callback in list(self._observers):
            callback(changes)

    def _write(self, sql: str, params: Iterable = ()) -> sqlite3.Cursor:
        try:
            return self.db.conn.execute(sql, list(params))
        except self._errors as exc:
            raise self._translate(exc) from None

    def _insert(self, table: str, row: dict) -> int:
        """Insert a row (id None: a new id); returns its id."""
        if row.get("id") is None:
            row = {k: v for k, v in row.items() if k != "id"}
        columns = ", ".join(f'"{name}"' for name in row)
        sql = f"INSERT INTO {table}({columns}) VALUES ({','.join('?' * len(row))})"
        if self.server:
            try:
                return self.server.insert_returning_id(self.db, sql, list(row.values()))
            except self._errors as exc:
                raise self._translate(exc) from None
        return self._write(sql, row.values()).lastrowid

    def _log(self, actor: str, article_id: str | None, layer: str | None, action: str,
             target: str | None = None, target_id: int | None = None, before=None, after=None) -> None:
        def dump(value):
            return None if value is None else json.dumps(value, ensure_ascii=False, default=_plain)

        self._changes.add(article_id, layer, target, target_id, before, after)
        self._write(
            "INSERT INTO edit_log(ts, actor, article_id, layer, action, target, target_id, before, after) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            [_now(), actor, article_id, layer, action, target, target_id, dump(before), dump(after)],
        )

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self._write("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])

    def set_config(self, config: ProjectConfig) -> None:
        with self.transaction():
            self._write("INSERT INTO meta(key, value) VALUES ('config', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [config.to_json()])
            self._log("@system", None, None, "set_config", after=json.loads(config.to_json()))
        self.config = config

    # ---- articles -------------------------------------------------------------------------
    #: WAL pages written before SQLite copies them into the database file, while bulk_writes is on
    BULK_CHECKPOINT_PAGES = 16_384

    @contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """SQLite settings for many write transactions in a row (an import): commits are not synced to
        disk one by one (synchronous NORMAL: in WAL mode a crash, even a power cut, still leaves whole
        transactions only; a power cut may lose the last ones), and the WAL is copied into the database
        file less often. The connection's settings come back afterwards."""
        if self.server or self.read_only or self.path == ":memory:" or self.db.conn.in_transaction:
            yield  # SQLite only, and not inside a transaction (a server syncs as its administrator set it)
            return
        conn = self.db.conn
        synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
        pages = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(f"PRAGMA wal_autocheckpoint = {self.BULK_CHECKPOINT_PAGES}")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA synchronous = {int(synchronous)}")
            conn.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")

    def add_article(
        self,
        id: str,
        text: str,
        *,
        title: str = "",
        source: str | None = None,
        date: str | None = None,
        url: str | None = None,
        meta: dict | None = None,
        tokens: Tokens | None = None,
        boundaries: set[int] | None = None,
        actor: str = "@import",
    ) -> tuple[str, bool]:
        """Store an article; returns (id, created). The same text again is a no-op.

        `boundaries` are offsets of annotations that come with the article: tokens are split there."""
        result = self.add_articles([dict(id=id, text=text, title=title, source=source, date=date, url=url, meta=meta,
                                         tokens=tokens, boundaries=boundaries)], actor=actor)[0]
        if isinstance(result, StoreError):
            raise result
        return result

    def add_articles(self, articles: list[dict], *, actor: str = "@import") -> list[tuple[str, bool] | StoreError]:
        """Store articles (dicts of add_article's arguments) in one transaction with two statements;
        returns for each (id, created), or the ValidationError that kept it out (the others are stored).
        An article whose text is stored already (or earlier in the list) is a no-op."""
        results: list = [None] * len(articles)
        digests: list[str | None] = [None] * len(articles)
        for n, a in enumerate(articles):
            try:
                text, article_id = a["text"], a["id"]
                if not isinstance(text, str) or not text.strip():
                    raise ValidationError(f"article {article_id!r}: empty text")
                if not article_id:
                    raise ValidationError("article without id")
                check_storable(article_id, "the id")
                check_storable(text, "the text")
                digests[n] = text_hash(text)
            except ValidationError as exc:
                results[n] = exc
        known_hashes = self.ids_by_hash([d for d in digests if d])
        known_ids = {row[0] for row in self._existing("SELECT id FROM articles WHERE id IN ({})",
                                                      [a["id"] for a, d in zip(articles, digests) if d])}
        rows, log, now = [], [], _now()
        for n, (a, digest) in enumerate(zip(articles, digests)):
            if digest is None:
                continue
            article_id, text = a["id"], a["text"]
            if digest in known_hashes:
                results[n] = (known_hashes[digest], False)
                continue
            try:
                if article_id in known_ids:
                    raise ValidationError(f"article {article_id!r} already exists with a different text (text is immutable)")
                tokens = a.get("tokens")
                packed = self._packed_tokens(text, self.tokenizer(text) if tokens is None else tokens,
                                             a.get("boundaries"), f"article {article_id!r}")
            except ValidationError as exc:
                results[n] = exc
                continue
            title = a.get("title") or text.strip().splitlines()[0][:120]
            rows.append((article_id, title, text, a.get("source"), a.get("date"), a.get("url"),
                         json.dumps(a.get("meta") or {}, ensure_ascii=False), digest, packed, now))
            log.append((now, actor, article_id, json.dumps({"id": article_id, "title": title, "text_hash": digest},
                                                           ensure_ascii=False)))
            known_hashes[digest] = article_id
            known_ids.add(article_id)
            results[n] = (article_id, True)
        if rows:
            with self.transaction():
                try:
                    self.db.conn.executemany(
                        "INSERT INTO articles(id, title, text, source, date, url, meta, text_hash, tokens, created) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
                    self.db.conn.executemany(
                        "INSERT INTO edit_log(ts, actor, article_id, layer, action, target, target_id, before, after) "
                        "VALUES (?, ?, ?, NULL, 'add_article', 'article', NULL, NULL, ?)", log)
                    self._changes.articles.update(row[2] for row in log)
                except self._errors as exc:
                    raise self._translate(exc) from None
        return results

    @staticmethod
    def _packed_tokens(text: str, tokens: Tokens | bytes, boundaries: set[int] | None, what: str) -> bytes:
        """Tokens (pairs, or packed by core.offsets.pack_tokens) checked against the text, split at the
        boundaries, packed."""
        if isinstance(tokens, bytes):
            check_packed_tokens(tokens, text, what)
            if not boundaries:
                return tokens
            tokens = unpack_tokens(tokens)
        else:
            tokens = check_tokens(tokens, text, what)
        if boundaries:
            tokens = split_tokens_at(tokens, {b for b in boundaries if 0 < b < len(text)})
        return pack_tokens(tokens)

    def ids_by_hash(self, digests: list[str]) -> dict[str, str]:
        """{text hash: article id} of the given text hashes that are stored."""
        return dict(self._existing("SELECT text_hash, id FROM articles WHERE text_hash IN ({})", digests))

    def _existing(self, sql: str, values: list, params: list = ()) -> list[tuple]:
        """Rows of `sql` (`params`, then one `IN ({})`) for the given values, asked 500 at a time."""
        rows = []
        for begin in range(0, len(values), 500):
            chunk = values[begin:begin + 500]
            rows += self.db.execute(sql.format(",".join("?" * len(chunk))), [*params, *chunk]).fetchall()
        return rows

    def _article_row(self, article_id: str) -> dict:
        rows = list(self.db.query("SELECT * FROM articles WHERE id = ?", [article_id]))
        if not rows:
            raise ValidationError(f"no article {article_id!r}")
        return rows[0]

    def get_article(self, article_id: str) -> Article:
        return self._article_from_row(self._article_row(article_id))

    @staticmethod
    def _article_from_row(row: dict) -> Article:
        return Article(
            id=row["id"], text=row["text"], title=row["title"], source=row["source"], date=row["date"],
            url=row["url"], meta=json.loads(row["meta"]), text_hash=row["text_hash"],
            tokens=tuple(stored_tokens(row["tokens"])),
        )

    def _cached_article(self, article_id: str) -> tuple[str, Tokens, set[int], set[int]]:
        """Text, tokens, token starts and token ends of an article (text is immutable: safe to cache)."""
        cached = self._token_cache.get(article_id)
        if cached is None:
            row = self.db.execute("SELECT text, tokens FROM articles WHERE id = ?", [article_id]).fetchone()
            if row is None:
                raise ValidationError(f"no article {article_id!r}")
            tokens = stored_tokens(row[1])
            cached = (row[0], tokens, {s for s, _ in tokens}, {e for _, e in tokens})
            self._token_cache[article_id] = cached
            if len(self._token_cache) > 64:
                self._token_cache.popitem(last=False)
        return cached

    def _text_and_tokens(self, article_id: str) -> tuple[str, Tokens]:
        return self._cached_article(article_id)[:2]

    def tokens(self, article_id: str) -> Tokens:
        return self._text_and_tokens(article_id)[1]

    def article_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def article_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM articles ORDER BY seq")]

    def iter_texts(self, article_ids: list[str] | None = None, page: int = 500) -> Iterator[tuple[str, str]]:
        """(text, id) of the given articles (default: all, in import order), read a page at a time."""
        if article_ids is not None:
            for begin in range(0, len(article_ids), page):
                chunk = article_ids[begin:begin + page]
                texts = dict(self._existing("SELECT id, text FROM articles WHERE id IN ({})", chunk))
                for article_id in chunk:
                    if article_id not in texts:
                        raise ValidationError(f"no article {article_id!r}")
                    yield texts[article_id], article_id
            return
        last = 0
        while rows := self.db.execute("SELECT seq, id, text FROM articles WHERE seq > ? ORDER BY seq LIMIT ?",
                                      [last, page]).fetchall():
            for _, article_id, text in rows:
                yield text, article_id
            last = rows[-1][0]

    def find_by_hash(self, digest: str) -> str | None:
        row = self.db.execute("SELECT id FROM articles WHERE text_hash = ?", [digest]).fetchone()
        return row[0] if row else None

    # ---- reading a layer whole (exports) ------------------------------------------------------
    def existing_ids(self, article_ids: list[str]) -> set[str]:
        """Those of the given article ids that are stored."""
        return {row[0] for row in self._existing("SELECT id FROM articles WHERE id IN ({})", list(article_ids))}

    #: articles read at once by iter_layers
    LAYER_PAGE = 200

    def count_layer_articles(self, annotator: str, *, done_only: bool = False,
                             article_ids: list[str] | None = None) -> int:
        """How many articles (of `article_ids`, default all) hold the annotator's layer (marked done,
        with done_only)."""
        done = " AND status = 'done'" if done_only else ""
        if article_ids is None:
            return self.db.execute(f"SELECT count(*) FROM layers WHERE annotator = ?{done}", [annotator]).fetchone()[0]
        counts = self._existing(f"SELECT count(*) FROM layers WHERE annotator = ?{done} AND article_id IN ({{}})",
                                list(dict.fromkeys(article_ids)), [annotator])
        return sum(n for (n,) in counts)

    def iter_layers(self, annotator: str, *, done_only: bool = False, article_ids: list[str] | None = None,
                    page: int | None = None) -> Iterator[tuple[Article, Layer]]:
        """(article, layer) of each article holding the annotator's layer (marked done, with done_only),
        in corpus order, or in the order of `article_ids` (those without the layer are left out). Read
        `page` articles at a time with their entities and quotes (the corpus order is walked by its key,
        so memory does not grow with the corpus)."""
        page = page or self.LAYER_PAGE
        done = " AND {}.status = 'done'" if done_only else ""
        columns = ("SELECT a.*, l.status AS l_status, l.stance AS l_stance, l.answer AS l_answer, "
                   "l.comment AS l_comment, l.flagged AS l_flagged, l.version AS l_version FROM articles a "
                   f"JOIN layers l ON l.article_id = a.id AND l.annotator = ?{done.format('l')}")
        if article_ids is None:
            # the page's articles walked in corpus order from the last key, each asked whether it has the
            # layer: led by the layers, every page would gather and sort all of them (a 100k gold: 70 ms
            # a page instead of 6, and growing with the corpus)
            next_page = ("SELECT p.seq FROM articles p WHERE p.seq > ? AND EXISTS (SELECT 1 FROM layers pl "
                         f"WHERE pl.article_id = p.id AND pl.annotator = ?{done.format('pl')}) ORDER BY p.seq LIMIT ?")
            last = 0
            while rows := list(self.db.query(f"{columns} WHERE a.seq IN ({next_page}) ORDER BY a.seq",
                                             [annotator, last, annotator, page])):
                yield from self._with_layers(rows, annotator)
                last = rows[-1]["seq"]
            return
        wanted = list(dict.fromkeys(article_ids))
        for begin in range(0, len(wanted), page):
            chunk = wanted[begin:begin + page]
            found = {r["id"]: r for r in self.db.query(f"{columns} WHERE a.id IN ({','.join('?' * len(chunk))})",
                                                       [annotator, *chunk])}
            yield from self._with_layers([found[i] for i in chunk if i in found], annotator)

    def _with_layers(self, rows: list[dict], annotator: str) -> Iterator[tuple[Article, Layer]]:
        """Articles and layers of a page of iter_layers rows: their entities and quotes in two queries."""
        ids = [r["id"] for r in rows]
        marks = ",".join("?" * len(ids))
        entities: dict[str, list[Entity]] = {i: [] for i in ids}
        quotes: dict[str, list[Quote]] = {i: [] for i in ids}
        for r in self.db.query(f"SELECT * FROM entities WHERE annotator = ? AND article_id IN ({marks}) "
                               'ORDER BY article_id, start, "end", id', [annotator, *ids]):
            entities[r["article_id"]].append(self._entity_from_row(r))
        for r in self.db.query(f"SELECT * FROM quotes WHERE annotator = ? AND article_id IN ({marks}) "
                               'ORDER BY article_id, start, "end", id', [annotator, *ids]):
            quotes[r["article_id"]].append(self._quote_from_row(r))
        for row in rows:
            layer_row = {key[2:]: row[key] for key in ("l_status", "l_stance", "l_answer", "l_comment", "l_flagged",
                                                       "l_version")}
            yield self._article_from_row(row), self._layer_from_row(layer_row, row["id"], annotator,
                                                                    entities[row["id"]], quotes[row["id"]])

    # ---- validation -----------------------------------------------------------------------
    def _check_span(self, article_id: str, start: int, end: int, what: str) -> None:
        text, _, starts, ends = self._cached_article(article_id)
        if not (isinstance(start, int) and isinstance(end, int)):
            raise ValidationError(f"{article_id}: {what} offsets must be integers, got {start!r}-{end!r}")
        if not 0 <= start < end <= len(text):
            raise ValidationError(
                f"{article_id}: {what} {start}-{end} is outside the text (length {len(text)})"
            )
        if start not in starts or end not in ends:
            raise ValidationError(
                f"{article_id}: {what} {start}-{end} {text[start:end]!r} does not start and end on token boundaries"
            )

    def _check_entity(self, entity: Entity, ignore_id: int | None = None) -> None:
        self._check_span(entity.article_id, entity.start, entity.end, "entity")
        if entity.label not in self.config.label_names:
            raise ValidationError(
                f"{entity.article_id}: unknown entity label {entity.label!r} (known: {', '.join(self.config.label_names)})"
            )
        self._check_source_status(entity.source, entity.status, entity.score)
        if entity.status == "rejected":
            return
        row = self.db.execute(
            'SELECT id, label, start, "end" FROM entities WHERE article_id = ? AND annotator = ? '
            "AND status != 'rejected' AND start < ? AND \"end\" > ? AND id != COALESCE(?, -1) LIMIT 1",
            [entity.article_id, entity.annotator, entity.end, entity.start, ignore_id],
        ).fetchone()
        if row:
            other = Entity(row[0], entity.article_id, entity.annotator, row[2], row[3], row[1])
            text = self._text_and_tokens(entity.article_id)[0]
            raise ValidationError(
                f"{entity.article_id}: entity {entity.start}-{entity.end} {text[entity.start:entity.end]!r} "
                f"overlaps {other.label} {other.start}-{other.end} {text[other.start:other.end]!r}"
            )

    def _check_source_status(self, source: str, status: str, score=None) -> None:
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float)) or score != score):
            raise ValidationError(f"score must be a number, got {score!r}")
        if source not in SOURCES:
            raise ValidationError(f"unknown source {source!r} (known: {', '.join(SOURCES)})")
        if status not in STATUSES:
            raise ValidationError(f"unknown status {status!r} (known: {', '.join(STATUSES)})")

    def _check_quote(self, quote: Quote) -> None:
        self._check_span(quote.article_id, quote.start, quote.end, "quote")
        if quote.kind not in self.config.quote_kinds:
            raise ValidationError(f"{quote.article_id}: unknown quote kind {quote.kind!r}")
        if quote.stance is not None and quote.stance not in self.config.stance_names:
            raise ValidationError(
                f"{quote.article_id}: unknown stance {quote.stance!r} (known: {', '.join(self.config.stance_names)})"
            )
        if quote.speaker is not None:
            self._check_span(quote.article_id, quote.speaker.start, quote.speaker.end, "speaker")
        if quote.cue is not None:
            self._check_span(quote.article_id, quote.cue.start, quote.cue.end, "cue")
        self._check_source_status(quote.source, quote.status, quote.score)

    # ---- layers ---------------------------------------------------------------------------
    def _ensure_annotator(self, name: str) -> None:
        if name not in self._known_annotators:  # once per session: one statement less in each edit
            self._write("INSERT INTO annotators(name, created) VALUES (?, ?) ON CONFLICT DO NOTHING", [name, _now()])
            self._known_annotators.add(name)

    def annotators(self, include_special: bool = False) -> list[str]:
        names = [r[0] for r in self.db.execute("SELECT name FROM annotators ORDER BY name")]
        return names if include_special else [n for n in names if not n.startswith("@")]

    def _layer_row(self, article_id: str, annotator: str) -> dict | None:
        rows = list(self.db.query(
            "SELECT * FROM layers WHERE article_id = ? AND annotator = ?", [article_id, annotator]
        ))
        return rows[0] if rows else None

    @staticmethod
    def _entity_from_row(r: dict) -> Entity:
        return Entity(r["id"], r["article_id"], r["annotator"], r["start"], r["end"], r["label"], r["source"],
                      r["status"], r["score"], r["model"], r.get("version"))

    def _entities(self, article_id: str, annotator: str) -> list[Entity]:
        return [
            self._entity_from_row(r)
            for r in self.db.query(
                'SELECT * FROM entities WHERE article_id = ? AND annotator = ? ORDER BY start, "end", id',
                [article_id, annotator],
            )
        ]

    def _quotes(self, article_id: str, annotator: str) -> list[Quote]:
        return [self._quote_from_row(r) for r in self.db.query(
            'SELECT * FROM quotes WHERE article_id = ? AND annotator = ? ORDER BY start, "end", id',
            [article_id, annotator],
        )]

    @staticmethod
    def _quote_from_row(r: dict) -> Quote:
        speaker = SpanRef(r["speaker_start"], r["speaker_end"], r["speaker_label"]) if r["speaker_start"] is not None else None
        cue = SpanRef(r["cue_start"], r["cue_end"]) if r["cue_start"] is not None else None
        return Quote(r["id"], r["article_id"], r["annotator"], r["start"], r["end"], r["kind"], speaker, cue,
                     r["stance"], r["source"], r["status"], r["score"], r["model"], r.get("version"))

    def has_layer(self, article_id: str, annotator: str) -> bool:
        return self._layer_row(article_id, annotator) is not None

    def open_layer(self, article_id: str, annotator: str) -> Layer:
        """The annotator's layer; on first opening it is seeded with the model's suggestions."""
        if self._layer_row(article_id, annotator) is None:
            self._text_and_tokens(article_id)
            with self.transaction():
                self._ensure_annotator(annotator)
                self._write(
                    "INSERT INTO layers(article_id, annotator, status, updated) VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
                    [article_id, annotator, "new", _now()],
                )
                if annotator != MODEL_LAYER:
                    self._copy_suggestions(article_id, annotator)
        return self.get_layer(article_id, annotator)

    def get_layer(self, article_id: str, annotator: str) -> Layer:
        return self._layer_from_row(self._layer_row(article_id, annotator) or {}, article_id, annotator,
                                    self._entities(article_id, annotator), self._quotes(article_id, annotator))

    @staticmethod
    def _layer_from_row(row: dict, article_id: str, annotator: str, entities: list[Entity],
                        quotes: list[Quote]) -> Layer:
        return Layer(
            article_id=article_id,
            annotator=annotator,
            entities=tuple(entities),
            quotes=tuple(quotes),
            status=row.get("status", "new"),
            stance=row.get("stance"),
            answer=row.get("answer"),
            comment=row.get("comment", ""),
            flagged=bool(row.get("flagged", 0)),
            version=row.get("version") or 0,
        )

    def _copy_suggestions(self, article_id: str, annotator: str) -> int:
        """Copy pending model suggestions into a layer, skipping any that overlap its entities."""
        own = self._entities(article_id, annotator)
        rejected = {(e.start, e.end, e.label) for e in own if e.status == "rejected"}
        # the layer's entities never overlap, so sorted by start their ends are sorted too: one
        # bisection finds the only one a candidate could overlap (linear in the suggestions)
        taken = sorted((e.start, e.end) for e in own if e.status != "rejected")
        copied = 0
        for entity in self._entities(article_id, MODEL_LAYER):
            if not entity.is_pending or (entity.start, entity.end, entity.label) in rejected:
                continue
            i = bisect.bisect_left(taken, (entity.end,))
            if i and overlaps(entity.start, entity.end, *taken[i - 1]):
                continue
            self._insert_entity(entity.with_changes(id=None, annotator=annotator))
            bisect.insort(taken, (entity.start, entity.end))
            copied += 1
        existing = {(q.start, q.end) for q in self._quotes(article_id, annotator)}
        for quote in self._quotes(article_id, MODEL_LAYER):
            if not quote.is_pending or (quote.start, quote.end) in existing:
                continue
            self._insert_quote(quote.with_changes(id=None, annotator=annotator))
            copied += 1
        return copied

    def _touch_layer(self, article_id: str, annotator: str) -> None:
        """Make sure the layer row exists, and mark a new article as in progress."""
        self._ensure_annotator(annotator)
        self._write(
            "INSERT INTO layers(article_id, annotator, status, updated) VALUES (?, ?, 'in_progress', ?) "
            "ON CONFLICT (article_id, annotator) DO UPDATE SET updated = excluded.updated, "
            "status = CASE layers.status WHEN 'new' THEN 'in_progress' ELSE layers.status END",
            [article_id, annotator, _now()],
        )

    # ---- entities -------------------------------------------------------------------------
    def _insert_entity(self, e: Entity) -> int:
        now = _now()
        return self._insert("entities", dict(
            id=e.id, article_id=e.article_id, annotator=e.annotator, start=e.start, end=e.end, label=e.label,
            source=e.source, status=e.status, score=e.score, model=e.model, created=now, updated=now,
            version=_stored_version(e)))

    def get_entity(self, entity_id: int) -> Entity:
        rows = list(self.db.query("SELECT * FROM entities WHERE id = ?", [entity_id]))
        if not rows:
            raise ValidationError(f"no entity #{entity_id}")
        return self._entity_from_row(rows[0])

    def add_item(self, item: Entity | Quote, *, actor: str | None = None) -> Entity | Quote:
        """Store an entity or quote with all its fields, in its article and layer (its id given:
        restore a deleted one, as a version after its last; None: a new one). Copy one elsewhere with
        item.with_changes(...)."""
        return self._add_entity(item, actor) if isinstance(item, Entity) else self._add_quote(item, actor)

    def add_entity(
        self, article_id: str, annotator: str, start: int, end: int, label: str, *,
        source: str = "human", status: str = "accepted", score: float | None = None,
        model: str | None = None, id: int | None = None, actor: str | None = None,
    ) -> Entity:
        """Add an entity (id given: restore a deleted one, e.g. on undo)."""
        return self._add_entity(Entity(id, article_id, annotator, start, end, label, source, status, score, model),
                                actor)

    def _add_entity(self, entity: Entity, actor: str | None) -> Entity:
        article_id, annotator = entity.article_id, entity.annotator
        with self._layer_transaction(article_id, annotator):
            self._check_entity(entity)
            self._touch_layer(article_id, annotator)
            entity = entity.with_changes(id=self._insert_entity(entity), version=_stored_version(entity))
            self._log(actor or annotator, article_id, annotator, "add", "entity", entity.id, after=entity)
        return entity

    def add_entities(self, article_id: str, annotator: str, entities: Iterable[Entity], *,
                     actor: str | None = None) -> list[Entity]:
        """Add many entities to one layer in one transaction, checked together in linear time (import)."""
        entities = [e if (e.id, e.article_id, e.annotator) == (None, article_id, annotator)
                    else e.with_changes(id=None, article_id=article_id, annotator=annotator) for e in entities]
        with self.transaction():
            for e in entities:
                self._check_span(article_id, e.start, e.end, "entity")
                if e.label not in self.config.label_names:
                    raise ValidationError(f"{article_id}: unknown entity label {e.label!r} "
                                          f"(known: {', '.join(self.config.label_names)})")
                self._check_source_status(e.source, e.status, e.score)
            live = [e for e in self._entities(article_id, annotator) if e.status != "rejected"]
            live += [e for e in entities if e.status != "rejected"]
            widest: Entity | None = None  # of the entities so far, the one reaching furthest right
            for e in sorted(live, key=lambda e: (e.start, e.end)):
                if widest is not None and e.start < widest.end:
                    text = self._text_and_tokens(article_id)[0]
                    raise ValidationError(
                        f"{article_id}: entity {e.start}-{e.end} {text[e.start:e.end]!r} overlaps {widest.label} "
                        f"{widest.start}-{widest.end} {text[widest.start:widest.end]!r}")
                if widest is None or e.end > widest.end:
                    widest = e
            self._touch_layer(article_id, annotator)
            stored = []
            for e in entities:
                e = e.with_changes(id=self._insert_entity(e), version=_stored_version(e))
                self._log(actor or annotator, article_id, annotator, "add", "entity", e.id, after=e)
                stored.append(e)
        return stored

    def update_entity(self, entity_id: int, *, actor: str | None = None, version: int | None = None,
                      **changes) -> Entity:
        """Change label, bounds or status of an entity. With `version` (the entity's version the caller
        read), StaleEditError when another session changed or deleted it since."""
        allowed = {"label", "start", "end", "status", "source", "score"}
        if set(changes) - allowed:
            raise ValidationError(f"cannot change {sorted(set(changes) - allowed)} of an entity")
        with self._layer_transaction(*self._layer_of("entity", entity_id, version)):
            before = self._current_item("entity", entity_id, version)  # read and written under one lock
            after = before.with_changes(**changes)
            self._check_entity(after, ignore_id=entity_id)
            self._touch_layer(after.article_id, after.annotator)
            columns = {name: getattr(after, name) for name in changes if getattr(after, name) != getattr(before, name)}
            self._update_row("entity", before, columns)
            after = after.with_changes(version=before.version + 1)
            self._log(actor or after.annotator, after.article_id, after.annotator, "update", "entity", entity_id,
                      before=before, after=after)
        return after

    def delete_or_reject_entity(self, entity_id: int, *, actor: str | None = None,
                                version: int | None = None) -> Entity:
        """Delete a human span; a machine suggestion is rejected instead, so it stays stored. With
        `version`: StaleEditError when another session changed or deleted it since."""
        with self._layer_transaction(*self._layer_of("entity", entity_id, version)):
            before = self._current_item("entity", entity_id, version)
            if before.is_machine_suggestion:
                return self.update_entity(entity_id, status="rejected", actor=actor, version=version)
            self._touch_layer(before.article_id, before.annotator)
            self._delete_row("entity", before)
            self._log(actor or before.annotator, before.article_id, before.annotator, "delete", "entity", entity_id,
                      before=before)
        return before

    # ---- row versions ---------------------------------------------------------------------
    ITEM_TABLES = {"entity": "entities", "quote": "quotes"}

    def _current_item(self, kind: str, item_id: int, seen: int | None) -> Entity | Quote:
        """The stored entity or quote (inside the caller's transaction); StaleEditError when the caller
        edits a version `seen` that is no longer the stored one, or one deleted since."""
        try:
            item = self.get_entity(item_id) if kind == "entity" else self.get_quote(item_id)
        except ValidationError:
            if seen is None:
                raise
            self._stale(kind, item_id, seen, None, None, None)
        if seen is not None and item.version != seen:
            self._stale(kind, item_id, seen, item, item.article_id, item.annotator)
        return item

    def _layer_of(self, kind: str, item_id: int, seen: int | None) -> tuple[str | None, str | None]:
        """On a server, the article and layer of an entity or quote (they never change), read before
        its transaction takes the layer's lock (as _current_item when it is gone); else (None, None)."""
        if not self.server or self.db.conn.in_transaction:
            return None, None
        item = self._current_item(kind, item_id, seen)
        return item.article_id, item.annotator

    def _update_row(self, kind: str, item: Entity | Quote, columns: dict) -> None:
        """Write only the columns that change (and the time), so a concurrent edit of others stays; only
        onto the version read (a writer outside the store that changed it meanwhile is not overwritten)."""
        sets = "".join(f'"{name}" = ?, ' for name in columns)
        cur = self._write(f"UPDATE {self.ITEM_TABLES[kind]} SET {sets}updated = ? WHERE id = ? AND version = ?",
                          [*columns.values(), _now(), item.id, item.version])
        if cur.rowcount != 1:
            self._stale(kind, item.id, item.version, None, item.article_id, item.annotator)

    def _delete_row(self, kind: str, item: Entity | Quote) -> None:
        """Delete the version read of an entity or quote (see _update_row)."""
        cur = self._write(f"DELETE FROM {self.ITEM_TABLES[kind]} WHERE id = ? AND version = ?", [item.id, item.version])
        if cur.rowcount != 1:
            self._stale(kind, item.id, item.version, None, item.article_id, item.annotator)

    def _current_layer(self, article_id: str, annotator: str, seen: int | None) -> Layer:
        """The stored layer (inside the caller's transaction); StaleEditError when the caller edits a
        version `seen` of its fields that is no longer the stored one."""
        layer = self.get_layer(article_id, annotator)
        if seen is not None and layer.version != seen:
            self._stale("layer", None, seen, layer, article_id, annotator)
        return layer

    def _stale(self, kind: str, item_id: int | None, seen: int | None, current: Entity | Quote | Layer | None,
               article_id: str | None, layer: str | None) -> None:
        """Raise the StaleEditError that says what changed since version `seen`, by whom and when."""
        last = self._last_edit(kind, item_id, article_id, layer)
        actor, ts = (last["actor"], last["ts"]) if last else (None, None)
        if article_id is None and last:
            article_id, layer = last["article_id"], last["layer"]
        if kind == "layer":
            what = f"{article_id}: the status, stance, answer or comment of {layer}'s layer"
        else:
            what = f"{article_id or 'an article'}: {kind} #{item_id}" + (f" in {layer}'s layer" if layer else "")
            if isinstance(current, Entity):
                text = self._text_and_tokens(current.article_id)[0]
                what += f" ({current.label} {text[current.start:current.end]!r})"
        done = "deleted" if current is None else "changed"
        who = f" by {actor} at {ts}" if actor else ""
        now = "" if current is None else f", it is now version {current.version}"
        read = f"you edited version {seen}" if seen is not None else "you had not seen it"
        raise StaleEditError(f"{what} was {done}{who} since you read it ({read}{now}); your "
                             "change was not stored: reload the article to see theirs",
                             target=kind, target_id=item_id, seen=seen,
                             current=None if current is None else current.version, actor=actor, ts=ts)

    def _last_edit(self, kind: str, item_id: int | None, article_id: str | None, layer: str | None) -> dict | None:
        """The edit-log row of the latest change of an entity or quote (its own rows, or a bulk row
        listing its id), or of a layer's fields."""
        if kind == "layer":
            rows = list(self.db.query("SELECT * FROM edit_log WHERE article_id = ? AND layer = ? AND target = 'layer' "
                                      "ORDER BY id DESC LIMIT 1", [article_id, layer]))
            return rows[0] if rows else None
        own = list(self.db.query("SELECT * FROM edit_log WHERE target_id = ? AND target = ? ORDER BY id DESC LIMIT 1",
                                 [item_id, kind]))
        last = own[0] if own else None
        if article_id is not None:
            bulk = self.db.query("SELECT * FROM edit_log WHERE article_id = ? AND layer = ? AND target = ? "
                                 "AND target_id IS NULL AND id > ? ORDER BY id DESC LIMIT 100",
                                 [article_id, layer, kind, last["id"] if last else 0])
            for row in bulk:
                listed = json.loads(row["before"] or "{}")
                if isinstance(listed, dict) and item_id in listed.get("ids", ()):
                    return row
        return last

    # ---- quotes ---------------------------------------------------------------------------
    def _insert_quote(self, q: Quote) -> int:
        now = _now()
        return self._insert("quotes", dict(
            id=q.id, article_id=q.article_id, annotator=q.annotator, start=q.start, end=q.end, kind=q.kind,
            speaker_start=q.speaker.start if q.speaker else None, speaker_end=q.speaker.end if q.speaker else None,
            speaker_label=q.speaker.label if q.speaker else None,
            cue_start=q.cue.start if q.cue else None, cue_end=q.cue.end if q.cue else None,
            stance=q.stance, source=q.source, status=q.status, score=q.score, model=q.model, created=now, updated=now,
            version=_stored_version(q)))

    def get_quote(self, quote_id: int) -> Quote:
        rows = list(self.db.query("SELECT * FROM quotes WHERE id = ?", [quote_id]))
        if not rows:
            raise ValidationError(f"no quote #{quote_id}")
        return self._quote_from_row(rows[0])

    def add_quote(
        self, article_id: str, annotator: str, start: int, end: int, *, kind: str = "direct",
        speaker: SpanRef | None = None, cue: SpanRef | None = None, stance: str | None = None,
        source: str = "human", status: str = "accepted", score: float | None = None,
        model: str | None = None, id: int | None = None, actor: str | None = None,
    ) -> Quote:
        return self._add_quote(Quote(id, article_id, annotator, start, end, kind, speaker, cue, stance, source, status,
                                     score, model), actor)

    def _add_quote(self, quote: Quote, actor: str | None) -> Quote:
        article_id, annotator = quote.article_id, quote.annotator
        self._check_quote(quote)
        with self._layer_transaction(article_id, annotator):
            self._touch_layer(article_id, annotator)
            quote = quote.with_changes(id=self._insert_quote(quote), version=_stored_version(quote))
            self._log(actor or annotator, article_id, annotator, "add", "quote", quote.id, after=quote)
        return quote

    def update_quote(self, quote_id: int, *, actor: str | None = None, version: int | None = None,
                     **changes) -> Quote:
        """Change bounds, kind, speaker, cue, stance or status of a quote. With `version` (the quote's
        version the caller read), StaleEditError when another session changed or deleted it since."""
        allowed = {"start", "end", "kind", "speaker", "cue", "stance", "status", "source", "score"}
        if set(changes) - allowed:
            raise ValidationError(f"cannot change {sorted(set(changes) - allowed)} of a quote")
        with self._layer_transaction(*self._layer_of("quote", quote_id, version)):
            before = self._current_item("quote", quote_id, version)  # read and written under one lock
            after = before.with_changes(**changes)
            self._check_quote(after)
            self._touch_layer(after.article_id, after.annotator)
            columns = {}
            for name in changes:
                value = getattr(after, name)
                if value == getattr(before, name):
                    continue
                if name in ("speaker", "cue"):
                    columns[f"{name}_start"] = value.start if value else None
                    columns[f"{name}_end"] = value.end if value else None
                    if name == "speaker":
                        columns["speaker_label"] = value.label if value else None
                else:
                    columns[name] = value
            self._update_row("quote", before, columns)
            after = after.with_changes(version=before.version + 1)
            self._log(actor or after.annotator, after.article_id, after.annotator, "update", "quote", quote_id,
                      before=before, after=after)
        return after

    def delete_or_reject_quote(self, quote_id: int, *, actor: str | None = None,
                               version: int | None = None) -> Quote:
        """Delete a human quote; a machine suggestion is rejected instead, so it stays stored. With
        `version`: StaleEditError when another session changed or deleted it since."""
        with self._layer_transaction(*self._layer_of("quote", quote_id, version)):
            before = self._current_item("quote", quote_id, version)
            if before.is_machine_suggestion:
                return self.update_quote(quote_id, status="rejected", actor=actor, version=version)
            self._touch_layer(before.article_id, before.annotator)
            self._delete_row("quote", before)
            self._log(actor or before.annotator, before.article_id, before.annotator, "delete", "quote", quote_id,
                      before=before)
        return before

    # ---- article-level state --------------------------------------------------------------
    def _update_layer(self, article_id: str, annotator: str, actor: str | None, version: int | None,
                      **fields) -> Layer:
        """Set fields of a layer; with `version` (of the layer the caller read), StaleEditError when
        another session changed its fields since."""
        self._text_and_tokens(article_id)
        with self._layer_transaction(article_id, annotator):
            before = self._current_layer(article_id, annotator, version)
            self._touch_layer(article_id, annotator)
            sets = ", ".join(f"{k} = ?" for k in fields)
            cur = self._write(
                f"UPDATE layers SET {sets}, updated = ? WHERE article_id = ? AND annotator = ? AND version = ?",
                [*fields.values(), _now(), article_id, annotator, before.version],
            )
            if cur.rowcount != 1:  # a writer outside the store changed it meanwhile
                self._stale("layer", None, before.version, self.get_layer(article_id, annotator), article_id, annotator)
            self._log(actor or annotator, article_id, annotator, "set", "layer", None,
                      before={k: getattr(before, k) for k in fields}, after=fields)
        return self.get_layer(article_id, annotator)

    # Each setter of a layer's fields takes the `version` of the layer the caller read (Layer.version):
    # given, the change is refused with StaleEditError when another session changed the fields since.
    def set_article_stance(self, article_id: str, annotator: str, stance: str | None, *, actor: str | None = None,
                           version: int | None = None) -> Layer:
        if stance is not None and stance not in self.config.stance_names:
            raise ValidationError(f"{article_id}: unknown stance {stance!r}")
        return self._update_layer(article_id, annotator, actor, version, stance=stance)

    def set_status(self, article_id: str, annotator: str, status: str, *, actor: str | None = None,
                   version: int | None = None, pending: Iterable[Entity | Quote] | None = None) -> Layer:
        """Set an article's status in a layer. Marking a person's layer done applies the project's
        `done_with_pending` rule to the suggestions still pending there, in the same transaction:
        "accept" accepts each (edit-log action `accept-on-done`); "refuse" raises PendingError.
        Data transfers (actors `@import`, `@merge` …) always accept: they carry decisions made elsewhere.
        `pending`: the pending suggestions as the caller read them (see accept_all)."""
        if status not in ARTICLE_STATUSES:
            raise ValidationError(f"unknown article status {status!r} (known: {', '.join(ARTICLE_STATUSES)})")
        answer = "accept" if status == "done" else None
        with self._layer_transaction(article_id, annotator):
            self._current_layer(article_id, annotator, version)
            if status == "done" and pending is not None:
                self._check_pending(article_id, annotator, pending)
            if status == "done" and not annotator.startswith("@"):
                count = self.pending_count(article_id, annotator)
                if count and self.config.done_with_pending == "refuse" and not (actor or "").startswith("@"):
                    raise PendingError(
                        f"{article_id}: {count} suggestion{'s are' if count != 1 else ' is'} still pending; "
                        "accept or reject each before marking the article done (project setting "
                        "done_with_pending = \"refuse\")", count)
                if count:
                    self._accept_pending(article_id, annotator, actor or annotator, ACCEPT_ON_DONE)
            return self._update_layer(article_id, annotator, actor, version, status=status, answer=answer)

    def pending_count(self, article_id: str, annotator: str) -> int:
        """Suggestions of the layer nobody has accepted or rejected yet."""
        return sum(self.db.execute(
            f"SELECT count(*) FROM {table} WHERE article_id = ? AND annotator = ? AND status = 'suggested'",
            [article_id, annotator]).fetchone()[0] for table in ("entities", "quotes"))

    def set_answer(self, article_id: str, annotator: str, answer: str | None, *, actor: str | None = None,
                   version: int | None = None) -> Layer:
        if answer not in (None, "accept", "reject", "ignore"):
            raise ValidationError(f"unknown answer {answer!r}")
        return self._update_layer(article_id, annotator, actor, version, answer=answer)

    def set_comment(self, article_id: str, annotator: str, comment: str, flagged: bool | None = None,
                    *, actor: str | None = None, version: int | None = None) -> Layer:
        fields: dict = {"comment": comment}
        if flagged is not None:
            fields["flagged"] = int(flagged)
        return self._update_layer(article_id, annotator, actor, version, **fields)

    def accept_all(self, article_id: str, annotator: str, *, actor: str | None = None,
                   pending: Iterable[Entity | Quote] | None = None) -> int:
        """Accept every pending suggestion of the layer in one transaction. `pending`: the pending
        suggestions as the caller read them; StaleEditError (nothing accepted) when another session
        changed, decided or deleted one of them since, or another is pending now."""
        with self._layer_transaction(article_id, annotator):
            if pending is not None:
                self._check_pending(article_id, annotator, pending)
            self._touch_layer(article_id, annotator)
            return self._accept_pending(article_id, annotator, actor or annotator, "accept_all")

    def _accept_pending(self, article_id: str, annotator: str, actor: str, action: str) -> int:
        """Accept the layer's pending suggestions (inside the caller's transaction), one edit-log row
        per table listing the ids; returns how many."""
        n = 0
        for table in ("entities", "quotes"):
            ids = [r[0] for r in self.db.execute(
                f"SELECT id FROM {table} WHERE article_id=? AND annotator=? AND status='suggested'",
                [article_id, annotator])]
            if not ids:
                continue
            self._write(
                f"UPDATE {table} SET status='accepted', updated=? WHERE article_id=? AND annotator=? AND status='suggested'",
                [_now(), article_id, annotator],
            )
            self._log(actor, article_id, annotator, action, "entity" if table == "entities" else "quote", None,
                      before={"ids": ids, "status": "suggested"}, after={"ids": ids, "status": "accepted"})
            n += len(ids)
        return n

    def _check_pending(self, article_id: str, annotator: str, seen: Iterable[Entity | Quote]) -> None:
        """StaleEditError unless the layer's pending suggestions are exactly `seen`, at the versions read."""
        read = {(_kind(x), x.id): x.version for x in seen}
        for (kind, item_id), version in read.items():
            self._current_item(kind, item_id, version)  # changed (so decided too) or deleted since
        for item in self.get_layer(article_id, annotator).pending():
            if (_kind(item), item.id) not in read:
                self._stale(_kind(item), item.id, None, item, article_id, annotator)

    # ---- whole layers and the edit log -----------------------------------------------------
    def write_layer(self, layer: Layer, *, exists: bool = True, actor: str | None = None,
                    expected: Layer | None = None) -> Layer:
        """Make the stored layer (layer.article_id, layer.annotator) hold exactly `layer`: items it
        lacks are deleted, its items are written back with their ids, and its status, stance, answer,
        comment and flag are set as they are (no Done rule: this restores a copy read by get_layer,
        e.g. to undo a review decision). exists=False: the layer row goes too. One transaction;
        edit-log action "write_layer". `expected`: the layer as the caller last read or wrote it;
        StaleEditError (nothing written) when another session changed it since. Returns the layer
        as stored now."""
        article_id, annotator = layer.article_id, layer.annotator
        actor = actor or annotator
        with self.transaction():
            current = self.get_layer(article_id, annotator)
            if expected is not None:
                self._check_layer_unchanged(expected, current)
            for table, kind, now, then, insert in (
                    ("entities", "entity", current.entities, layer.entities, self._insert_entity),
                    ("quotes", "quote", current.quotes, layer.quotes, self._insert_quote)):
                replaced = {}
                for item in set(now) - set(then):
                    self._write(f"DELETE FROM {table} WHERE id = ?", [item.id])
                    self._log(actor, article_id, annotator, "write_layer", kind, item.id, before=item)
                    replaced[item.id] = item.version
                for item in set(then) - set(now):
                    # back with its id: a version after both the one written back and the one it replaces
                    item_id = insert(item.with_changes(version=max(item.version or 0, replaced.get(item.id, 0))))
                    self._log(actor, article_id, annotator, "write_layer", kind, item_id, after=item)
            if not exists:
                self._write("DELETE FROM layers WHERE article_id = ? AND annotator = ?", [article_id, annotator])
                self._log(actor, article_id, annotator, "write_layer", "layer", None,
                          before={"status": current.status}, after=None)
                return self.get_layer(article_id, annotator)
            self._touch_layer(article_id, annotator)
            fields = {"status": layer.status, "stance": layer.stance, "answer": layer.answer,
                      "comment": layer.comment, "flagged": int(layer.flagged)}
            self._write(f"UPDATE layers SET {', '.join(f'{k} = ?' for k in fields)}, updated = ? "
                        "WHERE article_id = ? AND annotator = ?", [*fields.values(), _now(), article_id, annotator])
            self._log(actor, article_id, annotator, "write_layer", "layer", None,
                      before={k: getattr(current, k) for k in fields}, after=fields)
            return self.get_layer(article_id, annotator)

    def _check_layer_unchanged(self, expected: Layer, current: Layer) -> None:
        """StaleEditError naming the first difference when the stored layer `current` is no longer
        `expected` (an item added, changed or deleted; its fields changed)."""
        article_id, annotator = current.article_id, current.annotator
        now = {(_kind(x), x.id): x for x in (*current.entities, *current.quotes)}
        then = {(_kind(x), x.id): x.version for x in (*expected.entities, *expected.quotes)}
        for (what, item_id), version in then.items():
            if (what, item_id) not in now or now[what, item_id].version != version:
                self._stale(what, item_id, version, now.get((what, item_id)), article_id, annotator)
        for (what, item_id), item in now.items():
            if (what, item_id) not in then:
                self._stale(what, item_id, None, item, article_id, annotator)
        if current.version != expected.version:
            self._stale("layer", None, expected.version, current, article_id, annotator)

    def delete_layer(self, article_id: str, annotator: str, *, actor: str, action: str = "delete_layer") -> Layer:
        """Remove a layer and its items; the edit-log row (`action`) keeps what it held. Returns it."""
        with self.transaction():
            layer = self.get_layer(article_id, annotator)
            for table in ("entities", "quotes"):
                self._write(f"DELETE FROM {table} WHERE article_id = ? AND annotator = ?", [article_id, annotator])
            self._write("DELETE FROM layers WHERE article_id = ? AND annotator = ?", [article_id, annotator])
            self._log(actor, article_id, annotator, action, "layer", None,
                      before={"entities": list(layer.entities), "quotes": list(layer.quotes)})
        return layer

    def log_event(self, actor: str, article_id: str | None, layer: str | None, action: str,
                  target: str | None = None, *, before=None, after=None) -> None:
        """An edit-log row for an event that is no single edit (a merge bringing a layer …)."""
        with self.transaction():
            self._log(actor, article_id, layer, action, target, None, before=before, after=after)

    def copy_history(self, article_id: str, layer: str, rows: Iterable[tuple]) -> int:
        """Append another database's edit-log rows (ts, actor, action, target, before, after: JSON
        text as stored there) as this article's and layer's history. Returns how many."""
        n = 0
        with self.transaction():
            for ts, actor, action, target, before, after in rows:
                self._changes.add(article_id, layer, None, None, None)
                self._write("INSERT INTO edit_log(ts, actor, article_id, layer, action, target, target_id, before, "
                            "after) VALUES (COALESCE(?, ?), ?, ?, ?, ?, ?, NULL, ?, ?)",
                            [ts, _now(), actor, article_id, layer, action, target, before, after])
                n += 1
        return n

    def redate_log(self, times: dict[int, str]) -> None:
        """Give edit-log rows (by id) another time: demo data made to look as if the work took days."""
        with self.transaction():
            for row_id, ts in times.items():
                self._write("UPDATE edit_log SET ts = ? WHERE id = ?", [ts, row_id])

    # ---- suggestions ----------------------------------------------------------------------
    def replace_suggestions(
        self, article_id: str, entities: Iterable[Entity], quotes: Iterable[Quote], *, model: str | None = None
    ) -> int:
        """Store a new model run for an article: old pending suggestions are replaced, in the model
        layer and in every annotator layer; accepted, rejected and human work is never touched."""
        entities = [e.with_changes(id=None, article_id=article_id, annotator=MODEL_LAYER, status="suggested",
                                   model=model or e.model) for e in entities]
        quotes = [q.with_changes(id=None, article_id=article_id, annotator=MODEL_LAYER, status="suggested",
                                 model=model or q.model) for q in quotes]
        for e in entities:
            self._check_span(article_id, e.start, e.end, "entity")
            if e.label not in self.config.label_names:
                raise ValidationError(f"{article_id}: unknown entity label {e.label!r}")
        for q in quotes:
            self._check_quote(q)
        with self.transaction():
            self._ensure_annotator(MODEL_LAYER)
            self._write(
                "INSERT INTO layers(article_id, annotator, status, updated) VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
                [article_id, MODEL_LAYER, "done", _now()],
            )
            layers = [r[0] for r in self.db.execute(
                "SELECT annotator FROM layers WHERE article_id = ?", [article_id])]
            removed = {}
            for layer in layers:
                for table in ("entities", "quotes"):
                    cur = self._write(
                        f"DELETE FROM {table} WHERE article_id=? AND annotator=? AND status='suggested' AND source!='human'",
                        [article_id, layer],
                    )
                    removed[f"{layer}:{table}"] = cur.rowcount
            kept: list[Entity] = []
            for e in sorted(entities, key=lambda e: (e.start, -e.end)):
                if not any(overlaps(e.start, e.end, k.start, k.end) for k in kept):
                    self._insert_entity(e)
                    kept.append(e)
            for q in quotes:
                self._insert_quote(q)
            for layer in layers:
                if layer != MODEL_LAYER:
                    self._copy_suggestions(article_id, layer)
            self._log("@model", article_id, MODEL_LAYER, "replace_suggestions", None, None,
                      before={"removed": removed}, after={"entities": len(kept), "quotes": len(quotes), "model": model})
        return len(kept) + len(quotes)

    # ---- browsing -------------------------------------------------------------------------
    def _browse_where(self, annotator: str, status: str | None, pending: bool, no_stance: bool,
                      search: str | None) -> tuple[str, list]:
        clauses, params = [], []
        if status:
            if status == "new":
                clauses.append("COALESCE(l.status, 'new') = 'new'")
            else:
                clauses.append("l.status = ?")
                params.append(status)
        layer = "CASE WHEN l.article_id IS NULL THEN '@model' ELSE ? END"
        if pending and self._few_suggested():  # then look only at their articles (a 1M corpus: 0.4 s -> 1 ms)
            clauses.append("a.id IN (SELECT article_id FROM entities WHERE status = 'suggested' "
                           "UNION SELECT article_id FROM quotes WHERE status = 'suggested')")
        if pending:
            clauses.append(
                f"(EXISTS (SELECT 1 FROM entities e WHERE e.article_id=a.id AND e.annotator={layer} AND e.status='suggested') "
                f"OR EXISTS (SELECT 1 FROM quotes q WHERE q.article_id=a.id AND q.annotator={layer} AND q.status='suggested'))"
            )
            params += [annotator, annotator]
        if no_stance and self._few_quotes():  # then look only at their articles (a 1M corpus: 0.26 s -> ms)
            clauses.append("a.id IN (SELECT article_id FROM quotes WHERE stance IS NULL AND status != 'rejected')")
        if no_stance:
            clauses.append(
                f"EXISTS (SELECT 1 FROM quotes q WHERE q.article_id=a.id AND q.annotator={layer} "
                "AND q.stance IS NULL AND q.status != 'rejected')"
            )
            params.append(annotator)
        if search and search.strip():
            if self.server:
                clause, query = self.server.search_clause(search)
                clauses.append(clause)
                params.append(query)
            else:  # the articles come from the full-text index (see _browse_from)
                clauses.append("articles_fts MATCH ?")
                params.append(_fts_query(search))
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def _browse_from(self, search: str | None) -> tuple[str, str]:
        """(FROM clause, corpus-order key) of the browser's queries: with a search on SQLite, the FTS5
        index leads, walked in rowid (= seq) order, so a word in most of a 1M corpus gives its first
        page without collecting every match first (a server searches with the clause of _browse_where)."""
        if search and search.strip() and not self.server:
            return "articles_fts f JOIN articles a ON a.seq = f.rowid", "f.rowid"
        return "articles a", "a.seq"

    #: Below this many suggested entities and quotes, the pending filter starts from them (partial
    #: indexes of schema 5); above, from the articles in order (the first page comes quickly).
    FEW_SUGGESTED = 20_000

    def _few_suggested(self) -> bool:
        found = 0
        for table in ("entities", "quotes"):
            found += self.db.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE status = 'suggested' "
                                     "LIMIT ?) AS found", [self.FEW_SUGGESTED]).fetchone()[0]
        return found < self.FEW_SUGGESTED

    def _few_quotes(self) -> bool:
        """Fewer than FEW_SUGGESTED quotes without a stance (not rejected) in all: the no-stance filter
        starts from them (the partial index quotes_no_stance of schema 7); above, from the articles in
        order, where such quotes are common enough that the first page comes quickly."""
        return self.db.execute("SELECT count(*) FROM (SELECT 1 FROM quotes WHERE stance IS NULL AND status != 'rejected' "
                               "LIMIT ?) AS found", [self.FEW_SUGGESTED]).fetchone()[0] < self.FEW_SUGGESTED

    def count_articles(self, annotator: str, *, status: str | None = None, pending: bool = False,
                       no_stance: bool = False, search: str | None = None, at_most: int | None = None) -> int:
        """How many articles the browser's filters keep; with `at_most`, counting stops there (a search
        word found in most of a 1M corpus takes seconds to count whole: show "10,000+" instead)."""
        where, params = self._browse_where(annotator, status, pending, no_stance, search)
        if not (status or pending or no_stance):  # the layer is not asked about: no join
            if search and search.strip() and not self.server:  # the FTS5 index alone
                sql, params = "SELECT 1 FROM articles_fts WHERE articles_fts MATCH ?", [_fts_query(search)]
            else:
                sql = f"SELECT 1 FROM articles a{where}"
        else:
            sql, params = (f"SELECT 1 FROM {self._browse_from(search)[0]} LEFT JOIN layers l ON l.article_id = a.id "
                           f"AND l.annotator = ?{where}", [annotator, *params])
        if at_most is not None:
            sql, params = f"SELECT count(*) FROM ({sql} LIMIT ?) AS found", [*params, at_most]  # PostgreSQL < 16 wants the name
        else:  # count(*) of the table itself: SQLite counts the smallest index
            sql = sql.replace("SELECT 1 ", "SELECT count(*) ", 1)
        try:
            return self.db.execute(sql, params).fetchone()[0]
        except sqlite3.OperationalError as exc:
            raise StoreError(f"search {search!r}: {exc}") from None

    @staticmethod
    def _rows_sql(where: str, source: str = "articles a") -> str:
        """The article browser's row query: id, title, source, date, counts, the annotator's status and
        flag, and the gold layer's flag and comment (a gold reopened by a merge is flagged)
        (parameters: annotator three times, then those of `where`)."""
        layer = "CASE WHEN l.article_id IS NULL THEN '@model' ELSE ? END"
        return f"""SELECT a.seq, a.id, a.title, a.source, a.date,
            COALESCE(l.status, 'new') AS status, l.flagged AS flagged,
            (SELECT count(*) FROM entities e WHERE e.article_id=a.id AND e.annotator={layer} AND e.status!='rejected') AS entities,
            (SELECT count(*) FROM quotes q WHERE q.article_id=a.id AND q.annotator={layer} AND q.status!='rejected') AS quotes,
            g.flagged AS gold_flagged, g.comment AS gold_comment
            FROM {source} LEFT JOIN layers l ON l.article_id = a.id AND l.annotator = ?
            LEFT JOIN layers g ON g.article_id = a.id AND g.annotator = '{GOLD_LAYER}'{where}"""

    def list_articles(self, annotator: str, offset: int = 0, limit: int = 200, *, after: int | None = None,
                      status: str | None = None, pending: bool = False, no_stance: bool = False,
                      search: str | None = None, from_end: bool = False) -> list[dict]:
        """Rows for the article browser, in corpus order: seq, id, title, source, date, counts and status.
        `after`: the rows after the one of this seq (the last row of the page before: keyset paging,
        as fast deep in a 1M corpus as at its start), then `offset` rows skipped. `from_end`: `offset`
        counts from the last row (the end of a 1M list is as near as its start)."""
        where, params = self._browse_where(annotator, status, pending, no_stance, search)
        source, key = self._browse_from(search)
        if after is not None:
            where, params = f"{where} AND {key} > ?" if where else f" WHERE {key} > ?", [*params, after]
        # the page's articles first, then their rows: PostgreSQL would count the entities and quotes
        # of every article that OFFSET skips (the middle page of 100,000: 3 s instead of 40 ms)
        page = (f"SELECT a.seq FROM {source} LEFT JOIN layers l ON l.article_id = a.id AND l.annotator = ?{where} "
                f"ORDER BY {key}{' DESC' if from_end else ''} LIMIT ? OFFSET ?")
        try:
            return list(self.db.query(f"{self._rows_sql(f' WHERE a.seq IN ({page})')} ORDER BY a.seq",
                                      [annotator, annotator, annotator, annotator, *params, limit, offset]))
        except sqlite3.OperationalError as exc:
            raise StoreError(f"search {search!r}: {exc}") from None

    def articles_by_ids(self, annotator: str, ids: list[str]) -> list[dict]:
        """Browser rows of these articles, in this order (unknown ids are left out)."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        found = {r["id"]: r for r in self.db.query(self._rows_sql(f" WHERE a.id IN ({marks})"),
                                                   [annotator, annotator, annotator, *ids])}
        return [found[i] for i in ids if i in found]

    def matching_ids(self, annotator: str, *, status: str | None = None, pending: bool = False,
                     no_stance: bool = False, search: str | None = None) -> set[str]:
        """Ids of the articles that the browser's filters keep."""
        where, params = self._browse_where(annotator, status, pending, no_stance, search)
        sql = (f"SELECT a.id FROM {self._browse_from(search)[0]} LEFT JOIN layers l ON l.article_id = a.id "
               f"AND l.annotator = ?{where}")
        try:
            return {r[0] for r in self.db.execute(sql, [annotator, *params])}
        except sqlite3.OperationalError as exc:
            raise StoreError(f"search {search!r}: {exc}") from None

    def done_of_total(self, annotator: str) -> tuple[int, int]:
        """(done, total) articles for an annotator."""
        done = self.db.execute(
            "SELECT count(*) FROM layers WHERE annotator = ? AND status = 'done'", [annotator]).fetchone()[0]
        return done, self.article_count()

    def next_article(self, article_id: str | None, annotator: str, *, step: int = 1, not_done: bool = False) -> str | None:
        """The article after (step=1) or before (step=-1) `article_id` in corpus order."""
        seq = 0 if article_id is None else self.db.execute(
            "SELECT seq FROM articles WHERE id = ?", [article_id]).fetchone()[0]
        op, order = (">", "ASC") if step > 0 else ("<", "DESC")
        if article_id is None and step < 0:
            op, seq = ">", 0
        filter_ = " AND COALESCE(l.status, 'new') != 'done'" if not_done else ""
        row = self.db.execute(
            f"SELECT a.id FROM articles a LEFT JOIN layers l ON l.article_id = a.id AND l.annotator = ? "
            f"WHERE a.seq {op} ?{filter_} ORDER BY a.seq {order} LIMIT 1",
            [annotator, seq],
        ).fetchone()
        return row[0] if row else None

    def position(self, article_id: str) -> int:
        """1-based position of an article in corpus order."""
        return self.db.execute(
            "SELECT count(*) FROM articles WHERE seq <= (SELECT seq FROM articles WHERE id = ?)", [article_id]
        ).fetchone()[0]

    def edit_log(self, article_id: str | None = None, limit: int = 1000) -> list[dict]:
        if article_id is None:
            return list(self.db.query("SELECT * FROM edit_log ORDER BY id DESC LIMIT ?", [limit]))
        return list(self.db.query(
            "SELECT * FROM edit_log WHERE article_id = ? ORDER BY id DESC LIMIT ?", [article_id, limit]))

    def layers_of(self, article_id: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT annotator FROM layers WHERE article_id = ? ORDER BY annotator", [article_id])]

    # ---- copying a whole project ----------------------------------------------------------
    COPIED_TABLES = {  # in an order that satisfies the foreign keys; the columns of every backend
        "meta": ("key", "value"),
        "annotators": ("name", "created"),
        "articles": ("seq", "id", "title", "text", "source", "date", "url", "meta", "text_hash", "tokens", "created"),
        "layers": ("article_id", "annotator", "status", "stance", "answer", "comment", "flagged", "updated",
                   "version"),
        "entities": ("id", "article_id", "annotator", "start", "end", "label", "source", "status", "score", "model",
                     "created", "updated", "version"),
        "quotes": ("id", "article_id", "annotator", "start", "end", "kind", "speaker_start", "speaker_end",
                   "speaker_label", "cue_start", "cue_end", "stance", "source", "status", "score", "model",
                   "created", "updated", "version"),
        "edit_log": ("id", "ts", "actor", "article_id", "layer", "action", "target", "target_id", "before", "after"),
    }

    def copy_from(self, source: "Store", *, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
        """Fill this new, empty database with every row of `source` (another backend too), ids,
        times and edit log included, in one transaction. Returns the rows copied per table."""
        if self.article_count() or self.db.execute("SELECT count(*) FROM edit_log").fetchone()[0]:
            raise StoreError(f"{self.label}: already holds a project; copy only into a new, empty database")
        source_version = source.get_meta("schema_version")
        if source_version != str(SCHEMA_VERSION):
            raise StoreError(f"{source.label}: schema {source_version}, this annotator copies schema {SCHEMA_VERSION} "
                             "(open it once with this version to migrate it)")
        counts = {}
        with self.transaction():
            self._write("DELETE FROM meta")  # the configuration comes with the project
            self._write("DELETE FROM annotators")
            for table, columns in self.COPIED_TABLES.items():
                names = ", ".join(f'"{c}"' for c in columns)
                order = "" if table == "meta" else f" ORDER BY {columns[0]}"
                rows = source.db.execute(f"SELECT {names} FROM {table}{order}")
                insert = f"INSERT INTO {table}({names}) VALUES ({','.join('?' * len(columns))})"
                counts[table] = 0
                while batch := rows.fetchmany(500):
                    try:
                        self.db.conn.executemany(insert, [list(r) for r in batch])
                    except self._errors as exc:
                        raise self._translate(exc) from None
                    counts[table] += len(batch)
                    if progress:
                        progress(table, counts[table])
            if self.server:
                self.server.reset_ids(self.db)
        self.config = ProjectConfig.from_json(self.get_meta("config"))
        self._token_cache.clear()
        return counts

    def add_user(self, name: str, role: str, *, password: str | None = None) -> bool:
        """Give a person a role in this server project (annotator, reviewer or lead); the server
        enforces it. True when their login was created."""
        if not self.server:
            raise StoreError(f"{self.path}: users and roles need a shared project on a PostgreSQL server "
                             "(`annotator copy` moves this one there)")
        check_storable(name, "the user name")
        if not name or name.startswith("@"):
            raise ValidationError(f"{name!r}: not a person's name")
        try:
            with self.transaction():
                return self.server.add_user(self.db, name, role, password)
        except self._errors as exc:
            raise self._translate(exc) from None

    def json_text(self, column: str, key: str) -> str:
        """SQL for the text at `key` of the JSON object in `column`, in this backend's dialect."""
        return self.server.json_text(column, key) if self.server else f"json_extract({column}, '$.{key}')"

    def user_role(self) -> tuple[str | None, str | None]:
        """Who writes through this Store, and their role in the project: on a server the login and
        "annotator", "reviewer", "lead" (also the server's superuser and the tables' owner) or None (no
        role in this project); for a file (None, "lead"), as whoever may write a file may do everything."""
        if not self.server:
            return None, "lead"
        try:
            return self.server.user_role(self.db)
        except self._errors as exc:
            raise self._translate(exc) from None

    @property
    def label(self) -> str:
        """The database's name for messages (a server URL without its password)."""
        return self.server.redact(self.path) if self.server else self.path

    # ---- checkpoint and backup ------------------------------------------------------------
    def checkpoint(self) -> bool:
        """Copy the committed edits of the -wal file into the database file itself, without waiting
        for other connections (PASSIVE; then TRUNCATE empties the -wal when nobody needs it).
        True when the database file alone holds everything committed."""
        if self.read_only or self.path == ":memory:" or self.server:
            return False
        with self._lock:
            conn = self.db.conn
            if conn.in_transaction:
                return False
            try:
                busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                if busy or frames != copied:
                    return False
                timeout = conn.execute("PRAGMA busy_timeout").fetchone()[0]
                conn.execute("PRAGMA busy_timeout = 0")
                try:
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                finally:
                    conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")
            except sqlite3.Error as exc:
                raise _translate(exc, self.path) from None
            return True

    def backup(self, dest: str | os.PathLike, *, force: bool = False,
               progress: Callable[[int, int], None] | None = None) -> str:
        """Copy the whole database, edits still in its -wal included, to the single file `dest` with
        SQLite's online backup API (others may go on writing meanwhile). Written to a temporary file
        beside `dest`, then moved into place; an existing `dest` is replaced only with `force`.
        `progress(pages_done, pages_total)` is called as it goes; an exception from it stops the
        backup and leaves `dest` as it was. Returns the absolute path of the backup."""
        if self.server:
            raise StoreError(f"{self.server.redact(self.path)}: a server database is backed up with "
                             "`annotator copy URL FILE.db` (or the server's own pg_dump)")
        dest = os.path.abspath(os.fspath(dest))
        if os.path.isdir(dest):
            raise StoreError(f"{dest}: is a folder; give the file name of the backup")
        if self.path != ":memory:" and os.path.exists(dest) and os.path.samefile(dest, self.path):
            raise StoreError(f"{dest}: is the database itself; choose another file for the backup")
        leftovers = [p for p in (dest, dest + "-wal", dest + "-shm") if os.path.exists(p)]
        if leftovers and not force:
            raise StoreError(f"{dest}: already exists; not overwritten (use --force to replace it)")
        folder = os.path.dirname(dest)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(dest)}.", suffix=".part", dir=folder)
            os.close(fd)
        except OSError as exc:
            raise StoreError(f"{dest}: cannot write the backup there ({exc.strerror or exc})") from None

        def step(status: int, remaining: int, total: int) -> None:
            progress(total - remaining, total)

        try:
            target = sqlite3.connect(tmp)
            try:
                with self._lock:
                    self.db.conn.backup(target, pages=256, progress=step if progress else None)
                target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal
            finally:
                target.close()
            for stale in leftovers[1:]:
                os.remove(stale)  # an old -wal beside the replaced file would be applied to the backup
            os.replace(tmp, dest)
        except sqlite3.Error as exc:
            raise StoreError(f"{dest}: the backup failed ({exc}); nothing was replaced") from None
        except OSError as exc:
            raise StoreError(f"{dest}: the backup failed ({exc.strerror or exc}); nothing was replaced") from None
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        return dest


def _kind(item: Entity | Quote) -> str:
    """What the row versions and the edit log call the item: "entity" or "quote"."""
    return "entity" if isinstance(item, Entity) else "quote"


def _stored_version(item: Entity | Quote) -> int:
    """The version an entity or quote gets when stored: 1, or after its last one when it comes back
    with its id (undo of a deletion), so an edit of a version read before is still refused."""
    return item.version + 1 if item.id is not None and item.version else 1


def _plain(value):
    """JSON for the edit log: a dataclass as a dict of its fields (nested ones follow), else its str."""
    if hasattr(value, "__dataclass_fields__"):
        return {name: getattr(value, name) for name in value.__dataclass_fields__}
    return str(value)


def check_storable(value: str, what: str) -> None:
    """Refuse strings that SQLite or UTF-8 cannot hold faithfully: lone surrogates and NUL bytes."""
    if "\x00" in value:
        raise ValidationError(f"{what} holds a NUL byte (offset {value.index(chr(0))}): binary data, not text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError(
            f"{what} holds a lone surrogate {value[exc.start]!r} (offset {exc.start}), which is not text") from None


def check_tokens(tokens: Iterable, text: str, what: str) -> Tokens:
    """Token offsets given with a text: integers, inside the text, sorted and not overlapping."""
    try:
        checked = [(start, end) for start, end in tokens]
        flat = [x for pair in checked for x in pair]
    except (TypeError, ValueError):
        return _check_tokens_slowly(tokens, text, what)
    if not flat:
        return checked
    starts, ends = flat[0::2], flat[1::2]
    if (set(map(type, flat)) == {int} and flat[0] >= 0 and flat[-1] <= len(text) and flat == sorted(flat)
            and all(map(int.__lt__, starts, ends))):
        return checked
    return _check_tokens_slowly(checked, text, what)


def check_packed_tokens(blob: bytes, text: str, what: str) -> None:
    """Packed token offsets (core.offsets.pack_tokens) given with a text: well formed, inside the text."""
    try:
        packed = packed_array(blob)
    except ValueError as exc:
        raise ValidationError(f"{what}: {exc}") from None
    if packed and min(packed[1::2]) == 0:
        raise ValidationError(f"{what}: packed tokens hold a token of length 0")
    if sum(packed) > len(text):
        raise ValidationError(f"{what}: packed tokens end at {sum(packed)}, outside the text (length {len(text)})")


def _check_tokens_slowly(tokens: Iterable, text: str, what: str) -> Tokens:
    """check_tokens one token at a time, to name the first wrong one."""
    checked: Tokens = []
    previous_end = 0
    for n, pair in enumerate(tokens):
        try:
            start, end = pair
        except (TypeError, ValueError):
            raise ValidationError(f"{what}: token {n} must be a (start, end) pair, got {pair!r}") from None
        if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int):
            raise ValidationError(f"{what}: token {n} offsets must be integers, got {start!r}-{end!r}")
        if not 0 <= start < end <= len(text):
            raise ValidationError(f"{what}: token {n} ({start}-{end}) is outside the text (length {len(text)})")
        if start < previous_end:
            raise ValidationError(f"{what}: tokens must be sorted and must not overlap: token {n} ({start}-{end}) "
                                  f"starts before the previous one ends ({previous_end})")
        checked.append((start, end))
        previous_end = end
    return checked


def _fts_query(search: str) -> str:
    """Each word as a quoted prefix term, so user input never breaks FTS syntax."""
    words = [w.replace('"', '""') for w in search.split()]
    return " ".join(f'"{w}"*' for w in words)
