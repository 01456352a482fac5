"""brat standoff: `<id>.txt` + `<id>.ann` per article, and an `annotation.conf`.

Annotation types
    entities      T lines with the entity label (PERSON, ORG, LOC, DATE …)
    quotes        T `Quote`, with the attributes `A Kind Tn direct|indirect` and
                  `A Stance Tn <stance>`; one span type plus attributes keeps kind and stance
                  symmetrical and the relation definitions short
    cues          T `Cue`, linked by `R Quote_cue Arg1:<quote> Arg2:<cue>`
    speakers      `R Speaker Arg1:<quote> Arg2:<speaker>`; the speaker is the entity with the
                  same offsets, else a T `Speaker_span` line is added for it
    article stance  `A Article_stance Tq <stance>` is not possible in brat (attributes belong to
                  annotations), so the article-level stance is written as a note `#` on the
                  first annotation line: `#1 AnnotatorNotes T1 article stance: OPPOSE`. brat
                  needs an annotation to hang it on, so an article without annotations carries
                  no stance.

Offsets are code points of the .txt, which is written exactly (UTF-8, no newline
translation). A span across a line break is written as brat fragments (`start end;start end`)
because brat cannot show a span over a line break. Rejected annotations are not written.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Iterable

QUOTE_TYPE = "Quote"
CUE_TYPE = "Cue"
SPEAKER_SPAN_TYPE = "Speaker_span"
SPEAKER_RELATION = "Speaker"
CUE_RELATION = "Quote_cue"

ANNOTATION_CONF, VISUAL_CONF = CONF_FILES = ("annotation.conf", "visual.conf")
_UNSAFE = re.compile(r"[^\w.-]", re.UNICODE)
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_LINE_BREAKS = "\n\r\u2028\u2029\x85\x0b\x0c\x1c\x1d\x1e"


class TakenStems:
    """File stems already used, compared case-insensitively (two files may not differ in case only:
    they would clash on Windows and macOS). With `folder`, the folder the stems' `.txt` files are
    written into as they are given out, a stem that is its own casefold (most ids) is found as its file
    and only the others are kept, so a million articles do not take a million names in memory."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder
        self._kept: set[str] = set()

    def __contains__(self, stem: str) -> bool:
        folded = stem.casefold()
        return folded in self._kept or (self.folder is not None and (self.folder / f"{folded}.txt").exists())

    def add(self, stem: str) -> None:
        if self.folder is None or stem != stem.casefold():
            self._kept.add(stem.casefold())


def safe_stem(article_id: str, taken: TakenStems | None = None, max_length: int = 100) -> str:
    """A file name stem for an article id that cannot leave its folder (`../x`, `/etc/x`,
    `C:\\x`, `NUL`) and is unique in `taken` (updated).

    Ids that are already safe and at most `max_length` UTF-8 bytes long are kept as they are;
    others are cut to that many bytes and get a short hash of the id, so two ids that clean up
    to the same text still get different files and no file name exceeds 255 bytes."""
    article_id = str(article_id)
    stem = _UNSAFE.sub("_", article_id).lstrip(".") or "_"
    if stem.split(".")[0].casefold() in _WINDOWS_RESERVED:
        stem = "_" + stem
    if stem != article_id or len(stem.encode("utf-8")) > max_length:
        short = stem.encode("utf-8")[:max_length].decode("utf-8", "ignore")
        stem = f"{short}-{hashlib.sha1(article_id.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"
    if taken is not None:
        candidate, n = stem, 1
        while candidate in taken:
            n += 1
            candidate = f"{stem}-{n}"
        stem = candidate
        taken.add(stem)
    return stem


def _fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) cut at line breaks, each piece trimmed of whitespace."""
    pieces, pos = [], start
    for i in range(start, end + 1):
        if i == end or text[i] in _LINE_BREAKS:
            a, b = pos, i
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if a < b:
                pieces.append((a, b))
            pos = i + 1
    return pieces or [(start, end)]


def _t_line(n: int, label: str, text: str, start: int, end: int) -> str:
    fragments = _fragments(text, start, end)
    where = ";".join(f"{a} {b}" for a, b in fragments)
    shown = " ".join(text[a:b] for a, b in fragments)
    shown = "".join(" " if c in _LINE_BREAKS else c for c in shown)
    return f"T{n}\t{label} {where}\t{shown}"


def ann_lines(record: dict) -> list[str]:
    """The .ann lines of one record."""
    text = record["text"]
    lines: list[str] = []
    t_ids: dict[tuple[int, int, str], int] = {}
    entity_at: dict[tuple[int, int], int] = {}
    counters = {"T": 0, "R": 0, "A": 0, "#": 0}

    def next_id(kind: str) -> int:
        counters[kind] += 1
        return counters[kind]

    def t(label: str, start: int, end: int) -> int:
        key = (start, end, label)
        if key not in t_ids:
            n = next_id("T")
            t_ids[key] = n
            lines.append(_t_line(n, label, text, start, end))
        return t_ids[key]

    for span in record.get("spans") or ():
        if span.get("status") != "rejected":
            entity_at.setdefault((span["start"], span["end"]), t(span["label"], span["start"], span["end"]))
    for quote in record.get("quotes") or ():
        if quote.get("status") == "rejected":
            continue
        q = t(QUOTE_TYPE, quote["start"], quote["end"])
        lines.append(f"A{next_id('A')}\tKind T{q} {quote.get('kind') or 'direct'}")
        if quote.get("stance"):
            lines.append(f"A{next_id('A')}\tStance T{q} {quote['stance']}")
        speaker = quote.get("speaker")
        if speaker:
            key = (speaker["start"], speaker["end"])
            s = entity_at.get(key) or t(SPEAKER_SPAN_TYPE, *key)
            lines.append(f"R{next_id('R')}\t{SPEAKER_RELATION} Arg1:T{q} Arg2:T{s}")
        cue = quote.get("cue")
        if cue:
            c = t(CUE_TYPE, cue["start"], cue["end"])
            lines.append(f"R{next_id('R')}\t{CUE_RELATION} Arg1:T{q} Arg2:T{c}")
    stance = _article_stance(record)
    if stance and t_ids:
        lines.append(f"#{next_id('#')}\tAnnotatorNotes T1\tarticle stance: {stance}")
    return lines


def _article_stance(record: dict) -> str | None:
    for key, value in (record.get("cats") or {}).items():
        if key.startswith("stance:") and value and float(value) >= 0.5:
            return key.split(":", 1)[1]
    return None


def annotation_conf(labels: Iterable[str], stances: Iterable[str], kinds: Iterable[str] = ("direct", "indirect")) -> str:
    labels = list(dict.fromkeys(labels))
    speakers = "|".join([*labels, SPEAKER_SPAN_TYPE])
    stances = list(dict.fromkeys(stances))
    lines = [
        "# brat configuration written by annotator (see annotator/core/formats/brat.py)",
        "[entities]", *labels, QUOTE_TYPE, CUE_TYPE, SPEAKER_SPAN_TYPE,
        "", "[relations]",
        f"{SPEAKER_RELATION}\tArg1:{QUOTE_TYPE}, Arg2:{speakers}",
        f"{CUE_RELATION}\tArg1:{QUOTE_TYPE}, Arg2:{CUE_TYPE}",
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
        "", "[events]", "", "[attributes]",
        f"Kind\tArg:{QUOTE_TYPE}, Value:{'|'.join(kinds)}",
    ]
    if stances:
        lines.append(f"Stance\tArg:{QUOTE_TYPE}, Value:{'|'.join(stances)}")
    return "\n".join(lines) + "\n"


def visual_conf(colors: dict[str, str]) -> str:
    lines = ["[labels]", "", "[drawing]"]
    lines += [f"{name}\tbgColor:{color}" for name, color in colors.items()]
    return "\n".join(lines) + "\n"


def write_brat(records: Iterable[dict], out_dir: str | Path, *, labels: Iterable[str] | None = None,
               stances: Iterable[str] | None = None, colors: dict[str, str] | None = None) -> int:
    """Write `<id>.txt` and `<id>.ann` for each record into `out_dir` (created if missing), plus
    `annotation.conf` (and `visual.conf` when `colors` are given); returns the number of
    articles written. Labels and stances default to those seen in the records. A file name already
    in `out_dir` is not reused (an article whose id would give it gets `-2`)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    taken = TakenStems(out_dir)
    seen_labels: dict[str, None] = dict.fromkeys(labels or ())
    seen_stances: dict[str, None] = dict.fromkeys(stances or ())
    written = 0
    for record in records:
        stem = safe_stem(record["id"], taken)
        with open(out_dir / f"{stem}.txt", "w", encoding="utf-8", newline="") as fh:
            fh.write(record["text"])
        lines = ann_lines(record)
        with open(out_dir / f"{stem}.ann", "w", encoding="utf-8", newline="") as fh:
            fh.write("".join(line + "\n" for line in lines))
        for span in record.get("spans") or ():
            seen_labels.setdefault(span["label"])
        for quote in record.get("quotes") or ():
            if quote.get("stance"):
                seen_stances.setdefault(quote["stance"])
        written += 1
    with open(out_dir / ANNOTATION_CONF, "w", encoding="utf-8", newline="") as fh:
        fh.write(annotation_conf(seen_labels, seen_stances))
    if colors:
        with open(out_dir / VISUAL_CONF, "w", encoding="utf-8", newline="") as fh:
            fh.write(visual_conf(colors))
    return written
