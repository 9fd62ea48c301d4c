"""The models package (``articles.models``): derived fields, properties, querysets and the
constraints the database enforces. The public rule itself is in ``tests/test_public.py``."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import (
    CREDIT_ORDER,
    Article,
    Attribution,
    Author,
    Category,
    EditorProfile,
    Entity,
    IndexingPolicy,
    Licence,
    LocalImage,
    Mention,
    Source,
    Takedown,
)
from articles.models.images import current_picture
from articles.models.rights import LICENCE_STATUS_LABELS
from articles.slugs import make_slug
from tests.factories import make_article, make_author, make_category, make_entity, make_source


def picture(remote: str, src: str = "/media/images/ab/x-480w.jpg") -> dict:
    return {"remote": remote, "src": src, "srcset": f"{src} 480w", "width": 480, "height": 320}


def refused(create) -> bool:
    """Whether the database refuses what ``create`` writes (in a savepoint, for PostgreSQL)."""
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


# Articles (``articles.models.content``).


@pytest.mark.parametrize(
    "title",
    ["重磅，淘宝将打通微信支付", "“”、。！", "iOS 16内置「机器人」", "😀😀", "Ａｐｐｌｅ 发布会"],
)
def test_chinese_titles_give_readable_ascii_slugs(db, title):
    slug = make_article(title).slug
    assert slug and slug.isascii() and "%" not in slug
    assert slug == make_slug(title, fallback="article")


@pytest.mark.django_db
def test_article_save_keeps_a_given_slug_and_the_url_follows_it():
    article = make_article("淘宝将打通微信支付", slug="taobao-wechat")
    assert article.slug == "taobao-wechat"
    assert str(article) == "淘宝将打通微信支付"
    assert article.get_absolute_url() == f"/a/{article.pk}/taobao-wechat/"
    article.title = "标题改了"
    article.save()
    assert article.slug == "taobao-wechat"  # a later title change keeps the link


@pytest.mark.django_db
def test_article_published_needs_a_date():
    assert refused(lambda: Article.objects.create(title="无日期", status=Article.Status.PUBLISHED))
    draft = Article.objects.create(title="草稿无日期", status=Article.Status.DRAFT)
    assert draft.published_at is None and draft.status == Article.Status.DRAFT


@pytest.mark.django_db
def test_article_default_order_is_newest_first_then_highest_id():
    when = timezone.now() - timedelta(hours=1)
    older = make_article(published_at=when - timedelta(days=1))
    tied_first = make_article(published_at=when)
    tied_second = make_article(published_at=when)
    assert list(Article.objects.all()) == [tied_second, tied_first, older]


@pytest.mark.django_db
def test_for_lists_defers_bodies_and_reads_relations_in_two_queries(django_assert_num_queries):
    category = make_category("新媒体", "36kr")
    made = [
        make_article(
            category=category, author=make_author(), source=make_source(), tags=("支付", f"标签{n}")
        )
        for n in range(4)
    ]
    expected = {
        a.pk: (a.author.name, "36kr", a.attribution.source.name, {"支付", f"标签{n}"})
        for n, a in enumerate(made)
    }
    with django_assert_num_queries(2):  # the articles with their relations, then the tags
        rows = list(Article.objects.for_lists())
        seen = {
            a.pk: (
                a.author.name,
                a.category.name,
                a.attribution.source.name,
                {t.name for t in a.tags.all()},
            )
            for a in rows
        }
    assert seen == expected
    for row in rows:
        assert {"raw", "body", "body_html", "warnings"} <= row.get_deferred_fields()


@pytest.mark.django_db
def test_effective_licence_is_its_own_else_its_outlets_else_none():
    outlet = make_source()
    outlet_licence = Licence.objects.create(source=outlet)
    covered = make_article(source=outlet)
    own = make_article(source=outlet)
    own_licence = Licence.objects.create(article=own, basis=Licence.Basis.EXCLUSIVE)

    assert Article.objects.get(pk=covered.pk).effective_licence == outlet_licence
    assert Article.objects.get(pk=own.pk).effective_licence == own_licence
    assert make_article(source=make_source()).effective_licence is None  # outlet unregistered
    assert make_article(source=None).effective_licence is None  # no outlet
    bare = Article.objects.create(title="无署名", status=Article.Status.DRAFT)
    assert bare.effective_licence is None  # no attribution at all
    assert Article(title="未保存").effective_licence is None


def test_header_and_thumbnail_pictures_follow_the_current_urls():
    header, thumb = "https://img.example.com/h.jpg", "https://img.example.com/t.jpg"
    pictures = {"header": picture(header, "/media/h.jpg"), "thumbnail": picture(thumb, "/m/t.jpg")}
    article = Article(header_image=header, thumbnail=thumb, local_pictures=pictures)
    assert article.header_picture["src"] == "/media/h.jpg"
    assert article.thumbnail_picture["src"] == "/m/t.jpg"

    article.thumbnail = ""  # no thumbnail of its own: the header stands in
    assert article.thumbnail_picture == article.header_picture
    article.header_image = "https://img.example.com/other.jpg"  # an editor changed it
    assert article.header_picture is None and article.thumbnail_picture is None


# Credit (``Attribution``).


@pytest.mark.parametrize(
    ("roles", "credits"),
    [
        ({}, []),
        ({"作者": ["郑玥"]}, [("作者", ["郑玥"])]),
        (
            {"编辑": ["乙"], "摄影": ["丙"], "作者": ["甲"], "审校": ["丁"], "美术": ["戊"]},
            [
                ("作者", ["甲"]),
                ("编辑", ["乙"]),
                ("审校", ["丁"]),
                ("摄影", ["丙"]),
                ("美术", ["戊"]),
            ],
        ),
        ({"译者": ["A"], "记者": ["B"], "作者": []}, [("记者", ["B"]), ("译者", ["A"])]),
    ],
)
def test_attribution_credits_in_reading_order_without_empty_roles(roles, credits):
    # Known roles in CREDIT_ORDER, then unknown ones by name; a role with no names is dropped.
    assert Attribution(roles=roles).credits == credits


def test_attribution_credits_order_does_not_depend_on_key_order():
    roles = {role: [role + "某"] for role in CREDIT_ORDER}
    backwards = dict(reversed(list(roles.items())))
    assert [role for role, _ in Attribution(roles=backwards).credits] == list(CREDIT_ORDER)


def test_attribution_authors_are_the_author_role():
    assert Attribution(roles={"作者": ["甲", "乙"], "编辑": ["丙"]}).authors == ["甲", "乙"]
    assert Attribution(roles={"编辑": ["丙"]}).authors == []


@pytest.mark.django_db
def test_attribution_effective_policy_is_its_own_else_the_outlets_else_news_noindex():
    outlet = make_source(indexing_policy=IndexingPolicy.SELF)
    article = make_article(source=outlet)
    attribution = Attribution.objects.get(pk=article.pk)
    assert attribution.effective_policy == IndexingPolicy.SELF
    attribution.indexing_policy = IndexingPolicy.NOINDEX
    assert attribution.effective_policy == IndexingPolicy.NOINDEX
    assert Attribution().effective_policy == IndexingPolicy.NEWS_NOINDEX
    assert str(attribution) == f"{outlet.name}: {article.pk}"
    assert str(Attribution(article_id=7)) == "—: 7"


# Categories, authors, outlets (``articles.models.taxonomy``).


@pytest.mark.django_db
def test_category_path_names_and_str_come_from_its_ancestors():
    leaf = make_category("新媒体", "36kr", "资讯")
    assert (leaf.parent.parent.path, leaf.parent.path) == ("xin-mei-ti", "xin-mei-ti/36kr")
    assert leaf.path == "xin-mei-ti/36kr/zi-xun"
    assert leaf.name_path == ["新媒体", "36kr", "资讯"]
    assert str(leaf) == "新媒体 › 36kr › 资讯"
    assert leaf.get_absolute_url() == "/category/xin-mei-ti/36kr/zi-xun/"


@pytest.mark.django_db
def test_category_save_keeps_a_given_slug_and_moves_under_a_new_parent():
    root = make_category("科技")
    other = make_category("新媒体")
    child = Category.objects.create(name="人工智能", slug="ai", parent=root)
    assert child.path == "ke-ji/ai"
    child.parent = other
    child.save()
    assert (child.path, child.name_path) == ("xin-mei-ti/ai", ["新媒体", "人工智能"])


@pytest.mark.django_db
def test_category_breadcrumbs_run_from_the_root_without_queries(django_assert_num_queries):
    leaf = Category.objects.get(pk=make_category("新媒体", "36kr", "资讯").pk)
    with django_assert_num_queries(0):
        crumbs = leaf.breadcrumbs
    assert crumbs == [
        ("新媒体", "/category/xin-mei-ti/"),
        ("36kr", "/category/xin-mei-ti/36kr/"),
        ("资讯", "/category/xin-mei-ti/36kr/zi-xun/"),
    ]
    assert make_category("科技").breadcrumbs == [("科技", "/category/ke-ji/")]


@pytest.mark.django_db
def test_category_names_are_unique_among_siblings_and_roots():
    root = make_category("新媒体")
    make_category("新媒体", "36kr")
    assert refused(lambda: Category.objects.create(name="新媒体", slug="again"))
    assert refused(lambda: Category.objects.create(name="36kr", slug="again", parent=root))
    # The same name under another parent is another category.
    assert make_category("科技", "36kr").path == "ke-ji/36kr"


@pytest.mark.django_db
def test_category_order_puts_parents_before_their_children():
    make_category("新媒体", "36kr", "资讯")
    make_category("新媒体", "36kr", "快讯")
    make_category("科技", "芯片")
    paths = [c.path for c in Category.objects.all()]
    assert len(paths) == 6
    for i, path in enumerate(paths):
        parent = path.rpartition("/")[0]
        assert not parent or parent in paths[:i]


@pytest.mark.django_db
def test_author_slug_str_and_url():
    author = make_author("三十六氪")
    assert (author.slug, str(author)) == ("san-shi-liu-ke", "三十六氪")
    assert author.get_absolute_url() == "/author/san-shi-liu-ke/"
    assert Author.objects.create(name="🎉", slug="").slug == "author"  # nothing to spell


def test_author_avatar_picture_follows_the_avatar():
    author = Author(name="36kr", local_pictures={"avatar": picture("authors/36kr.png")})
    assert author.avatar_picture is None  # no avatar
    author.avatar = "authors/36kr.png"
    assert author.avatar_picture["src"] == "/media/images/ab/x-480w.jpg"
    author.avatar = "authors/new.png"
    assert author.avatar_picture is None


@pytest.mark.django_db
def test_source_slug_str_url_and_one_name_per_channel():
    source = make_source("IT之家", channel=Source.Channel.WECHAT)
    assert (source.slug, str(source)) == ("it-zhi-jia", "IT之家")
    assert source.get_absolute_url() == "/source/it-zhi-jia/"
    assert source.indexing_policy == IndexingPolicy.NEWS_NOINDEX  # verbatim copies: no Google News
    assert refused(lambda: make_source("IT之家", channel=Source.Channel.WECHAT, slug="other"))
    website = make_source("IT之家", channel=Source.Channel.WEBSITE, slug="ithome-web")
    assert website.slug == "ithome-web"


# Entities and mentions (``articles.models.entities``).


@pytest.mark.parametrize(
    ("name", "provider_id", "slug"),
    [
        ("淘宝", "1234", "tao-bao-1234"),
        ("Apple", "ab_C-9", "apple-ab_C-9"),
        ("🎉", "77", "entity-77"),
    ],
)
def test_entity_default_slug_is_the_name_and_a_safe_provider_id(name, provider_id, slug):
    assert Entity.default_slug(name, provider_id) == slug


@pytest.mark.parametrize("provider_id", ["name:得到", "a/b", 'x"><script>', "../..", "x" * 65])
def test_entity_default_slug_spells_an_unsafe_provider_id_in_slug_characters(provider_id):
    slug = Entity.default_slug("得到", provider_id)
    validate_slug(slug)  # raises on anything but letters, digits, "-" and "_"
    assert slug.startswith("de-dao-") and len(slug) <= 200


def test_entity_default_slug_keeps_unsafe_ids_apart():
    # "a/b" and "a?b" spell the same slug characters: the hash tells them apart.
    assert Entity.default_slug("得到", "a/b") != Entity.default_slug("得到", "a?b")


@pytest.mark.django_db
def test_entity_save_slug_str_and_url():
    entity = make_entity("淘宝", provider_id="9527")
    assert (entity.slug, str(entity)) == ("tao-bao-9527", "淘宝")
    assert entity.get_absolute_url() == "/entity/tao-bao-9527/"
    hostile = make_entity("得到", provider_id="name:得到")
    assert Entity.objects.get(slug=hostile.slug) == hostile  # reachable by its own URL
    assert hostile.get_absolute_url() == f"/entity/{hostile.slug}/"


@pytest.mark.django_db
def test_entity_canonical_leaves_out_merged_ones_until_their_target_is_deleted():
    target = make_entity("京东")
    alias = make_entity("京东（旧 ID）", merged_into=target)
    other = make_entity("淘宝")
    assert set(Entity.objects.canonical()) == {target, other}
    assert list(target.merged.all()) == [alias]
    target.delete()
    alias.refresh_from_db()
    assert alias.merged_into is None and set(Entity.objects.canonical()) == {alias, other}


def test_entity_logo_picture_follows_the_logo_url():
    logo = "https://img.example.com/logo.png"
    entity = Entity(name="淘宝", logo_url=logo, local_pictures={"logo": picture(logo)})
    assert entity.logo_picture["remote"] == logo
    entity.logo_url = "https://img.example.com/new-logo.png"
    assert entity.logo_picture is None


@pytest.mark.django_db
def test_mention_str_and_one_mention_per_position():
    entity = make_entity("淘宝")
    article = make_article(entities=(entity,))
    assert Mention.objects.get(article=article).verdict == Mention.Verdict.LINKED
    assert refused(
        lambda: Mention.objects.create(article=article, entity=entity, position=0, text="又一次")
    )
    second = Mention.objects.create(article=article, entity=entity, position=1, text="第二处")
    assert str(second) == "第二处 → 淘宝"
    assert [m.position for m in article.mentions.all()] == [0, 1]


# Local images (``articles.models.images``).


@pytest.mark.parametrize(
    ("pictures", "current", "found"),
    [
        ({"logo": picture("https://a/x.png")}, "https://a/x.png", True),
        ({"logo": picture("https://a/x.png")}, "https://a/y.png", False),  # the field changed
        ({"logo": picture("https://a/x.png")}, "", False),  # the field was cleared
        ({"logo": picture("https://a/x.png", src="")}, "https://a/x.png", False),  # no file
        ({"header": picture("https://a/x.png")}, "https://a/x.png", False),  # another slot
        ({}, "https://a/x.png", False),
        (None, "https://a/x.png", False),
    ],
)
def test_current_picture_only_while_it_describes_the_field(pictures, current, found):
    result = current_picture(pictures, "logo", current)
    assert (result == pictures["logo"]) if found else result is None


def test_local_image_str_and_is_ok():
    assert str(LocalImage(remote_url="https://img.example.com/a.jpg")) == (
        "https://img.example.com/a.jpg"
    )
    assert str(LocalImage(file="images/ab/abc.jpg")) == "images/ab/abc.jpg"  # an upload
    assert str(LocalImage(pk=5)) == "LocalImage 5"
    assert not LocalImage().is_ok
    assert LocalImage(status=LocalImage.Status.OK).is_ok
    assert not LocalImage(status=LocalImage.Status.FAILED).is_ok


# Licences and takedowns (``articles.models.rights``).

TODAY = date(2024, 6, 15)
ANY_TIME = datetime(2024, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({}, "in-force"),
        ({"expires_on": TODAY + timedelta(days=31)}, "in-force"),
        ({"expires_on": TODAY + timedelta(days=30)}, "expiring"),
        ({"expires_on": TODAY + timedelta(days=1)}, "expiring"),
        ({"expires_on": TODAY}, "expired"),  # the expiry day is the first day it no longer holds
        ({"expires_on": TODAY - timedelta(days=400)}, "expired"),
        ({"revoked_at": ANY_TIME}, "revoked"),
        ({"revoked_at": ANY_TIME, "expires_on": TODAY - timedelta(days=1)}, "revoked"),
        ({"revoked_at": ANY_TIME, "expires_on": TODAY + timedelta(days=90)}, "revoked"),
    ],
)
def test_licence_status(fields, status):
    licence = Licence(**fields)
    assert licence.status(TODAY) == status
    assert status in LICENCE_STATUS_LABELS


def test_licence_status_defaults_to_today_in_the_site_zone():
    today = timezone.localdate()
    assert Licence(expires_on=today).status() == "expired"
    assert Licence(expires_on=today + timedelta(days=1)).status() == "expiring"


def test_licence_status_labels_name_every_status_and_no_licence():
    assert set(LICENCE_STATUS_LABELS) == {"in-force", "expiring", "expired", "revoked", "none"}
    assert LICENCE_STATUS_LABELS["none"] == "未登记授权"


@pytest.mark.django_db
def test_licence_belongs_to_an_outlet_or_an_article_never_both_or_neither():
    outlet, article = make_source("IT之家"), make_article("单篇授权的文章")
    assert refused(lambda: Licence.objects.create())
    assert refused(lambda: Licence.objects.create(source=outlet, article=article))
    assert str(Licence.objects.create(source=outlet)) == "IT之家：授权转载"
    own = Licence.objects.create(article=article, basis=Licence.Basis.EXCLUSIVE)
    assert str(own) == "单篇授权的文章：独家授权"


@pytest.mark.django_db
def test_takedown_one_open_per_article():
    article = make_article()
    first = Takedown.objects.create(article=article, reason="权利方要求" * 20)
    assert str(first) == f"撤稿 #{article.pk}：{('权利方要求' * 20)[:40]}"
    assert refused(lambda: Takedown.objects.create(article=article, reason="又一次"))
    first.restored_at = timezone.now()
    first.save()
    second = Takedown.objects.create(article=article, reason="再次撤稿")
    assert list(article.takedowns.all()) == [second, first]  # newest first


# Editors (``articles.models.editorial``).


@pytest.mark.django_db
def test_editor_profile_str_is_the_real_name_else_the_user():
    user = get_user_model().objects.create_user("editor1")
    profile = EditorProfile.objects.create(user=user)
    assert str(profile) == "editor1"
    profile.real_name = "王编辑"
    assert str(profile) == "王编辑"
