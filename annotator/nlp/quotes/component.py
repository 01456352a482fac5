"""The spaCy component ``quote_finder``: finds the quotes of a Doc and writes ``doc._.quotes``
and the span groups quotes/cues/speakers."""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from annotator.nlp.quotes.patterns import QuotePatterns, load_patterns
from annotator.nlp.quotes.view import _Quote, _View, doc_text
from annotator.nlp.quotes.speakers import _descriptor_speaker
from annotator.nlp.quotes.direct import _direct_quotes, _headline_quote, _headline_report
from annotator.nlp.quotes.indirect import _indirect_quotes
from annotator.nlp.quotes.coreference import _continuations, _plural_references, _resolve_coreference, _title_references


class QuoteFinder:
    """spaCy component: finds quotes, cues and speakers (see the module docstring)."""

    def __init__(self, patterns_path: str | None = None, coref_window: int = 1000, indirect: bool = True):
        self.patterns_path = patterns_path
        self.patterns = load_patterns(patterns_path)
        self.coref_window = coref_window
        self.indirect = indirect

    def __call__(self, doc: Doc) -> Doc:
        quotes = find_quotes(doc, self.patterns, coref_window=self.coref_window, indirect=self.indirect)
        _write(doc, quotes)
        return doc


@Language.factory(
    "quote_finder",
    default_config={"patterns_path": None, "coref_window": 1000, "indirect": True},
)
def make_quote_finder(nlp: Language, name: str, patterns_path: str | None, coref_window: int, indirect: bool) -> QuoteFinder:
    """Rule-based quote, cue and speaker finder (word lists in resources/patterns/quotes.json)."""
    return QuoteFinder(patterns_path=patterns_path, coref_window=coref_window, indirect=indirect)


def find_quotes(doc: Doc, patterns: QuotePatterns | None = None, coref_window: int = 1000, indirect: bool = True) -> list[_Quote]:
    """All quotes of ``doc`` in text order (internal records; see ``_write`` for the output)."""
    pat = patterns or load_patterns()
    v = _View(doc, pat)
    quotes = _direct_quotes(v)
    for head in (_headline_quote(v, quotes), _headline_report(v, quotes)):
        if head is not None:
            quotes.append(head)
    if indirect:
        quotes += _indirect_quotes(v)
    quotes.sort(key=lambda q: q.start)
    for q in quotes:
        if q.speaker is not None and not q.speaker.coref:
            q.speaker = _descriptor_speaker(v, q.speaker) or q.speaker
    _title_references(v, quotes)
    _resolve_coreference(v, quotes, coref_window)
    _continuations(v, quotes)
    _plural_references(v, quotes, coref_window)
    return quotes


def _write(doc: Doc, quotes: list[_Quote]) -> None:
    """Store quotes on ``doc._.quotes`` and the span groups quotes/cues/speakers."""
    records: list[dict[str, Any]] = []
    qspans, cspans, sspans = [], [], []
    seen_speakers: set = set()
    text = doc_text(doc)
    for q in quotes:
        span = doc.char_span(q.start, q.end, alignment_mode="expand")
        if span is None:
            continue
        rec: dict[str, Any] = {
            "start": q.start,
            "end": q.end,
            "token_start": span.start,
            "token_end": span.end,
            "kind": q.kind,
            "speaker": None,
            "cue": None,
            "stance": None,
            "score": None,
            "source": "rule",
            "status": "suggested",
            "attribution": q.how if q.speaker is not None else None,
        }
        qspans.append(Span(doc, span.start, span.end, label=q.kind))
        if q.cue is not None:
            c0, c1 = q.cue
            cs, ce = doc[c0].idx, doc[c1 - 1].idx + len(doc[c1 - 1].text.rstrip(",.:;"))
            rec["cue"] = {"start": cs, "end": ce, "text": text[cs:ce], "token_start": c0, "token_end": c1}
            cspans.append(Span(doc, c0, c1, label="CUE"))
        if q.speaker is not None:
            s = q.speaker
            ss = doc[s.start].idx
            last = doc[s.end - 1]
            se = last.idx + len(last.text.rstrip(",.:;") or last.text)
            rec["speaker"] = {"start": ss, "end": se, "label": s.label, "text": text[ss:se], "token_start": s.start, "token_end": s.end}
            if (s.start, s.end) not in seen_speakers:
                seen_speakers.add((s.start, s.end))
                sspans.append(Span(doc, s.start, s.end, label=s.label))
        records.append(rec)
    doc._.quotes = records
    doc.spans["quotes"] = qspans
    doc.spans["cues"] = cspans
    doc.spans["speakers"] = sspans
