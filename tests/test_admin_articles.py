"""The article admin (``articles.admin.articles``): the list, publishing rights and actions,
and the change form."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Attribution, EditorialLog, Entity, Mention
from tests.admin_support import (
    CHANGELIST,
    PUBLISHER,
    admin_settings,  # noqa: F401 (autouse fixture)
    change_url,
    editor_fixture,  # noqa: F401 (fixture "editor")
    form_data,
    make_staff,
    publisher_fixture,  # noqa: F401 (fixture "publisher")
    three_states_fixture,  # noqa: F401 (fixture "three_states")
)
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db


def run_action(client, action, articles, **extra):
    data = {"action": action, "_selected_action": [a.pk for a in articles], **extra}
    return client.post(CHANGELIST, data)


# The article list


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
