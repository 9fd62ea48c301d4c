"""``manage.py localize_images`` against a real HTTP server on 127.0.0.1."""

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, LocalImage
from tests import image_server as served
from tests.factories import make_article
from tests.image_server import jpeg, png

pytestmark = pytest.mark.django_db
image_server = pytest.fixture(served.image_server)
image_settings = pytest.fixture(served.image_settings)


def body_with(*urls: str) -> str:
    return "<p>正文第一段，足够长的文字。</p>" + "".join(
        f'<p class="image-wrapper"><img src="{url}"></p>' for url in urls
    )


@pytest.fixture
def articles(image_settings, image_server):
    a = image_server.serve("/a.jpg", jpeg(1000, 500))
    b = image_server.serve("/b.png", png(200, 100), "image/png")
    missing = image_server.url("/missing.jpg")
    return [
        make_article(body=body_with(a), header_image=a),
        make_article(body=body_with(b, missing)),
        make_article(body=body_with(a, b)),
    ]


def run(capsys, *args) -> tuple[str, str]:
    call_command("localize_images", *args)
    captured = capsys.readouterr()
    return captured.out, captured.err


def summary(out: str) -> dict[str, str]:
    rows = {}
    for line in out.splitlines():
        label, _, value = line.rpartition("  ")
        if label.strip():
            rows[label.strip()] = value.strip()
    return rows


def test_localize_images_localizes_every_article_and_prints_a_summary(articles, capsys):
    out, err = run(capsys)

    rows = summary(out)
    assert rows["articles"] == "3"
    assert rows["images"] == "3"
    assert rows["downloaded"] == "2"
    assert rows["failed (kept remote)"] == "1"
    assert rows["re-rendered"] == "3"
    assert int(rows["bytes downloaded"]) > 0 and int(rows["bytes of renditions"]) > 0
    assert "seconds per image" in rows
    assert "missing.jpg" in err and "HTTP 404" in err  # failures go to stderr, with the reason
    assert LocalImage.objects.filter(status="ok").count() == 2


def test_localize_images_second_run_downloads_nothing(articles, capsys, image_server):
    run(capsys)
    hits = sum(image_server.hits.values())

    rows = summary(run(capsys)[0])

    assert (rows["downloaded"], rows["already local"], rows["re-rendered"]) == ("0", "2", "0")
    assert sum(image_server.hits.values()) == hits + 1  # only the 404, tried again


def test_localize_images_takes_articles_by_id(articles, capsys, image_server):
    rows = summary(run(capsys, "--article", str(articles[1].pk))[0])

    assert (rows["articles"], rows["images"]) == ("1", "2")
    assert image_server.hits["/a.jpg"] == 0
    assert "/media/" in Article.objects.get(pk=articles[1].pk).body_html
    assert "/media/" not in Article.objects.get(pk=articles[0].pk).body_html


def test_localize_images_limits_the_number_of_articles(articles, capsys, image_server):
    rows = summary(run(capsys, "--limit", "1")[0])

    assert (rows["articles"], rows["images"]) == ("1", "1")
    assert image_server.hits["/a.jpg"] == 1 and image_server.hits["/b.png"] == 0


def test_localize_images_shows_each_image_when_verbose(articles, capsys):
    out, _ = run(capsys, "-v", "2")
    lines = [line for line in out.splitlines() if line.startswith("[")]
    assert [line.split("]")[0] for line in lines] == ["[1/3", "[2/3"]  # failures: stderr
    assert "1000×500 JPEG" in out


def test_localize_images_refuses_unknown_ids_and_a_zero_limit(articles):
    with pytest.raises(CommandError, match="no article with id 999999"):
        call_command("localize_images", "--article", "999999")
    with pytest.raises(CommandError, match="--limit"):
        call_command("localize_images", "--limit", "0")
