"""The admin wiring of image localization and uploads (the functions are tested elsewhere)."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from articles.admin.forms import ArticleAdminForm, EntityAdminForm
from articles.admin.images import localize_images
from articles.models import Article, Author, Entity
from tests.factories import make_article, make_author, make_entity
from tests.image_server import HTML_PAGE, jpeg, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


@pytest.fixture
def request_():
    request = RequestFactory().post("/admin/")
    request.user = get_user_model().objects.create_superuser("boss", password="x")
    return request


def test_article_admin_offers_the_localize_action(request_):
    model_admin = admin.site._registry[Article]
    assert localize_images in model_admin.actions
    assert "localize_images" in model_admin.get_actions(request_)


def test_article_admin_header_upload_becomes_a_local_header(media, request_):
    article = make_article()
    model_admin = admin.site._registry[Article]
    form_class = model_admin.get_form(request_, article, change=True)
    form = form_class(instance=article)
    assert "header_upload" in form.fields
    data = {**form.initial, "tags": "", "status": article.status}
    data = {k: v for k, v in data.items() if v is not None}
    upload = SimpleUploadedFile("h.jpg", jpeg(1600, 900), content_type="image/jpeg")
    bound = form_class(data, {"header_upload": upload}, instance=article)
    assert bound.is_valid(), bound.errors

    model_admin.save_model(request_, bound.instance, bound, change=True)

    stored = Article.objects.get(pk=article.pk)
    assert stored.header_picture is not None
    assert stored.header_image.endswith(stored.header_picture["large"])


def test_article_form_refuses_a_fake_image(media):
    form = ArticleAdminForm(
        {}, {"header_upload": SimpleUploadedFile("x.jpg", HTML_PAGE, content_type="image/jpeg")}
    )
    form.is_valid()
    assert "header_upload" in form.errors


def test_entity_admin_logo_upload_and_author_avatar_validation(media, request_):
    entity = make_entity()
    model_admin = admin.site._registry[Entity]
    assert "logo_upload" in model_admin.get_fields(request_, entity)
    form = EntityAdminForm(instance=entity)
    data = {"name": entity.name, "slug": entity.slug, "provider_id": entity.provider_id}
    bound = EntityAdminForm(
        data, {"logo_upload": SimpleUploadedFile("l.png", png(200, 200))}, instance=entity
    )
    assert "logo_upload" in form.fields and bound.is_valid(), bound.errors
    model_admin.save_model(request_, bound.instance, bound, change=True)
    assert Entity.objects.get(pk=entity.pk).logo_picture["type"] == "image/png"

    author = make_author()
    author_admin = admin.site._registry[Author]
    author_form = author_admin.get_form(request_, author, change=True)
    fake = SimpleUploadedFile("a.png", HTML_PAGE, content_type="image/png")
    bad = author_form({"name": author.name, "slug": author.slug}, {"avatar": fake}, instance=author)
    assert not bad.is_valid() and "avatar" in bad.errors
