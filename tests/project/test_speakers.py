"""A person's mentions count as one speaker (issue 11.13): project.speakers, no Qt."""

from annotator.project.speakers import group_speakers, name_key


def test_a_short_mention_joins_the_full_name_of_the_same_article():
    names = group_speakers([("a1", "Antonio Guterres"), ("a1", "Guterres"), ("a1", "Retno Marsudi")])
    assert names == {("a1", "Antonio Guterres"): "Antonio Guterres", ("a1", "Guterres"): "Antonio Guterres",
                     ("a1", "Retno Marsudi"): "Retno Marsudi"}


def test_the_full_name_may_come_from_a_person_entity_or_another_article():
    names = group_speakers([("a1", "Guterres"), ("a2", "Antonio  Guterres"), ("a3", "Blinken")],
                           {"a3": ["Antony Blinken", "Washington Post"]})
    assert names[("a1", "Guterres")] == names[("a2", "Antonio  Guterres")] == "Antonio Guterres"
    assert names[("a3", "Blinken")] == "Antony Blinken"


def test_an_ambiguous_short_name_stays_apart():
    mentions = [("a1", "Kim"), ("a2", "Kim Jong Un"), ("a3", "Kim Yo Jong"), ("a4", "Kim"), ("a4", "Kim Yo Jong")]
    names = group_speakers(mentions)
    assert names[("a1", "Kim")] == "Kim"  # two Kims are known in the corpus
    assert names[("a4", "Kim")] == "Kim Yo Jong"  # the article says which one


def test_spellings_differ_only_in_case_and_punctuation():
    assert name_key("Antonio GUTERRES,") == name_key("antonio guterres") == ("antonio", "guterres")
    names = group_speakers([("a1", "guterres"), ("a1", "António Guterres")])
    assert set(names.values()) == {"António Guterres"}
