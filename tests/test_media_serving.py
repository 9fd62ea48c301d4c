"""/media/ as Django serves it, on the embedded default and under gunicorn (issue 13).

Only the image types the site produces are shown as themselves; anything else in
``MEDIA_ROOT`` (an HTML or SVG file put there by hand or by a future upload path) is a
download, so nothing stored there runs script on our origin. Only the canonical spelling of
a name serves a file: ``images/./aa/x.jpg`` or a trailing slash used to serve a file a
takedown had withdrawn under its canonical name.
"""

import io
import os

import pytest
from PIL import Image

from articles import editorial
from tests.factories import make_article
from tests.server_process import Gunicorn, site_env

PICTURES = {"x.jpg": "JPEG", "x.png": "PNG", "x.gif": "GIF", "x.webp": "WEBP"}
SHOWN = {".jpg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".webp": "image/webp"}
HOSTILE = {
    "page.html": b"<script>alert(document.domain)</script>",
    "logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "app.js": b"alert(1)",
    "notes.txt": b"<html><script>alert(1)</script>",
    "noextension": b"<html><script>alert(1)</script>",
    "backup.tar.gz": b"\x1f\x8b\x08\x00",
}


def _picture(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3, 2), "red").save(out, fmt)
    return out.getvalue()


def _fill(root) -> None:
    (root / "images" / "ab").mkdir(parents=True)
    for name, fmt in PICTURES.items():
        (root / "images" / "ab" / name).write_bytes(_picture(fmt))
    (root / "images" / "ab" / "UPPER.JPG").write_bytes(_picture("JPEG"))
    for name, data in HOSTILE.items():
        (root / name).write_bytes(data)
    (root / ".gitignore").write_text("*\n")


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    _fill(root)
    (tmp_path / "secret.txt").write_text("outside MEDIA_ROOT")
    settings.MEDIA_ROOT = root
    return root


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
@pytest.mark.parametrize("name", [*PICTURES, "UPPER.JPG"])
def test_media_images_are_shown_as_their_type(client, media, name):
    response = client.get(f"/media/images/ab/{name}", secure=True)

    assert response.status_code == 200
    assert response["Content-Type"] == SHOWN[os.path.splitext(name)[1].lower()]
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert _body(response) == (media / "images" / "ab" / name).read_bytes()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_media_other_files_are_downloads_never_rendered(client, media, name):
    response = client.get(f"/media/{name}", secure=True)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Encoding" not in response
    assert _body(response) == HOSTILE[name]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/media/",
        "/media/images/",
        "/media/images/ab/",
        "/media/.gitignore",
        "/media/../secret.txt",
        "/media/%2e%2e/secret.txt",
        "/media/images/../../secret.txt",
        "/media/images/ab/..%2f..%2f..%2fsecret.txt",
        "/media//etc/passwd",
        "/media/%2Fetc/passwd",
        "/media/images/./ab/x.jpg",
        "/media/images//ab/x.jpg",
        "/media/images/ab/x.jpg/",
        "/media/images/ab/x.jpg%00.html",
        "/media/images%5Cab%5Cx.jpg",
        "/media/" + "a" * 5000 + ".jpg",
    ],
)
def test_media_refuses_directories_dotfiles_and_any_other_spelling(client, media, path):
    response = client.get(path, secure=True)

    expected = 400 if "%00" in path else 404  # a NUL is refused before any view
    assert response.status_code == expected, (path, response.status_code)
    assert b"outside MEDIA_ROOT" not in _body(response)


@pytest.mark.django_db
def test_media_does_not_follow_a_link_out_of_media_root(client, media):
    (media / "images" / "ab" / "link.jpg").symlink_to(media.parent / "secret.txt")

    assert client.get("/media/images/ab/link.jpg", secure=True).status_code == 404


@pytest.mark.django_db
def test_a_withdrawn_file_is_gone_under_every_spelling(client, media):
    article = make_article(body='<p>正文</p><img src="/media/images/ab/x.jpg">')
    editorial.take_down([article.pk], reason="侵权")

    assert client.get("/media/images/ab/x.jpg", secure=True).status_code == 410
    for other in ("images/./ab/x.jpg", "images//ab/x.jpg", "images/ab/x.jpg/"):
        response = client.get(f"/media/{other}", secure=True)
        assert response.status_code in (404, 410), other
        assert _body(response) != (media / "images" / "ab" / "x.jpg").read_bytes()
    assert client.get("/media/images/ab/x.png", secure=True).status_code == 200


@pytest.mark.django_db
def test_media_answers_304_when_unchanged(client, media):
    first = client.get("/media/images/ab/x.png", secure=True)

    again = client.get(
        "/media/images/ab/x.png", secure=True, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )

    assert again.status_code == 304
    assert again["X-Content-Type-Options"] == "nosniff"


# A real server, started as `make serve` starts it (gunicorn, DEBUG off, DJANGO_SECURE_SSL=0).


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("media-site")
    env = site_env(folder)
    _fill(folder / "media")
    (folder / "secret.txt").write_text("outside MEDIA_ROOT")
    gunicorn = Gunicorn(env, folder / "gunicorn.log")
    yield gunicorn, folder / "media"
    gunicorn.stop()


def test_real_server_serves_a_media_image(server):
    gunicorn, root = server

    answer = gunicorn.request("GET", "/media/images/ab/x.jpg")

    assert answer.status == 200, gunicorn.log()
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.body == (root / "images" / "ab" / "x.jpg").read_bytes()
    assert Image.open(io.BytesIO(answer.body)).size == (3, 2)

    head = gunicorn.request("HEAD", "/media/images/ab/x.webp")
    assert head.status == 200 and head.body == b""
    assert head.headers["content-type"] == "image/webp"


def test_real_server_serves_html_in_media_as_a_download(server):
    gunicorn, _ = server

    answer = gunicorn.request("GET", "/media/page.html")

    assert answer.status == 200
    assert answer.headers["content-type"] == "application/octet-stream"
    assert answer.headers["content-disposition"].startswith("attachment")
    assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/media/../secret.txt", "/media/images/./ab/x.jpg", "/media/", "/media/images/ab/"]
)
def test_real_server_refuses_traversal_and_listings(server, path):
    gunicorn, _ = server

    answer = gunicorn.request("GET", path)  # sent byte for byte: no dot-segment clean-up

    assert answer.status == 404, (path, answer.status)
    assert b"outside MEDIA_ROOT" not in answer.body and b"x.jpg" not in answer.body
