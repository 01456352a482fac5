"""Speakers and indirect quotes on news shapes met in the PFSA development articles (issue 13);
the texts here are made up, in the same shapes."""

from __future__ import annotations

import pytest

import annotator.nlp.quotes  # noqa: F401  (registers quote_finder)
from annotator.nlp.tokenizer import new_blank


def pipeline(persons=(), places=(), orgs=()):
    nlp = new_blank()
    patterns = ([{"label": "PERSON", "pattern": p} for p in persons] + [{"label": "LOC", "pattern": p} for p in places]
                + [{"label": "ORG", "pattern": p} for p in orgs])
    if patterns:
        nlp.add_pipe("entity_ruler").add_patterns(patterns)
    nlp.add_pipe("quote_finder")
    return nlp


@pytest.fixture(scope="module")
def bare():
    return pipeline()


def found(nlp, text):
    """(kind, content, cue, speaker) of each quote of ``text``."""
    doc = nlp(text)
    t = doc.text
    return [(q["kind"], t[q["start"]:q["end"]], q["cue"] and q["cue"]["text"],
             q["speaker"] and t[q["speaker"]["start"]:q["speaker"]["end"]]) for q in doc._.quotes]


def speakers(nlp, text):
    return [q[3] for q in found(nlp, text)]


# --------------------------------------------------------------------------- coreference


def test_nya_cue_takes_the_closest_mention_even_a_short_one(bare):
    # guidelines 4.2: the closest earlier mention of the referent, not the fullest one
    text = ("Peneliti Ranny Rastati mengatakan, warganet makin peduli. Menurut Ranny, mereka belajar mencari "
            "sumber tepercaya. ”Mereka bergerak bersama dan solid,” katanya.")
    assert speakers(bare, text)[-1] == "Ranny"


def test_a_name_longer_than_three_words_stays_whole_when_it_is_one_person_entity():
    nlp = pipeline(persons=["Dewi Ayu Lestari Wulandari"], places=["Bali"])
    text = ("Kepala Dinas Pariwisata Bali Dewi Ayu Lestari Wulandari mengatakan, kunjungan wisatawan mulai naik. "
            "”Kami menyiapkan protokol kesehatan di semua obyek wisata,” ujarnya.")
    assert speakers(nlp, text) == ["Dewi Ayu Lestari Wulandari"] * 2


def test_a_balinese_initial_belongs_to_the_name():
    nlp = pipeline(persons=["I Gusti Made Sedana"])
    text = ("General Manager PT Taman Wisata Candi I Gusti Made Sedana mengatakan, jumlah pengunjung mulai "
            "meningkat pelan-pelan sejak bulan lalu.")
    assert speakers(nlp, text) == ["I Gusti Made Sedana"]


# --------------------------------------------------------------------------- reporting predicates


@pytest.mark.parametrize("verb", ["percaya", "yakin", "optimistis", "menyadari"])
def test_predicates_of_holding_a_position_report_a_clause(bare, verb):
    # guidelines section 8: verbs of holding or expressing a position are reporting predicates
    text = f"Budi Santoso {verb}, harga beras akan turun pada bulan depan."
    assert found(bare, text) == [("indirect", "harga beras akan turun pada bulan depan", verb, "Budi Santoso")]


def test_a_position_verb_with_a_prepositional_object_is_no_quote(bare):
    assert found(bare, "Budi percaya pada generasi muda yang kreatif dan rajin.") == []


def test_not_only_goes_on_to_the_next_predicate(bare):
    text = "Tak hanya percaya pada inovasi, Budi juga yakin bahwa internet akan mengubah cara orang berdagang."
    assert found(bare, text) == [("indirect", "internet akan mengubah cara orang berdagang", "yakin", "Budi")]


def test_the_addressee_before_a_comma_is_not_content(bare):
    text = "Budi Santoso mengatakan kepada wartawan, harga beras akan naik bulan depan."
    assert found(bare, text) == [("indirect", "harga beras akan naik bulan depan", "mengatakan", "Budi Santoso")]


# --------------------------------------------------------------------------- subjects with appositives


@pytest.mark.parametrize("text, spk", [
    # lower-case role words before a capitalised organisation: an appositive, the person is before it
    ("Hanya beberapa loket yang buka. Sari (40), agen tiket PO Sinar Jaya, mengaku sedang menunggu kabar "
     "dari penumpang.", "Sari"),
    ("Dana itu belum cukup. Decky Senduk, sekretaris tim kampanye Andi-Budi, mengaku belum ada sumbangan dari "
     "pihak ketiga.", "Decky Senduk"),
    # "<name> dari <organisation> mengatakan"
    ("Permintaan turun. Reynaldi dari PT Rotan Makmur mengatakan, pesanan furnitur anjlok hingga 20 persen.",
     "Reynaldi"),
    # a relative clause between the subject and the verb
    ("Ketua panitia Abhan, yang juga menjadi pembicara dalam diskusi itu, mengatakan, bantuan sosial rentan "
     "dipolitisasi.", "Abhan"),
])
def test_the_person_of_an_appositive_subject_is_the_speaker(bare, text, spk):
    assert speakers(bare, text) == [spk]



def test_english_job_title_words_are_not_the_name(bare):
    text = ("Managing Director and Chief Economist Group Research Bank ABC Taimur Baig optimistis, ekonomi akan pulih "
            "pada tahun depan.")
    assert speakers(bare, text) == ["Taimur Baig"]


def test_semakin_between_subject_and_verb_is_passed_over(bare):
    text = "Lewat pelatihan itu, Eka juga semakin menyadari, pemimpin perusahaan harus mengutamakan teknologi."
    assert found(bare, text) == [("indirect", "pemimpin perusahaan harus mengutamakan teknologi", "menyadari", "Eka")]


@pytest.mark.parametrize("text", [
    # a verb after "dalam" names an action
    "Oleh sebab itu, upaya pemerintah dalam mendorong perdagangan daring patut didukung oleh semua pihak.",
    # a capitalised common noun opening the sentence is no speaker
    "Kemudahan dalam mengakses tes ini diharapkan bisa mendorong warga untuk rutin melakukan tes.",
])
def test_no_speaker_no_quote(bare, text):
    assert found(bare, text) == []


# --------------------------------------------------------------------------- attributions opening a sentence


@pytest.mark.parametrize("text, expected", [
    ("Bagi dia, menggunakan masker merupakan tanda menghormati orang lain.",
     ("indirect", "menggunakan masker merupakan tanda menghormati orang lain", "Bagi", "dia")),
    ("Bagi Budi Santoso, kenaikan harga itu wajar menjelang hari raya.",
     ("indirect", "kenaikan harga itu wajar menjelang hari raya", "Bagi", "Budi Santoso")),
    ("Berdasarkan keterangan salah satu saksi mata, lima orang membawa bensin ke rumah itu.",
     ("indirect", "lima orang membawa bensin ke rumah itu", "Berdasarkan", "salah satu saksi mata")),
    # the bracketed alias is not part of the source (guidelines: "[Badan Pusat Statistik] ([BPS])")
    ("Berdasarkan data Badan Koordinasi Penanaman Modal (BKPM), realisasi investasi mencapai Rp 106 triliun.",
     ("indirect", "realisasi investasi mencapai Rp 106 triliun", "Berdasarkan", "Badan Koordinasi Penanaman Modal")),
])
def test_bagi_and_berdasarkan_keterangan_attribute_like_menurut(bare, text, expected):
    # guidelines section 8: "Berdasarkan keterangan/data X, …" and "Bagi X, …" are like "Menurut X"
    assert found(bare, text) == [expected]


@pytest.mark.parametrize("text", [
    "Berdasarkan data yang dihimpun tim, realisasi investasi mencapai Rp 106 triliun.",  # no source
    "Bagi warga, bantuan itu sangat berarti untuk bertahan hidup.",  # an unspecified public
    "Bantuan itu penting bagi Budi dan keluarganya yang tinggal di desa.",  # not opening the sentence
])
def test_bagi_and_berdasarkan_without_a_named_source_are_no_quote(bare, text):
    assert found(bare, text) == []


def test_a_passive_reporting_verb_with_its_agent_inside_the_clause(bare):
    text = "Kolaborasi itu, diyakini Eka, akan turut mendukung usaha kecil di daerah."
    assert found(bare, text) == [("indirect", text[:-1], "diyakini", "Eka")]


def test_a_quoted_title_after_a_naming_word_does_not_hide_the_reporting_clause(bare):
    text = ("Dalam ringkasan kebijakan berjudul ”Perkembangan dan Regulasi Dagang Daring di Indonesia” yang "
            "diterbitkan lembaga itu, Yose juga menyampaikan, peraturan itu perlu dicermati.")
    assert found(bare, text) == [("indirect", "peraturan itu perlu dicermati", "menyampaikan", "Yose")]


def test_pihaknya_as_subject_is_resolved_to_the_person(bare):
    text = ("Risma berharap tes usap bisa menjangkau lebih banyak warga. Oleh karena itu, pihaknya mendorong agar "
            "masyarakat mudah mengakses tes.")
    assert found(bare, text)[-1] == ("indirect", "masyarakat mudah mengakses tes", "mendorong", "Risma")


def test_a_pronoun_opening_a_sentence_continues_the_previous_sentence_subject(bare):
    text = ("”Kami siap membantu,” kata Eka Sari. Direktur PT Maju Jaya Anoki Kiyoshi juga turut ambil bagian. "
            "Ia sempat menyampaikan, usaha kecil kini sangat terdampak pandemi. ”Perlu ada dukungan,” kata Anoki.")
    assert speakers(bare, text)[1] == "Anoki Kiyoshi"


@pytest.mark.parametrize("text, expected", [
    ("Budi Santoso menceritakan, sebelum pandemi dia rutin mengadakan acara mencicip teh.",
     [("indirect", "sebelum pandemi dia rutin mengadakan acara mencicip teh", "menceritakan", "Budi Santoso")]),
    ("Budi Santoso mengumumkan bahwa kantor itu ditutup selama dua pekan.",
     [("indirect", "kantor itu ditutup selama dua pekan", "mengumumkan", "Budi Santoso")]),
    # a marked reporting verb with a bare noun-phrase object reports nothing
    ("Dinas Kesehatan mengumumkan kasus baru dari salah satu pabrik di kawasan itu.", []),
    ("Budi Santoso berkisah tentang rencana membangun pabrik tempe di kota itu.", []),
])
def test_marked_reporting_verbs_need_a_comma_or_a_complementizer(bare, text, expected):
    assert found(bare, text) == expected


# --------------------------------------------------------------------------- attributions inside the clause


@pytest.mark.parametrize("text, content, spk", [
    # guidelines section 8: the whole clause with the cue inside
    ("Harga beras naik, kata Andi Wijaya, karena musim hujan panjang.",
     "Harga beras naik, kata Andi Wijaya, karena musim hujan panjang", "Andi Wijaya"),
    ("Indonesia, lanjut Subbaraman, telah mengambil langkah untuk merampingkan regulasi.",
     "Indonesia, lanjut Subbaraman, telah mengambil langkah untuk merampingkan regulasi", "Subbaraman"),
    # a connective before the attribution stays outside; a time adverb is content
    ("Oleh karena itu, kata Andi, pemerintah harus menambah stok beras.",
     "pemerintah harus menambah stok beras", "Andi"),
    ("Kini, kata Andi, penghasilan warga hanya cukup untuk makan.",
     "Kini, kata Andi, penghasilan warga hanya cukup untuk makan", "Andi"),
    # a closing attribution with the date of the statement: the clause ends before it
    ("Harga beras naik karena hujan, ujar Kepala Dinas Perdagangan Andi Wijaya, Senin (12/1/2021).",
     "Harga beras naik karena hujan", "Andi Wijaya"),
])
def test_attribution_inside_or_after_the_clause(bare, text, content, spk):
    [(kind, got, _, who)] = found(bare, text)
    assert (kind, got, who) == ("indirect", content, spk)


def model_entities(text, entities):
    """A Doc of ``text`` whose entities are those of a statistical model (span._.source "model"):
    every occurrence of each (phrase, label), run through the quote finder."""
    import re

    import annotator.nlp.entities  # noqa: F401  (registers span._.source)

    nlp = pipeline()
    doc = nlp.make_doc(text)
    spans = []
    for phrase, label in entities:
        for m in re.finditer(re.escape(phrase), text):
            span = doc.char_span(m.start(), m.end(), label=label)
            if span is not None and not any(s.start < span.end and span.start < s.end for s in spans):
                spans.append(span)
    doc.ents = sorted(spans, key=lambda s: s.start)
    for e in doc.ents:
        e._.source = "model"
    doc = nlp.get_pipe("quote_finder")(doc)
    return [doc.text[q["speaker"]["start"]:q["speaker"]["end"]] for q in doc._.quotes]


def test_a_place_ending_an_organisation_is_not_a_person():
    text = ("Ekonomi Indonesia mulai pulih. Sementara itu, PT Bank DKS Indonesia memproyeksikan ekonomi "
            "Indonesia pada 2021 akan tumbuh 4 persen.")
    assert model_entities(text, [("PT Bank DKS Indonesia", "ORG"), ("Indonesia", "LOC")]) == [
        "PT Bank DKS Indonesia"]


def test_a_place_the_entity_layer_knows_is_cut_off_the_front_of_the_name():
    text = ("Warga Jakarta resah. ”Yang tidak punya izin akan kita putar balik,” kata Kepala Dinas "
            "Perhubungan DKI Jakarta Syafrin Liputo dalam diskusi daring.")
    assert model_entities(text, [("Jakarta", "LOC")]) == ["Syafrin Liputo"]


def test_a_capitalised_common_word_tagged_person_is_no_antecedent():
    text = ("Direktur Eksekutif lembaga itu Ferry Kurnia menuturkan, pelaporan dana kampanye masih formalitas. "
            "”Boleh jadi dana yang beredar lebih besar,” ujarnya. Oleh sebab itu, transparansi perlu diperkuat. "
            "Audit terhadap dana kampanye tidak hanya bersifat audit kepatuhan. ”Semua pihak harus diaudit,” ujarnya.")
    assert model_entities(text, [("Ferry Kurnia", "PERSON"), ("Audit", "PERSON")])[-1] == "Ferry Kurnia"


def test_an_interrupting_attribution_with_the_name_after_the_role(bare):
    text = ("Oleh karena itu, kata ahli epidemiologi Universitas Airlangga, Windhu Purnomo, di Surabaya, Sabtu "
            "(2/1/2021), pemerintah kabupaten menegakkan kembali peraturan itu.")
    assert found(bare, text) == [("indirect", "pemerintah kabupaten menegakkan kembali peraturan itu", "kata",
                                  "Windhu Purnomo")]


@pytest.mark.parametrize("text", [
    "Sebab, sebagian umat Muslim menilai pemerintah tidak berlaku adil dalam penegakan aturan.",
    "Sebagian warga menilai, harga beras terlalu mahal bulan ini.",
])
def test_the_belief_of_an_unspecified_public_is_no_quote(bare, text):
    # guidelines section 8: "sebagian warga menilai …" is not a quote
    assert found(bare, text) == []


def test_an_unspecified_public_is_no_antecedent(bare):
    text = ("Abdul Muti menuturkan, penegakan aturan kurang tegas. Sebab, sebagian umat Muslim menilai pemerintah "
            "tidak adil. ”Sebagian umat menilai hal itu tidak adil,” ujarnya.")
    assert speakers(bare, text)[-1] == "Abdul Muti"


def test_a_place_word_ending_an_organisation_entity_is_not_part_of_the_name():
    """'Kepala Dinas Kesehatan Kota Surabaya Febria Rachmanita mengatakan': the real pipeline's
    entities put 'Surabaya' inside the ORG; the name is the PERSON entity after it."""
    from annotator.nlp.pipeline import build_pipeline

    doc = build_pipeline()("Kepala Dinas Kesehatan Kota Surabaya Febria Rachmanita mengatakan bahwa vaksin sudah tiba.")
    assert ("Dinas Kesehatan Kota Surabaya", "ORG") in [(e.text, e.label_) for e in doc.ents]
    assert [q["speaker"]["text"] for q in doc._.quotes] == ["Febria Rachmanita"]



def test_appositive_person_after_a_capitalised_description():
    """The person of "<description with an organisation>, <title> <name>, mengatakan", not the
    organisation that ends the description (issue 13)."""
    nlp = pipeline(persons=["Adam Prabata"])
    text = ("Kandidat doktor Medical Science Kobe University, dokter Adam Prabata, mengatakan, "
            "vaksin itu hanya melindungi dari gejala berat.")
    assert speakers(nlp, text) == ["Adam Prabata"]


def test_speaker_name_without_the_end_of_an_organisation_written_elsewhere(bare):
    """"Panca Karya" is the company the text names again: "Karya" is not the speaker's first name."""
    text = ("Direktur Perusahaan Daerah Panca Karya Rusdy Ambon mengatakan, kapal itu datang. "
            "Kapal milik PD Panca Karya itu baru.")
    assert speakers(bare, text) == ["Rusdy Ambon"]


def test_title_enumeration_ends_in_the_speakers_name():
    """"Kepala Dinas A, B, dan C Kota X Name menuturkan": the name ends the last conjunct; an
    earlier conjunct the entity layer took for a person is part of the title."""
    nlp = pipeline(persons=["Cipta Karya"], places=["Surabaya"])
    text = ("Kepala Bidang Dinas Perumahan Rakyat dan Kawasan Permukiman, Cipta Karya, dan Tata Ruang Kota "
            "Surabaya Iman Krestian menuturkan, hanya bagian plaza yang diresmikan.")
    assert speakers(nlp, text) == ["Iman Krestian"]


def test_organisation_word_with_demonstrative_is_the_earlier_organisation():
    """"Perusahaan itu mengonfirmasi …" speaks for the company named just before (guidelines 4.2)."""
    nlp = pipeline(orgs=["Pegatron"], places=["Taiwan"])
    text = ("Modal asing terlihat dari perusahaan teknologi asal Taiwan, Pegatron. Perusahaan itu telah "
            "mengonfirmasi untuk membangun kompleks manufaktur di Vietnam.")
    assert speakers(nlp, text) == ["Pegatron"]


def test_nya_cue_after_a_long_paraphrase_finds_the_speaker_further_back():
    """No speaker or subject within coref_window characters: the speaker of the paragraph before
    the long paraphrase, up to twice as far back."""
    nlp = pipeline(persons=["Mimin Dwi Hartono"])
    filler = "Aturan itu kemudian diubah dan dilonggarkan untuk beberapa kriteria perjalanan darat. " * 14
    text = ("Kepala Bagian Komnas HAM Mimin Dwi Hartono mengatakan, kebijakan pemerintah tidak sinkron. "
            + filler + "”Ini sangat penting bagi kita semua,” katanya.")
    assert len(filler) > 1000
    assert speakers(nlp, text)[-1] == "Mimin Dwi Hartono"


def test_speaker_name_after_title_chain_without_derived_words(bare):
    """"Pengawas" and "Pemilu" (resources/patterns/not_name_words.txt) end the title chain."""
    text = "Ketua Badan Pengawas Pemilu Abhan mengatakan, bansos rentan dipolitisasi."
    assert speakers(bare, text) == ["Abhan"]


# --------------------------------------------------------------------------- noun-phrase objects


@pytest.mark.parametrize("text", [
    "Budi Santoso mengatakan hal ini pada seminar daring bertajuk Pasar Digital untuk Semua.",
    "Budi Santoso mengungkapkan hal itu ketika melakukan kunjungan kerja ke Bandung, Senin (4/1/2021).",
    "Presiden Budi Santoso pada 5 Mei 2020 mengingatkan tentang potensi munculnya kluster baru, yakni dari kantor.",
    "Sebagai gantinya, Budi Santoso mendorong penguatan pembatasan sosial berskala kecil, yaitu di tingkat RT.",
    "Budi Santoso juga mengapresiasi ketepatan waktu pelaporan, yaitu sebelum pukul 18.00 Wita.",
    "Pasangan nomor urut 2, Budi Santoso-Andi Wijaya, melaporkan dana sebesar Rp 1.250.000.000.",
    "Pasangan nomor urut 3, Budi Santoso-Andi Wijaya, melaporkan penerimaan sumbangan dana kampanye sebesar Rp 2.000.000.",
    "Budi Santoso juga sudah melaporkan melalui sistem informasi dana kampanye sesuai peraturan komisi.",
    "Budi Santoso menyatakan keprihatinannya atas pengiriman pasukan ke wilayah itu.",
    "Budi Santoso menyampaikan perkembangan terkini per 20 April 2020.",
])
def test_a_reporting_verb_with_a_noun_phrase_object_is_no_quote(bare, text):
    assert found(bare, text) == []


@pytest.mark.parametrize("text, content", [
    # a clause after the same openings: a predicate follows the noun phrase
    ("Budi Santoso mengatakan hal itu tidak benar sama sekali.", "hal itu tidak benar sama sekali"),
    ("Budi Santoso mengatakan pertumbuhan ekonomi akan membaik pada kuartal depan.",
     "pertumbuhan ekonomi akan membaik pada kuartal depan"),
    ("Budi Santoso mengatakan penerimaan pajak menurun tajam tahun ini.", "penerimaan pajak menurun tajam tahun ini"),
    ("Budi Santoso mengatakan pasukan itu tiba di pelabuhan melalui laut.", "pasukan itu tiba di pelabuhan melalui laut"),
    # a ber-/ter- predicate, an adjective after "sangat", a time adverb opening the clause
    ("Budi Santoso mencatat perbaikan kinerja lalu lintas terjadi sejak pekan lalu.",
     "perbaikan kinerja lalu lintas terjadi sejak pekan lalu"),
    ("Budi Santoso menilai perjanjian dengan negara itu sangat penting.", "perjanjian dengan negara itu sangat penting"),
    ("Budi Santoso menyatakan saat ini memang belum terlihat pertambahan anggota kelompok itu.",
     "saat ini memang belum terlihat pertambahan anggota kelompok itu"),
    ("Budi Santoso mengingatkan tentang potensi kluster baru bahwa kantor harus tetap waspada.",
     "kantor harus tetap waspada"),
])
def test_a_clause_after_the_verb_is_still_a_quote(bare, text, content):
    assert [(q[0], q[1], q[3]) for q in found(bare, text)] == [("indirect", content, "Budi Santoso")]


# --------------------------------------------------------------------------- titles before the name


@pytest.mark.parametrize("title, name", [
    ("Menteri Sosial", "Tri Rismaharini"),
    ("Menteri Agama", "Yaqut Cholil"),
    ("Menteri Pariwisata dan Ekonomi Kreatif", "Sandiaga Uno"),  # five words
    ("Menteri Energi dan Sumber Daya Mineral", "Arifin Tasrif"),
])
def test_a_ministers_portfolio_belongs_to_the_title(bare, title, name):
    text = f"{title} {name} mengatakan, pengiriman bantuan ke daerah itu sempat terhambat cuaca."
    assert [q[3] for q in found(bare, text)] == [name]


# --------------------------------------------------------------------------- a document of a named source


@pytest.mark.parametrize("text, cue, spk", [
    ("Harga naik. Menurut pengumuman KPU Sulawesi, sebanyak Rp 180 juta berasal dari dana pribadi calon.",
     "Menurut", "KPU Sulawesi"),
    ("Kasus masih tinggi. Menurut data Satuan Tugas Penanganan Covid-19, kasus baru bertambah 4.000 orang.",
     "Menurut", "Satuan Tugas Penanganan Covid-19"),
    ("Kasus masih tinggi. Dari data Satuan Tugas Penanganan Covid-19 Tangsel, kasus baru bertambah 28 orang.",
     "Dari", "Satuan Tugas Penanganan Covid-19 Tangsel"),
    # a document noun opening the sentence: the source named after it, no cue word
    ("Teror berlanjut. Data Polda Maluku, terjadi 49 aksi gangguan keamanan sepanjang tahun.", None, "Polda Maluku"),
])
def test_a_document_noun_before_a_named_source_is_not_the_speaker(bare, text, cue, spk):
    [(kind, _, got_cue, got_spk)] = found(bare, text)
    assert (kind, got_cue, got_spk) == ("indirect", cue, spk)


@pytest.mark.parametrize("text", [
    "Kasus naik. Dari data tersebut, ekonomi tumbuh lima persen tahun ini.",
    "Kasus naik. Menurut data yang dihimpun, ekonomi tumbuh lima persen tahun ini.",
    "Kasus naik. Dari data yang ada, ekonomi tumbuh lima persen tahun ini.",
])
def test_a_document_without_a_named_source_attributes_nothing(bare, text):
    assert found(bare, text) == []


@pytest.mark.parametrize("text, name", [
    # an English title and the company before the name; "Utama" is an organisation word that
    # ends the name here, as the later "Menurut Tubagus" shows
    ("Head of LOKET Tubagus Utama mengatakan, acara daring makin diminati. Menurut Tubagus, penjualan naik.",
     "Tubagus Utama"),
    ("Vice President Marketing PT Maju Jaya Budi Santoso mengatakan, acara daring makin diminati.", "Budi Santoso"),
])
def test_an_english_title_and_its_company_stay_out_of_the_name(bare, text, name):
    assert [q[3] for q in found(bare, text)][0] == name


def test_an_organisation_word_after_a_title_without_a_name_stays_in_the_phrase(bare):
    # nothing shows that "Budi" is a name here: "Toko Budi Jaya" may be the shop
    text = "Pemilik Toko Budi Jaya mengatakan, penjualan naik tajam pada bulan lalu."
    assert [q[3] for q in found(bare, text)] == ["Pemilik Toko Budi Jaya"]


@pytest.mark.parametrize("text, spk", [
    ("Kasus turun. Riset terbaru Bank Dunia bertajuk Menata Ulang Pemulihan Ekonomi menyebutkan, "
     "kecepatan pemulihan akan berbeda-beda.", "Bank Dunia"),
    ("Buku karya Budi Santoso berjudul Jalan Panjang Menuju Desa menyebutkan, kemiskinan di desa makin berkurang.",
     "Budi Santoso"),
])
def test_the_author_of_a_titled_work_is_the_speaker_not_its_title(text, spk):
    nlp = pipeline(orgs=["Bank Dunia"])
    assert [q[3] for q in found(nlp, text)] == [spk]


def test_a_clause_opening_with_the_modal_akan_is_reported(bare):
    # "menyatakan akan …": the clause's subject is left out; unlike "yakin akan X" it is no object
    text = "Budi Santoso menyatakan akan terus konsisten dengan ketentuan undang-undang."
    assert found(bare, text) == [("indirect", "akan terus konsisten dengan ketentuan undang-undang", "menyatakan",
                                  "Budi Santoso")]


@pytest.mark.parametrize("text, spk", [
    # a descriptor with a relative clause between the name and the verb
    ("Debitur itu kebanyakan UMKM. Rasjani, pelaku UMKM yang sudah 31 tahun berprofesi sebagai perajin tempe, "
     "menuturkan usahanya terdampak luar biasa akibat pandemi.", "Rasjani"),
    # a relative clause of the occasion without commas
    ("Direktur Eksekutif CORE Mohammad Faisal yang dihubungi pada Kamis (28/5/2020) mengatakan, pelonggaran itu "
     "terlalu cepat.", "Mohammad Faisal"),
])
def test_a_relative_clause_between_the_speaker_and_the_verb_is_passed_over(text, spk):
    nlp = pipeline(persons=["Mohammad Faisal"])
    assert [q[3] for q in found(nlp, text)] == [spk]


def test_a_described_title_with_a_demonstrative_refers_to_the_last_named_speaker():
    # "Wali Kota Bandung dua periode ini" describes the minister just quoted; the -nya cue after
    # it refers to her too, not to the title phrase
    nlp = pipeline(persons=["Sari"], places=["Bandung"])
    text = ("Layanan itu sudah berjalan. ”Semua bisa dipantau dari kantor,” kata Mensos Sari di sela kunjungannya. "
            "Menurut Wali Kota Bandung dua periode ini, sistem pelayanan publik berbasis elektronik bisa diadopsi. "
            "”Dulu semua dikerjakan secara elektronik,” ujarnya.")
    assert [q[3] for q in found(nlp, text)] == ["Sari", "Sari", "Sari"]


def test_a_verb_after_a_bare_title_is_no_description(bare):
    text = "Epidemiolog memperingatkan kebijakan itu bisa membuat warga bebas bepergian ke luar kota."
    assert [q[3] for q in found(bare, text)] == ["Epidemiolog"]


def test_a_nya_cue_after_a_group_subject_refers_to_the_person_quoted_before():
    # "semua Relawana": a group written after a quantifier is no person the -nya cue could mean
    nlp = pipeline(persons=["Risma"])
    text = ("Risma menyatakan, saat ini pihaknya sedang mengirim bantuan ke daerah banjir. Bahkan, kementerian juga "
            "telah mengerahkan Relawan Siaga Bencana (Relawana). Relawana bergerak cepat ”Saat ini semua Relawana "
            "dari daerah terdekat sudah bergerak,” ujarnya.")
    assert [q[3] for q in found(nlp, text)] == ["Risma", "Risma"]


def test_a_relative_clause_with_a_place_list_between_the_speaker_and_the_verb_is_passed_over():
    nlp = pipeline(persons=["Kapau Fauziono"], places=["Loksado", "Kabupaten Hulu Sungai Selatan"])
    text = ("Ketua adat Kapau Fauziono, yang tinggal di Loksado, Kabupaten Hulu Sungai Selatan, juga memastikan burung "
            "pelanduk masih ada di hutan.")
    assert found(nlp, text) == [("indirect", "burung pelanduk masih ada di hutan", "memastikan", "Kapau Fauziono")]


def test_an_aside_between_dashes_and_places_closing_the_appositive_are_passed_over():
    nlp = pipeline(persons=["Dedy", "Peleton B"], places=["Kebayoran Baru", "Jakarta Selatan"])
    text = ("Dedy, Kepala Peleton B dari Stasiun Pemadam Kebakaran, Kebayoran Baru, Jakarta Selatan — tim pemadam yang "
            "tiba pertama kali — menuturkan, ada selang yang tersambung ke hidran. ”Kami harus mencari air,” ucapnya.")
    assert speakers(nlp, text) == ["Dedy", "Dedy"]
    # without a person before them, places before the verb are no appositive's tail: nothing skipped
    text = "Jepang, Korea Selatan, mengatakan, latihan itu melanggar resolusi."
    assert speakers(pipeline(places=["Jepang", "Korea Selatan"]), text) == ["Korea Selatan"]


def test_a_nya_cue_prefers_a_person_to_an_organisation_at_equal_salience():
    # the organisation heads a title-like chain ("Ombudsman RI Perwakilan Jakarta Raya") in the
    # sentence of Teguh's attribution; -nya is said of people
    nlp = pipeline(persons=["Teguh"], orgs=["Ombudsman"], places=["RI", "Jakarta", "DKI Jakarta"])
    text = ("Namun, lanjut Teguh, dengan pekan pertama saja masih merupakan pekan transisi, Ombudsman RI Perwakilan "
            "Jakarta Raya menilai PSBB di DKI Jakarta belum efektif. Sekarang ini masa transisi. ”Sekarang masyarakat "
            "masih banyak keluar,” jelasnya.")
    assert speakers(nlp, text)[-1] == "Teguh"


def test_a_name_before_the_preposition_di_is_no_subject():
    # "dari Relawan Demokrasi di 15 kabupaten": "di" is a preposition, not a passive verb; the
    # -nya cue goes back to the person who spoke
    nlp = pipeline(persons=["Salman", "Demokrasi"], orgs=["KPU Sulut"])
    text = ("”Kami menerapkan undangan jam kedatangan,” kata Salman. Saat ini, KPU Sulut menggencarkan sosialisasi. "
            "Sebanyak 450 orang dari Relawan Demokrasi di 15 kabupaten telah diminta memberikan penyuluhan. "
            "”Kami terus pantau tingkat kepercayaan publik,” katanya.")
    assert speakers(nlp, text) == ["Salman", "Salman"]


@pytest.mark.parametrize("text, spk", [
    ("Karo Penmas Brigjen Pol Awi Setiyono mengatakan, pelaku sudah ditangkap di rumahnya.", "Awi Setiyono"),
    ("Danrem Kolonel (Inf) Toto Jumariono mengatakan, latihan itu rutin digelar setiap tahun.", "Toto Jumariono"),
])
def test_a_corps_marker_after_a_rank_is_no_part_of_the_speaker(text, spk):
    nlp = pipeline(persons=["Awi Setiyono", "Toto Jumariono"], places=["Karo"])
    assert speakers(nlp, text) == [spk]


def test_a_descriptor_without_its_closing_comma_and_a_relative_clause_without_commas_are_passed_over():
    nlp = pipeline(persons=["Gabriel Manek", "Eddy Soeparno"], places=["Gedung Sate"])
    text = "Gabriel Manek (60), penjual air menuturkan, pengambilan air ke dalam tangki butuh waktu sekitar 5 jam."
    assert found(nlp, text) == [("indirect", "pengambilan air ke dalam tangki butuh waktu sekitar 5 jam", "menuturkan",
                                 "Gabriel Manek")]
    text = "Wakil Ketua Komisi VII Eddy Soeparno yang juga hadir di Gedung Sate berharap peneliti melanjutkan inovasi."
    assert speakers(nlp, text) == ["Eddy Soeparno"]


def test_an_adjective_opening_the_reported_clause_is_no_descriptor():
    # "Menurut Teguh, aneh ketika Kemenhub menyatakan …": the -nya cue after it is Teguh's, not "Menurut Teguh"
    nlp = pipeline(persons=["Teguh"], orgs=["Kemenhub"])
    text = ("Menurut Teguh, aneh ketika Kemenhub menyatakan dalam Pasal 11 ojek daring boleh mengangkut penumpang. "
            "”Kalau alasannya demikian, tidak perlu ada pembatasan sosial,” menurutnya lagi.")
    assert speakers(nlp, text)[-1] == "Teguh"


def test_a_lower_case_kind_of_state_body_refers_back_to_the_one_named():
    nlp = pipeline(orgs=["Kepolisian Daerah Metro Jaya", "Pemprov DKI Jakarta"])
    text = ("Kepolisian Daerah Metro Jaya menutup jalan. Rekayasa lalu lintas berlaku sampai Minggu. "
            "Namun, polisi tetap mengimbau agar masyarakat berlibur di rumah saja.")
    assert found(nlp, text) == [("indirect", "masyarakat berlibur di rumah saja", "mengimbau", "Kepolisian Daerah Metro Jaya")]
    text = "Pemprov DKI Jakarta membuka sekolah. Akan tetapi, pemerintah juga mengatakan, siswa tetap belajar di rumah."
    assert speakers(nlp, text) == ["Pemprov DKI Jakarta"]
    # none named before: no quote, as before
    assert found(nlp, "Namun, polisi tetap mengimbau agar masyarakat berlibur di rumah saja.") == []


@pytest.mark.parametrize("persons, text, spk", [
    (["Ma’ruf Amin"], "Wakil Presiden Ma’ruf Amin mengatakan, vaksin aman digunakan.", "Ma’ruf Amin"),
    (["Ace Hasan Syadzily"], "Bagi Wakil Ketua Komisi VIII DPR Ace Hasan Syadzily, tak bisa keluar rumah bukan berarti "
                             "bermalas-malasan.", "Ace Hasan Syadzily"),
    (["Syamsul Ma"], "Bagi Hakim Agung Syamsul Ma’arif, bekerja dari rumah membuatnya lebih efektif.", "Syamsul Ma’arif"),
])
def test_names_with_an_apostrophe_and_titled_sources_of_bagi(persons, text, spk):
    assert speakers(pipeline(persons=persons), text) == [spk]


def test_a_directives_content_starts_at_the_addressee_when_its_own_verb_comes_before_agar():
    nlp = pipeline(orgs=["Pemkot Manado"])
    text = "Pemkot Manado juga meminta camat, lurah, dan kepala lingkungan mengawasi warga agar tidak berkumpul."
    assert found(nlp, text) == [("indirect", "camat, lurah, dan kepala lingkungan mengawasi warga agar tidak berkumpul",
                                 "meminta", "Pemkot Manado")]
    # "agar" right after the addressee: the content is the clause after it, as before
    assert found(nlp, "Pemkot Manado meminta warga agar tidak mudik tahun ini.")[0][1] == "tidak mudik tahun ini"


def test_ingat_with_a_comma_reports():
    nlp = pipeline(persons=["Juliari"])
    text = "Juliari mengunjungi pabrik gula. Ia ingat, Presiden selalu meminta data divalidasi di lapangan."
    assert found(nlp, text) == [("indirect", "Presiden selalu meminta data divalidasi di lapangan", "ingat", "Juliari")]


def test_a_nya_cue_prefers_the_named_person_to_an_unnamed_lower_case_speaker():
    nlp = pipeline(persons=["Yudi Kevin"])
    text = ("Yudi Kevin (27), warga Kelurahan Kleak, mengatakan, ia melewatkan Tahun Baru di Tomohon. Saat melintas di "
            "perbatasan, petugas meminta dia menunjukkan surat bebas Covid-19. ”Saya sudah tes cepat antigen,” ujarnya.")
    assert speakers(nlp, text)[-1] == "Yudi Kevin"


def test_a_whole_public_holds_no_quotable_view_and_a_sentence_adverb_is_no_speaker(bare):
    text = "Teh racikan itu berkarakter. Sayangnya, konsumen Indonesia masih menilai rasa teh hanya dari warnanya."
    assert found(bare, text) == []
    # reported by a named source, the public's view is that source's quote
    text = "Ketua YLKI Tulus mengatakan, konsumen Indonesia masih menilai rasa teh hanya dari warnanya."
    assert speakers(pipeline(persons=["Tulus"]), text) == ["Tulus"]


@pytest.mark.parametrize("persons, text, spk", [
    (["Budi Santoso SH"], "Advokat Budi Santoso SH mengatakan, kasus itu sedang diselidiki jaksa.", "Budi Santoso"),
    (["ST Burhanuddin"], "Jaksa Agung ST Burhanuddin mengatakan, kasus itu sedang diselidiki jaksa.", "ST Burhanuddin"),
])
def test_degrees_after_and_initials_before_the_name_of_a_speaker(persons, text, spk):
    assert speakers(pipeline(persons=persons), text) == [spk]


@pytest.mark.parametrize("persons, text, expected", [
    (["Andri"], "Dijelaskan oleh Andri, Pemprov DKI tegas menegakkan aturan itu karena kluster perkantoran besar.",
     [("indirect", "Pemprov DKI tegas menegakkan aturan itu karena kluster perkantoran besar", "Dijelaskan", "Andri")]),
    (["Vicky"], "Vicky juga melarang semua pegawai pemkot mengadakan jamuan makan untuk merayakan Tahun Baru.",
     [("indirect", "semua pegawai pemkot mengadakan jamuan makan untuk merayakan Tahun Baru", "melarang", "Vicky")]),
    (["Sugeng Hariyanto"], "Dikonfirmasi soal itu, Sugeng Hariyanto bergeming dan mengatakan prosedur itu sudah semestinya dilakukan.",
     [("indirect", "prosedur itu sudah semestinya dilakukan", "mengatakan", "Sugeng Hariyanto")]),
])
def test_agent_passives_prohibitions_and_a_second_coordinated_act_report(persons, text, expected):
    assert found(pipeline(persons=persons), text) == expected
