"""One entry for every importer: paths (files or folders) and a format, out come records and problems."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from annotator.core.formats.common import FormatError, Problem

FORMATS = ("auto", "txt", "jsonl", "conll", "csv")
_SUFFIXES = {".txt": "txt", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".conll": "conll",
             ".iob": "conll", ".bio": "conll", ".bilou": "conll", ".tsv": "conll", ".csv": "csv"}


def guess_format(path: Path) -> str | None:
    return _SUFFIXES.get(path.suffix.lower())


def expand_paths(paths: list[str | Path], fmt: str = "auto", problems: list[Problem] | None = None) -> list[Path]:
    """Files named, and the files of each folder named (sorted; hidden files and sidecars left out).

    A link inside a folder that leads out of it is not followed (it is added to `problems`)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            folder = path.resolve()
            for child in sorted(path.iterdir()):
                if child.name.startswith(".") or child.name.endswith(".meta.json"):
                    continue
                if child.is_symlink() and not child.resolve().is_relative_to(folder):
                    if problems is not None:
                        problems.append(Problem(str(child), None, f"a link to {child.resolve()}, outside the folder "
                                                "imported; not followed (name the file itself to import it)",
                                                "warning"))
                    continue
                if child.is_file() and (fmt != "auto" or guess_format(child)):
                    files.append(child)
        elif path.exists():
            files.append(path)
        else:
            raise FormatError(f"{path}: no such file or folder")
    return files


def read_paths(paths: list[str | Path], fmt: str = "auto", **options) -> Iterator[dict | Problem]:
    """Records from files and folders. Options go to the reader of the format (text_column …)."""
    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    skipped: list[Problem] = []
    files = expand_paths(paths, fmt, skipped)
    yield from skipped
    for path in files:
        kind = fmt if fmt != "auto" else guess_format(path)
        if kind is None:
            yield Problem(str(path), None, "unknown file type; use --format")
            continue
        try:
            yield from _read(path, kind, options)
        except FormatError as exc:  # the whole file is unreadable: say so, go on with the others
            message = str(exc)
            yield Problem(str(path), None, message[len(str(path)) + 2:] if message.startswith(f"{path}: ") else message)
        except (OSError, ValueError, RecursionError, MemoryError) as exc:  # one file's fault stops that file only
            yield Problem(str(path), None, f"reading stopped: {type(exc).__name__}: {exc}")


def _read(path: Path, kind: str, options: dict) -> Iterator[dict | Problem]:
    if kind == "txt":
        from annotator.core.formats.txt import read_txt
        yield from read_txt(path)
    elif kind == "jsonl":
        from annotator.core.formats.jsonl import read_jsonl
        yield from read_jsonl(path)
    elif kind == "conll":
        from annotator.core.formats.conll import read_conll
        yield from read_conll(path, **_pick(options, "doc_boundary", "label_map"))
    elif kind == "csv":
        from annotator.core.formats.csvfmt import read_csv
        yield from read_csv(path, **_pick(options, "text_column", "id_column", "title_column", "delimiter"))


def _pick(options: dict, *names: str) -> dict:
    return {k: v for k, v in options.items() if k in names and v is not None}
