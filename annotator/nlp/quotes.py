"""Quote finder: direct and indirect quotations, their cue and their speaker (rules, no model).

Output, per Doc:
- ``doc._.quotes``: one dict per quote, in text order — ``start``/``end`` (characters of the
  content, quotation marks excluded), ``token_start``/``token_end`` (spaCy, end exclusive),
  ``kind`` (direct|indirect), ``speaker`` and ``cue`` (``{start, end, text, label?,
  token_start, token_end}`` or None), ``attribution`` (how the speaker was found: cue, intro,
  coref, continuation), ``stance``/``score`` (filled by the stance component), ``source``
  "rule", ``status`` "suggested". The links between a quote, its cue and its speaker live here.
- span groups ``doc.spans["quotes"|"cues"|"speakers"]`` with the same spans, for display and
  DocBin (they do not say which speaker belongs to which quote).

Decisions worth knowing:
- Quote marks are paired by position and context, not by glyph: Kompas opens and closes with
  the same ``”``. A mark with a space before and a letter after opens, one glued to the
  previous word/punctuation with a space after closes; the rest is decided by whether a quote
  is open. A paragraph that ends inside a quote and a next paragraph starting with an opening
  mark make one quote over both paragraphs. A quote inside a quote with the same glyph, and a
  double opening mark closed by a single one (``“…,’ kata X``), are handled.
- Quoted phrases are speech only with a cue, an introduction (``X mengatakan, ”…”``, ``:``)
  or the shape of a sentence (≥ 4 words, capitalised, final punctuation, standing after a
  sentence boundary); scare quotes, titles and slogans are not suggested.
- The speaker is the name, not the job title, rank or degree (``kata Menteri Pertahanan AS
  Lloyd Austin`` → ``Lloyd Austin``; ``Komisaris Besar Yusri Yunus`` → ``Yusri Yunus``;
  ``Budi Santoso, S.H., M.H.`` → ``Budi Santoso``), as the guidelines want; with
  ``speaker_keeps_ranks`` true in quotes.json a rank stays (PFSA-ID's convention).
  Without a name, the whole noun phrase is the speaker (``kata Presiden`` → ``Presiden``; an
  entity equal to the phrase is used with its label), except a lower-case descriptor
  (``speaker_descriptors``: ``pemerintah Korea Selatan``, ``perwakilan Korea Utara untuk PBB``,
  ``laporan intelijen AS``) → the state/organisation inside (guidelines 4.3). A bare title
  with itu/tersebut takes the earlier holder's name (``Menteri tersebut``); a title of ≥ 2
  words takes the name given right after the same title in a quote of the next three
  sentences; an unnamed one keeps its demonstrative (``Pejabat Ukraina itu``). ``Mereka`` /
  ``Para menteri`` take the last group (ORG/LOC) speaker.
- Also direct: a headline ``Name: words`` (first line, no cue) and a short quoted me-/ber-
  predicate right after a named/institutional subject (``pemerintah X "mengutuk keras" Y``).
- Names are found without a model (capitalised words after titles and organisation words,
  checked against the rest of the article: "Menurut Wahidin" elsewhere says Wahidin is a
  name, "di Margadana" says Margadana is a place). Entities in ``doc.ents`` help: rule
  entities (gazetteer, dates) mark places/organisations; a PERSON entity is used when the
  rules find no name, or to cut a place off the front of a name.
- ``katanya``/``ujarnya``/``Menurutnya`` and ``kata dia``/``ia``/``beliau`` take the most
  salient recent person within ``coref_window`` characters (speakers of earlier quotes and of
  reported speech outrank people in subject position, who outrank other mentions; two
  sentences of distance cost one level), and point at that person's nearest mention by full
  name. Unresolved → ``None`` (an explicit pronoun then stays the speaker).
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.attrs import ENT_IOB, IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc, Span
from annotator.nlp.tokenizer import EMOJI
from annotator.resources import RESOURCES_DIR

PATTERNS_PATH = RESOURCES_DIR / "patterns" / "quotes.json"

DOUBLE_MARKS = "\"“”„‟«»"
SINGLE_MARKS = "'‘’‚‛‹›"
ALL_MARKS = DOUBLE_MARKS + SINGLE_MARKS
OPENING_GLYPHS = "“„‟«‘‚‛‹"
SENTENCE_END = {".", "!", "?", "…", "...", "?!", "!?"}
PLACE_PREPOSITIONS = {"di", "ke", "dari", "kawasan", "wilayah", "daerah", "asal", "menuju", "sekitar"}
ENGLISH_CONNECTORS = {"of", "and", "for", "the", "at", "&"}
DEMONSTRATIVES = ("itu", "tersebut")
VERB_PREFIXES = ("me", "ber", "ter", "di", "mem", "men", "meng", "meny", "memper", "diper")

_EMOJI_TOKEN = re.compile(EMOJI + "+")
SALIENCE_WEIGHT = 2  # sentences of distance one salience level is worth (coreference)

if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=None)


_TEXT_KEY = "annotator.text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per Doc (spaCy rebuilds it from the tokens on every access)."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


# --------------------------------------------------------------------------- word lists


@dataclass(frozen=True)
class QuotePatterns:
    """The editable word lists of ``resources/patterns/quotes.json``, as sets."""

    cues: frozenset
    reporting_verbs: frozenset
    introducers: frozenset
    pronouns: frozenset
    plural_pronouns: frozenset
    titles: frozenset
    title_phrases: dict  # first word -> tuple of phrases (tuples of words), longest first
    ranks: frozenset
    org_words: frozenset
    field_word: re.Pattern
    stop_words: frozenset
    name_particles: frozenset
    title_connectors: frozenset
    adverbs: frozenset
    negators: frozenset
    connectors: frozenset
    day_month: frozenset
    menurut_non_speakers: frozenset
    abbreviations: frozenset
    passive_reporting: frozenset
    place_words: frozenset
    institutions: frozenset
    keep_ranks: bool
    descriptors: frozenset = frozenset()
    claim_nouns: frozenset = frozenset()
    headline_cues: frozenset = frozenset()
    naming_words: frozenset = frozenset()
    degrees: frozenset = frozenset()  # without dots: "sh" matches SH and S.H.

    @classmethod
    def from_dict(cls, data: dict) -> "QuotePatterns":
        low = lambda key: frozenset(w.lower() for w in data.get(key, []))  # noqa: E731
        phrases: dict = {}
        for phrase in data.get("title_phrases", []):
            words = tuple(phrase.lower().split())
            phrases.setdefault(words[0], []).append(words)
        return cls(
            cues=low("cues"),
            reporting_verbs=low("reporting_verbs"),
            introducers=low("introducers"),
            pronouns=low("pronouns"),
            plural_pronouns=low("plural_pronouns"),
            titles=low("titles"),
            title_phrases={k: tuple(sorted(v, key=len, reverse=True)) for k, v in phrases.items()},
            ranks=low("ranks"),
            org_words=low("org_words"),
            field_word=re.compile(data.get("field_word_regex") or r"(?!x)x"),
            stop_words=low("speaker_stop_words"),
            name_particles=low("name_particles"),
            title_connectors=low("title_connectors"),
            adverbs=low("adverbs"),
            negators=low("negators"),
            connectors=low("connectors"),
            day_month=low("day_month_words"),
            menurut_non_speakers=low("menurut_non_speakers"),
            abbreviations=low("abbreviations"),
            passive_reporting=low("passive_reporting_verbs"),
            place_words=low("place_words"),
            institutions=low("institutions"),
            keep_ranks=bool(data.get("speaker_keeps_ranks", True)),
            descriptors=low("speaker_descriptors"),
            claim_nouns=low("claim_nouns"),
            headline_cues=low("headline_cues"),
            naming_words=low("naming_words"),
            degrees=frozenset(w.lower().replace(".", "") for w in data.get("academic_degrees", [])),
        )

    def cue_form(self, lower: str) -> tuple[bool, bool]:
        """(is a cue word, is its -nya form that needs coreference)."""
        if lower in self.cues:
            return True, False
        if lower.endswith("nya") and lower[:-3] in self.cues:
            return True, True
        return False, False


@lru_cache(maxsize=8)
def load_patterns(path: str | None = None) -> QuotePatterns:
    """Load the word lists (default ``resources/patterns/quotes.json``). The official titles of
    the entity rules (``titles.txt`` beside it, if present) are titles here too, so a title is
    added in one place; quotes.json adds the roles that only describe a speaker ("nelayan")."""
    path = Path(path or PATTERNS_PATH)
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    shared = path.with_name("titles.txt")
    if shared.is_file():
        from annotator.nlp.entities import read_titles

        titles = [t for t in read_titles(shared) if not t.endswith(".")]
        data["titles"] = list(data.get("titles", [])) + [t for t in titles if " " not in t]
        data["title_phrases"] = list(data.get("title_phrases", [])) + [t for t in titles if " " in t]
    return QuotePatterns.from_dict(data)


# --------------------------------------------------------------------------- quote marks


def _mark_role(text: str, i: int) -> str:
    """'open', 'close' or 'either' from the characters around the mark at ``i``."""
    a = text[i - 1] if i > 0 else "\n"
    b = text[i + 1] if i + 1 < len(text) else "\n"
    left_free = a.isspace() or a in "([{—–-:;/" or a in ALL_MARKS
    right_free = b.isspace() or b in ",.;:!?)]}…—–-" or b in ALL_MARKS
    if left_free and not right_free:
        return "open"
    if right_free and not left_free:
        return "close"
    return "either"


def _is_apostrophe(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


def _line_start(text: str, i: int) -> int:
    return text.rfind("\n", 0, i) + 1


def _line_end(text: str, i: int) -> int:
    j = text.find("\n", i)
    return len(text) if j < 0 else j


def pair_quote_marks(text: str) -> list[tuple[int, int, bool]]:
    """Pair quotation marks: ``(open_index, close_index, closed)`` per candidate quote.

    ``close_index`` is the index of the closing mark, or the end of the paragraph when a quote
    is never closed (``closed`` False; only for texts with paragraphs). Single marks are used
    only outside double-quoted text, and an apostrophe between letters is not a mark."""
    multi_paragraph = "\n" in text.strip()
    pairs: list[tuple[int, int, bool]] = []
    doubles = [i for i, ch in enumerate(text) if ch in DOUBLE_MARKS]
    roles = [_mark_role(text, p) for p in doubles]
    unclosed: list[int] = []  # opening marks given up on (stray, or closed by a wrong glyph)
    open_at: int | None = None
    skip_to = -1
    for n, p in enumerate(doubles):
        if n <= skip_to:
            continue
        role = roles[n]
        if role == "either" and text[p] in OPENING_GLYPHS and open_at is None:
            role = "open"
        if open_at is None:
            if role == "close" and text[p] not in OPENING_GLYPHS:
                continue  # a stray closing mark
            open_at = p
            continue
        if role == "open":
            if "\n" in text[open_at:p]:
                if not text[_line_start(text, p):p].strip():
                    continue  # the quote goes on in a new paragraph that reopens it
                if multi_paragraph:
                    pairs.append((open_at, _line_end(text, open_at), False))
                    open_at = p
                    continue
            elif n + 2 < len(doubles) and roles[n + 1] != "open" and roles[n + 2] != "open" and "\n" not in text[p:doubles[n + 2]]:
                skip_to = n + 1  # a quote inside the quote: “… ada “jeger-jeger”-nya. …”
                continue
            unclosed.append(open_at)
            open_at = p  # the earlier opening mark was stray (or never closed)
            continue
        pairs.append((open_at, p, True))
        open_at = None
    if open_at is not None:
        if multi_paragraph:
            pairs.append((open_at, _line_end(text, open_at), False))
        else:
            unclosed.append(open_at)
    # “… ,’ kata X": an opening double mark closed by a single one
    for o in unclosed:
        k = bisect.bisect_right(doubles, o)
        limit = min(doubles[k] if k < len(doubles) else len(text), _line_end(text, o))
        for c in range(o + 1, limit):
            if text[c] in "’'" and _mark_role(text, c) == "close" and text[c - 1] in ",.?!":
                pairs.append((o, c, True))
                break
    pairs.sort()

    # single marks outside double-quoted text
    inside = [(o, c) for o, c, _ in pairs]
    starts = [o for o, _ in inside]

    def in_double(i: int) -> bool:
        k = bisect.bisect_right(starts, i) - 1
        return k >= 0 and inside[k][0] < i <= inside[k][1]

    open_at = None
    for p, ch in enumerate(text):
        if ch not in SINGLE_MARKS or _is_apostrophe(text, p) or in_double(p):
            continue
        role = _mark_role(text, p)
        if open_at is None:
            if role != "close" and ch not in "’›":
                open_at = p
        elif role != "open" and "\n" not in text[open_at:p]:
            pairs.append((open_at, p, True))
            open_at = None
        elif role == "open":
            open_at = p
    pairs.sort()
    return pairs


# --------------------------------------------------------------------------- the document view


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
        for k in range(1, n - 1):  # Ma’ruf, Mu’ti: the part after the apostrophe is a name too
            if kind[k] == "q" and self.cls[k - 1] == "N" and self.kind[k + 1] == "w" and _is_apostrophe(self.text, self.starts[k]):
                self.cls[k + 1] = "N"
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
                words = self._next_words(i, 4)
                for ph in cands:
                    if len(words) >= len(ph) and tuple(self.lower[k] for k in words[: len(ph)]) == ph:
                        for k in words[: len(ph)]:
                            self.cls[k] = "T"
                        i = words[len(ph) - 1]
                        break
            i += 1

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


# --------------------------------------------------------------------------- speaker phrases


def _scan_forward(v: _View, i: int, max_segments: int = 4, max_tokens: int = 32) -> list[list[int]]:
    """Comma-separated segments of the noun phrase starting at token ``i`` (a speaker after a
    cue, or after "menurut"). Stops at a stop word, a lower-case non-title word, a date."""
    pat = v.pat
    segs: list[list[int]] = []
    cur: list[int] = []
    j = i
    count = 0
    while j < v.n and count < max_tokens:
        if v.is_space[j]:
            if "\n" in v.words[j]:
                break
            j += 1
            continue
        count += 1
        k, c, lw, w = v.kind[j], v.cls[j], v.lower[j], v.words[j]
        nxt = v.next_tok(j)
        if k == "q":
            if cur and _is_apostrophe(v.text, v.starts[j]):
                cur.append(j)
                j += 1
                continue
            break
        if k == "p":
            if w == ",":
                if cur:
                    segs.append(cur)
                    cur = []
                if len(segs) >= max_segments or not segs:
                    break
                j += 1
                continue
            if w in ("/", "&", "-", "'") and cur and nxt is not None and v.cls[nxt] in ("N", "T", "O"):
                cur.append(j)
                j += 1
                continue
            if w == "(" and cur:
                close = _paren_group(v, j)
                if close is not None:
                    cur.extend(range(j, close + 1))
                    j = close + 1
                    continue
            break
        if k == "n":
            if cur and ((v.cls[cur[-1]] in ("O", "T") and v.kind[cur[-1]] == "w") or v.words[cur[-1]] == "-"):
                cur.append(j)
                j += 1
                continue
            break
        if c == "L":
            if lw in pat.stop_words:
                break
            if (cur or (segs and lw == "dan")) and nxt is not None and v.cls[nxt] in ("N", "O", "T") and (lw in pat.name_particles or lw in pat.title_connectors):
                cur.append(j)
                j += 1
                continue
            words = _title_tail(v, cur, j)
            if words:  # "kata kuasa hukum korban, Budi", "kata politisi senior Partai Golkar"
                cur.extend(words)
                j = words[-1] + 1
                continue
            break
        if c == "O" and w.islower() and cur and v.cls[cur[-1]] == "N":
            break  # "Menurut Budi pemerintah harus …": the name ends before the common noun
        if c == "R":
            if not cur and not segs:
                return [[j]]
            break
        if c in ("D", "C"):
            break
        if c == "T" and lw in pat.stop_words and w.islower():
            break
        cur.append(j)
        if w.endswith(",") and len(w) > 1:  # glued comma on an infix-split piece
            segs.append(cur)
            cur = []
        j += 1
    if cur:
        segs.append(cur)
    return segs


def _title_tail(v: _View, cur: list[int], j: int, max_words: int = 3) -> list[int]:
    """Lower-case words at ``j`` that go on a job title (``cur`` starts with one) up to a
    comma before a name or up to a capitalised title/organisation word: "kuasa hukum [korban],
    Budi", "politisi [senior] Partai Golkar". Empty when the words are a verb, an adverb or a
    stop word, or lead elsewhere."""
    pat = v.pat
    if not cur or v.cls[cur[0]] != "T":
        return []
    words: list[int] = []
    k: int | None = j
    while k is not None and v.cls[k] == "L" and len(words) < max_words:
        lw = v.lower[k]
        if lw in pat.stop_words or lw in pat.adverbs or lw in DEMONSTRATIVES or (len(lw) > 5 and lw.startswith(("me", "ber", "di"))):
            return []
        words.append(k)
        k = v.next_tok(k)
    if k is None or not words:
        return []
    if v.words[k] == ",":
        after = v.next_tok(k)
        return words if after is not None and v.cls[after] == "N" else []
    return words if v.cls[k] in ("T", "O") and v.core[k][:1].isupper() else []


def _paren_group(v: _View, j: int) -> int | None:
    """Index of ')' closing a short parenthesised name/acronym at ``j`` (KAI Commuter), else None."""
    k = j + 1
    inner = 0
    while k < v.n and inner <= 5:
        if v.words[k] == ")":
            return k if inner else None
        if v.is_space[k]:
            k += 1
            continue
        if v.kind[k] not in ("w",) or v.cls[k] not in ("N", "O", "T"):
            return None
        inner += 1
        k += 1
    return None


def _scan_backward(v: _View, end: int, lo: int) -> list[list[int]]:
    """Segments (in text order, nearest last) of the noun phrase that ends just before token
    ``end`` (the subject of a reporting verb), not going before token ``lo``."""
    pat = v.pat
    j = end - 1
    skipped = 0
    while j >= lo and (v.is_space[j] or (v.cls[j] == "L" and v.lower[j] in pat.adverbs and skipped < 4) or (v.cls[j] == "C" and v.lower[j] in pat.adverbs)):
        if not v.is_space[j]:
            skipped += 1
        j -= 1
    j = _skip_circumstances(v, j, lo)
    segs: list[list[int]] = []
    first = True
    relative_skipped = False
    while j >= lo and len(segs) < 3:
        if v.words[j] == "," and (first or (segs and (not _segment_has_name(v, segs[-1]) or v.cls[segs[-1][0]] in ("T", "O")))):
            j -= 1
            while j >= lo and v.is_space[j]:
                j -= 1
            k = _skip_descriptor(v, j, lo)  # "Sherly (20), [salah satu donor], mengatakan"
            if k != j:
                j = k - 1
                while j >= lo and v.is_space[j]:
                    j -= 1
        first = False
        cur: list[int] = []
        while j >= lo:
            if v.is_space[j]:
                if "\n" in v.words[j]:
                    break
                j -= 1
                continue
            k, c, lw, w = v.kind[j], v.cls[j], v.lower[j], v.words[j]
            if k == "q":
                if cur and _is_apostrophe(v.text, v.starts[j]):
                    cur.append(j)
                    j -= 1
                    continue
                break
            if k == "p":
                if w in ("/", "&", "-") and cur:
                    cur.append(j)
                    j -= 1
                    continue
                if w == ")" and not cur:  # "Yani (40), agen tiket …": an age is not the name
                    o = v.prev_tok(j)
                    o2 = v.prev_tok(o) if o is not None else None
                    if o is not None and o2 is not None and v.kind[o] == "n" and v.words[o2] == "(":
                        j = o2 - 1
                        continue
                if w == ")" and cur:
                    o = j - 1
                    while o >= lo and v.words[o] != "(" and j - o < 8:
                        o -= 1
                    if o >= lo and v.words[o] == "(":
                        cur.extend(range(j, o - 1, -1))
                        j = o - 1
                        continue
                break
            if k == "n":
                p = v.prev_tok(j)
                if cur and p is not None and (v.cls[p] in ("O", "T") or v.words[p] == "-" or (v.cls[p] == "N" and len(w) <= 2)):
                    cur.append(j)
                    j -= 1
                    continue
                break
            if c == "L":
                if cur and (lw in pat.title_connectors or lw in pat.name_particles):
                    p = v.prev_tok(j)
                    if p is not None and v.cls[p] in ("N", "O", "T"):
                        cur.append(j)
                        j -= 1
                        continue
                break
            if c == "R":
                if not cur:
                    cur.append(j)
                    j -= 1
                break
            if c == "D":
                break
            if c == "T" and lw in pat.stop_words and w.islower():
                break
            cur.append(j)
            j -= 1
        cur.reverse()
        # drop leading connectors ("Sebelumnya NATO", "Namun Aziz")
        while cur and v.cls[cur[0]] in ("C", "") and v.kind[cur[0]] != "q":
            cur.pop(0)
        if not cur:
            break
        # the object of a relative clause is not the subject: "The New York Times dan The
        # Guardian yang mengutip sumber-sumber Ukraina menyebutkan" -> before "yang"
        verb = v.prev_tok(cur[0])
        rel = v.prev_tok(verb) if verb is not None else None
        if (not segs and not relative_skipped and rel is not None and rel >= lo and v.lower[rel] == "yang"
                and v.cls[verb] == "L" and v.lower[verb].startswith(VERB_PREFIXES)):
            relative_skipped = True
            j = rel - 1
            while j >= lo and v.is_space[j]:
                j -= 1
            continue
        segs.append(cur)
        if v.cls[cur[0]] in ("N", "R") or (_segment_has_name(v, cur) and v.cls[cur[0]] not in ("T", "O")):
            break  # a name-led segment; a role-led one may follow a name: "Abdian, Koordinator X, …"
        # "Muhammad Muslim, yang juga juru bicara X, mengatakan"
        while j >= lo and (v.is_space[j] or (v.lower[j] in ("yang", "juga", "sekaligus", "selaku", "sebagai") and v.words[j].islower())):
            j -= 1
        if not (j >= lo and v.words[j] == ","):
            k = _skip_descriptor(v, j, lo, need_comma=False)  # "Yani (40), [agen tiket] PO X, mengaku"
            if k == j or not (k >= lo and v.words[k] == ","):
                break
            j = k
    segs.reverse()
    return segs


CIRCUMSTANCE_WORDS = frozenset(("di", "pada", "kepada", "saat", "ketika", "dalam", "usai", "seusai", "setelah", "sebelum",
                                "selepas", "sembari", "seraya", "sambil", "ditemui", "dihubungi", "dikonfirmasi", "melalui",
                                "lewat", "via", "kala", "tatkala"))


def _group_before(v: _View, j: int, lo: int) -> tuple[list[int], int]:
    """The words from token ``j`` back to the previous comma (text order) and that comma's index
    (or lo - 1)."""
    g: list[int] = []
    m = j
    while m >= lo and v.words[m] != "," and not (v.is_space[m] and "\n" in v.words[m]):
        if not v.is_space[m]:
            g.append(m)
        m -= 1
    g.reverse()
    return g, m


def _skip_circumstances(v: _View, j: int, lo: int) -> int:
    """Token index before the time/place/occasion phrases that stand between a subject and its
    verb: "X, Jumat (10/4/2020), mengatakan", "X di Surabaya, Rabu, mengatakan", "X saat
    dihubungi, mengatakan". ``j`` is the last token before the verb."""
    while j >= lo:
        k = j - 1 if v.words[j] == "," else j
        while k >= lo and v.is_space[k]:
            k -= 1
        g, m = _group_before(v, k, lo)
        starts = [n for n, t in enumerate(g) if v.cls[t] == "D" or (v.lower[t] in CIRCUMSTANCE_WORDS and v.words[t].islower())]
        if not starts or _has_person(v, g[starts[0]:]):
            return j  # "Organisasi Angkutan Bermotor di Jalan (Organda) DKI Jakarta Shafruhan Sinungan"
        if starts[0] > 0:
            return g[starts[0] - 1]
        if m < lo or v.words[m] != ",":
            return j
        j = m
    return j


def _skip_descriptor(v: _View, j: int, lo: int, need_comma: bool = True) -> int:
    """Index of the comma before a short lower-case descriptor ending at ``j`` ("salah satu
    donor", "agen tiket"), else ``j``."""
    g, m = _group_before(v, j, lo)
    if not g or len(g) > 6 or not all(v.kind[t] == "w" and v.words[t].islower() and v.cls[t] in ("L", "T") for t in g):
        return j
    if any(v.lower[t] in v.pat.stop_words or v.lower[t] in v.pat.reporting_verbs for t in g):
        return j
    return m if m >= lo and v.words[m] == "," else j


def _has_person(v: _View, seg: list[int]) -> bool:
    """Is a token of the segment in a PERSON entity?"""
    return any(v.ent_at.get(k) is not None and v.ent_at[k].label_ == "PERSON" for k in seg)


def _segment_has_name(v: _View, seg: list[int]) -> bool:
    return any(v.cls[k] == "N" for k in seg) or _has_person(v, seg)


def _joiner(v: _View, k: int) -> bool:
    return (v.kind[k] == "q" and _is_apostrophe(v.text, v.starts[k])) or (v.kind[k] == "p" and v.words[k] == "-") or v.lower[k] in v.pat.name_particles


def _name_in_segment(v: _View, seg: list[int]) -> tuple[int, int] | None:
    """The person's name inside a speaker segment: the leading name words of a segment that
    starts with a name, else the trailing name words after a title/organisation. None when
    the words look like a place or an organisation (Amerika Serikat, Pejabat Ukraina)."""
    if not seg:
        return None
    lo, hi = seg[0], seg[-1] + 1
    if v.cls[seg[0]] == "N":
        out = [seg[0]]
        for k in seg[1:]:
            if v.cls[k] == "N" or (_joiner(v, k) and k != seg[-1]):
                out.append(k)
            else:
                break
        while out and _joiner(v, out[-1]):
            out.pop()
        after = seg[len(out)] if len(out) < len(seg) else None
        if after is not None:
            # "Area Supervisor Jabar 2 PT … Zafrullah Sunyaruri [menuturkan]": a person entity
            # ending the segment is the name; the leading capitalised words belong to the title
            last = v.ent_at.get(seg[-1])
            if last is not None and last.label_ == "PERSON" and after <= last.start and last.end == hi:
                return (last.start, last.end)
        if after is not None and v.cls[after] == "O" and v.kind[after] == "w":
            return None  # "Korea Selatan", "Bank Sultra": an organisation or place
        if all(v.placelike(k, lo, hi) for k in out if v.cls[k] == "N"):
            return None
        return (out[0], out[-1] + 1)
    run: list[int] = []
    for k in reversed(seg):
        if v.cls[k] == "N" or (run and _joiner(v, k)):
            run.append(k)
        else:
            break
    run.reverse()
    while run and _joiner(v, run[0]):
        run.pop(0)
    if not run:
        return None
    words = [k for k in run if v.cls[k] == "N"]
    # start after the last word the document uses as a place/organisation
    # ("Kepala Kelompok Nagaraja Cilacap Jumawan", "Kepala Puskesmas Margadana Wahidin")
    places = [i for i, k in enumerate(words[:-1]) if v.placelike(k, lo, hi)]
    if places:
        words = words[places[-1] + 1:]
    if len(words) == 1 and v.placelike(words[0], lo, hi):
        return None  # "Pejabat Ukraina"
    if len(words) >= 3:
        ev = [v.name_evidence(k, lo, hi) for k in words]
        if not ev[0] and any(ev[1:]):
            first = ev.index(True)
            if len(words) > 3:
                words = words[first:]
        if len(words) > 3:
            words = words[-3:]
    return (words[0], run[-1] + 1)


def _pure_name_segment(v: _View, seg: list[int]) -> bool:
    lo, hi = seg[0], seg[-1] + 1
    if not seg or len([k for k in seg if v.cls[k] == "N"]) > 4:
        return False
    if not all(v.cls[k] == "N" or _joiner(v, k) for k in seg):
        return False
    return not v.placelike(seg[0], lo, hi)


def _placeish_segment(v: _View, seg: list[int]) -> bool:
    lo, hi = seg[0], seg[-1] + 1
    return any(v.cls[k] in ("O", "T") for k in seg) or any(v.placelike(k, lo, hi) for k in seg if v.cls[k] == "N")


def _person_ent_in(v: _View, lo: int, hi: int) -> Span | None:
    for e in v.ents:
        if e.label_ == "PERSON" and lo <= e.start < hi:
            return e
    return None


def _resolve_segments(v: _View, segs: list[list[int]], backward: bool = False) -> _Speaker | None:
    """Pick the speaker inside the segments of a speaker phrase."""
    segs = [s for s in segs if s]
    if not segs:
        return None
    if backward:
        # nearest segment is the last: "Robert Wood, duta besar AS, mengatakan" -> Robert Wood
        # "…, Senin (30/11/2020) di Jakarta, mengatakan": a place, not the subject
        segs = [s for s in segs if _has_person(v, s) or not (
            v.prev_tok(s[0]) is not None and v.lower[v.prev_tok(s[0])] in PLACE_PREPOSITIONS)]
        if not segs:
            return None
        named = [s for s in segs if _segment_has_name(v, s)]
        led = [s for s in named if v.cls[s[0]] == "N"]  # "Abdian Saputra, Koordinator X, …"
        # "Kepala Dinas X Muhammad Muslim, yang juga juru bicara Gugus Tugas Y, mengatakan"
        people = [s for s in named if _has_person(v, s)]
        seg0 = led[-1] if led else people[-1] if people else named[-1] if named else segs[-1]
        rest: list[list[int]] = []
    else:
        seg0, rest = segs[0], segs[1:]
    if v.cls[seg0[0]] == "R":
        return _Speaker(seg0[0], seg0[0] + 1, "PERSON", coref=True)
    lo, hi = seg0[0], seg0[-1] + 1
    name = _name_in_segment(v, seg0)
    title_led = v.cls[seg0[0]] in ("T", "O")
    if title_led and rest:
        # "kata juru bicara Gugus Tugas X, Alamsyah, Rabu": the name after the role
        name_known = name is not None and any(v.name_evidence(k, lo, hi) for k in range(*name) if v.cls[k] == "N")
        for seg in rest[:3]:
            if name_known:
                break
            if _pure_name_segment(v, seg):
                return _snap(v, (seg[0], seg[-1] + 1))
            if not _placeish_segment(v, seg):
                break
            later = _name_in_segment(v, seg)  # "Bidang Politik, Hukum, dan Keamanan Mahfud MD"
            if later is not None and any(v.name_evidence(k, seg[0], seg[-1] + 1) for k in range(*later) if v.cls[k] == "N"):
                return _snap(v, later)
    if name is not None:
        return _snap(v, name)
    ent = _person_ent_in(v, lo, hi)
    if ent is not None and all(v.cls[k] == "N" or _joiner(v, k) for k in range(ent.start, ent.end)):
        return _entity_speaker(v, ent)
    # no name: the whole phrase is the speaker (kata Presiden; pemerintah Korea Selatan)
    while len(seg0) > 1 and (v.kind[seg0[-1]] != "w" or v.lower[seg0[-1]] in v.pat.title_connectors):
        seg0 = seg0[:-1]
    lo, hi = seg0[0], seg0[-1] + 1
    e = v.ent_at.get(lo)
    if e is not None and e.start == lo and e.end == hi:
        return _Speaker(lo, hi, e.label_)
    if e is not None and e.start == lo and e.label_ == "ORG" and all(
        v.is_space[k] or (v.ent_at.get(k) is not None and v.ent_at[k].label_ == "LOC") for k in range(e.end, hi)
    ):  # "Pentagon Amerika": the organisation, not its country
        return _Speaker(lo, e.end, "ORG")
    return _Speaker(lo, hi, _free_label(v, seg0))


def _snap(v: _View, name: tuple[int, int]) -> _Speaker:
    """A name as speaker; a PERSON entity ending it wins when what it leaves out is a place."""
    for k in range(*name):
        e = v.ent_at.get(k)
        if e is not None and e.label_ == "PERSON" and e.start > name[0] and e.end == name[1]:
            if all(v.cls[j] != "N" or v.placelike(j, name[0], name[1]) for j in range(name[0], e.start)):
                name = (e.start, e.end)
            break
    return _Speaker(_with_rank(v, name[0]), name[1], "PERSON")


def _with_rank(v: _View, start: int) -> int:
    """Start of the name with the rank or honorific right before it ("Komisaris Besar Yusri
    Yunus", "Irjen Fadil", "dr Algazali"), when quotes.json keeps ranks; job titles stay out.
    "Jenderal"/"Besar" closing a job title ("Sekretaris Jenderal Antonio Guterres") is not a rank."""
    pat = v.pat
    if not pat.keep_ranks:
        return start
    run: list[int] = []
    k = v.prev_tok(start)
    while k is not None and v.kind[k] == "w" and (v.lower[k] in pat.ranks or v.lower[k] in ("besar", "jenderal", "polisi")):
        run.insert(0, k)
        k = v.prev_tok(k)
    while run and v.lower[run[0]] in ("besar", "jenderal", "polisi"):
        if k is not None and v.cls[k] == "T" and v.lower[k] not in pat.ranks:
            run.pop(0)  # "Sekretaris Jenderal": the title's own word
            k = run[0] - 1 if run else None
        else:
            break
    while run and v.lower[run[0]] in ("besar", "polisi"):
        run.pop(0)
    return run[0] if run else start


def _free_label(v: _View, seg: list[int]) -> str:
    head = seg[0]
    names = [k for k in seg if v.cls[k] == "N"]
    if names and v.cls[head] == "N" and all(v.placelike(k, seg[0], seg[-1] + 1) for k in names):
        return "LOC"
    if v.lower[head] in v.pat.org_words or v.lower[head] in v.pat.institutions:
        return "ORG"
    if v.cls[head] in ("O", "N", "L") and not any(v.cls[k] == "T" for k in seg):
        return "ORG"
    return "PERSON"


def _trusted(ent: Span) -> bool:
    """Is the entity from a statistical model (span._.source "model")? Rule entities
    (gazetteer, dates; or any entity without a source) are taken as reliable for places,
    organisations and dates; model entities only refine names the rules found."""
    return Span.has_extension("source") and ent._.source == "model"


def _entity_speaker(v: _View, ent: Span) -> _Speaker:
    """A PERSON entity as speaker: the name, not the title or organisation, even when the
    entity includes them ("Kepala Dinas X Nurhadi" → "Nurhadi")."""
    if ent.label_ == "PERSON" and (ent.end - ent.start > 3 or any(v.cls[k] in ("T", "O") for k in range(ent.start, ent.end))):
        name = _name_in_segment(v, [k for k in range(ent.start, ent.end) if not v.is_space[k]])
        if name is not None:
            return _Speaker(name[0], name[1], "PERSON")
    s, e = ent.start, ent.end
    while s < e - 1 and (v.cls[s] == "T" or v.is_space[s]):
        s += 1
    while e - 1 > s and (v.cls[e - 1] == "T" or v.kind[e - 1] == "p" or v.is_space[e - 1]):
        e -= 1  # "Budi Santoso SH MH"
    return _Speaker(s, e, ent.label_)


# --------------------------------------------------------------------------- the finder


def _content_bounds(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _word_count(text: str) -> int:
    return sum(1 for w in text.split() if any(ch.isalpha() for ch in w))


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


# ---- direct quotes


def _direct_quotes(v: _View) -> list[_Quote]:
    text = v.text
    out: list[_Quote] = []
    for o, c, closed in pair_quote_marks(text):
        a, b = _content_bounds(text, o + 1, c)
        if b <= a:
            continue
        open_tok = v.token_at(o)
        close_tok = v.token_at(c) if closed else v.token_at(max(a, b - 1))
        q = _Quote(start=a, end=b, kind="direct", open_tok=open_tok, close_tok=close_tok + 1)
        content = text[a:b]
        before = v.prev_tok(open_tok)
        if before is not None and v.lower[before] in v.pat.naming_words and _word_count(content) <= 12:
            continue  # a name, title or slogan: khotbah yang bertema ”Idul Fitri Momentum Hijrah”
        cue_after = _cue_after(v, q, closed)
        intro = False
        if not cue_after or q.needs_coref:
            # "X mengatakan, ”…”" — and for "X mengatakan, ”…,” katanya" the cue stays
            # "katanya" while the introduction names the speaker
            probe = _Quote(start=a, end=b, kind="direct", open_tok=open_tok, close_tok=close_tok + 1)
            intro = _intro_before(v, probe)
            if not cue_after:
                q.cue, q.speaker, q.how, q.needs_coref = probe.cue, probe.speaker, probe.how, probe.needs_coref
            elif probe.speaker is not None and not probe.needs_coref:
                q.speaker, q.how, q.needs_coref = probe.speaker, "intro", False
        if not (cue_after or intro):
            partial = _partial_quote_subject(v, q, closed, content)
            if partial is not None:
                q.speaker, q.how = partial, "subject"
            elif not _looks_like_speech(v, text, o, c, content):
                continue
        for k in range(open_tok, close_tok + 1):
            v.covered[k] = 1
            v.in_quote[k] = 1
        if q.cue is not None:
            for k in range(q.cue[0], (q.speaker.end if q.speaker and q.speaker.start > q.cue[0] else q.cue[1])):
                v.covered[k] = 1
        out.append(q)
    return out


def _sentence_initial(v: _View, k: int) -> bool:
    p = v.prev_tok(k)
    return p is None or v.sent_of[p] != v.sent_of[k] or v.words[p] in SENTENCE_END or v.kind[p] == "q"


def _descriptor_speaker(v: _View, spk: _Speaker) -> _Speaker | None:
    """``pemerintah Korea Selatan`` / ``Badan intelijen Korea Selatan`` / ``perwakilan Korea
    Utara untuk PBB`` / ``laporan intelijen AS``: a lower-case descriptor (quotes.json
    ``speaker_descriptors``; capitalised only at a sentence start) before a name → the first
    state or organisation in the phrase (the entity when the entity layer has one, else the
    capitalised words). None when the phrase is not of that form."""
    toks = [k for k in range(spk.start, spk.end) if not v.is_space[k]]
    if len(toks) < 2 or v.kind[toks[0]] != "w" or v.lower[toks[0]] not in v.pat.descriptors:
        return None
    if not v.core[toks[0]].islower() and not _sentence_initial(v, toks[0]):
        return None
    i = 1
    while i < len(toks) and ((v.kind[toks[i]] == "w" and v.core[toks[i]].islower()) or v.words[toks[i]] == "-"):
        i += 1
    if i >= len(toks) or v.kind[toks[i]] != "w" or not v.core[toks[i]][0].isupper():
        return None
    k = toks[i]
    e = v.ent_at.get(k)
    if e is not None:
        if e.start == k and e.label_ in ("LOC", "ORG", "GPE", "NORP") and e.end <= spk.end:
            return _Speaker(e.start, e.end, "LOC" if e.label_ in ("GPE", "NORP") else e.label_)
        return None
    run = [k]
    for j in toks[i + 1:]:
        if v.kind[j] == "w" and v.core[j][0].isupper() and v.cls[j] in ("N", "O") and v.ent_at.get(j) is None:
            run.append(j)
        else:
            break
    if any(v.cls[j] == "N" and v.name_evidence(j, run[0], run[-1] + 1, strong=True) for j in run):
        return None  # a person's name after all
    return _Speaker(run[0], run[-1] + 1, _free_label(v, run))


def _partial_quote_subject(v: _View, q: _Quote, closed: bool, content: str) -> _Speaker | None:
    """``pemerintah Korea Selatan "mengutuk keras" Korea Utara``: a short quoted predicate (a
    lower-case me-/ber- verb first, at most five words) right after its subject, a named or
    institutional speaker. The quoted words are the subject's; the cue stays None. Scare
    quotes on nouns (``bukan ”kuburan” bagi``) fail the verb test."""
    if not closed or not 1 <= _word_count(content) <= 5 or not content[:1].islower():
        return None
    first = content.split()[0].strip(",.;:!?").lower()
    if len(first) < 6 or not first.isalpha() or not first.startswith(("me", "ber")) and first not in v.pat.reporting_verbs:
        return None
    o = q.open_tok
    p = v.prev_tok(o)
    if p is None or v.kind[p] != "w" or v.lower[p] in v.pat.negators or v.cls[p] in ("L", "C", "D", "R", ""):
        return None
    lo = v.sentences[v.sent_of[p]][0]
    segs = _scan_backward(v, o, lo)
    if not segs:
        return None
    spk = _resolve_segments(v, segs[-1:], backward=True)
    if spk is None or spk.coref:
        return None
    named = _descriptor_speaker(v, spk)
    if named is not None:
        return named
    if spk.label == "PERSON" and _name_in_segment(v, segs[-1]) is not None:
        return spk
    e = v.ent_at.get(spk.start)
    if e is not None and e.start == spk.start and e.end == spk.end and e.label_ in ("PERSON", "ORG", "LOC"):
        return spk
    return None


def _headline_quote(v: _View, quotes: list[_Quote]) -> _Quote | None:
    """Headline ``X: words`` (``Biden: Sangat Berbahaya``): the first line of a text with
    paragraphs, short and without final period, where a name (one to four capitalised words,
    at the line start or after a comma) stands before ``:``. Content = the rest of the line;
    speaker = the name; no cue (a colon is not a reporting word)."""
    text = v.text
    span = _first_line(v)
    if span is None or ": " not in text[span[0]:span[1]]:
        return None
    a, b = span
    line = text[a:b]
    colon = a + line.index(": ")
    ca, cb = _content_bounds(text, colon + 1, a + len(line))
    if _word_count(text[ca:cb]) < 2 or any(q.start < cb and ca < q.end for q in quotes):
        return None
    ct = v.token_at(colon)
    if v.words[ct] != ":" and not v.words[ct].endswith(":"):
        return None
    end = ct if v.words[ct] == ":" else ct + 1
    toks = []
    k = v.prev_tok(end) if v.words[ct] == ":" else ct
    while k is not None and v.starts[k] >= a and v.words[k] not in (",", "–", "—", "-", "|"):
        toks.insert(0, k)
        k = v.prev_tok(k)
    if not 1 <= len(toks) <= 4:
        return None
    if not all(v.kind[t] == "w" and v.core[t][:1].isupper() and v.cls[t] in ("N", "O") for t in toks):
        return None
    s, e = toks[0], toks[-1] + 1
    ent = v.ent_at.get(s)
    if ent is not None and ent.start == s and ent.end == e:
        spk = _entity_speaker(v, ent) if ent.label_ == "PERSON" else _Speaker(s, e, ent.label_)
    else:
        spk = _Speaker(s, e, "PERSON" if all(v.cls[t] == "N" for t in toks) else _free_label(v, toks))
    return _Quote(start=ca, end=cb, kind="direct", open_tok=s, close_tok=v.token_at(cb - 1) + 1, speaker=spk, how="headline")


def _first_line(v: _View) -> tuple[int, int] | None:
    """Char span of a headline: the first line of a text with paragraphs, short, no final period."""
    text = v.text
    if "\n" not in text.strip():
        return None
    a = len(text) - len(text.lstrip())
    line = text[a:_line_end(text, a)].rstrip()
    if not line or len(line) > 160 or line[-1] in ".\"”":
        return None
    return a, a + len(line)


def _headline_report(v: _View, quotes: list[_Quote]) -> _Quote | None:
    """Headline ``X Konfirmasi <content>`` (a headline's bare reporting verb after the source at
    the line start): content = the words after the verb up to a comma or the line end."""
    line = _first_line(v)
    if line is None:
        return None
    a, b = line
    first = v.token_at(a)
    ent = v.ent_at.get(first)
    if ent is None or ent.start != first or ent.label_ not in ("ORG", "LOC", "PERSON"):
        return None
    verb = v.next_tok(ent.end - 1)
    if verb is None or not v.words[verb][:1].isupper() or v.lower[verb] not in v.pat.headline_cues:
        return None
    toks = []
    k = v.next_tok(verb)
    while k is not None and v.starts[k] < b and v.words[k] not in (",", ":", "|", "–", "—"):
        toks.append(k)
        k = v.next_tok(k)
    if len(toks) < 2:
        return None
    ca, cb = v.starts[toks[0]], v.char_end(toks[-1])
    if any(q.start < cb and ca < q.end for q in quotes):
        return None
    spk = _entity_speaker(v, ent) if ent.label_ == "PERSON" else _Speaker(ent.start, ent.end, ent.label_)
    return _Quote(start=ca, end=cb, kind="indirect", open_tok=first, close_tok=toks[-1] + 1, cue=(verb, verb + 1),
                  speaker=spk, how="headline")


def _looks_like_speech(v: _View, text: str, o: int, c: int, content: str) -> bool:
    """A quoted sentence standing on its own (no cue): capitalised, ≥ 4 words, final
    punctuation, after a sentence boundary. Scare quotes, titles and slogans fail."""
    if _word_count(content) < 4:
        return False
    first = next((ch for ch in content if ch.isalpha()), "")
    if not first.isupper():
        return False
    if content.rstrip()[-1:] not in ".!?…,":
        return False
    before = text[:o].rstrip()
    return not before or before[-1] in ".!?:;…\n" or before[-1] in ALL_MARKS or text[_line_start(text, o):o].strip() == ""


def _cue_after(v: _View, q: _Quote, closed: bool) -> bool:
    """``”…,” kata X`` / ``”…,” katanya`` / ``”…,” X menambahkan``: set q.cue/q.speaker."""
    if not closed:
        return False
    pat = v.pat
    j = v.next_tok(q.close_tok - 1)
    if j is not None and v.words[j] == ",":
        j = v.next_tok(j)
    if j is None or v.kind[j] != "w":
        return False
    lw = v.lower[j]
    is_cue, nya = pat.cue_form(lw)
    if is_cue:
        comma_style = v.text[q.end - 1] in ",?!"  # Kompas: "…,” kata X"
        if v.core[j][0].isupper() and not comma_style:
            return False  # a new sentence ("Jelas, …"), not a cue
        q.cue = (j, j + 1)
        q.how = "cue"
        if nya:
            q.needs_coref = True
            return True
        spk = _resolve_segments(v, _scan_forward(v, j + 1))
        if spk is None and not comma_style:
            q.cue = q.how = None
            return False
        q.speaker = spk  # a pronoun is kept if coreference fails
        q.needs_coref = spk is not None and spk.coref
        return True
    if lw in pat.introducers and lw.endswith("nya"):  # "”…,” menurutnya."
        q.cue = (j, j + 1)
        q.how = "cue"
        q.needs_coref = True
        return True
    if lw in pat.reporting_verbs:
        return False
    # "”…,” Wood menambahkan." / "”…,” Menteri X mengatakan."
    segs = _scan_forward(v, j, max_segments=1, max_tokens=10)
    if segs:
        end = segs[-1][-1]
        k = v.next_tok(end)
        if k is not None and (v.lower[k] in pat.reporting_verbs or (pat.cue_form(v.lower[k])[0] and not pat.cue_form(v.lower[k])[1])):
            q.cue = (k, k + 1)
            q.how = "cue"
            spk = _resolve_segments(v, segs)
            q.speaker = spk
            if spk is not None and spk.coref:
                q.needs_coref = True
            return True
    return False


def _intro_before(v: _View, q: _Quote) -> bool:
    """``X mengatakan, ”…”`` / ``Menurut X, ”…”`` / ``kata X: ”…”`` / any ``…: ”…”``."""
    pat = v.pat
    o = q.open_tok
    p = v.prev_tok(o)
    if p is None:
        return False
    colon = v.words[p] in (":",) or v.words[p].endswith(":")
    lo = v.sentences[v.sent_of[p]][0]
    # walk back over at most 14 tokens of this sentence for a reporting verb, cue or "menurut"
    j = p
    seen = 0
    while j >= lo and seen < 14:
        if v.is_space[j]:
            j -= 1
            continue
        if v.kind[j] == "q" and not _is_apostrophe(v.text, v.starts[j]):
            break
        lw = v.lower[j]
        between = [k for k in range(j + 1, o) if not v.is_space[k]]
        tail_ok = not between or v.words[between[-1]] in (",", ":") or v.lower[between[-1]] == "bahwa" or v.words[between[-1]].endswith((",", ":"))
        if lw in pat.reporting_verbs and tail_ok and v.words[j].islower():
            neg = v.prev_tok(j)
            if neg is not None and v.lower[neg] in pat.negators:
                return colon
            q.cue = (j, j + 1)
            q.how = "intro"
            spk = _resolve_segments(v, _scan_backward(v, j, lo), backward=True)
            q.speaker = spk
            if spk is not None and spk.coref:
                q.needs_coref = True
            return True
        is_cue, nya = pat.cue_form(lw)
        if (is_cue or lw in pat.introducers) and tail_ok and len(between) <= 12:
            q.cue = (j, j + 1)
            q.how = "intro"
            if nya or lw.endswith("nya"):
                q.needs_coref = True
                return True
            segs = _scan_forward(v, j + 1, max_segments=2)
            if segs and segs[0] and segs[0][0] < o and v.lower[segs[0][0]] not in pat.menurut_non_speakers:
                spk = _resolve_segments(v, segs)
                q.speaker = spk
                if spk is not None and spk.coref:
                    q.needs_coref = True
                return True
            q.cue = None
            q.how = None
        seen += 1
        j -= 1
    return colon


# ---- indirect quotes


def _indirect_quotes(v: _View) -> list[_Quote]:
    out: list[_Quote] = []
    for s, e in v.sentences:
        toks = [k for k in range(s, e) if not v.is_space[k]]
        if sum(v.covered[k] for k in toks) > 6 or len(toks) < 5 or not _only_scare_quotes(v, toks):
            continue
        q = _menurut(v, toks) or _cue_clause(v, toks)
        out.extend([q] if q is not None else _reporting_clauses(v, toks))
    return out


def _only_scare_quotes(v: _View, toks: list[int]) -> bool:
    """No quotation marks in the sentence but pairs around a few words ("mengutuk keras")."""
    marks = [i for i, k in enumerate(toks) if v.kind[k] == "q" and not _is_apostrophe(v.text, v.starts[k])]
    if len(marks) % 2:
        return False
    return all(marks[n + 1] - marks[n] - 1 <= 4 for n in range(0, len(marks), 2))


def _sentence_content(v: _View, toks: list[int], a: int, b: int) -> tuple[int, int] | None:
    """Char span of tokens toks[a:b] without final punctuation and commas at the edges."""
    sub = toks[a:b]
    while sub and v.kind[sub[-1]] in ("p", "q") and v.words[sub[-1]] not in (")", "]"):
        sub = sub[:-1]
    while sub and v.kind[sub[0]] in ("p", "q") and v.words[sub[0]] not in ("(", "["):
        sub = sub[1:]
    if len([k for k in sub if v.kind[k] in ("w", "n")]) < 3:
        return None
    return v.starts[sub[0]], v.char_end(sub[-1]) if v.kind[sub[-1]] in ("w", "n") else v.starts[sub[-1]] + len(v.words[sub[-1]])


def _lead_len(v: _View, toks: list[int]) -> int:
    """Number of leading connector tokens ("Sementara itu ,", "Saat ini ,")."""
    i = 0
    while i < len(toks) and (v.cls[toks[i]] in ("C",) or v.lower[toks[i]] in v.pat.connectors or v.words[toks[i]] == ","):
        i += 1
    return i


def _make_indirect(v: _View, toks: list[int], span: tuple[int, int] | None, cue: int, spk: _Speaker | None, coref: bool,
                   cue_end: int | None = None) -> _Quote | None:
    if span is None:
        return None
    q = _Quote(start=span[0], end=span[1], kind="indirect", open_tok=toks[0], close_tok=toks[-1] + 1,
               cue=(cue, (cue_end if cue_end is not None else cue) + 1), speaker=spk, how="cue")
    q.needs_coref = coref or (spk is not None and spk.coref)
    return q


def _menurut(v: _View, toks: list[int]) -> _Quote | None:
    pat = v.pat
    for i, k in enumerate(toks):
        if v.lower[k] not in pat.introducers:
            continue
        nya = v.lower[k].endswith("nya")
        segs = [] if nya else _scan_forward(v, k + 1, max_segments=2) or _lower_phrase(v, k + 1)
        if not nya and (not segs or v.lower[segs[0][0]] in pat.menurut_non_speakers):
            return None
        spk = None if nya else _resolve_segments(v, segs[:1])
        # where does the speaker phrase end?
        end_tok = k if nya else segs[0][-1]
        pos = toks.index(end_tok) + 1
        if not nya and len(segs) > 1 and v.cls[segs[1][0]] == "T":
            pos = toks.index(segs[1][-1]) + 1  # skip an appositive title
        if i <= _lead_len(v, toks):
            for off in range(pos, min(len(toks), pos + 5)):
                if v.words[toks[off]] == ",":  # "Menurut sumber tersebut, …"
                    pos = off + 1
                    break
            span = _sentence_content(v, toks, pos, len(toks))
        elif i > 0 and v.words[toks[i - 1]] == "," and pos >= len(toks) - 1:
            span = _sentence_content(v, toks, 0, i - 1)
        else:
            span = _sentence_content(v, toks, 0, len(toks))
        return _make_indirect(v, toks, span, k, spk, nya)
    return None


def _lower_phrase(v: _View, i: int, max_words: int = 6) -> list[list[int]]:
    """A lower-case source after "menurut" ("menurut laporan intelijen AS"), as one segment."""
    seg: list[int] = []
    j = i
    while j < v.n and len(seg) < max_words:
        if v.is_space[j]:
            if "\n" in v.words[j]:
                break
            j += 1
            continue
        if v.kind[j] not in ("w", "n") or v.lower[j] in v.pat.stop_words or v.cls[j] in ("D", "R"):
            break
        seg.append(j)
        j += 1
    return [seg] if seg else []


def _cue_clause(v: _View, toks: list[int]) -> _Quote | None:
    """``…, kata X.`` / ``…, katanya.`` / ``A, tutur X, B.`` without quotation marks."""
    pat = v.pat
    for i in range(2, len(toks)):
        k = toks[i]
        if v.words[toks[i - 1]] != "," or v.kind[k] != "w" or v.core[k][0].isupper():
            continue
        is_cue, nya = pat.cue_form(v.lower[k])
        if not is_cue:
            continue
        if nya:
            spk = None
            end = i + 1
        else:
            segs = _scan_forward(v, k + 1, max_segments=1)
            if not segs:
                continue
            spk = _resolve_segments(v, segs)
            if spk is None:
                continue
            end = toks.index(segs[0][-1]) + 1
        if _clause_goes_on(v, toks, end):  # "A, kata X (kepada wartawan, Senin), B."
            span = _sentence_content(v, toks, 0, len(toks))
        else:
            span = _sentence_content(v, toks, 0, i - 1)
        return _make_indirect(v, toks, span, k, spk, nya)
    return None


def _clause_goes_on(v: _View, toks: list[int], end: int) -> bool:
    """Does the reported clause go on after an attribution ending at toks[end] ("…, kata X, B"),
    past adverbials of the act of saying ("kepada wartawan", "Senin (12/1/2021)")?"""
    rest = toks[end:]
    if rest and v.words[rest[0]] not in (",", "(") and (v.cls[rest[0]] == "D" or v.lower[rest[0]] in v.pat.stop_words):
        commas = [n for n, t in enumerate(rest) if v.words[t] == ","]
        rest = rest[commas[-1]:] if commas else []
    return len([t for t in rest if v.kind[t] in ("w", "n")]) >= 2


def _descriptor_subject(v: _View, toks: list[int], i: int) -> _Speaker | None:
    """A long institutional subject opening the sentence ("Para menteri luar negeri negara-
    negara X dan tiga sekutu utamanya mengatakan …"): the first state/organisation in it,
    when no comma or other reporting verb stands between it and the verb toks[i]."""
    a = _lead_len(v, toks)
    if a >= i or i - a > 16 or any(v.words[t] == "," or v.lower[t] in v.pat.reporting_verbs for t in toks[a:i]):
        return None
    return _descriptor_speaker(v, _Speaker(toks[a], toks[i], "ORG"))


COMPLEMENTIZERS = ("bahwa", "agar", "supaya", "apakah")
REFUSALS = ("menolak", "enggan")
COORDINATORS = ("dan", "serta")


def _reporting_clauses(v: _View, toks: list[int]) -> list[_Quote]:
    """``X mengatakan(,) (bahwa) …``; ``X mengatakan … , dan menyatakan bahwa …`` gives two
    quotes with the same speaker."""
    pat = v.pat
    for i, k in enumerate(toks):
        if v.lower[k] not in pat.reporting_verbs or i == 0 or not v.words[k].islower():
            continue
        p = toks[i - 1]
        if v.lower[p] in pat.negators:
            return []
        # "X menolak untuk mengkonfirmasi atau menyangkal apakah …": the refusal is the cue
        first, last = i, i
        if i >= 2 and v.lower[p] == "untuk" and v.lower[toks[i - 2]] in REFUSALS:
            first = i - 2
            if i + 2 < len(toks) and v.lower[toks[i + 1]] == "atau" and v.lower[toks[i + 2]] in pat.reporting_verbs:
                last = i + 2
        # a verb in scare quotes ('X "mengutuk keras" Y dan mendesak agar …') is not itself
        # speech, but its subject is the speaker of the coordinated verb
        scare = v.kind[p] == "q"
        segs = _scan_backward(v, p if scare else toks[first], toks[0])
        spk = _resolve_segments(v, segs, backward=True) if segs else None
        if spk is None:
            spk = _descriptor_subject(v, toks, i)
        if spk is None:
            continue
        out = []
        while i is not None:
            pos = _content_start(v, toks, last)
            nxt, end = _coordinated_verb(v, toks, pos)
            q = None if scare else _make_indirect(v, toks, _sentence_content(v, toks, pos, end), toks[first], spk,
                                                  False, cue_end=toks[last])
            if q is not None:
                out.append(q)
            i = first = last = nxt
            scare = False
        return out
    return []


def _content_start(v: _View, toks: list[int], i: int) -> int:
    """Where the content of reporting verb toks[i] starts: after ',' / ':' / 'bahwa' / 'agar'
    following the verb, else right after it."""
    pat = v.pat
    pos = i + 1
    # "menampik tuduhan dari Eropa Barat, yang …, bahwa …": a claim's bahwa may come later
    reach = 30 if pos < len(toks) and v.lower[toks[pos]] in pat.claim_nouns else 14
    window = toks[pos: pos + reach]
    if window and v.words[window[0]] in (",", ":"):
        pos += 1
        if pos < len(toks) and v.lower[toks[pos]] in COMPLEMENTIZERS:
            pos += 1
        return pos
    for off, t in enumerate(window):
        if v.lower[t] in COMPLEMENTIZERS:
            return i + 1 + off + 1
        if v.lower[t] in pat.reporting_verbs:
            break
    return pos


def _coordinated_verb(v: _View, toks: list[int], pos: int) -> tuple[int | None, int]:
    """A second reporting verb of the same subject ("…, dan menyatakan bahwa …"): (its index,
    where the first content ends); else (None, len(toks))."""
    for j in range(pos + 3, len(toks)):
        if v.lower[toks[j]] in v.pat.reporting_verbs and v.words[toks[j]].islower():
            c = j - 1
            while c > pos and v.lower[toks[c]] in v.pat.adverbs:
                c -= 1
            opens = toks[j + 1: j + 7]  # it introduces content of its own
            if v.lower[toks[c]] in COORDINATORS and opens and (
                v.words[opens[0]] in (",", ":") or any(v.lower[t] in COMPLEMENTIZERS for t in opens)
            ):
                return j, c
    return None, len(toks)


# ---- coreference and continuation

def _title_words(v: _View, spk: _Speaker) -> list[int] | None:
    """The words of a speaker that is only a job title ("Menteri Pertahanan AS"), else None."""
    toks = [k for k in range(spk.start, spk.end) if not v.is_space[k]]
    if not toks or spk.label != "PERSON" or v.cls[toks[0]] != "T" or v.lower[toks[0]] == "para":
        return None
    for k in toks:
        e = v.ent_at.get(k)
        if e is not None and e.label_ == "PERSON" or v.cls[k] == "N" and e is None and not v.placelike(k, spk.start, spk.end):
            return None  # a name: not a bare title
    return toks


def _named_after(v: _View, q: _Quote, title: list[str], head: bool = False) -> bool:
    """Does the title (lower-case words) stand right before q's named speaker? With ``head``,
    the title word may open a longer capitalised title ("Menteri Luar Negeri Korea Utara, X")."""
    s = q.speaker
    if s is None or s.coref or s.label != "PERSON" or _title_words(v, s) is not None:
        return False
    if v.cls[s.start] not in ("N", "T"):
        return False
    # the title right before the name, in the same sentence, a comma allowed between
    before = [k for k in range(max(0, s.start - 24), s.start) if not v.is_space[k] and v.sent_of[k] == v.sent_of[s.start]]
    if before and v.words[before[-1]] == ",":
        before.pop()
    words = [v.lower[k] for k in before if v.kind[k] == "w"]
    if head:
        run = []
        for k in reversed(before[-10:]):
            if v.kind[k] == "q" or v.kind[k] == "w" and not v.core[k][:1].isupper():
                break
            run.append(v.lower[k])
        return title[0] in run
    return len(words) >= len(title) and words[len(words) - len(title):] == title


def _title_references(v: _View, quotes: list[_Quote]) -> None:
    """A speaker given by a job title only. "Menteri tersebut" (title + itu/tersebut) →
    the closest earlier quote speaker named after that title; "Menteri Pertahanan AS
    mengatakan …" (≥ 2 title words, no name) → that name in a quote within the next three
    sentences ("… kata Menteri Pertahanan AS Lloyd Austin"). An unnamed referent keeps its
    phrase, with the demonstrative ("Pejabat Ukraina itu", "sumber tersebut")."""
    for i, q in enumerate(quotes):
        s = q.speaker
        if s is None or s.coref:
            continue
        toks = _title_words(v, s)
        if toks is None:
            continue
        nxt = v.next_tok(s.end - 1)
        demo = nxt is not None and v.words[nxt] in DEMONSTRATIVES
        title = [v.lower[k] for k in toks if v.kind[k] == "w"]
        found = None
        if demo:
            for prev in reversed(quotes[:i]):
                if _named_after(v, prev, title[:1], head=True):
                    found = prev.speaker
                    break
        elif len(title) >= 2:
            here = v.sent_of[s.start]
            for later in quotes[i + 1:]:
                if later.speaker is None or v.sent_of[later.speaker.start] > here + 3:
                    continue
                if v.sent_of[later.speaker.start] > here and _named_after(v, later, title):
                    found = later.speaker
                    break
        if found is not None:
            if demo:  # the closest earlier mention of that person
                text_of = lambda sp: v.text[v.starts[sp.start]:v.char_end(sp.end - 1)]  # noqa: E731
                for prev in quotes[:i]:
                    ps = prev.speaker
                    if ps is not None and ps.start > found.start and ps.end <= s.start and text_of(ps) == text_of(found):
                        found = ps
            q.speaker = _Speaker(found.start, found.end, found.label)
            q.how = "coref"
        elif demo:
            q.speaker = _Speaker(s.start, nxt + 1, s.label)


def _plural_references(v: _View, quotes: list[_Quote], window: int) -> None:
    """"Mereka menyatakan …", "Para menteri mengatakan …": the most recent earlier quote
    speaker that is a group (a state, an organisation, coordinated names) within the window."""
    for i, q in enumerate(quotes):
        s = q.speaker
        if s is None:
            continue
        toks = [k for k in range(s.start, s.end) if not v.is_space[k]]
        plural = (len(toks) == 1 and v.lower[toks[0]] == "mereka") or (
            len(toks) >= 2 and v.lower[toks[0]] == "para" and all(v.cls[k] == "T" for k in toks[1:]))
        if not plural:
            continue
        for prev in reversed(quotes[:i]):
            ps = prev.speaker
            if ps is None or v.starts[ps.start] < v.starts[s.start] - window:
                continue
            group = ps.label in ("ORG", "LOC") or any(v.lower[k] == "dan" for k in range(ps.start, ps.end))
            if group and ps.start != s.start:
                q.speaker = _Speaker(ps.start, ps.end, ps.label)
                q.how = "coref"
                break


def _name_key(v: _View, a: int, b: int) -> frozenset:
    return frozenset(v.lower[k] for k in range(a, b) if v.cls[k] == "N" and len(v.core[k]) >= 2)


def _subject_like(v: _View, a: int, b: int) -> bool:
    """Is the mention a subject (followed by a verb, or after menurut / a cue)?"""
    pat = v.pat
    p = v.prev_tok(a)
    if p is not None and (v.lower[p] in pat.introducers or pat.cue_form(v.lower[p])[0]):
        return True
    n = v.next_tok(b - 1)
    if n is None:
        return False
    if v.words[n] == ",":
        # "Wahyu, warga X, mengatakan"
        k = n
        for _ in range(12):
            k = v.next_tok(k)
            if k is None:
                return False
            if v.words[k] == ",":
                k2 = v.next_tok(k)
                return k2 is not None and v.cls[k2] == "L" and (v.lower[k2] in pat.reporting_verbs or v.lower[k2].startswith(VERB_PREFIXES))
        return False
    lw = v.lower[n]
    return v.cls[n] == "L" and (lw in pat.reporting_verbs or lw.startswith(VERB_PREFIXES) or lw in pat.adverbs)


def _attribution_events(v: _View) -> list[_Speaker]:
    """Speakers of reported speech that is not a quote on its own ("Abdian, Koordinator …,
    juga menyampaikan harapan serupa", "Hal senada disampaikan X", "Menurut X, …")."""
    pat = v.pat
    out: list[_Speaker] = []
    for k in range(v.n):
        lw = v.lower[k]
        if v.kind[k] != "w" or v.in_quote[k]:
            continue
        lo = v.sentences[v.sent_of[k]][0]
        if lw in pat.reporting_verbs and v.words[k].islower() and k > lo:
            p = v.prev_tok(k)
            if p is not None and (v.lower[p] in pat.negators or v.lower[p] == "yang"):
                continue  # "…, Raja Pakubuwono V, yang menceritakan …" describes, does not report
            spk = _resolve_segments(v, _scan_backward(v, k, lo), backward=True)
        elif lw in pat.passive_reporting or lw in pat.introducers and not lw.endswith("nya"):
            j = v.next_tok(k)
            if j is not None and v.lower[j] == "oleh":
                j = v.next_tok(j)
            segs = _scan_forward(v, j, max_segments=2) if j is not None else []
            spk = _resolve_segments(v, segs) if segs and v.lower[segs[0][0]] not in pat.menurut_non_speakers else None
        else:
            continue
        if spk is not None and not spk.coref and spk.label == "PERSON":
            out.append(spk)
    return out


def _sentence_subjects(v: _View) -> list[tuple[int, int]]:
    """Capitalised names opening a sentence and followed by a verb ("Satori menolak …")."""
    out = []
    for s, e in v.sentences:
        toks = [k for k in range(s, e) if not v.is_space[k]]
        i = _lead_len(v, toks)
        j = i
        while j < len(toks) and j - i < 3 and v.cls[toks[j]] == "N":
            j += 1
        if j == i or j >= len(toks):
            continue
        a, b = toks[i], toks[j - 1] + 1
        if not all(v.proper(t) and not v.common(t) and not v.core[t].isupper() for t in range(a, b)):
            continue
        if all(v.placelike(t, a, b) for t in range(a, b)):
            continue
        if _subject_like(v, a, b):
            out.append((a, b))
    return out


def _mentions(v: _View, quotes: list[_Quote]) -> list[tuple[int, int, frozenset, int]]:
    """Candidate antecedents (start, end, name key, salience) in text order, outside direct
    quotes. Salience 2: a speaker (of a quote or of reported speech); 1: a subject; 0: other."""
    found: dict[tuple[int, int], tuple[frozenset, int]] = {}
    keys: list[frozenset] = []

    def add(a: int, b: int, level: int, key: frozenset | None = None, name: bool = True) -> None:
        key = key or _name_key(v, a, b)
        if not key or v.lower[a] in v.pat.plural_pronouns:
            return
        old = found.get((a, b))
        found[(a, b)] = (key, max(level, old[1] if old else 0))
        if name and v.cls[a] == "N":  # its words find the person's other mentions
            keys.append(frozenset(v.lower[k] for k in range(a, b)
                                  if v.cls[k] == "N" and len(v.core[k]) >= 3 and not v.core[k].isupper() and not v.common(k)))

    for e in v.ents:  # entities are candidates, but their words do not seed other mentions
        if e.label_ == "PERSON":
            sp = _entity_speaker(v, e)
            add(sp.start, sp.end, int(_subject_like(v, sp.start, sp.end)), name=False)
    for q in quotes:
        s = q.speaker
        if s is not None and not s.coref:
            key = _name_key(v, s.start, s.end) or frozenset(v.lower[k] for k in range(s.start, s.end) if not v.is_space[k])
            add(s.start, s.end, 2 if s.label == "PERSON" else 1, key, name=s.label == "PERSON")
    for s in _attribution_events(v):
        key = _name_key(v, s.start, s.end) or frozenset(v.lower[k] for k in range(s.start, s.end) if not v.is_space[k])
        add(s.start, s.end, 2, key, name=s.label == "PERSON" and v.cls[s.start] == "N")
    for a, b in _sentence_subjects(v):
        add(a, b, 1)
    # title + name anywhere ("Kepala Pusdalops BNPB Bambang Surya Putra menambahkan")
    i = 0
    while i < v.n:
        if v.cls[i] == "T" and v.kind[i] == "w" and v.core[i][0].isupper() and not v.in_quote[i]:
            segs = _scan_forward(v, i, max_segments=1, max_tokens=12)
            if segs:
                name = _name_in_segment(v, segs[0])
                if name is not None:
                    add(name[0], name[1], int(_subject_like(v, *name)))
                i = segs[0][-1] + 1
                continue
        i += 1
    # every other use of a known name word ("Kusnawan berharap")
    words = set().union(*keys) if keys else set()
    lowered = {}
    for c in v.cap_index:
        lowered.setdefault(c.lower(), []).append(c)
    taken = sorted(found)
    for w in words:
        for c in lowered.get(w, ()):
            for k in v.cap_index[c]:
                a, b = k, k + 1
                while b < v.n and v.cls[b] == "N" and v.lower[b] in words:
                    b += 1
                while a > 0 and v.cls[a - 1] == "N" and v.lower[a - 1] in words:
                    a -= 1
                t = bisect.bisect_right(taken, (a, v.n)) - 1
                if (t >= 0 and taken[t][0] <= a < taken[t][1]) or v.in_quote[a]:
                    continue
                if all(v.placelike(x, a, b) for x in range(a, b)):
                    continue
                add(a, b, int(_subject_like(v, a, b)), name=False)
    out = [(a, b, key, lvl) for (a, b), (key, lvl) in found.items() if not v.in_quote[a]]
    out.sort()
    return out


def _resolve_coreference(v: _View, quotes: list[_Quote], window: int) -> None:
    """-nya cues and pronouns: the most salient recent person; point at its nearest full mention."""
    if not any(q.needs_coref for q in quotes):
        return
    mentions = _mentions(v, quotes)
    starts = [m[0] for m in mentions]
    for q in quotes:
        if not q.needs_coref:
            continue
        anchor_tok = q.open_tok
        anchor = v.starts[anchor_tok]
        hi = bisect.bisect_left(starts, anchor_tok)
        cands = [m for m in mentions[:hi] if m[1] <= anchor_tok and v.starts[m[0]] >= anchor - window]
        if not cands:
            continue
        here = v.sent_of[anchor_tok]
        # salience against distance: a speaker two sentences back beats a subject one back
        chosen = max(reversed(cands), key=lambda m: SALIENCE_WEIGHT * m[3] - (here - v.sent_of[m[0]]))
        same = [m for m in cands if m[2] & chosen[2]] if chosen[2] else [chosen]
        # point at the person's nearest mention by full name, else the nearest mention
        full = [m for m in same if len(m[2]) >= 2]
        nearest = full[-1] if full else same[-1]
        e = v.ent_at.get(nearest[0])
        label = e.label_ if e is not None and e.start == nearest[0] else "PERSON"
        if e is None:
            for qq in quotes:
                if qq.speaker is not None and qq.speaker.start == chosen[0] and not qq.speaker.coref:
                    label = qq.speaker.label
        q.speaker = _Speaker(_with_rank(v, nearest[0]) if label == "PERSON" else nearest[0], nearest[1], label)
        q.how = "coref"


def _continuations(v: _View, quotes: list[_Quote]) -> None:
    """A cue-less direct quote right after another quote (nothing but the other quote's
    attribution in between) continues that quote's speaker."""
    prev: _Quote | None = None
    for q in quotes:
        if q.kind != "direct":
            continue
        if q.cue is None and q.speaker is None and prev is not None and prev.speaker is not None:
            gap_start = max(prev.close_tok, prev.cue[1] if prev.cue else 0, prev.speaker.end if prev.speaker.start > prev.open_tok else 0)
            gap = [k for k in range(gap_start, q.open_tok) if not v.is_space[k] and v.kind[k] != "p"]
            if len(gap) <= 4 and all(v.cls[k] in ("D", "O", "L", "N") for k in gap):
                q.speaker = _Speaker(prev.speaker.start, prev.speaker.end, prev.speaker.label)
                q.how = "continuation"
        prev = q


# ---- output


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
