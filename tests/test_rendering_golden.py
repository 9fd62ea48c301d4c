"""The import pipeline renders every known file to the same HTML as when this was recorded.

Refactoring the parser, the renderer or the entity rules must not change a single byte of what
readers get; an intended change re-records the digests with
``NEWSROOM_RECORD_GOLDEN=1 .venv/bin/pytest tests/test_rendering_golden.py`` and says why in its
commit. Files: the test data, the samples, and the corpus when ``../shared`` is there (CI).
"""

import hashlib
import json
import os
from pathlib import Path

import pytest

from articles.importer import expected_links
from articles.ingest import parse_article, render_body

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "data" / "render_golden.json"
FOLDERS = {
    "data": Path(__file__).parent / "data",
    "samples": ROOT / "articles" / "samples",
    "corpus": ROOT.parent / "shared" / "corpus" / "articles",
}


def _files() -> list[tuple[str, Path]]:
    return [
        (f"{label}/{path.name}", path)
        for label, folder in FOLDERS.items()
        if folder.is_dir()
        for path in sorted(folder.glob("*.md"))
    ]


def _digest(path: Path) -> str:
    parsed = parse_article(path.name, path.read_bytes())
    html = render_body(parsed.body, expected_links(parsed)) if parsed.body else ""
    summary = json.dumps(parsed.report(), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(f"{html}\n{summary}".encode()).hexdigest()


def test_every_file_renders_as_recorded():
    files = _files()
    assert len(files) >= 15
    digests = {key: _digest(path) for key, path in files}
    if os.environ.get("NEWSROOM_RECORD_GOLDEN") == "1":
        recorded = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
        GOLDEN.write_text(json.dumps({**recorded, **digests}, indent=1, sort_keys=True) + "\n")
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8"))
    changed = [key for key, digest in digests.items() if recorded.get(key) != digest]
    assert not changed, f"rendering changed for {changed}"


@pytest.mark.skipif(not FOLDERS["corpus"].is_dir(), reason="the corpus (../shared) is absent")
def test_the_whole_corpus_is_recorded():
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8"))
    corpus = {key for key, _ in _files() if key.startswith("corpus/")}
    assert corpus and corpus <= set(recorded)
