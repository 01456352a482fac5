"""FORMAT.md JSONL: one JSON object per line."""

from __future__ import annotations

import codecs
import json
import stat
from pathlib import Path
from typing import Iterable, Iterator

from annotator.core.formats.common import _BOMS, FormatError, Problem, looks_binary, read_nonempty


def read_jsonl(path: str | Path) -> Iterator[dict | Problem]:
    """Records of a JSONL file; a bad line becomes a Problem naming file:line, the others still come.
    A UTF-8 file is read a line at a time (memory does not grow with the file); other encodings, and a
    .json file (which may hold one document over many lines), are read whole as read_text does."""
    path = Path(path)
    if path.suffix.lower() != ".json":
        lines = _utf8_lines(path)
        if lines is not None:
            yield from _records(path, lines)
            return
    text, problems = read_nonempty(path)  # FormatError (binary): read_paths reports it per file
    yield from problems
    if text is None:
        return
    if path.suffix.lower() == ".json" and "\n" in text.strip():
        # a .json file may hold one JSON document (a record, or a list of records) over many lines
        try:
            document = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            document = None  # then it is read as JSONL, line by line
        if document is not None:
            yield from _document_records(path, document)
            return
    yield from _records(path, enumerate(text.split("\n"), 1))


def _utf8_lines(path: Path) -> Iterator[tuple[int, str]] | None:
    """(number, line) of a file as read_text would give them, read a line at a time; None when the file
    must be read whole (UTF-16/32). A file that turns out not to be UTF-8 is then decoded whole, and
    its lines not given yet follow."""
    if not stat.S_ISREG(path.stat().st_mode):
        return None  # refused by read_text
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if any(head.startswith(bom) for bom, name in _BOMS if name != "utf-8-sig"):
        return None
    if looks_binary(head):
        raise FormatError(f"{path}: looks like a binary file, not text; skipped")
    return _lines(path)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    number = 0
    blank = True
    with open(path, "rb") as fh:
        for raw in fh:
            if number == 0:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:  # not all UTF-8: decode the file whole, as read_text does
                text, problems = read_nonempty(path)
                yield from ((0, p) for p in problems)
                if text is not None:
                    yield from list(enumerate(text.split("\n"), 1))[number:]
                return
            if line.endswith("\n"):
                line = line[:-1]
            for piece in (line[:-1] if line.endswith("\r") else line).split("\r"):
                number += 1
                blank = blank and not piece.strip()
                yield number, piece
    if blank:
        yield 0, Problem(str(path), None, "empty file; skipped", "warning")


def _records(path: Path, lines: Iterable[tuple[int, str | Problem]]) -> Iterator[dict | Problem]:
    for number, line in lines:
        if isinstance(line, Problem):
            yield line
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Problem(str(path), number, f"bad JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield Problem(str(path), number, "bad JSON: nested too deeply to be read")
            continue
        if not isinstance(record, dict):
            yield Problem(str(path), number, "a line must hold a JSON object")
            continue
        record["_file"] = str(path)
        record["_line"] = number
        yield record


def _document_records(path: Path, document) -> Iterator[dict | Problem]:
    records = document if isinstance(document, list) else [document]
    if not all(isinstance(r, dict) and "text" in r for r in records):
        yield Problem(str(path), None, "a JSON document that is not a record or a list of records (no 'text'); skipped",
                      "warning")
        return
    for number, record in enumerate(records, 1):
        record["_file"] = f"{path} (record {number})" if len(records) > 1 else str(path)
        record["_line"] = None
        yield record


def dump_record(record: dict) -> str:
    """One JSONL line (without the newline); private keys are left out."""
    return json.dumps({k: v for k, v in record.items() if k not in ("_file", "_line")}, ensure_ascii=False)


def write_jsonl(records, path: str | Path) -> int:
    """Write records, each with Prodigy's `_input_hash` and `_task_hash` (kept when it has them)."""
    n = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for record in records:
            fh.write(dump_record(set_hashes(record)) + "\n")
            n += 1
    return n


# ---- Prodigy's hashes ---------------------------------------------------------------------------
# Prodigy identifies a task by two 32-bit MurmurHash3 values: `_input_hash` over the input keys,
# `_task_hash` over the task keys prefixed with the input hash. Its defaults (prodigy.util):
INPUT_HASH_KEYS = ("text", "image", "html", "input")
TASK_HASH_KEYS = ("spans", "label", "options", "arcs")
IGNORE_HASH_KEYS = ("score", "rank", "model", "source", "pattern", "priority", "path", "_view_id", "_session_id",
                    "_annotator_id", "answer")


def murmurhash3_32(data: bytes, seed: int = 0) -> int:
    """MurmurHash3 x86 32-bit as a signed int (what the `murmurhash` package's hash() returns)."""
    c1, c2, mask = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF
    h = seed & mask
    tail = len(data) & ~3
    for i in range(0, tail, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * c1) & mask
        k = ((k << 15) | (k >> 17)) & mask
        h ^= (k * c2) & mask
        h = ((h << 13) | (h >> 19)) & mask
        h = (h * 5 + 0xE6546B64) & mask
    k = 0
    rest = data[tail:]
    if rest:
        k = int.from_bytes(rest, "little")
        k = (k * c1) & mask
        k = ((k << 15) | (k >> 17)) & mask
        h ^= (k * c2) & mask
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & mask
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & mask
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


try:  # the C implementation spaCy installs; murmurhash3_32 gives the same values without it
    from murmurhash import hash as _murmurhash
except ImportError:  # pragma: no cover
    def _murmurhash(text: str) -> int:
        return murmurhash3_32(text.encode("utf-8"))


def _without(value, ignore: tuple[str, ...]):
    if isinstance(value, dict):
        return {k: _without(v, ignore) for k, v in value.items() if k not in ignore}
    if isinstance(value, list):
        return [_without(v, ignore) for v in value]
    return value


def prodigy_hash(record: dict, keys: tuple[str, ...], prefix: int | None = None) -> int:
    """Prodigy's get_hash: MurmurHash3 of the sorted-key JSON of `keys` (ignored keys left out at
    every level), prefixed with `prefix` (the input hash, for the task hash)."""
    values = _without({k: record[k] for k in keys if k in record}, IGNORE_HASH_KEYS)
    data = json.dumps(values, sort_keys=True)
    if prefix is not None:
        data = f"{prefix}{data}"
    return _murmurhash(data)


def set_hashes(record: dict) -> dict:
    """The record with `_input_hash` and `_task_hash` (ints); hashes it already has are kept, as
    Prodigy's set_hashes does by default (so an imported Prodigy record keeps its identity)."""
    if isinstance(record.get("_input_hash"), int) and isinstance(record.get("_task_hash"), int):
        return record
    record = dict(record)
    if not isinstance(record.get("_input_hash"), int):
        record["_input_hash"] = prodigy_hash(record, INPUT_HASH_KEYS)
    if not isinstance(record.get("_task_hash"), int):
        record["_task_hash"] = prodigy_hash(record, TASK_HASH_KEYS, prefix=record["_input_hash"])
    return record
