"""The PostgreSQL backend: the store's database on a shared server, through psycopg 3.

The store writes its SQL once, with ? placeholders and the SQL that SQLite and PostgreSQL share;
this module holds what differs: the connection, the schema (migration 1), placeholders, the
write lock (an advisory lock instead of BEGIN IMMEDIATE), full-text search (tsvector instead of
FTS5) and the translation of server errors into the store's messages, naming the server
without its password."""

from __future__ import annotations

import functools
import json
import re
import select
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import psycopg
from psycopg import sql as pg_sql
from psycopg import errors as pg_errors
from psycopg.rows import dict_row

from annotator.core.offsets import pack_tokens
from annotator.core.store import (CREATE_LAYERS, ROW_VERSIONS, LockedError, ServerUnreachableError, StoreError,
                                  ValidationError, add_row_versions, new_version_condition, stored_tokens)

ERRORS = (psycopg.Error,)
WRITE_LOCK = 0x616E6E6F  # advisory lock key that every writing transaction takes ("anno")
LAYER_LOCKS = 0x6C617972  # first key of the advisory locks of single layers ("layr"; with the layer's hash)
CHANNEL = "annotator_changes"  # every committed change is announced here (LISTEN/NOTIFY)
MAX_PAYLOAD = 7000  # bytes; PostgreSQL takes up to 8000 per notification


class PermissionDeniedError(StoreError):
    """The server refused the change or read: the user's role may not do it."""


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


@functools.lru_cache(maxsize=512)
def placeholders(sql: str) -> str:
    """SQL with ? placeholders as psycopg's %s (a literal % doubled); ? inside quotes stays."""
    out, quote = [], None
    for ch in sql:
        if quote:
            if ch == quote:
                quote = None
            out.append("%%" if ch == "%" else ch)
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


class Connection:
    """A psycopg connection with the few members of sqlite3.Connection that the store uses, and
    the changes that other sessions announced (notifications received while it talked to the
    server). A connection the server dropped is opened again at the next statement outside a
    transaction (`reopen`); until the server answers, each statement raises ServerUnreachableError."""

    def __init__(self, raw: psycopg.Connection, url: str = "", reopen=None):
        self.url, self.reopen = url, reopen
        self.heard: list[dict] = []
        self._raw = raw
        raw.add_notify_handler(self._hear)

    @property
    def raw(self) -> psycopg.Connection:
        if self._raw.closed and self.reopen is not None:
            self._raw = self.reopen()
            self._raw.add_notify_handler(self._hear)
            self.heard.append({"articles": None, "layers": None})  # what others did meanwhile went unheard
        return self._raw

    def _hear(self, notify: psycopg.Notify) -> None:
        if notify.pid != self._raw.info.backend_pid:
            self.heard.append(json.loads(notify.payload))

    def execute(self, sql: str, params=()) -> psycopg.Cursor:
        params = list(params or ())
        try:
            return self.raw.execute(placeholders(sql) if params else sql, params or None)
        except psycopg.OperationalError as exc:
            raise _lost(exc, self.url)

    def executemany(self, sql: str, rows) -> None:
        try:
            with self.raw.cursor() as cur:
                cur.executemany(placeholders(sql), rows)
        except psycopg.OperationalError as exc:
            raise _lost(exc, self.url)

    @property
    def in_transaction(self) -> bool:
        return not self._raw.closed and self._raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def close(self) -> None:
        self.reopen = None
        self._raw.close()


def _lost(exc: psycopg.OperationalError, url: str) -> Exception:
    """A lost connection as ServerUnreachableError (the store's reads do not translate errors); other
    operational errors as they are."""
    translated = translate(exc, url)
    return translated if isinstance(translated, ServerUnreachableError) else exc


class Database:
    """execute() and query() as sqlite_utils.Database offers them, on a PostgreSQL connection."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def execute(self, sql: str, params=()) -> psycopg.Cursor:
        return self.conn.execute(sql, params)

    def query(self, sql: str, params=()):
        params = list(params or ())
        try:
            with self.conn.raw.cursor(row_factory=dict_row) as cur:
                cur.execute(placeholders(sql) if params else sql, params or None)
                rows = cur.fetchall()
        except psycopg.OperationalError as exc:
            raise _lost(exc, self.conn.url)
        yield from rows


def connect(url: str, *, timeout: float = 5.0, read_only: bool = False) -> Database:
    """Open the project database at `url` (autocommit: the store opens its transactions itself)."""
    def open_raw() -> psycopg.Connection:
        try:
            raw = psycopg.connect(url, autocommit=True, connect_timeout=max(1, round(timeout)))
            raw.adapters.register_loader("json", psycopg.types.string.TextLoader)  # JSON comes back as stored
            raw.execute(f"SET lock_timeout = {int(timeout * 1000)}")
            raw.execute("SET client_min_messages = warning")
            raw.execute(f"LISTEN {CHANNEL}")
            if read_only:
                raw.execute("SET default_transaction_read_only = on")
        except psycopg.Error as exc:
            raise translate(exc, url) from None
        return raw

    return Database(Connection(open_raw(), url, open_raw))


def begin(db: Database, layer: tuple[str, str] | None = None) -> None:
    """A writing transaction (waits up to the lock timeout): alone in the project, as SQLite's BEGIN
    IMMEDIATE; or, writing only `layer` (article id, layer name), beside the writers of other layers."""
    if layer is None:
        locks = f"pg_advisory_xact_lock({WRITE_LOCK})"
    else:  # the project's lock shared, the layer's (in the two-key space) alone
        locks = (f"pg_advisory_xact_lock_shared({WRITE_LOCK}), pg_advisory_xact_lock({LAYER_LOCKS}, "
                 f"hashtext({pg_sql.Literal(layer[0] + chr(31) + layer[1]).as_string(db.conn.raw)}))")
    try:
        db.conn.raw.execute(f"BEGIN; SELECT {locks}")  # one round trip
    except BaseException:
        if db.conn.in_transaction:
            db.conn.raw.execute("ROLLBACK")
        raise


def commit_announcing(db: Database, articles: set[str], layers: set[tuple[str, str]],
                      statuses: set[tuple[str, str, str]] = frozenset()) -> None:
    """Commit, telling the other sessions what the transaction changed (one round trip; they hear it
    when the commit is done)."""
    payload = json.dumps({"articles": sorted(articles), "layers": sorted(layers), "statuses": sorted(statuses)},
                         ensure_ascii=False)
    if len(payload.encode("utf-8")) > MAX_PAYLOAD:
        payload = json.dumps({"articles": None, "layers": None})  # too many to list: anything may have changed
    db.conn.raw.execute(pg_sql.SQL("SELECT pg_notify({}, {}); COMMIT").format(CHANNEL, payload))


def changes_heard(db: Database) -> list[dict]:
    """What other sessions announced since the last call: {"articles": [...], "layers": [...]}
    each (None: anything may have changed)."""
    db.conn.execute("SELECT 1")  # reads the notifications waiting on the connection
    heard, db.conn.heard = db.conn.heard, []
    return heard


def insert_returning_id(db: Database, sql: str, params) -> int:
    return db.execute(sql + " RETURNING id", params).fetchone()[0]


def table_exists(db: Database, name: str) -> bool:
    return db.execute("SELECT to_regclass(?) IS NOT NULL", [name]).fetchone()[0]


def search_clause(search: str) -> tuple[str, str]:
    """The browser's search: each word as a prefix of a word of the title or text."""
    words = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "':*" for w in search.split()]
    return "a.search @@ to_tsquery('simple', ?)", " & ".join(words)


def json_text(column: str, key: str) -> str:
    return f"(({column})::json ->> '{key}')"


def translate(exc: psycopg.Error, url: str, *, reading: bool = False) -> StoreError:
    """A server error as the store's error, naming the server (never its password)."""
    where = redact(url)
    message = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    password = urlsplit(url).password
    for secret in {password, unquote(password or "")} - {None, ""}:
        message = message.replace(secret, "***")  # psycopg quotes parts of a malformed URL
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        return PermissionDeniedError(f"{where}: permission denied ({message}); nothing was changed")
    if isinstance(exc, (pg_errors.LockNotAvailable, pg_errors.DeadlockDetected, pg_errors.SerializationFailure)):
        return LockedError(f"{where}: another session holds the project's write lock; "
                           "the change was not stored (try again)")
    if isinstance(exc, (pg_errors.IntegrityError, pg_errors.RaiseException)):
        return ValidationError(f"{where}: {message}")
    if isinstance(exc, pg_errors.ReadOnlySqlTransaction):
        return StoreError(f"{where}: the database is opened read-only; the change was not stored")
    if isinstance(exc, (pg_errors.AdminShutdown, pg_errors.CrashShutdown, pg_errors.CannotConnectNow)):
        return ServerUnreachableError(f"{where}: the server cannot be reached ({message}); the change was not "
                                      "stored")
    if isinstance(exc, psycopg.OperationalError):
        text = str(exc)
        if "password authentication failed" in text or "authentication failed" in text:
            user = urlsplit(url).username or "the current user"
            return StoreError(f"{where}: authentication failed for user {user!r}; check the user name "
                              "and password (PGPASSWORD or ~/.pgpass)")
        if re.search(r'database "[^"]*" does not exist', text):
            return StoreError(f"{where}: the server has no such database; create it with "
                              f"`annotator init-server {where}`")
        if re.search(r'role "[^"]*" does not exist', text):
            return StoreError(f"{where}: the server has no such user; a lead adds it with "
                              "`annotator user add NAME --role ...`")
        if "connection" in text or "timeout" in text or "could not" in text:
            return ServerUnreachableError(f"{where}: the server cannot be reached ({message}); check the address and "
                              "that PostgreSQL runs there")
    return StoreError(f"{where}: {message}")


def create_schema(db: Database) -> None:
    """Migration 1 on PostgreSQL: the tables of the SQLite schema, in PostgreSQL's types."""
    raw = db.conn.raw
    raw.execute(
        """CREATE TABLE articles (
            seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            source TEXT, date TEXT, url TEXT,
            meta JSON NOT NULL DEFAULT '{}',
            text_hash TEXT NOT NULL UNIQUE,
            tokens TEXT NOT NULL,
            created TEXT NOT NULL,
            search tsvector GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || text)) STORED)""")
    raw.execute("CREATE INDEX articles_search ON articles USING GIN (search)")
    raw.execute("""CREATE FUNCTION articles_text_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'article text is immutable'; END $$""")
    raw.execute("CREATE TRIGGER articles_text_immutable BEFORE UPDATE OF text, text_hash ON articles "
                "FOR EACH ROW EXECUTE FUNCTION articles_text_immutable()")
    raw.execute("CREATE TABLE annotators (name TEXT PRIMARY KEY, created TEXT NOT NULL)")
    raw.execute(CREATE_LAYERS)
    span_columns = """id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id),
            annotator TEXT NOT NULL,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL"""
    common = """source TEXT NOT NULL, status TEXT NOT NULL,
            score DOUBLE PRECISION, model TEXT, created TEXT NOT NULL, updated TEXT NOT NULL"""
    raw.execute(f"CREATE TABLE entities ({span_columns}, label TEXT NOT NULL, {common})")
    raw.execute(
        f"""CREATE TABLE quotes ({span_columns}, kind TEXT NOT NULL,
            speaker_start INTEGER, speaker_end INTEGER, speaker_label TEXT,
            cue_start INTEGER, cue_end INTEGER, stance TEXT, {common})""")
    raw.execute(
        """CREATE TABLE edit_log (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, ts TEXT NOT NULL, actor TEXT NOT NULL,
            article_id TEXT, layer TEXT, action TEXT NOT NULL, target TEXT,
            target_id BIGINT, before JSON, after JSON)""")
    raw.execute("CREATE INDEX entities_layer ON entities(article_id, annotator)")
    raw.execute("CREATE INDEX quotes_layer ON quotes(article_id, annotator)")
    raw.execute("CREATE INDEX edit_log_article ON edit_log(article_id)")
    raw.execute("CREATE INDEX layers_annotator ON layers(annotator, status)")


def migrate_1(db: Database) -> None:
    """The tables, and the project's roles."""
    create_schema(db)
    create_roles(db)


def migrate_4(db: Database) -> None:
    """Token offsets from a JSON list (text) to packed bytes (bytea, core.offsets.pack_tokens), 1,000
    articles at a time."""
    raw = db.conn.raw
    raw.execute("ALTER TABLE articles ADD COLUMN packed_tokens bytea")
    last = 0
    while rows := raw.execute("SELECT seq, tokens FROM articles WHERE seq > %s ORDER BY seq LIMIT 1000",
                              [last]).fetchall():
        with raw.cursor() as cur:
            cur.executemany("UPDATE articles SET packed_tokens = %s WHERE seq = %s",
                            [(pack_tokens(stored_tokens(tokens)), seq) for seq, tokens in rows])
        last = rows[-1][0]
    raw.execute("ALTER TABLE articles DROP COLUMN tokens")
    raw.execute("ALTER TABLE articles RENAME COLUMN packed_tokens TO tokens")
    raw.execute("ALTER TABLE articles ALTER COLUMN tokens SET NOT NULL")


def migrate_6(db: Database) -> None:
    """Row versions (store._migrate_6): the columns, and triggers that count them up."""
    add_row_versions(db)
    raw = db.conn.raw
    raw.execute("""CREATE OR REPLACE FUNCTION next_row_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.version := OLD.version + 1; RETURN NEW; END $$""")
    for table in ROW_VERSIONS:
        raw.execute(f"CREATE OR REPLACE TRIGGER {table}_version BEFORE UPDATE ON {table} FOR EACH ROW "
                    f"WHEN ({new_version_condition(table, 'IS DISTINCT FROM')}) EXECUTE FUNCTION next_row_version()")


#: The migrations written for PostgreSQL; the others are the SQL both backends share (store.MIGRATIONS).
MIGRATIONS = {1: migrate_1, 4: migrate_4, 6: migrate_6}


ROLES = ("annotator", "reviewer", "lead")
PEOPLE_TABLES = ("layers", "entities", "quotes")


def group_role(db: Database, role: str) -> str:
    """The server role whose members have `role` in this project (roles are per server: the
    database's name keeps projects apart)."""
    return f"{db.execute('SELECT current_database()').fetchone()[0]}_{role}s"


def create_roles(db: Database) -> None:
    """Migration 1, last part: the project's roles, enforced by the server. Everyone reads
    everything; an annotator writes only their own layer (and its edit-log rows, as themselves); a
    reviewer also the gold layer; a lead everything (import, configuration, suggestions, users)."""
    raw = db.conn.raw
    ident = pg_sql.Identifier
    groups = {role: group_role(db, role) for role in ROLES}
    for name in groups.values():
        if not raw.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone():
            raw.execute(pg_sql.SQL("CREATE ROLE {} NOLOGIN").format(ident(name)))
    everyone = pg_sql.SQL(", ").join(ident(name) for name in groups.values())
    people = pg_sql.SQL(", ").join(ident(groups[role]) for role in ("annotator", "reviewer"))
    lead = ident(groups["lead"])
    for statement in (
            "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {everyone}",
            "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {everyone}",
            "GRANT INSERT, UPDATE, DELETE ON layers, entities, quotes TO {people}",
            "GRANT INSERT ON annotators, edit_log TO {people}",
            "GRANT ALL ON ALL TABLES IN SCHEMA public TO {lead}",
            "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {lead}"):
        raw.execute(pg_sql.SQL(statement).format(everyone=everyone, people=people, lead=lead))
    own = {"annotator": "{column} = current_user", "reviewer": "{column} IN (current_user, '@gold')"}
    guarded = {table: "annotator" for table in PEOPLE_TABLES} | {"annotators": "name", "edit_log": "layer"}
    for table, column in guarded.items():
        raw.execute(pg_sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(ident(table)))
        raw.execute(pg_sql.SQL("CREATE POLICY everyone_reads ON {} FOR SELECT USING (true)").format(ident(table)))
        raw.execute(pg_sql.SQL("CREATE POLICY lead_writes ON {} TO {} USING (true) WITH CHECK (true)")
                    .format(ident(table), lead))
        for role, rule in own.items():
            check = rule.format(column=column)
            if table == "edit_log":
                check += " AND actor = current_user"  # nobody writes history in another's name
            raw.execute(pg_sql.SQL("CREATE POLICY {} ON {} TO {} USING ({}) WITH CHECK ({})").format(
                ident(f"{role}_writes"), ident(table), ident(groups[role]), pg_sql.SQL(check), pg_sql.SQL(check)))


def add_user(db: Database, name: str, role: str, password: str | None = None) -> bool:
    """Create the login role `name` (if missing) and give it `role` in this project, and only that
    one. True when the login was created."""
    if role not in ROLES:
        raise ValidationError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
    raw = db.conn.raw
    ident = pg_sql.Identifier
    created = not raw.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone()
    if created:
        raw.execute(pg_sql.SQL("CREATE ROLE {} LOGIN").format(ident(name)))
    if password is not None:
        raw.execute(pg_sql.SQL("ALTER ROLE {} PASSWORD {}").format(ident(name), pg_sql.Literal(password)))
    for other in ROLES:
        raw.execute(pg_sql.SQL("REVOKE {} FROM {}").format(ident(group_role(db, other)), ident(name)))
    raw.execute(pg_sql.SQL("GRANT {} TO {}{}").format(
        ident(group_role(db, role)), ident(name),
        pg_sql.SQL(" WITH ADMIN OPTION" if role == "lead" else "")))
    if role == "lead":  # leads manage the users of the project
        raw.execute(pg_sql.SQL("ALTER ROLE {} CREATEROLE").format(ident(name)))
        for other in ROLES:
            raw.execute(pg_sql.SQL("GRANT {} TO {} WITH ADMIN OPTION").format(
                ident(group_role(db, other)), ident(name)))
    return created


def with_user(url: str, user: str, password: str | None = None) -> str:
    """The same server and database, as another user."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    login = quote(user, safe="") if password is None else f"{quote(user, safe='')}:{quote(password, safe='')}"
    return urlunsplit((parts.scheme, f"{login}@{host}", parts.path, parts.query, parts.fragment))


def reset_ids(db: Database) -> None:
    """After rows were written with their ids (a copy): new rows get ids after the largest."""
    for table, column in (("articles", "seq"), ("entities", "id"), ("quotes", "id"), ("edit_log", "id")):
        db.conn.raw.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                            f"COALESCE((SELECT max({column}) FROM {table}), 0) + 1, false)")


def with_database(url: str, name: str) -> str:
    """The same server and user, another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def create_database(url: str, *, timeout: float = 5.0) -> bool:
    """Create the database named in `url` on its server if it is missing; True when created."""
    name = database_name(url)
    if not name:
        raise StoreError(f"{redact(url)}: the URL names no database (postgresql://user@host:port/PROJECT)")
    admin = with_database(url, "postgres")
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=max(1, round(timeout))) as raw:
            if raw.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                return False
            raw.execute(pg_sql.SQL("CREATE DATABASE {}").format(pg_sql.Identifier(name)))
            return True
    except psycopg.Error as exc:
        raise translate(exc, url) from None


def user_role(db: Database) -> tuple[str, str | None]:
    """The login of this connection and its role in the project (see Store.user_role)."""
    user, boss = db.execute(
        "SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
        "OR (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'meta') = current_user"
    ).fetchone()
    if boss:
        return user, "lead"
    for role in reversed(ROLES):  # the strongest first
        if db.execute("SELECT pg_has_role(current_user, ?, 'MEMBER')", [group_role(db, role)]).fetchone()[0]:
            return user, role
    return user, None


def wait_for_notification(db: Database, timeout: float) -> None:
    """Wait up to `timeout` seconds until the server sends something on the connection (another
    session's NOTIFY); changes_heard() then reads it."""
    select.select([db.conn.raw.fileno()], [], [], max(0.0, timeout))
