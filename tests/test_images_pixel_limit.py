"""NEWSROOM_IMAGE_MAX_PIXELS: one limit, read from the environment; a remote image over it is
refused with the reason, a local asset over it is kept as it is, without renditions.

The image is a real 6,324 × 6,324 one-bit PNG of a few KB, the size that cost 0.9 s and 265 MB
when it was decoded and scaled. Pillow allocates pixels outside Python's allocator, so
tracemalloc cannot see them: the memory check runs in a child process and reads its peak RSS.
"""

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.images.localize import localize_articles
from articles.images.uploads import use_uploaded_header, validate_image_upload
from articles.models import Article, LocalImage
from tests import image_server as served
from tests.factories import make_article
from tests.image_server import jpeg

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = 25_000_000
SIDE = 6324

image_server = pytest.fixture(served.image_server)
image_settings = pytest.fixture(served.image_settings)


def large_png(side: int = SIDE) -> bytes:
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def big() -> bytes:
    data = large_png()
    assert len(data) < 10_000  # a few KB on the wire
    return data


@pytest.fixture
def limit_settings(image_settings):
    image_settings.NEWSROOM_IMAGE_MAX_PIXELS = DEFAULT
    return image_settings


def run_python(code: str, env: dict | None = None) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "NEWSROOM_IMAGE_MAX_PIXELS"}
    environment.update(env or {}, DJANGO_SETTINGS_MODULE="newsroom.settings")
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_pixel_limit_defaults_to_25_megapixels_and_reads_the_environment():
    code = "from newsroom import settings; print(settings.NEWSROOM_IMAGE_MAX_PIXELS)"
    assert run_python(code) == str(DEFAULT)
    assert run_python(code, {"NEWSROOM_IMAGE_MAX_PIXELS": "1000000"}) == "1000000"


@pytest.mark.django_db
def test_an_oversized_remote_image_is_refused_and_the_article_keeps_its_url(
    limit_settings, image_server, big
):
    url = image_server.serve("/big.png", big, "image/png")
    article = make_article(header_image=url, body=f'<p>正文。</p><p><img src="{url}"></p>')
    started = time.perf_counter()
    report = localize_articles([article])
    assert time.perf_counter() - started < 1.0

    local = LocalImage.objects.get(remote_url=url)
    assert (local.status, local.error_code) == ("failed", "pixels")
    assert f"{SIDE}×{SIDE}" in local.error and str(DEFAULT) in local.error
    assert "NEWSROOM_IMAGE_MAX_PIXELS" in local.error
    assert not local.file and local.renditions == []
    assert report.failures == [(url, local.error)]
    article = Article.objects.get(pk=article.pk)
    assert article.header_image == url and article.header_picture is None
    assert url in article.body_html


@pytest.mark.django_db
def test_an_oversized_upload_is_kept_as_the_original_without_renditions(limit_settings, big):
    upload = SimpleUploadedFile("big.png", big, content_type="image/png")
    started = time.perf_counter()
    validate_image_upload(upload)
    article = make_article()
    picture = use_uploaded_header(article, upload)
    article.save()
    assert time.perf_counter() - started < 1.0

    local = LocalImage.objects.get()
    assert (local.status, local.width, local.height, local.format) == ("ok", SIDE, SIDE, "PNG")
    assert local.renditions == []
    stored = Path(limit_settings.MEDIA_ROOT, local.file.name)
    assert stored.read_bytes() == big  # served as it is
    assert picture["srcset"] == picture["webp_srcset"] == ""
    assert picture["src"] == picture["large"] == local.file.url
    article = Article.objects.get(pk=article.pk)
    assert article.header_image.endswith(local.file.url)
    assert article.header_picture["src"] == local.file.url


@pytest.mark.django_db
def test_a_local_copy_stays_served_after_the_limit_is_lowered(limit_settings, image_server):
    url = image_server.serve("/photo.jpg", jpeg(1000, 800))
    article = make_article(header_image=url)
    assert localize_articles([article]).downloaded == 1
    limit_settings.NEWSROOM_IMAGE_MAX_PIXELS = 500_000

    report = localize_articles([article])
    assert (report.already_local, report.downloaded, report.failed) == (1, 0, 0)
    assert image_server.hits["/photo.jpg"] == 1
    assert LocalImage.objects.get(remote_url=url).is_ok
    assert Article.objects.get(pk=article.pk).header_picture is not None


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_checking_an_oversized_image_costs_little_memory(tmp_path, big):
    path = tmp_path / "big.png"
    path.write_bytes(big)
    # A child starts with its parent's peak RSS, so the peak is reset (clear_refs 5) first.
    code = f"""
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from articles.images.renditions import ImageRejected, inspect_image
from articles.images.uploads import validate_image_upload
data = open({str(path)!r}, "rb").read()
def status(key):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith(key))
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
before = status("VmRSS")
try:
    inspect_image(data, max_pixels={DEFAULT})
except ImageRejected:
    pass
validate_image_upload(SimpleUploadedFile("big.png", data, content_type="image/png"))
print(status("VmHWM") - before)
"""
    grown_kib = int(run_python(code))
    assert grown_kib < 10 * 1024, f"peak RSS grew by {grown_kib} KiB"
