"""Agreement measures checked against hand-computed and published values."""

import pytest

from annotator.core.agreement import (
    agreement_report, cohen_kappa, cohen_kappa_table, f1, format_agreement, krippendorff_alpha_nominal,
    match_entities, match_quotes, quotes_overlap, worst_articles,
)
from annotator.core.model import SpanRef

BACKENDS = ("sqlite", "postgres")
TEXT = ("Menteri Luar Negeri Retno Marsudi berbicara di Jakarta pada 3 November 2024. "
        "Kementerian Luar Negeri menolak pengerahan pasukan itu. "
        "“Kami menolak keras pengerahan pasukan ke Rusia,” kata Retno Marsudi. "
        "Presiden Joko Widodo mengatakan bahwa pemerintah akan terus memantau situasi di kawasan itu dengan cermat. "
        "“Indonesia tetap netral,” ujar Joko Widodo.")
SECOND = "Juru bicara NATO Mark Rutte berbicara di Brussel. Rutte mengecam pengerahan itu."


def at(word, occurrence=0, text=TEXT):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(word, start + 1)
    return start, start + len(word)


def span(first, last, text=TEXT, occurrence=0):
    """From the start of `first` to the end of `last` (after it)."""
    start = at(first, occurrence, text)[0]
    return start, text.index(last, start) + len(last)


def ref(word, occurrence=0, label="PERSON"):
    return SpanRef(*at(word, occurrence), label)


# ---- the measures alone ---------------------------------------------------------------------
def test_cohen_kappa_of_the_classic_two_by_two_table_is_0_4():
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15 -> po 0.70, pe 0.50
    table = {"yes": {"yes": 20, "no": 5}, "no": {"yes": 10, "no": 15}}
    assert cohen_kappa_table(table) == pytest.approx(0.4)
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_cohen_kappa_edge_cases():
    assert cohen_kappa([("a", "a"), ("b", "b")]) == pytest.approx(1.0)
    assert cohen_kappa([("a", "b"), ("b", "a")]) == pytest.approx(-1.0)
    assert cohen_kappa([("a", "a"), ("a", "a")]) is None  # one category only: undefined
    assert cohen_kappa([]) is None


def test_krippendorff_alpha_published_examples():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", nominal example:
    # 4 observers, 12 units, values 1-5, "." missing -> alpha 0.743
    rows = ["1 2 3 3 2 1 4 1 2 . . .", "1 2 3 3 2 2 4 1 2 5 . 3", ". 3 3 3 2 3 4 2 2 5 1 .", "1 2 3 3 2 4 4 1 2 5 1 ."]
    coders = [[None if v == "." else int(v) for v in row.split()] for row in rows]
    assert krippendorff_alpha_nominal(zip(*coders)) == pytest.approx(0.743, abs=5e-4)
    # the same paper's two observers, ten binary units -> alpha 0.095
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert krippendorff_alpha_nominal(zip(a, b)) == pytest.approx(0.095, abs=5e-4)


def test_krippendorff_alpha_hand_worked():
    # units (O,O,O) and (N,O,N); a unit with one value is not pairable.
    # coincidences: O-O 3, N-O 1, O-N 1, N-N 1; n_O 4, n_N 2, n 6
    # alpha = 1 - (n-1) * sum(o_ck, c!=k) / sum(n_c n_k, c!=k) = 1 - 5 * 2 / 16 = 0.375
    units = [["O", "O", "O"], ["N", "O", "N"], [None, "N", None]]
    assert krippendorff_alpha_nominal(units) == pytest.approx(0.375)
    assert krippendorff_alpha_nominal([["O", "O"], ["O", "O"]]) is None  # one value throughout
    assert krippendorff_alpha_nominal([[None, "O"]]) is None


def test_quote_overlap_is_half_of_the_longer_span():
    assert quotes_overlap((0, 10), (5, 10))  # 5 of 10
    assert not quotes_overlap((0, 10), (6, 12))  # 4 of 10
    assert not quotes_overlap((0, 10), (0, 4))  # 4 of 10, though all of the shorter
    assert not quotes_overlap((0, 10), (10, 20))


def test_overlap_matching_is_one_to_one_and_symmetric():
    a = [(0, 10, "PERSON")]
    b = [(0, 4, "PERSON"), (5, 10, "PERSON")]
    exact, overlap = match_entities(a, b)
    assert exact == [] and len(overlap) == 1
    assert len(match_entities(b, a)[1]) == 1
    assert f1(len(overlap), len(a), len(b)) == pytest.approx(2 / 3)
    # a greedy matching would pair (0,6)-(2,8) and leave (4,8) alone: the maximum pairs all
    exact, overlap = match_quotes([(0, 6), (4, 8)], [(2, 8), (0, 4)])
    assert len(overlap) == 2


# ---- a report from a store, computed by hand -----------------------------------------------------
@pytest.fixture
def annotated(store):
    """alice and bob on article a1 (hand-computed below), both perfect on a2, carol quotes on a1."""
    store.add_article("a1", TEXT, title="Retno Marsudi")
    store.add_article("a2", SECOND, title="Rutte")
    # alice: PERSON Retno Marsudi, ORG Kementerian Luar Negeri, LOC Jakarta, DATE 3 November 2024
    store.add_entity("a1", "alice", *at("Retno Marsudi"), "PERSON")
    store.add_entity("a1", "alice", *at("Kementerian Luar Negeri"), "ORG")
    store.add_entity("a1", "alice", *at("Jakarta"), "LOC")
    store.add_entity("a1", "alice", *at("3 November 2024"), "DATE")
    # bob: PERSON exact; ORG "Luar Negeri" inside alice's ORG (overlap); Jakarta as ORG; an extra PERSON
    store.add_entity("a1", "bob", *at("Retno Marsudi"), "PERSON")
    store.add_entity("a1", "bob", *at("Luar Negeri", 1), "ORG")
    store.add_entity("a1", "bob", *at("Jakarta"), "ORG")
    store.add_entity("a1", "bob", *at("Joko Widodo"), "PERSON")
    q1 = span("Kami", "Rusia")
    q2_alice = span("pemerintah", "cermat")
    q2_bob = span("pemerintah", "kawasan itu")  # without "dengan cermat": 53 of 67 characters
    q3 = span("Indonesia", "netral")
    # Q1: same span, speakers = two mentions of the same name (agree), OPPOSE / OPPOSE
    store.add_quote("a1", "alice", *q1, speaker=ref("Retno Marsudi", 1), stance="OPPOSE")
    store.add_quote("a1", "bob", *q1, speaker=ref("Retno Marsudi", 0), stance="OPPOSE")
    # Q2: overlapping spans, different speakers, NEUTRAL / OPPOSE
    store.add_quote("a1", "alice", *q2_alice, kind="indirect", speaker=ref("Joko Widodo"), stance="NEUTRAL")
    store.add_quote("a1", "bob", *q2_bob, kind="indirect", speaker=ref("Retno Marsudi"), stance="OPPOSE")
    # Q3: only bob
    store.add_quote("a1", "bob", *q3, speaker=ref("Joko Widodo", 1), stance="NEUTRAL")
    # a2: both mark the same two entities
    for name in ("alice", "bob"):
        store.add_entity("a2", name, *at("NATO", text=SECOND), "ORG")
        store.add_entity("a2", name, *at("Mark Rutte", text=SECOND), "PERSON")
    for article_id in ("a1", "a2"):
        for name in ("alice", "bob"):
            store.set_status(article_id, name, "done")
    return store


def test_pair_figures_match_the_hand_computation(annotated):
    report = agreement_report(annotated, annotators=["alice", "bob"], article_ids=["a1"])
    assert report["shared_articles"] == 1
    (pair,) = report["pairs"]
    e = pair["entities"]
    assert (e["a"], e["b"], e["exact"]["matched"], e["overlap"]["matched"]) == (4, 4, 1, 2)
    assert e["exact"]["f1"] == pytest.approx(2 * 1 / 8)  # 0.25
    assert e["overlap"]["f1"] == pytest.approx(2 * 2 / 8)  # 0.5
    labels = e["labels"]
    assert labels["PERSON"]["exact_f1"] == pytest.approx(2 / 3)  # 1 match, 1 + 2 spans
    assert labels["ORG"]["exact_f1"] == 0 and labels["ORG"]["overlap_f1"] == pytest.approx(2 / 3)
    assert labels["LOC"]["overlap_f1"] == 0 and labels["DATE"]["overlap_f1"] == 0
    q = pair["quotes"]
    assert (q["a"], q["b"], q["exact"]["matched"], q["overlap"]["matched"]) == (2, 3, 1, 2)
    assert q["exact"]["f1"] == pytest.approx(2 * 1 / 5)  # 0.4
    assert q["overlap"]["f1"] == pytest.approx(2 * 2 / 5)  # 0.8
    assert pair["speaker"] == {"matched": 2, "agree": 1, "agreement": 0.5}
    # stance pairs (OPPOSE, OPPOSE), (NEUTRAL, OPPOSE): po 0.5; pe = 0.5*1 + 0.5*0 = 0.5 -> kappa 0
    assert pair["stance"]["items"] == 2 and pair["stance"]["observed"] == 0.5
    assert pair["stance"]["kappa"] == pytest.approx(0.0)
    assert pair["stance"]["confusion"] == {"OPPOSE": {"OPPOSE": 1}, "NEUTRAL": {"OPPOSE": 1}}


def test_figures_are_symmetric_in_the_pair(annotated):
    ab = agreement_report(annotated, annotators=["alice", "bob"])["pairs"][0]
    ba = agreement_report(annotated, annotators=["bob", "alice"])["pairs"][0]
    for path in (("entities", "exact", "f1"), ("entities", "overlap", "f1"), ("quotes", "overlap", "f1"),
                 ("speaker", "agreement"), ("stance", "kappa")):
        x, y = ab, ba
        for key in path:
            x, y = x[key], y[key]
        assert x == pytest.approx(y), path


def test_pooling_over_articles_and_the_worst_article(annotated):
    report = agreement_report(annotated, annotators=["alice", "bob"])
    assert report["shared_articles"] == 2
    e = report["pairs"][0]["entities"]
    assert e["exact"]["f1"] == pytest.approx(2 * 3 / 12)  # 1 + 2 matches over 4 + 4 + 2 + 2 spans
    per_article = {a["article_id"]: a for a in report["articles"]}
    assert per_article["a2"]["entity_f1"] == 1.0 and per_article["a2"]["quote_f1"] is None  # no quotes: undefined
    assert per_article["a1"]["entity_f1"] == pytest.approx(0.25)
    assert [a["article_id"] for a in worst_articles(report)] == ["a1", "a2"]


def test_which_articles_count(annotated):
    annotated.set_status("a2", "bob", "in_progress")  # bob takes a2 back
    annotated.open_layer("a1", "dave")  # opened, never touched: not an annotation
    annotated.add_entity("a2", "erin", *at("NATO", text=SECOND), "ORG", source="model", status="suggested")
    # by default only the articles both marked done
    report = agreement_report(annotated, annotators=["alice", "bob", "dave", "erin"])
    assert report["done_only"] and report["articles_per_annotator"] == {"alice": 2, "bob": 1, "dave": 0, "erin": 0}
    assert [a["article_id"] for a in report["articles"]] == ["a1"]
    assert "marked done by both" in format_agreement(report)
    # articles in progress too, when asked: a layer only opened or holding only suggestions never counts
    report = agreement_report(annotated, annotators=["alice", "bob", "dave", "erin"], done_only=False)
    assert report["articles_per_annotator"] == {"alice": 2, "bob": 2, "dave": 0, "erin": 0}
    assert {p["b"]: p["articles"] for p in report["pairs"] if p["a"] == "alice"} == {"bob": 2, "dave": 0, "erin": 0}
    assert "in progress included" in format_agreement(report)


def test_pending_and_rejected_suggestions_are_not_decisions(annotated):
    before = agreement_report(annotated, annotators=["alice", "bob"], article_ids=["a1"])["pairs"][0]
    annotated.add_entity("a1", "alice", *at("Rusia"), "LOC", source="model", status="suggested")
    annotated.add_entity("a1", "bob", *at("Rusia"), "ORG", source="model", status="rejected")
    after = agreement_report(annotated, annotators=["alice", "bob"], article_ids=["a1"])["pairs"][0]
    assert after["entities"] == before["entities"]


def test_alpha_over_three_annotators(annotated):
    # carol: Q1 OPPOSE (alice's span), Q2 NEUTRAL (alice's span) -> units (O,O,O), (N,O,N), bob's Q3 alone
    annotated.add_quote("a1", "carol", *span("Kami", "Rusia"), speaker=ref("Retno Marsudi", 1), stance="OPPOSE")
    annotated.add_quote("a1", "carol", *span("pemerintah", "cermat"), kind="indirect", speaker=ref("Joko Widodo"),
                        stance="NEUTRAL")
    annotated.set_status("a1", "carol", "done")
    report = agreement_report(annotated, annotators=["alice", "bob", "carol"])
    assert report["overall"]["stance"]["alpha_units"] == 2
    assert report["overall"]["stance"]["alpha"] == pytest.approx(0.375)
    assert len(report["pairs"]) == 3
    kappas = {(p["a"], p["b"]): p["stance"]["kappa"] for p in report["pairs"]}
    assert kappas[("alice", "carol")] == pytest.approx(1.0)
    assert report["overall"]["stance"]["kappa_mean"] == pytest.approx((0.0 + 1.0 + 0.0) / 3)


def test_default_annotators_leave_out_model_gold_and_conflict_layers(annotated):
    annotated.add_entity("a1", "@gold", *at("Jakarta"), "LOC")
    annotated.add_entity("a1", "alice@laptop", *at("Jakarta"), "LOC")
    assert agreement_report(annotated)["annotators"] == ["alice", "bob"]


def test_format_agreement_is_a_readable_table(annotated):
    text = format_agreement(agreement_report(annotated, annotators=["alice", "bob"], article_ids=["a1"]))
    assert "alice – bob" in text
    pair_line = next(line for line in text.splitlines() if line.startswith("alice – bob"))
    assert pair_line.split()[3:9] == ["1", "0.250", "0.500", "0.400", "0.800", "0.500"]
    assert "Krippendorff's alpha" in text and "Articles with the lowest entity F1" in text
    empty = format_agreement(agreement_report(annotated, annotators=["alice", "nobody"]))
    assert "nothing to compare" in empty
