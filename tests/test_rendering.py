"""``articles.rendering``: the only writer of ``body_html`` and what is derived from it."""

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import rendering
from articles.models import Article, Mention
from tests.factories import make_article, make_entity

SITE = settings.NEWSROOM_SITE_URL


@pytest.fixture
def linked(db):
    entity = make_entity("淘宝")
    return make_article(body="<p>开头的一段话，足够长。</p>", entities=(entity,)), entity


def test_set_rendering_fills_every_rendered_field_together(linked):
    article, entity = linked
    article.body_html = article.body_opening = article.feed_html = ""
    assert rendering.set_rendering(article) is True
    assert f'href="{entity.get_absolute_url()}"' in article.body_html
    assert f'href="{SITE}{entity.get_absolute_url()}"' in article.feed_html
    assert article.body_opening.startswith("开头的一段话，足够长。提到淘宝")
    assert rendering.set_rendering(article) is False  # the same inputs, the same rendering


def test_rerender_follows_the_verdicts_and_writes_only_on_change(linked):
    article, entity = linked
    Mention.objects.filter(article=article).update(verdict=Mention.Verdict.FLAGGED)
    assert rendering.rerender(article) is True
    stored = Article.objects.get(pk=article.pk)
    assert entity.get_absolute_url() not in stored.body_html
    assert entity.get_absolute_url() not in stored.feed_html
    with CaptureQueriesContext(connection) as queries:
        assert rendering.rerender(article) is False
    assert not [q for q in queries if q["sql"].startswith("UPDATE")]


def test_given_links_and_images_need_no_query(db):
    article = Article(body='<p><a class="project-link" data-id="1" data-name="甲">甲</a></p>')
    with CaptureQueriesContext(connection) as queries:
        rendering.set_rendering(article, links=["/entity/jia/"], images={})
    assert not queries
    assert 'href="/entity/jia/"' in article.body_html


def test_an_empty_body_renders_to_nothing(db):
    article = Article(body="")
    rendering.set_rendering(article, links=[])
    assert (article.body_html, article.body_opening, article.feed_html) == ("", "", "")


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a href="/about/">x</a>', f'<a href="{SITE}/about/">x</a>'),
        ('<a href="https://a.example/x">x</a>', '<a href="https://a.example/x">x</a>'),
        ('<img src="//cdn.example/a.png">', '<img src="https://cdn.example/a.png">'),
        ('<q cite="/q">x</q>', f'<q cite="{SITE}/q">x</q>'),
        ('<a href="mailto:a@b.example">x</a>', '<a href="mailto:a@b.example">x</a>'),
        (
            '<source srcset="/m/a-480w.webp 480w, https://c.example/b.webp 960w">',
            f'<source srcset="{SITE}/m/a-480w.webp 480w, https://c.example/b.webp 960w">',
        ),
    ],
)
def test_absolutize_links(html, expected):
    assert rendering.absolutize_links(html, SITE + "/") == expected


def test_the_opening_is_text_without_whitespace():
    fields = rendering.derived("<h2>标题</h2>\n<p>第一 段\n文字</p>")
    assert fields["body_opening"] == "标题第一段文字"


def test_the_opening_reads_only_the_start_of_a_long_body():
    html = "<p>开头</p>" + "<p>填充</p>" * 2000 + "<p>结尾</p>"
    opening = rendering.derived(html)["body_opening"]
    assert opening.startswith("开头") and "结尾" not in opening


def test_the_migration_derives_the_new_fields_from_stored_renderings(linked):
    article, _ = linked
    Article.objects.filter(pk=article.pk).update(body_opening="", feed_html="")
    migration = importlib.import_module("articles.migrations.0006_derived_renderings")
    migration.fill(apps, None)
    stored = Article.objects.get(pk=article.pk)
    assert (stored.body_opening, stored.feed_html) == (article.body_opening, article.feed_html)


def test_the_dek_is_shown_only_for_a_summary_that_is_not_the_opening():
    html = "<p>淘宝将打通微信支付，这是正文的第一段，足够长。</p><p>第二段。</p>"
    assert rendering.derived(html, "淘宝将打通微信支付，这是正文的第一段")["is_dek_shown"] is False
    assert rendering.derived(html, "一段另写的摘要。")["is_dek_shown"] is True
    assert rendering.derived(html, "")["is_dek_shown"] is False


def test_a_summary_edit_changes_the_dek_decision(linked):
    article, _ = linked
    article.summary = "开头的一段话，足够长。"  # what the body opens with
    rendering.rerender(article)
    assert Article.objects.get(pk=article.pk).is_dek_shown is False
    article.summary = "一段另写的摘要。"
    assert rendering.rerender(article) is True
    assert Article.objects.get(pk=article.pk).is_dek_shown is True


@pytest.mark.parametrize(
    ("html", "minutes"),
    [
        ("", 0),
        ("<p>短</p>", 1),
        ("<p>" + "字" * 1000 + "</p>", 3),
        ("<p>" + "word " * 300 + "</p>", 2),
        ('<p><img src="a.jpg" alt="图"></p>', 0),
    ],
)
def test_reading_minutes(html, minutes):
    assert rendering.reading_minutes(html) == minutes


def test_the_table_of_images_lists_every_image_url_of_the_body_once():
    html = (
        '<figure><picture><source srcset="/m/a-480w.webp 480w, /m/a-960w.webp 960w" '
        'type="image/webp"><img src="/m/a-960w.jpg" srcset="/m/a-480w.jpg 480w"></picture>'
        '</figure><p><a href="/x/">不是图片</a><img src="https://img.example/b.jpg?x=1&amp;y=2">'
        '<img src="/m/a-960w.jpg"></p>'
    )
    assert rendering.image_urls(html) == [
        "/m/a-480w.webp",
        "/m/a-960w.webp",
        "/m/a-960w.jpg",
        "/m/a-480w.jpg",
        "https://img.example/b.jpg?x=1&y=2",
    ]


def test_the_page_fields_migration_derives_them_from_stored_renderings(linked):
    article, _ = linked
    article.summary = "一段另写的摘要。"
    article.save()
    rendering.rerender(article)
    expected = Article.objects.get(pk=article.pk)
    Article.objects.filter(pk=article.pk).update(
        is_dek_shown=False, reading_minutes=0, body_images=["stale"]
    )
    migration = importlib.import_module("articles.migrations.0008_derived_page_fields")
    migration.fill(apps, None)
    stored = Article.objects.get(pk=article.pk)
    assert (stored.is_dek_shown, stored.reading_minutes, stored.body_images) == (
        True,
        expected.reading_minutes,
        expected.body_images,
    )
    assert stored.reading_minutes == 1
