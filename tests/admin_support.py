"""Helpers shared by the admin tests: editorial users, settings, and posting admin forms."""

import importlib

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

groups = importlib.import_module("articles.migrations.0002_editorial_groups")
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
        for app_label, codename in groups._codenames(spec):
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
