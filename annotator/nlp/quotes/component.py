"""The spaCy component ``quote_finder``: finds the quotes of a Doc and writes ``doc._.quotes``
and the span groups quotes/cues/speakers."""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from annotator.nlp.quotes.patterns import QuotePatterns, load_patterns
from annotator.nlp.quotes.view import DEMONSTRATIVES, _Quote, _View, doc_text
from annotator.nlp.quotes.speakers import _descriptor_speaker, _joiner
from annotator.nlp.quotes.direct import _direct_quotes, _headline_quote, _headline_report
from annotator.nlp.quotes.indirect import _indirect_quotes
from annotator.nlp.quotes.coreference import (_continuations, _organisation_references, _plural_references,
                                              _resolve_coreference, _title_references)


class QuoteFinder:
    """spaCy component: finds quotes, cues and speakers (see the module docstring)."""

    def __init__(self, patterns_path: str | None = None, coref_window: int = 1000, indirect: bool = True,
                 speaker_entities: bool = True):
        self.patterns_path = patterns_path
        self.patterns = load_patterns(patterns_path)
        self.coref_window = coref_window
        self.indirect = indirect
        self.speaker_entities = speaker_entities

    def __call__(self, doc: Doc) -> Doc:
        v = _View(doc, self.patterns)
        quotes = _find(v, coref_window=self.coref_window, indirect=self.indirect)
        _write(doc, quotes)
        if self.speaker_entities:
            _name_speakers(v, quotes)
        return doc


@Language.factory(
    "quote_finder",
    default_config={"patterns_path": None, "coref_window": 1000, "indirect": True, "speaker_entities": True},
)
def make_quote_finder(nlp: Language, name: str, patterns_path: str | None, coref_window: int, indirect: bool,
                      speaker_entities: bool) -> QuoteFinder:
    """Rule-based quote, cue and speaker finder (word lists in resources/patterns/quotes.json);
    with ``speaker_entities`` the names it finds as speakers become PERSON entities."""
    return QuoteFinder(patterns_path=patterns_path, coref_window=coref_window, indirect=indirect,
                       speaker_entities=speaker_entities)


def find_quotes(doc: Doc, patterns: QuotePatterns | None = None, coref_window: int = 1000, indirect: bool = True) -> list[_Quote]:
    """All quotes of ``doc`` in text order (internal records; see ``_write`` for the output)."""
    return _find(_View(doc, patterns or load_patterns()), coref_window=coref_window, indirect=indirect)


def _find(v: _View, coref_window: int, indirect: bool) -> list[_Quote]:
    """The quotes of the viewed document in text order."""
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
    _organisation_references(v, quotes)
    _resolve_coreference(v, quotes, coref_window)
    _continuations(v, quotes)
    _plural_references(v, quotes, coref_window)
    return quotes


def _name_speakers(v: _View, quotes: list[_Quote]) -> None:
    """Make each PERSON speaker written as a name a PERSON entity of ``v.doc``: the rules read the
    name off its reporting clause, which the entity model often misses or cuts ("kata Parwati";
    "Kepala Humas Unesa Vinda Maya Setianingrum mengatakan" -> model "Maya Setianingrum").
    Only names backed by their clause (right after a cue, after a title chain or before an
    appositive title: "Widiyatmiko Nursejati, General Manager …") or with a word
    the text uses so elsewhere ("… Iman Krestian menuturkan …", later "lanjut Iman"); inside an organisation or place entity only the whole entity
    right after a cue ("ujar Sambodo") or a name after a title chain ("Presiden Direktur Bank
    OCBC NISP Parwati Surjaudaja"), not "kata Kantor Meteorologi Islandia"; no name with a
    derived common word ("Ratusan") or a demonstrative after it ("… dan Transmigrasi itu"). An entity crossing the name is dropped, except
    the part of a non-person entity before it ("Komnas HAM" of "Komnas HAM Mimin")."""
    doc = v.doc
    names = set()
    for q in quotes:
        s = q.speaker
        if s is None or s.label != "PERSON":
            continue
        toks = [k for k in range(s.start, s.end) if not v.is_space[k]]
        if not toks or v.cls[toks[0]] != "N" or v.cls[toks[-1]] != "N":
            continue
        words = [k for k in toks if v.cls[k] == "N"]
        if not all(v.cls[k] == "N" or _joiner(v, k) for k in toks) or all(v.common(k) for k in words):
            continue
        if any(v.lower[k] in v.not_name for k in words):
            continue
        a, b = toks[0], toks[-1] + 1
        nxt = v.next_tok(b - 1)
        if nxt is not None and v.lower[nxt] in DEMONSTRATIVES:
            continue
        inside = v.ent_at.get(a)
        cue, title = _cue_before(v, a), _title_before(v, a) or _title_after(v, b)
        if inside is not None and inside.label_ != "PERSON" and inside.start <= a and b <= inside.end:
            # an organisation entity: only "ujar [Sambodo]" or a title chain it swallowed
            backed = cue and (inside.start, inside.end) == (a, b) or inside.start < a and title
        else:
            backed = cue or title or any(v.name_evidence(k, a, b, strong=True) for k in words)
        if backed:
            names.add((a, b))
    if not names:
        return
    sourced = Span.has_extension("source")
    taken = bytearray(len(doc))
    new = []
    for a, b in sorted(names):
        if any(taken[a:b]):
            continue
        taken[a:b] = b"\x01" * (b - a)
        span = Span(doc, a, b, label="PERSON")
        if sourced:
            span._.source = "rule"
        new.append(span)
    for e in doc.ents:
        if not any(taken[e.start:e.end]):
            new.append(e)
            continue
        if e.label_ == "PERSON" or taken[e.start]:
            continue
        end = e.start
        while end < e.end and not taken[end]:
            end += 1
        while end > e.start and (doc[end - 1].is_space or doc[end - 1].is_punct):
            end -= 1
        if end > e.start:
            part = Span(doc, e.start, end, label=e.label_)
            if sourced:
                part._.source = e._.source
            new.append(part)
    doc.ents = sorted(new, key=lambda e: e.start)


def _title_after(v: _View, b: int) -> bool:
    """Does an appositive title follow the name ending at token ``b`` ("Widiyatmiko Nursejati,
    General Manager …")?"""
    comma = v.next_tok(b - 1)
    title = v.next_tok(comma) if comma is not None and v.words[comma] == "," else None
    return title is not None and v.cls[title] == "T"


def _cue_before(v: _View, a: int) -> bool:
    """Is the word before token ``a`` a reporting cue ("kata", "ujar")? Not "menurut", which
    introduces organisations and documents as often ("Menurut Samsung, …")."""
    p = v.prev_tok(a)
    return p is not None and v.pat.cue_form(v.lower[p])[0] and v.lower[p] not in v.pat.introducers


def _title_before(v: _View, a: int) -> bool:
    """Does a capitalised title chain end right before token ``a`` ("Kepala Humas Unesa")?"""
    k = v.prev_tok(a)
    for _ in range(12):
        if k is None or v.cls[k] not in ("N", "O", "T", "C") and not _joiner(v, k) and v.lower[k] not in ("dan", "/"):
            return False
        if v.cls[k] == "T" and v.words[k][:1].isupper():
            return True
        k = v.prev_tok(k)
    return False


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
