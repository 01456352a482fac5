"""FORMAT.md JSONL: one JSON object per line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from annotator.core.formats.common import Problem, read_nonempty


def read_jsonl(path: str | Path) -> Iterator[dict | Problem]:
    """Records of a JSONL file; a bad line becomes a Problem naming file:line, the others still come."""
    path = Path(path)
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
    for number, line in enumerate(text.split("\n"), 1):
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
    n = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for record in records:
            fh.write(dump_record(record) + "\n")
            n += 1
    return n
