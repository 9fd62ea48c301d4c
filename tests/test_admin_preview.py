"""The article admin's preview (``articles.admin.preview``): unsaved changes rendered with the
public template, nothing written."""

import pytest
from django.urls import reverse

from articles.models import Article, Attribution, Entity
from tests.admin_support import (
    admin_settings,  # noqa: F401 (autouse fixture)
    change_url,
    editor_fixture,  # noqa: F401 (fixture "editor")
    form_data,
    three_states_fixture,  # noqa: F401 (fixture "three_states")
)

pytestmark = pytest.mark.django_db


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
