"""The one tokenizer of the project: spaCy's Indonesian rules, with quote marks always split off.

Token offsets are stored with each article at import, so the GUI can snap selections to tokens
without loading spaCy."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.util import compile_infix_regex

QUOTE_MARKS = "\"'“”‘’«»„‟‹›"


def customize_tokenizer(nlp: "spacy.language.Language") -> None:
    """Split quotation marks and colons glued to words (`katanya:"halo`, `”Berbagai`)."""
    infixes = list(nlp.Defaults.infixes) + [r"[" + QUOTE_MARKS + r"]", r"(?<=[^\d\s]):(?=[^\s\d])"]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


@lru_cache(maxsize=1)
def blank_nlp() -> "spacy.language.Language":
    nlp = spacy.blank("id")
    customize_tokenizer(nlp)
    return nlp


def token_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) code-point offsets of each non-space token of `text`."""
    doc = blank_nlp().make_doc(text)
    return [(t.idx, t.idx + len(t.text)) for t in doc if not t.is_space]
