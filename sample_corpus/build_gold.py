"""Build sample_corpus/gold.jsonl from the human-readable annotation source gold_source.json.

Every annotation in the source is given by its surface text; this script resolves it to
code-point offsets, adds the project tokens, validates everything and fails loudly on any
mismatch. Run from the repository root:

    .venv/bin/python sample_corpus/build_gold.py           # build, validate, print summary
    .venv/bin/python sample_corpus/build_gold.py --review  # also list every annotation in context

Anchor syntax in gold_source.json (an "anchor" locates one occurrence of `text`):
  {"text": t}                    t must occur exactly once in the article
  {"text": t, "occurrence": n}   the n-th occurrence (0-based) of t
  {"text": t, "context": c}      c occurs exactly once in the article and contains t exactly once
Entity entries: ["text", "LABEL"] or {"text", "label"} annotate EVERY occurrence of the text,
except occurrences inside a longer entity of the same article (e.g. "Korea Selatan" inside
"Dewan Keamanan Nasional Korea Selatan"); entries with "occurrence"/"context" annotate one.
Every occurrence must lie on token boundaries, or the build fails.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from annotator.nlp.tokenizer import token_offsets  # noqa: E402

SOURCE = HERE / "gold_source.json"
OUTPUT = HERE / "gold.jsonl"

ENTITY_LABELS = ("PERSON", "ORG", "LOC", "DATE")
SPEAKER_LABELS = ("PERSON", "ORG", "LOC")
STANCE_LABELS = ("SUPPORT", "OPPOSE", "NEUTRAL")
QUOTE_KINDS = ("direct", "indirect")


class GoldError(Exception):
    """An annotation in gold_source.json does not match its article."""


def fail(article_id: str, message: str) -> None:
    raise GoldError(f"{article_id}: {message}")


def occurrences(text: str, sub: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of `sub` in `text`."""
    found, i = [], text.find(sub)
    while i != -1:
        found.append(i)
        i = text.find(sub, i + 1)
    return found


def resolve_anchor(article_id: str, text: str, anchor: dict) -> tuple[int, int]:
    """(start, end) of the occurrence of anchor["text"] that the anchor designates."""
    surface = anchor.get("text")
    if not surface or surface != surface.strip():
        fail(article_id, f"anchor text empty or with outer whitespace: {anchor!r}")
    if "context" in anchor and "occurrence" in anchor:
        fail(article_id, f"anchor has both context and occurrence: {anchor!r}")
    if "context" in anchor:
        context = anchor["context"]
        where = occurrences(text, context)
        if len(where) != 1:
            fail(article_id, f"context occurs {len(where)} times (need 1): {context!r}")
        inside = occurrences(context, surface)
        if len(inside) != 1:
            fail(article_id, f"{surface!r} occurs {len(inside)} times in context {context!r}")
        start = where[0] + inside[0]
    else:
        where = occurrences(text, surface)
        if "occurrence" in anchor:
            n = anchor["occurrence"]
            if not isinstance(n, int) or not 0 <= n < len(where):
                fail(article_id, f"occurrence {n!r} of {surface!r}: only {len(where)} found")
            start = where[n]
        else:
            if len(where) != 1:
                fail(article_id, f"{surface!r} occurs {len(where)} times; give context or occurrence")
            start = where[0]
    end = start + len(surface)
    if text[start:end] != surface:
        fail(article_id, f"slice {text[start:end]!r} != {surface!r}")
    return start, end


class TokenIndex:
    """Maps character offsets to project-tokenizer token indices."""

    def __init__(self, text: str):
        self.text = text
        self.offsets = token_offsets(text)
        self.by_start = {s: i for i, (s, _) in enumerate(self.offsets)}
        self.by_end = {e: i for i, (_, e) in enumerate(self.offsets)}

    def on_boundaries(self, start: int, end: int) -> bool:
        return start in self.by_start and end in self.by_end

    def token_span(self, article_id: str, start: int, end: int, what: str) -> tuple[int, int]:
        """(token_start, token_end inclusive) of a span that must start and end on token boundaries."""
        if not self.on_boundaries(start, end):
            fail(article_id, f"{what} {self.text[start:end]!r} [{start}:{end}] is not on token boundaries")
        return self.by_start[start], self.by_end[end]

    def tokens(self) -> list[dict]:
        """Prodigy-style tokens; `ws` is true when the token is followed by whitespace."""
        return [
            {"text": self.text[s:e], "start": s, "end": e, "id": i,
             "ws": e < len(self.text) and self.text[e].isspace()}
            for i, (s, e) in enumerate(self.offsets)
        ]


def read_article(article_id: str) -> tuple[str, dict]:
    raw = (HERE / f"{article_id}.txt").read_bytes().decode("utf-8")
    text = raw.replace("\r\n", "\n")  # only changes files that have CRLF; the seed files have none
    meta = json.loads((HERE / f"{article_id}.meta.json").read_text(encoding="utf-8"))
    if set(meta) != {"title", "source", "date", "url"}:
        fail(article_id, f"meta keys {sorted(meta)} != title/source/date/url")
    return text, meta


def resolve_entities(article_id: str, text: str, index: TokenIndex, entries: list) -> list[dict]:
    """Entity spans from the source entries: longest first; shorter 'all occurrences' entries
    skip occurrences that lie inside an already placed longer entity."""
    normalised = []
    for entry in entries:
        if isinstance(entry, list):
            if len(entry) != 2:
                fail(article_id, f"entity entry must be [text, label]: {entry!r}")
            entry = {"text": entry[0], "label": entry[1]}
        if entry.get("label") not in ENTITY_LABELS:
            fail(article_id, f"unknown entity label in {entry!r}")
        normalised.append(entry)

    placed: list[tuple[int, int, str]] = []
    seen_texts = Counter((e["text"], "context" in e or "occurrence" in e) for e in normalised)
    for (surface, single), n in seen_texts.items():
        if n > 1 and not single:
            fail(article_id, f"entity text listed twice for all occurrences: {surface!r}")

    for entry in sorted(normalised, key=lambda e: -len(e["text"])):
        if "context" in entry or "occurrence" in entry:
            candidates = [resolve_anchor(article_id, text, entry)]
            must_place = True
        else:
            starts = occurrences(text, entry["text"])
            if not starts:
                fail(article_id, f"entity text not found: {entry['text']!r}")
            candidates = [(s, s + len(entry["text"])) for s in starts]
            must_place = False
        placed_any = False
        for start, end in candidates:
            inside = [p for p in placed if p[0] <= start and end <= p[1]]
            if inside and not must_place:
                continue  # part of a longer entity, e.g. "Rusia" in "Federasi Rusia"
            clash = [p for p in placed if start < p[1] and p[0] < end]
            if clash:
                fail(article_id, f"entity {text[start:end]!r} [{start}:{end}] overlaps "
                                 f"{[text[p[0]:p[1]] for p in clash]}")
            index.token_span(article_id, start, end, f"entity {entry['label']}")
            placed.append((start, end, entry["label"]))
            placed_any = True
        if not placed_any:
            fail(article_id, f"entity entry placed nowhere: {entry!r}")

    spans = []
    for start, end, label in sorted(placed):
        token_start, token_end = index.token_span(article_id, start, end, "entity")
        spans.append({"start": start, "end": end, "token_start": token_start, "token_end": token_end,
                      "label": label, "source": "human", "status": "accepted"})
    return spans


def resolve_quotes(article_id: str, text: str, index: TokenIndex, entries: list,
                   spans: list[dict]) -> tuple[list[dict], list[dict]]:
    """Quotes and their Prodigy-style SPEAKER relations."""
    entity_at = {(s["start"], s["end"]): s for s in spans}
    quotes, relations, seen = [], [], set()
    for q in entries:
        unknown_keys = set(q) - {"content", "kind", "speaker", "cue", "stance", "note"}
        if unknown_keys:
            fail(article_id, f"unknown quote keys {sorted(unknown_keys)} in {q.get('content')!r}")
        if q.get("kind") not in QUOTE_KINDS:
            fail(article_id, f"unknown quote kind {q.get('kind')!r}")
        if q.get("stance") not in STANCE_LABELS:
            fail(article_id, f"unknown stance {q.get('stance')!r}")
        content = q["content"] if isinstance(q["content"], dict) else {"text": q["content"]}
        start, end = resolve_anchor(article_id, text, content)
        q_tok_start, q_tok_end = index.token_span(article_id, start, end, "quote")
        if (start, end) in seen:
            fail(article_id, f"quote annotated twice: {text[start:end]!r}")
        seen.add((start, end))
        if q["kind"] == "direct":
            before, after = text[start - 1:start], text[end:end + 1]
            in_marks = before and after and before in '"“' and after in '"”'
            headline = text[start - 2:start] == ": " and after in ("", "\n")  # "Biden: Sangat Berbahaya"
            if not (in_marks or headline):
                fail(article_id, f"direct quote neither in quotation marks nor a headline quote: {text[start:end]!r}")

        speaker = None
        if q.get("speaker") is not None:
            anchor = q["speaker"]
            s_start, s_end = resolve_anchor(article_id, text, anchor)
            s_tok_start, s_tok_end = index.token_span(article_id, s_start, s_end, "speaker")
            entity = entity_at.get((s_start, s_end))
            if anchor.get("free"):
                if entity is not None:
                    fail(article_id, f"speaker {anchor['text']!r} marked free but is an entity span")
                label = anchor.get("label")
            else:
                if entity is None:
                    fail(article_id, f"speaker {anchor['text']!r} is not an entity span (mark it free?)")
                label = entity["label"]
                if anchor.get("label", label) != label:
                    fail(article_id, f"speaker {anchor['text']!r} label {anchor['label']} != entity {label}")
            if label not in SPEAKER_LABELS:
                fail(article_id, f"speaker {anchor['text']!r} has unknown label {label!r}")
            speaker = {"start": s_start, "end": s_end, "label": label}
            relations.append({
                "head": q_tok_end, "child": s_tok_end, "label": "SPEAKER",
                "head_span": {"start": start, "end": end, "token_start": q_tok_start,
                              "token_end": q_tok_end, "label": "QUOTE"},
                "child_span": {"start": s_start, "end": s_end, "token_start": s_tok_start,
                               "token_end": s_tok_end, "label": label},
            })

        cue = None
        if q.get("cue") is not None:
            c_start, c_end = resolve_anchor(article_id, text, q["cue"])
            index.token_span(article_id, c_start, c_end, "cue")
            if start < c_end and c_start < end:
                fail(article_id, f"cue {text[c_start:c_end]!r} overlaps its quote")
            cue = {"start": c_start, "end": c_end, "text": text[c_start:c_end]}

        quotes.append({"start": start, "end": end, "kind": q["kind"], "speaker": speaker, "cue": cue,
                       "stance": q["stance"], "source": "human", "status": "accepted"})
    order = sorted(range(len(quotes)), key=lambda i: (quotes[i]["start"], quotes[i]["end"]))
    quotes = [quotes[i] for i in order]
    relations.sort(key=lambda r: (r["head_span"]["start"], r["head_span"]["end"]))
    return quotes, relations


def validate_record(record: dict) -> None:
    """Independent re-check of the finished record against FORMAT.md's rules."""
    rid, text = record["id"], record["text"]
    n = len(text)
    tokens = record["tokens"]
    for i, tok in enumerate(tokens):
        if tok["id"] != i or text[tok["start"]:tok["end"]] != tok["text"]:
            fail(rid, f"token {i} does not match the text")
    previous_end = -1
    for span in record["spans"]:
        if not 0 <= span["start"] < span["end"] <= n:
            fail(rid, f"span offsets out of range: {span}")
        if span["start"] < previous_end:
            fail(rid, f"entity spans overlap or are unsorted at {span['start']}")
        previous_end = span["end"]
        if tokens[span["token_start"]]["start"] != span["start"] or tokens[span["token_end"]]["end"] != span["end"]:
            fail(rid, f"span token indices do not match offsets: {span}")
        if span["label"] not in ENTITY_LABELS:
            fail(rid, f"unknown label {span['label']}")
    for quote in record["quotes"]:
        for part in ("speaker", "cue"):
            if quote[part] is not None and not 0 <= quote[part]["start"] < quote[part]["end"] <= n:
                fail(rid, f"quote {part} out of range: {quote}")
        if not 0 <= quote["start"] < quote["end"] <= n:
            fail(rid, f"quote out of range: {quote}")
        if text[quote["start"]:quote["end"]] != text[quote["start"]:quote["end"]].strip():
            fail(rid, f"quote has outer whitespace: {quote}")
        if quote["cue"] is not None and text[quote["cue"]["start"]:quote["cue"]["end"]] != quote["cue"]["text"]:
            fail(rid, f"cue text mismatch: {quote['cue']}")
    with_speaker = [q for q in record["quotes"] if q["speaker"] is not None]
    if len(with_speaker) != len(record["relations"]):
        fail(rid, "one SPEAKER relation per quote with a speaker expected")
    for quote, rel in zip(with_speaker, record["relations"]):
        hs, cs = rel["head_span"], rel["child_span"]
        if (hs["start"], hs["end"]) != (quote["start"], quote["end"]) or \
           (cs["start"], cs["end"], cs["label"]) != (quote["speaker"]["start"], quote["speaker"]["end"], quote["speaker"]["label"]):
            fail(rid, f"relation does not match its quote: {rel}")
        if rel["head"] != hs["token_end"] or rel["child"] != cs["token_end"]:
            fail(rid, f"relation head/child must be token_end of the spans: {rel}")


def build_record(article: dict, annotator_id: str) -> dict:
    article_id = article["id"]
    text, meta = read_article(article_id)
    index = TokenIndex(text)
    spans = resolve_entities(article_id, text, index, article["entities"])
    quotes, relations = resolve_quotes(article_id, text, index, article["quotes"], spans)
    record = {"id": article_id, "text": text, "meta": meta, "tokens": index.tokens(),
              "spans": spans, "quotes": quotes, "relations": relations}
    if article.get("cats") is not None:
        record["cats"] = article["cats"]
    record["answer"] = "accept"
    record["_annotator_id"] = annotator_id
    validate_record(record)
    return record


def review(record: dict) -> None:
    """Print every annotation in context, and capitalised tokens left unannotated."""
    text = record["text"]
    print(f"\n=== {record['id']}")
    for s in record["spans"]:
        print(f"  {s['label']:6} {text[s['start']:s['end']]!r:45} …{text[max(0, s['start'] - 25):s['start']]!r}")
    covered = set()
    for s in record["spans"]:
        covered.update(range(s["start"], s["end"]))
    loose = Counter(t["text"] for t in record["tokens"] if t["text"][:1].isupper() and t["start"] not in covered)
    print("  capitalised, not in an entity:", dict(sorted(loose.items())))
    for q in record["quotes"]:
        sp = q["speaker"]
        sp_text = text[sp["start"]:sp["end"]] + f"/{sp['label']}" if sp else None
        free = sp is not None and not any((s["start"], s["end"]) == (sp["start"], sp["end"]) for s in record["spans"])
        print(f"  Q {q['kind']:8} {q['stance']:7} spk={sp_text!r}{' (free)' if free else ''} "
              f"cue={q['cue']['text'] if q['cue'] else None!r}\n      «{text[q['start']:q['end']]}»")


def summarise(records: list[dict]) -> None:
    print(f"\n{'article':22} {'PER':>4} {'ORG':>4} {'LOC':>4} {'DATE':>4} | {'quotes':>6} {'dir':>4} {'ind':>4} "
          f"{'spk':>4} {'noSpk':>5} {'free':>4} | {'SUP':>4} {'OPP':>4} {'NEU':>4}")
    totals = Counter()
    for r in records:
        c = Counter(s["label"] for s in r["spans"])
        entity_offsets = {(s["start"], s["end"]) for s in r["spans"]}
        for q in r["quotes"]:
            c["quotes"] += 1
            c["dir" if q["kind"] == "direct" else "ind"] += 1
            c["spk" if q["speaker"] else "noSpk"] += 1
            if q["speaker"] and (q["speaker"]["start"], q["speaker"]["end"]) not in entity_offsets:
                c["free"] += 1
            c[q["stance"]] += 1
        totals.update(c)
        print(f"{r['id']:22} {c['PERSON']:4} {c['ORG']:4} {c['LOC']:4} {c['DATE']:4} | {c['quotes']:6} {c['dir']:4} "
              f"{c['ind']:4} {c['spk']:4} {c['noSpk']:5} {c['free']:4} | {c['SUPPORT']:4} {c['OPPOSE']:4} {c['NEUTRAL']:4}")
    c = totals
    print(f"{'TOTAL':22} {c['PERSON']:4} {c['ORG']:4} {c['LOC']:4} {c['DATE']:4} | {c['quotes']:6} {c['dir']:4} "
          f"{c['ind']:4} {c['spk']:4} {c['noSpk']:5} {c['free']:4} | {c['SUPPORT']:4} {c['OPPOSE']:4} {c['NEUTRAL']:4}")
    print("(spk = quotes with a speaker; free = speaker is a free span, not an entity in `spans`)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--review", action="store_true", help="print every annotation in context")
    args = parser.parse_args()
    source = json.loads(SOURCE.read_text(encoding="utf-8"))
    ids = [a["id"] for a in source["articles"]]
    on_disk = sorted(p.stem for p in HERE.glob("*.txt"))
    if sorted(ids) != on_disk or len(set(ids)) != len(ids):
        raise GoldError(f"articles in source {ids} != .txt files {on_disk}")
    try:
        records = [build_record(a, source["annotator_id"]) for a in source["articles"]]
    except GoldError as err:
        print(f"gold build FAILED: {err}", file=sys.stderr)
        return 1
    if args.review:
        for r in records:
            review(r)
    with OUTPUT.open("w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} records to {OUTPUT.relative_to(HERE.parent)}")
    summarise(records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
