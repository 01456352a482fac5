"""CSV: articles in (one row per article), quotes out (one row per quote, for spreadsheets).

Reading: the first row is the header. The delimiter is sniffed (`,` `;` TAB `|`) unless given.
The text column is required; the id column is `id_column`, else a column named `id` when
there is one, else the importer derives a stable id from the text. Every other column goes
to `meta` (the importer takes `title`, `source`, `date` and `url` from there). Line numbers
in problems are physical lines of the file, so a quoted cell over several lines counts all
of them.

Writing: RFC 4180 quoting (cells with commas, quotes or line breaks are quoted), CRLF row
ends, UTF-8 (with BOM on request, for Excel). Every text cell that a spreadsheet would run as a
formula (starting with = + - @ TAB CR LF, also after leading spaces) gets a leading apostrophe
(OWASP's advice against CSV injection): article text, but also speaker labels, stances, kinds and
annotator names, which come from project files and user input too.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable, Iterator

from annotator.core.formats.common import FormatError, Problem, read_text

CANDIDATE_DELIMITERS = ",;\t|"

QUOTE_COLUMNS = ("article_id", "title", "quote", "kind", "speaker", "speaker_label", "cue", "stance",
                 "source", "status", "annotator", "start", "end")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def _sniff(text: str, text_column: str) -> str:
    """The delimiter of a CSV text: the candidate that makes the header hold `text_column`,
    else csv.Sniffer's guess, else the candidate most frequent in the header line."""
    header = text.split("\n", 1)[0]
    with_column = [d for d in CANDIDATE_DELIMITERS
                   if text_column.casefold() in (c.strip().casefold() for c in next(csv.reader([header], delimiter=d)))]
    if len(with_column) == 1:
        return with_column[0]
    counts = {d: header.count(d) for d in CANDIDATE_DELIMITERS}
    if not any(counts.values()):  # one column: the candidate that splits no cell
        return min(CANDIDATE_DELIMITERS, key=lambda d: (text.count(d), d != ","))
    candidates = "".join(with_column) or CANDIDATE_DELIMITERS
    try:
        return csv.Sniffer().sniff(text[:65536], delimiters=candidates).delimiter
    except csv.Error:
        return max(candidates, key=lambda d: counts[d])


def _find_column(header: list[str], name: str, path: Path, what: str) -> int:
    if name in header:
        return header.index(name)
    folded = [c.casefold() for c in header]
    if name.casefold() in folded:
        return folded.index(name.casefold())
    raise FormatError(f"{path}: no {what} column {name!r}; the columns are: {', '.join(map(repr, header))}")


def read_csv(
    path: str | Path,
    *,
    text_column: str = "text",
    id_column: str | None = None,
    title_column: str | None = None,
    delimiter: str | None = None,
) -> Iterator[dict | Problem]:
    """FORMAT.md records (id, text, meta) of the rows of a CSV file, and Problems.

    Raises FormatError when the file is binary, empty or lacks the text column (the
    message names the file and the columns it has)."""
    path = Path(path)
    file = str(path)
    text, problems = read_text(path)
    if not text.strip():
        raise FormatError(f"{path}: the file is empty")
    if delimiter is None:
        delimiter = _sniff(text, text_column)
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 26))  # long articles in one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [c.strip() for c in next(reader)]
    except csv.Error as exc:
        raise FormatError(f"{path}:1: cannot read the header: {exc}") from None
    text_index = _find_column(header, text_column, path, "text")
    if id_column is not None:
        id_index: int | None = _find_column(header, id_column, path, "id")
    else:
        id_index = next((i for i, c in enumerate(header) if c.casefold() == "id" and i != text_index), None)
    title_index = _find_column(header, title_column, path, "title") if title_column is not None else None
    seen: dict[str, int] = {}
    names = []
    for i, name in enumerate(header):
        name = name or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            problems.append(Problem(file, 1, f"duplicate column {name!r}: the copy is kept as {name}_{seen[name]}",
                                    "warning"))
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        names.append(name)
    yield from problems

    line = reader.line_num  # physical lines consumed so far
    while True:
        first_line = line + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            reason = ("a quoted cell starting here is never closed" if "end of data" in str(exc)
                      else f"malformed quoting ({exc})")
            yield Problem(file, first_line, f"{reason}; row skipped")
            line = reader.line_num
            continue
        line = reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            yield Problem(file, first_line, f"the row has {len(row)} cells but the header has {len(header)} "
                                            f"(delimiter {delimiter!r}; an unquoted delimiter in a cell?); row skipped")
            continue
        row = row + [""] * (len(header) - len(row))
        article_text = row[text_index]
        if not article_text.strip():
            yield Problem(file, first_line, f"empty text in column {header[text_index]!r}; row skipped")
            continue
        meta = {}
        for i, (name, cell) in enumerate(zip(names, row)):
            if i in (text_index, id_index, title_index):
                continue
            meta[name] = cell if cell != "" else None
        if title_index is not None:
            meta["title"] = row[title_index]
        record: dict = {"text": article_text, "meta": meta, "_file": file, "_line": first_line}
        if id_index is not None and row[id_index].strip():
            record["id"] = row[id_index].strip()
        yield record


# ---- writing ------------------------------------------------------------------------------

def spreadsheet_safe(value):
    """A cell value that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.lstrip(" ").startswith(_FORMULA_START):
        return "'" + value
    return value


def quote_rows(record: dict) -> Iterator[dict]:
    """One row (a dict of QUOTE_COLUMNS) per quote of a record."""
    text = record["text"]
    meta = record.get("meta") or {}
    for q in record.get("quotes") or ():
        speaker = q.get("speaker") or None
        cue = q.get("cue") or None
        yield {
            "article_id": record.get("id"),
            "title": meta.get("title") or "",
            "quote": text[q["start"]:q["end"]],
            "kind": q.get("kind") or "",
            "speaker": text[speaker["start"]:speaker["end"]] if speaker else "",
            "speaker_label": (speaker.get("label") or "") if speaker else "",
            "cue": (cue.get("text") or text[cue["start"]:cue["end"]]) if cue else "",
            "stance": q.get("stance") or "",
            "source": q.get("source") or "",
            "status": q.get("status") or "",
            "annotator": record.get("_annotator_id") or "",
            "start": q["start"],
            "end": q["end"],
        }


def write_quotes_csv(records: Iterable[dict], out_path: str | Path, *, bom: bool = False) -> int:
    """Write one row per quote (columns QUOTE_COLUMNS); returns the number of rows."""
    rows = 0
    with open(out_path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        writer = csv.writer(out, dialect="excel")  # "," delimiter, minimal quoting, CRLF
        writer.writerow(QUOTE_COLUMNS)
        for record in records:
            for row in quote_rows(record):
                writer.writerow([spreadsheet_safe(row[c]) for c in QUOTE_COLUMNS])
                rows += 1
    return rows
