"""The entity admin (``articles.admin.entities``): the list, merging, never-link."""

import pytest
from django.urls import reverse

from articles.models import Mention
from tests.admin_support import (
    admin_settings,  # noqa: F401 (autouse fixture)
    editor_fixture,  # noqa: F401 (fixture "editor")
    form_data,
)
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db


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
