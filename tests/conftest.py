import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_corpus"


@pytest.fixture
def token_offsets():
    from annotator.nlp.tokenizer import token_offsets

    return token_offsets


@pytest.fixture
def store(tmp_path, token_offsets):
    from annotator.core.store import Store

    s = Store(tmp_path / "test.db", tokenizer=token_offsets)
    yield s
    s.close()
