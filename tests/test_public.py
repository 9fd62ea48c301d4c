"""The one public rule (``articles.models.public``): each cause of not being public, alone and
combined, as ``Article.objects.published()``, ``public_q``, ``with_visibility()``,
``is_public`` and ``state`` see it."""

from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from articles.models import Article, Licence, Mention
from articles.models.public import public_q
from tests.factories import make_article, make_entity, make_source

pytestmark = pytest.mark.django_db

# Noon in the site's zone: "today" and "tomorrow" are far from midnight.
NOW = datetime(2024, 6, 15, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def frozen_clock():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield


def outlet(**licence) -> dict:
    """A source with a licence made of ``licence`` (None: no licence on file)."""
    source = make_source()
    if licence.pop("none", False):
        return {"source": source}
    Licence.objects.create(source=source, **licence)
    return {"source": source}


def own(article, **licence) -> Article:
    Licence.objects.create(article=article, **licence)
    return article


def taken_down(article) -> Article:
    Article.objects.filter(pk=article.pk).update(taken_down_at=NOW - timedelta(hours=1))
    article.refresh_from_db()
    return article


# name: (build, public, state, (is_released_now, is_standing_now, is_licensed_now))
CASES = {
    "published": (lambda: make_article(), True, "published", (True, True, True)),
    "draft": (lambda: make_article(published=False), False, "draft", (False, True, True)),
    "scheduled": (
        lambda: make_article(published_at=NOW + timedelta(minutes=1)),
        False,
        "scheduled",
        (False, True, True),
    ),
    "published-a-second-ago": (
        lambda: make_article(published_at=NOW - timedelta(seconds=1)),
        True,
        "published",
        (True, True, True),
    ),
    "taken-down": (lambda: taken_down(make_article()), False, "taken-down", (True, False, True)),
    "embargo-future": (
        lambda: make_article(embargo_until=NOW + timedelta(minutes=1)),
        False,
        "embargoed",
        (True, False, True),
    ),
    "embargo-past": (
        lambda: make_article(embargo_until=NOW - timedelta(minutes=1)),
        True,
        "published",
        (True, True, True),
    ),
    "no-licence": (lambda: make_article(**outlet(none=True)), True, "published", (True,) * 3),
    "no-attribution-source": (lambda: make_article(source=None), True, "published", (True,) * 3),
    "outlet-licence-in-force": (
        lambda: make_article(**outlet(expires_on=None)),
        True,
        "published",
        (True, True, True),
    ),
    "outlet-licence-expires-tomorrow": (
        lambda: make_article(**outlet(expires_on=TODAY + DAY)),
        True,
        "published",
        (True, True, True),
    ),
    "outlet-licence-expires-today": (
        lambda: make_article(**outlet(expires_on=TODAY)),
        False,
        "withdrawn",
        (True, True, False),
    ),
    "outlet-licence-expired-yesterday": (
        lambda: make_article(**outlet(expires_on=TODAY - DAY)),
        False,
        "withdrawn",
        (True, True, False),
    ),
    "outlet-licence-revoked": (
        lambda: make_article(**outlet(expires_on=TODAY + 100 * DAY, revoked_at=NOW - DAY)),
        False,
        "withdrawn",
        (True, True, False),
    ),
    "own-licence-expires-today": (
        lambda: own(make_article(), expires_on=TODAY),
        False,
        "withdrawn",
        (True, True, False),
    ),
    "own-licence-expires-tomorrow": (
        lambda: own(make_article(), expires_on=TODAY + DAY),
        True,
        "published",
        (True, True, True),
    ),
    "own-licence-in-force-overrides-expired-outlet": (
        lambda: own(make_article(**outlet(expires_on=TODAY - DAY)), expires_on=None),
        True,
        "published",
        (True, True, True),
    ),
    "own-licence-expired-overrides-in-force-outlet": (
        lambda: own(make_article(**outlet(expires_on=None)), expires_on=TODAY),
        False,
        "withdrawn",
        (True, True, False),
    ),
    "own-licence-revoked-overrides-in-force-outlet": (
        lambda: own(make_article(**outlet(expires_on=None)), revoked_at=NOW - DAY),
        False,
        "withdrawn",
        (True, True, False),
    ),
    # Combined causes: the state names the one an editor must deal with first.
    "draft-and-expired": (
        lambda: make_article(published=False, **outlet(expires_on=TODAY)),
        False,
        "draft",
        (False, True, False),
    ),
    "taken-down-with-licence-in-force": (
        lambda: taken_down(make_article(**outlet(expires_on=None))),
        False,
        "taken-down",
        (True, False, True),
    ),
    "taken-down-draft": (
        lambda: taken_down(make_article(published=False)),
        False,
        "taken-down",
        (False, False, True),
    ),
    "scheduled-and-embargoed": (
        lambda: make_article(
            published_at=NOW + timedelta(hours=1), embargo_until=NOW + timedelta(hours=2)
        ),
        False,
        "scheduled",
        (False, False, True),
    ),
    "embargoed-and-expired": (
        lambda: make_article(embargo_until=NOW + DAY, **outlet(expires_on=TODAY)),
        False,
        "embargoed",
        (True, False, False),
    ),
    "embargo-past-and-expired": (
        lambda: make_article(embargo_until=NOW - DAY, **outlet(expires_on=TODAY)),
        False,
        "withdrawn",
        (True, True, False),
    ),
    "embargo-past-and-in-force": (
        lambda: make_article(embargo_until=NOW - DAY, **outlet(expires_on=TODAY + DAY)),
        True,
        "published",
        (True, True, True),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_published_applies_each_cause(name):
    build, public, _, _ = CASES[name]
    article = build()
    make_article()  # another public article: the rule must not hide or show everything

    assert (article in Article.objects.published()) is public
    assert Article.objects.filter(public_q(), pk=article.pk).exists() is public
    assert (article in Article.objects.not_published()) is not public
    assert Article.objects.get(pk=article.pk).is_public is public


@pytest.mark.parametrize("name", CASES)
def test_with_visibility_flags_and_state(name):
    build, public, state, (released, standing, licensed) = CASES[name]
    article = build()

    annotated = Article.objects.with_visibility().get(pk=article.pk)
    assert (
        annotated.is_public_now,
        annotated.is_released_now,
        annotated.is_standing_now,
        annotated.is_licensed_now,
    ) == (public, released, standing, licensed)
    assert annotated.is_public is public
    assert annotated.state == state
    assert Article.objects.get(pk=article.pk).state == state  # unannotated: same answer


def test_with_visibility_keeps_every_row():
    # The licence joins are outer joins: an article without a licence (or an outlet) is kept.
    ids = {build().pk for build, *_ in CASES.values()}
    assert set(Article.objects.with_visibility().values_list("pk", flat=True)) == ids
    public = {a.pk for a in Article.objects.with_visibility() if a.is_public_now}
    assert public == set(Article.objects.published().values_list("pk", flat=True))


def test_published_lists_each_article_once():
    source = outlet(expires_on=None)
    articles = [own(make_article(**source), expires_on=None), make_article(**source)]
    assert sorted(Article.objects.published().values_list("pk", flat=True)) == sorted(
        a.pk for a in articles
    )


def test_require_licence_setting_withdraws_unlicensed(settings):
    settings.NEWSROOM_REQUIRE_LICENCE = True
    unlicensed = make_article(**outlet(none=True))
    no_source = make_article(source=None)
    licensed = make_article(**outlet(expires_on=None))
    own_only = own(make_article(source=None), expires_on=None)
    expired = make_article(**outlet(expires_on=TODAY))

    public = set(Article.objects.published())
    assert public == {licensed, own_only}
    assert not unlicensed.is_public and not no_source.is_public
    by_pk = {a.pk: a for a in Article.objects.with_visibility()}
    assert by_pk[unlicensed.pk].state == "withdrawn"
    assert not by_pk[unlicensed.pk].is_licensed_now
    assert by_pk[expired.pk].state == "withdrawn"

    settings.NEWSROOM_REQUIRE_LICENCE = False
    assert set(Article.objects.published()) == {unlicensed, no_source, licensed, own_only}


def test_the_rule_reads_the_clock():
    scheduled = make_article(published_at=NOW + timedelta(hours=2))
    embargoed = make_article(embargo_until=NOW + timedelta(hours=3))
    expiring = make_article(**outlet(expires_on=TODAY + DAY))

    assert set(Article.objects.published()) == {expiring}
    later = NOW + timedelta(hours=4)
    assert set(Article.objects.published(now=later)) == {scheduled, embargoed, expiring}
    # The licence holds until midnight (site time) of its expiry day, and not a second more.
    midnight = datetime.combine(TODAY + DAY, datetime.min.time(), NOW.tzinfo)
    assert expiring in Article.objects.published(now=midnight - timedelta(seconds=1))
    assert expiring not in Article.objects.published(now=midnight)
    with mock.patch("django.utils.timezone.now", return_value=midnight):
        assert not expiring.is_public
        assert Article.objects.get(pk=expiring.pk).state == "withdrawn"
        assert set(Article.objects.published()) == {scheduled, embargoed}


def test_public_q_through_a_relation():
    entity = make_entity()
    public = make_article(entities=(entity,))
    expired = make_article(entities=(entity,), **outlet(expires_on=TODAY))
    draft = make_article(entities=(entity,), published=False)
    own(draft, expires_on=None)

    mentions = Mention.objects.filter(public_q(prefix="article__"))
    assert {m.article_id for m in mentions} == {public.pk}
    assert {m.article_id for m in Mention.objects.exclude(public_q(prefix="article__"))} == {
        expired.pk,
        draft.pk,
    }


def test_public_q_default_now_is_this_moment():
    article = make_article(published_at=NOW + timedelta(minutes=5))
    assert not Article.objects.filter(public_q()).exists()
    assert Article.objects.filter(public_q(NOW + timedelta(minutes=5))).get() == article
    with mock.patch("django.utils.timezone.now", return_value=NOW + timedelta(minutes=5)):
        assert Article.objects.filter(public_q()).get() == article
