"""spaCy training data: FORMAT.md records as `Doc`s in a `DocBin` (spaCy is imported lazily).

Each Doc is built from the record's tokens, so its token boundaries are exactly the stored
ones; the whitespace between tokens becomes `Token.whitespace_` or, where it is more than one
space (line breaks, double spaces), a whitespace token, as spaCy's own tokenizer does. So
`doc.text == record["text"]` and every character offset of the record holds in the Doc.

    doc.ents                 entities (rejected ones left out)
    doc.spans["quotes"]      quotes, label "QUOTE"
    doc.spans["speakers"]    speakers (once per distinct span), label = speaker label or "SPEAKER"
    doc.spans["cues"]        cues, label "CUE"
    doc.user_data["quotes"]  one JSON-able dict per quote, in the order of doc.spans["quotes"]:
                             start, end, kind, stance, source, status, speaker {start, end,
                             label, index into doc.spans["speakers"]} or None, cue {start,
                             end, text, index into doc.spans["cues"]} or None
    doc.user_data["id"], ["annotator"]
    doc.cats                 the article-level stance (`cats` of the record) where present
"""

from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from annotator.core.offsets import simple_tokens, split_tokens_at

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

QUOTES_KEY, SPEAKERS_KEY, CUES_KEY = "quotes", "speakers", "cues"


@lru_cache(maxsize=1)
def _blank_vocab():
    """An Indonesian vocab without building a tokenizer (spacy.blank("id") takes seconds)."""
    from spacy.lang.id import Indonesian
    from spacy.vocab import create_vocab

    return create_vocab("id", Indonesian.Defaults)


def _vocab(nlp):
    return nlp.vocab if nlp is not None else _blank_vocab()


def _words(text: str, tokens: list[tuple[int, int]]) -> tuple[list[str], list[bool]]:
    """Words and trailing spaces for Doc(...) so that the Doc's text is exactly `text`."""
    words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    end_of_text = (len(text), len(text))  # a last, empty token: the text after the last token is a gap too
    for start, end in [*tokens, end_of_text]:
        gap = text[pos:start]
        if gap:
            if words and gap[0] == " ":
                spaces[-1] = True
                gap = gap[1:]
            if gap:
                words.append(gap)
                spaces.append(False)
        if start < end:
            words.append(text[start:end])
            spaces.append(False)
        pos = end
    return words, spaces


def _tokens(record: dict, boundaries: set[int]) -> list[tuple[int, int]]:
    text = record["text"]
    if record.get("tokens"):
        tokens = sorted((int(t["start"]), int(t["end"])) for t in record["tokens"])
    else:
        tokens = simple_tokens(text)
    tokens = split_tokens_at(tokens, boundaries)
    return [(s, e) for s, e in tokens if text[s:e].strip()]


def record_to_doc(record: dict, vocab) -> "Doc":
    """One record as a Doc (see the module docstring for where each annotation goes)."""
    from spacy.tokens import Doc
    from spacy.util import filter_spans

    text = record["text"]
    entities = [s for s in record.get("spans") or () if s.get("status") != "rejected"]
    quotes = [q for q in record.get("quotes") or () if q.get("status") != "rejected"]
    boundaries = {x for s in entities for x in (s["start"], s["end"])}
    for q in quotes:
        boundaries |= {q["start"], q["end"]}
        for ref in (q.get("speaker"), q.get("cue")):
            if ref:
                boundaries |= {ref["start"], ref["end"]}
    words, spaces = _words(text, _tokens(record, boundaries))
    doc = Doc(vocab, words=words, spaces=spaces)
    if doc.text != text:  # cannot happen: words and spaces are cut from the text itself
        raise ValueError(f"{record.get('id')}: the Doc text differs from the record text")

    def span(start: int, end: int, label: str):
        result = doc.char_span(start, end, label=label)
        if result is None:  # cannot happen: tokens were split at every boundary
            raise ValueError(f"{record.get('id')}: span {start}-{end} is not on token boundaries")
        return result

    doc.ents = filter_spans([span(s["start"], s["end"], s["label"]) for s in entities])
    quote_spans, speaker_spans, cue_spans, quote_data = [], [], [], []
    speaker_index: dict[tuple[int, int], int] = {}
    cue_index: dict[tuple[int, int], int] = {}
    for q in quotes:
        quote_spans.append(span(q["start"], q["end"], "QUOTE"))
        item = {"start": q["start"], "end": q["end"], "kind": q.get("kind") or "direct",
                "stance": q.get("stance"), "source": q.get("source"), "status": q.get("status"),
                "speaker": None, "cue": None}
        speaker = q.get("speaker")
        if speaker:
            key = (speaker["start"], speaker["end"])
            if key not in speaker_index:
                speaker_index[key] = len(speaker_spans)
                speaker_spans.append(span(*key, speaker.get("label") or "SPEAKER"))
            item["speaker"] = {"start": key[0], "end": key[1], "label": speaker.get("label"),
                               "index": speaker_index[key]}
        cue = q.get("cue")
        if cue:
            key = (cue["start"], cue["end"])
            if key not in cue_index:
                cue_index[key] = len(cue_spans)
                cue_spans.append(span(*key, "CUE"))
            item["cue"] = {"start": key[0], "end": key[1], "text": text[key[0]:key[1]], "index": cue_index[key]}
        quote_data.append(item)
    doc.spans[QUOTES_KEY] = quote_spans
    doc.spans[SPEAKERS_KEY] = speaker_spans
    doc.spans[CUES_KEY] = cue_spans
    doc.user_data["quotes"] = quote_data
    doc.user_data["id"] = record.get("id")
    doc.user_data["annotator"] = record.get("_annotator_id")
    cats = record.get("cats")
    if cats:
        doc.cats = {key: float(value) for key, value in cats.items()}
    return doc


def records_to_docs(records: Iterable[dict], nlp: "Language | None" = None) -> Iterator["Doc"]:
    """Docs of the records, in order (the vocab of `nlp`, else an Indonesian vocab)."""
    vocab = _vocab(nlp)
    for record in records:
        yield record_to_doc(record, vocab)


#: What the records' Docs carry per token (words, entities; spaces are always kept): a DocBin of every
#: attribute would keep 14 numbers per token, 10 of them always 0
DOC_ATTRS = ("ORTH", "ENT_IOB", "ENT_TYPE")


def _new_doc_bin():
    from spacy.tokens import DocBin

    return DocBin(attrs=list(DOC_ATTRS), store_user_data=True)


def _save(doc_bin, path: Path) -> None:
    with open(path, "wb") as fh:
        fh.write(doc_bin.to_bytes())


def _train_indices(total: int, split: float, seed: int) -> set[int]:
    """Which of `total` docs go to training: the docs shuffled with `seed`, the `split` share of
    them; with two or more docs each file gets at least one."""
    order = list(range(total))
    random.Random(seed).shuffle(order)
    n_train = round(total * split)
    if total >= 2:
        n_train = min(max(n_train, 1), total - 1)
    return set(order[:n_train])


def write_docbin(records: Iterable[dict], out_path_or_dir: str | Path, *, split: float | None = None,
                 seed: int = 0, nlp: "Language | None" = None, total: int | None = None) -> dict[str, int]:
    """Write the records as a DocBin; returns {file path: number of docs}.

    split=None: one file at `out_path_or_dir`. split=0.8: `train.spacy` and `dev.spacy` in the
    folder `out_path_or_dir` (created if missing), the docs shuffled with `seed`, 80 % for
    training; with two or more docs each file gets at least one. Each Doc goes into the DocBin as it
    is made (its arrays of DOC_ATTRS are kept, not the Doc: about 30 bytes a token); `total`, the
    number of records when known, lets a split stream too. A DocBin is one blob: its memory grows with
    the records (the other formats' does not)."""
    if split is not None and not 0.0 < split < 1.0:
        raise ValueError(f"split must be between 0 and 1 (the training share), not {split!r}")
    out = Path(out_path_or_dir)
    docs = records_to_docs(records, nlp)
    if split is None:
        doc_bin = _new_doc_bin()
        for doc in docs:
            doc_bin.add(doc)
        _save(doc_bin, out)
        return {str(out): len(doc_bin)}
    if total is None:
        docs = list(docs)
        total = len(docs)
    train_indices = _train_indices(total, split, seed)
    train, dev = _new_doc_bin(), _new_doc_bin()
    for n, doc in enumerate(docs):
        (train if n in train_indices else dev).add(doc)
    if len(train) + len(dev) != total:
        raise ValueError(f"write_docbin was told of {total} records but was given {len(train) + len(dev)}")
    out.mkdir(parents=True, exist_ok=True)
    _save(train, out / "train.spacy")
    _save(dev, out / "dev.spacy")
    return {str(out / "train.spacy"): len(train), str(out / "dev.spacy"): len(dev)}
