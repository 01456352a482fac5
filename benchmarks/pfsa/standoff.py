"""Join PFSA stand-off annotations to the PFSA-ID article texts (FORMAT.md JSONL out).

    python benchmarks/pfsa/standoff.py STANDOFF.jsonl OUT.jsonl [--pfsa PATH]

A stand-off line holds an article id, the sha256 of its text and offsets only (no text: the
PFSA-ID text is CC BY-NC-SA and stays in ../shared/data):

    {"id": …, "text_sha256": …, "spans": [{"start", "end", "label"}],
     "quotes": [{"start", "end", "kind", "speaker": {"start", "end"} | null,
                 "cue": {"start", "end"} | null, "stance": null}]}

A speaker with the offsets of an entity span takes that span's label; any other speaker is a
free span (GUIDELINES.md rule 4/5) with its optional "label", PERSON by default.
The output is gold for `annotator evaluate OUT.jsonl` and `annotator import OUT.jsonl`.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from annotator.core.formats.common import Problem  # noqa: E402
from annotator.core.formats.jsonl import read_jsonl, write_jsonl  # noqa: E402
from annotator.nlp.tokenizer import token_offsets  # noqa: E402



def _default_pfsa() -> Path:
    """shared/data/pfsa-id-dev.jsonl in the nearest directory above the repository that has one
    (../shared for the main checkout, ../../shared for a worktree under wt/); else ../shared."""
    for parent in REPO.parents:
        candidate = parent / "shared" / "data" / "pfsa-id-dev.jsonl"
        if candidate.is_file():
            return candidate
    return REPO.parent / "shared" / "data" / "pfsa-id-dev.jsonl"


DEFAULT_PFSA = _default_pfsa()
ENTITY_LABELS = ("PERSON", "ORG", "LOC", "DATE")
SPEAKER_LABELS = ("PERSON", "ORG", "LOC")
QUOTE_KINDS = ("direct", "indirect")
LINE_KEYS = {"id", "text_sha256", "spans", "quotes"}


class StandoffError(ValueError):
    """A stand-off file does not fit its articles; the message names the file, line and id."""


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _records(path: str | Path) -> list[dict]:
    """JSONL records of `path`; any unreadable line is an error naming file:line."""
    records = []
    for item in read_jsonl(path):
        if isinstance(item, Problem):
            raise StandoffError(str(item))
        records.append(item)
    return records


def load_texts(pfsa_path: str | Path = DEFAULT_PFSA) -> dict[str, str]:
    """Article id -> text of the PFSA-ID file."""
    if not Path(pfsa_path).is_file():
        raise StandoffError(f"{pfsa_path}: PFSA-ID file not found")
    return {r["id"]: r["text"] for r in _records(pfsa_path)}


def validate(line: dict, text: str) -> list[str]:
    """Problems of one stand-off line against its article text (empty list: valid).

    Checks the keys, labels and kinds, that every offset is in range, that entity spans, quotes,
    speakers and cues start and end on project tokens, and that entity spans do not overlap."""
    problems = []
    keys = set(line) - {"_file", "_line"}
    if keys != LINE_KEYS:
        problems.append(f"keys {sorted(keys)} != {sorted(LINE_KEYS)}")
        return problems
    offsets = token_offsets(text)
    starts = {s for s, _ in offsets}
    ends = {e for _, e in offsets}

    def check(span, what: str) -> bool:
        if not isinstance(span, dict) or not isinstance(span.get("start"), int) or not isinstance(span.get("end"), int):
            problems.append(f"{what}: needs integer start and end: {span!r}")
            return False
        s, e = span["start"], span["end"]
        if not 0 <= s < e <= len(text):
            problems.append(f"{what} [{s}:{e}] out of range (text has {len(text)} characters)")
            return False
        if s not in starts or e not in ends:
            problems.append(f"{what} [{s}:{e}] {text[s:e]!r} is not on token boundaries")
            return False
        return True

    previous = None
    for span in sorted((sp for sp in line["spans"] if isinstance(sp, dict)),
                       key=lambda sp: (sp.get("start", -1), sp.get("end", -1))):
        if span.get("label") not in ENTITY_LABELS:
            problems.append(f"entity [{span.get('start')}:{span.get('end')}] has unknown label {span.get('label')!r}")
        if not check(span, "entity"):
            continue
        if previous is not None and span["start"] < previous["end"]:
            problems.append(f"entity [{span['start']}:{span['end']}] overlaps [{previous['start']}:{previous['end']}]")
        previous = span
    if len(line["spans"]) != sum(isinstance(sp, dict) for sp in line["spans"]):
        problems.append("every entity span must be an object")
    for quote in line["quotes"]:
        if not isinstance(quote, dict):
            problems.append(f"quote must be an object: {quote!r}")
            continue
        if quote.get("kind") not in QUOTE_KINDS:
            problems.append(f"quote [{quote.get('start')}:{quote.get('end')}] has unknown kind {quote.get('kind')!r}")
        check(quote, "quote")
        speaker = quote.get("speaker")
        if speaker is not None and check(speaker, "speaker") and speaker.get("label", "PERSON") not in SPEAKER_LABELS:
            problems.append(f"speaker [{speaker['start']}:{speaker['end']}] has unknown label {speaker['label']!r}")
        if quote.get("cue") is not None:
            check(quote["cue"], "cue")
    return problems


FREQUENCY = re.compile(r"(?i)(setiap|tiap|per|semakin)\b|dari (hari|minggu|pekan|bulan|tahun) ke|(ber)(hari|minggu|bulan|tahun)-")
PLACE_PREFIX = re.compile(r"(Kota|Kabupaten|Provinsi|Desa|Kecamatan|Kelurahan|Distrik|Pulau) $")
TITLE_BEFORE_PREFIX = re.compile(r"(Wali|Kepala|Ibu) (Kota|Kabupaten|Provinsi|Desa|Kecamatan|Kelurahan|Distrik|Pulau) $")
REGIONAL_GOVERNMENT = re.compile(r"(Pemerintah|Pemkot|Pemkab|Pemprov) $")
COMPANY_PREFIX = re.compile(r"\b(PT|PO) $")


def convention_problems(line: dict, text: str) -> list[str]:
    """Entity spans of a valid line that break a mechanically checkable convention of
    GUIDELINES.md section 8 (frequencies are not DATE; capitalised place prefixes inside the
    LOC but only the place inside a title; a capitalised regional government is one ORG;
    PT/PO inside the ORG)."""
    problems = []
    for span in sorted(line["spans"], key=lambda sp: sp["start"]):
        s, e, label = span["start"], span["end"], span["label"]
        words, before = text[s:e], text[max(0, s - 40):s]
        where = f"{label} [{s}:{e}] {words!r}"
        if label == "DATE" and FREQUENCY.match(words):
            problems.append(f"{where}: a frequency or rate is not DATE")
        if label == "LOC" and re.match(r"(Kota|Kabupaten|Provinsi) ", words) and REGIONAL_GOVERNMENT.search(before):
            problems.append(f"{where}: a capitalised regional government is one ORG with its 'Pemerintah'")
        if label == "LOC" and PLACE_PREFIX.search(before) and not TITLE_BEFORE_PREFIX.search(before):
            problems.append(f"{where}: the capitalised place prefix before it belongs inside the LOC")
        if label == "LOC" and re.match(r"(Kota|Kabupaten|Desa) ", words) and re.search(r"(Wali|Kepala) $", before):
            problems.append(f"{where}: inside a title only the place is the LOC")
        if label == "ORG" and COMPANY_PREFIX.search(before):
            problems.append(f"{where}: 'PT'/'PO' belongs inside the ORG")
    return problems


def _exchange_record(line: dict, text: str, source: str) -> dict:
    """The FORMAT.md record of a validated stand-off line."""
    offsets = token_offsets(text)
    token_at_start = {s: i for i, (s, _) in enumerate(offsets)}
    token_at_end = {e: i for i, (_, e) in enumerate(offsets)}
    spans = [{"start": s["start"], "end": s["end"], "token_start": token_at_start[s["start"]],
              "token_end": token_at_end[s["end"]], "label": s["label"], "source": "human", "status": "accepted"}
             for s in sorted(line["spans"], key=lambda s: s["start"])]
    label_at = {(s["start"], s["end"]): s["label"] for s in spans}
    quotes = []
    for q in sorted(line["quotes"], key=lambda q: (q["start"], q["end"])):
        speaker = q["speaker"]
        if speaker is not None:
            label = label_at.get((speaker["start"], speaker["end"]), speaker.get("label", "PERSON"))
            speaker = {"start": speaker["start"], "end": speaker["end"], "label": label}
        cue = q["cue"]
        if cue is not None:
            cue = {"start": cue["start"], "end": cue["end"], "text": text[cue["start"]:cue["end"]]}
        quotes.append({"start": q["start"], "end": q["end"], "kind": q["kind"], "speaker": speaker, "cue": cue,
                       "stance": q.get("stance"), "source": "human", "status": "accepted"})
    return {"id": line["id"], "text": text, "meta": {"source": "PFSA-ID (CC BY-NC-SA)", "standoff": source},
            "spans": spans, "quotes": quotes, "answer": "accept", "_annotator_id": "@gold"}


def join(standoff_path: str | Path, pfsa_path: str | Path = DEFAULT_PFSA) -> list[dict]:
    """FORMAT.md records: each stand-off line of `standoff_path` joined to its PFSA-ID text.

    Raises StandoffError (naming file, line and id) on an unknown id, a text whose sha256 differs
    from the one annotated, a repeated id, or any problem `validate` finds."""
    texts = load_texts(pfsa_path)
    records, seen = [], set()
    for line in _records(standoff_path):
        where = f"{line['_file']}:{line['_line']}"
        article_id = line.get("id")
        if article_id not in texts:
            raise StandoffError(f"{where}: article id {article_id!r} is not in {pfsa_path}")
        if article_id in seen:
            raise StandoffError(f"{where}: {article_id}: article annotated twice")
        seen.add(article_id)
        text = texts[article_id]
        if line.get("text_sha256") != text_sha256(text):
            raise StandoffError(f"{where}: {article_id}: text_sha256 does not match the article text in {pfsa_path} "
                                f"(the annotations were made on a different text); refusing to join")
        problems = validate(line, text)
        if problems:
            raise StandoffError(f"{where}: {article_id}: " + "; ".join(problems))
        records.append(_exchange_record(line, text, Path(standoff_path).name))
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("standoff", help="stand-off JSONL (e.g. benchmarks/pfsa/pfsa_dev_standoff.jsonl)")
    parser.add_argument("out", help="FORMAT.md JSONL to write (contains the licensed text: keep it out of git)")
    parser.add_argument("--pfsa", default=str(DEFAULT_PFSA), help="PFSA-ID JSONL (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        records = join(args.standoff, args.pfsa)
    except StandoffError as err:
        print(f"standoff: {err}", file=sys.stderr)
        return 1
    n = write_jsonl(records, args.out)
    print(f"wrote {n} articles ({sum(len(r['spans']) for r in records)} entities, "
          f"{sum(len(r['quotes']) for r in records)} quotes) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
