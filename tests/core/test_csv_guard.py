"""CSV export: no cell a spreadsheet would run as a formula, whatever column it is in."""

import csv

from annotator.core.formats.csvfmt import _FORMULA_START, QUOTE_COLUMNS, write_quotes_csv

TEXT = "Kata Budi: mereka datang."


def test_every_cell_is_guarded_against_formula_injection(tmp_path):
    record = {
        "id": "a1", "text": TEXT, "meta": {"title": "Judul"}, "_annotator_id": "@SUM(1+1)*cmd|' /C calc'!A0",
        "quotes": [{"start": 11, "end": 25, "kind": "-2+3", "stance": "+cmd|' /C calc'!A0",
                    "speaker": {"start": 5, "end": 9, "label": '=HYPERLINK("http://evil.example","klik")'},
                    "cue": {"start": 0, "end": 4}, "source": "=1+1", "status": " =2+2"}],
    }
    out = tmp_path / "q.csv"
    assert write_quotes_csv([record], out) == 1
    with open(out, encoding="utf-8", newline="") as fh:
        header, row = list(csv.reader(fh))
    cells = dict(zip(header, row))
    assert cells["speaker_label"] == "'" + '=HYPERLINK("http://evil.example","klik")'
    assert cells["annotator"].startswith("'@SUM") and cells["stance"].startswith("'+")
    assert cells["kind"] == "'-2+3" and cells["source"] == "'=1+1" and cells["status"] == "' =2+2"
    assert all(not cell.lstrip(" ").startswith(_FORMULA_START) for cell in row)
    assert (cells["quote"], cells["speaker"], cells["start"]) == ("mereka datang.", "Budi", "11")
    assert header == list(QUOTE_COLUMNS)
