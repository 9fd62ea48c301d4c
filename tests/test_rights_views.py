"""Rights and withdrawal on the reading site: 410 pages, every output dropping a withdrawn
article, Atom tombstones, withdrawn media, the AI-use signal and the reprint credit."""

import json
import re
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import editorial
from articles.feeds import feed_url
from articles.models import Article
from tests.factories import make_article, make_author, make_category, make_entity, make_source
from tests.site_client import get, soup

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECRET_BODY = "只在正文里出现的一句话"


def short_url(article) -> str:
    return reverse("articles:detail-short", args=[article.pk])


def text(response) -> str:
    return response.content.decode()


# The 410 notice --------------------------------------------------------------------------


@pytest.fixture
def illustrated(db):
    """A public article with a body image and a header image, with an old slug."""
    article = make_article(
        "会被撤下的文章",
        body=f'<p>{SECRET_BODY}</p><p><img src="https://img.example.com/body.jpg"></p>',
        header_image="https://img.example.com/head.jpg",
        source=make_source("IT之家"),
        slug="old-slug",
    )
    article.slug = "current-slug"
    article.save()
    return article


def assert_gone(response, notice: str):
    assert response.status_code == 410
    html = text(response)
    assert notice in html
    assert SECRET_BODY not in html
    assert "<img" not in html and "img.example.com" not in html
    assert response["Cache-Control"] == "no-store"
    assert soup(response).find("meta", attrs={"name": "robots"})["content"] == "noindex"


def every_url(article) -> list[str]:
    return [short_url(article), article.get_absolute_url(), f"/a/{article.pk}/old-slug/"]


def test_taken_down_article_is_gone_on_every_url(client, illustrated):
    assert get(client, illustrated.get_absolute_url()).status_code == 200  # cached now
    editorial.take_down([illustrated.pk], reason="原发媒体要求")
    for url in every_url(illustrated):
        assert_gone(get(client, url), "已撤稿")
        assert_gone(get(client, url), "已撤稿")  # and never from a cache


@pytest.mark.parametrize(
    ("licence", "notice"),
    [({"expires_on": "today"}, "授权已到期"), ({"revoked_at": "now"}, "授权已撤销")],
)
def test_withdrawn_by_its_outlets_licence_is_gone(client, illustrated, licence, notice):
    assert get(client, illustrated.get_absolute_url()).status_code == 200
    values = {
        name: timezone.localdate() if value == "today" else timezone.now()
        for name, value in licence.items()
    }
    editorial.set_licence(illustrated.attribution.source, **values)
    for url in every_url(illustrated):
        assert_gone(get(client, url), notice)


def test_own_expired_licence_is_gone_too(client, illustrated):
    editorial.set_licence(illustrated, expires_on=timezone.localdate())
    assert_gone(get(client, illustrated.get_absolute_url()), "授权已到期")


def test_unlicensed_outlet_is_gone_when_a_licence_is_required(client, illustrated, settings):
    settings.NEWSROOM_REQUIRE_LICENCE = True
    assert_gone(get(client, illustrated.get_absolute_url()), "未登记授权")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"published": False},
        {"embargo_until": "future"},
        {"published_at": "future"},
    ],
    ids=["draft", "embargoed", "scheduled"],
)
def test_not_yet_public_is_not_found(client, db, kwargs):
    future = timezone.now() + timedelta(days=1)
    kwargs = {k: future if v == "future" else v for k, v in kwargs.items()}
    article = make_article(body=f"<p>{SECRET_BODY}</p>", **kwargs)
    for url in (short_url(article), article.get_absolute_url()):
        response = get(client, url)
        assert response.status_code == 404, url
        assert SECRET_BODY not in text(response)


def test_renewal_brings_back_all_but_the_taken_down(client, db):
    source = make_source("甲媒体")
    editorial.set_licence(source, expires_on=timezone.localdate() + timedelta(days=3))
    back, gone = make_article(source=source), make_article(source=source)
    editorial.take_down([gone.pk], reason="侵权")

    editorial.set_licence(source, expires_on=timezone.localdate())
    assert_gone(get(client, back.get_absolute_url()), "授权已到期")
    assert get(client, gone.get_absolute_url()).status_code == 410

    editorial.set_licence(source, expires_on=None)
    assert get(client, back.get_absolute_url()).status_code == 200
    assert_gone(get(client, gone.get_absolute_url()), "已撤稿")


def test_licence_lapses_at_midnight_with_warm_caches(client, db):
    source = make_source("到期媒体")
    tomorrow = timezone.localdate() + timedelta(days=1)
    editorial.set_licence(source, expires_on=tomorrow)
    article = make_article("明天到期的文章", source=source)
    home = reverse("articles:home")
    assert get(client, article.get_absolute_url()).status_code == 200
    assert article.title in text(get(client, home))

    midnight = datetime.combine(tomorrow, datetime.min.time(), SHANGHAI)
    with mock.patch("django.utils.timezone.now", return_value=midnight + timedelta(seconds=1)):
        assert_gone(get(client, article.get_absolute_url()), "授权已到期")
        assert article.title not in text(get(client, home))
        assert article.title not in text(get(client, "/feeds/rss.xml"))


# A withdrawn article leaves every output --------------------------------------------------


@pytest.fixture
def world(db):
    """Two articles sharing every list: one stays, one (from outlet 甲) will be withdrawn."""
    leaf = make_category("新媒体", "36kr", "资讯")
    author, entity = make_author("本站编辑部"), make_entity("淘宝")
    outlet_a, outlet_b = make_source("甲来源"), make_source("乙来源")
    editorial.set_licence(outlet_a, expires_on=None)
    common = {"category": leaf, "author": author, "entities": (entity,), "tags": ("支付",)}
    keeper = make_article("留下的文章", source=outlet_b, **common)
    gone = make_article(
        "撤下的文章",
        source=outlet_a,
        published_at=keeper.published_at + timedelta(minutes=1),
        **common,
    )
    tag = Tag.objects.get(name="支付")
    lists = [
        reverse("articles:home"),
        leaf.get_absolute_url(),
        leaf.parent.parent.get_absolute_url(),
        reverse("articles:tag", args=[tag.slug]),
        entity.get_absolute_url(),
        author.get_absolute_url(),
        reverse("articles:search") + "?q=文章",
        reverse("sitemap-section", args=["articles"]),
        keeper.get_absolute_url(),  # related articles and navigation
    ]
    for obj in (None, leaf, tag, entity, author):
        lists += [feed_url(obj, fmt) for fmt in ("rss", "atom", "json")]
    return {
        "keeper": keeper,
        "gone": gone,
        "outlet": outlet_a,
        "lists": lists,
        # The outlet's own page and feeds list only the withdrawn one.
        "outlet_lists": [
            outlet_a.get_absolute_url(),
            *(feed_url(outlet_a, fmt) for fmt in ("rss", "atom", "json")),
        ],
    }


def mentions(html: str, article) -> bool:
    return f"/a/{article.pk}/" in html or article.title in html


def take_down(world):
    editorial.take_down([world["gone"].pk], reason="侵权")


def take_down_bulk(world):
    editorial.take_down([world["gone"].pk, make_article().pk], reason="批量撤稿")


def expire(world):
    editorial.set_licence(world["outlet"], expires_on=timezone.localdate())


def revoke(world):
    editorial.set_licence(world["outlet"], revoked_at=timezone.now())


def embargo(world):
    gone = world["gone"]
    gone.embargo_until = timezone.now() + timedelta(days=1)
    gone.save()


def unpublish(world):
    editorial.unpublish([world["gone"].pk])


def schedule_later(world):
    editorial.schedule([world["gone"].pk], timezone.now() + timedelta(days=1))


CAUSES = {
    "takedown": (take_down, 410),
    "bulk-takedown": (take_down_bulk, 410),
    "licence-expired": (expire, 410),
    "licence-revoked": (revoke, 410),
    "embargo": (embargo, 404),
    "unpublish": (unpublish, 404),
    "scheduled-later": (schedule_later, 404),
}


@pytest.mark.parametrize("cause", CAUSES)
def test_withdrawn_article_leaves_every_list_feed_and_sitemap(client, world, cause):
    withdraw, status = CAUSES[cause]
    keeper, gone = world["keeper"], world["gone"]
    urls = world["lists"] + world["outlet_lists"]
    for url in urls:  # both listed, and every page now in the cache
        html = text(get(client, url))
        assert mentions(html, gone), f"{url} does not list the article before"
    sources = reverse("sitemap-section", args=["sources"])
    assert world["outlet"].get_absolute_url() in text(get(client, sources))

    withdraw(world)

    assert get(client, gone.get_absolute_url()).status_code == status
    for url in urls:
        response = get(client, url)
        # The outlet has no public article left, so no page or feed (its Atom feed keeps the
        # takedown's tombstone).
        tombstone = cause.endswith("takedown") and url.endswith("atom.xml")
        hidden = url in world["outlet_lists"] and not tombstone
        assert response.status_code == (404 if hidden else 200), url
        assert not mentions(text(response), gone), f"{url} still lists it after {cause}"
    for url in world["lists"]:
        assert mentions(text(get(client, url)), keeper) or url == keeper.get_absolute_url()
    assert world["outlet"].get_absolute_url() not in text(get(client, sources))


def test_renewal_lists_the_article_again(client, world):
    expire(world)
    home = reverse("articles:home")
    assert not mentions(text(get(client, home)), world["gone"])
    editorial.set_licence(world["outlet"], expires_on=None)
    assert mentions(text(get(client, home)), world["gone"])


# Atom tombstones ---------------------------------------------------------------------------


def test_atom_feed_carries_a_tombstone_for_a_recent_takedown(client, world):
    gone, keeper = world["gone"], world["keeper"]
    old = make_article("很久以前撤下的")
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - timedelta(days=40)):
        editorial.take_down([old.pk], reason="旧事")
    editorial.take_down([gone.pk], reason="侵权")

    for url in ("/feeds/atom.xml", feed_url(world["outlet"], "atom")):
        atom = text(get(client, url))
        assert 'xmlns:at="http://purl.org/atompub/tombstones/1.0"' in atom
        assert re.search(rf'<at:deleted-entry ref="{gone.guid.urn}" when="[^"]+"', atom), url
        assert gone.guid.urn.startswith("urn:uuid:")
    site = text(get(client, "/feeds/atom.xml"))
    assert old.guid.urn not in site  # older than 30 days: no longer announced
    assert keeper.guid.urn not in re.findall(r'<at:deleted-entry ref="([^"]+)"', site)
    # Only the outlet's own takedowns in its feed.
    other = text(get(client, feed_url(keeper.attribution.source, "atom")))
    assert gone.guid.urn not in other
    for url in ("/feeds/rss.xml", "/feeds/feed.json"):
        body = text(get(client, url))
        assert gone.guid.urn not in body and "deleted-entry" not in body, url
        assert keeper.guid.urn in body


def test_restored_article_is_an_entry_again_not_a_tombstone(client, world):
    gone = world["gone"]
    editorial.take_down([gone.pk], reason="侵权")
    editorial.restore(gone.pk, reason="误撤")
    atom = text(get(client, "/feeds/atom.xml"))
    assert "deleted-entry" not in atom
    assert f"<id>{gone.guid.urn}</id>" in atom


# Media of a taken-down article -----------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("images/ab/photo.jpg", ContentFile(b"\xff\xd8\xff" + b"1" * 61))
    return name


def test_media_is_served_until_its_article_is_taken_down(client, db, media):
    url = reverse("media", args=[media])
    article = make_article(body=f'<p>正文</p><img src="/media/{media}">')
    response = get(client, url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8\xff" + b"1" * 61
    assert "max-age=60" in response["Cache-Control"]

    editorial.take_down([article.pk], reason="侵权")
    gone = get(client, url)
    assert gone.status_code == 410 and gone["Cache-Control"] == "no-store"

    editorial.restore(article.pk, reason="误撤")
    assert get(client, url).status_code == 200


def test_media_another_article_shows_is_kept(client, db, media):
    article = make_article(body=f'<img src="/media/{media}">')
    make_article(body=f'<p>同一张图</p><img src="/media/{media}">')
    editorial.take_down([article.pk], reason="侵权")
    assert get(client, reverse("media", args=[media])).status_code == 200


def test_missing_media_is_not_found(client, db, media):
    assert get(client, reverse("media", args=["images/ab/none.jpg"])).status_code == 404


# The AI-use signal -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outlet_allows", "own_allows", "header"),
    [
        (None, None, "train-ai=n"),  # no licence on file
        (False, None, "train-ai=n"),
        (True, None, None),
        (True, False, "train-ai=n"),  # its own licence governs
        (False, True, None),
    ],
)
def test_content_usage_header_follows_the_effective_licence(
    client, db, outlet_allows, own_allows, header
):
    source = make_source()
    if outlet_allows is not None:
        editorial.set_licence(source, is_ai_training_allowed=outlet_allows)
    article = make_article(source=source)
    if own_allows is not None:
        editorial.set_licence(article, is_ai_training_allowed=own_allows)
    for _ in range(2):  # the cached copy keeps it
        response = get(client, article.get_absolute_url())
        assert response.status_code == 200
        assert response.get("Content-Usage") == header


def _groups(robots: str) -> list[list[str]]:
    return [group.splitlines() for group in robots.strip().split("\n\n")]


def _ai_world(permitted: int, forbidden: int):
    allowing, forbidding = make_source("允许训练"), make_source("禁止训练")
    editorial.set_licence(allowing, is_ai_training_allowed=True)
    editorial.set_licence(forbidding, is_ai_training_allowed=False)
    yes = [make_article(source=allowing) for _ in range(permitted)]
    no = [make_article(source=forbidding) for _ in range(forbidden)]
    make_article(source=forbidding, published=False)  # not public: not listed at all
    return yes, no


EVERYONE = ["Disallow: /admin/", "Disallow: /search/", "Disallow: /preview/"]


def test_robots_disallows_ai_crawlers_from_forbidden_articles(client, db, settings):
    settings.NEWSROOM_AI_CRAWLERS = ["GPTBot", "CCBot"]
    yes, no = _ai_world(permitted=3, forbidden=2)
    unlicensed = make_article(source=make_source("未登记"))  # no licence: not permitted

    groups = _groups(text(get(client, reverse("robots"))))

    assert groups[0] == ["User-agent: *", *EVERYONE]
    ai = groups[1]
    assert ai[:2] == ["User-agent: GPTBot", "User-agent: CCBot"]
    assert ai[2:5] == EVERYONE
    assert sorted(ai[5:]) == sorted(f"Disallow: /a/{a.pk}/" for a in [*no, unlicensed])
    assert groups[-1][0].startswith("Sitemap: ")


def test_robots_allows_only_permitted_when_forbidden_are_the_majority(client, db, settings):
    settings.NEWSROOM_AI_CRAWLERS = ["GPTBot"]
    yes, no = _ai_world(permitted=1, forbidden=3)

    groups = _groups(text(get(client, reverse("robots"))))

    assert groups[0] == ["User-agent: *", *EVERYONE]
    assert groups[1] == [
        "User-agent: GPTBot",
        *EVERYONE,
        f"Allow: /a/{yes[0].pk}/",
        "Disallow: /a/",
    ]


def test_robots_has_no_ai_group_when_every_article_permits_it(client, db, settings):
    settings.NEWSROOM_AI_CRAWLERS = ["GPTBot"]
    _ai_world(permitted=2, forbidden=0)
    robots = text(get(client, reverse("robots")))
    assert "GPTBot" not in robots and "/a/" not in robots
    assert _groups(robots)[0] == ["User-agent: *", *EVERYONE]


def test_robots_follows_a_licence_change(client, db, settings):
    settings.NEWSROOM_AI_CRAWLERS = ["GPTBot"]
    yes, _ = _ai_world(permitted=2, forbidden=1)
    assert f"Disallow: /a/{yes[0].pk}/" not in text(get(client, reverse("robots")))
    editorial.set_licence(yes[0].attribution.source, is_ai_training_allowed=False)
    assert "Disallow: /a/\n" in text(get(client, reverse("robots")))


# The reprint credit ------------------------------------------------------------------------

ORIGINAL = datetime(2022, 3, 28, 10, 42, tzinfo=SHANGHAI)


@pytest.fixture
def credited(db):
    article = make_article(
        "我们的标题",
        source=make_source("IT之家"),
        original_published_at=ORIGINAL,
        responsible_editor="王编辑",
    )
    attribution = article.attribution
    attribution.original_title = "原发媒体的标题"
    attribution.save()
    return article


def credit_rows(response) -> dict[str, str]:
    block = soup(response).find("aside", id="attribution")
    return {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(strip=True)
        for dt in block.find_all("dt")
    }


def article_ld(response) -> dict:
    return json.loads(soup(response).find("script", id="ld-article").string)


def test_article_page_credits_original_title_date_and_editor(client, credited):
    response = get(client, credited.get_absolute_url())
    rows = credit_rows(response)
    assert rows["原标题"] == "原发媒体的标题"
    assert rows["原文发布于"] == "2022年3月28日 10:42"
    assert rows["责任编辑"] == "王编辑"
    data = article_ld(response)
    assert data["isBasedOn"]["url"] == "https://mp.weixin.qq.com/s/example"
    assert data["isBasedOn"]["headline"] == "原发媒体的标题"
    assert data["isBasedOn"]["datePublished"] == ORIGINAL.isoformat()
    assert {"@type": "Person", "name": "王编辑"} in data["editor"]


def test_credit_leaves_out_what_does_not_differ(client, credited):
    Article.objects.filter(pk=credited.pk).update(
        responsible_editor="", original_published_at=credited.published_at
    )
    attribution = credited.attribution
    attribution.original_title = "我们的标题"
    attribution.save()

    response = get(client, credited.get_absolute_url())
    rows = credit_rows(response)
    assert not {"原标题", "原文发布于", "责任编辑"} & set(rows)
    data = article_ld(response)
    assert data["isBasedOn"]["headline"] == "我们的标题"
    assert "editor" not in data
    assert "原标题" not in data.get("creditText", "")


def test_feed_item_credits_original_title_date_and_editor(client, credited):
    rss = text(get(client, "/feeds/rss.xml"))
    assert "原标题：原发媒体的标题" in rss
    assert "原文发布于 2022年3月28日 10:42" in rss
    assert "责任编辑：王编辑" in rss
    item = json.loads(text(get(client, "/feeds/feed.json")))["items"][0]
    assert "原标题：原发媒体的标题" in item["content_html"]
    assert "责任编辑：王编辑" in item["content_html"]


def test_feed_item_leaves_out_what_does_not_differ(client, credited):
    Article.objects.filter(pk=credited.pk).update(
        responsible_editor="", original_published_at=credited.published_at
    )
    attribution = credited.attribution
    attribution.original_title = "我们的标题"
    attribution.save()
    rss = text(get(client, "/feeds/rss.xml"))
    assert "原标题" not in rss and "原文发布于" not in rss and "责任编辑" not in rss
