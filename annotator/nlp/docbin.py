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

write_docbin writes a path as one DocBin file up to SHARD_DOCS docs and as a folder of DocBin
shards beyond, so that memory stays flat however many records there are (see write_docbin).
"""

from __future__ import annotations

import random
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from annotator.core.offsets import simple_tokens, split_tokens_at

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

QUOTES_KEY, SPEAKERS_KEY, CUES_KEY = "quotes", "speakers", "cues"


def _new_vocab():
    """An Indonesian vocab without building a tokenizer (spacy.blank("id") takes seconds)."""
    from spacy.lang.id import Indonesian
    from spacy.vocab import create_vocab

    return create_vocab("id", Indonesian.Defaults)


_blank_vocab = lru_cache(maxsize=1)(_new_vocab)


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


#: Docs per DocBin file: a bigger export is written as a folder of such shards, each written as it fills
SHARD_DOCS = 2000
SHARD_NAME = "{:05d}.spacy"


def is_shard(path: str | Path) -> bool:
    """Whether a path write_docbin returned is a shard (in a folder of shards), not a whole file."""
    return re.fullmatch(r"\d{5,}\.spacy", Path(path).name) is not None


def _new_doc_bin():
    from spacy.tokens import DocBin

    return DocBin(attrs=list(DOC_ATTRS), store_user_data=True)


def _save(doc_bin, path: Path) -> None:
    with open(path, "wb") as fh:
        fh.write(doc_bin.to_bytes())


class _ShardedDocBin:
    """Docs into `path`: one DocBin file while they fit in one shard, else the folder `path` of
    DocBin files of at most `shard_size` docs (`00000.spacy`, `00001.spacy`, … in corpus order),
    each written as soon as it is full. At most `shard_size` docs are held at a time."""

    def __init__(self, path: Path, shard_size: int):
        self.path, self.shard_size = path, shard_size
        self.doc_bin = _new_doc_bin()
        self.written: dict[str, int] = {}

    def add(self, doc: "Doc") -> None:
        if len(self.doc_bin) == self.shard_size:
            self._write_shard()
        self.doc_bin.add(doc)

    def _write_shard(self) -> None:
        if not self.written:
            self.path.mkdir()
        shard = self.path / SHARD_NAME.format(len(self.written))
        _save(self.doc_bin, shard)
        self.written[str(shard)] = len(self.doc_bin)
        self.doc_bin = _new_doc_bin()

    def close(self) -> dict[str, int]:
        """Write what is left; returns {file path: number of docs}."""
        if not self.written:
            _save(self.doc_bin, self.path)
            return {str(self.path): len(self.doc_bin)}
        if len(self.doc_bin):
            self._write_shard()
        return self.written


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
                 seed: int = 0, nlp: "Language | None" = None, total: int | None = None,
                 shard_size: int = SHARD_DOCS) -> dict[str, int]:
    """Write the records as DocBin files; returns {file path: number of docs}.

    split=None: everything at `out_path_or_dir`. split=0.8: `train.spacy` and `dev.spacy` in the
    folder `out_path_or_dir` (created if missing), the docs shuffled with `seed`, 80 % for
    training; with two or more docs each gets at least one. Each of these paths is one DocBin file
    while it holds at most `shard_size` docs, else a folder of DocBin shards of `shard_size` docs
    (`00000.spacy`, … in corpus order), each written as it fills: `spacy train --paths.train PATH`
    and `spacy.training.Corpus(PATH)` read either. Memory is bounded by `shard_size` (two shards
    with a split), not by the number of records: a Doc is kept in its DocBin as arrays of DOC_ATTRS
    (about 30 bytes a token), and without `nlp` a fresh vocab is taken every `shard_size` docs so
    its strings do not pile up either. A split needs `total`, the number of records, to stream;
    without it the docs are listed first."""
    if split is not None and not 0.0 < split < 1.0:
        raise ValueError(f"split must be between 0 and 1 (the training share), not {split!r}")
    if shard_size < 1:
        raise ValueError(f"shard_size must be at least 1, not {shard_size!r}")
    out = Path(out_path_or_dir)
    docs = _docs(records, nlp, shard_size)
    if split is None:
        writer = _ShardedDocBin(out, shard_size)
        for doc in docs:
            writer.add(doc)
        return writer.close()
    if total is None:
        docs = list(docs)
        total = len(docs)
    train_indices = _train_indices(total, split, seed)
    out.mkdir(parents=True, exist_ok=True)
    train, dev = _ShardedDocBin(out / "train.spacy", shard_size), _ShardedDocBin(out / "dev.spacy", shard_size)
    count = 0
    for count, doc in enumerate(docs, 1):
        (train if count - 1 in train_indices else dev).add(doc)
    if count != total:
        raise ValueError(f"write_docbin was told of {total} records but was given {count}")
    return {**train.close(), **dev.close()}


def _docs(records: Iterable[dict], nlp: "Language | None", vocab_docs: int) -> Iterator["Doc"]:
    """records_to_docs, except that without `nlp` the vocab is a new one every `vocab_docs` docs
    (a vocab keeps every string it has seen; the DocBin keeps its own)."""
    if nlp is not None:
        yield from records_to_docs(records, nlp)
        return
    for n, record in enumerate(records):
        if n % vocab_docs == 0:
            vocab = _new_vocab()
        yield record_to_doc(record, vocab)
