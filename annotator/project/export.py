"""Export one layer of the store to a file or folder: JSONL, spaCy DocBin, CoNLL, CSV, brat.

Every export is all or nothing: files are written under a temporary name in the target folder
and moved into place (`os.replace`) only when everything is written, so a failed or
cancelled export leaves no half-written file and an existing file untouched.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from annotator.core.formats.brat import CONF_FILES, write_brat
from annotator.core.formats.jsonl import write_jsonl
from annotator.core.records import layer_record, quote_problems
from annotator.core.model import GOLD_LAYER, MODEL_LAYER
from annotator.core.store import Store, StoreError

FORMATS = ("jsonl", "spacy", "conll", "csv", "brat")


class ExportError(Exception):
    """The export could not be written; nothing was changed on disk."""


class _Cancelled(Exception):
    pass


@dataclass
class ExportSummary:
    fmt: str
    layer: str
    path: str
    files: list[str] = field(default_factory=list)  # the files written; for brat only its two .conf files (not
    # the .txt/.ann pair of each article: a corpus has millions)
    articles: int = 0
    entities: int = 0
    quotes: int = 0
    skipped: int = 0  # articles asked for that do not have the layer (or not done, without all_articles)
    not_done: int = 0  # articles with the layer left out because it is not marked done
    shard_size: int = 0
    shards: int = 0  # spacy: DocBin shard files written (an export too big for one file per path)
    pending: bool = False  # pending suggestions were written too
    cancelled: bool = False
    seconds: float = 0.0

    def line(self) -> str:
        if self.cancelled:
            return f"export cancelled: nothing written to {self.path}"
        what = "decisions and pending suggestions" if self.pending else "decisions"
        return (f"exported {self.articles} articles ({self.entities} entities, {self.quotes} quotes; {what}) of layer "
                f"{self.layer} as {self.fmt} to {self.path}"
                + (f"; {self.not_done} not marked done left out (--all-articles)" if self.not_done else "")
                + (f"; {self.skipped} without the layer" if self.skipped else "")
                + (f" ({self.shards} DocBin shards of at most {self.shard_size:,} articles)" if self.shards else ""))


def _os_error(exc: OSError, path: Path) -> ExportError:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return ExportError(f"{path}: the disk is full; nothing was written")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ExportError(f"{path}: cannot write here ({exc.strerror}); nothing was written")
    return ExportError(f"{path}: cannot write ({exc.strerror or exc}); nothing was written")


def layer_articles(store: Store, layer: str, article_ids: list[str] | None,
                    done_only: bool = False) -> tuple[list[str], int]:
    """Ids (corpus order) of the articles that have the layer (done, with done_only), and how many
    asked-for ones lack it."""
    done = " AND l.status = 'done'" if done_only else ""
    with_layer = [r[0] for r in store.db.execute(
        f"SELECT a.id FROM articles a JOIN layers l ON l.article_id = a.id AND l.annotator = ?{done} ORDER BY a.seq",
        [layer])]
    if article_ids is None:
        if not with_layer:
            raise _no_layer_error(store, layer, done_only)
        return with_layer, 0
    wanted = _wanted(store, article_ids)
    has = set(with_layer)
    ids = [a for a in wanted if a in has]
    _check_chosen(wanted, len(ids), layer, done_only)
    return ids, len(wanted) - len(ids)


def _wanted(store: Store, article_ids: list[str]) -> list[str]:
    """The chosen article ids, once each; ExportError naming those not in the database."""
    wanted = list(dict.fromkeys(str(a) for a in article_ids))
    existing = store.existing_ids(wanted)
    unknown = [a for a in wanted if a not in existing]
    if unknown:
        raise ExportError(f"no such article(s): {', '.join(map(repr, unknown[:5]))}" + (" …" if len(unknown) > 5 else ""))
    return wanted


def _check_chosen(wanted: list[str], found: int, layer: str, done_only: bool) -> None:
    if wanted and not found:
        what = "is marked done in" if done_only else "has"
        raise ExportError(f"none of the {len(wanted)} chosen articles {what} the layer {layer!r}")


def _no_layer_error(store: Store, layer: str, done_only: bool) -> ExportError:
    known = ", ".join(store.annotators(include_special=True)) or "none"
    if done_only and store.count_layer_articles(layer):
        return ExportError(f"no article is marked done in layer {layer!r}; to export unfinished work "
                           "as well, allow all articles (--all-articles)")
    return ExportError(f"no article has the layer {layer!r} (layers in this database: {known})")


def exported_count(store: Store, layer: str, article_ids: list[str] | None, done_only: bool) -> tuple[int, int]:
    """How many articles an export writes (those holding the layer; done, with done_only), and how
    many asked-for ones it leaves out; ExportError when it would write none. Counted, not listed:
    the export then reads the articles a page at a time (Store.iter_layers)."""
    if article_ids is None:
        total = store.count_layer_articles(layer, done_only=done_only)
        if not total:
            raise _no_layer_error(store, layer, done_only)
        return total, 0
    wanted = _wanted(store, article_ids)
    total = store.count_layer_articles(layer, done_only=done_only, article_ids=wanted)
    _check_chosen(wanted, total, layer, done_only)
    return total, len(wanted) - total


def _check_target(out: Path, folder: bool, force: bool, store: Store, shards: bool = False) -> None:
    """ExportError when `out` cannot be written (`shards`: a folder of DocBin shards counts as a file)."""
    if store.path != ":memory:":
        db = Path(store.path).resolve()
        if out.resolve() in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            raise ExportError(f"{out}: is the database itself; choose another file")
    if folder:
        if out.exists() and not out.is_dir():
            raise ExportError(f"{out}: is a file; this format is written into a folder")
        if out.is_dir() and any(out.iterdir()) and not force:
            raise ExportError(f"{out}: the folder is not empty; choose an empty folder or allow overwriting (--force)")
        parent = out if out.is_dir() else out.parent
    else:
        if out.is_dir() and not (shards and _is_shard_folder(out)):
            raise ExportError(f"{out}: is a folder; choose a file name")
        if (out.exists() or out.is_symlink()) and not force:
            raise ExportError(f"{out}: exists already; choose another name or allow overwriting (--force)")
        parent = out.parent
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ExportError(f"{out}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ExportError(f"{out}: the folder {existing} is not writable")


def _is_shard_folder(path: Path) -> bool:
    """A folder of DocBin shards (an earlier spacy export too big for one file), and nothing else."""
    from annotator.nlp.docbin import is_shard

    entries = list(path.iterdir())
    return bool(entries) and all(is_shard(p) and p.is_file() for p in entries)


def export_layer(
    store: Store,
    out: str | os.PathLike,
    *,
    fmt: str = "jsonl",
    layer: str | None = None,
    gold: bool = False,
    include_pending: bool = False,
    all_articles: bool = False,
    include_rejected: bool = False,
    article_ids: list[str] | None = None,
    force: bool = False,
    bom: bool = False,
    split: float | None = None,
    quotes_column: bool = False,
    scheme: str = "iob2",
    shard_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportSummary:
    """Write one layer (an annotator's name, `@gold` or `@model`; default `@gold`) as `fmt`.

    What is written is the same for every format. A person's layer and `@gold`: their decisions
    only (accepted annotations: human spans and accepted suggestions) of the articles marked done
    in the layer; include_pending adds the suggestions still pending, all_articles the articles not
    marked done. `@model`: its suggestions are its output, so every article with them. gold: the
    layer is `@gold` (unless another is named); a `@gold` export first checks that every quote's
    speaker and cue resolve to spans of the gold (exporter.quote_problems) and refuses, listing
    each problem, when they do not. include_rejected: also rejected suggestions (JSONL and
    CSV only; the training formats never contain them). `out` is a file, except for brat and
    for spacy with `split` (train.spacy + dev.spacy), which write into a folder. A spacy file
    (`out`, or train.spacy and dev.spacy) becomes a folder of DocBin shards when it would hold
    more than `shard_size` docs (default docbin.SHARD_DOCS; see write_docbin). An existing
    file or non-empty folder is only overwritten with `force` (in a folder, files of the same
    name are replaced and other files are left alone). progress(done, total) is called after
    each article; when cancelled() turns true, nothing is written and the summary says so.
    Raises ExportError (missing layer, bad path, unwritable, disk full)."""
    started = time.perf_counter()
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    if split is not None and fmt != "spacy":
        raise ExportError("a train/dev split is only written for the spacy format")
    if shard_size is not None and fmt != "spacy":
        raise ExportError("a shard size is only used for the spacy format")
    if shard_size is not None and shard_size < 1:
        raise ExportError(f"a shard holds at least 1 article, not {shard_size!r}")
    if split is not None and not 0.0 < split < 1.0:
        raise ExportError(f"split must be between 0 and 1 (the training share), not {split!r}")
    layer = layer or GOLD_LAYER
    if layer == MODEL_LAYER:
        include_pending = all_articles = True
    out = Path(out)
    folder = fmt == "brat" or (fmt == "spacy" and split is not None)
    _check_target(out, folder, force, store, shards=fmt == "spacy")
    done_only = not all_articles
    try:
        total, skipped = exported_count(store, layer, article_ids, done_only)
        not_done = 0 if all_articles else store.count_layer_articles(layer, article_ids=article_ids) - total
        if layer == GOLD_LAYER:
            _check_gold(store, article_ids, done_only, include_pending)
    except StoreError as exc:
        raise ExportError(str(exc)) from None
    # the asked-for articles left out: `skipped` counts those not done too (only when articles were chosen)
    without_layer = skipped - not_done if article_ids is not None else 0
    summary = ExportSummary(fmt=fmt, layer=layer, path=str(out), skipped=without_layer, not_done=not_done,
                            pending=include_pending)
    stance_names = store.config.stance_names

    def records() -> Iterator[dict]:
        """The records, read from the store a page at a time (memory does not grow with the corpus)."""
        for article, layer_items in store.iter_layers(layer, done_only=done_only, article_ids=article_ids):
            if cancelled and cancelled():
                raise _Cancelled()
            record = layer_record(article, layer_items, stance_names, include_rejected=include_rejected,
                                  include_pending=include_pending)
            summary.articles += 1
            summary.entities += sum(1 for s in record["spans"] if s.get("status") != "rejected")
            summary.quotes += sum(1 for q in record["quotes"] if q.get("status") != "rejected")
            yield record
            if progress:
                progress(summary.articles, total)

    def write(target: Path) -> None:
        if fmt == "jsonl":
            write_jsonl(records(), target)
        elif fmt == "csv":
            from annotator.core.formats.csvfmt import write_quotes_csv
            write_quotes_csv(records(), target, bom=bom)
        elif fmt == "conll":
            from annotator.core.formats.conll import write_conll
            write_conll(records(), target, scheme=scheme, quotes_column=quotes_column)
        elif fmt == "brat":
            config = store.config
            colors = {label.name: label.color for label in config.labels}
            colors.update({"Quote": config.quote_color, "Cue": config.cue_color, "Speaker_span": config.speaker_color})
            write_brat(records(), target, labels=config.label_names, stances=config.stance_names, colors=colors)
        else:
            from annotator.nlp.docbin import SHARD_DOCS, is_shard, write_docbin
            summary.shard_size = shard_size or SHARD_DOCS
            written = write_docbin(records(), target, split=split, total=total, shard_size=summary.shard_size)
            summary.shards = sum(1 for path in written if is_shard(path))

    created_folder = None
    staging = None
    try:
        if folder:
            if not out.exists():
                created_folder = out
                while not created_folder.parent.exists():
                    created_folder = created_folder.parent
                out.mkdir(parents=True)
            staging = out / f".export-{secrets.token_hex(4)}.tmp"
            write(staging)
            if fmt == "brat":  # two small files per article: not synced one by one (that would dominate), nor listed
                _move_all(staging, out)
                summary.files = [str(out / name) for name in CONF_FILES if (out / name).exists()]
            else:
                names = sorted(p.name for p in staging.iterdir())
                for name in names:
                    _fsync_all(staging / name)
                for name in names:
                    summary.files += _put_in_place(staging / name, out / name)
            staging.rmdir()
            staging = None
        else:
            if not out.parent.exists():
                created_folder = out.parent
                while not created_folder.parent.exists():
                    created_folder = created_folder.parent
                out.parent.mkdir(parents=True)
            staging = out.parent / f".{out.name}.{secrets.token_hex(4)}.tmp"
            write(staging)
            _fsync_all(staging)
            summary.files = _put_in_place(staging, out)
            staging = None
    except _Cancelled:
        summary.cancelled = True
        summary.articles = summary.entities = summary.quotes = 0
    except UnicodeEncodeError as exc:
        raise ExportError(f"{out}: text that cannot be written as UTF-8 ({exc.reason}); nothing was written") from None
    except ImportError as exc:
        raise ExportError(f"the {fmt} format needs a package that is not installed ({exc.name})") from None
    except OSError as exc:
        raise _os_error(exc, out) from None
    except StoreError as exc:
        raise ExportError(f"{out}: reading the database failed ({exc}); nothing was written") from None
    finally:
        if staging is not None:
            _remove(staging)
            if created_folder is not None:
                shutil.rmtree(created_folder, ignore_errors=True)
    summary.seconds = time.perf_counter() - started
    return summary


SHOWN_PROBLEMS = 20


def _check_gold(store: Store, article_ids: list[str] | None, done_only: bool, include_pending: bool) -> None:
    """Refuse a gold export (of `article_ids`, default all; done ones, with done_only) whose quotes point
    at speakers or cues that are not spans of the gold. Only articles with a quote whose speaker is
    not exactly a gold entity, or whose cue touches the quote, can have a problem: SQL finds those
    (in corpus order), exporter.quote_problems judges them."""
    statuses = ("accepted", "suggested") if include_pending else ("accepted",)
    marks = ",".join("?" * len(statuses))
    done = " AND l.status = 'done'" if done_only else ""
    suspects = [r[0] for r in store.db.execute(
        f"""SELECT a.id FROM articles a JOIN layers l ON l.article_id = a.id AND l.annotator = ?{done}
        WHERE a.id IN (SELECT q.article_id FROM quotes q WHERE q.annotator = ? AND q.status IN ({marks}) AND (
            (q.cue_start IS NOT NULL AND q.cue_start < q."end" AND q.start < q.cue_end)
            OR (q.speaker_start IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM entities e WHERE e.article_id = q.article_id AND e.annotator = q.annotator
                AND e.status IN ({marks}) AND e.start = q.speaker_start AND e."end" = q.speaker_end
                AND (q.speaker_label IS NULL OR e.label = q.speaker_label)))))
        ORDER BY a.seq""",
        [GOLD_LAYER, GOLD_LAYER, *statuses, *statuses])]
    if article_ids is not None:
        chosen = set(map(str, article_ids))
        suspects = [a for a in suspects if a in chosen]
    problems = []
    for article_id in suspects:
        problems += quote_problems(store.get_article(article_id).text, store.get_layer(article_id, GOLD_LAYER),
                                   accepted_only=not include_pending)
    if problems:
        shown = "\n  ".join(problems[:SHOWN_PROBLEMS])
        more = f"\n  … and {len(problems) - SHOWN_PROBLEMS} more" if len(problems) > SHOWN_PROBLEMS else ""
        raise ExportError(
            f"the gold is not consistent ({len(problems)} problem{'s' if len(problems) != 1 else ''}); nothing was "
            f"written. Fix each in Tools > Review gold (take the speaker's entity into the gold, or another "
            f"version of the quote):\n  {shown}{more}")


def _move_all(src: Path, dst: Path) -> None:
    """Move every file of the folder `src` into the folder `dst`, a thousand names at a time."""
    while True:
        with os.scandir(src) as entries:
            batch = [entry.name for _, entry in zip(range(1000), entries)]
        if not batch:
            return
        for name in batch:
            os.replace(src / name, dst / name)


def _put_in_place(src: Path, dst: Path) -> list[str]:
    """Move the written file or shard folder `src` to `dst`, replacing what is there; returns the
    files now at `dst`. A folder cannot be renamed over a file or a non-empty folder (nor a file over
    a folder), so an old one is first moved aside, then removed."""
    if src.is_dir() or dst.is_dir():
        old = None
        if dst.exists() or dst.is_symlink():
            old = dst.with_name(f".{dst.name}.{secrets.token_hex(4)}.old")
            os.replace(dst, old)
        os.replace(src, dst)
        if old is not None:
            _remove(old)
    else:
        os.replace(src, dst)
    return [str(p) for p in sorted(dst.iterdir())] if dst.is_dir() else [str(dst)]


def _fsync_all(path: Path) -> None:
    """fsync a file, or each file of a folder and the folder."""
    if path.is_dir():
        for child in path.iterdir():
            _fsync(child)
    _fsync(path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    try:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass
