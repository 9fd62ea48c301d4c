"""``articles.editorial.authority``: only a Publisher changes what is public or when, on every
admin path (forms, bulk actions, import); commands act with the operator's authority."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from articles import editorial
from articles.editorial import EditorialError, authority
from articles.importer import Importer
from articles.ingest import InputFile
from articles.models import Article
from tests.admin_support import (
    EDITOR,
    PUBLISHER,
    admin_settings,  # noqa: F401 (autouse fixture)
    make_staff,
)

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:articles_article_import")
FOUNDING = "重磅，淘宝将打通微信支付.md"
FILE_DATE = "date: Mon, 28 Mar 2022 02:42:50 GMT"


def redated(data_dir, when: str, extra: str = "") -> bytes:
    text = (data_dir / FOUNDING).read_text(encoding="utf-8")
    assert FILE_DATE in text
    return (text.replace(FILE_DATE, f"date: {when}") + extra).encode()


def import_through_the_admin(client, user, data: bytes, **confirm):
    client.force_login(user)
    response = client.post(IMPORT, {"files": [SimpleUploadedFile(FOUNDING, data)]})
    assert response.status_code == 302, response.content.decode()[:500]
    page = client.get(response["Location"])
    return client.post(page.wsgi_request.path, {"_confirm": "1", **confirm})


@pytest.fixture
def editor(db):
    return make_staff("editor", EDITOR)


@pytest.fixture
def publisher(db):
    return make_staff("publisher", PUBLISHER)


@pytest.fixture
def imported(data_dir):
    Importer().import_file(InputFile(FOUNDING, data=(data_dir / FOUNDING).read_bytes()))
    return Article.objects.get()


def archive_import(data: bytes) -> Article:
    """As a Publisher's "立即发布" import does: our time is the file's date."""
    Importer(publish=True).import_file(InputFile(FOUNDING, data=data))
    return Article.objects.get()


def test_an_editor_reimport_does_not_make_a_scheduled_article_public(client, editor, data_dir):
    scheduled = archive_import(redated(data_dir, "Mon, 01 Jul 2030 00:00:00 GMT"))
    assert not Article.objects.published().exists()  # scheduled for 2030
    import_through_the_admin(client, editor, redated(data_dir, "Tue, 01 Mar 2022 00:00:00 GMT"))
    scheduled.refresh_from_db()
    assert scheduled.published_at == datetime(2030, 7, 1, tzinfo=UTC)
    assert not Article.objects.published().exists()


def test_an_editor_reimport_does_not_move_a_live_article(client, editor, data_dir):
    live = archive_import((data_dir / FOUNDING).read_bytes())
    response = import_through_the_admin(
        client, editor, redated(data_dir, "Mon, 01 Jul 2030 00:00:00 GMT", "\n<p>补充。</p>\n")
    )
    assert response.status_code == 302
    live.refresh_from_db()
    assert live.published_at == datetime(2022, 3, 28, 2, 42, 50, tzinfo=UTC)
    assert Article.objects.published().filter(pk=live.pk).exists()
    assert "补充。" in live.body  # the content update itself goes through
    assert live.original_published_at == datetime(2030, 7, 1, tzinfo=UTC)


def test_an_editor_reimport_cannot_lift_or_add_an_embargo(client, editor, data_dir):
    imported = archive_import((data_dir / FOUNDING).read_bytes())
    embargoed = (
        (data_dir / FOUNDING)
        .read_text(encoding="utf-8")
        .replace(FILE_DATE, FILE_DATE + "\nembargo: Mon, 01 Jul 2030 00:00:00 GMT")
    )
    import_through_the_admin(client, editor, embargoed.encode())
    imported.refresh_from_db()
    assert imported.embargo_until is None
    assert Article.objects.published().filter(pk=imported.pk).exists()


def test_a_publisher_reimport_of_an_archive_import_follows_the_file(client, publisher, data_dir):
    Importer(publish=True).import_file(InputFile(FOUNDING, data=(data_dir / FOUNDING).read_bytes()))
    import_through_the_admin(client, publisher, redated(data_dir, "Tue, 01 Mar 2022 00:00:00 GMT"))
    assert Article.objects.get().published_at == datetime(2022, 3, 1, tzinfo=UTC)


def test_an_editor_reimport_of_a_draft_follows_the_file(client, editor, imported, data_dir):
    import_through_the_admin(client, editor, redated(data_dir, "Tue, 01 Mar 2022 00:00:00 GMT"))
    imported.refresh_from_db()
    assert imported.status == Article.Status.DRAFT
    assert imported.published_at == datetime(2022, 3, 1, tzinfo=UTC)


def test_the_command_acts_with_the_operators_authority(data_dir):
    live = archive_import((data_dir / FOUNDING).read_bytes())
    Importer(user=None).import_file(
        InputFile(FOUNDING, data=redated(data_dir, "Tue, 01 Mar 2022 00:00:00 GMT"))
    )
    live.refresh_from_db()
    assert live.published_at == datetime(2022, 3, 1, tzinfo=UTC)  # an archive import follows


@pytest.mark.parametrize(
    "change",
    [
        lambda ids, user: editorial.publish_now(ids, user=user, editor="某人"),
        lambda ids, user: editorial.schedule(ids, timezone.now() + timedelta(days=1), user=user),
        lambda ids, user: editorial.unpublish(ids, user=user),
        lambda ids, user: editorial.take_down(ids, reason="测试", user=user),
    ],
    ids=["publish", "schedule", "unpublish", "take-down"],
)
def test_state_changes_refuse_an_editor_in_one_place(editor, imported, change):
    before = Article.objects.filter(pk=imported.pk).values().get()
    with pytest.raises(EditorialError):
        change([imported.pk], editor)
    assert Article.objects.filter(pk=imported.pk).values().get() == before


def test_can_publish():
    assert authority.can_publish(None)  # the operator
    assert not authority.can_publish(make_staff("e", EDITOR))
    assert authority.can_publish(make_staff("p", PUBLISHER))


def test_an_editor_cannot_change_the_embargo_in_the_change_form(client, editor, imported):
    editorial.publish_now([imported.pk], editor="发布者")
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_change", args=[imported.pk]))
    fields = page.context["adminform"].form.fields
    assert not {"status", "published_at", "embargo_until"} & set(fields)


def test_operator_authority_is_only_inside_the_block(editor, imported):
    with authority.operator():
        editorial.publish_now([imported.pk], user=editor, editor="值班编辑")
    assert Article.objects.published().filter(pk=imported.pk).exists()
    with pytest.raises(EditorialError):
        editorial.unpublish([imported.pk], user=editor)


def recredited(data_dir) -> bytes:
    """The founding file, now credited to another outlet (whose licence may differ)."""
    text = (data_dir / FOUNDING).read_text(encoding="utf-8")
    assert "“IT之家”（ID:ithomenews）" in text
    return text.replace("“IT之家”（ID:ithomenews）", "“别家号”（ID:other）").encode()


def test_an_editor_reimport_cannot_change_the_outlet_of_a_published_article(
    client, editor, data_dir
):
    # The outlet decides which licence applies: crediting another one can publish or hide it.
    live = archive_import((data_dir / FOUNDING).read_bytes())
    import_through_the_admin(client, editor, recredited(data_dir))
    live.refresh_from_db()
    assert live.attribution.source.name == "IT之家"
    assert "别家号" not in live.attribution.raw_text
    results = Importer(user=editor).import_file(InputFile(FOUNDING, data=recredited(data_dir)))
    assert results.status == "failed" and "发布者" in results.error


def test_a_publisher_or_a_draft_reimport_may_change_the_outlet(client, publisher, data_dir):
    live = archive_import((data_dir / FOUNDING).read_bytes())
    import_through_the_admin(client, publisher, recredited(data_dir))
    live.refresh_from_db()
    assert live.attribution.source.name == "别家号"
    draft_editor = make_staff("editor2", EDITOR)
    editorial.unpublish([live.pk])
    Importer(user=draft_editor).import_file(
        InputFile(FOUNDING, data=(data_dir / FOUNDING).read_bytes())
    )
    live.refresh_from_db()
    assert live.attribution.source.name == "IT之家"


def test_an_editor_cannot_change_the_outlet_in_the_change_form(client, editor, imported):
    url = reverse("admin:articles_article_change", args=[imported.pk])
    client.force_login(editor)
    draft_fields = client.get(url).context["inline_admin_formsets"][0].formset.forms[0].fields
    assert "source" in draft_fields  # a draft's credit is the Editor's to fix
    editorial.publish_now([imported.pk], editor="发布者")
    fields = client.get(url).context["inline_admin_formsets"][0].formset.forms[0].fields
    assert "source" not in fields
