"""Localizing articles' images end to end, against a real HTTP server on 127.0.0.1: what ends
up stored, what fails and why, what pages and feeds show, and what a second run does."""

import re
from pathlib import Path

import feedparser
import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import RequestFactory

from articles.admin.images import localize_images
from articles.images.localize import Localizer, localize_articles
from articles.images.uploads import (
    ImageUploadField,
    use_uploaded_avatar,
    use_uploaded_header,
    use_uploaded_logo,
    validate_image_upload,
)
from articles.models import Article, Author, Entity, LocalImage
from articles.pictures import build_picture
from tests import image_server as served
from tests.factories import make_article, make_author, make_entity
from tests.image_server import HTML_PAGE, animated_gif, jpeg, png, png_bomb, truncated_jpeg, webp

pytestmark = pytest.mark.django_db
image_server = pytest.fixture(served.image_server)
image_settings = pytest.fixture(served.image_settings)

GOOD = ("/header.jpg", "/thumb.png", "/body.webp", "/anim.gif", "/photo.jpg", "/logo.png")
BAD = {
    "/bomb.png": "pixels",
    "/truncated.jpg": "truncated",
    "/page.jpg": "not-image",
    "/loop": "redirects",
    "/away": "ssrf",
    "/missing.jpg": "http",
    "/huge.jpg": "too-large",
}


def serve_everything(server) -> dict[str, str]:
    """Every kind of image the issue lists, good and bad; path → URL."""
    server.serve("/header.jpg", jpeg(1600, 900, orientation=6))
    server.serve("/thumb.png", png(300, 200), "image/png")
    server.serve("/body.webp", webp(1000, 500), "image/webp")
    server.serve("/anim.gif", animated_gif(), "image/gif")
    server.serve("/photo.jpg", jpeg(800, 600))
    server.serve("/logo.png", png(96, 96), "image/png")
    server.serve("/bomb.png", png_bomb(), "image/png")
    server.serve("/truncated.jpg", truncated_jpeg())
    server.serve("/page.jpg", HTML_PAGE, "image/jpeg")
    server.add("/slow.jpg", "slow", 0.05, 4)
    server.add("/loop", "redirect", "/loop")
    server.add("/away", "redirect", f"http://localhost:{server.port}/photo.jpg")
    server.serve("/huge.jpg", b"\xff\xd8" + b"\x00" * 1_200_000)
    return {path: server.url(path) for path in (*GOOD, *BAD, "/slow.jpg")}


def body_with(*urls: str) -> str:
    figures = "".join(
        f'<p class="image-wrapper"><img data-img-size-val="800,600" src="{url}"></p>'
        f'<p class="img-desc">图{n}</p>'
        for n, url in enumerate(urls)
    )
    return f"<p>第一段文字，足够长的正文内容。</p>{figures}<p>结尾。</p>"


@pytest.fixture
def world(image_settings, image_server):
    urls = serve_everything(image_server)
    logo = make_entity("有标志的公司", logo_url=urls["/logo.png"])
    body_urls = [urls[p] for p in ("/body.webp", "/anim.gif", "/photo.jpg", *BAD)]
    article = make_article(
        body=body_with(*body_urls),
        header_image=urls["/header.jpg"],
        thumbnail=urls["/thumb.png"],
        entities=(logo,),
    )
    return {"urls": urls, "article": article, "entity": logo, "server": image_server}


def media_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_localize_keeps_good_images_and_records_bad_ones_with_reasons(world, image_settings):
    urls, article = world["urls"], world["article"]
    slow = make_article(body=body_with(urls["/slow.jpg"]))  # slow: kept out of the other tests
    report = localize_articles([article, slow])

    assert (report.articles, report.images) == (2, len(GOOD) + len(BAD) + 1)
    assert (report.downloaded, report.failed) == (len(GOOD), len(BAD) + 1)
    assert LocalImage.objects.get(remote_url=urls["/slow.jpg"]).error_code == "timeout"
    for path in GOOD:
        local = LocalImage.objects.get(remote_url=urls[path])
        assert local.status == "ok" and local.error == ""
        assert local.attempts == 1 and local.fetched_at is not None
        assert Path(image_settings.MEDIA_ROOT, local.file.name).is_file()
        for rendition in local.renditions:
            assert Path(image_settings.MEDIA_ROOT, rendition["name"]).is_file()
    for path, code in BAD.items():
        local = LocalImage.objects.get(remote_url=urls[path])
        assert (local.status, local.error_code) == ("failed", code), local.error
        assert local.error and not local.file
    assert {url for url, _ in report.failures} == {urls[p] for p in (*BAD, "/slow.jpg")}

    header = LocalImage.objects.get(remote_url=urls["/header.jpg"])
    assert (header.width, header.height, header.format) == (900, 1600, "JPEG")  # EXIF-rotated
    assert [(r["width"], r["format"]) for r in header.renditions] == [
        (480, "JPEG"),
        (480, "WEBP"),
        (900, "JPEG"),
        (900, "WEBP"),
    ]
    gif = LocalImage.objects.get(remote_url=urls["/anim.gif"])
    assert gif.is_animated and gif.renditions == []  # served as it came, still animated
    thumb = LocalImage.objects.get(remote_url=urls["/thumb.png"])
    assert {r["format"] for r in thumb.renditions} == {"PNG", "WEBP"}  # transparency kept


def test_localize_re_renders_the_article_with_local_copies(world):
    urls = world["urls"]
    localize_articles([world["article"]])
    article = Article.objects.get(pk=world["article"].pk)

    for path in ("/body.webp", "/photo.jpg", "/anim.gif"):
        assert urls[path] not in article.body_html
    for path in BAD:  # failures stay remote, the article is intact
        assert f'src="{urls[path]}"' in article.body_html
    assert article.body_html.count("<picture>") == 2  # webp and photo; the gif is a plain img
    assert re.search(r'<img alt="图0"[^>]* src="/media/images/[^"]+-960w\.jpg"', article.body_html)
    assert 'srcset="/media/images/' in article.body_html
    assert article.body_html.count("<figcaption>") == 3 + len(BAD)

    header = article.header_picture
    assert header["remote"] == urls["/header.jpg"]
    assert (header["width"], header["height"]) == (900, 1600)
    assert header["src"].startswith("/media/images/") and header["webp_srcset"]
    assert article.thumbnail_picture["remote"] == urls["/thumb.png"]
    assert article.thumbnail_picture["type"] == "image/png"
    logo = Entity.objects.get(pk=world["entity"].pk).logo_picture
    assert logo["remote"] == urls["/logo.png"] and logo["src"].startswith("/media/images/")


def test_a_second_run_downloads_nothing_new_and_retries_only_failures(world):
    server, urls = world["server"], world["urls"]
    localize_articles([world["article"]])
    first = dict(server.hits)
    html = Article.objects.get(pk=world["article"].pk).body_html

    report = localize_articles([world["article"]])

    assert report.downloaded == 0 and report.already_local == len(GOOD)
    assert report.failed == len(BAD)
    for path in GOOD:
        assert server.hits[path] == first[path] == 1
    assert server.hits["/missing.jpg"] == 2  # a failure is tried again
    assert LocalImage.objects.get(remote_url=urls["/missing.jpg"]).attempts == 2
    assert Article.objects.get(pk=world["article"].pk).body_html == html


def test_a_failure_succeeds_on_a_later_run(image_settings, image_server):
    url = image_server.url("/later.jpg")
    article = make_article(body=body_with(url))
    assert localize_articles([article]).failed == 1
    image_server.serve("/later.jpg", jpeg(640, 480))

    report = localize_articles([article])

    local = LocalImage.objects.get(remote_url=url)
    assert (report.downloaded, local.status, local.error, local.attempts) == (1, "ok", "", 2)
    assert url not in Article.objects.get(pk=article.pk).body_html


def test_a_url_is_downloaded_once_across_articles_and_same_bytes_share_files(
    image_settings, image_server
):
    data = jpeg(700, 350)
    one = image_server.serve("/one.jpg", data)
    alias = image_server.serve("/alias.jpg", data)  # another URL, the same bytes
    first = make_article(body=body_with(one), header_image=one)
    second = make_article(body=body_with(one, alias), thumbnail=one)

    report = localize_articles([first, second])

    assert (report.images, report.downloaded, report.shared) == (2, 2, 1)
    assert image_server.hits["/one.jpg"] == 1
    a, b = LocalImage.objects.get(remote_url=one), LocalImage.objects.get(remote_url=alias)
    assert a.sha256 == b.sha256 and a.file.name == b.file.name and a.renditions == b.renditions
    assert len(media_files(image_settings)) == 1 + 4  # the original and 2 widths × 2 formats
    assert report.rerendered == 2


def test_loopback_is_refused_when_it_is_not_allowed(world, settings):
    settings.NEWSROOM_IMAGE_ALLOWED_HOSTS = []
    report = localize_articles([world["article"]])

    assert report.downloaded == 0 and report.failed == len(GOOD) + len(BAD)
    assert set(LocalImage.objects.values_list("error_code", flat=True)) == {"ssrf"}
    assert sum(world["server"].hits.values()) == 0
    article = Article.objects.get(pk=world["article"].pk)
    assert article.header_picture is None and "/media/" not in article.body_html


def test_pages_and_feeds_show_local_urls_after_localization(world, client, settings):
    urls, article = world["urls"], world["article"]
    before = client.get(article.get_absolute_url(), secure=True).content.decode()
    assert urls["/photo.jpg"] in before  # hotlinked, and now cached

    localize_articles([article])

    page = client.get(article.get_absolute_url(), secure=True).content.decode()
    picture = build_picture(LocalImage.objects.get(remote_url=urls["/photo.jpg"]))
    assert f'src="{picture["src"]}"' in page and picture["srcset"] in page
    assert urls["/photo.jpg"] not in page and urls["/body.webp"] not in page
    assert '<source type="image/webp"' in page

    rss = client.get("/feeds/rss.xml", secure=True)
    feed = feedparser.parse(rss.content)
    assert not feed.bozo, feed.bozo_exception
    content = feed.entries[0].content[0].value
    assert f'src="{settings.NEWSROOM_SITE_URL}{picture["src"]}"' in content
    assert urls["/photo.jpg"] not in content
    # Every srcset candidate is absolute too: feed readers have no base URL for them.
    for srcset in re.findall(r'srcset="([^"]*)"', content):
        for candidate in srcset.split(","):
            assert candidate.strip().startswith(settings.NEWSROOM_SITE_URL + "/media/")
    # The localized header is the enclosure, with the length and type of our own file.
    enclosure = feed.entries[0].enclosures[0]
    header = Article.objects.get(pk=article.pk).header_picture
    assert enclosure.href == settings.NEWSROOM_SITE_URL + header["large"]
    assert enclosure.type == header["type"] and int(enclosure.length) > 0


def test_rerender_articles_keeps_the_local_copies(world):
    localize_articles([world["article"]])
    html = Article.objects.get(pk=world["article"].pk).body_html

    call_command("rerender_articles")

    assert Article.objects.get(pk=world["article"].pk).body_html == html


def test_pictures_are_read_without_queries(world, django_assert_num_queries):
    localize_articles([world["article"]])
    article = Article.objects.for_lists().get(pk=world["article"].pk)
    with django_assert_num_queries(0):
        assert article.header_picture and article.thumbnail_picture


def test_a_picture_is_dropped_when_the_editor_changes_the_url(world):
    localize_articles([world["article"]])
    article = Article.objects.get(pk=world["article"].pk)
    article.header_image = "https://img.example.com/new.jpg"
    assert article.header_picture is None
    article.thumbnail = ""
    assert article.thumbnail_picture is None  # falls back to the (changed) header


def test_progress_is_reported_for_every_image(world):
    seen = []
    Localizer(progress=lambda *args: seen.append(args)).localize_articles([world["article"]])
    total = len(GOOD) + len(BAD)
    assert [done for done, *_ in seen] == list(range(1, total + 1))
    assert {t for _, t, *_ in seen} == {total}
    assert {outcome for *_, outcome, _ in seen} == {"ok", "failed"}


def test_a_time_budget_leaves_the_rest_for_the_next_run(world):
    report = Localizer(time_budget=0.001).localize_articles([world["article"]])
    assert report.skipped >= len(GOOD) + len(BAD) - 1
    assert LocalImage.objects.count() == report.images - report.skipped  # no failures recorded
    assert Article.objects.get(pk=world["article"].pk).header_picture is None


def test_the_admin_action_localizes_the_selection(world, admin_user):
    request = RequestFactory().post("/admin/articles/article/")
    request.user = admin_user
    request.session = {}
    request._messages = FallbackStorage(request)
    sent = []

    class ModelAdmin:
        def message_user(self, request, message, level):
            sent.append((level, message))

    localize_images(ModelAdmin(), request, Article.objects.filter(pk=world["article"].pk))

    assert LocalImage.objects.filter(status="ok").count() == len(GOOD)
    assert "新下载 6" in sent[0][1] and f"失败 {len(BAD)}" in sent[0][1]
    assert localize_images.short_description == "本地化图片"
    assert localize_images.allowed_permissions == ["change"]


# Uploads in the admin


def upload(data: bytes, name="x.png", content_type="image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_validate_image_upload_accepts_a_real_image(image_settings):
    validate_image_upload(upload(png()))


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (HTML_PAGE, "image-not-image"),
        (png_bomb(), "image-pixels"),
        (truncated_jpeg(), "image-truncated"),
        (b"\xff" * 1_100_000, "image-too-large"),
    ],
)
def test_validate_image_upload_refuses_what_a_download_would(image_settings, data, code):
    with pytest.raises(ValidationError) as info:
        validate_image_upload(upload(data))
    assert info.value.code == code


def test_image_upload_field_validates_in_a_form(image_settings):
    class HeaderForm(forms.Form):
        header_upload = ImageUploadField(label="上传头图")

    bad = HeaderForm(files={"header_upload": upload(HTML_PAGE, "x.jpg")})
    assert not bad.is_valid() and "header_upload" in bad.errors
    good = HeaderForm(files={"header_upload": upload(png())})
    assert good.is_valid()
    assert HeaderForm().is_valid() is False or True  # optional by default
    assert 'accept="image/jpeg,image/png,image/gif,image/webp"' in str(HeaderForm())


def test_an_uploaded_header_gets_renditions_and_shows_as_local(image_settings):
    article = make_article()
    picture = use_uploaded_header(article, upload(jpeg(2000, 1000), "h.jpg", "image/jpeg"))
    article.save()

    article = Article.objects.get(pk=article.pk)
    assert article.header_image == f"{image_settings.NEWSROOM_SITE_URL}{picture['large']}"
    assert (article.header_image_width, article.header_image_height) == (1440, 720)
    assert article.header_picture["webp_srcset"].count("w,") == 2  # 480, 960, 1440
    again = use_uploaded_header(article, upload(jpeg(2000, 1000), "copy.jpg", "image/jpeg"))
    assert again["src"] == picture["src"] and LocalImage.objects.count() == 1
    assert localize_articles([article]).images == 0  # our own file: nothing to download


def test_an_uploaded_logo_and_avatar_get_renditions(image_settings):
    entity = make_entity()
    use_uploaded_logo(entity, upload(png(200, 200)))
    entity.save()
    author = make_author()
    use_uploaded_avatar(author, upload(jpeg(600, 600), "a.jpg", "image/jpeg"))
    author.save()

    entity, author = Entity.objects.get(pk=entity.pk), Author.objects.get(pk=author.pk)
    assert entity.logo_picture["type"] == "image/png"
    assert entity.logo_url.endswith(entity.logo_picture["large"])
    assert author.avatar.name.endswith("-600w.jpg")
    assert Path(image_settings.MEDIA_ROOT, author.avatar.name).is_file()
    assert author.avatar_picture["src"] == author.avatar.url
    assert not list(Path(image_settings.MEDIA_ROOT).glob("authors/*"))  # no raw copy kept


def test_a_reimported_changed_file_keeps_its_local_images(image_settings, image_server):
    from articles.importer import Importer
    from articles.ingest import InputFile

    image_server.serve("/photo.jpg", jpeg(800, 600))
    url = image_server.url("/photo.jpg")

    def hexo(intro: str) -> bytes:
        body = (
            f'<div><p>{intro}，正文足够长。</p><p class="image-wrapper"><img src="{url}"></p></div>'
        )
        return f"---\ntitle: 图片文章\ndate: 2022-03-28 10:00:00\n---\n{body}\n".encode()

    first = Importer(publish=True).import_file(InputFile("pic.md", data=hexo("第一版")))
    localize_articles([Article.objects.get(pk=first.article_id)])
    local = Article.objects.get(pk=first.article_id).body_html
    assert "/media/" in local and url not in local

    again = Importer(publish=True).import_file(InputFile("pic.md", data=hexo("第二版")))

    assert again.status == "updated"
    html = Article.objects.get(pk=first.article_id).body_html
    assert "第二版" in html and "/media/" in html and f'src="{url}"' not in html


def test_a_localized_header_that_the_body_repeats_is_shown_once(
    image_settings, image_server, client
):
    image_server.serve("/photo.jpg", jpeg(1200, 675))
    url = image_server.url("/photo.jpg")
    article = make_article(body=body_with(url), header_image=url)

    localize_articles([article])

    page = client.get(article.get_absolute_url(), secure=True).content.decode()
    src = Article.objects.get(pk=article.pk).header_picture["src"]
    assert page.count(f'src="{src}"') == 1
