"""The per-document view the rules read: token words, classes (title, name, organisation …),
sentences, entities; the internal quote and speaker records."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from spacy.attrs import ENT_IOB, IDX, LENGTH
from spacy.tokens import Doc, Span

from annotator.nlp.entities import read_word_list
from annotator.nlp.tokenizer import EMOJI
from annotator.resources import RESOURCES_DIR
from annotator.nlp.quotes.patterns import QuotePatterns
from annotator.nlp.quotes.marks import ALL_MARKS, _is_apostrophe, _mark_role


SENTENCE_END = {".", "!", "?", "…", "...", "?!", "!?"}
PLACE_PREPOSITIONS = {"di", "ke", "dari", "kawasan", "wilayah", "daerah", "asal", "menuju", "sekitar"}
ENGLISH_CONNECTORS = {"of", "and", "for", "the", "at", "&"}
DEMONSTRATIVES = ("itu", "tersebut")
VERB_PREFIXES = ("me", "ber", "ter", "di", "mem", "men", "meng", "meny", "memper", "diper")
_EMOJI_TOKEN = re.compile(EMOJI + "+")
# derived common words and institution words, never part of a person's name ("Pengawas", "Pemilu")
NOT_NAME_PATH = RESOURCES_DIR / "patterns" / "not_name_words.txt"


if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=None)


_TEXT_KEY = "annotator.text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per Doc (spaCy rebuilds it from the tokens on every access)."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


@dataclass
class _Speaker:
    start: int  # token index
    end: int  # token index, exclusive
    label: str
    coref: bool = False  # a pronoun or -nya: resolve to an earlier mention


@dataclass
class _Quote:
    start: int  # char offsets of the content
    end: int
    kind: str
    open_tok: int  # first token of the quote (mark included) for windows
    close_tok: int  # last token (exclusive) of the quote incl. marks
    cue: tuple[int, int] | None = None  # token range
    speaker: _Speaker | None = None
    how: str | None = None  # cue | intro | coref | continuation
    needs_coref: bool = False


class _View:
    """Per-document arrays the rules read (built once per doc)."""

    def __init__(self, doc: Doc, pat: QuotePatterns):
        self.doc = doc
        self.pat = pat
        self.not_name = read_word_list(NOT_NAME_PATH)
        self.text = doc_text(doc)
        n = len(doc)
        self.n = n
        text = self.text
        arr = doc.to_array([IDX, LENGTH]).tolist() if n else []  # one pass in C, no Token objects
        self.starts = [a for a, _ in arr]
        self.words = words = [text[a:a + b] for a, b in arr]
        core = []
        kind = []
        for w in words:
            if w.isspace() or (w[0] > "\u00a8" and _EMOJI_TOKEN.fullmatch(w)):
                core.append(w)
                kind.append("sp")  # an emoji between words is passed over like a space
            elif len(w) == 1 and w in ALL_MARKS:
                core.append(w)
                kind.append("q")
            elif not any(ch.isalnum() for ch in w):
                core.append(w)
                kind.append("p")
            else:
                c = w.rstrip(".,;:!?") if len(w) > 2 else w.rstrip(",;:!?")
                core.append(c or w)
                kind.append("n" if w[0].isdigit() else "w")
        self.core = core
        self.kind = kind
        self.is_space = [k == "sp" for k in kind]
        self.lower = [c.lower() for c in core]
        self.ents = list(doc.ents) if n and doc.to_array(ENT_IOB).any() else []
        self.cls = [self._word_class(i) for i in range(n)]
        self._mark_title_phrases()
        self._mark_corps_markers()
        self._unmark_initials()
        for k in range(1, n - 1):  # Ma’ruf, Mu’ti: the part after the apostrophe is a name too
            if kind[k] == "q" and self.kind[k + 1] == "w" and _is_apostrophe(self.text, self.starts[k]) and (
                    self.cls[k - 1] == "N" or (self.kind[k - 1] == "w" and self.core[k - 1][:1].isupper()
                                               and self.core[k - 1][1:].islower() and self.core[k + 1].islower()
                                               and self.starts[k] == self.starts[k - 1] + len(self.core[k - 1]))):
                self.cls[k - 1] = self.cls[k + 1] = "N"  # "Ma" is no degree (MA) before "’ruf"
        for e in self.ents:  # gazetteer/date rules know places, organisations and dates
            if e.label_ == "PERSON" or _trusted(e):
                continue
            for k in range(e.start, e.end):
                if self.cls[k] in ("N", "C", "O"):
                    self.cls[k] = "D" if e.label_ == "DATE" and self.cls[k] != "O" else "O"
        self.cap_index: dict[str, list[int]] = {}
        for i in range(n):
            if self.cls[i] == "N":
                self.cap_index.setdefault(core[i], []).append(i)
        self.covered = bytearray(n)  # tokens of direct quotes with their attribution
        self.in_quote = bytearray(n)  # tokens inside direct quotes (content, marks)
        self._evidence: dict = {}
        self._proper: set | None = None
        self._places: set | None = None
        self._lower_words: set | None = None
        self.ent_at: dict[int, Span] = {}
        for e in self.ents:
            for k in range(e.start, e.end):
                self.ent_at[k] = e
        self.sentences = self._sentences()
        self.sent_of = [0] * n
        for si, (s, e) in enumerate(self.sentences):
            for k in range(s, e):
                self.sent_of[k] = si

    # -- token classes: T title, O org/field/acronym, D day/month, C connector,
    #    R pronoun, N capitalised name-like, L other lower-case word, '' not a word
    def _word_class(self, i: int) -> str:
        if self.kind[i] not in ("w", "n"):
            return ""
        pat = self.pat
        w = self.core[i]
        lw = self.lower[i]
        if self.kind[i] == "n" or any(ch.isdigit() for ch in w):
            return "O"
        if lw in pat.pronouns:
            return "R"
        if lw in pat.day_month and w[0].isupper():
            return "D"
        if lw in pat.titles or lw in pat.ranks:
            return "T"
        if not w.islower() and lw.replace(".", "") in pat.degrees:
            return "T"  # "Budi Santoso SH", "Budi Santoso, S.H., M.H.": a degree is not the name
        if lw in pat.institutions:
            return "O"  # "pemerintah Korea Selatan", "kementerian luar negeri"
        if lw in ENGLISH_CONNECTORS and w[0].isupper():
            return "T"  # "Head Of Investment Research"
        if w[0].isupper():
            if lw in pat.org_words or pat.field_word.match(lw):
                return "O"
            if len(w) >= 3 and w.isupper() and w.isalpha():
                return "O"  # acronym: BNPB, KPU
            if lw in pat.connectors:
                return "C"
            return "N"
        return "L"

    def _mark_title_phrases(self) -> None:
        phrases = self.pat.title_phrases
        i = 0
        while i < self.n:
            cands = phrases.get(self.lower[i]) if self.kind[i] == "w" else None
            if cands:
                words = self._next_words(i, len(cands[0]))  # longest first
                for ph in cands:
                    if len(words) >= len(ph) and tuple(self.lower[k] for k in words[: len(ph)]) == ph:
                        for k in words[: len(ph)]:
                            self.cls[k] = "T"
                        i = words[len(ph) - 1]
                        break
            i += 1

    def _mark_corps_markers(self) -> None:
        """A corps or status marker right after a title word, bracketed or not ("Kolonel (Inf)",
        "Brigjen Pol") is a title word too, never the start of the name."""
        corps = self.pat.corps_markers
        for i in range(self.n):
            if self.kind[i] != "w" or self.lower[i] not in corps or not self.core[i][:1].isupper():
                continue
            p = self.prev_tok(i)
            if p is not None and self.words[p] == "(":
                p = self.prev_tok(p)
            if p is not None and self.cls[p] == "T":
                self.cls[i] = "T"

    def _unmark_initials(self) -> None:
        """Capitals that spell a degree ("ST", "SH") but stand between a title and a name are the
        name's initials ("Jaksa Agung ST Burhanuddin"): a degree follows a name, never opens it."""
        for i in range(self.n):
            if self.cls[i] != "T" or self.kind[i] != "w" or not self.core[i].isupper() or len(self.core[i]) > 3 \
                    or self.lower[i] in self.pat.titles or self.lower[i] in self.pat.ranks:
                continue
            p, nx = self.prev_tok(i), self.next_tok(i)
            if nx is not None and self.cls[nx] == "N" and p is not None and self.cls[p] == "T" and self.words[p][:1].isupper():
                self.cls[i] = "N"

    def _next_words(self, i: int, k: int) -> list[int]:
        out = []
        j = i
        while j < self.n and len(out) < k:
            if not self.is_space[j]:
                out.append(j)
            j += 1
        return out

    def next_tok(self, i: int) -> int | None:
        """Next non-space token after ``i`` within the paragraph."""
        j = i + 1
        while j < self.n and self.is_space[j]:
            if "\n" in self.words[j]:
                return None
            j += 1
        return j if j < self.n else None

    def prev_tok(self, i: int) -> int | None:
        j = i - 1
        while j >= 0 and self.is_space[j]:
            if "\n" in self.words[j]:
                return None
            j -= 1
        return j if j >= 0 else None

    def token_at(self, char: int) -> int:
        """Index of the token containing (or starting after) character ``char``."""
        return max(0, bisect.bisect_right(self.starts, char) - 1)

    def char_end(self, i: int) -> int:
        """End offset of token ``i`` without glued trailing punctuation."""
        return self.starts[i] + len(self.core[i]) if self.kind[i] in ("w", "n") else self.starts[i] + len(self.words[i])

    def _ends_sentence(self, i: int) -> bool:
        """Is token ``i`` sentence-final punctuation (not an abbreviation's or initial's dot)?"""
        w = self.words[i]
        abbreviations = self.pat.abbreviations
        if self.kind[i] == "p":
            if w not in SENTENCE_END:
                return False
            p = self.prev_tok(i) if w == "." else None
            return p is None or not (self.lower[p] in abbreviations or (len(self.core[p]) == 1 and self.core[p].isupper()))
        # a word glued to its final punctuation by the quote-mark split ("lakukan." before ”)
        return self.kind[i] == "w" and len(w) > 2 and w[-1] in ".!?" and w[:-1].isalpha() and w[:-1].lower() not in abbreviations

    def _sentences(self) -> list[tuple[int, int]]:
        """Token ranges of sentences: after final punctuation followed by a capital (or a
        closing mark then a capital), and at every line break."""
        out = []
        s = i = 0
        n = self.n
        while i < n:
            boundary_after = None
            if self.is_space[i] and "\n" in self.words[i]:
                boundary_after = i
            elif self._ends_sentence(i):
                j = self.next_tok(i)
                if j is None:
                    boundary_after = i
                elif self.kind[j] == "q":
                    k = self.next_tok(j)
                    if _mark_role(self.text, self.starts[j]) != "close" and k is not None:
                        boundary_after = i  # the mark opens the next sentence
                    elif k is None or self.core[k][:1].isupper():
                        boundary_after = j  # the mark closes this one
                elif self.core[j][:1].isupper():
                    boundary_after = i
            if boundary_after is not None:
                out.append((s, boundary_after + 1))
                s = i = boundary_after + 1
                continue
            i += 1
        if s < n:
            out.append((s, n))
        return [(a, b) for a, b in out if any(not self.is_space[k] for k in range(a, b))]

    def common(self, i: int) -> bool:
        """Does the word of token ``i`` also occur in lower case (a common noun: "Kartu", "Air")?"""
        if self._lower_words is None:
            self._lower_words = {self.core[k] for k in range(self.n) if self.cls[k] == "L"}
        return self.core[i].lower() in self._lower_words

    def proper(self, i: int) -> bool:
        """Is the word of token ``i`` capitalised somewhere not at a sentence start?"""
        if self._proper is None:
            initial = {s for s, _ in self.sentences}
            for s, e in self.sentences:
                k = s
                while k < e and (self.is_space[k] or self.kind[k] in ("p", "q")):
                    k += 1
                initial.add(k)
            self._proper = {self.core[k] for k in range(self.n) if self.cls[k] == "N" and k not in initial}
        return self.core[i] in self._proper

    def tagged_place(self, i: int) -> bool:
        """Is the word of token ``i`` a whole LOC entity at least twice in the document ("Indonesia")?"""
        if self._places is None:
            seen: dict[str, int] = {}
            for e in self.ents:
                if e.label_ in ("LOC", "GPE") and e.end - e.start == 1:
                    seen[e.text] = seen.get(e.text, 0) + 1
            self._places = {w for w, n in seen.items() if n >= 2}
        return self.core[i] in self._places

    # -- evidence from the rest of the document (occurrences outside tokens lo..hi)
    def name_evidence(self, i: int, lo: int, hi: int, strong: bool = False) -> bool:
        """Is the word of token ``i`` used elsewhere as a person's name? Strong evidence:
        after a cue, "menurut" or a title (kata Wahidin, Menurut Wahidin, Pak Wahidin)."""
        ev = self._evidence_of(i, lo, hi)
        return ev[1] if strong else ev[0] or ev[1]

    def place_evidence(self, i: int, lo: int, hi: int) -> bool:
        """Is the word of token ``i`` used elsewhere after a place preposition or org word?"""
        return self._evidence_of(i, lo, hi)[2]

    def placelike(self, i: int, lo: int, hi: int) -> bool:
        """A place/organisation word unless strongly used as a name."""
        _, strong, place = self._evidence_of(i, lo, hi)
        return place and not strong

    def _evidence_of(self, i: int, lo: int, hi: int) -> tuple[bool, bool, bool]:
        key = (self.core[i], lo)
        hit = self._evidence.get(key)
        if hit is not None:
            return hit
        weak = strong = place = False
        pat = self.pat
        for p in self.cap_index.get(self.core[i], ()):
            if lo <= p < hi:
                continue
            q = self.prev_tok(p)
            if q is None or self.kind[q] in ("p", "q"):
                weak = True
                continue
            lq = self.lower[q]
            cq = self.cls[q]
            if lq in PLACE_PREPOSITIONS or lq in pat.place_words:
                place = True
            elif pat.cue_form(lq)[0] or lq in pat.introducers:
                strong = True
            elif cq == "L" or cq == "C":
                weak = True
        self._evidence[key] = (weak, strong, place)
        return weak, strong, place


def _trusted(ent: Span) -> bool:
    """Is the entity from a statistical model (span._.source "model")? Rule entities
    (gazetteer, dates; or any entity without a source) are taken as reliable for places,
    organisations and dates; model entities only refine names the rules found."""
    return Span.has_extension("source") and ent._.source == "model"
