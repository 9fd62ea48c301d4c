"""The editorial admin through the test client: lists, forms, publishing rights, entities."""

import itertools
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Attribution, Category, EditorialLog, Entity, Mention
from tests.admin_support import (
    EDITOR,
    PUBLISHER,
    admin_settings,  # noqa: F401 (autouse fixture)
    form_data,
    make_staff,
)
from tests.factories import (
    make_article,
    make_author,
    make_category,
    make_entity,
    make_source,
)

pytestmark = pytest.mark.django_db
_seq = itertools.count()


@pytest.fixture
def editor(db):
    return make_staff("editor", EDITOR)


@pytest.fixture
def publisher(db):
    return make_staff("publisher", PUBLISHER)


CHANGELIST = reverse("admin:articles_article_changelist")


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def flag(article, position=0):
    Mention.objects.filter(article=article, position=position).update(
        verdict=Mention.Verdict.FLAGGED, reason="常用词"
    )


def run_action(client, action, articles, **extra):
    data = {"action": action, "_selected_action": [a.pk for a in articles], **extra}
    return client.post(CHANGELIST, data)


# Roles


def test_migration_creates_editor_and_publisher_groups():
    editor_perms = set(
        Group.objects.get(name=EDITOR).permissions.values_list("codename", flat=True)
    )
    publisher_perms = set(
        Group.objects.get(name=PUBLISHER).permissions.values_list("codename", flat=True)
    )
    assert {"add_article", "change_article", "change_mention", "change_entity"} <= editor_perms
    assert "publish_article" not in editor_perms
    assert "delete_article" not in editor_perms
    assert {"publish_article", "delete_article"} <= publisher_perms
    assert editor_perms <= publisher_perms


def test_admin_speaks_chinese(client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in html
    assert "Newsroom 编辑后台" in html and "注销" in html
    assert reverse("admin:articles_article_import") in html and "导入文章" in html


# The article list


@pytest.fixture
def three_states():
    source = make_source("IT之家")
    category = make_category("新媒体", "36kr", "资讯")
    淘宝, 得到 = make_entity("淘宝"), make_entity("得到")
    published = make_article(
        "已经公开的文章", source=source, category=category, entities=(淘宝, 得到)
    )
    flag(published, 1)
    Article.objects.filter(pk=published.pk).update(warnings=["头图是占位图", "日期不明"])
    scheduled = make_article(
        "定时的文章", published_at=timezone.now() + timedelta(days=1), author=make_author("36kr")
    )
    draft = make_article("还是草稿", published=False)
    return published, scheduled, draft


def test_article_changelist_shows_state_source_counts_and_warnings(client, editor, three_states):
    client.force_login(editor)
    response = client.get(CHANGELIST)
    html = response.content.decode()
    assert response.status_code == 200
    for label in ("已发布", "定时", "草稿"):
        assert f">{label}</span>" in html
    assert "IT之家" in html and "新媒体 › 36kr › 资讯" in html
    published = three_states[0]
    row = response.context["cl"].result_list
    counts = {a.title: (a.linked_count, a.flagged_count, len(a.warnings)) for a in row}
    assert counts["已经公开的文章"] == (1, 1, 2)
    assert counts["还是草稿"] == (0, 0, 0)
    flagged_link = f"?article__id__exact={published.pk}&amp;verdict__exact=flagged"
    assert flagged_link in html
    assert "导入文章" in html  # linked from the list too


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("state=draft", {"还是草稿"}),
        ("state=scheduled", {"定时的文章"}),
        ("state=published", {"已经公开的文章"}),
        ("mentions=flagged", {"已经公开的文章"}),
        ("mentions=none", {"定时的文章", "还是草稿"}),
        ("warnings=yes", {"已经公开的文章"}),
        ("warnings=no", {"定时的文章", "还是草稿"}),
        ("q=IT之家", {"已经公开的文章"}),
        ("q=淘宝", {"已经公开的文章"}),
        ("q=36kr", {"定时的文章"}),
        ("q=张三", {"已经公开的文章", "定时的文章", "还是草稿"}),  # original author
    ],
)
def test_article_changelist_filters_and_search(client, editor, three_states, query, titles):
    client.force_login(editor)
    response = client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    assert {a.title for a in response.context["cl"].result_list} == titles


def test_article_changelist_filter_by_source_category_and_date(client, editor, three_states):
    published = three_states[0]
    client.force_login(editor)
    source = published.attribution.source
    by_source = client.get(f"{CHANGELIST}?attribution__source__id__exact={source.pk}")
    by_category = client.get(f"{CHANGELIST}?category__id__exact={published.category_id}")
    year = timezone.localtime(published.published_at).year
    by_year = client.get(f"{CHANGELIST}?published_at__year={year}")
    assert [a.pk for a in by_source.context["cl"].result_list] == [published.pk]
    assert [a.pk for a in by_category.context["cl"].result_list] == [published.pk]
    assert published in by_year.context["cl"].result_list


def test_article_changelist_never_loads_bodies(client, editor, three_states):
    client.force_login(editor)
    with CaptureQueriesContext(connection) as queries:
        client.get(CHANGELIST)
    listing = [q["sql"] for q in queries if '"articles_article"."title"' in q["sql"]]
    assert listing and all('"articles_article"."body"' not in sql for sql in listing)


# Query counts: every changelist is flat in the number of rows


def _articles(n):
    source, category = make_source(), make_category("新媒体", "36kr")
    author, entity = make_author(), make_entity()
    for i in range(n):
        article = make_article(
            source=source, category=category, author=author, entities=(entity,), tags=(f"t{i}",)
        )
        flag(article)


def _entities(n):
    target = make_entity("京东")
    for _ in range(n):
        make_entity(merged_into=target if _ % 3 == 0 else None)
    make_article(entities=tuple(Entity.objects.all()[:5]))


def _mentions(n):
    entities = [make_entity() for _ in range(n)]
    make_article(body="<p>开头。</p>", entities=tuple(entities))
    Mention.objects.update(verdict=Mention.Verdict.FLAGGED)


def _sources(n):
    for _ in range(n):
        make_article(source=make_source())


def _categories(n):
    root = make_category("新媒体")
    for _ in range(n):
        child = Category.objects.create(parent=root, name=f"子分类{next(_seq)}")
        make_article(category=child)


def _authors(n):
    for _ in range(n):
        make_article(author=make_author())


def _tags(n):
    for i in range(n):
        make_article(tags=(f"标签{i}",))


@pytest.mark.parametrize(
    ("url_name", "query", "populate"),
    [
        ("admin:articles_article_changelist", "", _articles),
        ("admin:articles_entity_changelist", "", _entities),
        ("admin:articles_mention_changelist", "?verdict__exact=flagged", _mentions),
        ("admin:articles_source_changelist", "", _sources),
        ("admin:articles_category_changelist", "", _categories),
        ("admin:articles_author_changelist", "", _authors),
        ("admin:taggit_tag_changelist", "", _tags),
    ],
)
def test_changelist_query_count_is_constant(client, publisher, url_name, query, populate):
    client.force_login(publisher)
    url = reverse(url_name) + query

    def measure() -> int:
        client.get(url)  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.context["cl"].result_count

    populate(10)
    few, rows_few = measure()
    populate(90)
    many, rows_many = measure()
    assert rows_many > rows_few >= 10
    assert many == few


# Publishing rights


def test_editor_sees_no_publishing_actions(client, editor, three_states):
    client.force_login(editor)
    form = client.get(CHANGELIST).context["action_form"]
    names = {name for name, _ in form.fields["action"].choices} if form else set()
    assert not names & {"publish_now", "unpublish", "schedule"}


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("publish_now", {}),
        ("schedule", {"apply": "1", "published_at": "2099-01-01T08:00"}),
    ],
)
def test_editor_cannot_publish_by_action(client, editor, three_states, action, extra):
    draft = three_states[2]
    client.force_login(editor)
    run_action(client, action, [draft], **extra)
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_editor_cannot_unpublish_by_action(client, editor, three_states):
    published = three_states[0]
    client.force_login(editor)
    run_action(client, "unpublish", [published])
    published.refresh_from_db()
    assert published.state == "published"


def test_editor_change_form_has_status_read_only_and_ignores_forged_status(
    client, editor, three_states
):
    draft = three_states[2]
    client.force_login(editor)
    response = client.get(change_url(draft))
    assert response.status_code == 200
    assert "status" not in response.context["adminform"].form.fields
    assert "published_at" not in response.context["adminform"].form.fields
    data = form_data(response, "article_form")
    data.update(
        title=["编辑改过的标题"],
        status=["published"],
        published_at_0=["2020-01-01"],
        published_at_1=["08:00:00"],
        _save=["1"],
    )
    saved = client.post(change_url(draft), data)
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "编辑改过的标题"
    assert draft.status == Article.Status.DRAFT


def test_editor_cannot_add_a_published_article(client, editor):
    client.force_login(editor)
    add = reverse("admin:articles_article_add")
    data = form_data(client.get(add), "article_form")
    data.update(
        title=["编辑新建的文章"],
        body=["<p>正文</p>"],
        status=["published"],
        published_at_0=["2020-01-01"],
        published_at_1=["08:00:00"],
        _save=["1"],
    )
    assert client.post(add, data).status_code == 302
    article = Article.objects.get(title="编辑新建的文章")
    assert article.status == Article.Status.DRAFT and article.published_at is None


def test_publisher_publish_now_dates_it_now_and_keeps_the_original_date(
    client, publisher, three_states
):
    published, scheduled, draft = three_states
    original = timezone.now() - timedelta(days=30)
    Article.objects.filter(pk=draft.pk).update(published_at=original)
    empty = make_article("空正文", published=False, body="")
    client.force_login(publisher)
    before = timezone.now()

    response = run_action(client, "publish_now", [scheduled, draft, empty])

    assert response.status_code == 302
    draft.refresh_from_db()
    scheduled.refresh_from_db()
    empty.refresh_from_db()
    assert draft.state == "published" and draft.published_at >= before
    assert draft.original_published_at == original
    assert draft.responsible_editor == "编辑publisher"
    assert scheduled.state == "published" and scheduled.published_at >= before
    assert empty.state == "draft"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("已发布 2 篇" in m for m in messages)
    assert any("1 篇正文为空" in m for m in messages)
    entry = EditorialLog.objects.get(action="publish", article=draft)
    assert entry.user == publisher and entry.data["editor"] == "编辑publisher"


def test_publish_needs_the_editors_real_name(client, three_states):
    draft = three_states[2]
    nameless = make_staff("nameless", PUBLISHER, real_name="")
    client.force_login(nameless)
    response = run_action(client, "publish_now", [draft])
    draft.refresh_from_db()
    assert draft.state == "draft"
    assert any("真实姓名" in str(m) for m in response.wsgi_request._messages)
    data = form_data(client.get(change_url(draft)), "article_form")
    data.update(status=["published"], _save=["1"])
    refused = client.post(change_url(draft), data)
    assert refused.status_code == 200 and "真实姓名" in refused.content.decode()


def test_publisher_unpublish(client, publisher, three_states):
    published = three_states[0]
    client.force_login(publisher)
    run_action(client, "unpublish", [published])
    published.refresh_from_db()
    assert published.state == "draft"
    assert client.get(published.get_absolute_url(), secure=True).status_code == 404


def test_publisher_schedule_asks_for_a_time_then_schedules(client, publisher, three_states):
    draft = three_states[2]
    client.force_login(publisher)

    page = run_action(client, "schedule", [draft])
    assert page.status_code == 200
    assert "定时发布" in page.content.decode() and draft.title in page.content.decode()
    assert 'type="datetime-local"' in page.content.decode()

    past = run_action(client, "schedule", [draft], apply="1", published_at="2001-01-01T08:00")
    assert past.status_code == 200 and "必须在将来" in past.content.decode()
    draft.refresh_from_db()
    assert draft.state == "draft"

    run_action(client, "schedule", [draft], apply="1", published_at="2099-05-01T08:30")
    draft.refresh_from_db()
    assert draft.state == "scheduled"
    local = timezone.localtime(draft.published_at)
    assert (local.year, local.month, local.hour, local.minute) == (2099, 5, 8, 30)


def test_publisher_change_form_publishes_with_now_when_time_left_empty(
    client, publisher, three_states
):
    draft = three_states[2]
    Article.objects.filter(pk=draft.pk).update(published_at=None)
    client.force_login(publisher)
    data = form_data(client.get(change_url(draft)), "article_form")
    data.update(status=["published"], published_at_0=[""], published_at_1=[""], _save=["1"])
    assert client.post(change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.state == "published"


# The change form


def test_change_form_has_fieldsets_credit_inline_and_preview_button(client, editor, three_states):
    published = three_states[0]
    client.force_login(editor)
    response = client.get(change_url(published))
    html = response.content.decode()
    names = [fieldset.name for fieldset in response.context["adminform"]]
    assert names == ["内容", "署名", "分类", "发布", "导入信息"]
    # The attribution inline sits inside the credit section, before classification.
    assert html.index("原发来源与署名") < html.index("fieldset-0-2-heading")
    assert 'name="attribution-0-role_authors"' in html and 'value="张三"' in html
    assert "存疑" in html  # the flagged mention's verdict
    preview = reverse("admin:articles_article_preview", args=[published.pk])
    assert f'formaction="{preview}"' in html
    assert published.get_absolute_url() in html  # "view on site" for a public article


def test_view_on_site_of_a_draft_is_the_staff_preview(client, editor, three_states):
    draft = three_states[2]
    client.force_login(editor)
    html = client.get(change_url(draft)).content.decode()
    assert reverse("articles:preview", args=[draft.pk]) in html


def test_change_form_saves_structured_credit(client, editor, three_states):
    published = three_states[0]
    client.force_login(editor)
    data = form_data(client.get(change_url(published)), "article_form")
    data.update(
        {
            "attribution-0-role_authors": ["郑玥、王五"],
            "attribution-0-role_translators": [""],
            "attribution-0-role_others": ["校对：赵六\n采访：孙七, 周八"],
            "_save": ["1"],
        }
    )
    assert client.post(change_url(published), data).status_code == 302
    roles = Attribution.objects.get(article=published).roles
    assert roles == {"作者": ["郑玥", "王五"], "校对": ["赵六"], "采访": ["孙七", "周八"]}


def test_change_form_save_resyncs_mentions_and_rerenders_body(client, editor):
    腾讯 = make_entity("腾讯", provider_id="24961")
    article = make_article("正文会变", published=False)
    client.force_login(editor)
    data = form_data(client.get(change_url(article)), "article_form")
    data["body"] = [
        '<p>据报道，<a class="project-link" data-id="24961" data-name="腾讯" '
        'href="https://36kr.com/projectDetails/24961">腾讯</a>公司今天发布了新产品。</p>'
    ]
    data["_save"] = ["1"]
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    mention = article.mentions.get()
    assert mention.entity == 腾讯 and mention.verdict == Mention.Verdict.LINKED
    assert f'href="{腾讯.get_absolute_url()}"' in article.body_html
    assert "project-link" not in article.body_html


def test_change_form_confirming_a_flagged_mention_rerenders(client, editor, three_states):
    published = three_states[0]
    得到 = Entity.objects.get(name="得到")
    client.force_login(editor)
    data = form_data(client.get(change_url(published)), "article_form")
    flagged_index = next(
        i for i in range(2) if data[f"mentions-{i}-verdict"] == [Mention.Verdict.FLAGGED]
    )
    data[f"mentions-{flagged_index}-verdict"] = [Mention.Verdict.CONFIRMED]
    data["_save"] = ["1"]
    assert client.post(change_url(published), data).status_code == 302
    published.refresh_from_db()
    assert published.mentions.get(entity=得到).verdict == Mention.Verdict.CONFIRMED
    assert f'href="{得到.get_absolute_url()}"' in published.body_html


def test_preview_renders_unsaved_changes_with_public_template_and_writes_nothing(
    client, editor, three_states
):
    published = three_states[0]
    client.force_login(editor)
    data = form_data(client.get(change_url(published)), "article_form")
    data["title"] = ["只在预览里的标题"]
    data["body"] = ["<p>只在预览里的正文。</p>"]
    data["attribution-0-role_authors"] = ["预览作者"]
    before = Article.objects.get(pk=published.pk)

    response = client.post(reverse("admin:articles_article_preview", args=[published.pk]), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "articles/detail.html" in [t.name for t in response.templates]
    assert "只在预览里的标题" in html and "只在预览里的正文。" in html
    assert "预览作者" in html and "IT之家" in html  # the attribution block, from the form
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    after = Article.objects.get(pk=published.pk)
    assert (after.title, after.body, after.body_html) == (
        before.title,
        before.body,
        before.body_html,
    )
    assert Attribution.objects.get(article=published).roles == {"作者": ["张三"]}


def test_preview_of_a_new_article_and_of_an_invalid_form(client, editor):
    client.force_login(editor)
    add = reverse("admin:articles_article_add")
    data = form_data(client.get(add), "article_form")
    data.update(title=["全新的文章"], body=["<p>新正文</p>"])
    preview = reverse("admin:articles_article_preview_add")

    response = client.post(preview, data)
    assert response.status_code == 200 and "全新的文章" in response.content.decode()
    assert not Article.objects.exists()

    data["title"] = [""]
    invalid = client.post(preview, data)
    assert invalid.status_code == 400 and "无法预览" in invalid.content.decode()


def test_preview_keeps_verdicts_and_links_of_known_entities(client, editor, three_states):
    published = three_states[0]
    淘宝 = Entity.objects.get(name="淘宝")
    client.force_login(editor)
    data = form_data(client.get(change_url(published)), "article_form")
    data["body"] = [data["body"][0] + "<p>又一段。</p>"]
    response = client.post(reverse("admin:articles_article_preview", args=[published.pk]), data)
    html = response.content.decode()
    assert f'href="{淘宝.get_absolute_url()}"' in html
    assert "又一段。" in html


# Entities and mentions


def test_entity_changelist_shows_logo_without_referrer_and_article_count(client, editor):
    entity = make_entity("腾讯", logo_url="https://img.example.com/tencent.png")
    make_article(entities=(entity,))
    make_article(entities=(entity,))
    client.force_login(editor)
    response = client.get(reverse("admin:articles_entity_changelist"))
    html = response.content.decode()
    assert 'src="https://img.example.com/tencent.png"' in html
    assert 'referrerpolicy="no-referrer"' in html
    row = next(e for e in response.context["cl"].result_list if e.pk == entity.pk)
    assert row.articles_count == 2


def test_entity_merge_keeps_all_mentions_and_rerenders(client, editor):
    jd = make_entity("京东", provider_id="1001")
    jd_mall = make_entity("京东商城", provider_id="2002", aliases=["JD"])
    old_alias = make_entity("京东老号", provider_id="3003", merged_into=jd_mall)
    first = make_article(entities=(jd,))
    second = make_article(entities=(jd_mall,))
    client.force_login(editor)
    url = reverse("admin:articles_entity_changelist")

    page = client.post(url, {"action": "merge", "_selected_action": [jd.pk, jd_mall.pk]})
    assert page.status_code == 200 and "保留哪一个" in page.content.decode()
    client.post(
        url,
        {"action": "merge", "_selected_action": [jd.pk, jd_mall.pk], "apply": "1", "target": jd.pk},
    )

    jd_mall.refresh_from_db()
    old_alias.refresh_from_db()
    jd.refresh_from_db()
    assert jd_mall.merged_into == jd and old_alias.merged_into == jd
    assert Mention.objects.filter(entity=jd).count() == 2
    assert not Mention.objects.filter(entity=jd_mall).exists()
    assert {"京东商城", "2002", "JD"} <= set(jd.aliases)
    second.refresh_from_db()
    assert f'href="{jd.get_absolute_url()}"' in second.body_html
    assert jd_mall.get_absolute_url() not in second.body_html
    first.refresh_from_db()
    assert f'href="{jd.get_absolute_url()}"' in first.body_html


def test_entity_merge_then_reimport_resolves_to_target(client, editor, data_dir):
    from articles.importer import Importer
    from articles.ingest import InputFile

    taobao_a = make_entity("淘宝", provider_id="415804")
    taobao_b = make_entity("淘宝网", provider_id="9999")
    client.force_login(editor)
    client.post(
        reverse("admin:articles_entity_changelist"),
        {
            "action": "merge",
            "_selected_action": [taobao_a.pk, taobao_b.pk],
            "apply": "1",
            "target": taobao_b.pk,
        },
    )
    name = "重磅，淘宝将打通微信支付.md"
    result = Importer().import_file(InputFile(name, data=(data_dir / name).read_bytes()))
    assert result.status == "created"
    assert not Mention.objects.filter(entity=taobao_a).exists()
    assert Mention.objects.filter(entity=taobao_b).exists()


def test_entity_never_link_switch_rerenders_affected_articles(client, editor):
    一起 = make_entity("一起")
    article = make_article(entities=(一起,))
    assert 一起.get_absolute_url() in article.body_html
    client.force_login(editor)
    url = reverse("admin:articles_entity_change", args=[一起.pk])
    data = form_data(client.get(url), "entity_form")
    data.update(is_never_link=["on"], _save=["1"])
    assert client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert 一起.get_absolute_url() not in article.body_html
    assert "一起" in article.body_html

    client.post(
        reverse("admin:articles_entity_changelist"),
        {"action": "never_link_off", "_selected_action": [一起.pk]},
    )
    article.refresh_from_db()
    assert 一起.get_absolute_url() in article.body_html


def test_entity_never_link_from_the_list(client, editor):
    一条 = make_entity("一条")
    article = make_article(entities=(一条,))
    client.force_login(editor)
    url = reverse("admin:articles_entity_changelist")
    data = form_data(client.get(url), "changelist-form")
    data["form-0-is_never_link"] = ["on"]
    data["_save"] = ["保存"]
    data.pop("action", None)
    assert client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert 一条.get_absolute_url() not in article.body_html


def test_mention_list_starts_with_flagged_and_shows_context(client, editor, three_states):
    client.force_login(editor)
    url = reverse("admin:articles_mention_changelist")
    response = client.get(url)
    assert response.status_code == 302 and "verdict__exact=flagged" in response["Location"]
    page = client.get(response["Location"])
    assert [m.text for m in page.context["cl"].result_list] == ["得到"]
    assert "<mark>得到</mark>" in page.content.decode()


def test_mention_one_click_confirm_and_reject(client, editor, three_states):
    published = three_states[0]
    mention = published.mentions.get(verdict=Mention.Verdict.FLAGGED)
    url = reverse("admin:articles_mention_decide", args=[mention.pk, "confirmed"])
    client.force_login(editor)
    listing = client.get(reverse("admin:articles_mention_changelist") + "?verdict__exact=flagged")
    assert f'formaction="{url}"' in listing.content.decode()

    assert client.get(url).status_code == 405
    response = client.post(url, HTTP_REFERER="http://testserver/admin/articles/mention/?q=x")
    assert response.status_code == 302 and response["Location"].endswith("?q=x")
    mention.refresh_from_db()
    published.refresh_from_db()
    assert mention.verdict == Mention.Verdict.CONFIRMED
    assert f'href="{mention.entity.get_absolute_url()}"' in published.body_html

    client.post(reverse("admin:articles_mention_decide", args=[mention.pk, "rejected"]))
    published.refresh_from_db()
    assert mention.entity.get_absolute_url() not in published.body_html


def test_mention_bulk_reject_and_permission(client, three_states):
    published = three_states[0]
    reader = make_staff("viewer", None)
    client.force_login(reader)
    mention = published.mentions.first()
    url = reverse("admin:articles_mention_decide", args=[mention.pk, "rejected"])
    assert client.post(url).status_code == 403

    client.force_login(make_staff("ed2", EDITOR))
    client.post(
        reverse("admin:articles_mention_changelist"),
        {
            "action": "reject",
            "_selected_action": list(published.mentions.values_list("pk", flat=True)),
        },
    )
    published.refresh_from_db()
    assert set(published.mentions.values_list("verdict", flat=True)) == {"rejected"}
    assert "entity-link" not in published.body_html


# Sources, categories, authors, tags


def test_source_list_shows_channel_account_policy_and_count(client, editor):
    source = make_source("硅星人", account_id="guixingren123", homepage="https://example.com/")
    make_article(source=source)
    client.force_login(editor)
    response = client.get(reverse("admin:articles_source_changelist"))
    html = response.content.decode()
    assert "硅星人" in html and "guixingren123" in html and "微信公众号" in html
    assert "https://example.com/" in html
    assert response.context["cl"].result_list[0].articles_count == 1


def test_category_list_shows_the_tree_in_order(client, editor):
    make_category("新媒体", "36kr", "资讯")
    make_category("新媒体", "36kr", "快讯")
    client.force_login(editor)
    response = client.get(reverse("admin:articles_category_changelist"))
    names = [c.name for c in response.context["cl"].result_list]
    assert names == ["新媒体", "36kr", "快讯", "资讯"]
    assert "\u3000└ 快讯" in response.content.decode()


def test_category_rename_updates_descendant_paths(client, editor):
    leaf = make_category("新媒体", "36kr", "资讯")
    middle = leaf.parent
    client.force_login(editor)
    url = reverse("admin:articles_category_change", args=[middle.pk])
    data = form_data(client.get(url), "category_form")
    data.update(name=["三十六氪"], slug=["sanshiliu"], _save=["1"])
    assert client.post(url, data).status_code == 302
    leaf.refresh_from_db()
    assert leaf.name_path == ["新媒体", "三十六氪", "资讯"]
    assert leaf.path.startswith(f"{middle.parent.path}/sanshiliu/")


def test_author_list_shows_avatar(client, editor):
    author = make_author("36kr")
    author.avatar = "authors/36kr.png"
    author.save()
    make_author("无头像")
    client.force_login(editor)
    html = client.get(reverse("admin:articles_author_changelist")).content.decode()
    assert 'src="/media/authors/36kr.png"' in html
    assert 'class="nr-avatar nr-avatar-empty"' in html


def test_tag_merge_moves_uses_and_deletes_the_others(client, editor):
    both = make_article(tags=("AI", "人工智能"))
    only_old = make_article(tags=("人工智能",))
    client.force_login(editor)
    ai, old = Tag.objects.get(name="AI"), Tag.objects.get(name="人工智能")
    url = reverse("admin:taggit_tag_changelist")
    page = client.post(url, {"action": "merge", "_selected_action": [ai.pk, old.pk]})
    assert page.status_code == 200 and "保留哪一个" in page.content.decode()
    client.post(
        url, {"action": "merge", "_selected_action": [ai.pk, old.pk], "apply": "1", "target": ai.pk}
    )
    assert not Tag.objects.filter(name="人工智能").exists()
    assert [t.name for t in both.tags.all()] == ["AI"]
    assert [t.name for t in only_old.tags.all()] == ["AI"]


def test_autocomplete_lookups_work_for_categories_sources_entities(client, editor):
    make_category("新媒体", "36kr")
    make_source("IT之家")
    make_entity("腾讯")
    client.force_login(editor)
    for model, field, term, expected in (
        ("article", "category", "36", "新媒体 › 36kr"),
        ("attribution", "source", "IT", "IT之家"),
        ("mention", "entity", "腾", "腾讯"),
    ):
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": "articles", "model_name": model, "field_name": field, "term": term},
        )
        assert response.status_code == 200, (model, response.content)
        assert [r["text"] for r in response.json()["results"]] == [expected]
