"""Database backends of the store: SQLite (the embedded default, in core/store.py) and a shared
PostgreSQL server (postgres.py). Each keeps its own SQL dialect in one place."""


def is_server_url(path) -> bool:
    """Whether `path` names a PostgreSQL server (postgresql://… or postgres://…) instead of a file."""
    return str(path).startswith(("postgresql://", "postgres://"))
