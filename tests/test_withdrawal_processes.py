"""Withdrawal across real server processes (issue 11, "Done when").

Two gunicorn processes (one worker each, two ports) serve one database: a SQLite file, or on
a PostgreSQL test run a PostgreSQL database of their own with the content version in Redis
when ``REDIS_URL`` is set. Their page caches are warmed, then a command in a third process
changes what is public: takedown, licence expiry and renewal, unpublishing two articles at
once, an embargo set, and an embargo ending by the clock alone. The very first requests after
the command exits, alternating between the servers, must already show the change (no retry,
no sleep): the article answers 410 (or 404) and no page, feed, sitemap or search links it.
"""

import http.client
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
REQUESTS = 40  # per change, alternating between the two servers
DEADLINE = 1.0  # seconds from the command's exit to the last of those answers
log = logging.getLogger(__name__)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


def _get(port: int, path: str) -> Response:
    """One GET on a fresh connection (gunicorn's sync workers close it after each answer);
    redirects are not followed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "identity"})
        answer = conn.getresponse()
        body = answer.read().decode("utf-8", "replace")
        headers = {name.lower(): value for name, value in answer.getheaders()}
        return Response(answer.status, headers, body)
    finally:
        conn.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``gunicorn newsroom.wsgi --workers 1`` on a free loopback port."""

    def __init__(self, env: dict, log_path: Path):
        self.port = _free_port()
        self.log_path = log_path
        self.log_file = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "newsroom.wsgi",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--no-control-socket",  # two servers (and a `make serve`) would share one path
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: master and worker stop together
        )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.log()}")
            try:
                if _get(self.port, "/").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not answer within {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log_file.close()


@dataclass
class Site:
    env: dict
    servers: list[Server]
    store: str
    articles: dict[int, dict] = field(default_factory=dict)
    roles: dict[str, int | list[int] | str] = field(default_factory=dict)

    @property
    def ports(self) -> list[int]:
        return [server.port for server in self.servers]

    def manage(self, *args: str) -> tuple[str, float]:
        """Run a management command to its end; return its output and when it exited."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        exited = time.monotonic()
        assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout, exited

    def shell(self, code: str) -> tuple[str, float]:
        """Run Python in ``manage.py shell``; return its last line of output and its exit."""
        out, exited = self.manage("shell", "--no-imports", "-c", code)
        lines = out.strip().splitlines()
        return (lines[-1] if lines else ""), exited

    def logs(self) -> str:
        return "\n".join(server.log() for server in self.servers)


# The site: a database, migrated and loaded, and two servers on it -------------------------


def _child_env(tmp: Path) -> dict:
    env = {
        name: value
        for name, value in os.environ.items()
        if name
        not in (
            "REDIS_URL",
            "NEWSROOM_CACHE_PREFIX",
            "NEWSROOM_CONTENT_VERSION_STORE",
            "NEWSROOM_CACHE_SECONDS",
            "NEWSROOM_REQUIRE_LICENCE",
            "NEWSROOM_SITE_URL",
            "NEWSROOM_PURGE_HOOK",
        )
    }
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_SECRET_KEY="withdrawal-processes-test-key-not-secret-0123456789",
        DJANGO_DEBUG="0",
        DJANGO_SECURE_SSL="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOG_LEVEL="WARNING",
        NEWSROOM_MEDIA_ROOT=str(tmp / "media"),  # the samples draw their pictures here
        NEWSROOM_PLAIN_STATIC="1",  # no collectstatic manifest in a test run
        PYTHONWARNINGS="ignore::UserWarning",  # WhiteNoise: no STATIC_ROOT files
        PYTHONUNBUFFERED="1",
    )
    return env


def _postgres_params() -> dict:
    settings = connection.settings_dict
    return {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"] or "postgres",
        "password": settings["PASSWORD"] or None,
        "connect_timeout": 5,
    }


@contextmanager
def _database(tmp: Path) -> Iterator[str]:
    """A fresh database the servers and commands share: its DATABASE_URL."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp / 'site.sqlite3'}"
        return
    import psycopg

    params = _postgres_params()
    name = f"newsroom_procs_{os.getpid()}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{quote(params['password'], safe='')}" if params["password"] else ""
    user = quote(params["user"], safe="")
    try:
        yield f"postgres://{user}{password}@{params['host']}:{params['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _forget_redis_keys(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


INFO = r"""
import json
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from articles.models import Article, Mention
rows = []
articles = Article.objects.published().select_related("attribution__source", "author", "category")
for a in articles.order_by("pk"):
    source = getattr(getattr(a, "attribution", None), "source", None)
    when = timezone.localtime(a.published_at)
    lists = [
        "/", "/feeds/atom.xml", "/feeds/rss.xml", "/feeds/feed.json",
        reverse("sitemap-section", kwargs={"section": "articles"}),
        reverse("articles:archive-month", kwargs={"year": when.year, "month": when.month}),
    ]
    if source:
        lists += [source.get_absolute_url(), f"/feeds/source/{source.slug}/atom.xml"]
    if a.category_id:
        lists.append(a.category.get_absolute_url())
    if a.author_id:
        lists.append(a.author.get_absolute_url())
    lists += [reverse("articles:tag", kwargs={"slug": t.slug}) for t in a.tags.all()[:2]]
    entities = Mention.objects.filter(article=a, verdict__in=["linked", "confirmed"])
    entities = entities.exclude(entity__is_never_link=True).select_related("entity")
    lists += sorted({m.entity.get_absolute_url() for m in entities})[:2]
    rows.append({
        "id": a.pk, "url": a.get_absolute_url(), "title": a.title, "guid": str(a.guid),
        "source": source.slug if source else None, "lists": lists,
    })
print(json.dumps({
    "store": settings.NEWSROOM_CONTENT_VERSION_STORE,
    "cache": settings.CACHES["default"]["BACKEND"],
    "articles": rows,
}))
"""


@pytest.fixture(autouse=True)
def _clear_cache():
    """Overrides conftest's: flushing Redis between tests would cool these servers' caches,
    and nothing here reads this process's cache."""
    return


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("withdrawal")
    env = _child_env(tmp)
    redis_url = os.environ.get("REDIS_URL", "") if connection.vendor == "postgresql" else ""
    prefix = f"{os.environ.get('NEWSROOM_CACHE_PREFIX', 'newsroom')}-procs-{os.getpid()}"
    if redis_url:
        env.update(REDIS_URL=redis_url, NEWSROOM_CACHE_PREFIX=prefix)
    with _database(tmp) as database_url:
        env["DATABASE_URL"] = database_url
        site = Site(env=env, servers=[], store="cache" if redis_url else "db")
        site.manage("migrate", "--noinput", "-v", "0")
        site.manage("load_samples")
        info = json.loads(site.shell(INFO)[0])
        # The content version lives where every process reads it: the database, or Redis.
        assert info["store"] == site.store, info
        assert ("Redis" in info["cache"]) == bool(redis_url), info
        site.articles = {row["id"]: row for row in info["articles"]}
        site.roles = _roles(info["articles"])
        try:
            site.servers = [Server(env, tmp / f"gunicorn-{i}.log") for i in range(2)]
            for server in site.servers:
                server.wait_ready()
            assert site.ports[0] != site.ports[1]
            yield site
        finally:
            for server in site.servers:
                server.stop()
            if redis_url:
                _forget_redis_keys(redis_url, prefix)


def _roles(rows: list[dict]) -> dict:
    """Which sample article each test withdraws: an outlet with two articles for the licence,
    and distinct others for the other causes."""
    by_source: dict[str, list[int]] = {}
    for row in rows:
        if row["source"]:
            by_source.setdefault(row["source"], []).append(row["id"])
    outlet, outlet_ids = max(by_source.items(), key=lambda item: (len(item[1]), item[0]))
    assert len(outlet_ids) >= 2, by_source
    others = [row["id"] for row in rows if row["id"] not in outlet_ids]
    assert len(others) >= 6, "the samples have fewer articles than these tests need"
    return {
        "outlet": outlet,
        "outlet_ids": outlet_ids[:2],
        "takedown": others[0],
        "unpublish": others[1:3],
        "embargo": others[3],
        "clock": others[4],
        "control": others[5],
        "others": others,
    }


# Checks ---------------------------------------------------------------------------------


def _short(article: dict) -> str:
    return f"/a/{article['id']}/"


def _form(path: str) -> str:
    return "short" if path.count("/") == 3 else "full"


def _search(article: dict) -> str:
    return "/search/?q=" + quote(article["title"][:5])


def _outputs(site: Site, ids: list[int]) -> list[str]:
    """Every list output that showed these articles: home, feeds, sitemap, archive, source,
    category, author, tag and entity pages, and a search for each title."""
    paths: list[str] = []
    for pk in ids:
        article = site.articles[pk]
        for path in (*article["lists"], _search(article)):
            if path not in paths:
                paths.append(path)
    return paths


def _assert_shown(site: Site, ids: list[int], *, repeat: int = 1) -> None:
    """Each article answers 200 (its short URL redirects there) and every output links it,
    on both servers; with ``repeat`` > 1 this warms their caches."""
    outputs = _outputs(site, ids)
    for _ in range(repeat):
        for port in site.ports:
            for pk in ids:
                article = site.articles[pk]
                page = _get(port, article["url"])
                assert page.status == 200, (port, article["url"], page.status)
                short = _get(port, _short(article))
                assert short.status == 301, (port, _short(article), short.status)
                assert short.headers["location"].endswith(article["url"])
            for path in outputs:
                answer = _get(port, path)
                assert answer.status == 200, (port, path, answer.status)
                for pk in ids:
                    if path in site.articles[pk]["lists"] or path == _search(site.articles[pk]):
                        assert _short(site.articles[pk]) in answer.body, (port, path, pk)


TAXONOMY_PREFIXES = ("/category/", "/tag/", "/entity/", "/source/", "/author/", "/feeds/source/")


def _assert_absent(site: Site, ids: list[int]) -> float:
    """No output of either server links these articles; return the seconds it took."""
    started = time.monotonic()
    leaks = []
    for port in site.ports:
        for path in _outputs(site, ids):
            answer = _get(port, path)
            # A category, tag, entity, outlet or byline with no public article left has no page
            # or feed (404); the site-wide outputs stay.
            emptied = answer.status == 404 and path.startswith(TAXONOMY_PREFIXES)
            assert answer.status == 200 or emptied, (port, path, answer.status)
            leaks += [(port, path, pk) for pk in ids if _short(site.articles[pk]) in answer.body]
    assert not leaks, f"still linked (port, output, article): {leaks}"
    return time.monotonic() - started


def _requests(site: Site, ids: list[int], exited: float) -> tuple[list, float]:
    """REQUESTS GETs right after a command exited: alternating servers, both URL forms, each
    article in turn; the answers (article, path, port, response) and the seconds from the
    exit to the last answer."""
    answers = []
    for i in range(REQUESTS):
        port = site.ports[i % 2]
        article = site.articles[ids[(i // 4) % len(ids)]]
        path = _short(article) if (i // 2) % 2 == 0 else article["url"]
        answers.append((article["id"], path, port, _get(port, path)))
    return answers, time.monotonic() - exited


def _assert_gone(
    site: Site, ids: list[int], exited: float, notices: dict[int, str], status: int = 410
) -> float:
    """The 40 requests right after ``exited`` all answer ``status`` (410 with the notice and
    no-store, or 404), the last within DEADLINE; return the elapsed seconds."""
    answers, elapsed = _requests(site, ids, exited)
    wrong = [
        (pk, _form(path), port, r.status) for pk, path, port, r in answers if r.status != status
    ]
    assert not wrong, (
        f"{len(wrong)} of {REQUESTS} did not answer {status} (article, URL, port, status): {wrong}"
    )
    assert elapsed <= DEADLINE, f"the {REQUESTS}th answer came {elapsed:.3f}s after the exit"
    for pk, path, port, answer in answers:
        if status == 410:
            assert notices[pk] in answer.body, (pk, path, port)
            assert answer.headers.get("cache-control") == "no-store", (pk, path, port)
        assert site.articles[pk]["title"] not in answer.body, (pk, path, port)  # no content
    return elapsed


def _tombstones(body: str) -> list[str]:
    import xml.etree.ElementTree as ET

    tombstone = "{http://purl.org/atompub/tombstones/1.0}deleted-entry"
    return [entry.get("ref") for entry in ET.fromstring(body).iter(tombstone)]


# The tests ------------------------------------------------------------------------------


def test_takedown_is_gone_from_both_servers_within_a_second(site):
    pk, control = site.roles["takedown"], site.roles["control"]
    article = site.articles[pk]
    _assert_shown(site, [pk, control], repeat=3)
    # The caches are warm and serving: a change that bypasses the editorial operations (no
    # new content version) is not seen by either server.
    marker = "（缓存对照）"
    site.shell(
        "from articles.models import Article;"
        f"a = Article.objects.get(pk={control});"
        f"Article.objects.filter(pk={control}).update(title=a.title + {marker!r})"
    )
    for port in site.ports:
        assert marker not in _get(port, "/").body, "the home page was not served from the cache"

    _, exited = site.manage(
        "takedown", str(pk), "--reason", "权利方要求撤稿（测试）", "--requested-by", "示例法务部"
    )
    elapsed = _assert_gone(site, [pk], exited, {pk: "已撤稿"})
    lists = _assert_absent(site, [pk])
    log.info("takedown: 40/40 answered 410 in %.3fs; outputs in %.3fs", elapsed, lists)
    for port in site.ports:
        assert marker in _get(port, "/").body  # the home page was rendered afresh
        atom = _get(port, "/feeds/atom.xml")
        assert f"urn:uuid:{article['guid']}" in _tombstones(atom.body), port

    _, exited = site.manage("takedown", "--restore", str(pk), "--reason", "误撤（测试）")
    for port in site.ports:
        assert _get(port, article["url"]).status == 200, port
    _assert_shown(site, [pk])
    for port in site.ports:
        assert f"urn:uuid:{article['guid']}" not in _tombstones(_get(port, "/feeds/atom.xml").body)


def test_licence_expiry_withdraws_the_outlet_and_renewal_brings_back_all_but_taken_down(site):
    outlet = site.roles["outlet"]
    expiring, taken = site.roles["outlet_ids"]
    others = site.roles["others"]
    site.manage("takedown", str(taken), "--reason", "单篇撤稿（测试）")  # before the expiry
    _assert_shown(site, [expiring, *others], repeat=3)  # warm
    sources_map = "/sitemap-sources.xml"
    for port in site.ports:
        assert f"/source/{outlet}/" in _get(port, sources_map).body

    shanghai = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    yesterday = (shanghai - timedelta(days=1)).isoformat()
    out, exited = site.manage("licence", outlet, "--expires", yesterday)
    notices = {expiring: "授权已到期", taken: "已撤稿"}
    elapsed = _assert_gone(site, [expiring, taken], exited, notices)
    lists = _assert_absent(site, [expiring, taken])
    log.info("licence expiry: 40/40 answered 410 in %.3fs; outputs in %.3fs", elapsed, lists)
    assert "已到期" in out, out
    for port in site.ports:
        for pk in others:  # every other outlet's articles (and our own) stay
            assert _get(port, site.articles[pk]["url"]).status == 200, (port, pk)
        home = _get(port, "/").body
        assert all(_short(site.articles[pk]) in home for pk in others), port
        assert f"/source/{outlet}/" not in _get(port, sources_map).body, port

    _, exited = site.manage("licence", outlet, "--expires", "never")
    answers, elapsed = _requests(site, [expiring, taken], exited)
    expected = {
        (expiring, True): 200,
        (expiring, False): 301,
        (taken, True): 410,
        (taken, False): 410,
    }
    wrong = [
        (pk, _form(path), port, r.status)
        for pk, path, port, r in answers
        if r.status != expected[pk, path == site.articles[pk]["url"]]
    ]
    assert not wrong, f"after the renewal: {wrong}"
    assert elapsed <= DEADLINE, elapsed
    assert all("已撤稿" in r.body for pk, _, _, r in answers if pk == taken)
    log.info("licence renewal: 40/40 as expected in %.3fs", elapsed)
    _assert_shown(site, [expiring, *others])
    _assert_absent(site, [taken])  # a renewal never brings back a taken-down article


def test_unpublish_and_embargo_are_404_at_once_and_an_embargo_ends_by_the_clock(site):
    unpublished = site.roles["unpublish"]
    embargoed, clock = site.roles["embargo"], site.roles["clock"]
    _assert_shown(site, [*unpublished, embargoed, clock], repeat=3)  # warm

    # A bulk action: two articles unpublished by one editorial operation.
    out, exited = site.shell(
        f"from articles import editorial; print(editorial.unpublish({unpublished!r}))"
    )
    assert out == "2", out
    elapsed = _assert_gone(site, unpublished, exited, {}, status=404)
    lists = _assert_absent(site, unpublished)
    log.info("unpublish x2: 40/40 answered 404 in %.3fs; outputs in %.3fs", elapsed, lists)

    # An embargo set on a published article, saved as the admin saves it (model signals).
    _assert_shown(site, [embargoed], repeat=2)
    _, exited = site.shell(
        "from datetime import timedelta; from django.utils import timezone;"
        "from articles.models import Article;"
        f"a = Article.objects.get(pk={embargoed});"
        "a.embargo_until = timezone.now() + timedelta(days=1);"
        "a.save(update_fields=['embargo_until'])"
    )
    elapsed = _assert_gone(site, [embargoed], exited, {}, status=404)
    lists = _assert_absent(site, [embargoed])
    log.info("embargo: 40/40 answered 404 in %.3fs; outputs in %.3fs", elapsed, lists)

    # An embargo that ends by the clock: nothing runs when it ends, yet both servers show it.
    _assert_shown(site, [clock], repeat=2)
    ends, exited = site.shell(
        "from datetime import timedelta; from django.utils import timezone;"
        "from articles.caching import content_changed; from articles.models import Article;"
        "until = timezone.now() + timedelta(seconds=4);"
        f"Article.objects.filter(pk={clock}).update(embargo_until=until);"
        "content_changed(); print(until.timestamp())"
    )
    _assert_gone(site, [clock], exited, {}, status=404)
    _assert_absent(site, [clock])  # and caches the lists without it, under this version
    assert time.time() < float(ends), "the checks took longer than the embargo"
    time.sleep(max(0.0, float(ends) - time.time()) + 0.3)
    for port in site.ports:
        page = _get(port, site.articles[clock]["url"])
        assert page.status == 200, (port, page.status)
    _assert_shown(site, [clock])
