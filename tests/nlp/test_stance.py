"""Stance suggestions (annotator/nlp/stance.py): lexicon, negation, target, component."""

from __future__ import annotations

import json

import pytest
import spacy

from annotator.nlp.stance import LEXICON_PATH, lexicon_score, load_lexicon, on_target, suggest_stance
from annotator.nlp.tokenizer import new_blank

ON = {"on_target": True}


def test_condemnation_is_oppose():
    label, score = suggest_stance("Kami mengutuk keras pengerahan pasukan Korea Utara ke Rusia.")
    assert label == "OPPOSE"
    assert 0.5 < score < 1.0


def test_support_is_support():
    label, _ = suggest_stance("Korea Utara akan selalu mendukung Rusia sampai kemenangan tercapai.")
    assert label == "SUPPORT"


def test_negation_flips_a_term():
    assert lexicon_score("kami mendukung langkah itu")[0] > 0
    assert lexicon_score("kami tidak mendukung langkah itu")[0] < 0
    assert suggest_stance("Kami tidak mendukung pengiriman tentara Korea Utara.")[0] == "OPPOSE"


def test_fixed_negative_phrase_is_not_flipped():
    total, hits = lexicon_score("jika aliansi ini berlanjut, kami tidak akan tinggal diam")
    assert total < 0
    assert ("tidak akan tinggal diam", pytest.approx(-2.5)) in hits
    assert suggest_stance("Jika aliansi berlanjut, kami tidak akan tinggal diam.", ON)[0] == "OPPOSE"


def test_intensifier_raises_the_weight():
    assert lexicon_score("sangat prihatin")[0] < lexicon_score("prihatin")[0] < 0


def test_denial_of_the_deployment_is_neutral():
    # sample_corpus/GUIDELINES.md 6: a denial that the deployment exists is NEUTRAL, not SUPPORT
    quote = "Tuduhan Korea Selatan soal pengerahan pasukan Korea Utara ke Rusia hanyalah rumor yang tidak berdasar."
    assert suggest_stance(quote, {"before": "Juru bicara itu menampik tuduhan tersebut."})[0] == "NEUTRAL"


def test_a_very_serious_problem_is_oppose():
    quote = "Jika mereka berniat berperang atas nama Rusia, itu masalah yang sangat serius."
    assert suggest_stance(quote, ON)[0] == "OPPOSE"


def test_a_neighbouring_quote_does_not_lend_its_words():
    nlp = new_blank()
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "ORG", "pattern": "NATO"}])
    nlp.add_pipe("quote_finder")
    nlp.add_pipe("stance")
    doc = nlp("NATO Konfirmasi Korea Utara Mengirim Pasukan ke Rusia, Biden: Sangat Berbahaya\n\n"
              "NATO mengonfirmasi pengerahan pasukan Korea Utara ke Rusia.")
    stances = {doc.text[q["start"]:q["end"]]: q["stance"] for q in doc._.quotes}
    assert stances["Korea Utara Mengirim Pasukan ke Rusia"] == "NEUTRAL"
    assert stances["Sangat Berbahaya"] == "OPPOSE"


def test_off_target_quote_is_neutral():
    label, score = suggest_stance("Kami mengutuk keras kenaikan harga cabai di pasar.")
    assert label == "NEUTRAL"
    assert score == pytest.approx(0.9)


def test_no_stance_words_is_neutral():
    label, score = suggest_stance("Pasukan Korea Utara tiba di Rusia melalui laut pada bulan Oktober.")
    assert label == "NEUTRAL"
    assert 0.5 <= score <= 1.0


def test_context_carries_the_cue_sentence():
    quote = "Pasukan Korea Utara sudah berada di Kursk."
    assert suggest_stance(quote)[0] == "NEUTRAL"
    assert suggest_stance(quote, {"before": "Menteri itu mengecam keras dan memperingatkan bahwa"})[0] == "OPPOSE"


def test_custom_labels_and_target():
    labels = ("PRO", "CONTRA", "NONE")
    assert suggest_stance("Kami mendukung vaksinasi massal.", target="Vaksinasi massal", labels=labels)[0] == "PRO"
    assert on_target("program vaksinasi massal dimulai", "Vaksinasi massal")
    assert not on_target("harga cabai naik", "Vaksinasi massal")


def test_lexicon_file_is_editable(tmp_path):
    data = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    data["terms"]["SUPPORT"]["bersahabat"] = 3.0
    path = tmp_path / "lexicon.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    lex = load_lexicon(str(path))
    assert suggest_stance("Korea Utara adalah negara yang bersahabat.", lexicon=lex)[0] == "SUPPORT"
    assert suggest_stance("Korea Utara adalah negara yang bersahabat.")[0] == "NEUTRAL"


def make_nlp(**stance_config):
    nlp = new_blank()
    nlp.add_pipe("quote_finder")
    nlp.add_pipe("stance", config=stance_config)
    return nlp


TEXT = ("Pyongyang mengirim ribuan tentara ke Rusia, menurut intelijen Korea Selatan. "
        "“Kami sangat prihatin dan mengutuk pengerahan pasukan Korea Utara ini,” kata Robert Wood.\n"
        "“Kerja sama kami dengan Rusia sah dan sesuai hukum internasional,” kata Choe Son Hui.\n")


def test_component_writes_stance_and_score():
    doc = make_nlp()(TEXT)
    direct = [q for q in doc._.quotes if q["kind"] == "direct"]
    assert [q["stance"] for q in direct] == ["OPPOSE", "SUPPORT"]
    assert all(0.5 <= q["score"] < 1 for q in direct)


def test_component_labels_from_config():
    doc = make_nlp(labels=["PRO", "KONTRA", "NETRAL"])(TEXT)
    assert [q["stance"] for q in doc._.quotes if q["kind"] == "direct"] == ["KONTRA", "PRO"]


def test_component_rejects_bad_labels():
    with pytest.raises(ValueError):
        make_nlp(labels=["PRO", "KONTRA"])


@spacy.registry.misc("test.always_neutral.v1")
def _always_neutral(target, labels):
    def suggest(quote_text, context=None):
        return labels[2], 0.42

    return suggest


def test_suggester_can_be_replaced():
    doc = make_nlp(suggester="test.always_neutral.v1")(TEXT)
    assert {(q["stance"], q["score"]) for q in doc._.quotes} == {("NEUTRAL", 0.42)}


def test_clitics_are_removed_before_matching():
    assert lexicon_score("keprihatinannya")[0] == lexicon_score("keprihatinan")[0] < 0
    assert suggest_stance("Korea Utara diminta menarik pasukannya dari Rusia.")[0] == "OPPOSE"
