"""brat export at corpus size: file names unique case-insensitively without keeping every name in
memory (a stem in lower case is found as its file; only the others are kept)."""

from __future__ import annotations

import annotator.core.formats.brat as brat
from annotator.core.formats.brat import TakenStems, write_brat


def test_names_stay_unique_across_case_while_only_names_with_capitals_are_kept(tmp_path, monkeypatch):
    made = []

    class Recorded(TakenStems):
        def __init__(self, folder=None):
            super().__init__(folder)
            made.append(self)

    monkeypatch.setattr(brat, "TakenStems", Recorded)
    ids = [f"berita-{n}" for n in range(50)] + ["Abc", "abc", "ABC", "berita-7".upper(), "x/y", "x_y"]
    records = [{"id": i, "text": f"Teks {n}.", "spans": [], "quotes": []} for n, i in enumerate(ids)]
    assert write_brat(records, tmp_path / "out") == len(ids)
    txt = sorted(p.stem for p in (tmp_path / "out").glob("*.txt"))
    assert len(txt) == len(ids) and len({stem.casefold() for stem in txt}) == len(ids)
    assert {"abc-2", "ABC-3", "BERITA-7-2"} <= set(txt)
    for n, article_id in enumerate(ids):  # each article's text is in the file its name gave
        stem = next(s for s in txt if (tmp_path / "out" / f"{s}.txt").read_text() == f"Teks {n}.")
        assert stem.casefold().startswith(article_id.casefold().replace("/", "_"))
    [taken] = made
    assert taken._kept == {"abc", "abc-3", "berita-7-2"}  # the 50 lower-case names are not held in memory


def test_without_a_folder_every_name_is_kept():
    taken = TakenStems()
    assert [brat.safe_stem(i, taken) for i in ("a", "A", "a")] == ["a", "A-2", "a-3"]
