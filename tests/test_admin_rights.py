"""Rights in the editorial admin (``articles.admin.rights`` and the article actions): refused
and overridden publication, takedown and restore, licences with history, the licensor's
report, the editor's profile, the state filter and the desk's counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import editorial
from articles.models import Article, EditorialLog, EditorProfile, Licence, Takedown
from tests.admin_support import (
    EDITOR,
    PUBLISHER,
    admin_settings,  # noqa: F401 (autouse fixture)
    form_data,
    make_staff,
)
from tests.factories import make_article, make_source
from tests.site_client import get, soup

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
REPORT = reverse("admin:articles_licence_report")


@pytest.fixture
def publisher(db):
    return make_staff("publisher", PUBLISHER, real_name="王发布")


@pytest.fixture
def chief(db):
    """Licences are filed by a Publisher (the group migration grants it)."""
    return make_staff("chief", PUBLISHER, real_name="总编")


def test_editors_see_licences_and_logs_but_only_publishers_change_licences(client, db):
    source = make_source("IT之家")
    editorial.set_licence(source, basis="reprint")
    licence = Licence.objects.get()
    change = reverse("admin:articles_licence_change", args=[licence.pk])
    logs = [
        reverse("admin:articles_takedown_changelist"),
        reverse("admin:articles_editoriallog_changelist"),
    ]
    client.force_login(make_staff("editor", EDITOR))
    for url in [REPORT, change, *logs]:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:articles_licence_add")).status_code == 403
    assert 'name="_save"' not in client.get(change).content.decode()  # read-only for editors
    client.force_login(make_staff("outsider", None))
    assert client.get(REPORT).status_code == 403
    client.force_login(make_staff("publisher2", PUBLISHER))
    assert client.get(reverse("admin:articles_licence_add")).status_code == 200


def run_action(client, action, articles, **extra):
    data = {"action": action, "_selected_action": [a.pk for a in articles], **extra}
    return client.post(CHANGELIST, data)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.fixture
def expired(db):
    source = make_source("过期媒体")
    editorial.set_licence(source, expires_on=timezone.localdate() - timedelta(days=1))
    return make_article("授权过期的稿子", source=source, published=False)


# Publishing against a licence ------------------------------------------------------------


def test_publish_now_refused_when_the_outlets_licence_expired(client, publisher, expired):
    client.force_login(publisher)

    response = run_action(client, "publish_now", [expired])

    expired.refresh_from_db()
    assert expired.status == Article.Status.DRAFT
    (message,) = [m for m in messages_of(response) if "没有发布" in m]
    assert "授权已到期" in message and f"“{expired.title}”" in message
    assert "过期媒体" in message, f"the refusal does not name whose licence it is: {message}"
    assert "覆盖授权并发布" in message  # says how to go on
    assert not EditorialLog.objects.filter(action="publish").exists()


def test_publish_with_override_asks_for_a_reason_then_publishes_and_logs(
    client, publisher, expired
):
    client.force_login(publisher)

    page = run_action(client, "publish_with_override", [expired])
    assert page.status_code == 200
    html = page.content.decode()
    assert "覆盖原因" in html and expired.title in html
    blank = run_action(client, "publish_with_override", [expired], apply="1", reason="")
    assert blank.status_code == 200 and "这个字段是必填项" in blank.content.decode()
    assert Article.objects.get(pk=expired.pk).status == Article.Status.DRAFT

    done = run_action(client, "publish_with_override", [expired], apply="1", reason="已获书面续约")

    assert done.status_code == 302
    expired.refresh_from_db()
    assert expired.state == "published" and expired.responsible_editor == "王发布"
    assert Licence.objects.get(article=expired).basis == Licence.Basis.OTHER
    log = EditorialLog.objects.get(action="licence-override")
    assert (log.article, log.user, log.reason) == (expired, publisher, "已获书面续约")
    assert any("授权覆盖已记入日志" in m for m in messages_of(done))
    assert get(client, expired.get_absolute_url()).status_code == 200


def test_editor_has_no_override_takedown_or_restore_actions(client, db):
    client.force_login(make_staff("editor", EDITOR))
    page = client.get(CHANGELIST)
    names = {
        name for name, _ in page.context["cl"].model_admin.get_action_choices(page.wsgi_request)
    }
    assert not names & {"publish_with_override", "take_down", "restore"}
    article = make_article()
    run_action(client, "take_down", [article], apply="1", reason="编辑不能撤稿")
    assert not Takedown.objects.exists()


def test_change_form_refuses_to_publish_an_expired_licence(client, publisher, expired):
    client.force_login(publisher)
    data = form_data(client.get(change_url(expired)), "article_form")
    data.update(status=["published"], _save=["1"])

    response = client.post(change_url(expired), data)

    assert response.status_code == 200
    assert "来源授权已到期" in response.content.decode()
    assert Article.objects.get(pk=expired.pk).status == Article.Status.DRAFT


def test_change_form_publishes_when_licensed_and_credits_the_editor(client, publisher):
    source = make_source("有效媒体")
    editorial.set_licence(source, expires_on=None)
    article = make_article(source=source, published=False)
    client.force_login(publisher)
    data = form_data(client.get(change_url(article)), "article_form")
    data.update(status=["published"], _save=["1"])

    assert client.post(change_url(article), data).status_code == 302

    article.refresh_from_db()
    assert article.state == "published" and article.responsible_editor == "王发布"
    assert EditorialLog.objects.filter(action="publish", article=article, user=publisher).exists()


# Takedown and restore --------------------------------------------------------------------


def test_take_down_action_asks_for_the_reason_then_takes_down(client, publisher):
    first, second = make_article("第一篇"), make_article("第二篇")
    client.force_login(publisher)

    page = run_action(client, "take_down", [first, second])
    assert page.status_code == 200
    html = page.content.decode()
    assert "撤稿原因" in html and "要求方" in html and "第一篇" in html and "第二篇" in html
    assert not Takedown.objects.exists()
    blank = run_action(client, "take_down", [first], apply="1", reason="")
    assert blank.status_code == 200 and not Takedown.objects.exists()

    done = run_action(
        client, "take_down", [first, second], apply="1", reason="侵权投诉", requested_by="法务部"
    )

    assert done.status_code == 302
    assert any("已撤稿 2 篇" in m for m in messages_of(done))
    rows = Takedown.objects.order_by("article_id")
    assert [(t.article, t.reason, t.requested_by, t.taken_down_by) for t in rows] == [
        (first, "侵权投诉", "法务部", publisher),
        (second, "侵权投诉", "法务部", publisher),
    ]
    client.logout()
    assert get(client, first.get_absolute_url()).status_code == 410


def test_restore_action_brings_taken_down_articles_back(client, publisher):
    gone, live = make_article("撤下的"), make_article("在线的")
    editorial.take_down([gone.pk], reason="侵权")
    client.force_login(publisher)

    page = run_action(client, "restore", [gone, live])
    assert page.status_code == 200 and "恢复原因" in page.content.decode()

    done = run_action(client, "restore", [gone, live], apply="1", reason="对方撤回投诉")

    assert any("已恢复 1 篇" in m for m in messages_of(done))
    gone.refresh_from_db()
    assert gone.taken_down_at is None and gone.is_public
    takedown = Takedown.objects.get()
    assert (takedown.restored_by, takedown.restore_reason) == ("publisher", "对方撤回投诉")
    assert EditorialLog.objects.get(action="restore").user == publisher


def test_publish_now_leaves_a_taken_down_article_alone(client, publisher):
    article = make_article(published=False)
    editorial.take_down([article.pk], reason="侵权")
    client.force_login(publisher)
    response = run_action(client, "publish_now", [article])
    assert any("1 篇已撤稿" in m for m in messages_of(response))
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT


# The licence admin -----------------------------------------------------------------------


def licence_data(client, url) -> dict:
    return form_data(client.get(url), "licence_form")


def test_licence_add_and_change_go_through_set_licence_with_history(client, chief):
    source = make_source("IT之家")
    article = make_article(source=source)
    client.force_login(chief)
    add = reverse("admin:articles_licence_add")
    data = licence_data(client, add)
    data.update(
        source=[str(source.pk)],
        basis=["exclusive"],
        granted_by=["张律师 zhang@example.com"],
        reference=["HT-2024-001"],
        expires_on=[timezone.localdate().isoformat()],  # expires today: withdrawn
        _save=["1"],
    )

    assert client.post(add, data).status_code == 302

    licence = Licence.objects.get()
    assert (licence.source, licence.basis, licence.reference) == (
        source,
        "exclusive",
        "HT-2024-001",
    )
    assert not Article.objects.get(pk=article.pk).is_public
    created = EditorialLog.objects.get(action="licence")
    assert (created.user, created.reason, created.source) == (chief, "后台编辑", source)

    change = reverse("admin:articles_licence_change", args=[licence.pk])
    data = licence_data(client, change)
    renewed_to = timezone.localdate() + timedelta(days=365)
    data.update(expires_on=[renewed_to.isoformat()], _save=["1"])
    assert client.post(change, data).status_code == 302

    assert Licence.objects.get().expires_on == renewed_to
    assert Article.objects.get(pk=article.pk).is_public
    page = soup(client.get(change))
    rows = page.select("table.nr-history tbody tr")
    assert len(rows) == 2
    newest, first = ([td.get_text(strip=True) for td in row.find_all("td")] for row in rows)
    assert newest[1:] == ["chief", "后台编辑", "到期日", renewed_to.isoformat()]
    assert first[1:] == ["chief", "后台编辑", "登记", timezone.localdate().isoformat()]
    changelist = client.get(reverse("admin:articles_licence_changelist")).content.decode()
    assert "IT之家" in changelist and "nr-licence-in-force" in changelist


def test_licence_admin_delete_leaves_the_outlet_unregistered(client, chief):
    source = make_source("删掉授权的媒体")
    licence = editorial.set_licence(source, expires_on=timezone.localdate())
    client.force_login(chief)
    url = reverse("admin:articles_licence_delete", args=[licence.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Licence.objects.exists()
    entry = EditorialLog.objects.filter(action="licence").first()
    assert entry.data["changed"] == ["deleted"] and entry.user == chief


# The licensor's report -------------------------------------------------------------------


@pytest.fixture
def outlets(db):
    today = timezone.localdate()
    a, b, c, d = (make_source(name) for name in ("甲媒体", "乙媒体", "丙媒体", "丁媒体"))
    editorial.set_licence(a, expires_on=None)
    editorial.set_licence(b, expires_on=today + timedelta(days=10))
    editorial.set_licence(c, expires_on=today)
    for _ in range(2):
        make_article(source=a)
    gone = make_article(source=a)
    editorial.take_down([gone.pk], reason="侵权")
    make_article(source=a, published=False)  # a draft: neither live nor withdrawn
    make_article(source=b)
    make_article(source=c)
    make_article(source=d)
    return {"甲媒体": a, "乙媒体": b, "丙媒体": c, "丁媒体": d}


EXPECTED = {
    # name: (status label, live, withdrawn, taken down)
    "甲媒体": ("有效", "2", "0", "1"),
    "乙媒体": ("30 天内到期", "1", "0", "0"),
    "丙媒体": ("已到期", "0", "1", "0"),
    "丁媒体": ("未登记授权", "1", "0", "0"),
}


def test_licensor_report_lists_counts_per_outlet(client, publisher, outlets):
    client.force_login(publisher)
    response = client.get(REPORT)
    assert response.status_code == 200
    rows = {}
    for tr in soup(response).select("table.nr-report tbody tr"):
        cells = [td.get_text(strip=True) for td in tr.find_all("td")]
        rows[tr.th.get_text(strip=True)] = (cells[1], *cells[3:6], tr.get("class") or [])
    for name, (label, live, withdrawn, taken_down) in EXPECTED.items():
        assert rows[name][:4] == (label, live, withdrawn, taken_down), name
    assert rows["乙媒体"][4] == ["nr-expiring"]
    assert [name for name, row in rows.items() if row[4]] == ["乙媒体"]
    html = response.content.decode()
    add = reverse("admin:articles_licence_add")
    assert f"{add}?source={outlets['丁媒体'].pk}" in html  # register the missing licence


def test_licensor_report_as_csv(client, publisher, outlets):
    client.force_login(publisher)
    response = client.get(REPORT + "?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    header, *lines = list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))
    assert header == ["来源", "授权类型", "授权状态", "到期日", "在线", "授权失效撤下", "已撤稿"]
    rows = {line[0]: line for line in lines}
    assert set(rows) == set(EXPECTED)
    for name, (label, live, withdrawn, taken_down) in EXPECTED.items():
        assert (rows[name][2], *rows[name][4:]) == (label, live, withdrawn, taken_down), name
    expiring_on = (timezone.localdate() + timedelta(days=10)).isoformat()
    assert rows["乙媒体"][3] == expiring_on and rows["甲媒体"][3] == ""
    assert rows["丁媒体"][1] == "" and rows["甲媒体"][1] == "授权转载"


# The editor's profile --------------------------------------------------------------------


def test_profile_page_saves_the_real_name(client, db):
    user = make_staff("newcomer", PUBLISHER, real_name="")
    EditorProfile.objects.filter(user=user).delete()  # none yet: the page makes one
    client.force_login(user)
    url = reverse("admin:editor_profile")

    page = client.get(url)
    assert page.status_code == 200 and "真实姓名" in page.content.decode()
    response = client.post(url, {"real_name": "李新人"})

    assert response.status_code == 302 and response["Location"] == url
    assert EditorProfile.objects.get(user=user).real_name == "李新人"
    assert editorial.editor_name(user) == "李新人"
    article = make_article(published=False)
    run_action(client, "publish_now", [article])
    assert Article.objects.get(pk=article.pk).responsible_editor == "李新人"


def test_profile_page_needs_staff(client, db):
    assert client.get(reverse("admin:editor_profile")).status_code == 302  # to the login


# The state filter and the desk -----------------------------------------------------------


@pytest.fixture
def states(db):
    now = timezone.now()
    lapsed = make_source("过期")
    editorial.set_licence(lapsed, expires_on=timezone.localdate())
    articles = {
        "published": make_article("公开的"),
        "draft": make_article("草稿的", published=False),
        "scheduled": make_article("定时的", published_at=now + timedelta(days=1)),
        "embargoed": make_article("禁发的", embargo_until=now + timedelta(days=1)),
        "withdrawn": make_article("授权失效的", source=lapsed),
        "taken-down": make_article("撤稿的"),
    }
    editorial.take_down([articles["taken-down"].pk], reason="侵权")
    return articles


@pytest.mark.parametrize(
    "state", ["published", "draft", "scheduled", "embargoed", "withdrawn", "taken-down"]
)
def test_state_filter_lists_the_right_articles(client, publisher, states, state):
    client.force_login(publisher)
    response = client.get(f"{CHANGELIST}?state={state}")
    assert response.status_code == 200
    assert [a.pk for a in response.context["cl"].result_list] == [states[state].pk]
    assert f'nr-state-{state}"' in response.content.decode()


def test_admin_index_desk_shows_the_counts(client, publisher, states):
    make_article("又一篇撤稿的", published=False)
    editorial.take_down([Article.objects.get(title="又一篇撤稿的").pk], reason="侵权")
    client.force_login(publisher)
    page = soup(client.get(reverse("admin:index")))
    desk = {
        li.a.get_text(strip=True): li.span.get_text(strip=True)
        for li in page.select("section.nr-desk li")
    }
    assert desk["草稿"] == "2 篇"  # the draft, and the draft taken down
    assert desk["定时发布"] == "1 篇"
    assert desk["授权失效"].startswith("1 篇")
    assert desk["已撤稿"] == "2 篇"
    assert "授权报告" in desk and "个人资料" in desk
