"""Helpers shared by the admin tests: editorial users, settings, posting admin forms, and a
few articles in each publication state.

Fixtures are defined as ``<name>_fixture`` with ``name="<name>"``: a test module imports the
function and asks for the fixture by its plain name, which keeps ruff's F811 quiet."""

import importlib
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Mention
from tests.factories import make_article, make_author, make_category, make_entity, make_source

groups = importlib.import_module("articles.migrations.0002_editorial_groups")
rights = importlib.import_module("articles.migrations.0005_rights_permissions")
EDITOR, PUBLISHER = groups.EDITOR, groups.PUBLISHER


@pytest.fixture(autouse=True)
def admin_settings(settings, tmp_path):
    """Plain HTTP test requests, no collectstatic manifest, import batches in a temp dir."""
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.NEWSROOM_IMPORT_BATCH_DIR = str(tmp_path / "import-batches")
    return settings


def group(name: str) -> Group:
    """The group the data migration made (re-made after a transactional test's flush)."""
    found, created = Group.objects.get_or_create(name=name)
    if created or not found.permissions.exists():
        spec = groups.EDITOR_PERMISSIONS + (groups.PUBLISHER_EXTRA if name == PUBLISHER else [])
        codenames = [("articles", f"view_{model}") for model in rights.SEEN]
        if name == PUBLISHER:
            codenames += [("articles", codename) for codename in rights.PUBLISHER_LICENCE]
        for app_label, codename in [*groups._codenames(spec), *codenames]:
            found.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return found


def make_staff(
    username: str,
    group_name: str | None,
    password: str = "pw-Newsroom-2024",
    real_name: str | None = None,
):
    """A staff user; ``real_name`` (责任编辑, needed to publish) defaults to one made up."""
    from articles.models import EditorProfile

    user = get_user_model().objects.create_user(username, password=password, is_staff=True)
    real_name = f"编辑{username}" if real_name is None else real_name
    EditorProfile.objects.create(user=user, real_name=real_name)
    if group_name:
        user.groups.add(group(group_name))
    return user


def form_data(response, form_id: str) -> dict:
    """What a browser would submit for ``form_id`` without touching anything (no buttons)."""
    page = BeautifulSoup(response.content, "html.parser")
    form = page.find("form", id=form_id)
    assert form is not None, f"no form #{form_id}"
    data: dict[str, list[str]] = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.get("disabled") is not None:
            continue
        kind = (field.get("type") or "").lower()
        if field.name == "input" and kind in ("submit", "button", "file", "image"):
            continue
        if kind in ("checkbox", "radio") and field.get("checked") is None:
            continue
        if field.name == "select":
            chosen = [
                o.get("value", o.text) for o in field.find_all("option") if o.has_attr("selected")
            ]
            data.setdefault(name, []).extend(chosen)
        elif field.name == "textarea":
            data.setdefault(name, []).append(field.text.removeprefix("\n"))
        else:
            data.setdefault(name, []).append(field.get("value", "on" if kind == "checkbox" else ""))
    return data


@pytest.fixture(name="editor")
def editor_fixture(db):
    return make_staff("editor", EDITOR)


@pytest.fixture(name="publisher")
def publisher_fixture(db):
    return make_staff("publisher", PUBLISHER)


CHANGELIST = reverse("admin:articles_article_changelist")


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def flag(article, position=0):
    Mention.objects.filter(article=article, position=position).update(
        verdict=Mention.Verdict.FLAGGED, reason="常用词"
    )


@pytest.fixture(name="three_states")
def three_states_fixture():
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
