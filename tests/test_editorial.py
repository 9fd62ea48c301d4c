"""Every editorial state change (``articles.editorial``): what it writes, what it logs, the
content version it moves and the URLs it hands to the CDN purge hook."""

from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import editorial
from articles.caching import content_state
from articles.editorial import EditorialError
from articles.models import Article, EditorialLog, Licence, Takedown, WithdrawnMedia
from articles.seo import absolute
from tests.admin_support import PUBLISHER, make_staff
from tests.factories import make_article, make_source

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 6, 15, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
ORIGINAL = datetime(2022, 3, 28, 10, 42, tzinfo=ZoneInfo("Asia/Shanghai"))
PURGED: list[list[str]] = []


def record_purge(urls):
    """The purge hook of these tests (``NEWSROOM_PURGE_HOOK``)."""
    PURGED.append(list(urls))


@pytest.fixture(autouse=True)
def frozen_clock():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield


@pytest.fixture
def purge_hook(settings):
    PURGED.clear()
    settings.NEWSROOM_PURGE_HOOK = "tests.test_editorial.record_purge"
    yield PURGED
    PURGED.clear()


@pytest.fixture
def user(db):
    """A Publisher: the operations below need that authority (``editorial.authority``)."""
    return make_staff("wang", PUBLISHER, real_name="王编辑")


def draft(**kwargs) -> Article:
    kwargs.setdefault("published_at", ORIGINAL)
    return make_article(published=False, **kwargs)


def expired_outlet():
    source = make_source("过期的来源")
    Licence.objects.create(source=source, expires_on=TODAY - timedelta(days=1))
    return source


def version() -> str:
    return content_state()["version"]


def article_urls(article) -> set[str]:
    return {
        absolute(reverse("articles:detail-short", args=[article.pk])),
        absolute(article.get_absolute_url()),
    }


SITE_URLS = {
    absolute(reverse("articles:home")),
    absolute(reverse("sitemap")),
    absolute("/feeds/rss.xml"),
    absolute("/feeds/atom.xml"),
    absolute("/feeds/feed.json"),
}


# Publishing ------------------------------------------------------------------------------


def test_publish_now_dates_it_now_and_keeps_the_original_date(user):
    article = draft()

    result = editorial.publish_now([article.pk], user=user)

    article.refresh_from_db()
    assert result.published == [article.pk]
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == NOW
    assert article.original_published_at == ORIGINAL
    assert article.responsible_editor == "王编辑"  # the user's real name
    assert article.is_public and article.state == "published"
    entry = EditorialLog.objects.get(action="publish", article=article)
    assert entry.user == user and entry.actor == "wang"
    assert entry.data == {"editor": "王编辑", "published_at": NOW.isoformat()}


def test_publish_now_keeps_an_original_date_already_known():
    article = draft(original_published_at=ORIGINAL - timedelta(days=3))
    editorial.publish_now([article.pk], editor="  李四  ", actor="manage.py")
    article.refresh_from_db()
    assert article.original_published_at == ORIGINAL - timedelta(days=3)
    assert article.published_at == NOW
    assert article.responsible_editor == "李四"
    assert EditorialLog.objects.get(action="publish").actor == "manage.py"


def test_publish_now_skips_empty_bodies_and_taken_down_articles(user):
    empty = draft(body="  ")
    gone = draft()
    editorial.take_down([gone.pk], reason="侵权")
    ready = draft()

    result = editorial.publish_now([empty.pk, gone.pk, ready.pk], user=user)

    assert (result.published, result.empty, result.taken_down) == (
        [ready.pk],
        [empty.pk],
        [gone.pk],
    )
    assert set(Article.objects.filter(status="published")) == {ready}
    assert not EditorialLog.objects.filter(action="publish", article__in=[empty, gone]).exists()


def test_publish_now_refuses_an_article_whose_licence_forbids_it(user):
    article = draft(source=expired_outlet())

    result = editorial.publish_now([article.pk], user=user)

    article.refresh_from_db()
    assert result.unlicensed == [article.pk] and result.published == []
    assert article.status == Article.Status.DRAFT
    assert not Licence.objects.filter(article=article).exists()
    assert not EditorialLog.objects.filter(action__in=["publish", "licence-override"]).exists()


def test_publish_now_refuses_an_unlicensed_outlet_when_a_licence_is_required(user, settings):
    settings.NEWSROOM_REQUIRE_LICENCE = True
    article = draft(source=make_source())
    assert editorial.publish_now([article.pk], user=user).unlicensed == [article.pk]


def test_publish_now_with_override_reason_gives_the_article_its_own_licence(user):
    article = draft(source=expired_outlet())

    result = editorial.publish_now([article.pk], user=user, override_reason="已获书面续约")

    article.refresh_from_db()
    assert result.published == [article.pk] and result.unlicensed == []
    licence = Licence.objects.get(article=article)
    assert licence.basis == Licence.Basis.OTHER
    assert licence.expires_on is None and licence.revoked_at is None
    assert licence.note == "已获书面续约" and "已获书面续约" in licence.reference
    assert licence.granted_by == "wang"
    override = EditorialLog.objects.get(action="licence-override")
    assert (override.article, override.reason, override.user) == (article, "已获书面续约", user)
    assert EditorialLog.objects.filter(action="publish", article=article).exists()
    assert article.is_public  # its own licence overrides the outlet's expired one


def test_override_reason_leaves_licensed_articles_alone(user):
    article = draft(source=make_source())
    editorial.publish_now([article.pk], user=user, override_reason="以防万一")
    assert not Licence.objects.filter(article=article).exists()
    assert not EditorialLog.objects.filter(action="licence-override").exists()


def test_schedule_publishes_at_the_time_without_a_job(user):
    article = draft()
    empty = draft(body="")
    when = NOW + timedelta(hours=3)

    result = editorial.schedule([article.pk, empty.pk], when, user=user)

    article.refresh_from_db()
    assert (result.published, result.empty) == ([article.pk], [empty.pk])
    assert (article.status, article.published_at) == (Article.Status.PUBLISHED, when)
    assert article.responsible_editor == "王编辑"
    assert article.state == "scheduled" and not article.is_public
    assert article in Article.objects.published(now=when)
    entry = EditorialLog.objects.get(action="schedule")
    assert entry.article == article and entry.data == {"published_at": when.isoformat()}
    assert Article.objects.get(pk=empty.pk).status == Article.Status.DRAFT


def test_schedule_leaves_a_taken_down_article_alone(user):
    gone = draft()
    editorial.take_down([gone.pk], reason="律师函")

    result = editorial.schedule([gone.pk], NOW + timedelta(hours=3), user=user)

    assert (result.published, result.taken_down) == ([], [gone.pk])
    assert Article.objects.get(pk=gone.pk).status == Article.Status.DRAFT


def test_unpublish_makes_drafts_and_counts_only_published(user):
    published = make_article()
    already = draft()

    assert editorial.unpublish([published.pk, already.pk], user=user) == 1

    published.refresh_from_db()
    assert published.status == Article.Status.DRAFT and not published.is_public
    assert [e.article for e in EditorialLog.objects.filter(action="unpublish")] == [published]


# Takedown --------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_take_down_needs_a_reason(reason):
    article = make_article()
    with pytest.raises(EditorialError, match="原因"):
        editorial.take_down([article.pk], reason=reason)
    article.refresh_from_db()
    assert article.taken_down_at is None and article.is_public
    assert not Takedown.objects.exists() and not EditorialLog.objects.exists()


def test_take_down_records_it_and_withdraws_everywhere(user):
    article = make_article()
    other = make_article()

    done = editorial.take_down(
        [article.pk], reason="  原发媒体要求撤稿  ", requested_by="版权部", user=user
    )

    article.refresh_from_db()
    (takedown,) = done
    assert takedown == Takedown.objects.get()
    assert (takedown.article, takedown.reason, takedown.requested_by) == (
        article,
        "原发媒体要求撤稿",
        "版权部",
    )
    assert (takedown.taken_down_by, takedown.actor) == (user, "wang")
    assert takedown.taken_down_at == NOW and takedown.restored_at is None
    assert article.taken_down_at == NOW and article.state == "taken-down"
    assert set(Article.objects.published()) == {other}
    entry = EditorialLog.objects.get(action="takedown")
    assert (entry.article, entry.reason, entry.data) == (
        article,
        "原发媒体要求撤稿",
        {"requested_by": "版权部"},
    )


def test_take_down_skips_articles_already_taken_down():
    article = make_article()
    editorial.take_down([article.pk], reason="第一次")
    first = Article.objects.get(pk=article.pk).taken_down_at

    later = NOW + timedelta(hours=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert editorial.take_down([article.pk], reason="第二次") == []

    assert Takedown.objects.get().reason == "第一次"
    assert Article.objects.get(pk=article.pk).taken_down_at == first
    assert EditorialLog.objects.filter(action="takedown").count() == 1


def test_take_down_withdraws_the_media_only_that_article_shows():
    own_image = "/media/images/aa/only-mine.jpg"
    shared = "/media/images/bb/shared.jpg"
    header = "/media/images/cc/head-960w.jpg"
    article = make_article(
        body=f'<p>正文</p><img src="{own_image}"><img src="{shared}">'
        '<img src="https://img.example.com/remote.jpg">',
        header_image="https://img.example.com/head.jpg",
    )
    Article.objects.filter(pk=article.pk).update(
        local_pictures={"header": {"remote": "https://img.example.com/head.jpg", "src": header}}
    )
    make_article(body=f'<p>别的文章</p><img src="{shared}">')

    (takedown,) = editorial.take_down([article.pk], reason="侵权")

    names = set(WithdrawnMedia.objects.filter(takedown=takedown).values_list("name", flat=True))
    assert names == {"images/aa/only-mine.jpg", "images/cc/head-960w.jpg"}
    assert editorial.is_withdrawn_media("images/aa/only-mine.jpg")
    assert not editorial.is_withdrawn_media("images/bb/shared.jpg")


def test_take_down_keeps_a_localized_header_another_article_shows():
    # Local images are content-addressed: two articles with the same header image share
    # its files, and the other article's page still shows them.
    remote = "https://img.example.com/same-header.jpg"
    header = {"header": {"remote": remote, "src": "/media/images/dd/header-480w.jpg"}}
    article = make_article(header_image=remote)
    other = make_article(header_image=remote)
    Article.objects.filter(pk__in=[article.pk, other.pk]).update(local_pictures=header)

    editorial.take_down([article.pk], reason="侵权")

    assert not editorial.is_withdrawn_media("images/dd/header-480w.jpg"), (
        "a header image file still shown by another standing article was withdrawn"
    )


def test_restore_brings_it_back_logged(user):
    article = make_article(body='<p>正文</p><img src="/media/images/ee/photo.jpg">')
    editorial.take_down([article.pk], reason="误撤", requested_by="法务")
    assert editorial.is_withdrawn_media("images/ee/photo.jpg")

    later = NOW + timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        takedown = editorial.restore(article.pk, reason="核实后恢复", user=user)

    article.refresh_from_db()
    assert article.taken_down_at is None and article.is_public
    assert (takedown.restored_at, takedown.restored_by, takedown.restore_reason) == (
        later,
        "wang",
        "核实后恢复",
    )
    assert not editorial.is_withdrawn_media("images/ee/photo.jpg")
    entry = EditorialLog.objects.get(action="restore")
    assert (entry.article, entry.reason, entry.user) == (article, "核实后恢复", user)
    # Taken down again later: a new record, the old one stays closed.
    editorial.take_down([article.pk], reason="再次撤稿")
    assert Takedown.objects.filter(article=article).count() == 2
    assert Takedown.objects.filter(article=article, restored_at__isnull=True).count() == 1


def test_restore_of_an_article_not_taken_down_is_refused():
    article = make_article()
    with pytest.raises(EditorialError, match=str(article.pk)):
        editorial.restore(article.pk)
    assert not EditorialLog.objects.filter(action="restore").exists()


def test_restore_does_not_republish_a_draft():
    article = draft()
    editorial.take_down([article.pk], reason="侵权")
    editorial.restore(article.pk)
    article.refresh_from_db()
    assert article.state == "draft" and not article.is_public


# Licences --------------------------------------------------------------------------------


def test_set_licence_creates_and_changes_with_history(user):
    source = make_source("IT之家")
    article = make_article(source=source)

    licence = editorial.set_licence(
        source, user=user, reason="签约", basis=Licence.Basis.EXCLUSIVE, expires_on=TODAY
    )
    assert (licence.source, licence.basis, licence.expires_on) == (
        source,
        Licence.Basis.EXCLUSIVE,
        TODAY,
    )
    assert not Article.objects.get(pk=article.pk).is_public  # expires today: withdrawn

    later = NOW + timedelta(minutes=5)
    with mock.patch("django.utils.timezone.now", return_value=later):
        renewed = editorial.set_licence(
            source, actor="manage.py", expires_on=TODAY + timedelta(days=365)
        )
    assert renewed.pk == licence.pk and Licence.objects.count() == 1
    assert Article.objects.get(pk=article.pk).is_public

    newest, first = editorial.licence_history(renewed)
    assert newest.data["changed"] == ["expires_on"]
    assert newest.data["expires_on"] == (TODAY + timedelta(days=365)).isoformat()
    assert newest.actor == "manage.py" and newest.source == source
    assert set(first.data["changed"]) >= {"basis", "expires_on", "is_ai_training_allowed"}
    assert (first.user, first.reason, first.data["basis"]) == (user, "签约", "exclusive")


def test_set_licence_on_an_article_is_its_own_history():
    source = make_source()
    editorial.set_licence(source, expires_on=None)
    article = make_article(source=source)
    licence = editorial.set_licence(article, is_ai_training_allowed=True)
    assert licence.article == article and licence.source is None
    assert [e.article for e in editorial.licence_history(licence)] == [article]
    assert article.effective_licence == licence


def test_set_licence_refuses_unknown_fields():
    source = make_source()
    with pytest.raises(EditorialError, match="expiry"):
        editorial.set_licence(source, expiry=TODAY)
    assert not Licence.objects.exists() and not EditorialLog.objects.exists()


def test_delete_licence_leaves_the_outlet_unregistered(user):
    source = make_source()
    article = make_article(source=source)
    licence = editorial.set_licence(source, expires_on=TODAY)
    assert not article.is_public

    editorial.delete_licence(licence, user=user)

    assert not Licence.objects.exists()
    assert Article.objects.get(pk=article.pk).is_public  # no licence on file: public
    entry = EditorialLog.objects.filter(action="licence").first()
    assert (entry.source, entry.data["changed"], entry.user) == (source, ["deleted"], user)


# The content version and the purge hook --------------------------------------------------


def _operations():
    """(name, prepare, run): each run is one editorial operation on what prepare made."""
    return [
        ("publish_now", lambda: draft(), lambda a: editorial.publish_now([a.pk], editor="王")),
        (
            "schedule",
            lambda: draft(),
            lambda a: editorial.schedule([a.pk], NOW + timedelta(days=1)),
        ),
        ("unpublish", lambda: make_article(), lambda a: editorial.unpublish([a.pk])),
        ("take_down", lambda: make_article(), lambda a: editorial.take_down([a.pk], reason="撤")),
        (
            "restore",
            lambda: _taken_down(make_article()),
            lambda a: editorial.restore(a.pk, reason="恢复"),
        ),
        (
            "set_licence",
            lambda: make_article(source=make_source()),
            lambda a: editorial.set_licence(a.attribution.source, expires_on=TODAY),
        ),
        (
            "set_article_licence",
            lambda: make_article(source=make_source()),
            lambda a: editorial.set_licence(a, expires_on=TODAY),
        ),
        (
            "delete_licence",
            lambda: _with_licence(make_article(source=make_source())),
            lambda a: editorial.delete_licence(a.attribution.source.licence),
        ),
    ]


def _taken_down(article):
    editorial.take_down([article.pk], reason="撤")
    return article


def _with_licence(article):
    editorial.set_licence(article.attribution.source, expires_on=TODAY)
    return article


OPERATIONS = {name: (prepare, run) for name, prepare, run in _operations()}


@pytest.mark.parametrize("name", OPERATIONS)
def test_each_operation_makes_a_new_content_version(name):
    prepare, run = OPERATIONS[name]
    article = prepare()
    before = version()
    run(article)
    assert version() != before


@pytest.mark.parametrize("name", OPERATIONS)
def test_each_operation_hands_its_urls_to_the_purge_hook(
    name, purge_hook, django_capture_on_commit_callbacks
):
    prepare, run = OPERATIONS[name]
    article = prepare()
    purge_hook.clear()

    with django_capture_on_commit_callbacks(execute=True):
        run(article)

    assert len(purge_hook) == 1, f"{name} called the purge hook {len(purge_hook)} times"
    (urls,) = purge_hook
    assert urls == sorted(set(urls))
    assert article_urls(article) <= set(urls), f"{name} did not purge the article's URLs"
    assert set(urls) >= SITE_URLS


def test_purge_hook_runs_only_after_commit(purge_hook, django_capture_on_commit_callbacks):
    article = draft()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        editorial.publish_now([article.pk], editor="王")
    assert purge_hook == [] and len(callbacks) >= 1
    for callback in callbacks:
        callback()
    assert article_urls(article) <= set(purge_hook[0])


def test_licence_change_purges_every_article_of_the_outlet(
    purge_hook, django_capture_on_commit_callbacks
):
    source = make_source()
    articles = [make_article(source=source) for _ in range(3)]
    elsewhere = make_article(source=make_source())

    with django_capture_on_commit_callbacks(execute=True):
        editorial.set_licence(source, revoked_at=timezone.now())

    (urls,) = purge_hook
    for article in articles:
        assert article_urls(article) <= set(urls)
    assert not article_urls(elsewhere) & set(urls)


def test_no_purge_hook_configured_is_fine(settings, django_capture_on_commit_callbacks):
    settings.NEWSROOM_PURGE_HOOK = ""
    article = draft()
    with django_capture_on_commit_callbacks(execute=True):
        editorial.publish_now([article.pk], editor="王")
    assert Article.objects.get(pk=article.pk).is_public


def test_save_category_rebuilds_the_tree_below_it_outside_the_admin(db):
    from articles.models import Category

    root = Category.objects.create(name="科技", slug="ke-ji")
    child = Category.objects.create(name="人工智能", slug="ai", parent=root)
    leaf = Category.objects.create(name="大模型", slug="llm", parent=child)
    before = content_state()
    root.name, root.slug = "科学技术", "science"
    assert editorial.save_category(root, {"name", "slug"}) == 2
    leaf.refresh_from_db()
    assert leaf.path == "science/ai/llm"
    assert leaf.name_path == ["科学技术", "人工智能", "大模型"]
    assert content_state() != before
    assert EditorialLog.objects.filter(action="category").count() == 1


def test_save_category_leaves_the_tree_alone_when_nothing_it_stores_changed(db):
    from articles.models import Category

    root = Category.objects.create(name="科技", slug="ke-ji")
    Category.objects.create(name="人工智能", slug="ai", parent=root)
    assert editorial.save_category(root, {"description"}) == 0
