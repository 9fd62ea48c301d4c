"""The taxonomy admins (``articles.admin.taxonomy``): sources, categories, authors, tags."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from tests.admin_support import (
    admin_settings,  # noqa: F401 (autouse fixture)
    editor_fixture,  # noqa: F401 (fixture "editor")
    form_data,
)
from tests.factories import make_article, make_author, make_category, make_source

pytestmark = pytest.mark.django_db


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
