"""Public URLs answer GET and HEAD only; any other method gets an empty 405 (issue 13).

Every URL outside the admin is read-only: reader pages, feeds, sitemaps, robots.txt, media
and the staff preview. TRACE or OPTIONS used to return the page itself with 200, and PUT,
DELETE or POST a CSRF 403; now all of them answer ``405`` with ``Allow: GET, HEAD`` and no
body, before the CSRF check. The admin (login included) keeps its own handling.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from taggit.models import Tag

from articles.feeds import FORMATS, feed_url
from tests.factories import make_article, make_author, make_category, make_entity, make_source
from tests.server_process import Gunicorn, site_env

NOT_ALLOWED = ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "BREW"]

# Every named URL outside the admin, with the arguments of an object that exists.
URL_KINDS = {
    "articles:home": lambda s: reverse("articles:home"),
    "articles:detail": lambda s: s["article"].get_absolute_url(),
    "articles:detail-short": lambda s: reverse("articles:detail-short", args=[s["article"].pk]),
    "articles:preview": lambda s: reverse("articles:preview", args=[s["article"].pk]),
    "articles:category": lambda s: s["category"].get_absolute_url(),
    "articles:tag": lambda s: reverse("articles:tag", args=[s["tag"].slug]),
    "articles:entity": lambda s: s["entity"].get_absolute_url(),
    "articles:source": lambda s: s["source"].get_absolute_url(),
    "articles:author": lambda s: s["author"].get_absolute_url(),
    "articles:archive": lambda s: reverse("articles:archive"),
    "articles:archive-year": lambda s: reverse("articles:archive-year", args=[s["year"]]),
    "articles:archive-month": lambda s: reverse(
        "articles:archive-month", args=[s["year"], s["month"]]
    ),
    "articles:search": lambda s: reverse("articles:search") + "?q=正文",
    "robots": lambda s: reverse("robots"),
    "sitemap": lambda s: reverse("sitemap"),
    "sitemap-section": lambda s: reverse("sitemap-section", args=["articles"]),
    "media": lambda s: reverse("media", args=["images/ab/photo.png"]),
}
# Feeds: the site's and one of each kind of object, in every format.
FEED_OBJECTS = {"feed": None, "category-feed": "category", "tag-feed": "tag"}
FEED_OBJECTS |= {"entity-feed": "entity", "source-feed": "source", "author-feed": "author"}
for _kind, _key in FEED_OBJECTS.items():
    for _fmt in FORMATS:
        URL_KINDS[f"articles:{_kind}-{_fmt}"] = lambda s, k=_key, f=_fmt: feed_url(
            s[k] if k else None, f
        )
# GET answers 200 on all of them but these redirects (the preview: to the admin login).
GET_STATUS = {"articles:detail-short": 301, "articles:preview": 302}


@pytest.fixture
def site(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "images" / "ab").mkdir(parents=True)
    (tmp_path / "images" / "ab" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    category = make_category("新媒体", "36kr")
    entity, source, author = make_entity("淘宝"), make_source("IT之家"), make_author("36kr")
    article = make_article(
        category=category, source=source, author=author, entities=(entity,), tags=("支付",)
    )
    tag = Tag.objects.get(name="支付")
    return {
        "article": article,
        "category": category,
        "tag": tag,
        "entity": entity,
        "source": source,
        "author": author,
        "year": article.published_at.year,
        "month": article.published_at.month,
    }


def _names(patterns, namespace="") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_url_kinds_cover_every_url_outside_the_admin():
    public = {name for name in _names(get_resolver().url_patterns) if not name.startswith("admin:")}
    assert public == set(URL_KINDS)


def _ask(client, method, url):
    return client.generic(method, url, secure=True)


def _body(response) -> bytes:
    if response.streaming:  # media files
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("method", NOT_ALLOWED)
@pytest.mark.parametrize("kind", sorted(URL_KINDS))
def test_public_url_answers_other_methods_with_an_empty_405(site, kind, method):
    # CSRF enforced as in production: the 405 must come before its 403.
    client = Client(enforce_csrf_checks=True)

    response = _ask(client, method, URL_KINDS[kind](site))

    assert response.status_code == 405, (kind, method, response.status_code)
    assert response["Allow"] == "GET, HEAD"
    assert _body(response) == b""


@pytest.mark.parametrize("kind", sorted(URL_KINDS))
def test_public_url_still_answers_get_and_head(site, client, kind):
    url = URL_KINDS[kind](site)

    get = client.get(url, secure=True)
    head = client.head(url, secure=True)

    assert get.status_code == GET_STATUS.get(kind, 200), (kind, get.status_code)
    assert head.status_code == get.status_code
    assert _body(head) == b""
    assert head["Content-Type"] == get["Content-Type"]


def test_other_methods_to_the_preview_answer_405_for_staff_too(site):
    staff = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    url = URL_KINDS["articles:preview"](site)

    assert client.get(url, secure=True).status_code == 200
    assert client.post(url, secure=True).status_code == 405


def test_a_405_is_never_cached_and_the_cache_never_answers_other_methods(site, client):
    feed = URL_KINDS["articles:feed-rss"](site)
    home = URL_KINDS["articles:home"](site)

    assert _ask(client, "TRACE", feed).status_code == 405
    first = client.get(feed, secure=True)
    assert first.status_code == 200 and b"<rss" in first.content

    assert client.get(home, secure=True).status_code == 200  # now in the page cache
    again = _ask(client, "TRACE", home)
    assert again.status_code == 405 and again.content == b""


def test_the_admin_keeps_its_own_methods(db):
    get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    login = reverse("admin:login")
    strict = Client(enforce_csrf_checks=True)

    assert strict.post(login, {"username": "boss"}, secure=True).status_code == 403  # CSRF
    page = strict.get(login, secure=True)
    token = page.cookies["csrftoken"].value
    answer = strict.post(
        login,
        {"username": "boss", "password": "pw", "csrfmiddlewaretoken": token, "next": "/admin/"},
        secure=True,
        HTTP_REFERER="https://testserver" + login,
    )
    assert answer.status_code == 302 and answer["Location"] == "/admin/"


# A real server: what gunicorn sends on the wire, as `make serve` runs it.


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("methods-site")
    gunicorn = Gunicorn(site_env(folder), folder / "gunicorn.log")
    yield gunicorn
    gunicorn.stop()


@pytest.mark.parametrize("path", ["/feeds/rss.xml", "/sitemap.xml", "/", "/robots.txt"])
def test_real_server_answers_trace_with_an_empty_405(server, path):
    assert server.request("GET", path).status == 200  # cached now; TRACE must not get it

    answer = server.request("TRACE", path, headers={"X-Probe": "reflect-me"})

    assert answer.status == 405, server.log()
    assert answer.headers["allow"] == "GET, HEAD"
    assert answer.body == b"" and answer.headers.get("content-length") == "0"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "OPTIONS", "POST"])
def test_real_server_answers_writes_with_405_not_a_csrf_403(server, method):
    answer = server.request(method, "/feeds/atom.xml")

    assert answer.status == 405, server.log()
    assert answer.headers["allow"] == "GET, HEAD" and answer.body == b""


def test_real_server_head_has_no_body(server):
    get = server.request("GET", "/feeds/feed.json")
    head = server.request("HEAD", "/feeds/feed.json")

    assert get.status == head.status == 200
    assert get.body and head.body == b""
    assert head.headers["content-type"] == get.headers["content-type"]
