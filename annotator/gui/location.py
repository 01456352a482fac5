"""Where a project lives: a database file, or a database on a PostgreSQL server (postgresql://…).

The window names a server project by its URL without the password (the password comes from the
URL given at start, PGPASSWORD or ~/.pgpass; it is never shown, remembered or written)."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs, urlsplit

from PySide6.QtCore import QStandardPaths

from annotator.core.backends import is_server_url


def normalized(db: str) -> str:
    """A file as an absolute path; a URL as given."""
    return db if is_server_url(db) else os.path.abspath(db)


def redacted(db: str) -> str:
    """The URL without its password; a file path as it is."""
    if not is_server_url(db):
        return db
    from annotator.core.backends.postgres import redact

    return redact(db)


def server_and_database(db: str) -> tuple[str, str]:
    """("host:port" or the socket folder, database name) of a server URL."""
    parts = urlsplit(db)
    host = parts.hostname or (parse_qs(parts.query).get("host") or ["localhost"])[0]
    if parts.port:
        host = f"{host}:{parts.port}"
    return host, parts.path.lstrip("/")


def short_name(db: str) -> str:
    """The project's name for the window title: the file's name, or "DATABASE on HOST"."""
    if is_server_url(db):
        host, database = server_and_database(db)
        return f"{database} on {host}"
    return os.path.basename(db)


def shown_location(db: str) -> str:
    """Where the project is, as the status bar and recent list show it (~ for the home folder)."""
    if is_server_url(db):
        return redacted(db)
    home = os.path.expanduser("~")
    return "~" + db[len(home):] if db.startswith(home + os.sep) else db


def remembered(db: str) -> str:
    """What the recent list and per-project settings keep: the absolute path, or the URL without password."""
    return redacted(normalized(db))


def local_folder(db: str) -> str:
    """The folder for the project's files on this computer (models, dialogs' start): beside a database
    file; for a server project, a folder in the user's data folder named after the server and database."""
    if not is_server_url(db):
        return os.path.dirname(os.path.abspath(db))
    host, database = server_and_database(db)
    data = QStandardPaths.writableLocation(QStandardPaths.AppDataLocation) or os.path.expanduser("~/.annotator")
    name = re.sub(r"[^\w.-]+", "_", f"{host}-{database}").strip("_")
    return os.path.join(data, "servers", name)  # made when something is written there (a trained model)


def model_anchor(db: str) -> str:
    """A path whose folder is local_folder(db): relative model folders of the project are read
    against it (project.suggestion_model takes the database path for that)."""
    if not is_server_url(db):
        return os.path.abspath(db)
    return os.path.join(local_folder(db), server_and_database(db)[1] or "project")
