"""Entity rules (gazetteer, titles, dates, merge precedence) and the bundled model, with real spaCy."""

from __future__ import annotations

import warnings

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Span

from annotator.nlp import entities
from annotator.nlp.entities import (
    DEFAULT_MODEL_DIR,
    add_entity_components,
    entity_suggestions,
    load_entity_pipeline,
    read_patterns,
)
from annotator.nlp.tokenizer import new_blank, token_offsets


@pytest.fixture(scope="module")
def rules_nlp():
    """Rules only: results do not depend on the statistical model."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return load_entity_pipeline(model_dir="/nonexistent/model")


@pytest.fixture(scope="module")
def full_nlp():
    if not (DEFAULT_MODEL_DIR / "config.cfg").is_file():
        pytest.fail(f"bundled model missing at {DEFAULT_MODEL_DIR}")
    return load_entity_pipeline()


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


# A stand-in for the statistical NER: sets doc.ents from (text, label) pairs.
FAKE_ENTS: list[tuple] = []


@Language.component("test_fake_ner")
def fake_ner(doc):
    """Each (text, label) tags the first occurrence of text; (text, label, n) its n-th (from 0)."""
    spans = []
    for text, label, *nth in FAKE_ENTS:
        start = doc.text.index(text)
        for _ in range(nth[0] if nth else 0):
            start = doc.text.index(text, start + 1)
        spans.append(doc.char_span(start, start + len(text), label=label))
    doc.ents = spans
    return doc


@pytest.fixture(scope="module")
def fake_model_nlp():
    nlp = new_blank()
    nlp.add_pipe("test_fake_ner")
    return add_entity_components(nlp)


def run_fake(nlp, text, model_ents):
    FAKE_ENTS[:] = model_ents
    return nlp(text)


# ----------------------------------------------------------------------------- titles

@pytest.mark.parametrize(
    "text, expected",
    [
        ("Menteri Luar Negeri AS Antony Blinken mengatakan pada Kamis.",
         [("AS", "LOC"), ("Antony Blinken", "PERSON"), ("Kamis", "DATE")]),
        ("Sekretaris Jenderal NATO, Mark Rutte, menyatakan keprihatinan.",
         [("NATO", "ORG"), ("Mark Rutte", "PERSON")]),
        ("kata juru bicara NATO Farah Lala pada hari Rabu.",
         [("NATO", "ORG"), ("Farah Lala", "PERSON"), ("hari Rabu", "DATE")]),
        ("Juru Bicara Kementerian Luar Negeri Rusia Maria Zakharova menampik tuduhan itu.",
         [("Kementerian Luar Negeri Rusia", "ORG"), ("Maria Zakharova", "PERSON")]),
        ("Presiden Joko Widodo meresmikan bendungan.", [("Joko Widodo", "PERSON")]),
        ("Mantan Wakil Presiden Jusuf Kalla hadir.", [("Jusuf Kalla", "PERSON")]),
        ("Menteri Luar Negeri Korea Utara, Choe Son Hui sebelumnya menegaskan.",
         [("Korea Utara", "LOC"), ("Choe Son Hui", "PERSON")]),
        ("Putra mahkota Arab Saudi Mohammed bin Salman tiba.",
         [("Arab Saudi", "LOC"), ("Mohammed bin Salman", "PERSON")]),
        ("Menteri Perhubungan Budi Karya Sumadi meninjau.", [("Budi Karya Sumadi", "PERSON")]),
        ("juru bicara utama PBB Stephane Dujarric yang mengatakan", [("PBB", "ORG"), ("Stephane Dujarric", "PERSON")]),
        ("Menteri Hukum dan HAM Yasonna Laoly hadir.", [("Yasonna Laoly", "PERSON")]),
        ("Direktur Eksekutif Amnesty International Indonesia Usman Hamid berkata.",
         [("Indonesia", "LOC"), ("Usman Hamid", "PERSON")]),
        # religious titles are titles too
        ("Menurut Maha Bhiksu Dutavira Sthavira, donor darah dibatalkan.", [("Dutavira Sthavira", "PERSON")]),
    ],
)
def test_title_then_name_gives_person_without_title(rules_nlp, text, expected):
    assert ents(rules_nlp(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Menteri tersebut menambahkan bahwa kerja sama berlanjut.",
        "Sekretaris Jenderal sangat prihatin dengan laporan itu.",
        "Para menteri mengatakan mereka prihatin.",
        "Kepala Sekolah tidak hadir.",
        "Ketua Umum Partai mengatakan.",
    ],
)
def test_title_without_name_finds_no_person(rules_nlp, text):
    assert not [e for e in rules_nlp(text).ents if e.label_ == "PERSON"]


def test_name_after_title_stops_at_line_break(rules_nlp):
    doc = rules_nlp("Presiden\nJoko Widodo hadir. Ketua Umum Budi\nSantoso")
    assert all("\n" not in e.text for e in doc.ents)
    assert ("Budi", "PERSON") in ents(doc)


@pytest.mark.parametrize(
    "text, name",
    [
        # long institution names between the title and the name: the name is the chain's tail
        ("Kepala Badan Penanggulangan Bencana dan Perlindungan Masyarakat Kota Surabaya Irvan Widyatno "
         "mengatakan, tes usap wajib.", "Irvan Widyatno"),
        ("Ketua Pengurus Daerah Ikatan Ahli Kesehatan Masyarakat Indonesia (LAKMI) DKI Jakarta Baequni "
         "Boerman dalam waktu yang berbeda mengatakan bahwa PSBB berhasil.", "Baequni Boerman"),
        ("Ketua Majelis Ulama Indonesia (MUI) Kota Palembang Saim Marhadan mengatakan, fatwa sudah ada.",
         "Saim Marhadan"),
        ("Direktur Hubungan Kelembagaan Bank Mandiri Donsuwan Simatupang menuturkan, itu baik.",
         "Donsuwan Simatupang"),
        ("VP Lending OVO Natasha Ardiani mengatakan, pinjaman tersedia.", "Natasha Ardiani"),
        # Balinese names start at their first name opener
        ("Kepala Satuan Pelaksana Promosi Taman Margasatwa Ragunan Ketut Widarsono mengatakan, taman buka.",
         "Ketut Widarsono"),
        ("General Manager PT Taman Wisata Candi Borobudur I Gusti Putu Ngurah Sedana mengatakan, kuota naik.",
         "I Gusti Putu Ngurah Sedana"),
        # a day after the name is not part of it; "dan" between two people ends the chain
        ("Menteri Luar Negeri Rusia Sergei Lavrov Kamis menegaskan hal itu.", "Sergei Lavrov"),
        ("Presiden Joko Widodo dan Wakil Presiden Ma'ruf Amin hadir.", "Joko Widodo"),
        # a given name that is also a common root word stays in the name
        ("Menteri Kesehatan Budi Gunadi Sadikin mengatakan, vaksin tiba.", "Budi Gunadi Sadikin"),
        # English words inside an institution's name do not end the chain
        ("Direktur Riset Center of Reform on Economics (CORE) Indonesia Piter Abdullah, saat dihubungi, "
         "mengatakan, BI perlu bekerja.", "Piter Abdullah"),
    ],
)
def test_name_is_the_tail_of_a_long_title_chain(rules_nlp, text, name):
    people = [e.text for e in rules_nlp(text).ents if e.label_ == "PERSON"]
    assert people[0] == name


def test_model_person_loses_institution_words_before_the_name(fake_model_nlp):
    text = "”Itu benar,” tutur Kepala Puskesmas Cempaka Putih Dicky Alsadik. Lalu Area Supervisor PT Eigerindo Multi Produk Industri Zafrullah Sunyaruri datang."
    doc = run_fake(fake_model_nlp, text, [("Puskesmas Cempaka Putih Dicky Alsadik", "PERSON"),
                                          ("Supervisor PT Eigerindo Multi Produk Industri Zafrullah Sunyaruri", "PERSON")])
    assert [e.text for e in doc.ents if e.label_ == "PERSON"] == ["Dicky Alsadik", "Zafrullah Sunyaruri"]


@pytest.mark.parametrize("text, model_person, person", [
    # the text writes "Ragunan" only after "Margasatwa": it ends the place, not the name
    ("Kepala Satuan Pelaksana Promosi Taman Margasatwa Ragunan Ketut Widarsono mengatakan, rencana dimulai. "
     "Taman Margasatwa Ragunan (TMR) juga siap.", "Ragunan Ketut Widarsono", "Ketut Widarsono"),
    ("Direktur Perusahaan Daerah Panca Karya Rusdy Ambon mengatakan, kapal datang. Kapal milik PD Panca Karya baru.",
     "Karya Rusdy Ambon", "Rusdy Ambon"),
    # "Wisnu" also stands alone ("kata Wisnu"): it stays in the name
    ("kata Koordinator Basarnas Pos SAR Jepara Wisnu Yuas. Di RSUD Jepara Wisnu menjelaskan, kata Wisnu.",
     "Wisnu Yuas", "Wisnu Yuas"),
    # the same pair followed by the name's next word elsewhere: the whole name
    ("Gubernur DKI Anies Baswedan hadir. Lalu DKI Anies Baswedan pergi.", "Anies Baswedan", "Anies Baswedan"),
])
def test_model_person_loses_the_end_of_an_organisation_written_elsewhere(fake_model_nlp, text, model_person, person):
    doc = run_fake(fake_model_nlp, text, [(model_person, "PERSON")])
    assert [e.text for e in doc.ents if e.label_ == "PERSON"][0] == person


@pytest.mark.parametrize("text, model_ents, people", [
    ("Yani (40), agen tiket bus, mengaku sepi pembeli.", [], ["Yani"]),
    ("Pendonor lainnya, Arvin (21), mengaku tahu stok darah.", [("Arvin", "LOC")], ["Arvin"]),
    # counts of a list of places are no ages of people
    ("Kasus baru ada di Bali (12), Papua (9) dan Aceh (3).", [], []),
    ("Wilayahnya meliputi desa Ngawen, Gotputuk, Sumberrejo (12) saja.", [("Sumberrejo", "LOC")], []),
])
def test_name_before_an_age_in_brackets_is_a_person(fake_model_nlp, text, model_ents, people):
    doc = run_fake(fake_model_nlp, text, model_ents)
    assert [e.text for e in doc.ents if e.label_ == "PERSON"] == people


def test_model_person_after_a_company_prefix_is_a_company(fake_model_nlp):
    text = "Yani (40), agen tiket PO Pahala Kencana, menunggu. Di terminal ada 16 agen Pahala Kencana."
    doc = run_fake(fake_model_nlp, text, [("Pahala Kencana", "PERSON"), ("Pahala Kencana", "PERSON", 1)])
    assert ents(doc) == [("Yani", "PERSON"), ("PO Pahala Kencana", "ORG"), ("Pahala Kencana", "ORG")]


@pytest.mark.parametrize("text, model_ents, person", [
    # the model split the name after the title into an ORG and a one-word PERSON
    ("Kepala BKPM Bahlil Lahadalia telah mematok target.", [("BKPM Bahlil", "ORG"), ("Lahadalia", "PERSON")],
     "Bahlil Lahadalia"),
    # ... or took its last word for a place
    ("Brigadir Dua Irsan Tapobali yang bertugas di Polres Kupang membantu.", [("Tapobali", "LOC")], "Irsan Tapobali"),
    # a longer model PERSON decides
    ("Menurut Ketua Umum Ikatan Pedagang Pasar Tradisional Abdullah Mansuri, pedagang membeli gula.",
     [("Ikatan Pedagang Pasar Tradisional", "ORG"), ("Abdullah Mansuri", "PERSON")], "Abdullah Mansuri"),
])
def test_name_after_a_title_split_by_the_model(fake_model_nlp, text, model_ents, person):
    doc = run_fake(fake_model_nlp, text, model_ents)
    assert [e.text for e in doc.ents if e.label_ == "PERSON"] == [person]


def test_model_person_described_as_an_organisation_is_one(fake_model_nlp):
    text = ("Gekira, organisasi sayap Partai Gerindra, membagikan alat. Bantuan disumbangkan Ketua Umum "
            "Gekira Farry Francis, lalu Gekira berharap. Menurut Suhup, perusahaan pun tahu.")
    doc = run_fake(fake_model_nlp, text, [("Gekira", "PERSON"), ("Gekira Farry Francis", "PERSON"),
                                          ("Gekira", "PERSON", 2), ("Suhup", "PERSON")])
    assert [e for e in ents(doc) if e[0] != "Partai Gerindra"] == [
        ("Gekira", "ORG"), ("Gekira", "ORG"), ("Farry Francis", "PERSON"), ("Gekira", "ORG"), ("Suhup", "PERSON")]


def test_short_mention_of_a_person_is_a_person(fake_model_nlp):
    # the model calls the short mention an ORG; the full name elsewhere in the document decides
    text = "Rismaharini menilai bantuan cukup, kata Menteri Sosial Tri Rismaharini. Lalu Tri pulang."
    doc = run_fake(fake_model_nlp, text, [("Rismaharini", "ORG")])
    people = [(e.text, e._.source) for e in doc.ents if e.label_ == "PERSON"]
    assert people == [("Rismaharini", "model"), ("Tri Rismaharini", "rule"), ("Tri", "rule")]


def test_model_person_made_of_common_words_only_is_dropped(fake_model_nlp):
    doc = run_fake(fake_model_nlp, "Badan Penanggulangan Bencana bekerja.", [("Penanggulangan Bencana", "PERSON")])
    assert not [e for e in doc.ents if e.label_ == "PERSON"]


def test_model_person_with_title_is_trimmed(fake_model_nlp):
    text = "Menurut Menteri Pertahanan AS Lloyd Austin, pasukan itu tiba."
    doc = run_fake(fake_model_nlp, text, [("Menteri Pertahanan AS Lloyd Austin", "PERSON")])
    assert ents(doc) == [("AS", "LOC"), ("Lloyd Austin", "PERSON")]


def test_model_person_keeps_name_when_no_title_rule_fires(fake_model_nlp):
    text = "Hadir pula Dr. Budi Santoso di acara itu."
    doc = run_fake(fake_model_nlp, text, [("Dr. Budi Santoso", "PERSON")])
    assert ents(doc) == [("Budi Santoso", "PERSON")]


# ----------------------------------------------------------------------------- gazetteer

@pytest.mark.parametrize(
    "text, expected",
    [
        ("Korut dan Korsel bertemu di Pyongyang.", [("Korut", "LOC"), ("Korsel", "LOC"), ("Pyongyang", "LOC")]),
        ("Pasukan tiba di Kursk, bukan di Kyiv atau Moskow.", [("Kursk", "LOC"), ("Kyiv", "LOC"), ("Moskow", "LOC")]),
        ("Dewan Keamanan PBB bersidang.", [("Dewan Keamanan PBB", "ORG")]),
        ("Kelompok Tujuh (G7) dan Uni Eropa mengecam.", [("Kelompok Tujuh", "ORG"), ("G7", "ORG"), ("Uni Eropa", "ORG")]),
        ("Gedung Putih dan Kremlin membantah laporan Yonhap.",
         [("Gedung Putih", "ORG"), ("Kremlin", "ORG"), ("Yonhap", "ORG")]),
        ("Kemenlu, TNI, Polri, DPR, KPK dan BNPB rapat.",
         [("Kemenlu", "ORG"), ("TNI", "ORG"), ("Polri", "ORG"), ("DPR", "ORG"), ("KPK", "ORG"), ("BNPB", "ORG")]),
        ("Agence France-Presse mengutip Perserikatan Bangsa-Bangsa.",
         [("Agence France-Presse", "ORG"), ("Perserikatan Bangsa-Bangsa", "ORG")]),
        ("TIMES JABAR, JAKARTA – Pejabat Ukraina mengatakan.", [("TIMES JABAR", "ORG"), ("JAKARTA", "LOC"), ("Ukraina", "LOC")]),
        ("Amerika Serikat, Tiongkok, Iran dan Jepang.",
         [("Amerika Serikat", "LOC"), ("Tiongkok", "LOC"), ("Iran", "LOC"), ("Jepang", "LOC")]),
        # the leaders of the news, named by one word too
        ("Putin menerima Kim Jong Un, kata Zakharova.",
         [("Putin", "PERSON"), ("Kim Jong Un", "PERSON"), ("Zakharova", "PERSON")]),
        ("Presiden Rusia Vladimir Putin hadir.", [("Rusia", "LOC"), ("Vladimir Putin", "PERSON")]),
        ("Bank Mandiri dan OJK di Indramayu.", [("Bank Mandiri", "ORG"), ("OJK", "ORG"), ("Indramayu", "LOC")]),
        ("Densus 88 Antiteror dan Kopassus berjaga.", [("Densus 88 Antiteror", "ORG"), ("Kopassus", "ORG")]),
    ],
)
def test_gazetteer(rules_nlp, text, expected):
    doc = rules_nlp(text)
    assert ents(doc) == expected
    assert all(e._.source == "rule" and e._.score == 1.0 for e in doc.ents)


def test_gazetteer_beats_model_label_and_boundaries(fake_model_nlp):
    doc = run_fake(fake_model_nlp, "Pasukan Korea Utara dan NATO.", [("Korea", "PERSON"), ("NATO", "LOC")])
    assert ents(doc) == [("Korea Utara", "LOC"), ("NATO", "ORG")]
    assert [e._.source for e in doc.ents] == ["rule", "rule"]


def test_model_org_containing_a_place_is_kept_whole(fake_model_nlp):
    text = "kata Universitas Nasional Seoul kemarin."  # "kemarin" alone is no DATE (GUIDELINES.md 8)
    doc = run_fake(fake_model_nlp, text, [("Universitas Nasional Seoul", "ORG")])
    assert ents(doc) == [("Universitas Nasional Seoul", "ORG")]
    assert doc.ents[0]._.source == "model"


def test_model_org_with_acronym_and_place_is_kept_whole(fake_model_nlp):
    doc = run_fake(fake_model_nlp, "Pemain PSMS Medan menang.", [("PSMS Medan", "ORG")])
    assert ents(doc) == [("PSMS Medan", "ORG")]


def test_institution_and_country_join_into_one_org(rules_nlp):
    doc = rules_nlp("kata Dewan Keamanan Nasional Korea Selatan dan Kementerian Luar Negeri Rusia.")
    assert ents(doc) == [("Dewan Keamanan Nasional Korea Selatan", "ORG"), ("Kementerian Luar Negeri Rusia", "ORG")]


def test_model_headline_run_does_not_beat_gazetteer(fake_model_nlp):
    text = "Korea Selatan Meminta Penarikan Pasukan Korea Utara dari Rusia"
    doc = run_fake(fake_model_nlp, text, [("Korea Selatan Meminta Penarikan Pasukan Korea Utara", "LOC")])
    assert ents(doc) == [("Korea Selatan", "LOC"), ("Korea Utara", "LOC"), ("Rusia", "LOC")]


def test_model_loc_extended_by_compass_word_is_kept_whole(fake_model_nlp):
    doc = run_fake(fake_model_nlp, "Rebut 2 Desa di Ukraina Timur.", [("Ukraina Timur", "LOC")])
    assert ents(doc) == [("Ukraina Timur", "LOC")]
    doc = run_fake(fake_model_nlp, "Korea Selatan Pertimbangkan Mengirim Tentara",
                   [("Korea Selatan Pertimbangkan Mengirim", "LOC")])
    assert ents(doc) == [("Korea Selatan", "LOC")]


def test_model_cannot_swallow_the_name_after_a_title(fake_model_nlp):
    text = "Juru bicara Gedung Putih John Kirby mengatakan."
    doc = run_fake(fake_model_nlp, text, [("Gedung Putih John Kirby", "LOC")])
    assert ents(doc) == [("Gedung Putih", "ORG"), ("John Kirby", "PERSON")]


def test_model_title_words_never_enter_a_span(fake_model_nlp):
    text = "Menteri Luar Negeri Korea Utara, Choe Son Hui menegaskan."
    doc = run_fake(fake_model_nlp, text, [("Luar Negeri Korea Utara", "ORG"), ("Son Hui", "PERSON")])
    assert ents(doc) == [("Korea Utara", "LOC"), ("Choe Son Hui", "PERSON")]


def test_model_stop_word_spans_are_dropped(fake_model_nlp):
    doc = run_fake(fake_model_nlp, "kata Joe Biden\n\nAda kekhawatiran. Setiap upaya.",
                   [("Joe Biden\n\nAda", "PERSON"), ("Setiap", "LOC")])
    assert ents(doc) == [("Joe Biden", "PERSON")]


@pytest.mark.parametrize("line", ["BACA LEBIH LANJUT", "Baca Juga", "BACA JUGA", "Berita Terkait"])
def test_link_line_words_are_not_an_entity(fake_model_nlp, line):
    # issue 11.13: the model tagged the link line "BACA LEBIH LANJUT" as an ORG
    doc = run_fake(fake_model_nlp, f"{line}: Korea Utara Dilaporkan Mengirim Pasukan", [(line, "ORG")])
    assert ents(doc) == [("Korea Utara", "LOC")]


@pytest.mark.parametrize("text", [
    "Baca Juga: 71 Drone Rusia Serang Ibu Kota Ukraina Kiev",
    "Israel Serang Gaza Lagi",
])
def test_place_name_used_as_a_verb_is_not_a_place(fake_model_nlp, text):
    # issue 11.13: "Serang" (attack) in a headline was tagged LOC by the gazetteer
    doc = run_fake(fake_model_nlp, text, [])
    assert "Serang" not in [e.text for e in doc.ents]
    doc = run_fake(fake_model_nlp, text, [("Serang", "LOC")])  # nor by the model
    assert "Serang" not in [e.text for e in doc.ents]


@pytest.mark.parametrize("text, place", [
    ("Banjir melanda Kota Serang hari ini.", "Kota Serang"),  # the capitalised prefix is inside
    ("Warga di Serang mengungsi.", "Serang"),
    ("Bupati Serang meninjau lokasi.", "Serang"),
    ("Serang, Banten - Hujan deras turun.", "Serang"),
])
def test_place_name_that_is_also_a_verb_is_a_place_in_place_context(rules_nlp, text, place):
    assert (place, "LOC") in ents(rules_nlp(text))


@pytest.mark.parametrize("text, name", [
    ("kata Kantor Meteorologi Islandia.", "Kantor Meteorologi Islandia"),
    ("Partai Demokrasi Indonesia Perjuangan menyatakan hal itu.", "Partai Demokrasi Indonesia Perjuangan"),
    ("pasukan penjaga perdamaian Afrika Bersatu di Darfur.", "Afrika Bersatu"),
    ("PT Indofood Sukses Makmur Tbk mencetak laba.", "PT Indofood Sukses Makmur Tbk"),  # 4 words of its own
])
def test_model_org_with_a_place_and_noun_words_is_kept_whole(fake_model_nlp, text, name):
    # "Meteorologi" and "Perjuangan" are nouns, not headline verbs
    assert ents(run_fake(fake_model_nlp, text, [(name, "ORG")])) == [(name, "ORG")]


def test_model_person_whose_surname_is_a_place_is_kept_whole(fake_model_nlp):
    text = ("Jokowi mengusulkan Komjen Pol Badrodin Haiti. Presiden Rusia Vladimir Putin datang. "
            "Ia bertanya, “Mengenai Korea Utara, bagaimana?”")
    doc = run_fake(fake_model_nlp, text, [("Badrodin Haiti", "PERSON"), ("Rusia Vladimir Putin", "PERSON"),
                                          ("Mengenai Korea Utara", "PERSON")])
    assert ("Badrodin Haiti", "PERSON") in ents(doc)
    assert ("Rusia", "LOC") in ents(doc) and ("Vladimir Putin", "PERSON") in ents(doc)
    assert ("Korea Utara", "LOC") in ents(doc) and "Mengenai Korea Utara" not in [e.text for e in doc.ents]


@pytest.mark.parametrize("text", ["Serang adalah ibu kota Provinsi Banten.", "Mereka tiba di Serang Timur."])
def test_place_name_that_is_also_a_verb_outside_a_headline_is_a_place(rules_nlp, text):
    assert "Serang" in " ".join(e.text for e in rules_nlp(text).ents if e.label_ == "LOC")


def test_a_word_of_a_person_inside_another_name_is_no_short_mention(fake_model_nlp):
    # "Lebah" of the model's person "Kadek Lebah" is no short mention inside "Pura Lebah" (a temple:
    # place_heads makes it a LOC)
    text = "Di desa ada Kadek Lebah dan Pura Lebah. Antonio Guterres datang; Guterres berkata."
    doc = run_fake(fake_model_nlp, text, [("Kadek Lebah", "PERSON"), ("Antonio Guterres", "PERSON")])
    assert ents(doc) == [("Kadek Lebah", "PERSON"), ("Pura Lebah", "LOC"), ("Antonio Guterres", "PERSON"),
                         ("Guterres", "PERSON")]
    assert run_with(fake_model_nlp, text, [("Kadek Lebah", "PERSON"), ("Antonio Guterres", "PERSON")], off=["place_heads"]) == [
        ("Kadek Lebah", "PERSON"), ("Antonio Guterres", "PERSON"), ("Guterres", "PERSON")]


def test_model_entity_in_camel_case_is_kept(fake_model_nlp):
    doc = run_fake(fake_model_nlp, "seperti dikutip detikFinance.", [("detikFinance", "ORG")])
    assert ents(doc) == [("detikFinance", "ORG")]


def test_model_person_as_an_acronym_is_kept(fake_model_nlp):
    doc = run_fake(fake_model_nlp, "Dia meminta SBY menegur Dahlan.", [("SBY", "PERSON"), ("Dahlan", "PERSON")])
    assert ents(doc) == [("SBY", "PERSON"), ("Dahlan", "PERSON")]


def test_model_dates_in_digits_or_lower_case_are_kept(fake_model_nlp):
    # the stop-word clean-up (capitalised words only) used to drop every model DATE
    doc = run_fake(fake_model_nlp, "Dari 1970 hingga 1974, ia tinggal di sana tiga dekade.",
                   [("1970", "DATE"), ("1974", "DATE"), ("tiga dekade", "DATE")])
    assert ents(doc) == [("1970", "DATE"), ("1974", "DATE"), ("tiga dekade", "DATE")]


def test_rule_families_can_be_switched_off(fake_model_nlp):
    merge = fake_model_nlp.get_pipe("entity_merge")
    text = "Budi Santoso tiba di Korea Selatan pada 5 Maret 2024."
    try:
        merge.families = set(entities.RULE_FAMILIES) - {"gazetteer", "dates"}
        assert ents(run_fake(fake_model_nlp, text, [("Budi Santoso", "PERSON")])) == [("Budi Santoso", "PERSON")]
    finally:
        merge.families = set(entities.RULE_FAMILIES)
    assert ents(run_fake(fake_model_nlp, text, [("Budi Santoso", "PERSON")])) == [
        ("Budi Santoso", "PERSON"), ("Korea Selatan", "LOC"), ("5 Maret 2024", "DATE")]
    with pytest.raises(ValueError, match="unknown entity rule families"):
        entities.EntityMerger("m", disable=["headlines"])


def test_model_entity_outside_rules_is_kept_as_model(fake_model_nlp):
    doc = run_fake(fake_model_nlp, "Budi Santoso tiba di Korea Selatan.", [("Budi Santoso", "PERSON")])
    assert ents(doc) == [("Budi Santoso", "PERSON"), ("Korea Selatan", "LOC")]
    assert [e._.source for e in doc.ents] == ["model", "rule"]


# ----------------------------------------------------------------------------- dates

@pytest.mark.parametrize(
    "text, date",
    [
        ("kata Maria, Rabu (23 Oktober 2024).", "Rabu (23 Oktober 2024)"),
        ("Pada hari Selasa (22/10/2024), pemerintah mengutuk.", "hari Selasa (22/10/2024)"),
        ("Pada hari yang sama, Pentagon memperkirakan.", "hari yang sama"),
        ("tiba pada bulan Oktober tahun ini.", "bulan Oktober tahun ini"),
        ("Guterres pada Minggu (11 Maret 2024) menyatakan.", "Minggu (11 Maret 2024)"),
        ("tiba di Rusia pada bulan Oktober melalui laut.", "bulan Oktober"),
        ("menginvasi Ukraina pada Februari 2022.", "Februari 2022"),
        ("kata juru bicara itu pada hari Rabu.", "hari Rabu"),
        ("kata Austin pada Rabu lalu.", "Rabu lalu"),
        ("Laporan tanggal 5/11/2024 itu.", "tanggal 5/11/2024"),
        ("Data per 13/04/2020 menunjukkan.", "13/04/2020"),
        ("Mereka bertemu pekan ini.", "pekan ini"),
        ("Target tahun ini tercapai.", "tahun ini"),
        ("sebelum akhir tahun ini.", "akhir tahun ini"),
        ("Selasa (5/11/2024) kemarin, mereka berkata.", "Selasa (5/11/2024) kemarin"),
        ("Rabu, 23 Oktober 2024, pukul 10.", "Rabu, 23 Oktober 2024"),
        ("dalam beberapa hari ke depan.", "beberapa hari ke depan"),
        # GUIDELINES.md section 8: durations, bare years and months, ranges, quarters, tails
        ("membangun perusahaan selama 22 tahun, katanya.", "22 tahun"),
        ("targetnya kurang dari 2 tahun saja.", "kurang dari 2 tahun"),
        ("warga yang tiba lebih dari seminggu lalu.", "lebih dari seminggu lalu"),
        ("mengikuti reuni dalam tiga minggu berturut-turut di sana.", "tiga minggu berturut-turut"),
        ("M menyusul meninggal tiga hari kemudian.", "tiga hari kemudian"),
        ("hasilnya keluar rata-rata satu hingga tiga hari sehingga menumpuk.", "satu hingga tiga hari"),
        ("Kami punya target pada 2021 untuk itu.", "2021"),
        ("Namun, sejak Maret, jumlah bus turun.", "Maret"),
        ("dilaksanakan pada Februari-Mei 2020 secara daring.", "Februari-Mei 2020"),
        ("Tahun Baru Islam (20-23 Agustus) lalu.", "20-23 Agustus"),
        ("meningkat pada akhir Agustus-Awal September.", "akhir Agustus-Awal September"),
        ("pada triwulan III-2020 realisasi naik.", "triwulan III-2020"),
        ("saat dikonfirmasi pada Minggu (24/1) malam, ia membenarkan.", "Minggu (24/1) malam"),
        ("tak akan ada hingga 31 Mei nanti.", "31 Mei nanti"),
        ("berlangsung pada akhir pekan.", "akhir pekan"),
    ],
)
def test_date_forms(rules_nlp, text, date):
    assert [e.text for e in rules_nlp(text).ents if e.label_ == "DATE"] == [date]


@pytest.mark.parametrize("text", [
    "Ketika Anda berusia 50 tahun, gunakan waktu itu.",  # an age
    "Ketika Anda berusia antara 50 tahun, gunakan waktu itu.",
    "Peserta berusia 21 tahun-61 tahun.",
    "Obat diminum tiga kali sehari.",  # a rate
    "Pajak dibayar per tahun.",
    "Sebanyak 2000 orang hadir.",  # a count, not a year
    "Harganya Rp 2000 saja.",
    "Kami bertemu kemarin.",  # "kemarin" alone
    "Ia berkantor di sana setiap hari.",  # a frequency
    "menurut UU Nomor 5 tahun 1992 itu.",  # "5 tahun" is the law's number, not a duration
])
def test_ages_rates_counts_and_frequencies_are_not_dates(rules_nlp, text):
    assert [e.text for e in rules_nlp(text).ents if e.label_ == "DATE"] in ([], ["tahun 1992"])


@pytest.mark.parametrize("text, expected", [
    ("Banjir di Kabupaten Tegal, Jawa Tengah.", [("Kabupaten Tegal", "LOC"), ("Jawa Tengah", "LOC")]),
    ("Wali Kota Surabaya meninjau.", [("Surabaya", "LOC")]),  # the end of a title stays outside
    ("Serangan ke Ibu Kota Ukraina.", [("Ukraina", "LOC")]),  # an epithet, not a prefix
    ("banjir di kota Bekasi.", [("Bekasi", "LOC")]),  # lower case: a descriptor
    ("Pemerintah Kota Surabaya menggratiskan tes.", [("Pemerintah Kota Surabaya", "ORG")]),
    ("Pemkot Bekasi menggratiskan tes.", [("Pemkot Bekasi", "ORG")]),
])
def test_place_prefixes_and_regional_governments(rules_nlp, text, expected):
    assert ents(rules_nlp(text)) == expected


@pytest.mark.parametrize("text, model, expected", [
    ("kata Kepala Humas Polda Papua kemarin.", [("Polda", "ORG"), ("Papua", "LOC")], [("Polda Papua", "ORG")]),
    ("anggota KPU Kota Metro datang.", [("KPU", "ORG"), ("Metro", "LOC")], [("KPU Kota Metro", "ORG")]),
    ("Kepala Unit Transfusi Darah PMI hadir.", [("Unit Transfusi Darah", "ORG"), ("PMI", "ORG")],
     [("Unit Transfusi Darah PMI", "ORG")]),
    ("Universitas Indonesia Jakarta hadir.", [("Universitas Indonesia", "ORG"), ("Jakarta", "LOC")],
     [("Universitas Indonesia", "ORG"), ("Jakarta", "LOC")]),  # a unique institution and its city
    ("Pengelola tol, PT Jasa Marga (Persero) Tbk, membatasi.", [("Jasa Marga", "ORG")],
     [("PT Jasa Marga (Persero) Tbk", "ORG")]),
    ("bantuan dari PT Hasrat Abadi Cabang Kupang berupa alat.", [("PT Hasrat Abadi", "ORG"), ("Kupang", "LOC")],
     [("PT Hasrat Abadi Cabang Kupang", "ORG")]),
    # a regional enterprise: its legal form makes the market's name a company (GUIDELINES section 8)
    ("kata Direktur Utama Perumda Pasar Jaya kemarin.", [("Pasar Jaya", "LOC")], [("Perumda Pasar Jaya", "ORG")]),
    ("Perusda Tirta Kencana menaikkan tarif.", [("Tirta Kencana", "ORG")], [("Perusda Tirta Kencana", "ORG")]),
])
def test_state_bodies_units_and_companies_take_their_area_parent_and_legal_form(fake_model_nlp, text, model, expected):
    assert ents(run_fake(fake_model_nlp, text, model)) == expected


@pytest.mark.parametrize("text, model, expected", [
    ("jajaran Polres Yahukimo menyelidiki.", [("Yahukimo", "LOC")], [("Polres Yahukimo", "ORG")]),
    ("Kepala Unit Transfusi Darah PMI DKI Jakarta hadir.",
     [("Unit Transfusi Darah", "ORG"), ("PMI", "ORG"), ("DKI Jakarta", "LOC")],
     [("Unit Transfusi Darah PMI DKI Jakarta", "ORG")]),
    ("JAKARTA, KOMPAS – Selama kebijakan PSBB, warga diam.", [("JAKARTA", "LOC"), ("KOMPAS – Selama", "ORG"),
                                                              ("PSBB", "ORG")], [("JAKARTA", "LOC"), ("KOMPAS", "ORG")]),
    ("bantuan bagi UMKM dan APD.", [("UMKM", "PERSON"), ("APD", "ORG")], []),  # common-noun acronyms
    ("dari ancaman virus Corona kemarin.", [("Corona", "PERSON")], []),  # a disease
])
def test_state_bodies_without_a_model_span_dashes_and_common_acronyms(fake_model_nlp, text, model, expected):
    assert ents(run_fake(fake_model_nlp, text, model)) == expected


@pytest.mark.parametrize("text, model, expected", [
    # GUIDELINES.md section 8: hospitals and laboratories are ORG; a body before its area one ORG
    ("dirawat di RSUD Dr Soetomo kemarin.", [("RSUD Dr Soetomo", "LOC")], [("RSUD Dr Soetomo", "ORG")]),
    ("dibawa ke Rumah Sakit Islam Tegal.", [("Rumah Sakit Islam Tegal", "LOC")], [("Rumah Sakit Islam Tegal", "ORG")]),
    ("Kepala Dinas Kesehatan Kabupaten Tegal hadir.", [("Tegal", "LOC")], [("Dinas Kesehatan Kabupaten Tegal", "ORG")]),
    ("warga asal Desa Penusupan datang.", [("Penusupan", "PERSON")], [("Desa Penusupan", "LOC")]),
    # initials of private persons, and their later mentions
    ("Seorang warga, W (40), batuk. Keluarga membawa W ke rumah sakit.", [("W", "LOC")],
     [("W", "PERSON"), ("W", "PERSON")]),
    # two names joined by a hyphen are two spans; a particle before the hyphen is part of the name
    ("Pasangan Didimus-Esau menang.", [("Didimus-Esau", "PERSON")], [("Didimus", "PERSON"), ("Esau", "PERSON")]),
    ("Hitung cepat menempatkan Eri-Armuji unggul.", [("Eri-Armuji", "PERSON")], [("Eri", "PERSON"), ("Armuji", "PERSON")]),
    # the name before the hyphen is one written word of three tokens ("Mas", "’", "ud")
    ("Kuasa Hukum Rahmad Mas’ud-Thohari Aziz hadir.", [("Rahmad Mas’ud-Thohari Aziz", "PERSON")],
     [("Rahmad Mas’ud", "PERSON"), ("Thohari Aziz", "PERSON")]),
    ("Ia mengutip Abu-Bakar kemarin.", [("Abu-Bakar", "PERSON")], [("Abu-Bakar", "PERSON")]),
    ("kata Al-Farabi.", [("Al-Farabi", "PERSON")], [("Al-Farabi", "PERSON")]),
    # a capitalised common word at a sentence start, written in lower case elsewhere in the text
    ("Ia menjadi donor tahun ini. Donor darah dibuka lagi.", [("Donor", "PERSON")], [("tahun ini", "DATE")]),
    ("Ia datang. Bunga membeli bunga mawar.", [("Bunga", "PERSON")], []),
    ("Ia datang. Budi membeli bunga mawar.", [("Budi", "PERSON")], [("Budi", "PERSON")]),
])
def test_institutions_initials_hyphenated_names_and_capitalised_common_words(fake_model_nlp, text, model, expected):
    assert ents(run_fake(fake_model_nlp, text, model)) == expected


@pytest.mark.parametrize("text, model, expected", [
    ("Kata Budi Santoso🇮🇩 kepada wartawan.", [("Budi Santoso🇮🇩", "PERSON")], [("Budi Santoso", "PERSON")]),
    ("Menurut 👍Anies Baswedan❤️, warga senang.", [("👍Anies Baswedan❤️", "PERSON")], [("Anies Baswedan", "PERSON")]),
    ("Ucapan Prabowo Subianto 😀 disambut.", [("Prabowo Subianto 😀", "PERSON")], [("Prabowo Subianto", "PERSON")]),
])
def test_emoji_and_symbols_at_the_edges_are_not_part_of_an_entity(fake_model_nlp, text, model, expected):
    assert ents(run_fake(fake_model_nlp, text, model)) == expected


def test_day_words_in_lower_case_are_not_dates(rules_nlp):
    # "minggu" in lower case is "week" (a duration, not the day), and a number alone is not a date
    assert [e.text for e in rules_nlp("Dua minggu yang lalu 3.000 tentara tiba.").ents] == ["Dua minggu yang lalu"]


# ----------------------------------------------------------------------------- invariants

ARTICLE = (
    "😀 geosurvey.co.id – Juru Bicara Kementerian Luar Negeri Rusia Maria Zakharova menampik tuduhan "
    "dari Eropa Barat, yang merupakan bagian dari aliansi NATO pimpinan AS, bahwa Korea Utara "
    "mengerahkan pasukan di Rusia.\n“Pyongyang diminta mengklarifikasi keberadaan mereka,” kata Maria "
    "Zakharova,  Rabu (23 Oktober 2024).\n\n𝕏 Sekretaris Jenderal NATO, Mark Rutte,\nmenyatakan."
)


@pytest.mark.parametrize("fixture", ["rules_nlp", "full_nlp"])
def test_spans_are_clean_and_never_overlap(request, fixture):
    doc = request.getfixturevalue(fixture)(ARTICLE)
    spans = sorted((e.start_char, e.end_char) for e in doc.ents)
    assert spans, "expected entities"
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
    bounds = token_offsets(ARTICLE)
    starts, ends = {s for s, _ in bounds}, {e for _, e in bounds}
    for ent in doc.ents:
        assert ent.text == ARTICLE[ent.start_char:ent.end_char] == ent.text.strip()
        assert ent.start_char in starts and ent.end_char in ends
        assert "\n" not in ent.text
        assert ent._.source in ("model", "rule")


def test_emoji_before_span_keeps_code_point_offsets(rules_nlp):
    text = "😀😀 𝕏 Presiden Joko Widodo ke Korea Selatan."
    doc = rules_nlp(text)
    by_text = {e.text: e for e in doc.ents}
    assert by_text["Joko Widodo"].start_char == text.index("Joko") == 14
    assert by_text["Korea Selatan"].end_char == text.index(".")
    rows = {r["label"]: r for r in entity_suggestions(doc)}
    person, tokens = rows["PERSON"], token_offsets(text)
    assert (tokens[person["token_start"]][0], tokens[person["token_end"]][1]) == (person["start"], person["end"])
    assert text[person["start"]:person["end"]] == "Joko Widodo"
    assert person["source"] == "rule" and person["status"] == "suggested"


def test_suggestion_token_ids_skip_whitespace_tokens(rules_nlp):
    text = "Kemarin\n\n  Presiden  Joko Widodo tiba."
    rows = entity_suggestions(rules_nlp(text))
    tokens = token_offsets(text)
    for row in rows:
        assert tokens[row["token_start"]][0] == row["start"]
        assert tokens[row["token_end"]][1] == row["end"]


def test_pipeline_tokenizes_like_token_offsets(full_nlp):
    text = 'Kata Budi:“Halo” dan "Jakarta"—sumber-sumber 22/10/2024 😀Joko\n\n'
    assert [(t.idx, t.idx + len(t)) for t in full_nlp(text) if not t.is_space] == token_offsets(text)
    plain = spacy.load(DEFAULT_MODEL_DIR)  # a plain spacy.load keeps the project tokenizer too
    assert [(t.idx, t.idx + len(t)) for t in plain.make_doc(text) if not t.is_space] == token_offsets(text)


def test_extensions_registered_once_and_safely():
    entities._register_extensions()
    entities._register_extensions()
    assert Span.has_extension("source") and Span.has_extension("score")


def test_missing_model_warns_and_falls_back_to_rules(tmp_path):
    with pytest.warns(RuntimeWarning, match="rules only"):
        nlp = load_entity_pipeline(model_dir=tmp_path / "no-model")
    assert "ner" not in nlp.pipe_names
    assert ents(nlp("NATO dan PBB.")) == [("NATO", "ORG"), ("PBB", "ORG")]


def test_add_entity_components_places_rules_after_ner():
    nlp = new_blank()
    nlp.add_pipe("ner")
    nlp.add_pipe("sentencizer")
    add_entity_components(nlp)
    assert nlp.pipe_names == ["ner", "entity_gazetteer", "entity_dates", "entity_titles", "entity_merge",
                              "sentencizer"]


def test_read_patterns_reports_file_and_line(tmp_path):
    path = tmp_path / "gaz.jsonl"
    path.write_text('{"label": "LOC", "pattern": "Kursk"}\n{"label": "LOC", "pattern": \n', encoding="utf-8")
    with pytest.raises(ValueError, match=rf"{path}:2: not valid JSON"):
        read_patterns(path)
    path.write_text('{"label": "DATE", "pattern": [{"LOWER": "hari"}]}\n{"label": "DATE", "pattern": [{"LOWR": "x"}]}\n')
    with pytest.raises(ValueError, match=rf"{path}:2: bad token pattern"):
        read_patterns(path)


def test_shipped_pattern_files_are_valid():
    patterns_dir = entities.RESOURCES_DIR / "patterns"
    gazetteer = read_patterns(patterns_dir / "gazetteer.jsonl")
    assert {p["label"] for p in gazetteer} == {"LOC", "ORG", "PERSON"} and len(gazetteer) > 500
    assert {p["label"] for p in read_patterns(patterns_dir / "dates.jsonl")} == {"DATE"}
    assert "juru bicara" in entities.read_titles(patterns_dir / "titles.txt")


# ----------------------------------------------------------------------------- bundled model

def test_bundled_model_finds_person_without_any_rule():
    nlp = entities._load_model(DEFAULT_MODEL_DIR)  # tok2vec + ner only
    assert nlp.pipe_names == ["tok2vec", "ner"]
    doc = nlp("Kemarin Joko Widodo berkunjung ke Surabaya untuk meresmikan pabrik baru.")
    assert ("Joko Widodo", "PERSON") in ents(doc)


def test_full_pipeline_mixes_model_and_rule_suggestions(full_nlp):
    doc = full_nlp("Susilo Bambang Yudhoyono bertemu Megawati Soekarnoputri di Jakarta pada Rabu (23 Oktober 2024).")
    found = {(e.text, e.label_): e._.source for e in doc.ents}
    assert found[("Susilo Bambang Yudhoyono", "PERSON")] == "model"
    assert found[("Megawati Soekarnoputri", "PERSON")] == "model"
    assert found[("Jakarta", "LOC")] == "rule"
    assert found[("Rabu (23 Oktober 2024)", "DATE")] == "rule"


# ----------------------------------------------------------------------------- whole article: aliases, initials

def run_with(nlp, text, model, off=()):
    """Entities of `text` with the stand-in model spans and the rule families `off` switched off."""
    FAKE_ENTS[:] = model
    merge = nlp.get_pipe("entity_merge")
    merge.families = set(entities.RULE_FAMILIES) - set(off)
    try:
        return [(e.text, e.label_) for e in nlp(text).ents]
    finally:
        merge.families = set(entities.RULE_FAMILIES)


@pytest.mark.parametrize("text, model, expected", [
    # an abbreviation takes the label of the name before it, at every mention
    ("Relawan Barisan Siaga Sungai (Basisa) datang. Basisa membawa perahu. Kata Basisa, air naik.",
     [("Barisan Siaga Sungai", "ORG"), ("Basisa", "PERSON", 1)],
     [("Barisan Siaga Sungai", "ORG"), ("Basisa", "ORG"), ("Basisa", "ORG"), ("Basisa", "ORG")]),
    ("Mereka dimakamkan di Taman Kubur Bahari (TKB) pagi tadi. Lokasi TKB dekat pantai.",
     [("Taman Kubur Bahari", "LOC")], [("Taman Kubur Bahari", "LOC"), ("TKB", "LOC"), ("TKB", "LOC")]),
    # after a lower-case phrase or a document or programme: no entity anywhere
    ("Warga mengurus surat izin pindah desa (SIPD) di kantor. SIPD berlaku sebulan.",
     [("SIPD", "ORG"), ("SIPD", "PERSON", 1)], []),
    ("Dana cair setelah Daftar Isian Belanja Desa (DIBD) terbit. Dengan DIBD itu kami bekerja.",
     [("Daftar Isian Belanja Desa", "ORG"), ("DIBD", "PERSON", 1)], []),
    ("Anggaran program Pemulihan Usaha Rakyat (PUR) naik. PUR dinilai lambat.", [("PUR", "ORG", 1)], []),
    # a name joined by a hyphen is another name; a part of the name before the bracket decides nothing
    ("Dana Lembaga Dana Tani (LDT) cair. Kantor LDT-Jateng tutup.", [("Lembaga Dana Tani", "ORG")],
     [("Lembaga Dana Tani", "ORG"), ("LDT", "ORG"), ("Jateng", "LOC")]),
    ("Gedung Kantor Pusat Tenggara (KPT) dibuka. KPT ramai.", [("Tenggara", "LOC")], [("Tenggara", "LOC")]),
    # an organisation's name split by the model at "dan" is one ORG before its abbreviation
    ("Anggota Persatuan Petani dan Nelayan Nusantara (PPNN) hadir.",
     [("Persatuan Petani", "ORG"), ("Nelayan Nusantara", "LOC")],
     [("Persatuan Petani dan Nelayan Nusantara", "ORG"), ("PPNN", "ORG")]),
    # a translation in brackets is no abbreviation
    ("Ia menulis Buku Harian Rumah (Catatan) untuk anaknya.", [("Buku Harian Rumah", "ORG")],
     [("Buku Harian Rumah", "ORG")]),
])
def test_parenthesised_abbreviation_is_the_entity_before_it_everywhere(fake_model_nlp, text, model, expected):
    assert run_with(fake_model_nlp, text, model) == expected


def test_aliases_family_off_keeps_the_model_labels(fake_model_nlp):
    text = "Relawan Barisan Siaga Sungai (Basisa) datang. Basisa membawa perahu."
    model = [("Barisan Siaga Sungai", "ORG"), ("Basisa", "PERSON", 1)]
    assert run_with(fake_model_nlp, text, model, off=["aliases"]) == [("Barisan Siaga Sungai", "ORG"), ("Basisa", "PERSON")]


@pytest.mark.parametrize("text, model, expected", [
    # a head and its capitalised chain, over "dan", "Covid-19" and the area, are one ORG
    ("Kepala Badan Penanggulangan Bencana dan Perlindungan Masyarakat Kota Tegal Budi Santoso hadir.",
     [("Badan Penanggulangan Bencana", "ORG"), ("Budi Santoso", "PERSON")],
     [("Badan Penanggulangan Bencana dan Perlindungan Masyarakat Kota Tegal", "ORG"), ("Budi Santoso", "PERSON")]),
    ("Data Gugus Tugas Percepatan Penanganan Covid-19 NTT menunjukkan kenaikan.", [("NTT", "LOC")],
     [("Gugus Tugas Percepatan Penanganan Covid-19 NTT", "ORG")]),
    ("Warga dirawat di Rumah Sakit Umum Daerah dr Sutomo, Kota Tegal.", [("Rumah Sakit Umum Daerah", "ORG")],
     [("Rumah Sakit Umum Daerah dr Sutomo", "ORG"), ("Kota Tegal", "LOC")]),
    ("Petugas Polres Kupang Kota berjaga.", [("Polres Kupang", "ORG")], [("Polres Kupang Kota", "ORG")]),
    ("Ia datang ke Puskesmas Oelana kemarin.", [], [("Puskesmas Oelana", "ORG")]),
    ("Pasien dirujuk ke RS Permata Hati kemarin.", [], [("RS Permata Hati", "ORG")]),
    # a hospital's namesake after "dr", whatever the model took it for, also after a title
    ("Pasien dibawa ke RSUP Dr M Jamal Padang.", [], [("RSUP Dr M Jamal Padang", "ORG")]),
    ("Kata Joni, Direktur RSUD dr Sutomo, kemarin.", [("Joni", "PERSON"), ("Sutomo", "LOC")],
     [("Joni", "PERSON"), ("RSUD dr Sutomo", "ORG")]),
    ("Polisi mengerahkan Tim Pemburu Covid-19 ke pasar.", [], [("Tim Pemburu Covid-19", "ORG")]),
    ("Menurut data Pusat Layanan Terpadu Koperasi, jumlahnya naik.", [], [("Pusat Layanan Terpadu Koperasi", "ORG")]),
    # a descriptor before the name is not part of it
    ("Bantuan dikumpulkan di Mako Brimob Kupang.", [("Mako Brimob Kupang", "ORG")], [("Brimob Kupang", "ORG")]),
    ("Bantuan dikumpulkan di Posko Penanganan kemarin.", [("Posko Penanganan", "LOC")], []),
    # a national organisation's regional branch is one ORG
    ("Ketua Ikatan Bidan Indonesia Jawa Timur Sutrisno hadir.", [("Ikatan Bidan Indonesia", "ORG")],
     [("Ikatan Bidan Indonesia Jawa Timur", "ORG"), ("Sutrisno", "PERSON")]),
    # an English name with "of"/"on", before its abbreviation, after a title
    ("Direktur Eksekutif Center of Studies on Trade (CST) Budi Harsono mengatakan itu.", [("CST", "ORG"),
     ("Budi Harsono", "PERSON")], [("Center of Studies on Trade", "ORG"), ("CST", "ORG"), ("Budi Harsono", "PERSON")]),
    # a section after a title belongs to the title
    ("Kepala Departemen Riset Institute for Trade Studies Budi Harsono hadir.",
     [("Departemen Riset Institute for Trade Studies", "ORG"), ("Budi Harsono", "PERSON")],
     [("Institute for Trade Studies", "ORG"), ("Budi Harsono", "PERSON")]),
    # a company the model missed, with its legal forms
    ("Kontrak diteken PT Sinar Laut (Persero) Tbk kemarin.", [], [("PT Sinar Laut (Persero) Tbk", "ORG")]),
    ("Bus milik PO Rajawali Kencana mogok.", [], [("PO Rajawali Kencana", "ORG")]),
    ("Jadwal PT Rel Nusantara Daop 8 Surabaya berubah.", [], [("PT Rel Nusantara Daop 8 Surabaya", "ORG")]),
    ("Kepala Departemen Epidemiologi Fakultas Kedokteran Universitas Cendana Budi Harsono hadir.",
     [("Departemen Epidemiologi Fakultas Kedokteran Universitas Cendana", "ORG"), ("Budi Harsono", "PERSON")],
     [("Fakultas Kedokteran Universitas Cendana", "ORG"), ("Budi Harsono", "PERSON")]),
    # a university and the city it is in are two spans
    ("Mahasiswa Universitas Cendana Kupang berdemo.", [("Universitas Cendana Kupang", "ORG")],
     [("Universitas Cendana", "ORG"), ("Kupang", "LOC")]),
    # a disease with its number is no entity, nor is an institution word without a name
    ("Ia dinyatakan positif Covid-19 kemarin.", [("Covid-19", "ORG")], []),
    ("Aturan itu ditetapkan oleh Kementerian.", [("Kementerian", "ORG")], []),
    # two institutions joined by "serta" are two ORGs; "dan" before a place or another head ends the name
    ("Ia menunggu Kementerian Kesehatan serta Organisasi Kesehatan Dunia (WHO).",
     [("Kementerian Kesehatan serta Organisasi Kesehatan Dunia", "ORG"), ("WHO", "ORG")],
     [("Kementerian Kesehatan", "ORG"), ("Organisasi Kesehatan Dunia", "ORG"), ("WHO", "ORG")]),
    ("Bantuan dikirim ke Puskesmas Oelana dan Posko Desa Oelomin.", [("Desa Oelomin", "LOC")],
     [("Puskesmas Oelana", "ORG"), ("Desa Oelomin", "LOC")]),
    # a faculty or an association heads its name; a dean's name after the faculty is no part of it
    ("Dekan Fakultas Teknik Universitas Indonesia Budi Harsono hadir.",
     [("Universitas Indonesia", "ORG")],
     [("Fakultas Teknik Universitas Indonesia", "ORG"), ("Budi Harsono", "PERSON")]),
    ("Para pedagang dari Paguyuban Pedagang Pasar Oeba menolak rencana itu.", [],
     [("Paguyuban Pedagang Pasar Oeba", "ORG")]),
    # the holder's name after a title is not part of the chain
    ("Juru Bicara Satuan Tugas Penanganan Covid-19 Provinsi Maluku Dani Rerusa mengatakan hal itu.", [],
     [("Satuan Tugas Penanganan Covid-19 Provinsi Maluku", "ORG")]),
])
def test_an_institution_head_and_its_name_chain_are_one_org(fake_model_nlp, text, model, expected):
    assert run_with(fake_model_nlp, text, model) == expected
    assert run_with(fake_model_nlp, text, model, off=["org_chains"]) != expected


def test_a_numbered_unit_alone_is_no_org_chain(fake_model_nlp):
    assert run_with(fake_model_nlp, "Rapat Komisi III dan Komisi B berlangsung.", []) == []


@pytest.mark.parametrize("text, expected", [
    # a document's number ends the name; an English head inside a longer name starts none
    ("Fatwa Majelis Ulama Indonesia Kota Depok Nomor 5 terbit.", [("Majelis Ulama Indonesia Kota Depok", "ORG")]),
    ("Gedung Research Center Holding Farmasi dibuka.", []),
    ("Warga berunjuk rasa di depan Balai Kota sejak pagi.", []),
])
def test_where_an_org_chain_ends_or_does_not_start(fake_model_nlp, text, expected):
    assert run_with(fake_model_nlp, text, []) == expected


def test_a_national_organisations_initials_take_a_province_after_them(fake_model_nlp):
    text = "Ikatan Bidan Indonesia hadir. Tim IBI Jatim juga berangkat."
    assert run_with(fake_model_nlp, text, [("Ikatan Bidan Indonesia", "ORG"), ("IBI", "ORG")]) == [
        ("Ikatan Bidan Indonesia", "ORG"), ("IBI Jatim", "ORG")]


@pytest.mark.parametrize("name", ["Universitas Negeri Jakarta", "Institut Kesenian Jakarta"])
def test_a_place_inside_a_universitys_name_stays(fake_model_nlp, name):
    assert run_with(fake_model_nlp, f"Dosen {name} hadir.", [(name, "ORG")]) == [(name, "ORG")]


def test_a_party_and_its_province_stay_two_spans(fake_model_nlp):
    assert run_with(fake_model_nlp, "Kader PKR Jawa Timur berkumpul.", [("PKR", "ORG")]) == [
        ("PKR", "ORG"), ("Jawa Timur", "LOC")]


@pytest.mark.parametrize("text, model, expected", [
    # a one-word name after a company cue is an ORG, at its other mentions too
    ("Warga menerima vaksin Farmavak. Kiriman kedua Farmavak tiba.", [("Farmavak", "LOC", 1)],
     [("Farmavak", "ORG")] * 2),
    ("Jack Lee selaku pendiri Grup Tokomart hadir. Tokomart tumbuh pesat.", [("Tokomart", "PERSON")],
     [("Grup Tokomart", "ORG"), ("Tokomart", "ORG")]),
    ("Ada empat bus Kotajaya di terminal.", [("Kotajaya", "PERSON")], [("Kotajaya", "ORG")]),
    # before a programme's name too, not inside another organisation's name
    ("Ia pendiri Grup Tokomart. Lewat program Tokomart Niaga Muda ia mengajar di Tokomart Business School.", [],
     [("Grup Tokomart", "ORG"), ("Tokomart", "ORG")]),
])
def test_a_name_after_a_company_cue_is_an_org(fake_model_nlp, text, model, expected):
    assert run_with(fake_model_nlp, text, model) == expected
    assert run_with(fake_model_nlp, text, model, off=["company_cues"]) != expected


@pytest.mark.parametrize("text, model, expected", [
    ("Warga menerima vaksin Covid-19 kemarin.", [], []),
    ("Warga menerima vaksin Merah Putih kemarin.", [], []),
    ("Dana pengadaan vaksin Rp 18 triliun. Sisanya Rp 2 triliun.", [], []),
    ("Pasien dirujuk ke rumah sakit. Bus Kota itu penuh.", [], []),
])
def test_a_disease_or_a_longer_name_after_a_company_cue_is_no_org(fake_model_nlp, text, model, expected):
    assert run_with(fake_model_nlp, text, model) == expected


@pytest.mark.parametrize("text, model, expected", [
    ("Polisi menangkap seorang pria berinisial RK di rumahnya. Dari tangan RK disita sebilah pisau.",
     [("RK", "ORG", 1)], [("RK", "PERSON"), ("RK", "PERSON")]),
    ("Tersangka berinisial AB (35) ditahan. AB mengaku menyesal.", [], [("AB", "PERSON"), ("AB", "PERSON")]),
])
def test_initials_after_berinisial_are_a_person_at_every_mention(fake_model_nlp, text, model, expected):
    assert run_with(fake_model_nlp, text, model) == expected
    assert run_with(fake_model_nlp, text, model, off=["initials"]) != expected


@pytest.mark.parametrize("text, model, expected, changed", [
    # conflicting labels of one name: a mention after "di" outweighs a model label
    ("Warga berkumpul di Rawa Indah kemarin. Rawa Indah dikenal sepi.",
     [("Rawa Indah", "PERSON"), ("Rawa Indah", "PERSON", 1)], [("Rawa Indah", "LOC"), ("Rawa Indah", "LOC")], True),
    # the majority decides
    ("Sinarmas tumbuh. Laporan Sinarmas terbit. Saham Sinarmas naik.",
     [("Sinarmas", "ORG"), ("Sinarmas", "ORG", 1), ("Sinarmas", "PERSON", 2)], [("Sinarmas", "ORG")] * 3, True),
    # an unlabelled repeat of a name labelled twice gets its label, if it stands alone
    ("Kami membeli di toko Tokoraya. Tokoraya menjual buku. Pembeli menyukai Tokoraya.",
     [("Tokoraya", "ORG", 1), ("Tokoraya", "ORG", 2)], [("Tokoraya", "ORG")] * 3, True),
    ("Warga memakai Tokoraya Plus. Tokoraya menjual buku. Pembeli menyukai Tokoraya.",
     [("Tokoraya", "ORG", 1), ("Tokoraya", "ORG", 2)], [("Tokoraya", "ORG")] * 2, False),
    # one model span is not enough evidence; a name the text writes in lower case is a word
    ("Kapal Kalamaza tiba. Warga menerima Kalamaza kemarin.", [("Kalamaza", "LOC")], [("Kalamaza", "LOC")], False),
    ("Harapan Baru datang. Harapan Baru pergi. Kami punya harapan besar.",
     [("Harapan Baru", "ORG"), ("Harapan Baru", "ORG", 1)], [("Harapan Baru", "ORG")] * 2, False),
])
def test_one_label_per_name_in_an_article(fake_model_nlp, text, model, expected, changed):
    assert run_with(fake_model_nlp, text, model) == expected
    assert (run_with(fake_model_nlp, text, model, off=["one_sense"]) != expected) == changed


@pytest.mark.parametrize("text, expected", [
    # regencies and cities of Indonesia are places, also between a title and a name
    ("Wakil Bupati Yalimo Markus Tabuni meninjau jembatan.", [("Yalimo", "LOC"), ("Markus Tabuni", "PERSON")]),
    ("Banjir melanda Hulu Sungai Tengah dan Tanah Bumbu.", [("Hulu Sungai Tengah", "LOC"), ("Tanah Bumbu", "LOC")]),
    # names of regencies that are also common words are not in the list
    ("Batang pohon itu patah.", []),
])
def test_regencies_and_cities_are_places(rules_nlp, text, expected):
    assert ents(rules_nlp(text)) == expected


def test_a_known_name_inside_a_longer_name_after_a_title_is_part_of_it(rules_nlp):
    text = "Kepala Humas Brigadir Jenderal Raden Prabowo Sutejo mengatakan. Presiden Prabowo menyatakan."
    assert ents(rules_nlp(text)) == [("Raden Prabowo Sutejo", "PERSON"), ("Prabowo", "PERSON")]


# ----------------------------------------------------------------------------- person context

@pytest.mark.parametrize("text, model_ents, people", [
    # an honorific before a model place or organisation makes it a person
    ("Kepala Dinas Kesehatan Jabar dr Rina Lestari menyatakan vaksin aman.", [("Rina Lestari", "LOC")],
     ["Rina Lestari"]),
    ("Ceramah disampaikan H. Umar Kasim di lapangan.", [("Umar Kasim", "ORG")], ["Umar Kasim"]),
    # not inside the name of a hospital or street named after a person
    ("Korban dibawa ke Rumah Sakit Umum Daerah dr Wahidin di kota itu.", [("Wahidin", "LOC")], []),
])
def test_name_after_an_honorific_is_a_person(fake_model_nlp, text, model_ents, people):
    doc = run_fake(fake_model_nlp, text, model_ents)
    assert [e.text for e in doc.ents if e.label_ == "PERSON"] == people


@pytest.mark.parametrize("text, model_ents, people", [
    ("Tim kampanye pasangan calon nomor urut 2, Rudi Hartono Sembiring-Wati Marlina, melapor.",
     [("Marlina", "PERSON")], ["Rudi Hartono Sembiring", "Wati Marlina"]),
    ("Sementara pasangan petahana Yusuf Kala-Benny Tobing memperoleh suara terbanyak.", [("Benny", "ORG")],
     ["Yusuf Kala", "Benny Tobing"]),
    # a place in between is skipped; one name without a hyphen is left to the model
    ("Pasangan calon gubernur Jabar nomor urut 1, Dodi-Rahmat menang.", [("Dodi-Rahmat", "LOC")], ["Dodi", "Rahmat"]),
    ("Pasangan itu tinggal di Bandung.", [], []),
])
def test_hyphenated_candidate_pair_is_two_people(fake_model_nlp, text, model_ents, people):
    doc = run_fake(fake_model_nlp, text, model_ents)
    assert [e.text for e in doc.ents if e.label_ == "PERSON"] == people


@pytest.mark.parametrize("text", [
    "Dia adalah mantan menteri kabinet S.",
    "Ia menjabat Komandan Resimen Infanteri / Subter 12 di Jawa.",
])
def test_initial_or_numbered_unit_after_a_title_is_no_name(rules_nlp, text):
    assert not [e for e in rules_nlp(text).ents if e.label_ == "PERSON"]


@pytest.mark.parametrize("text, model_ents, person", [
    ("Pada 2006, Paus Benediktus XVI mengangkat uskup baru.", [("Benediktus XVI", "PERSON")], "Benediktus XVI"),
    ("RINA MARLINA: Mengapa anda diam?", [("RINA MARLINA", "PERSON")], "RINA MARLINA"),
])
def test_model_person_with_capitals_keeps_them(fake_model_nlp, text, model_ents, person):
    doc = run_fake(fake_model_nlp, text, model_ents)
    assert [e.text for e in doc.ents if e.label_ == "PERSON"] == [person]


def test_short_mention_written_in_lower_case_elsewhere_is_a_common_word(fake_model_nlp):
    text = "Kata Simada Tobing berarti pemilik tobing, sebab Tobing berarti manik."
    doc = run_fake(fake_model_nlp, text, [("Simada Tobing", "PERSON")])
    assert [e.text for e in doc.ents if e.label_ == "PERSON"] == ["Simada Tobing"]


@pytest.mark.parametrize("text, model_ents, people", [
    # a model place that speaks is a person, and so are its short mentions
    ("Ketua panitia, Rudi Pangemanan, mengatakan, acara lancar. Rudi juga berharap hujan reda.",
     [("Rudi Pangemanan", "LOC"), ("Rudi", "LOC", 1)], ["Rudi Pangemanan", "Rudi"]),
    ("“Kami siap,” kata Welem Kaunang di kantornya.", [("Welem Kaunang", "LOC")], ["Welem Kaunang"]),
    # not a place after a place word, nor a verb that is no speech
    ("Pasukan dari Kalorama, menyatakan siap bertempur.", [("Kalorama", "LOC")], []),
    ("Grup Zanzibar mengajak warga menari.", [("Zanzibar", "LOC")], []),
])
def test_model_place_that_speaks_is_a_person(fake_model_nlp, text, model_ents, people):
    doc = run_fake(fake_model_nlp, text, model_ents)
    assert [e.text for e in doc.ents if e.label_ == "PERSON"] == people


def test_title_of_a_group_is_followed_by_no_name(rules_nlp):
    doc = rules_nlp("Aturan itu disepakati para Hakim Konstitusi pada sidang.")
    assert not [e for e in doc.ents if e.label_ == "PERSON"]


@pytest.mark.parametrize("text, model_ents, people", [
    ("Kasus naik lagi. Gejala ini muncul setelah libur.", [("Gejala", "PERSON")], []),
    ("Usaha kecil tumbuh. Catatan pinjaman dapat dipakai.", [("Catatan", "PERSON")], []),
    # a name at a sentence start stays
    ("Acara usai. Wulan mengatakan semua lancar.", [("Wulan", "PERSON")], ["Wulan"]),
    ("Acara usai. Wulan itu datang. Kata Wulan, semua lancar.", [("Wulan", "PERSON")], ["Wulan"]),
])
def test_common_noun_at_sentence_start_is_no_person(fake_model_nlp, text, model_ents, people):
    doc = run_fake(fake_model_nlp, text, model_ents)
    assert [e.text for e in doc.ents if e.label_ == "PERSON"] == people


def test_name_described_as_one_person_is_a_person(fake_model_nlp):
    doc = run_fake(fake_model_nlp, "Ia ditolong Marlisa, seorang bidan desa, pada malam itu.", [("Marlisa", "ORG")])
    assert [e.text for e in doc.ents if e.label_ == "PERSON"] == ["Marlisa"]


def test_short_mention_comes_after_the_full_name(fake_model_nlp):
    text = "Marga pertama di lembah itu, lalu datang Marga Sitanggang dan Marga pun pergi."
    doc = run_fake(fake_model_nlp, text, [("Marga Sitanggang", "PERSON")])
    assert [e.text for e in doc.ents if e.label_ == "PERSON"] == ["Marga Sitanggang", "Marga"]


@pytest.mark.parametrize("text, people", [
    # the name after the title is the first half of a portfolio joined by "dan"
    ("Menteri Tenaga Kerja dan Transmigrasi itu mengatakan upah naik.", []),
    # a title or an honorific keeps the name
    ("Menteri Andi Sumarno dan Wakil Menteri Budi Hartono hadir.", ["Andi Sumarno", "Budi Hartono"]),
    ("Wakil Rektor Dr. Rini Kusuma dan Dekannya hadir.", ["Rini Kusuma"]),
])
def test_name_after_a_title_is_no_half_of_a_portfolio(rules_nlp, text, people):
    assert [e.text for e in rules_nlp(text).ents if e.label_ == "PERSON"] == people


@pytest.mark.parametrize("text, model_ents, person", [
    # a one-word title right after a given name is the surname
    ("Menteri Agama Lukman Hakim Saifuddin mengatakan hal itu.", [], "Lukman Hakim Saifuddin"),
    ("Hal itu dibenarkan warga, Arief Hakim, kemarin.", [("Arief Hakim", "PERSON")], "Arief Hakim"),
    # not at a sentence start, nor an honorific
    ("Warga datang. Area Supervisor Budi Santoso menuturkan hal itu.", [], "Budi Santoso"),
])
def test_title_after_a_given_name_is_a_surname(fake_model_nlp, text, model_ents, person):
    doc = run_fake(fake_model_nlp, text, model_ents)
    assert [e.text for e in doc.ents if e.label_ == "PERSON"] == [person]


def test_honorific_after_a_capitalised_word_stays_a_title(rules_nlp):
    doc = rules_nlp("Hadir Ketua Alumni Dr. Rini Kusuma di sana.")
    assert [t.text for t in doc.spans["titles"]] == ["Ketua", "Dr."]


def test_place_after_an_ambiguous_cue_word_stays_a_place(fake_model_nlp):
    doc = run_fake(fake_model_nlp, "Yang jelas Kalorama aman.", [("Kalorama", "LOC")])
    assert ents(doc) == [("Kalorama", "LOC")]


@pytest.mark.parametrize("text, model_ents, people", [
    # a model PERSON that is a derived word or verb plus one capitalised word is a common phrase
    ("Alumninya termasuk tiga Pemenang Nobel dan dua menteri.", [("Pemenang Nobel", "PERSON")], []),
    ("Mereka diminta Bertemu Langsung dengan raja.", [("Bertemu Langsung", "PERSON")], []),
    # unless the word is written elsewhere too
    ("Kata Dodi Ma, toko tutup. Jawaban Ma singkat.", [("Dodi Ma", "PERSON"), ("Jawaban Ma", "PERSON")],
     ["Dodi Ma", "Ma"]),
])
def test_model_person_of_a_common_word_and_one_name_word(fake_model_nlp, text, model_ents, people):
    doc = run_fake(fake_model_nlp, text, model_ents)
    assert [e.text for e in doc.ents if e.label_ == "PERSON"] == people


@pytest.mark.parametrize("text, model_ents, people", [
    ("Ia ahli siasat perang gerilya Pangeran Sasmita.", [("Sasmita", "LOC")], ["Sasmita"]),
    ("Pesawat mendarat di Bandara Sultan Hamid.", [("Hamid", "LOC")], []),
])
def test_name_after_a_royal_title_is_a_person(fake_model_nlp, text, model_ents, people):
    doc = run_fake(fake_model_nlp, text, model_ents)
    assert [e.text for e in doc.ents if e.label_ == "PERSON"] == people


def test_name_after_a_kinship_noun_is_a_person(fake_model_nlp):
    doc = run_fake(fake_model_nlp, "Usaha itu kini dikelola keponakan Rudi Hartanto.", [("Rudi Hartanto", "ORG")])
    assert ents(doc) == [("Rudi Hartanto", "PERSON")]


@pytest.mark.parametrize("text, model, expected", [
    # the initials of the capitalised words spell the abbreviation: the whole name is the ORG
    ("Peneliti Center for Strategic and International Studies (CSIS) Arya Fernandes hadir.",
     [("International Studies", "ORG"), ("CSIS", "ORG"), ("Arya Fernandes", "PERSON")],
     [("Center for Strategic and International Studies", "ORG"), ("CSIS", "ORG"), ("Arya Fernandes", "PERSON")]),
    ("Aktivis Indonesia Corruption Watch (ICW) datang.", [("Corruption", "ORG"), ("Watch", "ORG")],
     [("Indonesia Corruption Watch", "ORG"), ("ICW", "ORG")]),
    # initials that do not spell it, or a kind of committee (GUIDELINES section 8): nothing widened
    ("Peneliti Center for Strategic and International Studies (CSI) hadir.", [("International Studies", "ORG")],
     [("International Studies", "ORG")]),
    ("Honor petugas Kelompok Penyelenggara Pemungutan Suara (KPPS) naik.", [("Penyelenggara Pemungutan Suara", "ORG")],
     [("Penyelenggara Pemungutan Suara", "ORG")]),
])
def test_a_name_spelled_out_by_its_abbreviation_is_one_org(fake_model_nlp, text, model, expected):
    assert run_with(fake_model_nlp, text, model) == expected


def test_a_company_before_its_ceos_name_is_split_off_when_the_article_writes_it_alone():
    nlp = new_blank()
    nlp.add_pipe("test_fake_ner")
    nlp = add_entity_components(nlp)
    text = ("Izin usaha Jouska sebagai entitas bisnis terbatas. Regulator memanggil pengurus Jouska kemarin. "
            "Sebelumnya, CEO Jouska Aakar Abyasa Fidzuno menyatakan, pihaknya bekerja di ranah edukasi.")
    model = [("Jouska", "PERSON"), ("Jouska", "PERSON", 1), ("Jouska Aakar Abyasa Fidzuno", "PERSON")]
    assert run_with(nlp, text, model) == [("Jouska", "ORG"), ("Jouska", "ORG"), ("Jouska", "ORG"),
                                          ("Aakar Abyasa Fidzuno", "PERSON")]
    # written alone only once: the words after "CEO" may all be the person's name
    text = "CEO Jaya Aakar Fidzuno menyatakan, pihaknya bekerja. Regulator memanggil pengurus Jaya kemarin."
    assert run_with(nlp, text, [("Jaya Aakar Fidzuno", "PERSON")])[0] == ("Jaya Aakar Fidzuno", "PERSON")


@pytest.mark.parametrize("text, model, expected", [
    # after a rank the capitalised chain is the name, gazetteer words included; a corps or status
    # marker after the rank is part of the title
    ("Dandim Letnan Kolonel (Inf) Parada Warta Nusantara Tampubolon hadir.",
     [("Inf", "PERSON"), ("Warta Nusantara Tampubolon", "PERSON")], [("Parada Warta Nusantara Tampubolon", "PERSON")]),
    ("Juru bicara Brigjen Pol Awi Setiyono hadir.", [("Pol Awi Setiyono", "PERSON")], [("Awi Setiyono", "PERSON")]),
    ("Danrem Kolonel Inf Toto Jumariono hadir.", [("Inf Toto Jumariono", "PERSON")], [("Toto Jumariono", "PERSON")]),
    ("Kepala Staf Jenderal (Purn) Moeldoko hadir.", [("Purn", "PERSON")], [("Moeldoko", "PERSON")]),
])
def test_a_name_after_a_rank_and_its_corps(fake_model_nlp, text, model, expected):
    assert run_with(fake_model_nlp, text, model) == expected


def test_civilian_titles_ending_like_a_rank_keep_the_gazetteer_stop(fake_model_nlp):
    # "Sekretaris Jenderal", "Kepala" are no ranks: a place or organisation of the gazetteer in
    # the chain still ends the name before it
    assert run_with(fake_model_nlp, "Sekretaris Jenderal PBB Antonio Guterres hadir.", []) == [
        ("PBB", "ORG"), ("Antonio Guterres", "PERSON")]
    assert run_with(fake_model_nlp, "Kepala Dinas Kesehatan Kendari Rahminingrum hadir.", [("Rahminingrum", "PERSON")])[-1] == (
        "Rahminingrum", "PERSON")


@pytest.mark.parametrize("text, model", [
    ("Peserta Kartu Prakerja bertambah.", [("Kartu Prakerja", "PERSON")]),
    ("Dana Program Keluarga Harapan cair.", [("Program Keluarga Harapan", "ORG")]),
])
def test_a_model_span_opening_with_a_document_or_programme_word_is_no_entity(fake_model_nlp, text, model):
    assert run_with(fake_model_nlp, text, model) == []
    assert run_with(fake_model_nlp, text, model, off=["cleanup"]) == [(model[0][0], model[0][1])]


@pytest.mark.parametrize("text, model, expected", [
    ("INDRAMAYU, KOMPAS — Petugas bekerja.", [("INDRAMAYU", "ORG"), ("KOMPAS", "ORG")],
     [("INDRAMAYU", "LOC"), ("KOMPAS", "ORG")]),
    ("Judul berita\nTANGERANG SELATAN, KOMPAS.com - Warga antre.", [("KOMPAS.com", "ORG")],
     [("TANGERANG SELATAN", "LOC"), ("KOMPAS.com", "ORG")]),
    ("SLAWI (ANTARA) - Warga antre.", [("ANTARA", "ORG")], [("SLAWI", "LOC"), ("ANTARA", "ORG")]),
    # the source first, then a place of the gazetteer: the source is one ORG
    ("TIMES JABAR, JAKARTA – Warga antre.", [("TIMES", "ORG"), ("JABAR", "LOC")],
     [("TIMES JABAR", "ORG"), ("JAKARTA", "LOC")]),
])
def test_the_place_of_a_dateline_is_loc(fake_model_nlp, text, model, expected):
    assert run_with(fake_model_nlp, text, model) == expected
    assert run_with(fake_model_nlp, "Kata BPS, KOMPAS mencatat.", [("BPS", "ORG"), ("KOMPAS", "ORG")]) == [
        ("BPS", "ORG"), ("KOMPAS", "ORG")]  # no dash after the source: no dateline


@pytest.mark.parametrize("text, model, expected", [
    ("Polisi menghadirkan enam tersangka, yaitu FN, CR dan VR. Dari tangan VR disita sabu.", [("VR", "ORG", 1)],
     [("FN", "PERSON"), ("CR", "PERSON"), ("VR", "PERSON"), ("VR", "PERSON")]),
    ("Polisi mendapat sabu dari seseorang bernama IL di hotel. Lalu IL menyerahkan diri.", [],
     [("IL", "PERSON"), ("IL", "PERSON")]),
    # no noun for people before "yaitu": capitals listed are no initials
    ("Ada dua negara, yaitu AS dan RI.", [("AS", "LOC"), ("RI", "LOC")], [("AS", "LOC"), ("RI", "LOC")]),
])
def test_initials_listed_after_suspects_or_after_bernama_are_persons(fake_model_nlp, text, model, expected):
    assert run_with(fake_model_nlp, text, model) == expected


@pytest.mark.parametrize("text, model, expected", [
    ("Vaksinasi di Gelanggang Olahraga Lila Bhuana kemarin.", [("Lila Bhuana", "PERSON"), ("Gelanggang Olahraga", "LOC")],
     [("Gelanggang Olahraga Lila Bhuana", "LOC")]),
    ("Pihaknya menutup Rest Area Km 50A sejak pagi.", [], [("Rest Area Km 50A", "LOC")]),
    ("Antrean di Jalan Tol Jakarta-Merak memanjang.", [("Jalan Tol Jakarta", "LOC"), ("Merak", "LOC")],
     [("Jalan Tol Jakarta-Merak", "LOC")]),
    ("Bus masuk Terminal Pulo Gebang pagi ini.", [("Pulo Gebang", "LOC")], [("Terminal Pulo Gebang", "LOC")]),
    # the city of the gazetteer after the site's name is its own LOC; a head and a city alone stay one
    ("kata Risma di Taman Surya Surabaya kemarin.", [("Taman Surya Surabaya", "LOC")],
     [("Taman Surya", "LOC"), ("Surabaya", "LOC")]),
    ("Ia tiba di Stasiun Bogor pagi.", [("Bogor", "LOC")], [("Stasiun Bogor", "LOC")]),
    # a head alone, or before an organisation, is no place name
    ("Warga berkumpul di terminal dan di Terminal kemarin.", [], []),
    ("Petugas berjaga di Masjid KPK.", [("KPK", "ORG")], [("KPK", "ORG")]),
])
def test_a_place_head_and_its_name_are_one_loc(fake_model_nlp, text, model, expected):
    assert run_with(fake_model_nlp, text, model) == expected


@pytest.mark.parametrize("text, model, expected", [
    ("Pemungutan suara ulang digelar di TPS Krangkeng.", [("TPS Krangkeng", "LOC")], [("Krangkeng", "LOC")]),
    ("Warga datang ke TPS pagi ini.", [("TPS", "LOC")], []),
])
def test_a_polling_station_is_no_place_name(fake_model_nlp, text, model, expected):
    assert run_with(fake_model_nlp, text, model) == expected


# ----------------------------------------------------------------------------- issue 13: the gazetteer

@pytest.mark.parametrize("text, name", [
    # a verb-like first word opens a club's or unit's name, no headline verb (NERGrit dev)
    ("Ia bermain dalam skuat Persib Bandung pada musim itu.", "Persib Bandung"),
    ("Dia akhirnya hijrah ke klub Divisi Utama Liga Indonesia pada tahun 2011.", "Divisi Utama Liga Indonesia"),
    # a school's or a company's model ORG may add up to six words to the place
    ("Sekolah Menengah Atas Negeri 48 Jakarta merupakan salah satu sekolah.", "Sekolah Menengah Atas Negeri 48 Jakarta"),
    ("dua perusahaan, yaitu China Huadian Engineering Corporation Ltd dan lainnya.",
     "China Huadian Engineering Corporation Ltd"),
])
def test_model_org_around_a_gazetteer_place_is_kept_whole(full_nlp, text, name):
    assert (name, "ORG") in ents(full_nlp(text))


def test_headline_verb_before_a_place_still_blocks_the_model_span(fake_model_nlp):
    doc = run_fake(fake_model_nlp, "Pertimbangkan Korea Selatan Mengirim Tentara",
                   [("Pertimbangkan Korea Selatan", "LOC")])
    assert ents(doc) == [("Korea Selatan", "LOC")]


def test_a_building_is_a_place(full_nlp, rules_nlp):
    # GUIDELINES section 8: buildings are LOC; "Gedung Putih" that speaks stays the ORG
    assert ents(rules_nlp("Ia diminta menghadap ke Istana Merdeka.")) == [("Istana Merdeka", "LOC")]
    assert ents(rules_nlp("Juru bicara Gedung Putih John Kirby mengatakan.")) == [
        ("Gedung Putih", "ORG"), ("John Kirby", "PERSON")]
    assert ("Gedung DPR-RI", "LOC") in ents(full_nlp("Rapat digelar di Gedung DPR-RI, Senin."))


def test_a_name_that_is_a_common_word_is_none_before_a_function_word(rules_nlp):
    # "Antara" (the news agency) is also "antara" (among): GSD-NER dev
    doc = rules_nlp("Antara yang memuji beliau adalah Yusof. Hal itu dilaporkan kantor berita Antara. "
                    "Antara melaporkan hal itu.")
    assert [e.start_char for e in doc.ents if e.text == "Antara"] == [
        doc.text.index("Antara", 10), doc.text.rindex("Antara")]


def test_dpd_alone_is_no_gazetteer_name(rules_nlp):
    # a party's Dewan Pimpinan Daerah is one ORG with its party and area, or no name ("31 DPD"): idner dev
    assert ents(rules_nlp("Munaslub diminta oleh 31 DPD provinsi.")) == []


# ----------------------------------------------------------------------------- one patterns folder

def _custom_patterns(tmp_path, honorific: str):
    import shutil

    folder = tmp_path / "patterns"
    shutil.copytree(entities.RESOURCES_DIR / "patterns", folder)
    (folder / "person_honorifics.txt").write_text(f"# a project's own honorifics\n{honorific}\n", encoding="utf-8")
    (folder / "company_cues.txt").unlink()  # a folder without a list: the bundled one serves
    return folder


def test_every_entity_list_comes_from_the_one_patterns_folder(tmp_path, fake_model_nlp):
    folder = _custom_patterns(tmp_path, "kakanda")
    nlp = new_blank()
    nlp.add_pipe("test_fake_ner")
    add_entity_components(nlp, tmp_path)
    assert nlp.get_pipe_config("entity_merge")["patterns_dir"] == str(folder)
    assert nlp.get_pipe_config("entity_titles")["patterns_dir"] == str(folder)
    text, model = "Usaha itu dikelola kakanda Rudi Hartanto.", [("Rudi Hartanto", "ORG")]
    assert ents(run_fake(nlp, text, model)) == [("Rudi Hartanto", "PERSON")]  # the folder's honorific
    assert ents(run_fake(fake_model_nlp, text, model)) == [("Rudi Hartanto", "ORG")]  # not a bundled one
    assert ents(run_fake(nlp, "Usaha itu dikelola istri Rina Hartanto.", [("Rina Hartanto", "ORG")])) == [
        ("Rina Hartanto", "ORG")]  # the folder's list replaces the bundled one
    assert nlp.get_pipe("entity_merge").company_cues == entities.read_word_list(
        entities.RESOURCES_DIR / "patterns" / "company_cues.txt")


def test_a_config_written_before_patterns_dir_reads_the_lists_beside_its_files(tmp_path):
    folder = _custom_patterns(tmp_path, "kakanda")
    merger = entities.EntityMerger("m", not_entities=str(folder / "not_entities.txt"))
    assert merger.honorifics == {"kakanda"}
    finder = entities.TitleFinder(new_blank(), "t", titles=["ketua"], max_name_tokens=5,
                                  not_name_words=str(folder / "not_name_words.txt"))
    assert finder.honorifics == {"kakanda"}
    assert entities.EntityMerger("m").honorifics >= {"dr", "istri"}  # no setting: the bundled lists


def test_an_alias_that_the_gazetteer_knows_keeps_its_label(fake_model_nlp):
    # NERGrit dev: the place before the bracket ends the name, but ASEAN is the organisation
    text = "Ia sekretaris jenderal Asosiasi Negara - negara Asia Tenggara (ASEAN) sejak 2003."
    doc = run_fake(fake_model_nlp, text, [("Asia Tenggara", "LOC")])
    assert ("ASEAN", "ORG") in ents(doc)


def test_an_institution_head_with_only_common_words_is_no_name(rules_nlp):
    # GSD-NER dev: "dua Fakultas Baru" (two new faculties)
    assert ("Fakultas Baru", "ORG") not in ents(rules_nlp("Universitas itu membuka dua Fakultas Baru tahun itu."))
    assert ("Fakultas Kehutanan", "ORG") in ents(rules_nlp("Universitas itu membuka Fakultas Kehutanan tahun itu."))


@pytest.mark.parametrize("text, expected", [
    # idner-news-2k dev: the last words of a name after "dan"
    ("Hal itu disampaikan Badan Pengatur Hilir Minyak dan Gas Bumi pada Senin.",
     [("Badan Pengatur Hilir Minyak dan Gas Bumi", "ORG"), ("Senin", "DATE")]),
    # two bodies: a descriptor or an institution after "dan" (PFSA dev)
    ("Ia dirawat di Puskesmas Nekamese dan Posko Covid-19 Desa Oelomin.",
     [("Puskesmas Nekamese", "ORG"), ("Desa Oelomin", "LOC")]),
    ("Data dari Badan Pusat Statistik dan Kementerian Kesehatan menunjukkan hal itu.",
     [("Badan Pusat Statistik", "ORG"), ("Kementerian Kesehatan", "ORG")]),
])
def test_an_institution_name_may_end_with_dan_and_its_last_words(full_nlp, text, expected):
    assert ents(full_nlp(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("Riset terbaru Morgan Stanley menyebutkan ekonomi pulih.", [("Morgan Stanley", "ORG")]),
    ("Ekonom Nomura dan Goldman Sachs sepakat.", [("Nomura", "ORG"), ("Goldman Sachs", "ORG")]),
])
def test_international_banks_and_firms_are_org(rules_nlp, text, expected):
    assert ents(rules_nlp(text)) == expected


def test_sultan_is_a_title_outside_the_name(rules_nlp):
    assert ents(rules_nlp("Gubernur DIY Sultan Hamengku Buwono X hadir.")) == [("DIY", "LOC"), ("Hamengku Buwono X", "PERSON")]


@pytest.mark.parametrize("text, model, expected", [
    # initials opening the name after a title are part of it, degrees after it are not
    ("Jaksa Agung ST Burhanuddin hadir.", [("Burhanuddin", "PERSON")], [("ST Burhanuddin", "PERSON")]),
    ("Kapolda Irjen RZ Panca Putra Simanjuntak hadir.", [("RZ", "ORG"), ("Panca Putra Simanjuntak", "PERSON")],
     [("RZ Panca Putra Simanjuntak", "PERSON")]),
    ("Pengacaranya, Budi Santoso SH MH, hadir.", [("Budi Santoso SH MH", "PERSON")], [("Budi Santoso", "PERSON")]),
    ("Ketua DPR RI Puan Maharani hadir.", [("Puan Maharani", "PERSON")], [("DPR RI", "ORG"), ("Puan Maharani", "PERSON")]),
])
def test_initials_before_and_degrees_after_a_name(fake_model_nlp, text, model, expected):
    assert run_with(fake_model_nlp, text, model) == expected


def test_a_clause_of_a_law_is_no_person_before_an_age(fake_model_nlp):
    assert run_with(fake_model_nlp, "Sanksi diatur dalam Pasal 8 Ayat (1) peraturan itu.", []) == []
    assert run_with(fake_model_nlp, "Yani (40), agen tiket, mengaku rugi.", []) == [("Yani", "PERSON")]


def test_a_name_after_a_product_cue_is_no_entity_anywhere(fake_model_nlp):
    text = "Indonesia memesan 24 pesawat Hawk. Tiga Hawk jatuh. Penumpang naik pesawat Garuda Indonesia."
    model = [("Indonesia", "LOC"), ("Hawk", "PERSON"), ("Hawk", "PERSON", 1), ("Garuda Indonesia", "ORG")]
    assert run_with(fake_model_nlp, text, model) == [("Indonesia", "LOC"), ("Garuda Indonesia", "ORG")]
    assert ("Hawk", "PERSON") in run_with(fake_model_nlp, text, model, off=["company_cues"])


@pytest.mark.parametrize("text, model, expected", [
    ("Kepala Dinas Tenaga Kerja, Transmigrasi, dan Energi DKI Jakarta Andri Yansyah hadir.",
     [("Dinas Tenaga Kerja", "ORG"), ("Energi DKI Jakarta", "ORG"), ("Andri Yansyah", "PERSON")],
     [("Dinas Tenaga Kerja, Transmigrasi, dan Energi DKI Jakarta", "ORG"), ("Andri Yansyah", "PERSON")]),
    ("Data Gugus Tugas Percepatan Penanganan Covid 19 menunjukkan kenaikan.", [],
     [("Gugus Tugas Percepatan Penanganan Covid 19", "ORG")]),
    ("Ketua Kamar Dagang dan Industri (Kadin) DKI Jakarta Diana Dewi hadir.",
     [("Kamar Dagang dan Industri", "ORG"), ("DKI Jakarta Diana Dewi", "LOC")],
     [("Kamar Dagang dan Industri", "ORG"), ("Kadin", "ORG"), ("DKI Jakarta", "LOC"), ("Diana Dewi", "PERSON")]),
    # a list of separate bodies stays separate
    ("Dinas Kesehatan, Dinas Sosial, dan BPBD bergerak.", [], [("Dinas Kesehatan", "ORG"), ("Dinas Sosial", "ORG"), ("BPBD", "ORG")]),
])
def test_an_agency_named_by_a_list_of_portfolios_is_one_org(fake_model_nlp, text, model, expected):
    assert run_with(fake_model_nlp, text, model) == expected


@pytest.mark.parametrize("text, model, expected", [
    ("Desa adat itu antara lain Desa Abuan Kabupaten Bangli.", [("Desa Abuan Kabupaten Bangli", "LOC")],
     [("Desa Abuan", "LOC"), ("Kabupaten Bangli", "LOC")]),
    ("Warga Kabupaten Kepulauan Seribu datang.", [("Kabupaten Kepulauan Seribu", "LOC")], [("Kabupaten Kepulauan Seribu", "LOC")]),
    ("Surat Edaran Pergantian Tahun Baru 2020/2021 terbit.", [], [("2020/2021", "DATE")]),
    ("Pengguna MRT Jakarta turun. Gubernur DI Yogyakarta hadir.", [], [("MRT Jakarta", "ORG"), ("DI Yogyakarta", "LOC")]),
])
def test_two_places_a_year_pair_and_an_operator(fake_model_nlp, text, model, expected):
    assert run_with(fake_model_nlp, text, model) == expected
