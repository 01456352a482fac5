"""The Indonesian NER corpora the bundled model is trained and measured on, read and harmonised.

Corpora (files under a data root: $ANNOTATOR_NER_DATA, else ../shared/data beside the checkout,
else /work/shared/data; never edited, never shipped):

    nergrit   nergrit/{train,valid}.iob          Wikipedia; PERSON/ORGANISATION/PLACE
    idner     ner-extra/idner-news-2k/{train,dev,test}.txt   news; PER/ORG/LOC (token UPOS BIO)
    nerui     ner-extra/nerui/{train,dev,test}.01.tsv        news; PERSON/ORGANIZATION/LOCATION
    gsd       ner-extra/gsd-ner/ner-{train,test}.jsonl       web/Wikipedia; OntoNotes incl. DATE
    mdee      ner-extra/mdee/goldstandard-0811.txt           Wikipedia; Person/Organisation/Place (IO)

Splits: "train" trains, "dev" chooses (early stopping, variants, rule on/off), "heldout" is
scored once and never used for a choice. NERGrit valid, idner-news-2k test, NER UI test.01 and
GSD-NER's test file are the held-out splits. NERGrit and GSD-NER have no dev file: a fixed
part of their training file (every 10th sentence) is their dev split. MDEE gold only trains.

Harmonisation to sample_corpus/GUIDELINES.md (`harmonise`), in code:
  - tokens the project tokenizer would split are split ("(SBY)" -> "( SBY )"), and brackets,
    commas and quote marks at an entity's edges are outside it;
  - labels -> PERSON/ORG/LOC/DATE; GSD-NER's GPE -> LOC; FAC and NORP are unknown ("-":
    missing, neither entity nor O, so the model is not taught they are O), and so is LANGUAGE
    ("bahasa Yunani": a country name used as a modifier is LOC in our guidelines, "bahasa Latin"
    has none; GSD-NER dev: 2 places of our gazetteer inside one); other OntoNotes
    types (CARDINAL, PRODUCT, EVENT, TIME, ...) are O, as in our guidelines;
  - administrative place prefixes (Kabupaten, Kota, Provinsi, Kecamatan, Desa, Kelurahan, Distrik)
    are inside the LOC when capitalised ("[Kabupaten Bogor]", also where the corpus leaves them
    out, as GSD-NER and NER UI mostly do) and outside it in lower case ("kabupaten [Bogor]"),
    except the end of a title ("Wali Kota [Bogor]"): GUIDELINES.md section 8;
  - a leading title ("Presiden", "Menteri", from resources/patterns/titles.txt) is outside PERSON;
  - a parenthesised alias is its own span, brackets excluded ("[Partai Persatuan Pembangunan]
    ([PPP])"; idner-news-2k keeps it inside one span);
  - names joined by a hyphen are two PERSONs ("[Jokowi] - [Kalla]"; idner-news-2k and NER UI keep
    a candidate pair in one span: 6 + 1 of their dev spans), PAIRS_IN_ONE_SPAN;
  - "PT" right before an ORG is inside it ("PT Pertamina"), as in NER UI;
  - hospitals, universities, health centres and laboratories are ORG, not LOC (`is_org_type`);
  - regional governments and state bodies directly followed by their area are one ORG ("Pemkot
    Surabaya", "Polda Jabar"; NER UI: "Pemkot [Surabaya]", "[Polda] [Jabar]"), `join_area`;
  - a unit word right before a DATE is inside it ("tahun 1990", "tanggal 16 Mei 2012", "hari
    Senin"), as our date patterns and guidelines have it (GSD-NER leaves it out);
  - corpora without DATE gold (all but GSD-NER) get the tokens our date patterns match marked
    unknown, so they do not teach that dates are O; GSD-NER, which leaves durations O ("tiga
    tahun", DATE in our guidelines), gets the durations our patterns match marked unknown;
  - in idner-news-2k, which leaves countries acting or used as modifiers unannotated ("militer
    Israel"; LOC in our guidelines), a place of our gazetteer tagged O is unknown (PLACES_UNKNOWN).
Training sentences whose normalised text (lower case, letters and digits only) occurs in any
dev or held-out split of any corpus are dropped (`training_sentences`).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from annotator.resources import RESOURCES_DIR

def _default_root() -> Path:
    """$ANNOTATOR_NER_DATA, else ../shared/data beside the checkout, else /work/shared/data."""
    if os.environ.get("ANNOTATOR_NER_DATA"):
        return Path(os.environ["ANNOTATOR_NER_DATA"])
    beside = Path(__file__).resolve().parents[3] / "shared" / "data"
    return beside if beside.is_dir() else Path("/work/shared/data")


DATA_ROOT = _default_root()
MISSING = "-"  # a token whose entity status is unknown (spaCy's missing annotation)
LABELS = ("PERSON", "ORG", "LOC", "DATE")

#: each corpus's entity types -> project labels; MISSING marks unknown; absent types become O.
LABEL_MAPS: Mapping[str, Mapping[str, str]] = {
    "nergrit": {"PERSON": "PERSON", "ORGANISATION": "ORG", "PLACE": "LOC"},
    "idner": {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"},
    "nerui": {"PERSON": "PERSON", "ORGANIZATION": "ORG", "LOCATION": "LOC"},
    "gsd": {"PERSON": "PERSON", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "DATE": "DATE",
            "FAC": MISSING, "NORP": MISSING, "LANGUAGE": MISSING},
    "mdee": {"Person": "PERSON", "Organisation": "ORG", "Place": "LOC"},
}
#: which project labels each corpus annotates (scores count these labels only).
CORPUS_LABELS: Mapping[str, tuple[str, ...]] = {
    "nergrit": ("PERSON", "ORG", "LOC"), "idner": ("PERSON", "ORG", "LOC"), "nerui": ("PERSON", "ORG", "LOC"),
    "gsd": ("PERSON", "ORG", "LOC", "DATE"), "mdee": ("PERSON", "ORG", "LOC"),
}
CORPUS_NAMES: Mapping[str, str] = {
    "nergrit": "NERGrit", "idner": "idner-news-2k", "nerui": "NER UI", "gsd": "GSD-NER", "mdee": "MDEE gold",
}
#: administrative place prefixes: inside the LOC when capitalised ("Kota Bekasi"), a descriptor
#: outside it when lower case ("kota [Bekasi]"), sample_corpus/GUIDELINES.md section 8.
PLACE_PREFIXES = {"kabupaten", "kab", "kota", "provinsi", "prov", "kecamatan", "kec", "desa", "kelurahan",
                  "kotamadya", "distrik"}
# Corpora that leave many countries and cities unannotated (idner-news-2k: 40% of our gazetteer's
# places are O there, mostly countries acting or used as modifiers, "militer Israel", "dolar AS",
# which our guidelines make LOC; other corpora under 10%): there a gazetteer place tagged O is unknown.
PLACES_UNKNOWN = {"idner"}
# News corpora that keep a pair of names joined by a hyphen in one PERSON ("Jokowi - Kalla", the
# candidate pairs of an election); our guidelines make them two (`_split_pair`). In Wikipedia text
# (NERGrit, GSD-NER) a hyphen mostly joins one person's names ("Jean - Marie", "Zeta - Jones").
PAIRS_IN_ONE_SPAN = {"idner", "nerui"}
# State bodies with regional branches: followed directly by their area they are one ORG
# ("Polda Papua", "KPU Kota Metro", "Dinas Kesehatan Kota Tegal"); GUIDELINES.md section 8.
BRANCH_HEADS = {
    "polda", "polres", "polresta", "polrestabes", "polsek", "kodam", "kodim", "korem", "lanud", "lantamal",
    "brimob", "kpu", "kpud", "bawaslu", "panwaslu", "dprd", "bps", "pmi", "kejari", "kejati", "kejaksaan",
    "pengadilan", "dinas", "disdik", "dinkes", "dishub", "bpbd", "satgas", "satpol", "bappeda", "bapenda",
    "kanwil", "balai", "badan", "gugus", "satuan", "puskesmas", "pemkot", "pemkab", "pemprov", "pemda",
}
# Units followed directly by their parent organisation are one ORG ("Unit Transfusi Darah PMI").
UNIT_HEADS = {"unit", "fakultas", "direktorat", "subdirektorat", "biro", "laboratorium"}
# One-word state bodies and regional governments: capitalised, with the place after them one ORG
# even where nothing tagged the body ("Polres [Yahukimo]" -> "[Polres Yahukimo]", "Pemkot Bekasi").
BRANCH_BODIES = {
    "Polda", "Polres", "Polresta", "Polrestabes", "Polsek", "Kodam", "Kodim", "Korem", "Lanud", "Lantamal",
    "KPU", "KPUD", "Bawaslu", "Panwaslu", "DPRD", "BPS", "PMI", "Kejari", "Kejati", "BPBD", "Puskesmas",
    "Disdik", "Dinkes", "Dishub", "Bappeda", "Bapenda", "Kanwil", "Pemkot", "Pemkab", "Pemprov", "Pemda",
}
# Hospitals, universities, health centres and laboratories are ORG, not LOC (GUIDELINES.md 8).
ORG_TYPE_HEADS = {"rsud", "rsup", "rsu", "rsia", "rs", "puskesmas", "laboratorium", "labkesda", "universitas",
                  "politeknik", "institut", "akademi", "balai", "klinik"}
DATE_UNITS = {"tahun", "bulan", "tanggal", "hari"}
DURATION_PATTERNS = ("duration", "ctx_duration")  # ids in resources/patterns/dates.jsonl  # "tahun 1990", "hari Senin": the unit is inside DATE
DEV_EVERY = 10  # NERGrit and GSD-NER: every 10th training sentence is dev

Sentence = tuple[list[str], list[str]]  # words, BIO tags in project labels (or MISSING)


@dataclass(frozen=True)
class Split:
    corpus: str  # key of LABEL_MAPS
    split: str  # "train" | "dev" | "heldout"
    name: str  # the file's own name for it ("valid", "test.01", ...)
    sentences: list


# ------------------------------------------------------------------------------------ readers

def read_columns(path: str | Path) -> list[tuple[list[str], list[str]]]:
    """Token-per-line files (`token<TAB>tag`, or space-separated with the tag last); a blank line
    ends a sentence. Raw tags, unmapped. A line without a tag raises ValueError naming file:line."""
    path = Path(path)
    sentences, words, tags = [], [], []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            line = line.rstrip()  # MDEE has stray trailing tabs and spaces
            if not line.strip():
                if words:
                    sentences.append((words, tags))
                    words, tags = [], []
                continue
            parts = line.split("\t") if "\t" in line else line.split()
            parts = [p.strip() for p in parts]
            if len(parts) < 2 or not parts[0] or not parts[-1]:
                raise ValueError(f"{path}:{line_no}: expected a token and a tag: {line!r}")
            words.append(parts[0])
            tags.append(parts[-1])
    if words:
        sentences.append((words, tags))
    return sentences


def read_io_sentences(path: str | Path) -> list[tuple[list[str], list[str]]]:
    """Stanford-NER IO files (MDEE gold: `token<TAB>Label`, no B-/I-): adjacent tokens with the
    same label are one entity; sentences end at a blank line or a "." token. Tags come back BIO."""
    out = []
    for words, labels in read_columns(path):
        start = 0
        for i, word in enumerate(words):
            if word == "." or i == len(words) - 1:
                chunk_w, chunk_l = words[start:i + 1], labels[start:i + 1]
                tags, prev = [], "O"
                for label in chunk_l:
                    tags.append("O" if label == "O" else ("I-" if label == prev else "B-") + label)
                    prev = label
                out.append((chunk_w, tags))
                start = i + 1
    return out


def read_spacy_jsonl(path: str | Path) -> list[tuple[list[str], list[str]]]:
    """spaCy v2 training JSONL (`[text, {"entities": [[start, end, LABEL]]}]`), tokenised with the
    project tokenizer; an entity not on token boundaries is widened to them. Raw labels, BIO."""
    from annotator.nlp.tokenizer import blank_nlp

    path = Path(path)
    nlp = blank_nlp()
    out = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                text, annotation = json.loads(line)
                entities = annotation["entities"]
            except (ValueError, TypeError, KeyError) as err:
                raise ValueError(f"{path}:{line_no}: expected [text, {{\"entities\": [...]}}]: {err}") from None
            doc = nlp.make_doc(text)
            tags = ["O"] * len(doc)
            for start, end, label in sorted(entities):
                span = doc.char_span(start, end, alignment_mode="expand")
                if span is None or any(tags[i] != "O" for i in range(span.start, span.end)):
                    continue
                tags[span.start] = "B-" + label
                for i in range(span.start + 1, span.end):
                    tags[i] = "I-" + label
            keep = [i for i, t in enumerate(doc) if not t.is_space]
            out.append(([doc[i].text for i in keep], [tags[i] for i in keep]))
    return out


# ------------------------------------------------------------------------------------ harmonising

def decode(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end exclusive, label) of the entities in BIO tags; MISSING tokens end an entity."""
    spans, start, label = [], None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, _, typ = tag.partition("-") if tag != MISSING else ("", "", "")
        if start is not None and not (prefix == "I" and typ == label):
            spans.append((start, i, label))
            start = None
        if prefix in ("B", "I") and typ and start is None:
            start, label = i, typ
    return spans


def encode(n: int, spans: Iterable[tuple[int, int, str]], missing: Iterable[int] = ()) -> list[str]:
    """BIO tags of length n; `missing` token indices get MISSING unless an entity covers them."""
    tags = ["O"] * n
    for i in missing:
        tags[i] = MISSING
    for start, end, label in spans:
        tags[start] = "B-" + label
        for i in range(start + 1, end):
            tags[i] = "I-" + label
    return tags


def map_labels(tags: Sequence[str], label_map: Mapping[str, str]) -> list[str]:
    """Raw BIO tags -> project labels; MISSING-mapped entities become MISSING tokens."""
    spans, missing = [], []
    for start, end, label in decode(tags):
        target = label_map.get(label)
        if target == MISSING:
            missing.extend(range(start, end))
        elif target is not None:
            spans.append((start, end, target))
    return encode(len(tags), spans, missing)


@lru_cache(maxsize=1)
def _titles() -> frozenset[str]:
    from annotator.nlp.entities import read_titles

    return frozenset(read_titles(RESOURCES_DIR / "patterns" / "titles.txt"))


@lru_cache(maxsize=1)
def _single_titles() -> frozenset[str]:
    return frozenset(t for t in _titles() if " " not in t)


@lru_cache(maxsize=1)
def _date_matcher():
    from spacy.matcher import Matcher

    from annotator.nlp.entities import read_patterns
    from annotator.nlp.tokenizer import blank_nlp

    matcher = Matcher(blank_nlp().vocab)
    for row in read_patterns(RESOURCES_DIR / "patterns" / "dates.jsonl"):
        if isinstance(row["pattern"], list):
            matcher.add(row.get("id") or "DATE", [row["pattern"]])
    return matcher


@lru_cache(maxsize=1)
def _place_matcher():
    from spacy.matcher import PhraseMatcher

    from annotator.nlp.entities import read_patterns
    from annotator.nlp.tokenizer import blank_nlp

    nlp = blank_nlp()
    matcher = PhraseMatcher(nlp.vocab)
    places = [row["pattern"] for row in read_patterns(RESOURCES_DIR / "patterns" / "gazetteer.jsonl")
              if row["label"] == "LOC" and isinstance(row["pattern"], str)]
    matcher.add("LOC", [nlp.make_doc(p) for p in places])
    return matcher


def place_candidates(words: Sequence[str]) -> set[int]:
    """Token indices of the places of our gazetteer (resources/patterns/gazetteer.jsonl)."""
    from spacy.tokens import Doc

    from annotator.nlp.tokenizer import blank_nlp

    doc = Doc(blank_nlp().vocab, words=list(words))
    return {i for _, s, e in _place_matcher()(doc) for i in range(s, e)}


def is_place_prefix(words: Sequence[str], i: int) -> bool:
    """words[i] is a capitalised place prefix that is not the end of a title or of "Ibu Kota"
    ("Kota" but not "Wali Kota", "Kepala Desa", "Ibu Kota")."""
    if i < 0 or not words[i][:1].isupper() or words[i].lower().rstrip(".") not in PLACE_PREFIXES:
        return False
    before = words[i - 1].lower() if i > 0 else ""
    return before != "ibu" and f"{before} {words[i].lower()}" not in _titles()


def is_org_type(words: Sequence[str]) -> bool:
    """A name that starts like a hospital, university, health centre or laboratory (ORG_TYPE_HEADS,
    "Rumah Sakit …")."""
    return bool(words) and (words[0].lower() in ORG_TYPE_HEADS or [w.lower() for w in words[:2]] == ["rumah", "sakit"])


def join_area(words: Sequence[str], spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Regional governments and state bodies with their area as one ORG (GUIDELINES.md section 8):
    "Pemkot [Bekasi]", "Polres [Yahukimo]" and "Pemerintah [Kota Bekasi]" -> "[Pemkot Bekasi]",
    "[Polres Yahukimo]", "[Pemerintah Kota Bekasi]" (BRANCH_BODIES); "[Polda] [Papua]" -> "[Polda
    Papua]" and "[Unit Transfusi Darah PMI] [DKI Jakarta]" -> one ORG (a word in BRANCH_HEADS);
    "[Unit Transfusi Darah] [PMI]" -> one ORG (UNIT_HEADS). Spans are (start, end, label), sorted,
    not overlapping."""
    out: list[tuple[int, int, str]] = []
    for start, end, label in spans:
        taken_before = bool(out) and out[-1][1] == start
        if label == "LOC" and not taken_before and start > 0 and (
            words[start - 1] in BRANCH_BODIES
            or (words[start - 1] == "Pemerintah" and words[start].lower() in ("kota", "kabupaten", "provinsi"))
        ):
            out.append((start - 1, end, "ORG"))
            continue
        if taken_before and out[-1][2] == "ORG" and (
            (label == "LOC" and any(w.lower() in BRANCH_HEADS for w in words[out[-1][0]:out[-1][1]]))
            or (label == "ORG" and words[out[-1][0]].lower() in UNIT_HEADS)
        ):
            out[-1] = (out[-1][0], end, "ORG")
            continue
        out.append((start, end, label))
    return out


def date_candidates(words: Sequence[str], kinds: Iterable[str] | None = None) -> set[int]:
    """Token indices our date patterns match (the token patterns of resources/patterns/dates.jsonl;
    only those whose id is in `kinds`, if given), without a pattern's context word."""
    from spacy.tokens import Doc

    from annotator.nlp.tokenizer import blank_nlp

    from annotator.nlp.entities import DATE_CONTEXT_PREFIX

    doc = Doc(blank_nlp().vocab, words=list(words))
    vocab = doc.vocab.strings
    return {i for key, s, e in _date_matcher()(doc) if kinds is None or vocab[key] in kinds
            for i in range(s + vocab[key].startswith(DATE_CONTEXT_PREFIX), e)}


def harmonise(words: Sequence[str], tags: Sequence[str], *, has_dates: bool, places_unknown: bool = False,
              split_pairs: bool = False) -> list[str]:
    """Project-label BIO tags brought to our guidelines (see the module docstring)."""
    titles = _single_titles()
    missing = {i for i, t in enumerate(tags) if t == MISSING}
    spans = []
    for start, end, label in decode(tags):
        start, end = _trim_punct(words, start, end)
        if start == end:
            continue
        if label == "LOC" and is_org_type(words[start:end]):  # idner-news-2k: "[Rumah Sakit Pusat Pertamina]" LOC
            label = "ORG"
        if label == "LOC":
            while end - start > 1 and words[start].lower().rstrip(".") in PLACE_PREFIXES and words[start][:1].islower():
                start += 1
            if is_place_prefix(words, start - 1) and tags[start - 1] == "O":
                start -= 1
        elif label == "PERSON":
            while end - start > 1 and ({words[start].lower(), words[start].lower().rstrip(".") + "."} & titles
                                       or words[start].lower().rstrip(".") in titles):
                start += 1
        elif label == "ORG" and start > 0 and words[start - 1] == "PT" and tags[start - 1] == "O":
            start -= 1
        elif label == "DATE" and start > 0 and words[start - 1].lower() in DATE_UNITS and tags[start - 1] == "O":
            start -= 1
        for a, b, lab in _split_alias(words, start, end, label):
            spans.extend(_split_pair(words, a, b) if lab == "PERSON" and split_pairs else [(a, b, lab)])
    spans = join_area(words, sorted(spans))
    taken = {i for s, e, _ in spans for i in range(s, e)}
    if not has_dates:
        missing |= date_candidates(words) - taken
    else:  # GSD-NER leaves durations O; in our guidelines they are DATE
        missing |= date_candidates(words, DURATION_PATTERNS) - taken
    if places_unknown:
        missing |= place_candidates(words) - taken
    return encode(len(words), spans, missing)


def _split_alias(words: Sequence[str], start: int, end: int, label: str) -> list[tuple[int, int, str]]:
    """"Partai Persatuan Pembangunan (PPP)" -> "Partai Persatuan Pembangunan", "PPP": a
    parenthesised alias is its own span, brackets excluded (our guidelines; idner-news-2k keeps
    it inside). Only when the part in brackets is capitalised ("PT Pertamina (Persero)" stays)."""
    if end - start >= 4 and words[end - 1] == ")" and "(" in words[start:end - 1]:
        k = max(i for i in range(start, end - 1) if words[i] == "(")
        inner = words[k + 1:end - 1]
        if k > start and inner and all(w[:1].isupper() or w[:1].isdigit() for w in inner) and any(
                w.isupper() for w in inner):
            return [(start, k, label), (k + 1, end - 1, label)]
    return [(start, end, label)]


def _split_pair(words: Sequence[str], start: int, end: int) -> list[tuple[int, int, str]]:
    """"Jokowi - Kalla" -> "Jokowi", "Kalla": names joined by a hyphen are two PERSONs (our
    guidelines, section 8; the news corpora keep a candidate pair in one span), as the pipeline's
    `EntityMerger._split_hyphenated` has it: a name particle before the hyphen stays ("Al-Farabi"),
    and so does a double surname after a given name ("Grace Judio - Kahl")."""
    cuts = [i for i in range(start + 1, end - 1) if words[i] == "-" and len(words[i - 1]) > 3 and words[i + 1][:1].isupper()
            and not (i - start >= 2 and (i + 2 == end or words[i + 2] == "-"))]
    bounds = [start] + [b for i in cuts for b in (i, i + 1)] + [end]
    return [(bounds[n], bounds[n + 1], "PERSON") for n in range(0, len(bounds), 2)]


def normalise(words: Sequence[str]) -> str:
    """The sentence's text for de-duplication: lower case, letters and digits only."""
    return re.sub(r"[\W_]+", "", "".join(words).lower())


# ------------------------------------------------------------------------------------ corpora

_PUNCT_INSIDE = re.compile(r"\w[^\w\s]|[^\w\s]\w")


def retokenise(words: Sequence[str], tags: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split tokens the project tokenizer splits ("(SBY)" -> "(", "SBY", ")", as idner-news-2k
    glues brackets and commas to words); the pieces inherit the tag (B- on the first piece only)."""
    from annotator.nlp.tokenizer import blank_nlp

    out_w, out_t = [], []
    for word, tag in zip(words, tags):
        pieces = [t.text for t in blank_nlp().make_doc(word) if not t.is_space] if _PUNCT_INSIDE.search(word) else [word]
        inside = "I" + tag[1:] if tag.startswith("B-") else tag
        out_w.extend(pieces or [word])
        out_t.extend([tag] + [inside] * (len(pieces) - 1) if pieces else [tag])
    return out_w, out_t


def _trim_punct(words: Sequence[str], start: int, end: int) -> tuple[int, int]:
    """The span without brackets, commas and quote marks at its edges."""
    def punct(w: str) -> bool:
        return not any(ch.isalnum() for ch in w)

    while start < end and punct(words[start]):
        start += 1
    while end > start and punct(words[end - 1]) and not (words[end - 1] == ")" and "(" in words[start:end - 1]):
        end -= 1
    return start, end


def _prepared(corpus: str, raw: list[tuple[list[str], list[str]]]) -> list[Sentence]:
    has_dates = "DATE" in CORPUS_LABELS[corpus]
    label_map = LABEL_MAPS[corpus]
    places_unknown = corpus in PLACES_UNKNOWN
    out = []
    for words, tags in raw:
        if words:
            words, tags = retokenise(words, map_labels(tags, label_map))
            out.append((words, harmonise(words, tags, has_dates=has_dates, places_unknown=places_unknown,
                                         split_pairs=corpus in PAIRS_IN_ONE_SPAN)))
    return out


def _every(sentences: list, keep_dev: bool) -> list:
    return [s for i, s in enumerate(sentences) if (i % DEV_EVERY == DEV_EVERY - 1) == keep_dev]


def load_splits(root: str | Path | None = None, corpora: Sequence[str] | None = None) -> list[Split]:
    """Every split of the corpora found under `root` (a missing corpus is skipped), harmonised."""
    root = Path(root or DATA_ROOT)
    extra = root / "ner-extra"
    wanted = set(corpora or LABEL_MAPS)
    out: list[Split] = []

    def add(corpus, split, name, raw):
        out.append(Split(corpus, split, name, _prepared(corpus, raw)))

    if "nergrit" in wanted and (root / "nergrit" / "train.iob").is_file():
        train = read_columns(root / "nergrit" / "train.iob")
        add("nergrit", "train", "train (9/10)", _every(train, False))
        add("nergrit", "dev", "train (1/10)", _every(train, True))
        if (root / "nergrit" / "valid.iob").is_file():
            add("nergrit", "heldout", "valid", read_columns(root / "nergrit" / "valid.iob"))
        if (root / "nergrit" / "test.iob").is_file():
            add("nergrit", "heldout", "test", read_columns(root / "nergrit" / "test.iob"))
    folder = extra / "idner-news-2k"
    if "idner" in wanted and folder.is_dir():
        for name, split in (("train", "train"), ("dev", "dev"), ("test", "heldout")):
            add("idner", split, name, read_columns(folder / f"{name}.txt"))
    folder = extra / "nerui"
    if "nerui" in wanted and folder.is_dir():
        for name, split in (("train.01", "train"), ("dev.01", "dev"), ("test.01", "heldout")):
            add("nerui", split, name, read_columns(folder / f"{name}.tsv"))
    folder = extra / "gsd-ner"
    if "gsd" in wanted and folder.is_dir():
        train = read_spacy_jsonl(folder / "ner-train.jsonl")
        add("gsd", "train", "ner-train (9/10)", _every(train, False))
        add("gsd", "dev", "ner-train (1/10)", _every(train, True))
        add("gsd", "heldout", "ner-test", read_spacy_jsonl(folder / "ner-test.jsonl"))
    path = extra / "mdee" / "goldstandard-0811.txt"
    if "mdee" in wanted and path.is_file():
        add("mdee", "train", "goldstandard-0811", read_io_sentences(path))
    return out


def training_sentences(splits: Sequence[Split], weights: Mapping[str, int] | None = None
                       ) -> tuple[list[Sentence], int]:
    """All train sentences minus those whose normalised text is in any dev or held-out split,
    each corpus's repeated `weights[corpus]` times (default 1); returns (sentences, number dropped)."""
    blocked = {normalise(w) for s in splits if s.split != "train" for w, _ in s.sentences}
    kept, dropped = [], 0
    for s in splits:
        if s.split == "train":
            for sentence in s.sentences:
                if normalise(sentence[0]) in blocked:
                    dropped += 1
                else:
                    kept.extend([sentence] * (weights or {}).get(s.corpus, 1))
    return kept, dropped


def dev_sentences(splits: Sequence[Split]) -> list[Sentence]:
    """The dev sentences of every corpus (early stopping scores on all of them together)."""
    return [sentence for s in splits if s.split == "dev" for sentence in s.sentences]


# ------------------------------------------------------------------------------------ scoring

_NO_SPACE_BEFORE = set(".,;:!?)]}%”’»")
_NO_SPACE_AFTER = set("([{“‘«")


def spaces_after(words: Sequence[str]) -> list[bool]:
    """Plausible trailing-space flags so the joined tokens read like news text."""
    return [i + 1 < len(words) and words[i + 1] not in _NO_SPACE_BEFORE and word not in _NO_SPACE_AFTER
            for i, word in enumerate(words)]


def sentence_text(words: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """The sentence as text (see spaces_after) and each word's (start, end) in it."""
    parts, offsets, pos = [], [], 0
    for word, space in zip(words, spaces_after(words)):
        offsets.append((pos, pos + len(word)))
        parts.append(word + (" " if space else ""))
        pos += len(word) + (1 if space else 0)
    return "".join(parts), offsets


def score(nlp, sentences: Sequence[Sentence], labels: Sequence[str], batch_size: int = 64) -> dict:
    """Exact-span entity P/R/F1 of `nlp` run on the sentences' text (its own tokenizer and every
    component, as a user's text would be), per label and "ALL", counting only `labels`.

    A prediction touching a MISSING (unknown) token is not counted; gold spans are character
    spans of the sentence text. Returns {label: {"p", "r", "f1", "n_gold", "n_pred", "tp"}}.
    """
    counts = {label: [0, 0, 0] for label in labels}  # tp, n_gold, n_pred
    texts, golds, unknown = [], [], []
    for words, tags in sentences:
        text, offsets = sentence_text(words)
        texts.append(text)
        golds.append({(offsets[s][0], offsets[e - 1][1], lab) for s, e, lab in decode(tags) if lab in labels})
        unknown.append([offsets[i] for i, t in enumerate(tags) if t == MISSING])
    for doc, gold, holes in zip(nlp.pipe(texts, batch_size=batch_size), golds, unknown):
        pred = {(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in labels
                and not any(a < e.end_char and e.start_char < b for a, b in holes)}
        for label in labels:
            g = {x for x in gold if x[2] == label}
            p = {x for x in pred if x[2] == label}
            counts[label][0] += len(g & p)
            counts[label][1] += len(g)
            counts[label][2] += len(p)
    counts["ALL"] = [sum(c[k] for c in counts.values()) for k in range(3)]
    return {label: _prf(*c) for label, c in counts.items()}


def _prf(tp: int, n_gold: int, n_pred: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "n_gold": n_gold, "n_pred": n_pred, "tp": tp}
