"""Entity suggestions for Indonesian news: the statistical NER plus rules that fix what it misses.

Pipeline order (all components are added by `add_entity_components`):

    ner (optional)       statistical model; its doc.ents are the model candidates
    entity_gazetteer     SpanRuler over resources/patterns/gazetteer.jsonl -> doc.spans["gazetteer"]
    entity_dates         SpanRuler over resources/patterns/dates.jsonl     -> doc.spans["dates"]
    entity_titles        titles (resources/patterns/titles.txt) and the names after them
                         -> doc.spans["titles"], doc.spans["title_names"]
    entity_merge         the final, non-overlapping doc.ents; span._.source is "model" or "rule"

Precedence in entity_merge (rules beat the model, except where the model is more specific):
  1. Gazetteer names and dates; where they overlap the longer wins. A gazetteer name that is also a
     common word is none where it opens a sentence before a function word ("Antara yang …"); a
     gazetteer ORG named after its building is the place after "di"/"ke"/"dari" ("ke [Istana
     Merdeka]" LOC). An institution such as
     "Kementerian Luar Negeri" followed by a gazetteer place becomes one ORG
     ("Kementerian Luar Negeri Rusia"); adjacent dates join ("Selasa (5/11/2024) kemarin").
  2. Names that end the chain after a title ("Menteri Luar Negeri AS Antony Blinken" -> "Antony
     Blinken"; "Kepala Badan Penanggulangan Bencana … Kota Surabaya Irvan Widyatno" -> "Irvan
     Widyatno"). The name starts after the chain's last gazetteer name, institution word or
     derived common word (resources/patterns/not_name_words.txt); a gazetteer person's name
     inside it is part of it ("Inspektur Jenderal Raden Prabowo Argo Yuwono").
     A title after "para", "sejumlah", "seluruh" … is a group's: no name follows it ("para Hakim
     Konstitusi"); where the model found nothing, a name followed by "dan" and a capitalised word
     that is no title is half of a portfolio ("Menteri Tenaga Kerja dan Transmigrasi"), unless
     an honorific precedes it ("Dr. Rini Kusuma dan Dekan …"). A one-word title right after a
     given name, not opening a sentence, is a surname, no title ("Menteri Agama Lukman Hakim
     Saifuddin", "warga, Arief Hakim,"; `TitleFinder._surname`).
  3. Model spans. A model ORG/LOC made of one gazetteer name plus up to three capitalised words
     of its own ("Universitas Nasional Seoul", "PSMS Medan", "Persib Bandung", "Ukraina Timur";
     six for an institution, a school or a company: "Sekolah Menengah Atas Negeri 14 Jakarta",
     "China Huadian Engineering Corporation Ltd"; not verbs of a title-case headline) is kept
     whole and beats the gazetteer, and so is a model LOC of a building word and gazetteer names
     ("Gedung DPR-RI"; GUIDELINES section 8: buildings are LOC). Otherwise the tokens a rule claimed, and title words, are cut out of the model
     span: ORG/LOC remainders are dropped, PERSON remainders are kept if they still start and
     end with a capitalised word ("Presiden Joko Widodo" -> "Joko Widodo"). Model pieces made
     only of capitalised stop words ("Ada", "Setiap") are dropped, and so is a model PERSON of a
     derived common word or verb plus one capitalised word written nowhere else ("Pemenang
     Nobel", "Bertemu Langsung").
  4. Person evidence in the context (`_person_context`, family person_context): a model LOC/ORG
     of name words right after an honorific or kinship noun (resources/patterns/person_honorifics.txt:
     "dr [Debie Kalalo]", "Pangeran [Diponegoro]", "istri [Rina]"; not inside "Rumah Sakit Umum Daerah dr Soeselo") or a model LOC that speaks (a
     reporting verb of a quote cue after it, a cue before it: "[Andi Putra], mengatakan", "kata
     [Andi Putra]"; not after a place word), or a model LOC/ORG described as one person ("[Andi],
     seorang bidan, …") is PERSON; a one-word model PERSON opening a
     sentence before a demonstrative or a noun in -an, written nowhere else, is a common noun
     ("Pola ini …", "Riwayat pinjaman …") and dropped; the hyphen-joined names of a
     candidate pair after "pasangan" are two PERSONs ("pasangan calon nomor urut 1, [Andi
     Putra]-[Budi Santoso]"). Then a PERSON span's leading words that the text also writes after
     the same word without the rest of the name are cut off: they end the organisation or place
     before it ("Taman Margasatwa Ragunan Ketut Widarsono" beside "Taman Margasatwa Ragunan (TMR)" -> "Ketut Widarsono").
     Then a person's later short mentions ("Piter menilai"; not before the full name: "Suku
     pertama … Suku Kaili") are PERSON, unless the text also
     writes the word in lower case ("Simada Manik" … "pemilik manik"). After a title, one word
     that is an initial ("S.") or is followed by a number ("Subter 12") is no name; a model
     PERSON keeps a regnal number ("Benediktus XVI") and the words of a name written in capitals.
  5. Section 8 of sample_corpus/GUIDELINES.md on the result (`_attach`): "Kota Bekasi" (a
     capitalised place prefix inside the LOC), "Pemerintah Kota Bekasi", "Polres Yahukimo",
     "Dinas Kesehatan Kabupaten Tegal", "Unit Transfusi Darah PMI DKI Jakarta" (state bodies and
     units with their area or parent: one ORG), "PT Jasa Marga (Persero) Tbk", hospitals and
     universities ORG, initials before an age ("W (40)") and their mentions PERSON, a name before
     an age ("Yani (40), agen tiket …") PERSON, "[Didimus]-
     [Esau]"; one-word names at a sentence start that the text also writes in lower case
     ("Donor darah …") and common-noun acronyms (resources/patterns/not_entities.txt: "PSBB") are
     dropped.
  5b. Institutions (`_org_chains`): a capitalised head of an official name (resources/patterns/
     org_heads.txt: "Badan", "Gugus Tugas", "Rumah Sakit", "Puskesmas", "Polres", "PT", "Center";
     "Pusat", "Tim" and the English heads not after a capitalised word: "Kantor Pusat") and its
     capitalised chain are one ORG, over the spans inside it, "Covid-19", a number between words,
     "dr" and a hospital's namesake, "of"/"on"/"and" in English names and "dan" before a derived
     common word ("Badan Penanggulangan Bencana dan Perlindungan Masyarakat Kota Surabaya", "RSUD
     dr Soeselo", "Polres Kupang Kota", "Center of Reform on Economics", "PT X (Persero) Tbk",
     "Badan Pengatur Hilir Minyak dan Gas Bumi");
     after a title the holder's name stays out. Before that, an ORG joining two institutions with
     "serta" (or "dan" before a head) is two ("[Kementerian Kesehatan] serta [Organisasi Kesehatan
     Dunia]"); a descriptor is cut off ("Mako [Brimob Kupang]"); a section after a title belongs
     to the title ("Kepala Departemen Ekonomi [CSIS]"); a university's city is a LOC of its own
     ("[Universitas Yapis] [Jayapura]"); a national organisation ("… Indonesia", or its initials)
     takes a province after it (resources/patterns/provinces.txt: "[IDI Jatim]"); "Covid-19" and
     a bare "Kementerian" are no entity.
     Companies (`_company_cues`): a one-word name after a cue (resources/patterns/
     company_cues.txt: "vaksin [AstraZeneca]", "bus [Transjakarta]", "[Grup Alibaba]") is ORG
     there and at its other mentions, also before a programme ("[Alibaba] Netpreneur Training",
     not "Alibaba Business School").
  6. The whole article: a parenthesised abbreviation is the entity before it at every mention, or
     no entity after a lower-case phrase or a document ("Taruna Siaga Bencana (Tagana)"; "surat izin
     keluar masuk (SIKM)"); a gazetteer name keeps its label ("… Asia Tenggara (ASEAN)": ORG);
     initials after "berinisial" are PERSON; one label per name (the most
     evidence: rule spans, "di" before a place, the majority), given to its unlabelled repeats.
Title words are never part of any entity (sample_corpus/GUIDELINES.md).
All spans are on token boundaries, never start or end on whitespace, punctuation or a symbol such
as an emoji (a closing bracket whose opening one is inside stays), never cross a line break.
Dates (resources/patterns/dates.jsonl, `date_spans`) follow section 8: durations ("lebih dari
seminggu", not ages or rates), bare years and months after a preposition, ranges, quarters, and
the words that belong to a date ("Minggu (24/1) malam", "31 Mei nanti"); "kemarin" alone is none.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Iterable, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from annotator.nlp.corpora import BRANCH_HEADS, UNIT_HEADS, is_org_type, is_place_prefix
from annotator.nlp import gazetteer_features  # noqa: F401  (registers the NER's gazetteer embedding)
from annotator.nlp import ensemble  # noqa: F401  (registers the components of a voting NER)
from annotator.nlp.tokenizer import TOKENIZER_NAME, new_blank
from annotator.resources import RESOURCES_DIR

DEFAULT_MODEL_DIR = RESOURCES_DIR / "model" / "ner"

SOURCE_MODEL = "model"
SOURCE_RULE = "rule"

GAZETTEER_KEY = "gazetteer"
DATES_KEY = "dates"
TITLES_KEY = "titles"
TITLE_NAMES_KEY = "title_names"
RANK_NAME = "rank_name"  # id_ of a title name after a police or military rank

# Institution heads that absorb a following place: "Kementerian Luar Negeri" + "Rusia".
INSTITUTION_HEADS = {
    "kementerian", "kemenlu", "kemlu", "kemenhan", "departemen", "dewan", "badan", "komisi",
    "kantor", "kedutaan", "kedubes", "kepolisian", "angkatan", "parlemen", "militer", "tentara",
    "pasukan", "kejaksaan", "mahkamah", "bank", "kongres", "senat", "majelis",
}
# First words of an organisation's full name ("PT Indofood Sukses Makmur Tbk").
ORG_OPENERS = INSTITUTION_HEADS | {"pt", "cv", "lembaga", "partai", "universitas", "institut", "yayasan", "perusahaan",
                                   "komite", "asosiasi", "himpunan", "ikatan", "persatuan", "perhimpunan", "koperasi"}
# Descriptors that do not make a model ORG/LOC more than the gazetteer name inside it
# ("Ibu Kota [Ukraina] [Kiev]": descriptor excluded, see sample_corpus/GUIDELINES.md).
DESCRIPTOR_WORDS = {"ibu", "kota", "provinsi", "kabupaten", "wilayah", "daerah", "pemerintah", "negara", "pasukan",
                    "tentara", "militer", "rakyat", "warga", "pejabat", "presiden", "menteri"}
# Words before a place name that make it a place ("Kota Serang", "di Serang", "Bupati Serang").
PLACE_CONTEXT_WORDS = {
    "kota", "kabupaten", "kab", "provinsi", "kecamatan", "desa", "kelurahan", "di", "ke", "dari", "asal",
    "pemkot", "pemkab", "polres", "polresta", "polda", "kodim", "kejari", "dprd", "bupati", "wali", "walikota",
    "warga", "wilayah", "daerah", "kawasan", "sekitar",
}
SPACED_DASHES = {"–", "—", "|"}  # between spaces they separate, never join, names
# Legal forms inside a company's ORG ("PT Maju Jaya (Persero) Tbk", "PO Sinar Jaya").
COMPANY_PREFIXES = {"PT", "PO", "CV", "Perumda", "Perusda"}  # Perumda: a regional enterprise
# Lower-case nouns naming what follows (or what an appositive describes) as an organisation.
ORG_NOUNS = {"perusahaan", "organisasi", "lembaga", "komunitas", "yayasan", "maskapai", "produsen", "operator",
             "ormas"}
PLACE_OR_VERB = "place_or_verb"  # gazetteer pattern id of places that are also verbs ("Serang")
# Gazetteer pattern id of names that are also common words ("Antara": among): no name where they
# open a sentence before a lower-case function word ("Antara yang memuji …"; GSD-NER dev, 1 span).
COMMON_WORD = "common_word"
# Buildings are LOC (sample_corpus/GUIDELINES.md section 8): a gazetteer ORG named after its building
# ("Istana Merdeka", "Gedung Putih") is the place after a preposition of place ("menghadap ke
# [Istana Merdeka]"), and a model LOC of a building word and gazetteer names is kept whole ("di
# [Gedung DPR-RI]", not "Gedung [DPR]-[RI]"). NERGrit and idner-news-2k dev: 1 + 1 span.
BUILDING_WORDS = {"gedung", "istana"}
PLACE_PREPOSITIONS = {"di", "ke", "dari", "menuju"}
# Lower-case particles allowed inside a name ("Muhammad bin Salman", "Ursula von der Leyen").
NAME_PARTICLES = {"bin", "binti", "van", "von", "der", "de", "da", "di", "al", "el", "la", "le", "dos", "du"}
# Capitalised words that are never part of a name found after a title.
NOT_NAME_WORDS = {
    "Pada", "Di", "Dari", "Ke", "Dan", "Yang", "Itu", "Ini", "Tersebut", "Mengatakan", "Menyatakan",
    "Kata", "Ujar", "Menurut", "Dalam", "Untuk", "Dengan", "Juga", "Akan", "Telah", "Sudah",
    "Kami", "Kita", "Saya", "Dia", "Ia", "Mereka", "Baca", "Selain", "Sementara", "Namun",
    "Ada", "Apa", "Siapa", "Mengapa", "Bagaimana", "Kapan", "Jika", "Kalau", "Tapi", "Tetapi",
    "Sangat", "Tidak", "Bukan", "Para", "Seorang", "Sebelumnya", "Kemudian", "Setelah", "Sebelum",
    "Berita", "Artikel", "Sumber", "Editor", "Pewarta", "Foto", "Lihat", "Simak",
    "Lebih", "Lanjut", "Terkait", "Selengkapnya", "Lainnya", "Terkini", "Terpopuler", "Klik",  # link lines
}
_NAME_MAX_TOKENS = 5
# Words before the names of a candidate pair ("pasangan calon nomor urut 1, Andi Putra-Budi Santoso").
PAIR_WORDS = {"pasangan", "paslon"}
DEMONSTRATIVES = {"ini", "itu", "tersebut"}
# Quote cues that are only speech verbs ("kata X"; not "yang jelas X", "lanjut X"): before a name.
SPEECH_CUES = {"kata", "ujar", "ucap", "tutur", "imbuh", "pungkas", "tukas", "timpal", "papar", "beber", "cetus"}
# Words before a title that make it a group's: no name follows ("para Hakim Konstitusi").
PLURAL_WORDS = {"para", "sejumlah", "beberapa", "seluruh", "semua", "segenap", "banyak"}
#: last words of a police or military rank; the corps or status markers written after one
#: ("Kolonel (Inf)", "Brigjen Pol", "Jenderal (Purn)") are part of the title, never of the name
#: (`corps_markers` of resources/patterns/quotes.json, `_corps_markers`)
RANK_QUALIFIERS = {"besar", "satu", "dua", "kepala", "madya", "muda", "pertama", "utama"}  # "Komisaris Besar"
RANK_ENDS = {"jenderal", "letjen", "mayjen", "brigjen", "kolonel", "letkol", "mayor", "kapten", "letnan", "letda",
             "lettu", "laksamana", "marsekal", "irjen", "komjen", "kombes", "akbp", "kompol", "akp", "iptu", "ipda",
             "aiptu", "aipda", "bripka", "brigpol", "bripda", "briptu", "brigadir", "sersan", "serda", "sertu", "serka",
             "serma", "kopral", "pratu", "praka"} | RANK_QUALIFIERS

# Words of places and bodies named after a person, with the person's honorific inside the name.
NAMED_AFTER_HEADS = {"rumah", "sakit", "rs", "rsu", "rsud", "rsup", "daerah", "umum", "jalan", "jl", "gedung", "stadion",
                     "bandara", "bandar", "universitas", "masjid", "museum", "taman", "sekolah", "yayasan", "lapangan"}
# Words before a private person's initials ("seorang warga berinisial NT").
INITIALS_WORDS = {"berinisial", "inisial", "inisialnya", "bernama"}
#: people a list of initials can name: "enam tersangka, yaitu FN, CR, IL, VR"; "dua perempuan, yakni FN dan CR"
INITIALS_LIST_NOUNS = {"tersangka", "pelaku", "korban", "terdakwa", "saksi", "pasien", "pria", "wanita", "perempuan",
                       "laki-laki", "orang", "remaja", "anak", "warga"}
# Words that open a Balinese or Arabic-style name; the name starts at the first of a run of them
# ("Kepala Taman Margasatwa Ragunan Ketut Widarsono" -> "Ketut Widarsono").
NAME_OPENERS = {"i", "ni", "gusti", "ida", "tjokorda", "cokorda", "wayan", "made", "nyoman", "ketut",
                "putu", "kadek", "komang", "gede", "luh", "nengah"}
# Day and month names end a title chain's name ("Menlu Rusia Sergei Lavrov Kamis").
CALENDAR_WORDS = set("""
senin selasa rabu kamis jumat sabtu minggu januari februari maret april mei juni juli agustus
september oktober november desember
""".split())
_CHAIN_JOINERS = {"dan", "serta"}  # join two institutions or two people: see _chain_end
_ENGLISH_JOINERS = {"of", "on", "and", "for", "the", "in", "at", "&", "-", "/"}  # inside names of institutions
_CHAIN_MAX_TOKENS = 25
# Words (any case) that qualify a title rather than start a name ("Menteri Perhubungan X",
# "kepala sekolah X", "juru bicara utama PBB X", "Gubernur Kalimantan Utara X").
QUALIFIER_WORDS = set(word.lower() for word in """
Luar Negeri Dalam Pertahanan Keuangan Perhubungan Perdagangan Perindustrian Pertanian Kesehatan
Pendidikan Kebudayaan Agama Sosial Hukum Keamanan Koordinator Bidang Politik Perekonomian Kelautan
Perikanan Pariwisata Ekonomi Kreatif Ketenagakerjaan Investasi Riset Teknologi Energi Sumber Daya
Mineral Lingkungan Hidup Kehutanan Komunikasi Informatika Pemuda Olahraga Sekretariat Negara Umum
Utama Eksekutif Staf Senior Khusus Tinggi Agung Nasional Internasional Sekolah Perguruan
Universitas Fakultas Rumah Sakit Partai Urusan Daerah Kota Kabupaten Provinsi Desa Kecamatan Pusat
Cabang Wilayah Divisi Komisi Dewan Badan Lembaga Perusahaan Bank Kepolisian Polisi Kementerian
Departemen Direktorat Dinas Kantor Majelis Pengadilan Mahkamah Kejaksaan Angkatan Darat Laut Udara
Tentara Pasukan Militer Perkebunan Nomor Operasi Intelijen Pers Kepresidenan Istana Kabinet Kodam
Kodim Korem Polda Polres Polsek Utara Selatan Timur Barat Tengah Tenggara Raya
""".split())


def _register_extensions() -> None:
    """`span._.source` ("model" | "rule") and `span._.score` (float or None), registered once."""
    for name in ("source", "score"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


_register_extensions()


# ---------------------------------------------------------------------------------- resources

def read_patterns(path: str | Path) -> list[dict]:
    """EntityRuler/SpanRuler pattern lines (`{"label": …, "pattern": …}`); errors name file:line."""
    path = Path(path)
    patterns = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{line_no}: not valid JSON: {err.msg}") from None
            if not isinstance(row, dict) or "label" not in row or "pattern" not in row:
                raise ValueError(f"{path}:{line_no}: expected an object with 'label' and 'pattern'")
            if not isinstance(row["pattern"], (str, list)) or not row["pattern"]:
                raise ValueError(f"{path}:{line_no}: 'pattern' must be a phrase or a list of token patterns")
            if isinstance(row["pattern"], list):
                from spacy.schemas import validate_token_pattern

                problems = validate_token_pattern(row["pattern"])
                if problems:
                    raise ValueError(f"{path}:{line_no}: bad token pattern: {'; '.join(problems)}")
            patterns.append(row)
    return patterns


def read_titles(path: str | Path) -> list[str]:
    """One title per line, `#` comments and blank lines ignored, lower-cased."""
    titles = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            titles.append(line.lower())
    return titles


_WORD_LISTS: dict[str, frozenset[str]] = {}


def read_word_list(path: str | Path) -> frozenset[str]:
    """One lower-case word per line, `#` comments ignored; read once per path."""
    key = str(path)
    if key not in _WORD_LISTS:
        lines = Path(path).read_text(encoding="utf-8").splitlines() if Path(path).is_file() else []
        _WORD_LISTS[key] = frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))
    return _WORD_LISTS[key]


_ROMAN = re.compile(r"[IVXLC]+")
# Sections of an institution belong to a title, not to its name ("Kepala Bidang Humas [Polda Papua]").
ORG_SECTION_WORDS = {"bidang", "subbidang", "seksi"}
# Words that end an institution's name: the number of its document follows ("fatwa MUI Kota Depok Nomor …").
_DOCUMENT_NUMBER = {"nomor", "no", "no."}
# Sections that open a model ORG right after a title ("Kepala Departemen Ekonomi [CSIS]").
ORG_SECTION_HEADS = ORG_SECTION_WORDS | {"departemen", "divisi", "biro", "bagian", "subbagian"}
# Heads (resources/patterns/org_heads.txt) that are common words too: after a capitalised word
# they are inside another name ("Kantor Pusat Tenggara", "Jakarta Pusat"), before a name a
# descriptor ("Tim [IDI]").
WEAK_ORG_HEADS = {"pusat", "tim", "center", "centre", "institute", "council", "association", "foundation"}
# Words that make the capitalised words after a company's name an organisation of their own.
COMPANY_WORDS = {"school", "university", "college", "academy", "institute", "foundation", "centre", "center",
                 "group", "grup", "company", "corporation", "corp", "inc", "ltd", "holdings", "bank", "tbk"}
# Organisation openers that are common nouns, no names alone ("oleh Kementerian"; not "Kemenlu").
NAMELESS_HEADS = ORG_OPENERS - {"kemenlu", "kemlu", "kemenhan", "pt", "cv"}
# Universities: with the city they are in after their name, two spans ("[Universitas Yapis] [Jayapura]"),
# unless a word of their name says the place is part of it ("Universitas Negeri Jakarta").
UNIVERSITY_HEADS = {"universitas", "institut", "politeknik", "akademi"}
UNIVERSITY_NAME_WORDS = {"negeri", "nasional", "islam", "kristen", "katolik", "muhammadiyah", "teknologi", "teknik",
                         "seni", "agama"}
# Schools: their model ORG may add up to 6 words to a gazetteer place ("Sekolah Menengah Atas Negeri 14 Jakarta").
SCHOOL_HEADS = {"sekolah", "sma", "smp", "smk", "sman", "smpn", "smkn", "sd", "sdn", "madrasah", "pesantren", "pondok"}
# Descriptors before an organisation's name, never part of it ("Mako [Brimob Kupang]"; not "Markas Besar").
ORG_DESCRIPTORS = {"mako", "markas", "posko"}


def org_heads(patterns_dir: str | Path | None = None, name: str = "org_heads.txt") -> dict[str, tuple[tuple[str, ...], ...]]:
    """resources/patterns/org_heads.txt (or another list of heads, `name`: place_heads.txt) as first
    word -> its heads (word tuples), longest first."""
    words = folder_word_list(Path(patterns_dir or RESOURCES_DIR / "patterns"), name)
    heads: dict[str, list[tuple[str, ...]]] = {}
    for line in words:
        head = tuple(line.split())
        heads.setdefault(head[0], []).append(head)
    return {first: tuple(sorted(found, key=len, reverse=True)) for first, found in heads.items()}


# ---------------------------------------------------------------------------------- helpers

def patterns_folder(patterns_dir: str | Path | None = None, *files: str | Path | None) -> Path:
    """The one folder the entity components read their word lists from: `patterns_dir`; in a
    config written before that setting, the folder of the first list file it names; else the
    bundled resources/patterns."""
    if patterns_dir:
        return Path(patterns_dir)
    named = next((f for f in files if f), None)
    return Path(named).parent if named else RESOURCES_DIR / "patterns"


def folder_word_list(folder: Path, file_name: str, path: str | Path | None = None) -> frozenset[str]:
    """The word list `file_name` of the patterns folder, or the bundled one where the folder has
    none (a project's folder written before that list existed); `path`, if given, instead."""
    if path:
        return read_word_list(path)
    own = folder / file_name
    return read_word_list(own if own.is_file() else RESOURCES_DIR / "patterns" / file_name)


def _named_after(doc: Doc, i: int) -> bool:
    """Is the honorific doc[i] inside the name of a place or body named after a person ("Rumah Sakit
    Umum Daerah dr Soetomo", "Jalan H. Agus Salim"): a NAMED_AFTER_HEADS word among the
    capitalised words before it?"""
    j = i - 1
    while j >= 0 and i - j <= 5 and doc[j].text[:1].isupper():
        if doc[j].lower_.rstrip(".") in NAMED_AFTER_HEADS:
            return True
        j -= 1
    return False


def _not_a_one_word_name(doc: Doc, i: int) -> bool:
    """Is the one word doc[i] after a title no name: an initial ("menteri kabinet S.") or a unit
    followed by its number ("Kepala Staf Resimen Infanteri / Subter 12")?"""
    after = next((t for t in doc[i + 1:i + 3] if not t.is_space), None)
    return len(doc[i].text.rstrip(".")) <= 1 or (after is not None and after.text.isdigit())


def _capitals_name(span: Span, token) -> bool:
    """Is the upper-case `token` part of the name `span`: a regnal number ("Benediktus XVI") or
    one word of a name written all in capitals ("AMY GOODMAN")?"""
    return (token.i == span.end - 1 and set(token.text) <= set("IVX")) or all(
        t.is_upper for t in span if t.is_alpha)


def _quote_patterns():
    """The quote finder's cached word lists of resources/patterns/quotes.json."""
    from annotator.nlp.quotes.patterns import load_patterns  # the quote finder imports this module

    return load_patterns()


def _speech_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Reporting verbs (not those that report only before a comma or complementizer), cue words and
    adverbs of the quote finder."""
    pat = _quote_patterns()
    return pat.reporting_verbs - pat.marked_reporting, pat.cues, pat.adverbs


def _head_length(doc: Doc, i: int, heads: dict[str, tuple[tuple[str, ...], ...]]) -> int:
    """Words of the longest head of `heads` (`org_heads`) written capitalised from token i, or 0."""
    for head in heads.get(doc[i].lower_, ()):
        if all(i + m < len(doc) and doc[i + m].lower_ == w and doc[i + m].text[:1].isupper() for m, w in enumerate(head)):
            return len(head)
    return 0


def _corps_markers() -> frozenset[str]:
    """Corps and status markers after a rank (the quote finder's list)."""
    return _quote_patterns().corps_markers


def _split_places(doc: Doc, span: Span, words: list[str]) -> list[Span]:
    """A LOC that goes on over a second capitalised place prefix is two places ("[Desa Abuan]
    [Kabupaten Bangli]", GUIDELINES section 8), not "Jakarta Kota" (nothing after the prefix)."""
    if span.label_ != "LOC" or len(span) < 4:
        return [span]
    cuts = [i for i in range(span.start + 2, span.end - 1) if is_place_prefix(words, i) and doc[i + 1].text[:1].isupper()]
    if not cuts:
        return [span]
    bounds = [span.start] + cuts + [span.end]
    return [Span(doc, a, b, label="LOC") for a, b in zip(bounds, bounds[1:])]


def _without_degrees(doc: Doc, span: Span) -> Span:
    """A PERSON without the academic degrees written after the name ("Budi Santoso SH", "…, M.H.";
    `academic_degrees` of resources/patterns/quotes.json)."""
    if span.label_ != "PERSON" or len(span) < 2:
        return span
    degrees, end = _quote_patterns().degrees, span.end
    while end - span.start > 1 and (doc[end - 1].text in (",", ".") or (
            (doc[end - 1].text.isupper() or "." in doc[end - 1].text)
            and doc[end - 1].text.replace(".", "").lower() in degrees)):  # written in capitals or with dots
        end -= 1
    while end - span.start > 1 and doc[end - 1].text in (",", "."):
        end -= 1
    return span if end == span.end else Span(doc, span.start, end, label="PERSON")


def _speaks(doc: Doc, span: Span, verbs, cues, adverbs) -> bool:
    """Does the name doc[span] speak: a reporting verb made of a cue word (its first letter may
    fall away: kata -> mengatakan) after it ("X, mengatakan", "X juga menjelaskan"; not "X
    mengajak"), or a cue that is only a speech verb (SPEECH_CUES) before it ("kata X"; not "yang
    jelas X")? Not after a place word ("pejuang dari Misrata, menyatakan")."""
    before = next((t for t in reversed(doc[max(0, span.start - 2):span.start]) if not t.is_space), None)
    if before is not None and before.lower_.rstrip(".") in PLACE_CONTEXT_WORDS:
        return False
    after = [t for t in doc[span.end:span.end + 4] if not t.is_space]
    if after and after[0].text == ",":
        after = after[1:]
    if after and after[0].lower_ in adverbs:
        after = after[1:]
    return bool(after and after[0].lower_ in verbs and any(c[1:] in after[0].lower_ for c in cues if len(c) >= 4)) or (
        before is not None and before.lower_ in cues and before.lower_ in SPEECH_CUES)


def _common_noun_opener(doc: Doc, span: Span) -> bool:
    """Is the one-word model PERSON doc[span] a common noun capitalised at the start of a sentence:
    followed by a demonstrative ("Pola ini …") or a lower-case noun in -an ("Riwayat pinjaman …"),
    and written nowhere else in the text?"""
    if len(span) != 1 or not span[0].is_title:
        return False
    before = next((t for t in reversed(doc[:span.start]) if not t.is_space or "\n" in t.text), None)
    if before is not None and not (before.is_space or before.text in ".!?”\"'’"):
        return False
    after = next((t for t in doc[span.end:span.end + 2] if not t.is_space), None)
    if after is None or not after.is_lower or not (
            after.lower_ in DEMONSTRATIVES or len(after) >= 7 and after.lower_.endswith("an")
            and not after.lower_.endswith("kan") and not after.is_stop):
        return False
    return not any(t.text == span.text for t in doc if t.i != span.start)


def _described_as_person(doc: Doc, span: Span) -> bool:
    """Is doc[span] described as one person by an appositive ("X, seorang nabiah, …")?"""
    after = [t.lower_ for t in doc[span.end:span.end + 3] if not t.is_space][:2]
    return after == [",", "seorang"]


def _joined_portfolio(doc: Doc, span: Span, honorifics: frozenset[str]) -> bool:
    """Is the name after a title the first half of a portfolio or body joined by "dan"
    ("Menteri [Tenaga Kerja] dan Transmigrasi", "Badan Pengatur [Hilir Minyak] dan Gas Bumi"):
    "dan"/"serta" and a capitalised word that is no title follow it, and no honorific precedes it
    ("Dr. Paripurna Sugarda dan Dekan …")?"""
    if span.start > 0 and doc[span.start - 1].lower_.rstrip(".") in honorifics:
        return False
    titles = _covered(doc.spans[TITLES_KEY]) if TITLES_KEY in doc.spans else {}
    after = [t for t in doc[span.end:span.end + 4] if not t.is_space][:2]
    return (len(after) == 2 and after[1].i not in titles and after[0].lower_ in _CHAIN_JOINERS and after[1].is_title
            and not after[1].is_stop and after[1].text not in NOT_NAME_WORDS)


def _is_name_token(token) -> bool:
    text = token.text
    return (
        text[:1].isupper()
        and any(ch.isalpha() for ch in text)
        and not (text.isupper() and len(text) > 1 and "." not in text)  # acronyms are ORGs/LOCs
        and text not in NOT_NAME_WORDS
    )


def _looks_like_verb(token) -> bool:
    """Indonesian verb morphology (meN-, ber-, di-, ter-, per-…-kan): headline words, not names.
    Nouns in pe(r)-…-an, "Meteorologi", "Merdeka", "Melbourne" (me- without a nasal) and short
    ber- words ("Bersatu", "Berlin") are not taken for verbs."""
    lower = token.lower_
    if len(lower) < 6 or token.is_upper or (lower.endswith("an") and not lower.endswith("kan")):
        return False
    return lower.startswith(("mem", "men", "di", "ter", "per")) or (lower.startswith("ber") and len(lower) >= 8)


def _is_qualifier_word(token) -> bool:
    text = token.text
    return token.lower_ in QUALIFIER_WORDS or (len(text) > 1 and text.isalpha() and text.isupper())


def is_not_name_word(token, not_name: frozenset[str]) -> bool:
    """A derived common word, a day or month, a domain name ("Startupindonesia.co") or a number."""
    lower = token.lower_
    return (lower in not_name or lower in CALENDAR_WORDS or any(ch.isdigit() for ch in lower)
            or ("." in lower.strip(".") and not token.is_upper))


def _split_name(name: Span, models: set[Span]) -> bool:
    """Did the model split the name after a title into pieces it also labelled apart: an ORG/LOC
    running into its first words with only the last word a PERSON ("[Kepala BKPM Bahlil]
    [Lahadalia]"), or its last word alone as an ORG/LOC ("Brigadir Dua Irsan [Tapobali]")? A
    longer model PERSON decides ("Pasar Tradisional [Abdullah Mansuri]")."""
    if not models:
        return False
    into = [m for m in models if m.label_ in ("ORG", "LOC") and m.start < name.start < m.end < name.end]
    rest = [m for m in models if m.label_ == "PERSON" and name.start < m.start and m.end == name.end and len(m) == 1]
    if into and rest and len(into) + len(rest) == len(models):
        return True
    return len(models) == 1 and all(m.label_ in ("ORG", "LOC") and name.start < m.start and m.end == name.end
                                    and m.end - m.start == 1 for m in models)


def org_tail_length(doc: Doc, start: int, end: int) -> int:
    """Where a name doc[start:end] really starts (``start`` when nothing is cut): its leading words
    go while the word before is capitalised, no title, and the text writes the word elsewhere too,
    always right after that same word and never followed by the name's next word ("PD Panca Karya
    Rusdy Ambon" beside "PD Panca Karya," -> "Rusdy Ambon"): they end the organisation or place
    before the name. One word of the name always stays."""
    own = [i for i in range(start, end) if not doc[i].is_space]
    if len(own) < 2:
        return start
    words = [t.i for t in doc if not t.is_space]
    pos = {i: n for n, i in enumerate(words)}
    titles = _covered(doc.spans[TITLES_KEY]) if TITLES_KEY in doc.spans else {}
    cut = 0
    while cut < len(own) - 1 and pos[own[cut]] > 0:
        before = doc[words[pos[own[cut]] - 1]]
        if not (before.is_alpha and before.text[:1].isupper()) or before.i in titles:
            break
        word = doc[own[cut]].text
        elsewhere = [n for n in range(1, len(words)) if words[n] != own[cut] and doc[words[n]].text == word]
        if not elsewhere or any(doc[words[n - 1]].text != before.text for n in elsewhere) or any(
                n + 1 < len(words) and doc[words[n + 1]].text == doc[own[cut + 1]].text for n in elsewhere):
            break
        cut += 1
    return own[cut]


def _hyphen_attached(doc: Doc, start: int, end: int) -> bool:
    """Is doc[start:end] joined by a hyphen to the word before or after it ("LPDB-KUMKM")?"""
    return (start > 0 and doc[start - 1].text == "-" and not doc[start - 1].whitespace_) or (
        end < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_)


def _covered(spans: Iterable[Span]) -> dict[int, Span]:
    """token index -> the span covering it."""
    index = {}
    for span in spans:
        for i in range(span.start, span.end):
            index[i] = span
    return index


def _is_edge_junk(doc: Doc, i: int, start: int) -> bool:
    """A token that never starts or ends an entity: whitespace, punctuation, an emoji or other
    symbol without a letter or digit; a closing bracket whose opening one is inside the span is kept
    ("Selasa (5/11/2024)", "PT Maju (Persero)")."""
    token = doc[i]
    if token.text == ")":
        return not any(doc[j].text == "(" for j in range(start, i))
    return token.is_space or not any(ch.isalnum() for ch in token.text)


def _clean(doc: Doc, start: int, end: int, label: str) -> list[Span]:
    """Split tokens start:end at line breaks and (but for dates) at a dash between spaces
    ("JAKARTA, KOMPAS – Selama"); strip whitespace, punctuation and symbols (emoji) at the edges."""
    pieces, piece_start = [], start
    for i in range(start, end + 1):
        if i == end or (doc[i].is_space and "\n" in doc[i].text) or (
            label != "DATE" and doc[i].text in SPACED_DASHES and doc[i].whitespace_ and i > 0 and doc[i - 1].whitespace_
        ):
            pieces.append((piece_start, i))
            piece_start = i + 1
    spans = []
    for s, e in pieces:
        while s < e and _is_edge_junk(doc, s, s):
            s += 1
        while s < e and _is_edge_junk(doc, e - 1, s):
            e -= 1
        if s < e:
            spans.append(Span(doc, s, e, label=label))
    return spans


def _has_place_context(doc: Doc, span: Span) -> bool:
    """A place name that is also a verb ("Serang": serang = attack) is a verb only where a
    headline verb stands: between capitalised words ("Drone Rusia Serang Ibu Kota", "Israel
    Serang Gaza"), unless a place word or preposition precedes it ("Kota Serang", "di Serang",
    "Bupati Serang Ratu Tatu")."""
    before = next((t for t in reversed(doc[:span.start]) if not t.is_space), None)
    after = next((t for t in doc[span.end:] if not t.is_space), None)
    if before is not None and before.lower_.rstrip(".") in PLACE_CONTEXT_WORDS:
        return True
    return not (before is not None and before.text[:1].isupper() and before.is_alpha
                and after is not None and after.text[:1].isupper() and after.is_alpha)


def verb_like_places(doc: Doc) -> list[Span]:
    """Gazetteer hits of places that are also verbs (pattern id "place_or_verb") used as verbs
    ("Drone Rusia Serang Ibu Kota Ukraina"): no entity may be suggested there."""
    hits = doc.spans[GAZETTEER_KEY] if GAZETTEER_KEY in doc.spans else []
    return [s for s in hits if s.id_ == PLACE_OR_VERB and not _has_place_context(doc, s)]


def _opens_sentence_before_lower(doc: Doc, span: Span) -> bool:
    """Does doc[span] open a sentence (or the text) before a lower-case function word ("Antara
    yang …", "Antara lain"; not "Antara melaporkan")?"""
    before = next((t for t in reversed(doc[:span.start]) if not t.is_space or "\n" in t.text), None)
    after = next((t for t in doc[span.end:] if not t.is_space), None)
    return (before is None or before.is_space or before.text in ".!?”\"'’:") and after is not None and after.is_lower \
        and after.is_stop


def common_word_tokens(doc: Doc) -> set[int]:
    """Tokens of gazetteer names that are common words (pattern id COMMON_WORD) where they open a
    sentence before a lower-case word ("Antara yang memuji …"): no name there."""
    hits = doc.spans[GAZETTEER_KEY] if GAZETTEER_KEY in doc.spans else []
    return {i for s in hits if s.id_ == COMMON_WORD and _opens_sentence_before_lower(doc, s) for i in range(s.start, s.end)}


def _after_place_preposition(doc: Doc, span: Span) -> bool:
    before = next((t for t in reversed(doc[:span.start]) if not t.is_space), None)
    return before is not None and before.lower_ in PLACE_PREPOSITIONS


def gazetteer_spans(doc: Doc, join_institutions: bool = True) -> list[Span]:
    """Gazetteer hits, longest first, with "institution + place" joined into one ORG; places
    used as verbs (verb_like_places) are left out."""
    verbs = {(s.start, s.end) for s in verb_like_places(doc)}
    hits = [s for s in doc.spans[GAZETTEER_KEY] if (s.start, s.end) not in verbs
            and not (s.id_ == COMMON_WORD and _opens_sentence_before_lower(doc, s))] if GAZETTEER_KEY in doc.spans else []
    spans = sorted(filter_spans(hits), key=lambda s: s.start)
    spans = [Span(doc, s.start, s.end, label="LOC") if s.label_ == "ORG" and s[0].lower_ in BUILDING_WORDS
             and _after_place_preposition(doc, s) else s for s in spans]
    merged: list[Span] = []
    for span in spans:
        if merged:
            prev = merged[-1]
            if (
                join_institutions
                and prev.end == span.start
                and prev.label_ == "ORG"
                and span.label_ == "LOC"
                and prev[0].lower_ in INSTITUTION_HEADS
            ):
                merged[-1] = Span(doc, prev.start, span.end, label="ORG")
                continue
        merged.append(span)
    return merged


#: date pattern ids (resources/patterns/dates.jsonl) whose first token is context, not date ("pada [Maret]")
DATE_CONTEXT_PREFIX = "ctx_"
# Words before a count + unit that make it a rate, not a duration ("dua kali sehari", "per tahun"),
# and words up to four tokens before it that make it an age ("berusia antara 50 tahun dan 60
# tahun"): sample_corpus/GUIDELINES.md section 8.
RATE_WORDS = {"per", "setiap", "tiap", "kali"}
AGE_WORDS = {"usia", "berusia", "umur", "berumur"}
# Words after a year-like number that make it a count ("2000 orang", "1998 kasus").
COUNTED_WORDS = set("""
orang unit ton kg kilogram km kilometer meter m hektare ha ekor buah kantong rumah personel kasus dosis
warga peserta jiwa kendaraan suara siswa pasien perusahaan sampel dollar dolar rupiah triliun miliar juta
ribu persen kali pekerja karyawan keluarga kk titik lembar paket botol liter mw megawatt porsi pemilih
""".split())
# Words before a year-like number that make it something else ("Rp 2000", "nomor 1945", "pukul 2000").
NOT_YEAR_BEFORE = {"rp", "no", "no.", "nomor", "pukul", "km", "kode", "nopol", "us$", "$"}
# Words after a date that belong to it ("Selasa (1/12/2020) pagi", "31 Mei nanti", "tiga hari kemudian").
DATE_TAIL_WORDS = {"pagi", "siang", "sore", "malam", "petang", "nanti", "ini", "lalu", "besok", "kemarin",
                   "terakhir", "kemudian", "silam", "mendatang", "lagi", "sebelumnya", "belakangan"}
DATE_TAIL_PHRASES = (("dini", "hari"), ("ke", "depan"), ("yang", "lalu"), ("berturut", "-", "turut"))


def _date_match(doc: Doc, span: Span) -> Span | None:
    """A date pattern match as a DATE span: context words cut off, ages, rates and counts dropped."""
    start, end = span.start, span.end
    if span.id_.startswith(DATE_CONTEXT_PREFIX):
        start += 1
    before = doc[start - 1] if start > 0 else None
    after = doc[end] if end < len(doc) else None
    if span.id_.endswith("duration") and (
        (before is not None and before.lower_ in RATE_WORDS)
        or any(t.lower_ in AGE_WORDS for t in doc[max(0, start - 4):start])
        or (before is not None and before.text == "(" and after is not None and after.text == ")")  # "(40 tahun)"
        or (after is not None and after.is_digit and len(after) == 4)  # "5 tahun 1992": a law's number
    ):
        return None
    if span.id_ == "year" and (
        (before is not None and before.lower_ in NOT_YEAR_BEFORE)
        or (after is not None and after.lower_ in COUNTED_WORDS)
    ):
        return None
    return Span(doc, start, end, label="DATE")


def _date_tail(doc: Doc, end: int) -> int:
    """End of a date with the words that follow it and belong to it (DATE_TAIL_*)."""
    for phrase in DATE_TAIL_PHRASES:
        if tuple(t.lower_ for t in doc[end:end + len(phrase)]) == phrase:
            return end + len(phrase)
    return end + 1 if end < len(doc) and doc[end].lower_ in DATE_TAIL_WORDS else end


def date_spans(doc: Doc) -> list[Span]:
    """Date matches, longest first; adjacent dates and dates joined by a hyphen are one
    ("Selasa (5/11/2024) kemarin", "akhir Agustus-awal September"), with the words that follow
    a date and belong to it ("Minggu (24/1) malam", "tiga hari kemudian")."""
    matches = [_date_match(doc, s) for s in doc.spans[DATES_KEY]] if DATES_KEY in doc.spans else []
    spans = sorted(filter_spans(m for m in matches if m is not None), key=lambda s: s.start)
    merged: list[Span] = []
    for span in spans:
        if merged and (merged[-1].end == span.start or (
            merged[-1].end + 1 == span.start and doc[merged[-1].end].text == "-"
            and not doc[merged[-1].end - 1].whitespace_ and not doc[merged[-1].end].whitespace_
        )):
            merged[-1] = Span(doc, merged[-1].start, span.end, label="DATE")
        else:
            merged.append(span)
    out = []
    for span in merged:
        span = Span(doc, span.start, _date_tail(doc, span.end), label="DATE")
        if out and out[-1].end > span.start:
            continue
        out.extend(_clean(doc, span.start, span.end, "DATE"))
    return out


# ---------------------------------------------------------------------------------- components

@Language.factory(
    "annotator_entity_titles",
    default_config={"titles": [], "max_name_tokens": _NAME_MAX_TOKENS, "patterns_dir": None, "not_name_words": None},
)
def make_title_finder(nlp: Language, name: str, titles: list[str], max_name_tokens: int, patterns_dir: str | None,
                      not_name_words: str | None):
    return TitleFinder(nlp, name, titles=titles, max_name_tokens=max_name_tokens, patterns_dir=patterns_dir,
                       not_name_words=not_name_words)


def name_start(doc: Doc, start: int, end: int, stop, max_tokens: int = _NAME_MAX_TOKENS) -> int:
    """Where the name at the end of doc[start:end] begins (`end` if there is none).

    Walks left over capitalised name words until `stop(i)` (a title, institution or place word),
    a non-name token, `max_tokens`, or the first of a run of name openers ("I Gusti Putu").
    """
    i = end
    while i > start and end - i < max_tokens:
        token = doc[i - 1]
        if stop(i - 1) or not (_is_name_token(token) or (i < end and token.lower_ in NAME_PARTICLES)):
            break
        i -= 1
        if token.lower_ in NAME_OPENERS and not (i > start and doc[i - 1].lower_ in NAME_OPENERS):
            break
    while i < end and doc[i].lower_ in NAME_PARTICLES:  # a name starts on a name word
        i += 1
    return i


class TitleFinder:
    """Marks official titles and the capitalised name that ends the chain after a title.

    "Juru Bicara Kementerian Luar Negeri Rusia Maria Zakharova": title "Juru Bicara", name
    PERSON "Maria Zakharova". The chain after a title runs over capitalised words, acronyms,
    institution words, "dan"/"of" inside an institution's name and parenthesised acronyms
    ("Ketua Majelis Ulama Indonesia (MUI) Kota Palembang Saim Marhadan"); the name is its
    tail, cut where a gazetteer name, an institution word or a derived common word
    (resources/patterns/not_name_words.txt: "Penanggulangan", "Perlindungan") appears. One
    comma may follow a chain without a name ("Sekretaris Jenderal NATO, Mark Rutte").
    Word lists come from `patterns_dir` (`patterns_folder`); `not_name_words` names another file
    for that list (configs written before `patterns_dir`).
    """

    def __init__(self, nlp: Language, name: str, *, titles: Sequence[str], max_name_tokens: int,
                 patterns_dir: str | Path | None = None, not_name_words: str | None = None):
        from spacy.matcher import PhraseMatcher

        self.name = name
        self.max_name_tokens = max_name_tokens
        folder = patterns_folder(patterns_dir, not_name_words)
        self.not_name = folder_word_list(folder, "not_name_words.txt", not_name_words)
        self.honorifics = folder_word_list(folder, "person_honorifics.txt")
        self.org_head_words = frozenset(org_heads(folder))  # "Kamar Dagang …" opens an institution, no name
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher.add("TITLE", [nlp.make_doc(t) for t in titles if t.strip()])

    def __call__(self, doc: Doc) -> Doc:
        titles = filter_spans(Span(doc, s, e, label="TITLE") for _, s, e in self.matcher(doc))
        runs = self._join_runs(doc, sorted(titles, key=lambda s: s.start))
        gazetteer = _covered(g for g in gazetteer_spans(doc) if g.label_ != "PERSON")  # places, organisations
        runs = [r for r in runs if not self._surname(doc, r, gazetteer, runs)]
        dates = _covered(date_spans(doc))
        title_tokens = _covered(runs)

        def common(i: int) -> bool:  # a derived common word or a qualifier, never a name's
            return is_not_name_word(doc[i], self.not_name) or _is_qualifier_word(doc[i])

        def stop(i: int) -> bool:
            return i in gazetteer or i in title_tokens or i in dates or common(i) or doc[i].lower_ in self.org_head_words

        def rank_stop(i: int) -> bool:  # after a rank the chain is the name: "Letnan Kolonel (Inf) Parada Warta Nusantara Tampubolon"
            return i in title_tokens or i in dates or common(i)

        names = []
        for run in runs:
            if run.start > 0 and doc[run.start - 1].lower_ in PLURAL_WORDS:
                continue  # "para Hakim Konstitusi": a group, no one's name after the title
            rank = self._is_rank(run)
            name = self._name_after(doc, run.end, rank_stop if rank else stop, dates, title_tokens,
                                    lambda k: k not in gazetteer and k not in title_tokens and k not in dates)
            if name is not None:
                if rank:
                    name.id_ = RANK_NAME
                names.append(name)
        doc.spans[TITLES_KEY] = runs
        doc.spans[TITLE_NAMES_KEY] = names
        return doc

    def _surname(self, doc: Doc, run: Span, gazetteer: dict, runs: list[Span]) -> bool:
        """Is the one-word title `run` part of a name, right after its given name ("Menteri Agama
        Lukman Hakim Saifuddin", "kata Arief Hakim"): a capitalised name word before it that is no
        title, gazetteer name, qualifier, stop word, derived common word or verb, and does not open
        a sentence ("Area Supervisor …")? Honorifics and abbreviations ("Dr.") never are."""
        if len(run) != 1 or run.start == 0 or not run[0].is_alpha or run[0].lower_ in self.honorifics:
            return False  # "Alumni Dr. Rini": an honorific or abbreviation is never a surname
        prev = doc[run.start - 1]
        before = next((t for t in reversed(doc[:prev.i]) if not t.is_space or "\n" in t.text), None)
        if before is None or before.is_space or before.text in ".!?”\"'’:":
            return False  # "Area Supervisor …" opening a sentence
        return (_is_name_token(prev) and not prev.is_stop and prev.i not in gazetteer
                and not is_not_name_word(prev, self.not_name) and not _is_qualifier_word(prev)
                and not _looks_like_verb(prev) and prev.lower_ not in NAME_PARTICLES
                and not any(r.start <= prev.i < r.end for r in runs))

    @staticmethod
    def _join_runs(doc: Doc, titles: list[Span]) -> list[Span]:
        runs: list[Span] = []
        for span in titles:
            if runs and runs[-1].end == span.start:
                runs[-1] = Span(doc, runs[-1].start, span.end, label="TITLE")
            else:
                runs.append(span)
        return [TitleFinder._with_corps(doc, run) for run in runs]

    @staticmethod
    def _is_rank(run: Span) -> bool:
        """Is the title run a police or military rank, with nothing after it but corps markers?"""
        corps = _corps_markers()
        words = [t.lower_ for t in run if t.is_alpha]
        while words and words[-1] in corps:
            words.pop()
        if not words or words[-1] not in RANK_ENDS:
            return False
        # "Komisaris Besar", "Brigadir Kepala", "Mayor Jenderal": these words end a rank only after a
        # rank word ("Sekretaris Jenderal" is no rank); "Jenderal" alone is one
        qualifiers = RANK_QUALIFIERS | ({"jenderal"} if len(words) >= 2 else set())
        return words[-1] not in qualifiers or (len(words) >= 2 and words[-2] in RANK_ENDS - RANK_QUALIFIERS)

    @staticmethod
    def _with_corps(doc: Doc, run: Span) -> Span:
        """A rank's run with the corps or status markers after it ("Kolonel (Inf)", "Brigjen Pol")."""
        if run[-1].lower_ not in RANK_ENDS:
            return run
        corps = _corps_markers()
        end, n = run.end, len(doc)
        for _ in range(2):
            k = end + 1 if end < n and doc[end].text == "(" else end
            if not (k < n and doc[k].lower_ in corps and doc[k].text[:1].isupper()):
                break
            if k > end:  # "(Inf)" needs its closing bracket
                if not (k + 1 < n and doc[k + 1].text == ")"):
                    break
                k += 1
            end = k + 1
        return run if end == run.end else Span(doc, run.start, end, label="TITLE")

    @staticmethod
    def _chain_end(doc: Doc, i: int, stop, dates: dict, title_tokens: dict) -> int:
        """End of the capitalised chain (institutions, places, the name) that starts at i."""
        n, start = len(doc), i
        while i < n and i - start < _CHAIN_MAX_TOKENS and i not in dates:
            token = doc[i]
            if token.text == "(" and i > start:  # "(MUI)", "(BUMDes LKM)"
                close = next((j for j in range(i + 1, min(n, i + 8)) if doc[j].text == ")"), None)
                if close is None or close == i + 1 or not all(
                    doc[j].text[:1].isupper() or doc[j].is_punct for j in range(i + 1, close)
                ):
                    break
                i = close + 1
            elif token.lower_ in _ENGLISH_JOINERS and i > start and i + 1 < n and doc[i + 1].text[:1].isupper():
                i += 1  # "Center of Reform on Economics"
            elif (token.lower_ in _CHAIN_JOINERS or token.like_num) and i > start:
                # joins two parts of one institution ("Badan Penanggulangan Bencana dan Perlindungan
                # Masyarakat", "Jabar 2"), not two people ("Joko Widodo dan Wakil Presiden …")
                nxt = i + 1
                if (nxt < n and doc[nxt].text[:1].isupper() and nxt not in title_tokens
                        and (token.like_num or any(stop(j) for j in range(max(start, i - 2), i)))):
                    i = nxt
                else:
                    break
            elif token.text[:1].isupper() and (_is_name_token(token) or _is_qualifier_word(token) or stop(i)):
                i += 1
            elif i in title_tokens or (_is_qualifier_word(token) and not any(
                doc[j].text[:1].isupper() for j in range(start, i)
            )):  # "kepala sekolah X", "juru bicara utama PBB X"
                i += 1
            elif token.lower_ in NAME_PARTICLES and i > start:
                i += 1
            else:
                break
        return i

    def _name_after(self, doc: Doc, i: int, stop, dates: dict, title_tokens: dict, initials_ok) -> Span | None:
        """The name at the end of the chain that starts at token i (or after one comma); one- or
        two-letter capitals opening it are its initials where `initials_ok` (no rule's name, title
        or date there)."""
        n = len(doc)
        for _ in range(2):
            end = self._chain_end(doc, i, stop, dates, title_tokens)
            begin = name_start(doc, i, end, stop, self.max_name_tokens)
            if i < begin < end and doc[begin - 1].is_alpha and doc[begin - 1].is_upper and len(doc[begin - 1]) <= 2 \
                    and initials_ok(begin - 1) and (begin - 1 == i or stop(begin - 2)):
                begin -= 1  # initials opening the name: "Jaksa Agung [ST Burhanuddin]", "Irjen [RZ Panca Putra Simanjuntak]"
            if begin < end:
                if end - begin == 1 and _not_a_one_word_name(doc, begin):
                    return None
                return Span(doc, begin, end, label="PERSON")
            if not (end > i and end < n and doc[end].text == ","):
                return None
            i = end + 1  # "Sekretaris Jenderal NATO, Mark Rutte"
        return None


#: Rule families of EntityMerger that can be switched off (to measure each one's net effect):
#: gazetteer names; "institution + place" joined into one ORG; a model ORG/LOC that extends one
#: gazetteer name kept whole; dates; title words cut from model spans; names after titles where
#: the model found nothing;
#: later short mentions of a person; clean-up of model pieces; places used as verbs ("Serang");
#: a capitalised place prefix inside the LOC ("Kota Bekasi"); a state body or unit joined with
#: its area or parent into one ORG ("Polda Papua", "Pemerintah Kota Bekasi"); "PT"/"PO",
#: "(Persero)", "Tbk" and a branch inside a company's ORG; hospitals, universities, health centres
#: and laboratories ORG, not LOC; initials of private persons ("W (40)") PERSON (sample_corpus/
#: GUIDELINES.md section 8), also after "berinisial" ("berinisial NT"); a parenthesised
#: abbreviation takes the label of the name before it, at every mention ("Taruna Siaga Bencana
#: (Tagana)"), or is no entity anywhere when that name is a lower-case phrase or a document or
#: programme ("surat izin keluar masuk (SIKM)"; resources/patterns/document_words.txt); one label
#: per name in an article, and that label on its unlabelled repeats (`EntityMerger._one_sense`);
#: person evidence in the context: an honorific before a name, a candidate pair after "pasangan"
#: (`EntityMerger._person_context`).
RULE_FAMILIES = ("gazetteer", "institution_place", "model_whole", "dates", "titles", "title_names", "org_tail_names",
                 "short_names", "cleanup", "age_names", "verbs", "place_prefix", "org_area", "company", "org_heads", "initials",
                 "aliases", "one_sense", "person_context")
#: Organisation rules: a capitalised institution head (resources/patterns/org_heads.txt) and its
#: capitalised name chain are one ORG (`EntityMerger._org_chains`); a one-word name after a company
#: cue (resources/patterns/company_cues.txt: "vaksin", "Grup") is ORG at every mention
#: (`EntityMerger._company_cues`).
RULE_FAMILIES += ("org_chains", "company_cues")
#: The dateline's place ("INDRAMAYU, KOMPAS — …", "JAKARTA (ANTARA) - …") is LOC
#: (`EntityMerger._dateline`; GUIDELINES section 2: dateline places).
RULE_FAMILIES += ("dateline",)
#: A capitalised head of a building, transport place, site or natural feature (resources/patterns/
#: place_heads.txt: "Terminal", "Rest Area", "Wihara") and its name chain are one LOC
#: (`EntityMerger._place_heads`).
RULE_FAMILIES += ("place_heads",)
DATELINE_DASHES = {"—", "–", "-", "--"}


@Language.factory("annotator_entity_merge",
                  default_config={"patterns_dir": None, "not_name_words": None, "not_entities": None,
                                  "document_words": None, "disable": []})
def make_entity_merger(nlp: Language, name: str, patterns_dir: str | None, not_name_words: str | None,
                       not_entities: str | None, document_words: str | None, disable: list[str]):
    return EntityMerger(name, not_name_words, not_entities, document_words, disable=disable, patterns_dir=patterns_dir)


class EntityMerger:
    """Combines model entities (the doc.ents it receives) with the rule spans into doc.ents.

    `disable` switches rule families (RULE_FAMILIES) off; `families` holds the active ones. Every
    word list comes from one folder, `patterns_dir` (`patterns_folder`: by default the bundled
    resources/patterns); `not_name_words`, `not_entities` and `document_words` name other files for
    those lists (configs written before `patterns_dir`, whose other lists lie beside them)."""

    def __init__(self, name: str, not_name_words: str | None = None, not_entities: str | None = None,
                 document_words: str | None = None, disable: Iterable[str] = (), patterns_dir: str | Path | None = None):
        unknown = set(disable) - set(RULE_FAMILIES)
        if unknown:
            raise ValueError(f"unknown entity rule families {sorted(unknown)}; known: {', '.join(RULE_FAMILIES)}")
        self.name = name
        folder = patterns_folder(patterns_dir, not_entities, not_name_words, document_words)
        self.not_name = folder_word_list(folder, "not_name_words.txt", not_name_words)
        self.not_entities = folder_word_list(folder, "not_entities.txt", not_entities)
        self.document_words = folder_word_list(folder, "document_words.txt", document_words)
        self.org_heads = org_heads(folder)
        self.place_heads = org_heads(folder, "place_heads.txt")
        self.company_cues = folder_word_list(folder, "company_cues.txt")
        self.product_cues = folder_word_list(folder, "product_cues.txt")
        self.provinces = folder_word_list(folder, "provinces.txt")
        self.honorifics = folder_word_list(folder, "person_honorifics.txt")
        self.families = set(RULE_FAMILIES) - set(disable)

    def __call__(self, doc: Doc) -> Doc:
        on = self.families
        words = [t.text for t in doc]
        lower = frozenset(w for w in words if w.islower())  # what the article writes in lower case
        model_ents = list(doc.ents)
        model_scores = {(e.start, e.end): e._.score for e in model_ents}
        taken: dict[int, Span] = {}  # token -> rule span that claimed it
        rules: list[Span] = []

        def claim(span: Span) -> None:
            if not any(i in taken for i in range(span.start, span.end)):
                rules.append(span)
                taken.update((i, span) for i in range(span.start, span.end))

        if "verbs" in on:  # no entity on a place name used as a verb
            taken.update((i, verb) for verb in verb_like_places(doc) for i in range(verb.start, verb.end))
        gazetteer = gazetteer_spans(doc, "institution_place" in on) if "gazetteer" in on else []
        dates = date_spans(doc) if "dates" in on else []
        # 1-2: gazetteer and dates, the longer first where they overlap
        for span in sorted(gazetteer + dates, key=lambda s: (-(s.end - s.start), s.start)):
            claim(span)
        # 3: names after titles where the model found no entity, or an ORG/LOC that swallowed a
        #    rule's name before the title name ("[Gedung Putih John Kirby]"); a model entity other
        #    than that decides (its span is cut by the title words below: "Ketua Umum Demokrat
        #    [Susilo Bambang Yudhoyono]"; "anggota [Al-Qaeda]", not "Qaeda")
        model_at = _covered(model_ents)
        for span in doc.spans[TITLE_NAMES_KEY] if TITLE_NAMES_KEY in doc.spans and "title_names" in on else []:
            models = {model_at[i] for i in range(span.start, span.end) if i in model_at}
            if not models and _joined_portfolio(doc, span, self.honorifics):
                continue
            inner = {taken[i] for i in range(span.start, span.end) if i in taken}
            rank_name = span.id_ == RANK_NAME and all(span.start <= m.start and m.end <= span.end for m in models) \
                and all(span.start <= r.start and r.end <= span.end for r in inner)
            if inner and (rank_name or all(r.label_ == "PERSON" and len(r) < len(span) and span.start <= r.start
                                           and r.end <= span.end for r in inner)):  # "Irjen [Raden Prabowo Argo Yuwono]"
                for r in inner:  # a gazetteer person's name inside a longer name after a title is part of it
                    rules.remove(r)
                    for i in range(r.start, r.end):
                        del taken[i]
            if all(m.label_ != "PERSON" and m.start < span.start
                   and any(i in taken for i in range(m.start, span.start)) for m in models) or _split_name(span, models) \
                    or rank_name \
                    or (models and all(m.label_ == "PERSON" and span.start < m.start and m.end == span.end for m in models)
                        and all(doc[k].is_upper and len(doc[k]) <= 2 for k in range(span.start, min(m.start for m in models)))):
                # the model cut the name after a rank, or missed a word of it, or left out its initials
                claim(span)

        # 4a: a model ORG/LOC that contains only gazetteer hits plus capitalised words of its own
        #     ("Dewan Keamanan Nasional Korea Selatan", "Ukraina Timur"), or a model PERSON whose
        #     surname is a place ("Badrodin Haiti"), beats those hits.
        gazetteer_ids = {(g.start, g.end) for g in gazetteer}
        kept_whole: list[Span] = []
        title_tokens = _covered(doc.spans[TITLES_KEY]) if TITLES_KEY in doc.spans and "titles" in on else {}
        for ent in model_ents:
            inside = {taken[i] for i in range(ent.start, ent.end) if i in taken}
            free = [i for i in range(ent.start, ent.end) if i not in taken]
            if "model_whole" in on and (
                ent.label_ in ("ORG", "LOC")
                and inside
                and all((r.start, r.end) in gazetteer_ids and ent.start <= r.start and r.end <= ent.end for r in inside)
                and any(doc[i].text[:1].isupper() and doc[i].lower_ not in DESCRIPTOR_WORDS for i in free)
                and len(inside) == 1 and len(free) <= self._max_free(ent)  # not a title-case headline run
                and not self._headline_verb(doc, inside, free)  # "… Pertimbangkan Mengirim"
                and ent[0].text[:1].isupper()
                and not any(i in title_tokens for i in range(ent.start, ent.end))
                and len(_clean(doc, ent.start, ent.end, ent.label_)) == 1
                or self._place_surname(doc, ent, inside, free, gazetteer_ids, title_tokens)
                or self._building(doc, ent, inside, free, gazetteer_ids, title_tokens)
            ):
                for r in inside:
                    rules.remove(r)
                    for i in range(r.start, r.end):
                        del taken[i]
                kept_whole.append(ent)
        for ent in kept_whole:
            taken.update((i, ent) for i in range(ent.start, ent.end))

        results = [(span, SOURCE_RULE, 1.0) for span in rules]
        results += [(ent, SOURCE_MODEL, model_scores[(ent.start, ent.end)]) for ent in kept_whole]
        # 4b: the rest of the model spans, minus what rules claimed
        kept_ids = {(e.start, e.end) for e in kept_whole}
        for ent in model_ents:
            if (ent.start, ent.end) not in kept_ids:
                for piece in self._free_pieces(doc, ent, taken, title_tokens):
                    results.append((piece, SOURCE_MODEL, model_scores[(ent.start, ent.end)]))

        if "person_context" in on:
            results = self._person_context(doc, results, self.honorifics)
        if "company" in on:
            results = self._company_names(doc, results)
        if "org_tail_names" in on:
            results = self._org_tail_names(doc, results)
        if "short_names" in on:
            results = self._short_names(doc, results, set(gazetteer_ids) | {(d.start, d.end) for d in dates}, lower)
        if "dateline" in on:
            results = self._dateline(doc, results)
        if "cleanup" in on:  # "Budi Santoso SH": a degree after the name is no part of it
            results = [(_without_degrees(doc, span), source, score) for span, source, score in results]
        results = [(piece, source, score) for span, source, score in results  # no emoji or symbol at the edges
                   for piece in _clean(doc, span.start, span.end, span.label_)]
        results = self._attach(doc, results, words, lower)
        final = filter_spans(span for span, _, _ in results)  # safety net: never overlapping
        final_ids = {(s.start, s.end, s.label) for s in final}
        doc.ents = sorted(final, key=lambda s: s.start)
        for span, source, score in results:
            if (span.start, span.end, span.label) in final_ids:
                span._.source = source
                span._.score = score
        return doc

    @staticmethod
    def _dateline(doc: Doc, results: list) -> list:
        """A line that opens with up to four upper-case words, then a comma and a capitalised source
        ("KOMPAS", "KOMPAS.com") or a bracketed one ("(ANTARA)"), then a dash, is a dateline: its
        place is LOC, whatever the model took it for ("INDRAMAYU, KOMPAS — …"). When a place of the
        gazetteer follows the comma instead, the upper-case words before it are the source, one ORG
        ("TIMES JABAR, JAKARTA – …")."""
        n, places, sources = len(doc), [], []
        gazetteer_places = {g.start: g for g in (doc.spans[GAZETTEER_KEY] if GAZETTEER_KEY in doc.spans else [])
                            if g.label_ == "LOC"}
        for i in range(n):
            if not (i == 0 or (doc[i - 1].is_space and "\n" in doc[i - 1].text) or "\n" in doc[i - 1].whitespace_):
                continue
            j = i
            while j < n and j - i < 4 and doc[j].is_alpha and doc[j].is_upper and len(doc[j].text) >= 2:
                j += 1
            if j == i or j >= n:
                continue
            k = j
            if doc[k].text == "," and k + 1 < n and doc[k + 1].text[:1].isupper():
                k += 2
            elif doc[k].text == "(" and k + 2 < n and doc[k + 2].text == ")" and doc[k + 1].text[:1].isupper():
                k += 3
            else:
                continue
            while k < n and k - j < 5 and doc[k].text not in DATELINE_DASHES and not doc[k].is_space:
                k += 1  # the rest of the source: "KOMPAS.com", "KOMPAS.com/Kontributor"
            if k < n and doc[k].text in DATELINE_DASHES:
                after = gazetteer_places.get(j + 1) if doc[j].text == "," else None
                if after is not None and i not in gazetteer_places and after.end <= k:
                    # "TIMES JABAR, JAKARTA –": the source first (one ORG), then the place
                    places += [Span(doc, i, j, label="ORG"), Span(doc, after.start, after.end, label="LOC")]
                    continue
                places.append(Span(doc, i, j, label="LOC"))
                if doc[j].text == "(":  # the news agency in brackets: "(ANTARA)"
                    sources.append(Span(doc, j + 1, j + 2, label="ORG"))
        if not places:
            return results
        out = [r for r in results if not any(r[0].start < p.end and p.start < r[0].end for p in places)]
        out += [(p, SOURCE_RULE, 1.0) for p in places]
        out += [(src, SOURCE_RULE, 1.0) for src in sources if not any(r[0].start < src.end and src.start < r[0].end for r in out)]
        return sorted(out, key=lambda r: r[0].start)

    def _attach(self, doc: Doc, results: list, words: list[str], lower: frozenset[str]) -> list:
        """GUIDELINES.md section 8 on the final spans, left to right: capitalised common words and
        hyphen-joined names (`_common_word`, `_split_hyphenated`) and initials (`_initials`) first;
        then a capitalised place prefix joins the LOC (or one-word PERSON) after it ("Kota
        Bekasi", "Desa [Penusupan]"; not "Wali Kota"); a state body written before a place, with or
        without a model span, is one ORG with it ("Polres Yahukimo", "Dinas Kesehatan Kabupaten
        Tegal", "Pemerintah Kota Bekasi"); hospitals and universities are ORG; a company's ORG takes
        "PT"/"PO" before it and "(Persero)", "Tbk" after it; last, an ORG takes its area, parent or
        branch after it (`_joins`). `words` are the texts of doc's tokens, `lower` those written in
        lower case."""
        on = self.families
        out = sorted(results, key=lambda r: r[0].start)
        if "cleanup" in on:
            out = [(p, source, score) for span, source, score in out if not self._common_word(doc, span, lower)
                   for h in self._split_hyphenated(doc, span) for p in _split_places(doc, h, words)]
        if "initials" in on:
            out = self._initials(doc, out)
        if "age_names" in on:
            out = self._age_names(doc, out)
        covered = {i for span, _, _ in out for i in range(span.start, span.end)}
        title_tokens = _covered(doc.spans[TITLES_KEY]) if TITLES_KEY in doc.spans else {}

        def free(i: int) -> bool:
            return 0 <= i < len(doc) and i not in covered

        def widen(k: int, start: int, end: int, label: str) -> None:
            span, source, score = out[k]
            out[k] = (Span(doc, start, end, label=label), source, score)
            covered.update(range(start, end))

        for k in range(len(out)):
            span = out[k][0]
            if "place_prefix" in on and span.label_ in ("LOC", "PERSON") and len(span) <= 3 and free(span.start - 1) \
                    and is_place_prefix(words, span.start - 1):  # "Desa [Penusupan]" is no person
                widen(k, span.start - 1, span.end, "LOC")
            span = out[k][0]
            if "org_area" in on and span.label_ == "LOC":  # "Dinas Kesehatan Kabupaten Tegal"
                j, head = span.start - 1, None
                while free(j) and j not in title_tokens and span.start - j <= 5 and doc[j].is_alpha and doc[j].text[:1].isupper():
                    if doc[j].lower_ in BRANCH_HEADS:
                        head = j
                    j -= 1
                if head is not None:
                    widen(k, head, span.end, "ORG")
            span = out[k][0]
            if "org_heads" in on and span.label_ == "LOC" and is_org_type([t.text for t in span]):
                widen(k, span.start, span.end, "ORG")
            span = out[k][0]
            if "org_area" in on and span.label_ == "LOC" and free(span.start - 1) and (
                doc[span.start - 1].text == "Pemerintah" and span[0].lower_ in ("kota", "kabupaten", "provinsi")
            ):
                widen(k, span.start - 1, span.end, "ORG")
            span = out[k][0]
            prefixed = free(span.start - 1) and doc[span.start - 1].text.rstrip(".") in COMPANY_PREFIXES
            # after a legal form, a place-like name is the company ("Perumda [Pasar Jaya]"), not the market
            if "company" in on and (span.label_ == "ORG" or span.label_ == "LOC" and prefixed):
                start, end = span.start, span.end
                if prefixed:
                    start -= 1
                if [t.text for t in doc[end:end + 3]] == ["(", "Persero", ")"] and all(free(i) for i in range(end, end + 3)):
                    end += 3
                if free(end) and doc[end].text.rstrip(".") == "Tbk":
                    end += 1
                if (start, end) != (span.start, span.end):
                    widen(k, start, end, "ORG")
        joined: list = []
        for span, source, score in out:
            if joined and joined[-1][0].label_ == "ORG" and self._joins(doc, joined[-1][0], span):
                prev, prev_source, prev_score = joined[-1]
                joined[-1] = (Span(doc, prev.start, span.end, label="ORG"), prev_source, prev_score)
            else:
                joined.append((span, source, score))
        if "org_chains" in on:
            joined = self._org_chains(doc, joined, words)
        if "place_heads" in on:
            joined = self._place_heads(doc, joined)
        if "company_cues" in on:
            joined = self._product_cues(doc, self._company_cues(doc, joined, words, lower), words)
        if "aliases" in on:
            joined = self._aliases(doc, joined, words)
        if "one_sense" in on:
            joined = self._one_sense(doc, joined, words, lower)
        return joined

    def _listed_portfolios(self, doc: Doc, j: int, at: dict, title_tokens: dict) -> bool:
        """Does the comma at token j go on with a list of capitalised portfolio words that ends in
        ", dan <Word>" (or "dan <Word>") within a few words, with no span, title or other comma-less
        break in it: "Dinas Perindustrian, Perdagangan, Koperasi, dan Usaha Kecil Menengah"?"""
        n, k, words = len(doc), j + 1, 0
        while k < n and words < 8:
            t = doc[k]
            if t.text == "," or t.is_space:
                k += 1
                continue
            if t.lower_ == "dan":
                return k + 1 < n and doc[k + 1].text[:1].isupper() and doc[k + 1].is_alpha and not doc[k + 1].is_upper \
                    and k + 1 not in title_tokens and doc[k + 1].lower_ not in self.org_heads
            if not (t.text[:1].isupper() and t.is_alpha and not t.is_upper) or k in at or k in title_tokens \
                    or t.lower_ in self.org_heads:  # "Dinas Kesehatan, Dinas Sosial, …": several bodies
                return False
            k += 1
            words += 1
        return False

    def _place_heads(self, doc: Doc, results: list) -> list:
        """A capitalised place head (resources/patterns/place_heads.txt) and the capitalised words
        after it are one LOC, over the spans inside ("Gelanggang Olahraga [Lila Bhuana]", "Terminal
        [Pulo Gebang]", "Gelora [I Gusti Ngurah Rai]"): numbers with a letter or after "Km" ("Rest
        Area Km 50A"), roman numerals and a hyphen inside a word ("Jalan Tol Jakarta-Merak") go on
        the chain; it stops at a lower-case word, punctuation, a title, a date or an ORG ("Gedung
        [KPK]" keeps only the ORG). Not inside a longer name (a capitalised word or a span before
        the head), never over a rule's ORG or PERSON. A place of the gazetteer that ends the chain
        after a name is the site's city, a LOC of its own ("[Taman Surya] [Surabaya]")."""
        heads, n = self.place_heads, len(doc)
        if not heads:
            return results
        title_tokens = _covered(doc.spans[TITLES_KEY]) if TITLES_KEY in doc.spans else {}
        at: dict[int, int] = {}
        for k, (span, _, _) in enumerate(results):
            for i in range(span.start, span.end):
                at[i] = k
        spans: list[tuple[int, int]] = []
        cities: list[tuple[int, int]] = []
        gazetteer_places = {g.end: g.start for g in doc.spans.get(GAZETTEER_KEY, ()) if g.label_ == "LOC"}
        i = 0
        while i < n:
            size = _head_length(doc, i, heads)
            if not size or i in title_tokens or (i in at and results[at[i]][0].start < i) or (
                    i > 1 and doc[i - 1].text[:1].isupper() and doc[i - 1].is_alpha and i - 1 not in title_tokens
                    and not (doc[i - 2].is_punct or doc[i - 2].is_space)):  # "Pemimpin Wihara …" opens a sentence
                i += 1
                continue
            j = end = i + size
            while j < n and j not in title_tokens:
                x = doc[j]
                k = at.get(j)
                if k is not None:
                    span, source, _ = results[k]
                    if span.start < i or span.label_ in ("ORG", "DATE") or (source == SOURCE_RULE and span.label_ == "PERSON"):
                        break
                    j = end = span.end
                    continue
                if x.text[:1].isupper() and x.is_alpha and x.text not in NOT_NAME_WORDS or (
                        x.text[:1].isdigit() and x.text.isalnum() and (any(c.isalpha() for c in x.text) or doc[j - 1].lower_ == "km")):
                    j = end = j + 1
                elif x.text == "-" and not x.whitespace_ and not doc[j - 1].whitespace_ and j == end and j + 1 < n \
                        and doc[j + 1].text[:1].isupper():
                    j += 1
                else:
                    break
            if end > i + size and all(results[at[m]][0].end <= end for m in range(i, end) if m in at):
                city = gazetteer_places.get(end)
                if city is not None and city > i + size:  # "[Taman Surya] [Surabaya]": the site, then its city
                    spans.append((i, city))
                    cities.append((city, end))
                else:
                    spans.append((i, end))
            i = max(end, i + 1)
        if not spans:
            return results
        inside = {k for s, e in spans + cities for m in range(s, e) if m in at for k in (at[m],)}
        out = [r for k, r in enumerate(results) if k not in inside]
        out += [(Span(doc, s, e, label="LOC"), SOURCE_RULE, 1.0) for s, e in spans + cities]
        return sorted(out, key=lambda r: r[0].start)

    def _org_chains(self, doc: Doc, results: list, words: list[str]) -> list:
        """An institution's official name is one ORG: a capitalised head (resources/patterns/
        org_heads.txt: "Badan", "Gugus Tugas", "Rumah Sakit", "Polres") with the capitalised chain
        after it, over the spans found inside it (its area, its parent, a one-word model PERSON),
        "Covid-19", a number between two words ("PT KAI Daop 8 Surabaya"), "dr" and a hospital's
        namesake after it (whatever span the namesake has: "RSUP Dr M Djamil Padang"), English
        joiners ("Center of Reform on Economics"), "(Persero)" and "Tbk" after a company, and
        "dan" before a derived common word that starts no other name or institution ("Badan
        Penanggulangan Bencana dan Perlindungan Masyarakat Kota Surabaya", "Polres Kupang Kota") or
        before the name's last words (`_last_words`: "Badan Pengatur Hilir Minyak dan Gas Bumi").
        The chain stops at a title, a date, a section or document number, a longer PERSON or a
        word of one, a bracket, punctuation or a line break; after a title with no name or title
        after it, the holder's name at its end stays out. It is kept only if it covers every span
        it touches and its own words are more than a numbered unit, a descriptor or stop words
        ("Komisi III", "Balai Kota", "dua Fakultas Baru": GSD-NER dev). The spans are first tidied
        (`_split_institutions`, `_province_branches`)."""
        heads = self.org_heads
        if not heads:
            return results
        n = len(doc)
        title_tokens = _covered(doc.spans[TITLES_KEY]) if TITLES_KEY in doc.spans else {}
        results = self._province_branches(doc, self._split_institutions(doc, results, words))
        at: dict[int, int] = {}
        for k, (span, _, _) in enumerate(results):
            for i in range(span.start, span.end):
                at[i] = k

        def head_at(i: int) -> int:
            return _head_length(doc, i, heads)

        def word(t) -> bool:
            text = t.text
            return text[:1].isupper() and any(c.isalpha() for c in text) and all(c.isalnum() for c in text) \
                and text not in NOT_NAME_WORDS and t.lower_ not in CALENDAR_WORDS

        # words of the document's multi-word PERSONs end a chain ("… Provinsi Maluku [Dony Rerung]")
        person_words = {t.text for span, _, _ in results if span.label_ == "PERSON" and len(span) > 1
                        for t in span if _is_name_token(t) and len(t.text) > 2}
        found: list[dict] = []

        def gazetteer() -> dict:
            if not found:
                found.append(_covered(doc.spans[GAZETTEER_KEY]) if GAZETTEER_KEY in doc.spans else {})
            return found[0]

        chains: list[tuple[int, int, int | None]] = []  # start, end, start of a span's PERSON remainder
        i = 0
        while i < n:
            size = head_at(i) if doc[i].text[:1].isupper() and i not in title_tokens else 0
            if size and i + size < n and head_at(i + size):
                size = 0  # "Wakil Ketua Komite [Badan Pengatur …]": the name starts at the second head
            if size and doc[i].lower_ in WEAK_ORG_HEADS and (i + size in at and results[at[i + size]][0].start == i + size
                                                              or i > 0 and i - 1 not in title_tokens
                                                              and doc[i - 1].text[:1].isupper() and doc[i - 1].is_alpha):
                size = 0  # inside a longer name: "Kantor Pusat …", "Jakarta Pusat"; "Tim [IDI]"
            if not size or (i in at and results[at[i]][0].start < i):
                i += 1
                continue
            j = end = span_end = i + size
            last_loc, person, listed = False, None, False
            hospital = is_org_type([x.text for x in doc[i:i + 2]])
            while j < n and doc[j].lower_ not in ORG_SECTION_WORDS | _DOCUMENT_NUMBER:
                t = doc[j]
                k = at.get(j)
                if hospital and j == end and t.lower_.rstrip(".") == "dr":  # "RSUP Dr M Djamil", "RSUD dr. Soetomo"
                    m = j + 2 if j + 2 < n and doc[j + 1].text == "." and not t.whitespace_ else j + 1
                    if k is not None and results[k][0].start == j and results[k][0].label_ == "PERSON":
                        m = j  # "[Dr Sardjito]" found after the title "Dr"
                    if m < n and m in at and results[at[m]][0].start == m and results[at[m]][0].label_ != "DATE":
                        j = end = span_end = results[at[m]][0].end  # the namesake, whatever the model took it for
                        continue
                    if m < n and word(doc[m]):
                        j = m
                        continue
                    break
                if j in title_tokens:
                    break
                if k is not None and results[k][0].start == j:
                    span, source, _ = results[k]
                    if span.label_ == "DATE" or span.label_ == "PERSON" and (
                            len(span) > 1 or source == SOURCE_RULE or last_loc):  # "… Jakarta [Syaifudin]"
                        if span.label_ == "PERSON" and span_end > i + size:
                            end = span_end  # "… Kementerian Pertanian Agung [Hendriadi]": a name's first word
                        break
                    cut = next((m for m in range(span.start, span.end) if doc[m].text in person_words), None)
                    if cut is not None:
                        if cut > span.start and span.label_ != "PERSON" and all(_is_name_token(x) for x in doc[cut:span.end]):
                            end, person = cut, cut
                        break
                    j = end = span_end = span.end
                    last_loc = span.label_ == "LOC"
                    continue
                elif (k is not None and results[k][0].start > i) or t.text in person_words:
                    break
                elif word(t) or (t.is_digit and doc[j - 1].text == "-" and j - 1 == end - 1) or (
                        t.text == "19" and j == end and doc[j - 1].lower_ == "covid"):  # "… Penanganan Covid 19"
                    j = end = j + 1
                    last_loc = False
                elif t.text == "," and j == end and j > i + size and self._listed_portfolios(doc, j, at, title_tokens):
                    j += 1  # "Dinas Tenaga Kerja, Transmigrasi, dan Energi DKI Jakarta": a list of portfolios
                    listed = True
                elif t.text == "-" and j == end and not doc[j - 1].whitespace_ and not t.whitespace_ \
                        and j + 1 < n and doc[j + 1].text[:1].isalnum():
                    j = end = j + 1  # "Covid-19"; never the chain's end (see below)
                elif t.like_num and t.text.isdigit() and j == end and j > i + size and j + 1 < n and word(doc[j + 1]) \
                        and j + 1 not in title_tokens:
                    j += 1  # "PT KAI Daop 1 Jakarta"
                elif t.lower_ in ("of", "on", "for", "and", "the", "&") and j == end and j + 1 < n and word(doc[j + 1]) \
                        and j + 1 not in at:
                    j += 1  # "Center of Reform on Economics"
                elif t.lower_ == "dan" and (j == end or listed and doc[j - 1].text == ",") and j + 1 < n and word(doc[j + 1]) \
                        and (j + 1 not in at or listed and results[at[j + 1]][0].start == j + 1
                             and results[at[j + 1]][0].label_ in ("ORG", "LOC")) \
                        and j + 1 not in title_tokens and not head_at(j + 1) and (
                            listed or doc[j + 1].lower_ in self.not_name or self._last_words(doc, j + 1, at, title_tokens, head_at)):
                    j += 1  # "Bencana dan Perlindungan Masyarakat", "Hilir Minyak dan Gas Bumi", not "Puskesmas X dan Posko …"
                else:
                    break
            while end > i + size and not doc[end - 1].text[:1].isalnum():
                end -= 1
            if doc[i].text.rstrip(".") in COMPANY_PREFIXES and end > i + size:  # "PT Maju Jaya (Persero) Tbk"
                if [t.text for t in doc[end:end + 3]] == ["(", "Persero", ")"] and not any(x in at for x in range(end, end + 3)):
                    end += 3
                if end < n and doc[end].text.rstrip(".") == "Tbk" and end not in at:
                    end += 1
            if end > i + size and person is None and self._before_name(doc, i, end, title_tokens, at, results):
                # after a title the chain ends with the holder's name unless a name or title follows
                # ("Juru Bicara Satgas … Provinsi Maluku Dony Rerung mengatakan")
                cut = name_start(doc, i + size, end, lambda x: x in title_tokens or _is_qualifier_word(doc[x])
                                 or is_not_name_word(doc[x], self.not_name) or x in gazetteer()
                                 or (x in at and results[at[x]][1] == SOURCE_RULE))
                while cut > i + size and not doc[cut - 1].text[:1].isalnum():
                    cut -= 1
                if not (hospital and doc[cut - 1].lower_.rstrip(".") == "dr"):  # "RSUD dr [Soetomo]" is the namesake
                    end = cut
            while end > i + size and (doc[end - 1].is_lower or not doc[end - 1].text[:1].isalnum()):
                end -= 1  # never ends on a joiner ("Centre for")
            own = doc[i + size:end]
            if end > i + size and not all(len(t.text) == 1 or _ROMAN.fullmatch(t.text) for t in own) \
                    and not all(t.lower_ in DESCRIPTOR_WORDS or t.lower_ in ("besar", "kecil") or t.is_stop for t in own):
                chains.append((i, end, person))  # not a numbered unit alone ("Komisi III", "Komisi B")
            i = max(end, i + 1)
        if not chains:
            return results
        drop: set[int] = set()
        added = []
        for start, end, person in chains:
            touched = {at[x] for x in range(start, end) if x in at}
            if person is not None:
                k = at[person]
                added.append((Span(doc, person, results[k][0].end, label="PERSON"), SOURCE_RULE, 1.0))
                drop.add(k)
                touched.discard(k)
            if any(results[k][0].start < start or results[k][0].end > end for k in touched):
                continue
            if len(touched) == 1 and (results[next(iter(touched))][0].start, results[next(iter(touched))][0].end) == (start, end) \
                    and results[next(iter(touched))][0].label_ == "ORG":
                continue
            drop |= touched
            added.append((Span(doc, start, end, label="ORG"), SOURCE_RULE, 1.0))
        out = [r for k, r in enumerate(results) if k not in drop] + added
        return sorted(out, key=lambda r: r[0].start)

    @staticmethod
    def _last_words(doc: Doc, i: int, at: dict, title_tokens: dict, head_at) -> bool:
        """Do the capitalised words from doc[i] end the name: at most three, none a span's, a title's,
        a head's, a descriptor or an opener, followed by no capitalised word or hyphen ("Badan
        Pengatur Hilir Minyak dan [Gas Bumi]": idner-news-2k dev)?"""
        j = i
        while j < len(doc) and doc[j].text[:1].isupper() and doc[j].is_alpha:
            if j in at or j in title_tokens or head_at(j) or doc[j].text in NOT_NAME_WORDS or j - i >= 3 \
                    or doc[j].lower_ in ORG_DESCRIPTORS or doc[j].lower_ in ORG_OPENERS:
                return False  # "Puskesmas X dan Posko …": two bodies
            j += 1
        return j > i and not (j < len(doc) and (doc[j].text[:1].isupper() or doc[j].text == "-"))

    @staticmethod
    def _before_name(doc: Doc, start: int, end: int, title_tokens: dict, at: dict, results: list) -> bool:
        """Does the chain doc[start:end] follow a title with no name or title after it (so the
        holder's name may be the chain's last words)?"""
        before = start - 1
        while before >= 0 and doc[before].is_space and "\n" not in doc[before].text:
            before -= 1
        if before < 0 or before not in title_tokens:
            return False
        after = end
        while after < len(doc) and doc[after].is_space and "\n" not in doc[after].text:
            after += 1
        return not (after in title_tokens or (after < len(doc) and doc[after].text == "(")  # "… Economics (CORE)"
                    or (after in at and results[at[after]][0].start == after and results[at[after]][0].label_ == "PERSON"))

    def _province_branches(self, doc: Doc, results: list) -> list:
        """A national organisation ("… Indonesia", or the initials of such an ORG in the article)
        followed by a province (resources/patterns/provinces.txt, "Provinsi" before it allowed) is
        its regional branch, one ORG ("[Ikatan Dokter Indonesia Jawa Timur]", "[IDI Jatim]")."""
        if not self.provinces:
            return results
        national = {"".join(t.text[0] for t in span if t.is_alpha).upper() for span, _, _ in results
                    if span.label_ == "ORG" and len(span) > 1 and span[-1].lower_ == "indonesia"}

        def is_national(org: Span) -> bool:  # "Ikatan Dokter Indonesia", or "IDI" beside it
            return len(org) > 1 and org[-1].lower_ == "indonesia" or len(org) == 1 and org.text in national

        out: list = []
        for span, source, score in results:
            if out and span.label_ == "LOC" and out[-1][0].label_ == "ORG" and out[-1][0].end == span.start \
                    and is_national(out[-1][0]) \
                    and " ".join(t.lower_ for t in span if t.lower_ not in ("provinsi", "prov")) in self.provinces:
                prev = out[-1][0]
                out[-1] = (Span(doc, prev.start, span.end, label="ORG"), SOURCE_RULE, 1.0)
                continue
            out.append((span, source, score))
        return out

    def _company_cues(self, doc: Doc, results: list, words: list[str], lower: frozenset[str]) -> list:
        """A one-word name after a company cue (resources/patterns/company_cues.txt: "vaksin
        [AstraZeneca]", "bus [Transjakarta]", "[Grup Alibaba]") is an ORG, with "Grup" inside it;
        so are the other spans of that word in the article and its mentions that stand alone (no
        capitalised word before them, none after but a programme's name: `_names_a_programme`;
        never written in lower case). Not a place of the gazetteer, a title or a disease ("vaksin
        Covid-19")."""
        cues = self.company_cues
        if not cues or not any(w.lower() in cues for w in words):
            return results
        n = len(doc)
        at = _covered(span for span, _, _ in results)
        titles = _covered(doc.spans[TITLES_KEY]) if TITLES_KEY in doc.spans else {}
        places = {i for g in (doc.spans[GAZETTEER_KEY] if GAZETTEER_KEY in doc.spans else []) if g.label_ == "LOC"
                  for i in range(g.start, g.end)}
        names: set[str] = set()
        groups: set[int] = set()  # "Grup" tokens joining their name
        for c, w in enumerate(words):
            cue = w.lower()
            if cue not in cues or c + 1 >= n or (cue in ("grup", "group") and not w[:1].isupper()):
                continue
            k = c + 1
            while k < n and doc[k].is_space and "\n" not in doc[k].text:
                k += 1
            if k >= n:
                continue
            name = doc[k]
            own = at.get(k)
            # "CEO Jouska Aakar Abyasa Fidzuno": a name before the person's, when the article also
            # writes it alone ("pihak Jouska", "kasus Jouska") at least twice
            before_name = (k + 1 < n and doc[k + 1].text[:1].isupper() and doc[k + 1].is_alpha
                           and self._alone_count(doc, words, name.text) >= 2)
            if not (name.text[:1].isupper() and name.text.isalnum() and any(ch.isalpha() for ch in name.text)
                    and name.text not in NOT_NAME_WORDS and name.lower_ not in CALENDAR_WORDS
                    and k not in titles and k not in places and (own is None or len(own) == 1 or before_name)
                    and len(name.text) > 2
                    and (before_name or not (k + 1 < n and (doc[k + 1].text == "-" or doc[k + 1].text[:1].isupper())))
                    and not (k + 1 < n and doc[k + 1].like_num)):
                continue  # "vaksin Covid-19", "vaksin Merah Putih", "vaksin Rp 18 triliun"
            names.add(name.text)
            if cue in ("grup", "group") and c not in at:
                groups.add(c)
        if not names:
            return results
        out = []
        for span, source, score in results:
            if span.label_ == "PERSON" and len(span) >= 3 and span[0].text in names and span[1].text[:1].isupper():
                # the company's name opened the person's span: "[Jouska] [Aakar Abyasa Fidzuno]"
                out.append((Span(doc, span.start, span.start + 1, label="ORG"), SOURCE_RULE, 1.0))
                span, source, score = Span(doc, span.start + 1, span.end, label="PERSON"), SOURCE_RULE, 1.0
            if span.text in names and span.label_ != "ORG":
                span, source, score = Span(doc, span.start, span.end, label="ORG"), SOURCE_RULE, 1.0
            if span.text in names and span.start - 1 in groups:
                span, source, score = Span(doc, span.start - 1, span.end, label="ORG"), SOURCE_RULE, 1.0
            out.append((span, source, score))
        covered = {i for span, _, _ in out for i in range(span.start, span.end)}
        for i, w in enumerate(words):
            if w in names and i not in covered and w.lower() not in lower and not _hyphen_attached(doc, i, i + 1):
                start = i - 1 if i - 1 in groups and i - 1 not in covered else i
                if start == i and (i > 0 and doc[i - 1].text[:1].isupper() and doc[i - 1].is_alpha
                                   or not self._names_a_programme(doc, i + 1)):
                    continue  # "Alibaba Business School", "Alibaba Group": part of another name
                out.append((Span(doc, start, i + 1, label="ORG"), SOURCE_RULE, 1.0))
                covered.update(range(start, i + 1))
        return sorted(out, key=lambda r: r[0].start)

    def _product_cues(self, doc: Doc, results: list, words: list[str]) -> list:
        """A one-word name after a product cue (resources/patterns/product_cues.txt: "pesawat Hawk",
        "aplikasi PeduliLindungi") is a product: no entity there nor at its other mentions, unless
        the gazetteer knows the name or the model found more than that word."""
        cues = self.product_cues
        if not cues or not any(w.lower() in cues for w in words):
            return results
        known = {g.text for g in (doc.spans[GAZETTEER_KEY] if GAZETTEER_KEY in doc.spans else [])}
        names = set()
        for c, w in enumerate(words[:-1]):
            if w.lower() not in cues:
                continue
            k = c + 1
            while k < len(doc) and doc[k].is_space:
                k += 1
            if k >= len(doc):
                continue
            name = doc[k]
            if name.text[:1].isupper() and name.is_alpha and not name.is_upper and name.text not in known \
                    and not (k + 1 < len(doc) and doc[k + 1].text[:1].isupper() and doc[k + 1].is_alpha):
                names.add(name.text)
        if not names:
            return results
        return [r for r in results if r[0].text not in names or r[0].label_ == "DATE"]

    @staticmethod
    def _alone_count(doc: Doc, words: list[str], text: str) -> int:
        """How often `text` stands as a word with no capitalised word right before or after it."""
        count = 0
        for i, w in enumerate(words):
            if w == text and not any(0 <= j < len(doc) and doc[j].text[:1].isupper() and doc[j].is_alpha
                                     for j in (i - 1, i + 1)):
                count += 1
        return count

    def _names_a_programme(self, doc: Doc, i: int) -> bool:
        """Do the capitalised words from token i on (if any) name something of a company, such as a
        programme or product ("[Alibaba] Netpreneur Training"), and not an organisation ("Alibaba
        Business School", "Alibaba Group": an institution word or head among them)?"""
        words = []
        while i < len(doc) and doc[i].text[:1].isupper() and doc[i].is_alpha and len(words) < 6:
            words.append(doc[i].lower_)
            i += 1
        return not any(w in COMPANY_WORDS or w in self.org_heads or w in ORG_OPENERS for w in words)

    def _joins_two(self, words: Sequence[str]) -> bool:
        """Do these words join two institutions (`_joins_two_at` one of them)?"""
        return any(self._joins_two_at(words, k) for k in range(len(words)))

    def _joins_two_at(self, words: Sequence[str], k: int) -> bool:
        """Does words[k] join two institutions: "serta", or "dan" before an institution head
        ("… Kesehatan serta Organisasi …", "… dan Badan …")?"""
        w = words[k].lower()
        return w == "serta" or (w == "dan" and k + 1 < len(words) and words[k + 1][:1].isupper() and (
            (nxt := words[k + 1].lower()) in self.org_heads or nxt in ORG_OPENERS or nxt in ORG_NOUNS))

    @staticmethod
    def _after_section(doc: Doc, span: Span, heads: dict, title_tokens: dict, org_starts: set) -> int | None:
        """Where the organisation starts in an ORG right after a title that opens with a section of it
        ("Kepala [Departemen Ekonomi] Centre of …", "Kepala Biro … Divisi Humas [Polri]"; GUIDELINES
        section 8: the section belongs to the title): the first later word that heads an institution
        (org_heads.txt, ORG_OPENERS) or opens a gazetteer ORG; None if there is none."""
        if span.label_ != "ORG" or len(span) < 3 or span[0].lower_ not in ORG_SECTION_HEADS or span.start - 1 not in title_tokens:
            return None
        return next((m for m in range(span.start + 2, span.end) if doc[m].text[:1].isupper() and (
            doc[m].lower_ in heads or doc[m].lower_ in ORG_OPENERS or doc[m].lower_ in UNIT_HEADS or m in org_starts)), None)

    def _university_city(self, doc: Doc, span: Span) -> int | None:
        """Where the city starts in a university's ORG that ends with the city it is in ("[Universitas
        Yapis] [Jayapura]", GUIDELINES section 8: a unique institution and its city are two spans);
        None if the place is part of the name ("Universitas Negeri Jakarta", "Institut Kesenian
        Jakarta": a word of UNIVERSITY_NAME_WORDS or a common word before it) or there is none."""
        if span.label_ != "ORG" or len(span) < 3 or span[0].lower_ not in UNIVERSITY_HEADS or GAZETTEER_KEY not in doc.spans:
            return None
        city = next((g.start for g in doc.spans[GAZETTEER_KEY] if g.label_ == "LOC" and g.end == span.end
                     and span.start + 1 < g.start), None)
        if city is None or any(t.lower_ in UNIVERSITY_NAME_WORDS or t.lower_ in self.not_name or not t.text[:1].isupper()
                               for t in doc[span.start + 1:city]):
            return None
        return city

    def _split_institutions(self, doc: Doc, results: list, words: list[str]) -> list:
        """ORG spans that join two institutions ("Kementerian Kesehatan serta Organisasi Kesehatan
        Dunia", "… dan Badan …") split at the joiner: "serta" between capitalised words, or "dan"
        before an institution head or opener. An ORG or LOC opening with a descriptor loses it ("Mako
        [Brimob Kupang]", "Posko [Desa Oelomin]", GUIDELINES section 8), or is dropped if only common
        words follow it ("Posko Penanganan"). A model ORG after a title that opens with a section
        starts at the organisation (`_after_section`); a university's ORG ending with its city is
        split (`_university_city`). A span whose words are all common words of
        resources/patterns/not_entities.txt, with numbers or hyphens, is dropped ("Covid-19"), and
        so is a one-word ORG that is only an organisation opener ("oleh Kementerian")."""
        title_tokens = _covered(doc.spans[TITLES_KEY]) if TITLES_KEY in doc.spans else {}
        org_starts = {g.start for g in doc.spans[GAZETTEER_KEY] if g.label_ == "ORG"} if GAZETTEER_KEY in doc.spans else set()
        out = []
        for span, source, score in results:
            if span.label_ != "DATE" and len(span) > 1 and all(t.lower_ in self.not_entities for t in span if t.is_alpha) \
                    and any(t.is_alpha for t in span):
                continue  # "Covid-19": a disease, whatever the numbers and hyphens
            if span.label_ in ("ORG", "LOC") and len(span) > 1 and span[0].lower_ in ORG_DESCRIPTORS \
                    and span[1].text[:1].isupper() and span[1].lower_ != "besar":
                if all(t.lower_ in self.not_name or not t.is_alpha for t in span[1:]):
                    continue  # "Posko Penanganan": a descriptor and common words
                span, source, score = Span(doc, span.start + 1, span.end, label=span.label_), SOURCE_RULE, 1.0
            inner = self._after_section(doc, span, self.org_heads, title_tokens, org_starts)
            if inner is not None:  # "Kepala Departemen Ekonomi [Centre of …]"
                span, source, score = Span(doc, inner, span.end, label="ORG"), SOURCE_RULE, 1.0
            if span.label_ == "ORG" and len(span) == 1 and span[0].lower_ in NAMELESS_HEADS:
                continue  # "ditetapkan oleh Kementerian": an institution word without a name
            city = self._university_city(doc, span)
            if city is not None:
                out.append((Span(doc, span.start, city, label="ORG"), SOURCE_RULE, 1.0))
                out.append((Span(doc, city, span.end, label="LOC"), SOURCE_RULE, 1.0))
                continue
            cut = None
            if span.label_ == "ORG" and len(span) >= 3:
                cut = next((x for x in range(span.start + 1, span.end - 1) if self._joins_two_at(words, x)), None)
            if cut is None:
                out.append((span, source, score))
                continue
            for s, e in ((span.start, cut), (cut + 1, span.end)):
                out.extend((p, SOURCE_RULE, 1.0) for p in _clean(doc, s, e, "ORG"))
        return out

    def _one_sense(self, doc: Doc, results: list, words: list[str], lower: frozenset[str]) -> list:
        """One label per name in an article: the spans of the same words with different labels all
        take the label with the most evidence (a rule span counts 3; a PERSON or LOC mention after
        "di" counts 2 for LOC; a model span 1), and unlabelled repeats of a name ("LOKET" …
        "meluncurkan LOKET") with 2 or more of evidence get its label when they stand alone (no
        capitalised word next to them) and the text never writes their words in lower case (a
        PERSON's repeats only after its first labelled mention)."""
        def word(k: int, step: int) -> str:
            while 0 <= k < len(words) and words[k].isspace() and "\n" not in words[k]:
                k += step
            return words[k] if 0 <= k < len(words) else ""

        def key(span: Span) -> tuple:
            return tuple(words[span.start:span.end])

        votes: dict[tuple, dict[str, int]] = {}
        for span, source, _ in results:
            if span.label_ == "DATE":
                continue
            if word(span.start - 1, -1).lower() == "di" and span.label_ in ("LOC", "PERSON"):
                label, weight = "LOC", 2
            else:
                label, weight = span.label_, 3 if source == SOURCE_RULE else 1
            tally = votes.setdefault(key(span), {})
            tally[label] = tally.get(label, 0) + weight
        best = {}
        for name, tally in votes.items():
            ranked = sorted(tally.items(), key=lambda kv: -kv[1])
            if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
                best[name] = ranked[0][0]
        out = []
        for span, source, score in results:
            label = best.get(key(span))
            if label is not None and span.label_ != "DATE" and span.label_ != label:
                span, source, score = Span(doc, span.start, span.end, label=label), SOURCE_RULE, 1.0
            out.append((span, source, score))
        covered = {i for span, _, _ in out for i in range(span.start, span.end)}
        names = {name: label for name, label in best.items() if votes[name][label] >= 2
                 and all(w[:1].isupper() and w.lower() not in lower for w in name)}

        def stands_alone(start: int, end: int) -> bool:
            return not _hyphen_attached(doc, start, end) and not any(
                w[:1].isupper() for w in (word(start - 1, -1), word(end, 1)))

        at: dict[str, list[int]] = {}
        for i, w in enumerate(words):
            if w[:1].isupper():
                at.setdefault(w, []).append(i)
        first: dict[tuple, int] = {}  # a person's repeats follow the first mention ("Suku pertama … Suku Kaili")
        for span, _, _ in out:
            first.setdefault(key(span), span.start)
        covered |= common_word_tokens(doc)  # "Antara yang …": the common word, not the name
        for name, label in names.items():
            n = len(name)
            for i in at.get(name[0], ()):
                if tuple(words[i:i + n]) == name and not (label == "PERSON" and i < first.get(name, 0)) \
                        and not any(k in covered for k in range(i, i + n)) and stands_alone(i, i + n):
                    out.append((Span(doc, i, i + n, label=label), SOURCE_RULE, 1.0))
                    covered.update(range(i, i + n))
        return sorted(out, key=lambda r: r[0].start)

    def _alias_name_start(self, doc: Doc, end: int) -> int:
        """First token of the capitalised name that ends at token `end` - 1 ("Kitab Undang-undang
        Hukum Pidana", "Perhimpunan Hotel dan Restoran Indonesia"), at most 10 tokens back."""
        start = end
        while start > 0 and end - start < 10:
            token = doc[start - 1]
            if token.text[:1].isupper() and token.is_alpha:
                start -= 1
            elif token.lower_ in _CHAIN_JOINERS | _ENGLISH_JOINERS and start < end and start > 1 \
                    and doc[start - 2].text[:1].isupper():
                start -= 1
            elif token.is_lower and start > 1 and doc[start - 2].text == "-" and not doc[start - 2].whitespace_:
                start -= 1  # "Undang-[undang]"
            else:
                break
        while start < end and not doc[start].text[:1].isupper():
            start += 1
        return start

    def _widen_before_alias(self, doc: Doc, results: list, words: list[str]) -> list:
        """An ORG starting with an organisation opener (ORG_OPENERS) that ends before a "dan" of the
        capitalised name before a parenthesised abbreviation takes the whole name (see `_aliases`);
        so does every ORG inside a name whose capitalised words' initials spell the upper-case
        abbreviation ("Center for Strategic and International Studies (CSIS)")."""
        by_start = {span.start: k for k, (span, _, _) in enumerate(results)}
        drop: set[int] = set()
        for i in range(1, len(words) - 2):
            if not (words[i] == "(" and words[i + 2] == ")" and words[i + 1][:1].isupper()):
                continue
            j = i
            while j > 0 and words[j - 1].isspace() and "\n" not in words[j - 1]:
                j -= 1
            start = self._alias_name_start(doc, j)
            k = next((by_start[x] for x in (start, start + 1) if x in by_start), None)
            if k is None:
                continue
            span, source, score = results[k]
            if (span.label_ == "ORG" and span[0].lower_ in ORG_OPENERS and span.end < j
                    and any(w.lower() in _CHAIN_JOINERS for w in words[span.end:j])
                    and not ("org_chains" in self.families and self._joins_two(words[span.end:j]))):
                results[k] = (Span(doc, span.start, j, label="ORG"), SOURCE_RULE, 1.0)
                drop.update(n for n, (other, _, _) in enumerate(results)
                            if n != k and span.end <= other.start and other.end <= j)
        for i in range(1, len(words) - 2):
            # a name spelled out by its abbreviation: "Center for Strategic and International Studies
            # (CSIS)", where the model found only "[International Studies]"
            if not (words[i] == "(" and words[i + 2] == ")" and words[i + 1].isupper() and 3 <= len(words[i + 1]) <= 8):
                continue
            j = i
            while j > 0 and words[j - 1].isspace() and "\n" not in words[j - 1]:
                j -= 1
            alias = words[i + 1].lower()
            if alias in self.not_entities:
                continue  # "Kelompok Penyelenggara Pemungutan Suara (KPPS)": a kind of committee
            start = next((s for s in range(self._alias_name_start(doc, j), j) if words[s][:1].isupper()
                          and "".join(w[0] for w in words[s:j] if w[:1].isupper()).lower() == alias), None)
            if start is None:
                continue
            inside = [n for n, (other, _, _) in enumerate(results) if start <= other.start and other.end <= j]
            inside.sort(key=lambda n: results[n][0].label_ != "ORG")  # an ORG first: it takes the name
            if (not inside or j - start < 3 or results[inside[0]][0].label_ != "ORG"
                    or any(results[n][0].label_ not in ("ORG", "LOC") for n in inside)
                    or any(other.start < start < other.end for other, _, _ in results)):
                continue
            k = inside[0]
            if results[k][0].start > start or results[k][0].end < j or len(inside) > 1:
                results[k] = (Span(doc, start, j, label="ORG"), SOURCE_RULE, 1.0)
                drop.update(inside[1:])
        return [r for n, r in enumerate(results) if n not in drop] if drop else results

    def _aliases(self, doc: Doc, results: list, words: list[str]) -> list:
        """A parenthesised abbreviation after a name ("Taruna Siaga Bencana (Tagana)") is the same
        entity: it takes the label of the span that ends before the bracket and covers the
        capitalised name (but for one word before it, "Relawan [Taruna Siaga Bencana]"), one of whose
        first two words starts with the abbreviation's letter, there
        and at every mention of the same word in the article (not joined by a hyphen). An
        upper-case abbreviation after a lower-case phrase ("kejadian ikutan pascaimunisasi (KIPI)") or a document or programme (a name starting with, or after, a word of
        resources/patterns/document_words.txt: "Daftar Isian Pelaksana Anggaran (DIPA)", "program
        Pemulihan Ekonomi Nasional (PEN)") it is no entity anywhere, nor is that name. An ORG
        that opens an organisation's name ("Perhimpunan", "Badan") and stops before a "dan" of the
        name before the bracket is widened to the whole name ("[Badan Pengawas Obat dan Makanan]
        (BPOM)")."""
        results = self._widen_before_alias(doc, results, words)
        ends = {span.end: span for span, _, _ in results}
        covered = _covered(span for span, _, _ in results)
        labels: dict[str, set[str]] = {}
        not_entities, dropped = set(), set()
        for i in range(1, len(words) - 2):
            if not (words[i] == "(" and words[i + 2] == ")"):
                continue
            alias = doc[i + 1]
            if not (alias.text[:1].isupper() and len(alias.text) >= 2 and any(c.isalpha() for c in alias.text)):
                continue
            if i + 1 in covered and len(covered[i + 1]) != 1 or i in covered:
                continue  # "(Persero)" inside a company's ORG
            j = i
            while j > 0 and doc[j - 1].is_space and "\n" not in doc[j - 1].text:
                j -= 1
            if j == 0 or doc[j - 1].is_punct:
                continue
            start = self._alias_name_start(doc, j)
            before = doc[start - 1] if start > 0 else None
            if doc[j - 1].is_lower and alias.is_upper or start < j and (
                    doc[start].lower_ in self.document_words or before is not None and before.lower_ in self.document_words):
                not_entities.add(alias.text)
                if j in ends and start <= ends[j].start:
                    dropped.add((ends[j].start, ends[j].end))
            elif j in ends and ends[j].label_ != "DATE" and ends[j].start <= start + 1 and any(  # not "[Sri Lanka] (UDA)"
                    doc[k].text[:1] == alias.text[:1] for k in range(ends[j].start, min(ends[j].start + 2, j))):  # "Value (Nilai)"
                labels.setdefault(alias.text, set()).add(ends[j].label_)
        known = {g.text: g.label_ for g in doc.spans[GAZETTEER_KEY]} if GAZETTEER_KEY in doc.spans else {}
        labels = {text: next(iter(found)) for text, found in labels.items()
                  if len(found) == 1 and text not in not_entities and text.lower() not in self.not_entities
                  and known.get(text, next(iter(found))) == next(iter(found))}  # "Asia Tenggara (ASEAN)": ASEAN stays ORG
        if not labels and not not_entities:
            return results
        out = []
        for span, source, score in results:
            if (span.start, span.end) in dropped or span.text in not_entities:
                continue
            if span.text in labels and span.label_ != labels[span.text]:
                span, source, score = Span(doc, span.start, span.end, label=labels[span.text]), SOURCE_RULE, 1.0
            out.append((span, source, score))
        for i, w in enumerate(words):
            if w in labels and i not in covered and not _hyphen_attached(doc, i, i + 1):
                out.append((Span(doc, i, i + 1, label=labels[w]), SOURCE_RULE, 1.0))
        return sorted(out, key=lambda r: r[0].start)

    def _joins(self, doc: Doc, org: Span, span: Span) -> bool:
        """The span after an ORG belongs to it: its area after a state body ("[Polda] [Papua]"), its
        parent after a unit ("[Unit Transfusi Darah] [PMI]"), a company's branch ("[PT X] Cabang
        [Kupang]")."""
        on = self.families
        if org.end == span.start:
            return "org_area" in on and (
                (span.label_ == "LOC" and any(t.lower_ in BRANCH_HEADS for t in org))
                or (span.label_ == "ORG" and org[0].lower_ in UNIT_HEADS)
            )
        return ("company" in on and span.label_ == "LOC" and org.end + 1 == span.start
                and doc[org.end].text == "Cabang" and org[0].text.rstrip(".") in COMPANY_PREFIXES)

    @staticmethod
    def _common_word(doc: Doc, span: Span, lower: frozenset[str]) -> bool:
        """A one-word model name at the start of a sentence that the same text also writes in lower
        case ("Donor darah …" beside "menjadi donor"): a common word capitalised by its position."""
        if len(span) != 1 or span.label_ == "DATE" or span[0].is_upper:
            return False
        before = next((t for t in reversed(doc[:span.start]) if not t.is_space or "\n" in t.text), None)
        if before is not None and not (before.is_space or before.text in ".!?”\"'’"):
            return False
        return span[0].lower_ == span[0].text or span[0].lower_ in lower

    @staticmethod
    def _split_hyphenated(doc: Doc, span: Span) -> list[Span]:
        """A PERSON of two names joined by a hyphen is two PERSONs ("[Didimus]-[Esau]", "[Eri]-[Armuji]");
        a name particle before the hyphen stays ("Al-Farabi", "Abu-Bakar")."""
        if span.label_ != "PERSON":
            return [span]

        def word_before(i: int) -> str:  # the written word before the hyphen: "Mas’ud" is three tokens
            j = i - 1
            while j > span.start and not doc[j - 1].whitespace_ and doc[j - 1].text != "-":
                j -= 1
            return doc[j:i].text

        cuts = [i for i in range(span.start + 1, span.end - 1) if doc[i].text == "-" and not doc[i - 1].whitespace_
                and not doc[i].whitespace_ and doc[i + 1].text[:1].isupper()
                and (len(w := word_before(i)) > 3 or len(w) == 3 and w.lower() not in ("abu", "bin", "ibn", "ben"))]
        bounds = [span.start] + [b for i in cuts for b in (i, i + 1)] + [span.end]
        return [Span(doc, bounds[n], bounds[n + 1], label="PERSON") for n in range(0, len(bounds), 2)]

    @staticmethod
    def _initials(doc: Doc, results: list) -> list:
        """Initials of private persons: a capital letter before an age in brackets ("W (40)"), or up to
        four capitals after "berinisial" ("berinisial NT"), and their later mentions ("W dites usap")
        are PERSON, replacing any other label on them."""
        letters = {t.text for t in doc if len(t.text) == 1 and t.text.isupper() and t.i + 3 < len(doc)
                   and doc[t.i + 1].text == "(" and doc[t.i + 2].like_num and doc[t.i + 3].text == ")"}
        if "nisial" in doc.text or "bernama" in doc.text:  # "berinisial NT", "seseorang bernama IL"
            letters |= {t.text for t in doc if t.i > 0 and doc[t.i - 1].lower_ in INITIALS_WORDS
                        and t.is_alpha and t.is_upper and len(t.text) <= 4}
        if "yaitu" in doc.text or "yakni" in doc.text:
            letters |= EntityMerger._initials_list(doc)
        if not letters:
            return results
        out = [r for r in results if not (len(r[0]) == 1 and r[0].text in letters)]
        covered = {i for span, _, _ in out for i in range(span.start, span.end)}
        for t in doc:
            if t.text in letters and t.i not in covered and not (len(t.text) == 1 and t.i + 1 < len(doc) and doc[t.i + 1].text == "."):
                out.append((Span(doc, t.i, t.i + 1, label="PERSON"), SOURCE_RULE, 1.0))
        return sorted(out, key=lambda r: r[0].start)

    @staticmethod
    def _initials_list(doc: Doc) -> set[str]:
        """Capitals (2-4 letters) listed after a noun for people and "yaitu"/"yakni": "enam tersangka,
        yaitu FN, CR, IL, VR"."""
        found: set[str] = set()
        words = [t for t in doc if not t.is_space]
        for n, t in enumerate(words):
            if t.lower_ not in ("yaitu", "yakni") or not any(w.lower_ in INITIALS_LIST_NOUNS for w in words[max(0, n - 3):n]):
                continue
            items, k = [], n + 1
            while k < len(words) and words[k].is_alpha and words[k].is_upper and 2 <= len(words[k].text) <= 4:
                items.append(words[k].text)
                k += 1
                if k < len(words) and words[k].text in (",", "dan") and k + 1 < len(words):
                    k += 1
                    if words[k].lower_ == "dan":
                        k += 1
                else:
                    break
            if len(items) >= 2 or (items and k < len(words) and not words[k].text[:1].isupper()):
                found.update(items)
        return found

    def _age_names(self, doc: Doc, results: list) -> list:
        """A private person's name before an age in brackets ("Yani (40), agen tiket …", "Arvin
        (21) mengaku") is PERSON, over a model span of other words or label; not a name in a list
        ("Bali (12), Papua (9)"; "…, Gotputuk, Sumberrejo (12)"), a title or a rule's place or date."""
        titles = _covered(doc.spans[TITLES_KEY]) if TITLES_KEY in doc.spans else {}
        rule_tokens = {i for span, source, _ in results if source == SOURCE_RULE for i in range(span.start, span.end)}
        names = []
        for t in doc:
            i = t.i
            if not (t.text == "(" and i + 2 < len(doc) and doc[i + 1].text.isdigit() and len(doc[i + 1].text) <= 2
                    and doc[i + 2].text == ")"):
                continue
            after = [x for x in doc[i + 3:i + 8] if not x.is_space]
            if any(x.text == "(" for x in after) or (after and after[0].text == "," and len(after) > 1 and after[1].text[:1].isupper()):
                continue  # "Bali (12), Papua (9)": counts of a list
            start = i
            while start > 0 and i - start < 3 and (w := doc[start - 1]) is not None and _is_name_token(w) and not w.is_stop \
                    and w.i not in titles and w.i not in rule_tokens and not is_not_name_word(w, self.not_name):
                start -= 1
            before = [x for x in doc[max(0, start - 3):start] if not x.is_space]
            if len(before) >= 2 and before[-1].lower_ in (",", "dan") and _is_name_token(before[-2]):
                continue  # "…, Gotputuk, Sumberrejo (12)": one of a list of names
            if any(doc[k].lower_ in self.not_entities for k in range(start, i)) or (start > 0 and doc[start - 1].like_num):
                continue  # "Pasal 8 Ayat (1)": a clause of a law, not a person's age
            if start < i and (start == 0 or not _is_name_token(doc[start - 1]) or start - 1 in titles):
                names.append(Span(doc, start, i, label="PERSON"))
        if not names:
            return results
        taken = {k for span in names for k in range(span.start, span.end)}
        out = [r for r in results if not any(k in taken for k in range(r[0].start, r[0].end))]
        out += [(span, SOURCE_RULE, 1.0) for span in names]
        return sorted(out, key=lambda r: r[0].start)

    def _max_free(self, ent: Span) -> int:
        """Words of its own a model ORG/LOC may add to a gazetteer name: 3, or 6 after an
        institution word or a school's ("PT Indofood Sukses Makmur Tbk", "Lembaga … Penerbangan
        Indonesia", "Sekolah Menengah Atas Negeri 14 Jakarta") or before a company word ("China
        Huadian Engineering Corporation Ltd")."""
        long = ent.label_ == "ORG" and (ent[0].lower_ in ORG_OPENERS or ent[0].lower_ in self.org_heads
                                        or ent[0].lower_ in SCHOOL_HEADS or ent[-1].lower_.rstrip(".") in COMPANY_WORDS)
        return 6 if long else 3

    @staticmethod
    def _building(doc: Doc, ent: Span, inside: set, free: list, gazetteer_ids: set, title_tokens: dict) -> bool:
        """A model LOC of a capitalised building word and gazetteer names ("Gedung [DPR]-[RI]"): the
        building is one LOC (BUILDING_WORDS)."""
        return (ent.label_ == "LOC" and bool(inside) and ent.start in free
                and ent[0].lower_ in BUILDING_WORDS and ent[0].text[:1].isupper() and len(ent) <= 6
                and all((r.start, r.end) in gazetteer_ids and ent.start <= r.start and r.end <= ent.end for r in inside)
                and all(doc[i].text[:1].isupper() or doc[i].text == "-" for i in free)
                and not any(i in title_tokens for i in range(ent.start, ent.end))
                and len(_clean(doc, ent.start, ent.end, ent.label_)) == 1)

    @staticmethod
    def _headline_verb(doc: Doc, inside: set, free: list) -> bool:
        """Is one of the model span's own words a verb of a title-case headline: a verb-like word
        (`_looks_like_verb`) after the gazetteer name ("Korea Selatan Pertimbangkan Mengirim"), or
        one in -kan before it? Club and unit names that only look like verbs open a name ("Persib
        Bandung", "Divisi Utama Liga Indonesia": NERGrit dev, 2 + 1 spans the gazetteer cut)."""
        name_start = min(r.start for r in inside)
        return any(_looks_like_verb(doc[i]) and (i > name_start or doc[i].lower_.endswith("kan")) for i in free)

    def _place_surname(self, doc: Doc, ent: Span, inside: set, free: list, gazetteer_ids: set,
                       title_tokens: dict) -> bool:
        """A model PERSON whose last word is a one-word gazetteer place ("Badrodin [Haiti]"): given
        names before it, no title or common word ("Mengenai Korea Utara" is no person)."""
        if ent.label_ != "PERSON" or len(inside) != 1 or not free or len(free) > 3:
            return False
        place = next(iter(inside))
        return ((place.start, place.end) in gazetteer_ids and place.label_ == "LOC" and place.end == ent.end
                and len(place) == 1 and free == list(range(ent.start, place.start))
                and all(_is_name_token(doc[i]) and i not in title_tokens and not doc[i].is_stop
                        and not _looks_like_verb(doc[i]) and not is_not_name_word(doc[i], self.not_name)
                        for i in free))

    @staticmethod
    def _person_context(doc: Doc, results: list, honorifics: frozenset[str]) -> list:
        """Person evidence in the context (`person_context`): a model LOC/ORG of name words right
        after an honorific (resources/patterns/person_honorifics.txt: "dr [Debie Kalalo]", "H.
        [Abdul Malik]"), a model LOC that speaks (`_speaks`), or a model LOC/ORG described as one
        person ("X, seorang bidan, …") is PERSON; a model PERSON that is a
        common noun opening a sentence (`_common_noun_opener`) is dropped; the names of a candidate
        pair joined by a hyphen after "pasangan" ("pasangan calon nomor urut 1, [Andi Putra]-[Budi
        Santoso]", "pasangan petahana [Andi]-[Budi]") are two PERSONs, over any model span on them
        (not over a rule's place or organisation)."""
        verbs, cues, adverbs = _speech_words()
        out = []
        for span, source, score in results:
            if span.label_ in ("LOC", "ORG") and source == SOURCE_MODEL and all(_is_name_token(t) for t in span) and (
                    span.start > 0 and doc[span.start - 1].lower_.rstrip(".") in honorifics
                    and doc[span.start - 1].text[:1].isalpha() and not _named_after(doc, span.start - 1)
                    or span.label_ == "LOC" and _speaks(doc, span, verbs, cues, adverbs) or _described_as_person(doc, span)):
                span, source, score = Span(doc, span.start, span.end, label="PERSON"), SOURCE_RULE, 1.0
            if not (span.label_ == "PERSON" and source == SOURCE_MODEL and _common_noun_opener(doc, span)):
                out.append((span, source, score))
        if "asangan" not in doc.text:
            return out
        pairs = []
        for t in doc:
            if t.lower_ not in PAIR_WORDS:
                continue
            j, runs = t.i + 1, 0
            while j < len(doc) and j - t.i <= 12 and runs <= 2:
                if _is_name_token(doc[j]):
                    end = j + 1
                    while end < len(doc) and (_is_name_token(doc[end]) or doc[end].text == "-" and end + 1 < len(doc)
                                              and not doc[end - 1].whitespace_ and not doc[end].whitespace_
                                              and _is_name_token(doc[end + 1])):
                        end += 1
                    cuts = [h for h in range(j, end) if doc[h].text == "-"]
                    if cuts:
                        bounds = [j] + [b for h in cuts for b in (h, h + 1)] + [end]
                        names = [Span(doc, bounds[n], bounds[n + 1], label="PERSON") for n in range(0, len(bounds), 2)]
                        if all(len(n) <= 4 for n in names):
                            pairs += names
                        break
                    j, runs = end, runs + 1
                elif doc[j].is_lower or doc[j].like_num or doc[j].text in (",", ":") or doc[j].is_space:
                    j += 1
                else:
                    break
        if not pairs:
            return out
        rule_tokens = {i for span, source, _ in out if source == SOURCE_RULE and span.label_ != "PERSON"
                       for i in range(span.start, span.end)}
        pairs = [p for p in pairs if not any(i in rule_tokens for i in range(p.start, p.end))]
        taken = {i for p in pairs for i in range(p.start, p.end)}
        out = [r for r in out if not any(i in taken for i in range(r[0].start, r[0].end))]
        out += [(p, SOURCE_RULE, 1.0) for p in pairs]
        return sorted(out, key=lambda r: r[0].start)

    @staticmethod
    def _company_names(doc: Doc, results: list) -> list:
        """A model PERSON named as an organisation is one ("PO [Pahala Kencana]", "aplikasi
        [Halodoc]", "[Gekira], organisasi sayap …"), and so is every PERSON span of the same words
        in the document ("anggota Gekira"): after "PT"/"PO"/"CV" or a lower-case organisation noun
        (ORG_NOUNS), or with an appositive starting with one; a PERSON span starting with such a
        one-word organisation is cut after it ("Ketua Umum Gekira Farry Francis")."""
        def word(k: int, step: int):
            while 0 <= k < len(doc) and doc[k].is_space:
                k += step
            return doc[k] if 0 <= k < len(doc) else None

        names = set()
        for span, _, _ in results:
            if span.label_ != "PERSON":
                continue
            before, after = word(span.start - 1, -1), word(span.end, 1)
            noun = after is not None and after.text == "," and word(after.i + 1, 1)
            described = noun and noun.text in ORG_NOUNS and (x := word(noun.i + 1, 1)) is not None \
                and x.is_lower and not x.is_stop  # "Gekira, organisasi sayap …", not "…, perusahaan pun …"
            if before is not None and (before.text.rstrip(".") in COMPANY_PREFIXES or before.text in ORG_NOUNS) or described:
                names.add(span.text)
        if not names:
            return results
        out = []
        for span, source, score in results:
            if span.label_ == "PERSON" and span.text in names:
                span = Span(doc, span.start, span.end, label="ORG")
            elif span.label_ == "PERSON" and len(span) > 1 and span[0].text in names:  # "Gekira [Farry Francis]"
                out.append((Span(doc, span.start, span.start + 1, label="ORG"), source, score))
                span = Span(doc, span.start + 1, span.end, label="PERSON")
            out.append((span, source, score))
        return out

    @staticmethod
    def _org_tail_names(doc: Doc, results: list) -> list:
        """PERSON spans without the leading words that end the organisation or place before them
        (`org_tail_length`)."""
        out = []
        for span, source, score in results:
            start = org_tail_length(doc, span.start, span.end) if span.label_ == "PERSON" else span.start
            if start != span.start:
                span = Span(doc, start, span.end, label="PERSON")
            out.append((span, source, score))
        return out

    def _short_names(self, doc: Doc, results: list, rule_ids: set, lower: frozenset[str]) -> list:
        """A person's later short mentions ("Piter Abdullah" … "Piter menilai") are PERSON too:
        a model ORG/LOC made only of words of a two-or-more-word PERSON in the same document is
        relabelled, and such a word outside any entity, not next to another capitalised name
        word and after the name's first mention becomes a PERSON (source "rule")."""
        words: set[str] = set()
        first: dict[str, int] = {}  # a short mention follows the full name ("Suku pertama … Suku Kaili")
        for span, _, _ in results:
            if span.label_ == "PERSON" and len(span) >= 2:
                for t in span:
                    first[t.text] = min(first.get(t.text, span.start), span.start)
                words.update(t.text for t in span if _is_name_token(t) and len(t.text) >= 3
                             and not is_not_name_word(t, self.not_name) and t.lower_ not in QUALIFIER_WORDS
                             and t.lower_ not in NAME_OPENERS)
        if words:  # a word the text also writes in lower case is a common word ("Simada Manik" … "manik")
            words = {w for w in words if w.lower() not in lower}
        if not words:
            return results
        out, covered = [], set()
        for span, source, score in results:
            if (span.label_ in ("ORG", "LOC") and (span.start, span.end) not in rule_ids
                    and all(t.text in words for t in span)):
                span = Span(doc, span.start, span.end, label="PERSON")
            out.append((span, source, score))
            covered.update(range(span.start, span.end))
        def stands_alone(i: int) -> bool:  # "Pura Lebah", "Suku Kaili": part of another name
            return not any(0 <= j < len(doc) and _is_name_token(doc[j]) and not doc[j].is_stop for j in (i - 1, i + 1))

        for token in doc:
            if token.text in words and token.i not in covered and stands_alone(token.i) and token.i > first[token.text]:
                out.append((Span(doc, token.i, token.i + 1, label="PERSON"), SOURCE_RULE, 1.0))
        return out

    def _free_pieces(self, doc: Doc, ent: Span, taken: dict, title_tokens: dict) -> list[Span]:
        """The model span if no rule touched it; else, for PERSON only, the untouched name part.

        Pieces that are only stop words capitalised by their position ("Ada", "Setiap") are dropped.
        A PERSON piece loses everything up to its last institution or title word ("Puskesmas
        Cempaka Putih Dicky Alsadik" -> "Dicky Alsadik") and is dropped if it ends on one.
        """
        pieces = []
        for p in EntityMerger._model_pieces(doc, ent, taken, title_tokens):
            if "cleanup" not in self.families:
                pieces.append(p)
                continue
            if p.label_ != "DATE" and all(t.text.title() in NOT_NAME_WORDS or t.is_stop or not (
                    t.text[:1].isupper() or any(c.isupper() for c in t.text[1:])) for t in p):  # "detikFinance"
                continue  # "Ada", "Setiap"; link lines "BACA LEBIH LANJUT", "Baca Juga"
            if p.label_ != "DATE" and all(t.lower_ in self.not_entities for t in p):
                continue  # "PSBB", "UMKM": resources/patterns/not_entities.txt
            if p.label_ in ("LOC", "ORG") and p[0].lower_ in self.not_entities and p[0].is_upper and p[1].text[:1].isupper():
                p = Span(doc, p.start + 1, p.end, label=p.label_)  # "TPS [Krangkeng]": the place only
            if p.label_ != "DATE" and len(p) > 1 and p[0].lower_ in self.document_words and p[0].text[:1].isupper():
                continue  # "Kartu Prakerja", "Program Keluarga Harapan": a programme or document
            if p.label_ == "PERSON":
                if p.end in title_tokens:
                    continue  # "Area [Supervisor]": words before a title are the title's
                stops = [i for i in range(p.start, p.end) if i in title_tokens or is_not_name_word(doc[i], self.not_name)
                         or doc[i].lower_ in QUALIFIER_WORDS or (doc[i].is_upper and len(doc[i]) > 2 and len(p) > 1 and not _capitals_name(p, doc[i]))]  # "SBY" alone is a person
                if stops and stops[-1] == p.end - 1:
                    continue  # "Eigerindo Multi Produk Industri": a name never ends on such a word
                rest = [i for i in range(stops[-1] + 1, p.end) if _is_name_token(doc[i])] if stops else []
                if rest and p.end - rest[0] == 1 and stops[-1] == rest[0] - 1 and stops[-1] not in title_tokens \
                        and (_looks_like_verb(doc[stops[-1]]) or doc[stops[-1]].lower_ in self.not_name) \
                        and not any(t.text == doc[rest[0]].text for t in doc if t.i != rest[0]):
                    continue  # "Pemenang Nobel", "Bertemu Langsung": a common phrase, no person ("Jawaban Ma" … "Jack Ma" is)
                if rest:
                    p = Span(doc, rest[0], p.end, label="PERSON")
            pieces.append(p)
        return pieces

    @staticmethod
    def _model_pieces(doc: Doc, ent: Span, taken: dict, title_tokens: dict) -> list[Span]:
        blocked = [i in taken or i in title_tokens for i in range(ent.start, ent.end)]
        if not any(blocked):
            return _clean(doc, ent.start, ent.end, ent.label_)
        if ent.label_ != "PERSON":
            return []  # ORG/LOC leftovers after a rule took a part are noise
        pieces, run_start = [], None
        for offset, is_blocked in enumerate(blocked + [True]):
            i = ent.start + offset
            if not is_blocked and run_start is None:
                run_start = i
            elif is_blocked and run_start is not None:
                for piece in _clean(doc, run_start, i, "PERSON"):
                    s, e = piece.start, piece.end
                    while s < e and not _is_name_token(doc[s]):
                        s += 1
                    while e > s and not _is_name_token(doc[e - 1]):
                        e -= 1
                    if s < e and not any(j in taken for j in range(s, e)):
                        pieces.append(Span(doc, s, e, label="PERSON"))
                run_start = None
        return pieces


# ---------------------------------------------------------------------------------- public API

def add_entity_components(nlp: Language, resources_dir: str | Path | None = None) -> Language:
    """Add the gazetteer, date, title and merge components after `ner` (or at the end).

    Works on a pipeline with or without a statistical `ner`; patterns and word lists are read from
    `resources_dir/patterns/` (default: the project's resources/), the components' one
    `patterns_dir` setting. Returns `nlp`.
    """
    patterns_dir = Path(resources_dir or RESOURCES_DIR) / "patterns"
    last = "ner" if "ner" in nlp.pipe_names else None
    placement = {"after": last} if last else {}

    gazetteer = nlp.add_pipe(
        "span_ruler", name="entity_gazetteer", **placement,
        config={"spans_key": GAZETTEER_KEY, "annotate_ents": False, "overwrite": True, "validate": True},
    )
    with nlp.select_pipes(disable=nlp.pipe_names):  # phrase patterns need the tokenizer only
        gazetteer.add_patterns(read_patterns(patterns_dir / "gazetteer.jsonl"))
    dates = nlp.add_pipe(
        "span_ruler", name="entity_dates", after="entity_gazetteer",
        config={"spans_key": DATES_KEY, "annotate_ents": False, "overwrite": True, "validate": True},
    )
    with nlp.select_pipes(disable=nlp.pipe_names):
        dates.add_patterns(read_patterns(patterns_dir / "dates.jsonl"))
    nlp.add_pipe(
        "annotator_entity_titles", name="entity_titles", after="entity_dates",
        config={"titles": read_titles(patterns_dir / "titles.txt"), "patterns_dir": str(patterns_dir)},
    )
    nlp.add_pipe("annotator_entity_merge", name="entity_merge", after="entity_titles",
                 config={"patterns_dir": str(patterns_dir)})
    return nlp


def _load_model(model_path: Path) -> Language:
    """spacy.load with the project tokenizer built directly (not rebuilt from spaCy's defaults)."""
    return spacy.load(model_path, exclude=["tokenizer"], config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})


def load_entity_pipeline(model_dir: str | Path | None = None, resources_dir: str | Path | None = None) -> Language:
    """The bundled NER model (resources/model/ner, or `model_dir`) plus the entity rules.

    Tokenization is the project tokenizer's, identical to `token_offsets`. If the model
    directory is missing, warns and returns a rules-only pipeline.
    """
    model_path = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
    if (model_path / "config.cfg").is_file():
        nlp = _load_model(model_path)
    else:
        warnings.warn(
            f"NER model not found at {model_path}; entity suggestions come from rules only "
            "(train one with annotator.nlp.ner_train.train_ner)",
            RuntimeWarning,
            stacklevel=2,
        )
        nlp = new_blank()
    return add_entity_components(nlp, resources_dir)


def entity_suggestions(doc: Doc) -> list[dict]:
    """doc.ents as FORMAT.md span dicts (`token_end` inclusive).

    Token indices count non-space tokens only, like `tokenizer.token_offsets`, so they match
    the token ids stored with each article.
    """
    index, ids = 0, {}
    for token in doc:
        if not token.is_space:
            ids[token.i] = index
            index += 1
    return [
        {
            "start": ent.start_char,
            "end": ent.end_char,
            "token_start": ids[ent.start],
            "token_end": ids[ent.end - 1],
            "label": ent.label_,
            "source": ent._.source or SOURCE_MODEL,
            "status": "suggested",
            "score": ent._.score,
        }
        for ent in doc.ents
    ]
