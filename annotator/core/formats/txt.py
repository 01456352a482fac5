"""Plain-text articles: one article per `.txt` file, id from the file name.

Metadata may sit next to a file as `<stem>.meta.json` (title, source, date, url, anything else)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from annotator.core.formats.common import Problem, read_nonempty


def read_txt(path: str | Path) -> Iterator[dict | Problem]:
    path = Path(path)
    text, problems = read_nonempty(path)  # FormatError (binary): read_paths reports it per file
    yield from problems
    if text is None:
        return
    record: dict = {"id": path.stem, "text": text, "meta": {}, "_file": str(path)}
    meta_path = path.with_name(path.stem + ".meta.json")
    if meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                raise ValueError("not a JSON object")
            record["meta"] = meta
        except (ValueError, UnicodeDecodeError) as exc:
            yield Problem(str(meta_path), None, f"metadata ignored: {exc}", "warning")
    yield record
