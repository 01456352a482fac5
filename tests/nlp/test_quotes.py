"""Rules of the quote finder (annotator/nlp/quotes/) on small Indonesian examples."""

from __future__ import annotations

import json

import pytest

from annotator.nlp.quotes import PATTERNS_PATH, pair_quote_marks
from annotator.nlp.tokenizer import new_blank


def make_nlp(**config):
    nlp = new_blank()
    nlp.add_pipe("quote_finder", config=config)
    return nlp


@pytest.fixture(scope="module")
def nlp():
    return make_nlp()


def quotes(nlp, text):
    doc = nlp(text)
    return doc, doc._.quotes


def content(doc, q):
    return doc.text[q["start"]:q["end"]]


def speaker(doc, q):
    return None if q["speaker"] is None else doc.text[q["speaker"]["start"]:q["speaker"]["end"]]


def cue(q):
    return None if q["cue"] is None else q["cue"]["text"]


def only(qs, kind=None):
    qs = [q for q in qs if kind is None or q["kind"] == kind]
    assert len(qs) == 1, qs
    return qs[0]


# --------------------------------------------------------------------------- direct quotes


def test_direct_quote_with_kata_after(nlp):
    doc, qs = quotes(nlp, "“Kami siap membantu warga,” kata Budi Santoso kepada wartawan.")
    q = only(qs)
    assert q["kind"] == "direct"
    assert content(doc, q) == "Kami siap membantu warga,"
    assert cue(q) == "kata"
    assert speaker(doc, q) == "Budi Santoso"
    assert q["speaker"]["label"] == "PERSON"
    assert q["source"] == "rule" and q["status"] == "suggested"


def test_direct_quote_with_ujar_and_title_before_name(nlp):
    doc, qs = quotes(nlp, "“Keputusan ini sudah final,” ujar Menteri Keuangan Sri Mulyani di Jakarta, Senin (3/5/2021).")
    q = only(qs)
    assert cue(q) == "ujar"
    assert speaker(doc, q) == "Sri Mulyani"


def test_title_and_name_gives_the_name(nlp):
    text = "“Kami mempunyai bukti bahwa pasukan bergerak menuju Rusia,” kata Menteri Pertahanan AS Lloyd Austin pada Rabu lalu."
    doc, qs = quotes(nlp, text)
    assert speaker(doc, only(qs)) == "Lloyd Austin"


def test_title_only_is_a_free_span(nlp):
    doc, qs = quotes(nlp, "”Semuanya harus jalan minggu ini,” kata Presiden dalam rapat terbatas.")
    q = only(qs)
    assert speaker(doc, q) == "Presiden"
    assert q["speaker"]["label"] == "PERSON"


def test_name_then_apposition(nlp):
    text = ("\"Kami telah melihat laporan bahwa DPRK telah mengirim pasukan,\" kata Robert Wood, "
            "duta besar AS untuk PBB, kepada Dewan Keamanan.")
    doc, qs = quotes(nlp, text)
    assert speaker(doc, only(qs)) == "Robert Wood"


def test_role_then_name_after_comma(nlp):
    text = "”Kasusnya hanya 2 persen,” kata juru bicara Gugus Tugas Covid-19 Kabupaten Bekasi, Alamsyah, Rabu sore."
    doc, qs = quotes(nlp, text)
    assert speaker(doc, only(qs)) == "Alamsyah"


@pytest.fixture(scope="module")
def nlp_places():
    """The quote finder after rule entities for the places and organisations of the new tests
    (the real pipeline has an entity layer; without one a lone country looks like a name)."""
    nlp = new_blank()
    nlp.add_pipe("entity_ruler").add_patterns(
        [{"label": "LOC", "pattern": w} for w in ("Jepang", "Malaysia", "Filipina")]
        + [{"label": "ORG", "pattern": "ASEAN"}, {"label": "PERSON", "pattern": "Rahim Salleh"}])
    nlp.add_pipe("quote_finder")
    return nlp


def test_institution_speaker_is_the_state_inside(nlp):
    # guidelines 4.3: "pemerintah X" / "perwakilan X untuk PBB" -> the state or organisation X
    text = "\"Kami mendesak penarikan segera pasukan itu,\" kata pemerintah Jepang dalam pernyataannya."
    doc, qs = quotes(nlp, text)
    assert speaker(doc, only(qs)) == "Jepang"
    doc, qs = quotes(nlp, "Sementara itu, perwakilan Filipina untuk PBB mengatakan laporan itu tidak benar sama sekali.")
    assert speaker(doc, only(qs, "indirect")) == "Filipina"
    doc, qs = quotes(nlp, "Badan intelijen Jepang sebelumnya menyatakan bahwa kapal itu berlayar ke utara.")
    assert speaker(doc, only(qs, "indirect")) == "Jepang"


def test_capitalised_organisation_name_is_not_a_descriptor():
    nlp = new_blank()
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "LOC", "pattern": "Jepang"}])
    nlp.add_pipe("quote_finder")
    doc = nlp("\"Kami akan terus memantau situasi,\" kata Kementerian Luar Negeri Jepang.")
    assert speaker(doc, only(doc._.quotes)) == "Kementerian Luar Negeri Jepang"
    doc = nlp("\"Kami akan terus memantau situasi,\" kata pemerintah Jepang.")
    q = only(doc._.quotes)
    assert speaker(doc, q) == "Jepang"
    assert q["speaker"]["label"] == "LOC"


def test_long_institutional_subject_gives_its_organisation(nlp_places):
    text = ("Para menteri pertahanan negara-negara ASEAN dan dua mitranya mengatakan Senin lalu, "
            "bahwa mereka akan menggelar latihan bersama tahun depan.")
    doc, qs = quotes(nlp_places, text)
    q = only(qs, "indirect")
    assert speaker(doc, q) == "ASEAN"
    assert content(doc, q) == "mereka akan menggelar latihan bersama tahun depan"


def test_plural_speakers_refer_to_the_last_group_speaker(nlp_places):
    text = ("Pemerintah Jepang mengatakan bahwa kapal itu melanggar batas wilayah.\n"
            "Mereka menambahkan, bahwa patroli laut akan ditambah pekan ini.\n"
            "Para menteri mengatakan latihan gabungan akan tetap berjalan sesuai jadwal.")
    doc, qs = quotes(nlp_places, text)
    assert [speaker(doc, q) for q in qs] == ["Jepang", "Jepang", "Jepang"]


def test_title_with_demonstrative_refers_to_the_named_holder(nlp_places):
    text = ("Menteri Perdagangan Malaysia, Rahim Salleh mengatakan ekspor sawit naik tajam tahun ini.\n"
            "Menteri tersebut menambahkan, harga sawit akan stabil sampai akhir tahun.")
    doc, qs = quotes(nlp_places, text)
    assert [speaker(doc, q) for q in qs] == ["Rahim Salleh", "Rahim Salleh"]


def test_unnamed_source_keeps_its_demonstrative(nlp_places):
    text = ("Pejabat Filipina mengatakan bahwa kapal itu sudah pergi.\n"
            "Pejabat Filipina itu menambahkan, bahwa patroli akan terus berjalan malam ini.")
    doc, qs = quotes(nlp_places, text)
    assert speaker(doc, qs[-1]) == "Pejabat Filipina itu"
    doc, qs = quotes(nlp_places, "Menurut sumber tersebut, kapal itu akan kembali ke pelabuhan pekan depan.")
    assert speaker(doc, only(qs)) == "sumber tersebut"


def test_forward_reference_to_a_title_named_later(nlp_places):
    text = ("Sementara itu, Menteri Perdagangan Malaysia mengatakan ekspor sudah pulih.\n"
            "“Kami melihat permintaan naik setiap bulan,” kata Menteri Perdagangan Malaysia Rahim Salleh pekan lalu.")
    doc, qs = quotes(nlp_places, text)
    assert [speaker(doc, q) for q in qs] == ["Rahim Salleh", "Rahim Salleh"]


def test_title_without_a_later_name_stays_the_title(nlp_places):
    text = "Menteri Perdagangan Malaysia mengatakan ekspor sudah pulih sejak awal tahun."
    doc, qs = quotes(nlp_places, text)
    assert speaker(doc, only(qs)) == "Menteri Perdagangan Malaysia"


def test_headline_name_colon_statement_is_a_direct_quote(nlp):
    text = ("Harga Beras Naik Lagi, Jokowi: Jangan Panik\n\n"
            "JAKARTA – Harga beras kembali naik pekan ini di sejumlah pasar.")
    doc, qs = quotes(nlp, text)
    q = only(qs, "direct")
    assert content(doc, q) == "Jangan Panik"
    assert speaker(doc, q) == "Jokowi"
    assert cue(q) is None


def test_colon_lines_in_the_body_are_not_headline_quotes(nlp):
    text = ("Harga beras naik lagi di pasar.\n"
            "Pedagang menjual beras lebih mahal. Jokowi: Jangan panik menghadapi kenaikan\n"
            "Baca juga: Harga Cabai Turun")
    doc, qs = quotes(nlp, text)
    assert [q for q in qs if q["kind"] == "direct"] == []


def test_short_quoted_predicate_after_a_subject_is_a_partial_quote(nlp_places):
    text = "Pada hari Senin, pemerintah Jepang \"mengecam keras\" uji coba rudal itu."
    doc, qs = quotes(nlp_places, text)
    q = only(qs, "direct")
    assert content(doc, q) == "mengecam keras"
    assert speaker(doc, q) == "Jepang"
    assert cue(q) is None


def test_speaker_before_with_colon(nlp):
    text = "Juru bicara NATO Farah Lala mengatakan: “Negara-negara NATO telah mengkonfirmasi bukti itu.”"
    doc, qs = quotes(nlp, text)
    q = only(qs)
    assert q["kind"] == "direct"
    assert content(doc, q) == "Negara-negara NATO telah mengkonfirmasi bukti itu."
    assert cue(q) == "mengatakan"
    assert speaker(doc, q) == "Farah Lala"


def test_speaker_before_with_comma_and_apposition(nlp):
    text = "Sekretaris Jenderal NATO, Mark Rutte, menyatakan, “Ini adalah eskalasi besar dalam perang Rusia.”"
    doc, qs = quotes(nlp, text)
    q = only(qs)
    assert cue(q) == "menyatakan"
    assert speaker(doc, q) == "Mark Rutte"


def test_speaker_before_and_nya_cue_after(nlp):
    text = "Yusri mengatakan, ”Penyidik sudah dua kali mengirim surat panggilan,” katanya."
    doc, qs = quotes(nlp, text)
    q = only(qs, "direct")
    assert (cue(q), speaker(doc, q)) == ("katanya", "Yusri")


def test_quote_over_two_paragraphs(nlp):
    text = ("“Kami akan terus memantau situasi di perbatasan.\n\n"
            "“Langkah berikutnya akan diumumkan pekan depan,” kata Wood.\n")
    doc, qs = quotes(nlp, text)
    q = only(qs)
    assert content(doc, q).startswith("Kami akan terus memantau")
    assert content(doc, q).endswith("pekan depan,")
    assert speaker(doc, q) == "Wood"


def test_same_glyph_opens_and_closes(nlp):
    text = ("JAKARTA, KOMPAS — Presiden meminta bantuan segera disalurkan. ”Saya minta Mensos dan Menkeu "
            "minggu ini semuanya harus bisa jalan. Ini sudah sangat mendesak,” kata Presiden. Rapat itu "
            "membahas penanganan wabah. ”Jangan sampai barangnya tidak sampai ke rakyat,” kata Presiden Joko Widodo.")
    doc, qs = quotes(nlp, text)
    direct = [q for q in qs if q["kind"] == "direct"]
    assert [content(doc, q) for q in direct] == [
        "Saya minta Mensos dan Menkeu minggu ini semuanya harus bisa jalan. Ini sudah sangat mendesak,",
        "Jangan sampai barangnya tidak sampai ke rakyat,",
    ]
    assert [speaker(doc, q) for q in direct] == ["Presiden", "Joko Widodo"]


def test_glued_marks(nlp):
    text = "Ia menjawab singkat.”Berbagai upaya sudah kami lakukan,”kata Budi."
    doc, qs = quotes(nlp, text)
    q = only(qs, "direct")
    assert content(doc, q) == "Berbagai upaya sudah kami lakukan,"
    assert cue(q) == "kata"
    assert speaker(doc, q) == "Budi"


def test_opening_mark_left_at_end_of_previous_line(nlp):
    text = "Ia kemudian berbicara. ”\nKami tidak punya pilihan lain lagi,” ujar Lusia.\n"
    doc, qs = quotes(nlp, text)
    q = only(qs, "direct")
    assert content(doc, q) == "Kami tidak punya pilihan lain lagi,"
    assert speaker(doc, q) == "Lusia"


def test_nested_single_marks_inside_double(nlp):
    text = "“Dia bilang ‘kami tidak tahu’ kepada semua orang,” kata Ani."
    doc, qs = quotes(nlp, text)
    q = only(qs)
    assert content(doc, q) == "Dia bilang ‘kami tidak tahu’ kepada semua orang,"
    assert speaker(doc, q) == "Ani"


def test_nested_same_glyph_quote(nlp):
    text = "Ia menjelaskan. “Di pasar ada “jeger-jeger”-nya. Kami harap mereka disiplin,” kata Andika."
    doc, qs = quotes(nlp, text)
    q = only(qs, "direct")
    assert content(doc, q) == "Di pasar ada “jeger-jeger”-nya. Kami harap mereka disiplin,"
    assert speaker(doc, q) == "Andika"


def test_double_opening_closed_by_a_single_mark(nlp):
    text = "Ia menjelaskan. “Tujuan mereka tetaplah sama yaitu memerdekakan Indonesia,’ kata Heri Priyatmoko. Selesai."
    doc, qs = quotes(nlp, text)
    q = only(qs, "direct")
    assert content(doc, q) == "Tujuan mereka tetaplah sama yaitu memerdekakan Indonesia,"
    assert speaker(doc, q) == "Heri Priyatmoko"


def test_menurutnya_after_a_quote(nlp):
    text = "Teguh mengkritik aturan itu. ”Petugas akan kesulitan memeriksa suhu warga,” menurutnya lagi."
    doc, qs = quotes(nlp, text)
    q = only(qs, "direct")
    assert cue(q) == "menurutnya"
    assert speaker(doc, q) == "Teguh"


def test_apostrophe_inside_a_name_is_not_a_mark(nlp):
    doc, qs = quotes(nlp, "”Shalat Id adalah amalan sunah,” kata Mu’ti.")
    assert speaker(doc, only(qs)) == "Mu’ti"


def test_emoji_before_a_quote_keeps_code_point_offsets(nlp):
    text = "😀😀 Warga 𝕏 berkata. \"Kami siap membantu semua orang,\" kata Budi 😀."
    doc, qs = quotes(nlp, text)
    q = only(qs, "direct")
    start = text.index("Kami")
    assert (q["start"], q["end"]) == (start, start + len("Kami siap membantu semua orang,"))
    assert text[q["speaker"]["start"]:q["speaker"]["end"]] == "Budi"
    assert text[q["cue"]["start"]:q["cue"]["end"]] == "kata"


# --------------------------------------------------------------------------- not speech


@pytest.mark.parametrize("text", [
    "Kawasan itu bukan ”kuburan” bagi para nelayan di pesisir.",
    "Di depan gedung terpasang tulisan ”Kementerian Pertahanan” yang besar.",
    "Warga desa itu menyebut jembatan tersebut \"jalan maut\" karena sering terjadi kecelakaan.",
    "Ia tidak \"menyerah\" begitu saja pada keadaan.",
    "Diskusi dengan topik ”Corona dan Daya Tahan Sosial Politik Indonesia” itu menghadirkan tiga pembicara.",
    # a title before a reporting clause is still a title
    "Dalam khotbahnya yang bertema ”Idul Fitri Momentum Hijrah”, Muhammadun menyampaikan, Idul Fitri adalah momentum.",
    "Warga memasang spanduk bertuliskan ”Tolak Tambang” di depan kantor bupati.",
])
def test_scare_quotes_titles_and_slogans_are_not_quotes(nlp, text):
    doc, qs = quotes(nlp, text)
    assert [q for q in qs if q["kind"] == "direct"] == []


def test_quoted_sentence_without_cue_is_a_quote(nlp):
    text = "Ia menutup rapat itu. ”Bisa saja uangnya dipinjamkan ke orang lain atau semacamnya.” Rapat selesai."
    doc, qs = quotes(nlp, text)
    assert content(doc, only(qs, "direct")) == "Bisa saja uangnya dipinjamkan ke orang lain atau semacamnya."


def test_cueless_quote_after_a_quote_continues_its_speaker(nlp):
    text = ("\"Korea Utara merupakan ancaman keamanan yang signifikan,\" kata Dewan Keamanan Nasional Korea Selatan.\n"
            "\"Pemerintah mendesak penarikan segera pasukan Korea Utara dari Rusia.\"\n")
    doc, qs = quotes(nlp, text)
    first, second = [q for q in qs if q["kind"] == "direct"]
    assert speaker(doc, first) == "Dewan Keamanan Nasional Korea Selatan"
    assert cue(second) is None
    assert speaker(doc, second) == speaker(doc, first)


# --------------------------------------------------------------------------- indirect quotes


def test_indirect_with_mengatakan_bahwa(nlp):
    text = "Menteri Luar Negeri AS Antony Blinken mengatakan pada Kamis bahwa pasukan Korea Utara mungkin akan dikerahkan."
    doc, qs = quotes(nlp, text)
    q = only(qs, "indirect")
    assert content(doc, q) == "pasukan Korea Utara mungkin akan dikerahkan"
    assert cue(q) == "mengatakan"
    assert speaker(doc, q) == "Antony Blinken"


def test_indirect_with_comma_and_no_bahwa(nlp):
    doc, qs = quotes(nlp, "Yusri mengatakan, penyidik sudah dua kali mengirim surat panggilan.")
    q = only(qs, "indirect")
    assert content(doc, q) == "penyidik sudah dua kali mengirim surat panggilan"
    assert speaker(doc, q) == "Yusri"


@pytest.fixture(scope="module")
def nlp_news():
    """The quote finder after rule entities for the states and media of the sample corpus."""
    nlp = new_blank()
    nlp.add_pipe("entity_ruler").add_patterns(
        [{"label": "ORG", "pattern": w} for w in ("The New York Times", "The Guardian", "NATO")]
        + [{"label": "LOC", "pattern": w} for w in ("Ukraina", "Korea Utara", "Korea Selatan", "Rusia",
                                                     "Tiongkok", "Iran", "Eropa Barat", "AS")]
        + [{"label": "PERSON", "pattern": "Maria Zakharova"}])
    nlp.add_pipe("quote_finder")
    return nlp


@pytest.mark.parametrize("text, spk, cue_word, body", [
    # the object of a relative clause is not the subject
    ("Dua media, The New York Times dan The Guardian yang mengutip sumber-sumber Ukraina menyebutkan, "
     "bahwa pasukan Korea Utara bertempur melawan pasukan Ukraina.",
     "The New York Times dan The Guardian", "menyebutkan", "pasukan Korea Utara bertempur melawan pasukan Ukraina"),
    # a claim noun's content starts after a distant "bahwa"
    ("Maria Zakharova menampik tuduhan dari Eropa Barat, yang merupakan bagian dari aliansi NATO pimpinan AS, "
     "bahwa Korea Utara mengerahkan pasukan di Rusia.",
     "Maria Zakharova", "menampik", "Korea Utara mengerahkan pasukan di Rusia"),
    # a run of adverbs between subject and verb
    ("Sebelumnya, NATO juga telah beberapa kali menuduh Tiongkok dan Iran memberikan dukungan kepada Rusia.",
     "NATO", "menuduh", "Tiongkok dan Iran memberikan dukungan kepada Rusia"),
])
def test_indirect_quote_parts(nlp_news, text, spk, cue_word, body):
    doc, qs = quotes(nlp_news, text)
    q = only(qs, "indirect")
    assert (speaker(doc, q), cue(q), content(doc, q)) == (spk, cue_word, body)


def test_name_before_a_long_appositive_title_is_the_speaker(nlp):
    text = ("Kisran Makati, Ketua Pusat Kajian dan Advokasi Hak Asasi Manusia (Puspaham) Sultra, menjabarkan, "
            "pengakuan tersangka harus ditelusuri. ”Tindakan suap ini merupakan laku buruk,” ucapnya.")
    doc, qs = quotes(nlp, text)
    assert [speaker(doc, q) for q in qs] == ["Kisran Makati", "Kisran Makati"]


def test_person_entity_after_capitalised_title_words_is_the_speaker():
    nlp = new_blank()
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "PERSON", "pattern": "Shafruhan Sinungan"},
                                               {"label": "LOC", "pattern": "DKI Jakarta"}])
    nlp.add_pipe("quote_finder")
    text = ("Ketua Organisasi Angkutan Bermotor di Jalan (Organda) DKI Jakarta Shafruhan Sinungan mempertanyakan "
            "langkah aplikator ojek daring itu. ”Apa nggak akan diuji dulu?” katanya.")
    doc, qs = quotes(nlp, text)
    assert [speaker(doc, q) for q in qs] == ["Shafruhan Sinungan", "Shafruhan Sinungan"]


@pytest.mark.parametrize("text, spk", [
    # a place after "di" between the subject and the verb is not the speaker
    ("Kepala BNPB Doni Monardo, saat dihubungi, Senin (30/11/2020) di Jakarta, mengatakan, pihaknya mengapresiasi "
     "sikap itu. ”Kesediaan itu langka,” katanya.", "Doni Monardo"),
    # the appositive title after the name does not replace the person
    ("Kepala Dinas Kesehatan Kalsel Muhammad Muslim, yang juga juru bicara Gugus Tugas Kalsel, mengatakan, jumlah "
     "spesimen meningkat. ”Jumlahnya terus naik,” katanya.", "Muhammad Muslim"),
])
def test_speaker_of_a_reporting_clause_with_asides(text, spk):
    nlp = new_blank()
    nlp.add_pipe("entity_ruler").add_patterns(
        [{"label": "PERSON", "pattern": w} for w in ("Doni Monardo", "Muhammad Muslim")]
        + [{"label": "LOC", "pattern": w} for w in ("Jakarta", "Kalsel")] + [{"label": "ORG", "pattern": "BNPB"}])
    nlp.add_pipe("quote_finder")
    doc, qs = quotes(nlp, text)
    assert speaker(doc, only(qs, "direct")) == spk
    assert all(speaker(doc, q) == spk for q in qs)


def test_refusal_to_confirm_or_deny_is_one_cue(nlp_news):
    text = ("Maria Zakharova menampik tuduhan itu. Dia menolak untuk mengkonfirmasi atau menyangkal apakah "
            "Korea Utara telah mengirim pasukan ke Rusia.")
    doc, qs = quotes(nlp_news, text)
    q = qs[-1]
    assert (content(doc, q), cue(q)) == ("Korea Utara telah mengirim pasukan ke Rusia",
                                         "menolak untuk mengkonfirmasi atau menyangkal")
    assert speaker(doc, q) == "Maria Zakharova"


def test_headline_with_a_reporting_verb(nlp_news):
    text = "NATO Konfirmasi Korut Mengirim Pasukan ke Rusia, Biden: Sangat Berbahaya\n\nNATO mengonfirmasi laporan itu."
    doc, qs = quotes(nlp_news, text)
    assert [(content(doc, q), q["kind"], cue(q), speaker(doc, q)) for q in qs[:2]] == [
        ("Korut Mengirim Pasukan ke Rusia", "indirect", "Konfirmasi", "NATO"),
        ("Sangat Berbahaya", "direct", None, "Biden"),
    ]
    # not without a known source at the line start, nor in a line that is a sentence
    assert not [q for q in quotes(nlp_news, "Warga Konfirmasi Banjir Surut Kemarin\n\nAir surut.")[1] if q["start"] < 30]
    assert not [q for q in quotes(nlp_news, "NATO Konfirmasi pasukan itu tiba.\n\nIsi.")[1] if q["start"] < 30]


def test_two_reporting_verbs_give_two_quotes_with_one_speaker(nlp_news):
    nlp = nlp_news
    text = ("Pejabat Ukraina mengatakan kepada surat kabar itu bahwa bentrokan itu terbatas, dan menyatakan "
            "bahwa bentrokan tampaknya bertujuan mencari titik lemah.")
    doc, qs = quotes(nlp, text)
    assert [(content(doc, q), cue(q), speaker(doc, q)) for q in qs] == [
        ("bentrokan itu terbatas", "mengatakan", "Pejabat Ukraina"),
        ("bentrokan tampaknya bertujuan mencari titik lemah", "menyatakan", "Pejabat Ukraina"),
    ]


def test_serta_inside_the_content_is_not_a_second_quote(nlp_news):
    nlp = nlp_news
    text = ("Mereka menyatakan bahwa dukungan langsung Korea Utara terhadap perang itu, serta menyoroti upaya "
            "putus asa Rusia, merupakan alasan yang cukup.")
    doc, qs = quotes(nlp, text)
    assert content(doc, only(qs, "indirect")).endswith("merupakan alasan yang cukup")


def test_verb_in_scare_quotes_lends_its_subject_to_the_next_verb(nlp_news):
    nlp = nlp_news
    text = 'Pada hari Selasa, pemerintah Korea Selatan "mengutuk keras" Korea Utara dan mendesak agar pasukan Korea Utara segera mundur.'
    doc, qs = quotes(nlp, text)
    q = only(qs, "indirect")
    assert (content(doc, q), cue(q)) == ("pasukan Korea Utara segera mundur", "mendesak")
    assert "Korea Selatan" in speaker(doc, q)


def test_negated_reporting_verb_is_not_a_quote(nlp):
    doc, qs = quotes(nlp, "Korea Utara dan Rusia tidak membantah atau membenarkan pengerahan tersebut.")
    assert qs == []


def test_menurut_at_start(nlp):
    doc, qs = quotes(nlp, "Menurut Guterres, pengerahan pasukan seperti itu sangat berbahaya.")
    q = only(qs, "indirect")
    assert cue(q) == "Menurut"
    assert speaker(doc, q) == "Guterres"
    assert content(doc, q) == "pengerahan pasukan seperti itu sangat berbahaya"


def test_menurut_at_end(nlp):
    doc, qs = quotes(nlp, "Pasukan Korea Utara telah dikerahkan ke wilayah Kursk, menurut laporan intelijen AS.")
    q = only(qs, "indirect")
    assert content(doc, q) == "Pasukan Korea Utara telah dikerahkan ke wilayah Kursk"
    assert speaker(doc, q) == "AS"


def test_cue_after_indirect_clause(nlp):
    doc, qs = quotes(nlp, "Penyidik sudah mengirim surat panggilan dua kali, kata Yusri.")
    q = only(qs, "indirect")
    assert content(doc, q) == "Penyidik sudah mengirim surat panggilan dua kali"
    assert (cue(q), speaker(doc, q)) == ("kata", "Yusri")


# --------------------------------------------------------------------------- coreference


def test_nya_cue_takes_the_previous_speaker(nlp):
    text = ("Kepala BNPB Doni Monardo mengatakan, data itu masih direkap. "
            "”Kami akan mengumumkannya besok pagi,” ujarnya.")
    doc, qs = quotes(nlp, text)
    q = only(qs, "direct")
    assert cue(q) == "ujarnya"
    assert speaker(doc, q) == "Doni Monardo"
    assert q["attribution"] == "coref"


def test_nya_cue_takes_the_last_speaker_not_an_object(nlp):
    text = ("”Bantuan harus tiba minggu ini,” kata Presiden Joko Widodo. Presiden meminta Menteri Sosial "
            "Juliari Batubara mempercepat penyaluran. Kepala Dusun Wahyu Wibowo mengaku belum menerima bantuan. "
            "”Yang dari pusat belum tahu,” katanya.")
    doc, qs = quotes(nlp, text)
    last = [q for q in qs if q["kind"] == "direct"][-1]
    assert speaker(doc, last) == "Wahyu Wibowo"


def test_nya_cue_without_anyone_before_stays_null(nlp):
    doc, qs = quotes(nlp, "”Kami belum bisa menjelaskan secara detail,” katanya singkat.")
    q = only(qs)
    assert cue(q) == "katanya"
    assert q["speaker"] is None


def test_pronoun_speaker_is_resolved(nlp):
    text = "Juru bicara NATO Farah Lala hadir di Brussel. ”Tentara itu tiba melalui laut,” kata dia."
    doc, qs = quotes(nlp, text)
    assert speaker(doc, only(qs, "direct")) == "Farah Lala"


# --------------------------------------------------------------------------- doc output


def test_span_groups_and_token_ranges(nlp):
    doc, qs = quotes(nlp, "“Kami siap membantu warga,” kata Budi Santoso.")
    q = only(qs)
    assert [s.text for s in doc.spans["quotes"]] == ["Kami siap membantu warga,"]
    assert [s.label_ for s in doc.spans["quotes"]] == ["direct"]
    assert [s.text for s in doc.spans["cues"]] == ["kata"]
    assert [s.text for s in doc.spans["speakers"]] == ["Budi Santoso"]
    assert doc[q["token_start"]:q["token_end"]].text == "Kami siap membantu warga,"


def test_text_without_quotes(nlp):
    doc, qs = quotes(nlp, "Harga cabai naik di pasar tradisional.")
    assert qs == []
    assert len(doc.spans["quotes"]) == 0
    doc, qs = quotes(nlp, "")
    assert qs == []


def test_rank_and_job_title_are_not_part_of_the_speaker(nlp):
    """GUIDELINES 4.1: the name without title; a rank (Komisaris Besar, Kombes, dr) is a title."""
    doc, qs = quotes(nlp, "”Kami tutup semuanya,” kata Kepala Bidang Humas Polda Metro Jaya Komisaris Besar Yusri Yunus.")
    assert speaker(doc, only(qs)) == "Yusri Yunus"
    doc, qs = quotes(nlp, "”Setiap upaya harus dilakukan,” kata Sekretaris Jenderal Antonio Guterres.")
    assert speaker(doc, only(qs)) == "Antonio Guterres"
    # and with a -nya cue that points back at the person
    doc, qs = quotes(nlp, "Kepala Bidang Humas Polda Metro Jaya Kombes Yusri Yunus menegaskan, tidak ada surat "
                          "panggilan. ”Tidak ada lagi pemanggilan,” katanya.")
    assert speaker(doc, only(qs, "direct")) == "Yusri Yunus"


def test_ranks_stay_with_the_name_when_the_patterns_say_so(tmp_path):
    data = json.loads(PATTERNS_PATH.read_text(encoding="utf-8"))
    data["speaker_keeps_ranks"] = True
    path = tmp_path / "quotes.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    nlp = make_nlp(patterns_path=str(path))
    doc, qs = quotes(nlp, "”Kami tutup semuanya,” kata Kepala Bidang Humas Polda Metro Jaya Komisaris Besar Yusri Yunus.")
    assert speaker(doc, only(qs)) == "Komisaris Besar Yusri Yunus"
    doc, qs = quotes(nlp, "”Setiap upaya harus dilakukan,” kata Sekretaris Jenderal Antonio Guterres.")
    assert speaker(doc, only(qs)) == "Antonio Guterres"


def test_entities_are_used_when_present():
    nlp = new_blank()
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Wahidin"}, {"label": "LOC", "pattern": "Margadana"}])
    nlp.add_pipe("quote_finder")
    doc = nlp("”Kami sudah tes 18 orang,” kata Kepala Puskesmas Margadana Wahidin.")
    q = only(doc._.quotes)
    assert speaker(doc, q) == "Wahidin"
    assert q["speaker"]["label"] == "PERSON"


def test_patterns_file_is_editable(tmp_path):
    data = json.loads(PATTERNS_PATH.read_text(encoding="utf-8"))
    data["cues"].append("seloroh")
    path = tmp_path / "quotes.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    text = "“Itu urusan lama yang sudah selesai,” seloroh Budi."
    assert only(make_nlp(patterns_path=str(path))(text)._.quotes)["cue"]["text"] == "seloroh"
    assert only(make_nlp()(text)._.quotes)["cue"] is None


def test_a_title_in_titles_txt_is_a_title_for_speakers_too(tmp_path):
    """resources/patterns/titles.txt (the entity rules' titles) is read beside quotes.json."""
    text = "“Kapal itu belum boleh berlayar,” kata Syahbandar Budi Santoso."
    found = {}
    for name, titles in (("plain", None), ("shared", "# titles\nsyahbandar\n")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "quotes.json").write_text(PATTERNS_PATH.read_text(encoding="utf-8"), encoding="utf-8")
        if titles:
            (folder / "titles.txt").write_text(titles, encoding="utf-8")
        doc = make_nlp(patterns_path=str(folder / "quotes.json"))(text)
        found[name] = speaker(doc, only(doc._.quotes))
    assert found == {"plain": "Syahbandar Budi Santoso", "shared": "Budi Santoso"}


# --------------------------------------------------------------------------- mark pairing


def test_pair_quote_marks_same_glyph():
    text = "a ”satu dua,” kata X. ”tiga.” b"
    pairs = [(o, c) for o, c, _ in pair_quote_marks(text)]
    assert pairs == [(2, 12), (22, 28)]


def test_pair_quote_marks_ignores_apostrophes_and_stray_closer():
    text = "Ma’ruf dan Jum'at.” Lalu “ini,” kata X."
    pairs = [(text[o + 1:c]) for o, c, _ in pair_quote_marks(text)]
    assert pairs == ["ini,"]


# --------------------------------------------------------------------------- speakers on unseen news (issue 13)


@pytest.mark.parametrize("text, spk", [
    ("“Kami akan terus memantau kasus ini,” kata Budi Santoso SH kepada wartawan.", "Budi Santoso"),
    ("“Kami akan terus memantau kasus ini,” kata kuasa hukum korban, Budi Santoso, S.H., M.H., di Jakarta.",
     "Budi Santoso"),
    ("Budi Santoso, S.H., M.H., mengatakan bahwa pihaknya akan mengajukan banding.", "Budi Santoso"),
])
def test_a_trailing_degree_is_not_part_of_the_speaker(nlp, text, spk):
    doc, qs = quotes(nlp, text)
    assert speaker(doc, only(qs)) == spk


def test_a_person_entity_with_degrees_gives_the_name_only():
    nlp = new_blank()
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "PERSON", "pattern": "Budi Santoso SH MH"}])
    nlp.add_pipe("quote_finder")
    doc, qs = quotes(nlp, "Kuasa hukum korban, Budi Santoso SH MH, mengatakan bahwa pihaknya akan mengajukan banding.")
    assert speaker(doc, only(qs)) == "Budi Santoso"


def test_a_common_noun_after_the_name_is_not_the_speaker(nlp):
    doc, qs = quotes(nlp, "Menurut Budi pemerintah harus segera menambah anggaran kesehatan.")
    q = only(qs)
    assert speaker(doc, q) == "Budi"
    assert content(doc, q) == "pemerintah harus segera menambah anggaran kesehatan"


@pytest.mark.parametrize("text, spk", [
    # the person of an appositive after a title with lower-case words, not the title
    ("“Kami menolak,” kata kuasa hukum korban, Budi Santoso, kepada wartawan.", "Budi Santoso"),
    # an unnamed speaker keeps the lower-case words of the title up to the organisation
    ("“Kita semakin peduli kepada sesama,” kata politisi senior Partai Golkar ini.", "politisi senior Partai Golkar"),
])
def test_title_with_lower_case_words(text, spk):
    nlp = new_blank()
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "ORG", "pattern": "Partai Golkar"}])
    nlp.add_pipe("quote_finder")
    doc, qs = quotes(nlp, text)
    assert speaker(doc, only(qs)) == spk


@pytest.mark.parametrize("text, body", [
    ("Kenaikan harga beras, kata Budi Hartono kepada wartawan, akan memukul daya beli masyarakat miskin.",
     "Kenaikan harga beras, kata Budi Hartono kepada wartawan, akan memukul daya beli masyarakat miskin"),
    ("Ini, kata Budi Hartono, membuat daya beli masyarakat miskin turun.",
     "Ini, kata Budi Hartono, membuat daya beli masyarakat miskin turun"),
    ("Kenaikan harga beras memukul daya beli, kata Budi Hartono kepada wartawan.",
     "Kenaikan harga beras memukul daya beli"),
])
def test_interrupting_attribution_keeps_the_whole_clause(nlp, text, body):
    doc, qs = quotes(nlp, text)
    q = only(qs)
    assert (content(doc, q), speaker(doc, q), cue(q)) == (body, "Budi Hartono", "kata")


@pytest.mark.parametrize("text, verb, body", [
    ("Ketua KPK Firli Bahuri mencatat ada 20 laporan dugaan korupsi dana bantuan sosial.", "mencatat",
     "ada 20 laporan dugaan korupsi dana bantuan sosial"),
    ("Ekonom Faisal Basri mendorong pemerintah untuk menunda pembangunan ibu kota baru.", "mendorong",
     "pemerintah untuk menunda pembangunan ibu kota baru"),
    ("Bupati Sleman Sri Purnomo membeberkan bahwa jumlah kasus baru terus menurun sejak Juni.", "membeberkan",
     "jumlah kasus baru terus menurun sejak Juni"),
])
def test_more_reporting_verbs(nlp, text, verb, body):
    doc, qs = quotes(nlp, text)
    q = only(qs)
    assert (cue(q), content(doc, q)) == (verb, body)


def test_nya_cue_prefers_a_person_to_a_more_recent_organisation(nlp):
    text = ("Ketua HIMKI Abdul Sobur mengatakan, ekspor rotan bisa naik tahun ini. Selain itu, HIMKI meminta "
            "pemerintah membuat badan logistik rotan. ”Ekspor bisa naik 8 persen,” katanya.")
    doc, qs = quotes(nlp, text)
    assert speaker(doc, [q for q in qs if q["kind"] == "direct"][-1]) == "Abdul Sobur"


def test_a_relative_clause_verb_is_no_attribution(nlp):
    text = ("Menurut Made Astawan, tempe sudah dikenal lama. Tempe disebut dalam Serat Centhini, tulisan "
            "Raja Pakubuwono V, yang menulis kitab itu. ”Tempe sudah ada di Jawa,” ujarnya.")
    doc, qs = quotes(nlp, text)
    assert speaker(doc, only(qs, "direct")) == "Made Astawan"


@pytest.mark.parametrize("text, spk", [
    # time, place and occasion between the subject and the verb
    ("Wali Kota Surabaya Tri Rismaharini di Surabaya, Rabu (16/9/2020), mengatakan, penggratisan tes usap "
     "dilakukan untuk menekan potensi penularan.", "Tri Rismaharini"),
    ("Kepala Ekonom Nomura, Rob Subbaraman, Rabu (9/12/2020), mengatakan, sejumlah faktor akan membuat aliran "
     "investasi meningkat.", "Rob Subbaraman"),
    ("Kepala Bareskrim Mabes Polri Komisaris Jenderal Agus Andrianto saat dihubungi, Jumat (10/4/2020), mengatakan, kepolisian akan mengawasi "
     "aturan PSBB.", "Agus Andrianto"),
    # an age and a lower-case descriptor between the name and the verb
    ("Sherly (20), salah satu donor, mengatakan, ini pertama kalinya ia mendonorkan darah.", "Sherly"),
])
def test_subject_before_adverbials_and_descriptors(nlp, text, spk):
    doc, qs = quotes(nlp, text)
    q = only(qs, "indirect")
    assert (speaker(doc, q), cue(q)) == (spk, "mengatakan")


@pytest.mark.parametrize("text", [
    "“Kami siap membantu warga,” 👍🏽 kata Budi Santoso.",
    "“Kami siap membantu warga,” kata 👨\u200d👩\u200d👧 Budi Santoso.",
    "“Kami siap membantu warga,” kata Budi Santoso 🇮🇩 kepada wartawan.",
    "Budi Santoso 🇮🇩 mengatakan, pihaknya siap membantu warga yang terdampak banjir.",
])
def test_an_emoji_between_speaker_and_cue_keeps_the_speaker(nlp, text):
    doc, qs = quotes(nlp, text)
    q = only(qs)
    assert speaker(doc, q) == "Budi Santoso"
    assert cue(q) in ("kata", "mengatakan")
