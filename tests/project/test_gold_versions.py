"""Row versions on review decisions into the gold and their undo and redo: a reviewer's second
window (or another reviewer) that changed the gold since it was read gets StaleEditError, nothing
written; on a file and on a server."""

import pytest

from annotator.core.model import GOLD_LAYER
from annotator.core.review import build_rows
from annotator.core.store import StaleEditError
from annotator.project import gold
from tests.core.test_row_versions_bulk import TEXT, two  # noqa: F401  (the fixture: two sessions on article a)

BACKENDS = ("sqlite", "postgres")


@pytest.fixture
def review(two):
    """alice and bob both gave 'Washington' as LOC (done); the reviewer lead works in two windows."""
    mine, theirs = two
    mine.open_layer("a", "bob")
    for name in ("alice", "bob"):
        mine.set_status("a", name, "done")
    return mine, theirs


def washington(rows):
    start = TEXT.index("Washington")
    return next(r for r in rows if r.kind == "entity" and r.start == start)


def test_a_review_decision_on_gold_changed_in_another_window_is_refused(review):
    mine, theirs = review
    gold.decide(mine, "a", lambda: gold.take_version(mine, "a", washington(build_rows(mine, "a")[0]), "alice", "lead"))
    row_seen = washington(build_rows(theirs, "a")[0])  # the other window shows LOC in gold
    gold.decide(mine, "a", lambda: gold.set_label(mine, "a", washington(build_rows(mine, "a")[0]), "ORG", "lead"))
    for refused in (lambda: gold.remove(theirs, "a", row_seen, "lead"),
                    lambda: gold.set_label(theirs, "a", row_seen, "DATE", "lead")):
        with pytest.raises(StaleEditError, match=r"in @gold's layer \(ORG 'Washington'\) was changed by lead at "):
            gold.decide(theirs, "a", refused)
    assert [(e.label, e.status) for e in mine.get_layer("a", GOLD_LAYER).entities] == [("ORG", "accepted")]


def test_undo_of_a_review_decision_refuses_to_overwrite_a_later_change_by_another_session(review):
    mine, theirs = review
    edit = gold.decide(theirs, "a", lambda: gold.take_version(theirs, "a", washington(build_rows(theirs, "a")[0]),
                                                                    "alice", "lead"))
    gold.decide(mine, "a", lambda: gold.set_label(mine, "a", washington(build_rows(mine, "a")[0]), "ORG", "lead"))
    with pytest.raises(StaleEditError, match=r"\(ORG 'Washington'\) was changed by lead at .*you edited version 1, "
                                             r"it is now version 2"):
        gold.undo(theirs, edit, "lead")
    assert [e.label for e in mine.get_layer("a", GOLD_LAYER).entities] == ["ORG"]  # theirs stays
    # undo and redo onto what this session wrote itself go through, however often
    own = gold.decide(mine, "a", lambda: gold.set_label(mine, "a", washington(build_rows(mine, "a")[0]), "PERSON",
                                                        "lead"))
    written, _ = gold.undo(mine, own, "lead")
    assert [e.label for e in written.entities] == ["ORG"]
    written, _ = gold.redo(mine, own, "lead", written)
    assert [e.label for e in mine.get_layer("a", GOLD_LAYER).entities] == ["PERSON"] == [e.label for e in written.entities]
    with pytest.raises(StaleEditError):  # a redo onto the gold before the undo: stale, its versions are old
        gold.redo(mine, own, "lead", own.before)


def test_a_row_taken_into_the_gold_by_another_window_is_not_taken_twice(review):
    mine, theirs = review
    row_seen = washington(build_rows(theirs, "a")[0])  # no gold yet in the other window's view
    gold.decide(mine, "a", lambda: gold.take_version(mine, "a", washington(build_rows(mine, "a")[0]), "alice", "lead"))
    (taken,) = mine.get_layer("a", GOLD_LAYER).entities
    with pytest.raises(StaleEditError, match=rf"a: entity #{taken.id} \(in the row you decided\) of the gold was "
                                             r"changed by lead at .* your decision was not stored") as caught:
        gold.decide(theirs, "a", lambda: gold.remove(theirs, "a", row_seen, "lead"))
    assert (caught.value.actor, caught.value.target, caught.value.current) == ("lead", "entity", 1)
    assert mine.get_layer("a", GOLD_LAYER).entities == (taken,)  # not removed, not doubled


def test_the_gold_article_stance_set_in_another_window_is_not_overwritten(review):
    mine, theirs = review
    article_seen = build_rows(theirs, "a")[0][0]
    assert article_seen.kind == "article" and article_seen.gold == ()
    gold.decide(mine, "a", lambda: gold.set_stance(mine, "a", build_rows(mine, "a")[0][0], "SUPPORT", "lead"))
    with pytest.raises(StaleEditError, match=r"a: the article stance of the gold was changed by lead at "):
        gold.decide(theirs, "a", lambda: gold.set_stance(theirs, "a", article_seen, "OPPOSE", "lead"))
    assert mine.get_layer("a", GOLD_LAYER).stance == "SUPPORT"
