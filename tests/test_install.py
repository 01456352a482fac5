"""A plain (non-editable) install works: the wheel carries the configuration, patterns and model.

Builds a wheel of this checkout, installs it into a fresh virtualenv that borrows only the
dependencies (spaCy, PySide6, sqlite-utils) of the running environment, and runs
import -> suggest -> export on the sample corpus from a folder outside the checkout.
"""
import json
import os
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(args, cwd, **kw):
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, **kw)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def test_wheel_install_imports_suggests_and_exports(tmp_path):
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "-w", dist, ROOT], cwd=tmp_path)
    wheel = next(dist.glob("annotator-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("annotator/resources/config.toml", "annotator/resources/patterns/quotes.json",
                   "annotator/resources/model/ner/meta.json", "annotator/resources/model/ner/ner/model"):
        assert needed in names

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    purelib = Path(subprocess.check_output(
        [venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        text=True).strip())
    # the dependencies of the running environment, but not its (editable) annotator
    deps = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()})
    (purelib / "borrowed_deps.pth").write_text("\n".join(deps) + "\n")
    run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", purelib, wheel], cwd=tmp_path)

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ANNOTATOR_DB")}
    py = venv / "bin" / "python"
    where = run([py, "-c", "import annotator; print(annotator.__file__)"], cwd=work, env=env).stdout
    assert str(purelib) in where, where
    run([py, "-m", "annotator", "import", ROOT / "sample_corpus", "--db", "p.db"], cwd=work, env=env)
    run([py, "-m", "annotator", "suggest", "--db", "p.db"], cwd=work, env=env)
    run([py, "-m", "annotator", "export", "out.jsonl", "--db", "p.db", "--annotator", "@model"], cwd=work, env=env)
    records = [json.loads(line) for line in (work / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == 5
    assert sum(len(r["spans"]) for r in records) > 100
    assert sum(len(r["quotes"]) for r in records) > 20

