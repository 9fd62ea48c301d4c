from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from articles.admin.forms import (
    AttributionForm,
    CategoryAdminForm,
    EntityAdminForm,
    ImportUploadForm,
    ScheduleForm,
    format_bytes,
    split_names,
)
from articles.models import Attribution
from tests.factories import make_category, make_entity


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("", []),
        ("郑玥", ["郑玥"]),
        ("杜晨、光谱", ["杜晨", "光谱"]),
        ("Tim Denning, TeresaChen", ["Tim Denning", "TeresaChen"]),
        (" 甲 ，乙；丙 / 丁 | 甲 ", ["甲", "乙", "丙", "丁"]),
    ],
)
def test_split_names(text, names):
    assert split_names(text) == names


@pytest.mark.parametrize(
    ("size", "text"),
    [(512, "512 字节"), (10_000, "9 KB"), (2 * 1024 * 1024, "2 MB"), (5_500_000, "5.2 MB")],
)
def test_format_bytes(size, text):
    assert format_bytes(size) == text


def test_attribution_form_shows_roles_as_fields():
    attribution = Attribution(
        roles={"作者": ["杜晨", "光谱"], "编辑": ["VickyXiao"], "校对": ["王五"]}
    )
    form = AttributionForm(instance=attribution)
    assert form["role_authors"].value() == "杜晨、光谱"
    assert form["role_editors"].value() == "VickyXiao"
    assert form["role_translators"].value() == ""
    assert form["role_others"].value() == "校对：王五"


@pytest.mark.django_db
def test_attribution_form_builds_roles_in_reading_order():
    form = AttributionForm(
        data={
            "role_authors": "Tim Denning",
            "role_translators": "TeresaChen",
            "role_editors": "",
            "role_others": "校对：王五\n\n作者: 李四\n采访：赵六、孙七",
            "indexing_policy": "",
        },
        instance=Attribution(),
    )
    assert form.is_valid(), form.errors
    assert form.instance.roles == {
        "作者": ["Tim Denning", "李四"],
        "译者": ["TeresaChen"],
        "校对": ["王五"],
        "采访": ["赵六", "孙七"],
    }


@pytest.mark.django_db
def test_attribution_form_rejects_a_role_line_without_names():
    form = AttributionForm(data={"role_others": "校对王五", "indexing_policy": ""})
    assert not form.is_valid()
    assert "第 1 行" in form.errors["role_others"][0]


def test_upload_form_accepts_markdown_and_zip(settings):
    files = [SimpleUploadedFile("a.md", b"x"), SimpleUploadedFile("b.ZIP", b"y")]
    form = ImportUploadForm(data={}, files=MultiValueDict({"files": files}))
    assert form.is_valid(), form.errors
    assert [f.name for f in form.cleaned_data["files"]] == ["a.md", "b.ZIP"]


def test_upload_form_help_states_the_limits(settings):
    settings.NEWSROOM_IMPORT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    settings.NEWSROOM_IMPORT_MAX_FILES = 300
    help_text = ImportUploadForm().fields["files"].help_text
    assert "20 MB" in help_text and "300 篇" in help_text and "100 个文件" in help_text


def test_schedule_form_needs_a_future_time():
    past = ScheduleForm(data={"published_at": "2001-01-01T08:00"})
    assert not past.is_valid() and "将来" in past.errors["published_at"][0]
    later = timezone.localtime() + timedelta(days=2)
    future = ScheduleForm(data={"published_at": later.strftime("%Y-%m-%dT%H:%M")})
    assert future.is_valid(), future.errors
    assert future.cleaned_data["published_at"].tzinfo is not None


@pytest.mark.django_db
def test_category_form_refuses_a_cycle():
    leaf = make_category("新媒体", "36kr", "资讯")
    root = leaf.parent.parent
    form = CategoryAdminForm(
        data={"name": root.name, "slug": root.slug, "parent": leaf.pk}, instance=root
    )
    assert not form.is_valid()
    assert "下级分类" in form.errors["parent"][0]


@pytest.mark.django_db
def test_entity_form_edits_aliases_one_per_line():
    entity = make_entity("京东", aliases=["JD", "360buy"])
    form = EntityAdminForm(instance=entity)
    assert form["aliases"].value() == "JD\n360buy"
    data = {
        "name": "京东",
        "slug": entity.slug,
        "provider_id": entity.provider_id,
        "aliases": "JD\n\n京东商城\nJD\n",
        "kind": "",
        "logo_url": "",
        "external_url": "",
    }
    bound = EntityAdminForm(data=data, instance=entity)
    assert bound.is_valid(), bound.errors
    assert bound.save().aliases == ["JD", "京东商城"]
