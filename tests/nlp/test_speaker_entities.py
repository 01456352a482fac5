"""quote_finder's speaker_entities: names the rules read off a reporting clause become PERSON
entities (issue 13: the entity model misses or cuts speakers' names in news). The entity_ruler
stands in for the model's output, so each case shows what the rule changes."""

from __future__ import annotations

import pytest
from spacy.language import Language

import annotator.nlp.entities  # noqa: F401  (registers span._.source)
import annotator.nlp.quotes  # noqa: F401  (registers quote_finder)
from annotator.nlp.tokenizer import new_blank


@Language.component("test_as_model_entities")
def as_model_entities(doc):
    """Mark the ruler's entities as the statistical model's (span._.source "model")."""
    for e in doc.ents:
        e._.source = "model"
    return doc


def pipeline(speaker_entities=True, **labelled):
    nlp = new_blank()
    patterns = [{"label": label, "pattern": p} for label, names in labelled.items() for p in names]
    if patterns:
        nlp.add_pipe("entity_ruler").add_patterns(patterns)
        nlp.add_pipe("test_as_model_entities")
    nlp.add_pipe("quote_finder", config={"speaker_entities": speaker_entities})
    return nlp


def ents(nlp, text):
    return [(e.text, e.label_) for e in nlp(text).ents]


@pytest.mark.parametrize("text, model, want", [
    # a name after a cue that the model missed
    ("”Program ini akan diluncurkan pada triwulan keempat,” kata Parwati. Bank itu membuka kelas daring.",
     {}, [("Parwati", "PERSON")]),
    # a name after a cue that the model took for an organisation
    ("”Kami tidak akan menoleransi pelanggaran,” ujar Sambodo. Ia meminta warga menahan diri.",
     {"ORG": ["Sambodo"]}, [("Sambodo", "PERSON")]),
    # the model cut the first name off after a title chain
    ("Kepala Humas Unesa Vinda Maya Setianingrum mengatakan, jumlah pendaftar naik tahun ini.",
     {"PERSON": ["Maya Setianingrum"]}, [("Vinda Maya Setianingrum", "PERSON")]),
    # the model ran an organisation into the name: the organisation keeps its part
    ("Presiden Direktur Bank OCBC NISP Parwati Surjaudaja menyampaikan, bank itu terus tumbuh.",
     {"ORG": ["Bank OCBC NISP Parwati Surjaudaja"]}, [("Bank OCBC NISP", "ORG"), ("Parwati Surjaudaja", "PERSON")]),
    # a name before an appositive title
    ("Widiyatmiko Nursejati, General Manager Jasa Marga, mengatakan, volume kendaraan naik.",
     {}, [("Widiyatmiko Nursejati", "PERSON")]),
    # a subject named so because the text quotes "kata Iman" later
    ("Kemudian Iman Krestian menuturkan, plaza sudah diresmikan. ”Itu cukup,” kata Iman.",
     {}, [("Iman Krestian", "PERSON"), ("Iman", "PERSON")]),
])
def test_speaker_names_become_person_entities(text, model, want):
    assert ents(pipeline(**model), text) == want
    assert ents(pipeline(False, **model), text) != want  # the rule makes the difference


@pytest.mark.parametrize("text, model", [
    # an organisation entity around a speaker that is not a cue's whole object
    ("Letusan lahar mulai berlangsung di bawah gletser, kata Kantor Meteorologi Islandia.",
     {"ORG": ["Kantor Meteorologi Islandia"]}),
    # an organisation as subject, with no cue or title before it
    ("Financial Times melaporkan, bahwa Afrika Selatan juga mengikuti jejak itu.", {"ORG": ["Financial Times"]}),
    # a description, not a name
    ("Menteri Tenaga Kerja dan Transmigrasi itu mengatakan, dirinya kerap berkomunikasi dengan Jokowi.", {}),
    # "Menurut" introduces organisations and documents as often as people
    ("Menurut Samsung, ponsel itu dibuat dari jagung.", {}),
])
def test_speakers_that_are_not_names_stay_as_the_model_left_them(text, model):
    assert ents(pipeline(**model), text) == ents(pipeline(False, **model), text)


def test_real_pipeline_names_a_speaker_after_a_cue():
    from annotator.nlp.pipeline import build_pipeline

    nlp = build_pipeline(None, {"stance_target": "x"})
    doc = nlp("”Program ini akan diluncurkan pada triwulan keempat,” kata Parwati. Bank itu membuka kelas daring.")
    assert ("Parwati", "PERSON") in [(e.text, e.label_) for e in doc.ents]
