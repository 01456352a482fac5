"""Per-user settings (QSettings): annotator name, recent projects, window layout, text size …

ANNOTATOR_SETTINGS=/path/file.ini sends them to an ini file instead of the user's settings
(tests and benchmarks use it so they never touch the real ones)."""

from __future__ import annotations

import hashlib
import json
import os

from PySide6.QtCore import QSettings

from annotator.gui.location import remembered

ENV = "ANNOTATOR_SETTINGS"
DEFAULT_FONT_SIZE = 12.0
MAX_RECENT = 8


def open_settings(path: str | None = None) -> QSettings:
    path = path or os.environ.get(ENV)
    if path:
        return QSettings(path, QSettings.IniFormat)
    return QSettings("annotator", "annotator")


class Settings:
    """Typed access to the few values the window keeps."""

    def __init__(self, qsettings: QSettings | None = None):
        self.q = qsettings or open_settings()

    def _json(self, key: str, default):
        raw = self.q.value(key)
        if raw in (None, ""):
            return default
        try:
            return json.loads(raw)
        except (TypeError, ValueError):
            return default

    # annotator
    @property
    def annotator(self) -> str | None:
        value = self.q.value("annotator")
        return str(value) if value else None

    @annotator.setter
    def annotator(self, name: str) -> None:
        self.q.setValue("annotator", name)

    # databases
    def recent(self) -> list[str]:
        return [p for p in self._json("recent", []) if isinstance(p, str)]

    def add_recent(self, path: str) -> None:
        """Put a database file or server project first in the recent list (a URL without its password)."""
        path = remembered(path)
        items = [path] + [p for p in self.recent() if p != path]
        self.q.setValue("recent", json.dumps(items[:MAX_RECENT]))

    @staticmethod
    def _db_key(db_path: str) -> str:
        return hashlib.sha1(remembered(db_path).encode("utf-8")).hexdigest()[:16]

    def _per_user(self, name: str, db_path: str, annotator: str):
        """The value of setting `name` for one annotator of one database (None if unset)."""
        return self._json(name, {}).get(f"{self._db_key(db_path)}:{annotator}")

    def _set_per_user(self, name: str, db_path: str, annotator: str, value) -> None:
        """Set (None: remove) it; the 200 most recently set pairs are kept."""
        data = self._json(name, {})
        key = f"{self._db_key(db_path)}:{annotator}"
        data.pop(key, None)
        if value is not None:
            data[key] = value
        self.q.setValue(name, json.dumps(dict(list(data.items())[-200:])))

    def last_article(self, db_path: str, annotator: str) -> str | None:
        return self._per_user("lastArticle", db_path, annotator)

    def set_last_article(self, db_path: str, annotator: str, article_id: str) -> None:
        self._set_per_user("lastArticle", db_path, annotator, article_id)

    def useful_order(self, db_path: str, annotator: str) -> bool:
        """Did the annotator last list this database's articles "most useful next"?"""
        return bool(self._per_user("usefulOrder", db_path, annotator))

    def set_useful_order(self, db_path: str, annotator: str, on: bool) -> None:
        self._set_per_user("usefulOrder", db_path, annotator, True if on else None)

    # view
    @property
    def font_size(self) -> float:
        try:
            return float(self.q.value("fontSize", DEFAULT_FONT_SIZE))
        except (TypeError, ValueError):
            return DEFAULT_FONT_SIZE

    @font_size.setter
    def font_size(self, value: float) -> None:
        self.q.setValue("fontSize", float(value))

    @property
    def theme(self) -> str:
        value = self.q.value("theme", "light")
        return value if value in ("light", "dark") else "light"

    @theme.setter
    def theme(self, value: str) -> None:
        self.q.setValue("theme", value)

    @property
    def accept_moves_on(self) -> bool:
        """After accepting (or rejecting) a suggestion, go on to the next pending one (default on)."""
        return str(self.q.value("acceptMovesOn", "true")).lower() not in ("false", "0")

    @accept_moves_on.setter
    def accept_moves_on(self, on: bool) -> None:
        self.q.setValue("acceptMovesOn", "true" if on else "false")

    def hidden_sources(self) -> set[str]:
        return set(self._json("hiddenSources", []))

    def set_hidden_sources(self, sources: set[str]) -> None:
        self.q.setValue("hiddenSources", json.dumps(sorted(sources)))

    def bytes_value(self, key: str):
        return self.q.value(key)

    def set_value(self, key: str, value) -> None:
        self.q.setValue(key, value)

    def sync(self) -> None:
        self.q.sync()
