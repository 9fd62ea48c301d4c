import os
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
# The shared corpus sits beside the checkout on developer machines and in CI.
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "articles"
# WhiteNoise warns about a missing STATIC_ROOT; tests never run collectstatic.
(Path(__file__).resolve().parents[1] / "staticfiles").mkdir(exist_ok=True)


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"corpus missing at {CORPUS}")
        pytest.skip("the shared corpus is not beside this checkout")
    return CORPUS


@pytest.fixture(autouse=True)
def _clear_cache():
    # Pages are cached, and their contexts kept per process; every test starts from neither.
    from django.core.cache import cache

    from articles import versioned

    cache.clear()
    versioned.pages.clear()
    return


@pytest.fixture(autouse=True)
def _plain_static(settings):
    # Tests do not run collectstatic, so the manifest storage of production has no entries.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
