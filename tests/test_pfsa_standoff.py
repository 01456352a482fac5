"""benchmarks/pfsa/standoff.py: stand-off PFSA gold joined to its texts, validated, accepted by the CLI."""

import hashlib
import importlib.util
import json

import pytest

from annotator.cli import main
from tests.conftest import ROOT

PFSA_DIR = ROOT / "benchmarks" / "pfsa"
_spec = importlib.util.spec_from_file_location("pfsa_standoff", PFSA_DIR / "standoff.py")
standoff = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(standoff)

TEXT = "Menurut Budi Santoso, Jakarta aman pada Rabu (5/11/2024)."
# tokens: Menurut|Budi|Santoso|,|Jakarta|aman|pada|Rabu|(|5|/|11|/|2024|)|.


def _line(**changes) -> dict:
    line = {"id": "a1", "text_sha256": hashlib.sha256(TEXT.encode("utf-8")).hexdigest(),
            "spans": [{"start": 8, "end": 20, "label": "PERSON"}, {"start": 22, "end": 29, "label": "LOC"},
                      {"start": 40, "end": 56, "label": "DATE"}],
            "quotes": [{"start": 22, "end": 56, "kind": "indirect", "speaker": {"start": 8, "end": 20},
                        "cue": {"start": 0, "end": 7}, "stance": None}]}
    line.update(changes)
    return line


@pytest.fixture
def files(tmp_path):
    pfsa = tmp_path / "pfsa.jsonl"
    pfsa.write_text(json.dumps({"id": "a1", "text": TEXT}) + "\n", encoding="utf-8")

    def write(*lines):
        path = tmp_path / "x_standoff.jsonl"
        path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
        return path, pfsa

    return write


def test_join_builds_exchange_records(files):
    path, pfsa = files(_line())
    [record] = standoff.join(path, pfsa)
    assert record["text"] == TEXT and record["_annotator_id"] == "@gold"
    assert [(TEXT[s["start"]:s["end"]], s["label"], s["source"], s["status"]) for s in record["spans"]] == [
        ("Budi Santoso", "PERSON", "human", "accepted"), ("Jakarta", "LOC", "human", "accepted"),
        ("Rabu (5/11/2024)", "DATE", "human", "accepted")]
    assert (record["spans"][0]["token_start"], record["spans"][0]["token_end"]) == (1, 2)
    [quote] = record["quotes"]
    assert quote["speaker"] == {"start": 8, "end": 20, "label": "PERSON"}
    assert quote["cue"] == {"start": 0, "end": 7, "text": "Menurut"}


def test_free_speaker_keeps_its_label_or_defaults_to_person(files):
    quote = dict(_line()["quotes"][0], speaker={"start": 8, "end": 12})
    coordinated = dict(quote, start=30, end=34, speaker={"start": 22, "end": 34, "label": "LOC"})
    path, pfsa = files(_line(spans=[], quotes=[quote, coordinated]))
    [record] = standoff.join(path, pfsa)
    assert [q["speaker"]["label"] for q in record["quotes"]] == ["PERSON", "LOC"]


def test_join_refuses_a_different_text_naming_the_id(files):
    path, pfsa = files(_line(text_sha256="0" * 64))
    with pytest.raises(standoff.StandoffError, match=r"x_standoff.jsonl:1: a1: text_sha256 does not match"):
        standoff.join(path, pfsa)


def test_join_refuses_unknown_and_repeated_ids(files):
    path, pfsa = files(_line(id="nope"))
    with pytest.raises(standoff.StandoffError, match="'nope' is not in"):
        standoff.join(path, pfsa)
    path, pfsa = files(_line(), _line())
    with pytest.raises(standoff.StandoffError, match=":2: a1: article annotated twice"):
        standoff.join(path, pfsa)


@pytest.mark.parametrize("change, message", [
    ({"spans": [{"start": 9, "end": 20, "label": "PERSON"}]}, "not on token boundaries"),
    ({"spans": [{"start": 8, "end": 20, "label": "PERSON"}, {"start": 13, "end": 20, "label": "PERSON"}]}, "overlaps"),
    ({"spans": [{"start": 40, "end": 99, "label": "DATE"}]}, "out of range"),
    ({"spans": [{"start": 8, "end": 20, "label": "PER"}]}, "unknown label 'PER'"),
    ({"quotes": [{"start": 22, "end": 56, "kind": "said", "speaker": None, "cue": None, "stance": None}]}, "unknown kind"),
    ({"quotes": [{"start": 22, "end": 56, "kind": "direct", "speaker": {"start": 8, "end": 14}, "cue": None,
                  "stance": None}]}, "speaker [8:14] 'Budi S' is not on token boundaries"),
    ({"quotes": [{"start": 22, "end": 56, "kind": "direct", "speaker": None, "cue": {"start": 0, "end": 3},
                  "stance": None}]}, "cue [0:3]"),
    ({"extra": 1}, "keys"),
])
def test_validate_finds_each_problem(change, message):
    problems = standoff.validate(_line(**change), TEXT)
    assert any(message in p for p in problems), problems
    assert standoff.validate(_line(), TEXT) == []


CONVENTIONS = ("Pemerintah Kota Bekasi buka setiap hari. Wali Kota Bekasi tinggal di Kabupaten Sleman. "
               "Kepala Desa Karangbenda dari PT Maju Jaya hadir Jumat siang.")


def _span(words: str, label: str, after: str = "") -> dict:
    """The span of `words` at its first occurrence after the text `after` in CONVENTIONS."""
    start = CONVENTIONS.index(words, CONVENTIONS.index(after) + len(after) if after else 0)
    return {"start": start, "end": start + len(words), "label": label}


def test_convention_problems_accepts_the_written_conventions():
    spans = [_span("Pemerintah Kota Bekasi", "ORG"), _span("Bekasi", "LOC", after="Wali Kota "),
             _span("Kabupaten Sleman", "LOC"), _span("Karangbenda", "LOC"), _span("PT Maju Jaya", "ORG"),
             _span("Jumat siang", "DATE")]
    assert standoff.convention_problems({"spans": spans}, CONVENTIONS) == []


@pytest.mark.parametrize("span, message", [
    (_span("setiap hari", "DATE"), "a frequency or rate is not DATE"),
    (_span("Kota Bekasi", "LOC"), "a capitalised regional government is one ORG"),
    (_span("Kota Bekasi", "LOC", after="Wali "), "inside a title only the place is the LOC"),
    (_span("Sleman", "LOC"), "the capitalised place prefix before it belongs inside the LOC"),
    (_span("Maju Jaya", "ORG"), "'PT'/'PO' belongs inside the ORG"),
])
def test_convention_problems_names_each_broken_convention(span, message):
    problems = standoff.convention_problems({"spans": [span]}, CONVENTIONS)
    assert any(message in p for p in problems), problems


@pytest.mark.skipif(not standoff.DEFAULT_PFSA.is_file(),
                    reason=f"PFSA-ID text not present ({standoff.DEFAULT_PFSA}); it is CC BY-NC-SA and not in the repository")
@pytest.mark.parametrize("name", sorted(p.name for p in PFSA_DIR.glob("*standoff*.jsonl")))
def test_committed_standoff_files_join_and_load_into_the_tool(name, tmp_path, capsys):
    path = PFSA_DIR / name
    records = standoff.join(path)  # raises on any hash, offset, token or overlap problem
    texts = standoff.load_texts()
    for line in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
        assert standoff.convention_problems(line, texts[line["id"]]) == [], line["id"]
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert len(records) == n and all(r["spans"] and r["quotes"] for r in records)
    gold = tmp_path / "gold.jsonl"
    assert standoff.main([str(path), str(gold)]) == 0
    assert f"wrote {n} articles" in capsys.readouterr().out
    assert main(["evaluate", str(gold), "--pred", str(gold), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["entities"]["exact"]["all"]["f1"] == 1.0 and result["quotes"]["exact"]["f1"] == 1.0
    assert result["speaker"]["exact_span"] == 1.0 and result["cue"]["exact_span"] == 1.0
    db = str(tmp_path / "gold.db")
    assert main(["import", str(gold), "--db", db]) == 0
    assert f"{n} with annotations, 0 warnings, 0 errors" in capsys.readouterr().out
    back = tmp_path / "back.jsonl"
    assert main(["export", str(back), "--annotator", "@gold", "--db", db]) == 0
    exported = {r["id"]: r for r in map(json.loads, back.read_text(encoding="utf-8").splitlines())}
    for r in records:
        assert [(s["start"], s["end"], s["label"]) for s in exported[r["id"]]["spans"]] == \
               [(s["start"], s["end"], s["label"]) for s in r["spans"]]
        assert [(q["start"], q["end"], q["kind"], q["speaker"], q["cue"] and q["cue"]["start"])
                for q in exported[r["id"]]["quotes"]] == \
               [(q["start"], q["end"], q["kind"], q["speaker"], q["cue"] and q["cue"]["start"]) for q in r["quotes"]]
