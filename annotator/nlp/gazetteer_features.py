"""Gazetteer membership as a feature of the NER's token encoder (issue 13: knowledge a small CPU
model cannot learn from 10k sentences).

`annotator.GazetteerMultiHashEmbed.v1` is spaCy's MultiHashEmbed.v2 (NORM/PREFIX/SUFFIX/SHAPE
hash embeddings, concatenated, reduced by a Maxout) with one more embedded column: a capitalised
token's gazetteer flags, a bit mask of "a word of a person's / an organisation's / a place's name"
(FLAG_BITS) in the name lists. The lists are read once, when the model is initialised for
training (`build_table`: resources/patterns/gazetteer.jsonl, plus the MDEE name lists of
../shared/data/ner-extra/mdee when present); the word -> flags table is then stored in the model
itself, so a saved model needs neither list to load or run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import List

from spacy.attrs import intify_attr
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import HashEmbed, Maxout, Model, chain, concatenate, list2ragged, ragged2list, with_array
from thinc.types import Ints2d

from annotator.resources import RESOURCES_DIR

FLAG_BITS = {"PERSON": 1, "ORG": 2, "LOC": 4}
MDEE_LISTS = {"PERSON": "gazetteer-person.txt", "ORG": "gazetteer-organization.txt", "LOC": "gazetteer-place.txt"}
_WORD = re.compile(r"\w+")


def build_table(data_root: str | Path | None = None) -> dict[str, int]:
    """lower-cased word -> flags (FLAG_BITS) of every capitalised word of a name in the lists."""
    from annotator.nlp.corpora import DATA_ROOT

    table: dict[str, int] = {}

    def add(name: str, label: str) -> None:
        for word in _WORD.findall(name):
            if word[:1].isupper():
                table[word.lower()] = table.get(word.lower(), 0) | FLAG_BITS[label]

    for line in (RESOURCES_DIR / "patterns" / "gazetteer.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line) if line.strip() and not line.lstrip().startswith("//") else None
        if row and isinstance(row.get("pattern"), str) and row.get("label") in FLAG_BITS:
            add(row["pattern"], row["label"])
    folder = Path(data_root or DATA_ROOT) / "ner-extra" / "mdee"
    for label, name in MDEE_LISTS.items():
        if (folder / name).is_file():
            for line in (folder / name).read_text(encoding="utf-8", errors="replace").splitlines():
                add(line, label)
    return dict(sorted(table.items()))


def token_flags(doc: Doc, table: dict[str, int]) -> list[int]:
    """Each token's flags: its entry in `table` if it is capitalised, else 0."""
    return [table.get(t.lower_, 0) if t.text[:1].isupper() else 0 for t in doc]


def gazetteer_features(attrs: list) -> Model[List[Doc], List[Ints2d]]:
    """Like spaCy's FeatureExtractor(attrs), with a last column of gazetteer flags."""
    columns = [intify_attr(a) for a in attrs]

    def forward(model: Model, docs: List[Doc], is_train: bool):
        table = model.attrs["table"]
        out = []
        for doc in docs:
            array = doc.to_array(columns).reshape((len(doc), len(columns)))
            flags = model.ops.xp.asarray(token_flags(doc, table), dtype="uint64").reshape((len(doc), 1))
            out.append(model.ops.asarray2i(model.ops.xp.hstack([array.astype("uint64"), flags]), dtype="uint64"))
        return out, lambda d_out: []

    def init(model: Model, X=None, Y=None) -> None:
        if not model.attrs["table"]:
            model.attrs["table"] = build_table()

    return Model("annotator_gazetteer_features", forward, init=init, attrs={"table": {}})


@registry.architectures("annotator.GazetteerMultiHashEmbed.v1")
def gazetteer_multi_hash_embed(width: int, attrs: list, rows: list[int], gazetteer_rows: int = 64
                               ) -> Model[List[Doc], list]:
    """spaCy's MultiHashEmbed.v2 (no static vectors) plus an embedding of the gazetteer flags."""
    if len(rows) != len(attrs):
        raise ValueError(f"Mismatched lengths: {len(rows)} vs {len(attrs)}")
    embeddings = [HashEmbed(width, n, column=i, seed=8 + i, dropout=0.0) for i, n in enumerate(rows)]
    embeddings.append(HashEmbed(width, gazetteer_rows, column=len(attrs), seed=8 + len(attrs), dropout=0.0))
    return chain(
        gazetteer_features(attrs),
        list2ragged(),
        with_array(concatenate(*embeddings)),
        with_array(Maxout(width, width * len(embeddings), nP=3, dropout=0.0, normalize=True)),
        ragged2list(),
    )
