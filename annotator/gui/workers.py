"""Long work off the GUI thread: import, export, suggestions, training, the "most useful next" order.

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

    def report(self, done: int, total: int = 0, text: str = "", force: bool = False) -> None:
        """Progress for the window: at most 20 signals a second, unless `force` (a step that must show)."""
        now = time.monotonic()
        if force or now - self._last_report >= 0.05 or (total and done >= total):
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


def backup_work(open_store: Callable, dest: str, force: bool) -> Callable[[Task], object]:
    """Store.backup into `dest` (pages copied as progress; Cancel stops it, `dest` unchanged)."""
    def work(task: Task):
        store = _worker_store(open_store, with_tokenizer=False)

        def progress(done: int, total: int) -> None:
            if task.cancelled():
                raise Cancelled
            task.report(done, total, "pages")

        try:
            return store.backup(dest, force=force, progress=progress)
        finally:
            store.close()
    return work


def export_work(open_store: Callable, out_path: str, fmt: str, layer: str, gold: bool = False) -> Callable[[Task], object]:
    """Export a layer; gold: the done articles of the gold layer, accepted annotations only."""
    def work(task: Task):
        store = _worker_store(open_store, with_tokenizer=False)
        try:
            from annotator.project.export import export_layer

            return export_layer(store, out_path, fmt=fmt, layer=layer, gold=gold, force=True,  # the dialog asked
                                progress=task.progress_callback("articles"), cancelled=task.cancelled)
        finally:
            store.close()
    return work


def suggest_work(open_store: Callable, article_ids: list[str] | None,
                 model_dir: str | None = None) -> Callable[[Task], object]:
    """Suggestions by the project's model (or by `model_dir`, a trained or spaCy model folder); the
    result is a project.suggestion_model.Suggested."""
    def work(task: Task):
        task.report(0, len(article_ids or []), "loading the spaCy pipeline…")
        store = _worker_store(open_store)
        try:
            from annotator.project.suggestion_model import suggest_with_project_model

            return suggest_with_project_model(store, article_ids, model_dir=model_dir,
                                              progress=task.progress_callback("articles"), cancelled=task.cancelled)
        finally:
            store.close()
    return work


def train_work(open_store: Callable, out_dir: str) -> Callable[[Task], object]:
    """train_from_gold into `out_dir`; progress in percent. Returns {"info": model.json, "log": lines}."""
    def work(task: Task):
        task.report(0, 100, "loading spaCy…")
        from annotator.nlp import train

        store = _worker_store(open_store, with_tokenizer=False)
        log: list[str] = []
        shown = [-1]

        def progress(fraction: float) -> None:
            percent = round(100 * fraction)
            if percent != shown[0]:  # each percent shows (a hundred signals), however fast they come
                shown[0] = percent
                task.report(percent, 100, force=True)

        try:
            info = train.train_from_gold(store, out_dir, progress=progress, cancelled=task.cancelled,
                                         log_line=log.append)
        except train.TrainingCancelled:
            raise Cancelled from None
        finally:
            store.close()
        return {"info": info, "log": log, "out_dir": out_dir}
    return work


def has_model_scores(store) -> bool:
    """Has the model layer scored suggestions (what uncertainty_order reads without running a model)?"""
    from annotator.core.model import MODEL_LAYER

    return bool(store.db.execute(
        "SELECT EXISTS(SELECT 1 FROM entities WHERE annotator = ? AND source = 'model' AND score IS NOT NULL) "
        "OR EXISTS(SELECT 1 FROM quotes WHERE annotator = ? AND score IS NOT NULL)",
        [MODEL_LAYER, MODEL_LAYER]).fetchone()[0])


class _ReportingPipeline:
    """A spaCy pipeline whose pipe() reports each article and stops when the task is cancelled."""

    def __init__(self, nlp, task: Task, total: int):
        self._nlp, self._task, self._total = nlp, task, total

    def pipe(self, *args, **kwargs):
        for n, item in enumerate(self._nlp.pipe(*args, **kwargs), 1):
            if self._task.cancelled():
                raise Cancelled
            self._task.report(n, self._total, "articles measured")
            yield item

    def __getattr__(self, name):
        return getattr(self._nlp, name)


def order_work(open_store: Callable, annotator: str, model_dir: str | None,
               max_pipeline_articles: int = 500) -> Callable[[Task], object]:
    """uncertainty_order for the annotator: from the model's stored scores when it has any (fast);
    else the model measures up to `max_pipeline_articles` articles here (nothing is stored).
    Returns {"ids": [...], "ran_model": bool}."""
    def work(task: Task):
        task.report(0, 0, "reading the model's scores…")
        store = _worker_store(open_store, with_tokenizer=False)
        try:
            from annotator.nlp import uncertainty

            if has_model_scores(store):
                ids = uncertainty.uncertainty_order(store, annotator, model_dir, run_pipeline=False)
                return {"ids": ids, "ran_model": False}
            total = min(len(uncertainty.not_done(store, annotator)), max_pipeline_articles)
            task.report(0, total, "no stored scores: loading the model…", force=True)
            nlp = _ReportingPipeline(_measuring_pipeline(store, model_dir), task, total)
            ids = uncertainty.uncertainty_order(store, annotator, model_dir, nlp=nlp,
                                                max_pipeline_articles=max_pipeline_articles)
            return {"ids": ids, "ran_model": True}
        finally:
            store.close()
    return work


def _measuring_pipeline(store, model_dir: str | None):
    """The suggestion pipeline with NER confidence, as uncertainty_order builds it."""
    from annotator.nlp.uncertainty import measuring_pipeline

    return measuring_pipeline(store, model_dir)
