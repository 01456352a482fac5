"""The one tokenizer of the project: spaCy's Indonesian rules, with quote marks always split off.

Token offsets are stored with each article at import, so the GUI can snap selections to tokens
without loading spaCy."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import spacy
from spacy.attrs import IDX, IS_SPACE, LENGTH
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry

from annotator.core.offsets import pack_code

QUOTE_MARKS = "\"'“”‘’«»„‟‹›"
TOKENIZER_NAME = "annotator.id_news_tokenizer.v1"

# One emoji as the reader sees it is one token: a flag (a pair of regional indicators), a tag
# flag, a keycap, and a pictograph with its variation selector and skin-tone modifier, joined by
# zero-width joiners into one sequence (👨‍👩‍👧). Written with ranges: `re` has no \p{Extended_Pictographic}.
_PICTOGRAPH = (r"[\u00A9\u00AE\u203C\u2049\u2122\u2139\u2194-\u2199\u21A9\u21AA\u231A-\u23FF\u24C2"
               r"\u25AA-\u27BF\u2934\u2935\u2B05-\u2B55\u3030\u303D\u3297\u3299\U0001F000-\U0001FAFF]")
_MODIFIERS = r"[\uFE0E\uFE0F\U0001F3FB-\U0001F3FF]*"
EMOJI = (r"(?:[\U0001F1E6-\U0001F1FF]{2}"
         r"|\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F"
         r"|[0-9#*]\uFE0F?\u20E3"
         rf"|{_PICTOGRAPH}{_MODIFIERS}(?:\u200D{_PICTOGRAPH}{_MODIFIERS})*)")


def _infixes(nlp) -> list[str]:
    # quote marks and colons glued to words: `katanya:"halo`, `”Berbagai`; emoji glued to words
    return [EMOJI] + list(nlp.Defaults.infixes) + [r"[" + QUOTE_MARKS + r"]", r"(?<=[^\d\s]):(?=[^\s\d])"]


_REDUPLICATION = re.compile(r"\w-\w")


def _rules(nlp) -> dict:
    """spaCy's Indonesian exceptions less its ~15,600 hyphenated words (anak-anak, Bangsa-Bangsa …):
    hyphens always split, as in NERGrit, and the tokenizer loads in ~0.1 s instead of ~2 s."""
    return {k: v for k, v in nlp.Defaults.tokenizer_exceptions.items() if not _REDUPLICATION.search(k)}


@registry.tokenizers(TOKENIZER_NAME)
def create_news_tokenizer():
    """Build the tokenizer once (changing rules afterwards reloads all special cases, which is slow)."""

    def make(nlp):
        defaults = nlp.Defaults
        return Tokenizer(
            nlp.vocab,
            rules=_rules(nlp),
            prefix_search=compile_prefix_regex([EMOJI] + list(defaults.prefixes or [])).search,
            suffix_search=compile_suffix_regex([EMOJI] + list(defaults.suffixes or [])).search,
            infix_finditer=compile_infix_regex(_infixes(nlp)).finditer,
            token_match=defaults.token_match,
            url_match=defaults.url_match,
        )

    return make


def customize_tokenizer(nlp: "spacy.language.Language") -> None:
    """Give an existing pipeline (a model made elsewhere) the project tokenizer."""
    nlp.tokenizer = create_news_tokenizer()(nlp)


def new_blank() -> "spacy.language.Language":
    """A new blank Indonesian pipeline with the project tokenizer."""
    return spacy.blank("id", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})


@lru_cache(maxsize=1)
def blank_nlp() -> "spacy.language.Language":
    return new_blank()


PIECE = 100_000  # characters tokenised at once: far below spaCy's max_length, so any article imports


def _offset_arrays(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends (code points) of the non-space tokens of `text`, tokenised in pieces cut after
    white space, so a long article never meets spaCy's max_length."""
    nlp = blank_nlp()
    starts, ends = [], []
    for begin, end in _pieces(text, PIECE):
        table = nlp.make_doc(text[begin:end]).to_array([IDX, LENGTH, IS_SPACE])
        if len(table):
            table = table[table[:, 2] == 0]
            starts.append(table[:, 0] + begin)
            ends.append(starts[-1] + table[:, 1])
    if len(starts) == 1:
        return starts[0], ends[0]
    return (np.concatenate(starts), np.concatenate(ends)) if starts else (np.zeros(0, np.int64), np.zeros(0, np.int64))


def token_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) code-point offsets of each non-space token of `text`."""
    starts, ends = _offset_arrays(text)
    return list(zip(starts.tolist(), ends.tolist()))


def packed_token_offsets(text: str) -> bytes:
    """token_offsets packed as the store keeps them (core.offsets.pack_tokens), without a Python
    object per token: what the importer stores."""
    starts, ends = _offset_arrays(text)
    flat = np.empty(2 * len(starts), dtype=np.int64)
    flat[0::2], flat[1::2] = starts, ends
    deltas = np.diff(flat, prepend=0)
    code = pack_code(int(deltas.max()) if len(deltas) else 0)
    return code.encode() + deltas.astype(_LITTLE_ENDIAN[code]).tobytes()


_LITTLE_ENDIAN = {"B": "<u1", "H": "<u2", "I": "<u4"}


def _pieces(text: str, size: int) -> list[tuple[int, int]]:
    """(begin, end) of consecutive pieces of at most `size` characters, each ending after white space
    when there is any (a token never spans white space)."""
    pieces, begin = [], 0
    while begin < len(text):
        end = min(len(text), begin + size)
        if end < len(text):
            cut = max(text.rfind(c, begin, end) for c in " \n\t")
            if cut > begin:
                end = cut + 1
        pieces.append((begin, end))
        begin = end
    return pieces
