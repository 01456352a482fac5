"""A voting NER: several NER models whose majority decides each entity (issue 13).

One small CNN NER is limited by what 12k training sentences teach it; models trained with other
seeds or settings make other mistakes, so a span most of them find is more often right. Tried as
a second, "accurate" bundled model (annotator/nlp/ner_train.py has the figures): three models
voting gained 0.01-0.02 F1 on the NER corpora (Wikipedia and news) but nothing on news annotated
to our guidelines, at 2.3 times the time, so it is not shipped; `annotator train-ner --seeds`
builds one, and a project can suggest with it as with any spaCy model folder.

The pipeline is an ordinary spaCy directory: each member is a `ner` component with its own token
encoder (`ner_1`, `ner_2`, …; spaCy's replace_listeners), followed by a stash that moves its
entities into the span group `ner_1`, … and leaves doc.ents unset for the next member; then the
vote, named `ner` so that everything placed after a pipeline's NER (the entity rules, the name
memory, `ner_confidence`) comes after it. A span (start, end, label) found by at least
`min_votes` members becomes an entity; of overlapping ones, the most voted (then the longer,
then the earlier) wins. The share of members that found an entity is its confidence (`scores`),
which, unlike the greedy NER's beam score, is rarely 1.0 for an uncertain entity.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from annotator.nlp import gazetteer_features  # noqa: F401  (registers the members' token encoder)

MEMBER_PREFIX = "ner_"
VOTE = "ner"


@Language.factory("annotator_ner_stash", default_config={"key": "ner_1"})
def make_ner_stash(nlp: Language, name: str, key: str):
    """Move doc.ents into doc.spans[key] and leave them unset (missing) for the next NER."""

    def ner_stash(doc: Doc) -> Doc:
        doc.spans[key] = list(doc.ents)
        doc.set_ents([], default="missing")
        return doc

    return ner_stash


@Language.factory("annotator_ner_vote", default_config={"keys": [], "min_votes": 0})
def make_ner_vote(nlp: Language, name: str, keys: list[str], min_votes: int):
    """doc.ents from the members' span groups `keys`: a span at least `min_votes` of them found
    (0: a majority)."""
    return NerVote(nlp, keys, min_votes)


class NerVote:
    def __init__(self, nlp: Language, keys: Sequence[str], min_votes: int):
        if not keys:
            raise ValueError("annotator_ner_vote needs the span groups of its members")
        self.nlp = nlp
        self.keys = list(keys)
        self.min_votes = min_votes or len(self.keys) // 2 + 1

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels of the members (as a spaCy `ner` component's `labels`)."""
        found: set[str] = set()
        for key in self.keys:
            if key in self.nlp.pipe_names:
                found.update(self.nlp.get_pipe(key).labels)
        return tuple(sorted(found))

    def votes(self, doc: Doc) -> Counter:
        """(start token, end token, label) -> how many members found that span."""
        return Counter((s.start, s.end, s.label_) for key in self.keys for s in doc.spans.get(key, ()))

    def __call__(self, doc: Doc) -> Doc:
        votes = self.votes(doc)
        ranked = sorted((span for span, n in votes.items() if n >= self.min_votes),
                        key=lambda x: (-votes[x], x[0] - x[1], x[0]))
        taken = bytearray(len(doc))
        ents = []
        for start, end, label in ranked:
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * (end - start)
                ents.append(Span(doc, start, end, label=label))
        doc.set_ents(sorted(ents), default="outside")
        for key in self.keys:
            del doc.spans[key]
        doc.user_data[("annotator", "ner_votes")] = {k: n / len(self.keys) for k, n in votes.items()}
        return doc

    def scores(self, doc: Doc) -> dict[tuple[int, int, str], float]:
        """The share of members that found each entity (after the vote ran on `doc`)."""
        return doc.user_data.get(("annotator", "ner_votes"), {})


def is_ensemble(nlp: Language) -> bool:
    return VOTE in nlp.pipe_names and isinstance(nlp.get_pipe(VOTE), NerVote)


def is_ensemble_dir(folder: str | Path) -> bool:
    """Does the saved pipeline at `folder` vote (build_ensemble wrote it), without loading it?"""
    return (Path(folder) / f"{MEMBER_PREFIX}1").is_dir()


def build_ensemble(member_dirs: Sequence[str | Path], out_dir: str | Path, min_votes: int = 0,
                   meta: dict | None = None) -> Language:
    """Join trained tok2vec+ner model directories into one voting pipeline saved to `out_dir`
    (`annotator train-ner --seeds`, annotator.nlp.ner_train.train_ner_ensemble)."""
    from annotator.nlp.tokenizer import TOKENIZER_NAME, new_blank

    if len(member_dirs) < 2:
        raise ValueError("an ensemble needs at least two member models")
    nlp = new_blank()
    keys = []
    for i, member_dir in enumerate(member_dirs, start=1):
        member = spacy.load(member_dir, exclude=["tokenizer"],
                            config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})
        if "tok2vec" in member.pipe_names:  # the NER takes its own copy of the shared encoder
            member.replace_listeners("tok2vec", "ner", ["model.tok2vec"])
        key = f"{MEMBER_PREFIX}{i}"
        nlp.add_pipe("ner", name=key, source=member)
        nlp.add_pipe("annotator_ner_stash", name=f"{key}_stash", config={"key": key})
        keys.append(key)
    nlp.add_pipe("annotator_ner_vote", name=VOTE, config={"keys": keys, "min_votes": min_votes})
    nlp.meta.update({"name": "annotator_ner_vote", "version": "0.0.0",
                     "description": "NER models of annotator.nlp.ner_train voting (annotator.nlp.ensemble)",
                     **(meta or {})})
    nlp.meta["members"] = [str(Path(d).name) for d in member_dirs]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    return nlp
