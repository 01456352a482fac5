"""The short chaos run of `make test` (benchmarks/chaos.py is the long one): kills, concurrent
writers, a malformed folder; then integrity, acknowledged edits present, edit log replaying to the tables."""

from tests.chaos import harness


def test_writers_killed_at_random_points_lose_no_acknowledged_edit(tmp_path):
    path = tmp_path / "kill.db"
    harness.new_database(path)
    report = harness.kill_writers(path, kills=4, seed=1)
    assert report.kills == 4 and report.acknowledged
    harness.check_database(path, report.acknowledged)


def test_four_writers_on_one_article_keep_every_acknowledged_edit(tmp_path):
    path = tmp_path / "four.db"
    harness.new_database(path)
    report = harness.concurrent_writers(path, writers=4, seconds=2.5, seed=2)
    assert len(report.acknowledged) > 20
    assert "LockedError" not in report.refused
    figures = harness.check_database(path, report.acknowledged)
    assert figures["entities"] > 0


def test_a_folder_of_malformed_files_imports_what_is_good_and_reports_the_rest(tmp_path):
    folder, path = tmp_path / "in", tmp_path / "import.db"
    good = harness.malformed_folder(folder, tmp_path / "outside")
    harness.killed_import(path, folder, after=0.8)  # a first import killed on the way
    result = harness.import_folder(path, folder)
    assert "Traceback" not in result.stderr and "imported" in result.stdout, result.stderr
    assert result.returncode in (0, 1)  # 1 when the killed import had already stored every good article
    assert "leak.txt" in result.stderr and "outside the folder" in result.stderr
    count = harness.article_log_consistent(path)
    assert count >= good
    from annotator.core.store import Store

    with Store(path, read_only=True) as store:
        ids = set(store.article_ids())
        assert {f"good0-{n}" for n in range(20)} <= ids and {"latin0", "wide0", "side0", "f0", "u0", "bb0"} <= ids
        assert not ids & {"deep", "m0", "c0", "s", "sc0", "t0", "nul0", "binary0", "leak"}
