"""Long work off the GUI thread: import, export, suggestions.

Each task runs a plain function in a QThread with its own Store connection (a Store is not
shared across threads; see connections.py for how it is opened) and reports progress through signals; cancel() asks it to stop at the next record.
spaCy is imported here, in the worker, never by the window at start-up."""

from __future__ import annotations

import threading
import time
import traceback
from typing import Callable

from PySide6.QtCore import QThread, Signal


class Cancelled(Exception):
    pass


class Task(QThread):
    """Runs `work(task)`; the function calls task.report(done, total, text) and task.cancelled()."""

    progressed = Signal(int, int, str)  # done, total (0: unknown), text
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, title: str, work: Callable[["Task"], object], parent=None):
        super().__init__(parent)
        self.title = title
        self.work = work
        self._cancel = threading.Event()
        self._last_report = 0.0
        self.result = None
        self.error: str | None = None

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def report(self, done: int, total: int = 0, text: str = "") -> None:
        now = time.monotonic()
        if now - self._last_report >= 0.05 or (total and done >= total):  # at most 20 signals a second
            self._last_report = now
            self.progressed.emit(int(done), int(total), text)

    def progress_callback(self, text: str = "") -> Callable:
        """A `progress=` callback for the core functions: cb(done) or cb(done, total)."""
        def callback(done, total=0, *rest):
            self.report(done, total or 0, text)
        return callback

    def run(self) -> None:
        try:
            self.result = self.work(self)
        except Cancelled:
            self.result = None
            self.succeeded.emit(None)
            return
        except Exception as exc:  # reported to the user, with the traceback on stderr
            traceback.print_exc()
            self.error = f"{type(exc).__name__}: {exc}"
            self.failed.emit(self.error)
            return
        self.succeeded.emit(self.result)


# ---- the work functions (run in the worker thread) ----------------------------------------------
def _worker_store(open_store: Callable, with_tokenizer: bool = True):
    """The task's own Store, from the window's factory (see connections.py)."""
    if with_tokenizer:
        from annotator.nlp.tokenizer import token_offsets  # imports spaCy: only here, in the worker

        return open_store(tokenizer=token_offsets)
    return open_store()


def import_work(open_store: Callable, paths: list[str]) -> Callable[[Task], object]:
    def work(task: Task):
        task.report(0, 0, "loading the tokenizer…")
        store = _worker_store(open_store)
        try:
            from annotator.core.formats.readers import read_paths
            from annotator.core.importer import import_records

            task.report(0, 0, "importing…")
            return import_records(store, read_paths(paths), progress=task.progress_callback("records"),
                                  cancelled=task.cancelled)
        finally:
            store.close()
    return work


def export_work(open_store: Callable, out_path: str, fmt: str, layer: str) -> Callable[[Task], object]:
    def work(task: Task):
        store = _worker_store(open_store, with_tokenizer=False)
        try:
            from annotator.core.export import export_layer

            return export_layer(store, out_path, fmt=fmt, layer=layer, force=True,  # the file dialog asked already
                                progress=task.progress_callback("articles"), cancelled=task.cancelled)
        finally:
            store.close()
    return work


def suggest_work(open_store: Callable, article_ids: list[str] | None) -> Callable[[Task], object]:
    def work(task: Task):
        task.report(0, len(article_ids or []), "loading the spaCy pipeline…")
        store = _worker_store(open_store)
        try:
            from annotator.nlp.suggest import suggest_articles

            return suggest_articles(store, article_ids=article_ids, progress=task.progress_callback("articles"),
                                    cancelled=task.cancelled)
        finally:
            store.close()
    return work
