"""CoNLL-style token-per-line files (IOB1, IOB2, BILOU, BIOES): reader and writer.

Reading
    One token per line: `token<TAB>tag` (or space-separated; extra middle columns are
    allowed and ignored, the tag is the LAST column, the token the first). A blank line ends
    a sentence. The article text is rebuilt: tokens joined by one space, sentences by "\\n".
    `tokens` are given with each record, so the stored tokens are exactly the file's tokens.

    Documents (`doc_boundary`):
      "docstart"  a `-DOCSTART-` line starts a new document (CoNLL-2003). A file without any
                  `-DOCSTART-` line is read as in "none" mode, with one warning.
      "blank"     every blank-line separated block (sentence) is a document.
      "none"      the file has no document structure: every `sentences_per_doc` sentences
                  form one document (`-DOCSTART-` lines are skipped).

    Tags: `O`, `B-X`, `I-X`, `L-X`/`E-X`, `U-X`/`S-X`; one decoder reads all schemes: B/U/S
    start an entity, I continues an open entity of the same type (else starts one: IOB1, and
    the common `O I-X` slip of IOB2), L/E close it. A bad line (no tag, `I-` without type,
    unknown prefix, empty token) is an error `Problem` naming file:line, and its document is
    skipped as a whole (each record is all or nothing, like the importer); later documents
    still import. Records carry `"answer": "accept"` (the file is a complete annotation), so
    a document without entities is kept as an annotated negative example.

    `read_iob` reads the plain IOB files the NER is trained from (`annotator.nlp.ner_train`):
    (words, tags) per sentence, strict `token<TAB>tag` lines, the first bad line an error.

Writing
    Entities as IOB tags of each record's `tokens`, `-DOCSTART-` and a blank line before each
    document, a blank line at each line break of the text (never inside an entity, nor
    inside a quote when the quote column is written). With `quotes_column=True` the lines are
    `token<TAB>quote-tag<TAB>entity-tag` (quote tags `B-QUOTE_DIRECT`, `I-QUOTE_INDIRECT` …):
    the entity tag stays the last column, so `read_conll` reads the entities back.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from annotator.core.formats.common import Problem, read_text
from annotator.core.offsets import simple_tokens, split_tokens_at

DOCSTART = "-DOCSTART-"
DOC_BOUNDARIES = ("docstart", "blank", "none")
SCHEMES = ("iob1", "iob2", "bilou", "bioes")

#: NERGrit / CoNLL-style entity types -> project labels. Unknown labels pass through.
DEFAULT_LABEL_MAP: Mapping[str, str] = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "ORGANISATION": "ORG",
    "ORGANIZATION": "ORG",
    "PLACE": "LOC",
    "LOCATION": "LOC",
    "GPE": "LOC",
}

_PREFIXES = ("B", "I", "L", "E", "U", "S")
_IOB_PREFIXES = ("B", "I")
_LINE_BREAK = re.compile(r"[\n\r\u2028\u2029\x85]")


class _Doc:
    """Tokens, tags and line numbers of one document being read."""

    __slots__ = ("sentences", "current", "first_line", "errors")

    def __init__(self) -> None:
        self.sentences: list[list[tuple[str, str]]] = []
        self.current: list[tuple[str, str]] = []
        self.first_line: int | None = None
        self.errors: list[tuple[int, str]] = []

    def end_sentence(self) -> None:
        if self.current:
            self.sentences.append(self.current)
            self.current = []

    def empty(self) -> bool:
        return not self.sentences and not self.current and not self.errors


def _parse_line(line: str, strict: bool = False) -> tuple[str, str] | str:
    """(token, tag) of a line, or the reason it is malformed. `strict` (the training files of
    `read_iob`): exactly `token<TAB>tag`, no white space in the token, tags O, B-X and I-X only."""
    if strict:
        parts = line.split("\t")
        if len(parts) != 2:
            return f"expected 'token<TAB>tag', found {len(parts)} tab-separated field(s): {line!r}"
    else:
        parts = line.split("\t") if "\t" in line else line.split()
        if len(parts) < 2:
            return f"no tag (expected 'token<TAB>tag'): {line!r}"
    token, tag = parts[0].strip(), parts[-1].strip()
    if not token:
        return f"empty token: {line!r}"
    if strict and any(ch.isspace() for ch in parts[0]):
        return f"token contains whitespace: {parts[0]!r}"
    if tag == "O":
        return token, tag
    prefixes = _IOB_PREFIXES if strict else _PREFIXES
    prefix, sep, label = tag.partition("-")
    if prefix not in prefixes or not sep:
        return f"bad tag {tag!r} (expected O, or {', '.join(p + '-' for p in prefixes)} followed by a type)"
    if not label.strip():
        return f"bad tag {tag!r}: no entity type after {prefix}-"
    return token, tag


def _decode(tags: list[str]) -> list[tuple[int, int, str]]:
    """Entities (first token, last token inclusive, type) of one sentence, any scheme."""
    entities: list[tuple[int, int, str]] = []
    open_start, open_label = None, None

    def close(last: int) -> None:
        nonlocal open_start, open_label
        if open_start is not None:
            entities.append((open_start, last, open_label))
        open_start, open_label = None, None

    for i, tag in enumerate(tags):
        if tag == "O":
            close(i - 1)
            continue
        prefix, _, label = tag.partition("-")
        if prefix in ("B", "U", "S") or open_label != label:
            close(i - 1)
            open_start, open_label = i, label
        if prefix in ("L", "E", "U", "S"):
            close(i)
    close(len(tags) - 1)
    return entities


def _build_record(doc: _Doc, doc_id: str, file: str, label_map: Mapping[str, str | None],
                  answer: str | None) -> dict:
    parts: list[str] = []
    tokens: list[dict] = []
    spans: list[dict] = []
    pos = 0
    for n, sentence in enumerate(doc.sentences):
        if n:
            parts.append("\n")
            pos += 1
            tokens[-1]["ws"] = True
        base = len(tokens)
        for k, (word, _) in enumerate(sentence):
            if k:
                parts.append(" ")
                pos += 1
            tokens.append({"text": word, "start": pos, "end": pos + len(word), "id": len(tokens), "ws": True})
            parts.append(word)
            pos += len(word)
        tokens[-1]["ws"] = False
        for first, last, label in _decode([tag for _, tag in sentence]):
            mapped = label_map.get(label, label)
            if mapped is None:
                continue
            spans.append({"start": tokens[base + first]["start"], "end": tokens[base + last]["end"],
                          "token_start": base + first, "token_end": base + last, "label": mapped})
    record = {"id": doc_id, "text": "".join(parts), "tokens": tokens, "spans": spans}
    if answer:
        record["answer"] = answer
    record.update({"_file": file, "_line": doc.first_line})
    return record


def read_conll(
    path: str | Path,
    *,
    doc_boundary: str = "docstart",
    label_map: Mapping[str, str | None] | None = None,
    sentences_per_doc: int = 10,
    answer: str | None = "accept",
) -> Iterator[dict | Problem]:
    """FORMAT.md records (ids `<file stem>-0001` …) and Problems of a CoNLL/IOB file.

    label_map: entity type in the file -> project label (default `DEFAULT_LABEL_MAP`); a type
    not in the map passes through unchanged (the importer reports unknown labels); a type
    mapped to None is dropped.
    answer: a CoNLL file is a complete annotation, so each record says `"answer": "accept"`:
    a document without entities is then stored as annotated (a negative example that the gold
    export keeps) rather than as bare text. None leaves the answer out."""
    if doc_boundary not in DOC_BOUNDARIES:
        raise ValueError(f"doc_boundary must be one of {DOC_BOUNDARIES}, not {doc_boundary!r}")
    if sentences_per_doc < 1:
        raise ValueError("sentences_per_doc must be at least 1")
    path = Path(path)
    file = str(path)
    label_map = DEFAULT_LABEL_MAP if label_map is None else label_map
    text, problems = read_text(path)
    yield from problems
    lines = text.split("\n")
    mode = doc_boundary
    if mode == "docstart" and (DOCSTART not in text or not any(line.split(None, 1)[:1] == [DOCSTART] for line in lines)):
        mode = "none"
        yield Problem(file, None, f"no {DOCSTART} line: every {sentences_per_doc} sentences are read as one "
                                  "document (choose 'blank' for one document per sentence)", "warning")
    stem = path.stem
    count = 0
    doc = _Doc()

    def finish() -> Iterator[dict | Problem]:
        nonlocal count, doc
        doc.end_sentence()
        if doc.empty():
            doc = _Doc()
            return
        count += 1
        doc_id = f"{stem}-{count:04d}"
        if doc.errors:
            for line_no, reason in doc.errors:
                yield Problem(file, line_no, f"{reason}; document {doc_id} skipped")
        elif doc.sentences:
            yield _build_record(doc, doc_id, file, label_map, answer)
        doc = _Doc()

    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            doc.end_sentence()
            if mode == "blank" or (mode == "none" and len(doc.sentences) >= sentences_per_doc):
                yield from finish()
            continue
        if line.split(None, 1)[0] == DOCSTART:
            if mode != "none":
                yield from finish()
            continue
        parsed = _parse_line(line)
        if doc.first_line is None:
            doc.first_line = line_no
        if isinstance(parsed, str):
            doc.errors.append((line_no, parsed))
            continue
        doc.current.append(parsed)
    yield from finish()


def read_iob(path: str | Path) -> list[tuple[list[str], list[str]]]:
    """The (words, tags) sentences of a plain IOB training file (NERGrit style): UTF-8,
    `token<TAB>tag` lines, a blank line between sentences, tags `O`, `B-TYPE` or `I-TYPE`.

    Stricter than `read_conll` (see `_parse_line`): the first malformed line raises ValueError
    naming `file:line` and the reason. Tags are kept as read, a lone `I-` too."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ValueError(f"{path}: cannot open: {err.strerror or err}") from err
    return _sentences(text, path, lambda line: _parse_line(line, strict=True))


def read_tagged(path: str | Path) -> list[tuple[list[str], list[str]]]:
    """The (words, tags) sentences of a ``word<TAB>tag`` file with any tags (a POS corpus), a
    blank line between sentences. The first malformed line raises ValueError naming file:line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise ValueError(f"{path}: cannot read: {err.strerror}") from None
    return _sentences(text, path, _parse_tagged)


def _parse_tagged(line: str) -> tuple[str, str] | str:
    word, sep, tag = line.rpartition("\t")
    if not sep or not word.strip() or not tag.strip() or any(ch.isspace() for ch in tag):
        return f"expected 'word<TAB>tag', got {line[:60]!r}"
    return word, tag


def _sentences(text: str, path: Path, parse) -> list[tuple[list[str], list[str]]]:
    """Sentences (blank-line separated) of `text`, each line through `parse`: (token, tag), or
    the reason it is malformed, which raises ValueError naming file:line."""
    doc = _Doc()
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            doc.end_sentence()
            continue
        parsed = parse(line)
        if isinstance(parsed, str):
            raise ValueError(f"{path}:{line_no}: {parsed}")
        doc.current.append(parsed)
    doc.end_sentence()
    return [([word for word, _ in sentence], [tag for _, tag in sentence]) for sentence in doc.sentences]


# ---- writing ------------------------------------------------------------------------------

def _tags(n_tokens: int, spans: list[tuple[int, int, str]], scheme: str) -> list[str]:
    """Tags of n tokens for non-overlapping (first, last inclusive, label) spans."""
    tags = ["O"] * n_tokens
    previous_end, previous_label = -2, None
    for first, last, label in sorted(spans):
        if scheme in ("bilou", "bioes") and first == last:
            tags[first] = ("U-" if scheme == "bilou" else "S-") + label
        else:
            for i in range(first, last + 1):
                tags[i] = "I-" + label
            if scheme != "iob1" or (previous_end == first - 1 and previous_label == label):
                tags[first] = "B-" + label
            if scheme in ("bilou", "bioes"):
                tags[last] = ("L-" if scheme == "bilou" else "E-") + label
        previous_end, previous_label = last, label
    return tags


def _token_range(starts: list[int], ends: list[int], start: int, end: int) -> tuple[int, int] | None:
    first = bisect.bisect_left(starts, start)
    last = bisect.bisect_right(ends, end) - 1
    return (first, last) if first <= last else None


def _non_overlapping(ranges: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    kept: list[tuple[int, int, str]] = []
    for first, last, label in sorted(ranges, key=lambda r: (r[0], -r[1])):
        if not kept or first > kept[-1][1]:
            kept.append((first, last, label))
    return kept


def _record_tokens(record: dict, boundaries: set[int]) -> list[tuple[int, int]]:
    text = record["text"]
    if record.get("tokens"):
        tokens = sorted((int(t["start"]), int(t["end"])) for t in record["tokens"])
    else:
        tokens = simple_tokens(text)
    return split_tokens_at(tokens, boundaries)


def _clean(word: str) -> str:
    """A token as one CoNLL field: no tab or line break may end up in the file."""
    return re.sub(r"[\t\n\r\u2028\u2029\x85\x0b\x0c]", " ", word).strip() or "_"


def conll_lines(record: dict, *, scheme: str = "iob2", quotes_column: bool = False) -> list[str]:
    """The lines (without line ends) of one record: sentences separated by empty strings."""
    text = record["text"]
    entities = [s for s in record.get("spans") or () if s.get("status") != "rejected"]
    quotes = [q for q in record.get("quotes") or () if q.get("status") != "rejected"] if quotes_column else []
    boundaries = {x for s in (*entities, *quotes) for x in (s["start"], s["end"])}
    tokens = _record_tokens(record, boundaries)
    tokens = [(s, e) for s, e in tokens if text[s:e].strip()]
    if not tokens:
        return []
    starts = [s for s, _ in tokens]
    ends = [e for _, e in tokens]
    entity_ranges = _non_overlapping([r + (s["label"],) for s in entities
                                      if (r := _token_range(starts, ends, s["start"], s["end"]))])
    entity_tags = _tags(len(tokens), entity_ranges, scheme)
    quote_tags: list[str] = []
    inside = [False] * len(tokens)  # token i continues the span of token i-1: no sentence break
    for first, last, _ in entity_ranges:
        for i in range(first + 1, last + 1):
            inside[i] = True
    if quotes_column:
        quote_ranges = _non_overlapping([r + ("QUOTE_" + str(q.get("kind") or "direct").upper(),) for q in quotes
                                         if (r := _token_range(starts, ends, q["start"], q["end"]))])
        quote_tags = _tags(len(tokens), quote_ranges, scheme)
        for first, last, _ in quote_ranges:
            for i in range(first + 1, last + 1):
                inside[i] = True
    lines: list[str] = []
    for i, (s, e) in enumerate(tokens):
        if i and not inside[i] and _LINE_BREAK.search(text, ends[i - 1], s):
            lines.append("")
        word = _clean(text[s:e])
        lines.append(f"{word}\t{quote_tags[i]}\t{entity_tags[i]}" if quotes_column else f"{word}\t{entity_tags[i]}")
    return lines


def write_conll(records: Iterable[dict], out_path: str | Path, *, scheme: str = "iob2",
                quotes_column: bool = False) -> int:
    """Write records as a CoNLL file; returns the number of documents written.

    Rejected spans are never written (a tag cannot carry a status)."""
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, not {scheme!r}")
    docstart = f"{DOCSTART}\tO\tO" if quotes_column else f"{DOCSTART}\tO"
    written = 0
    with open(out_path, "w", encoding="utf-8", newline="\n") as out:
        for record in records:
            lines = conll_lines(record, scheme=scheme, quotes_column=quotes_column)
            if not lines:
                continue
            out.write(f"{docstart}\n\n")
            out.write("\n".join(lines))
            out.write("\n\n")
            written += 1
    return written
