"""Forms of the editorial admin: uploads to import, article credit, scheduling and merging."""

import re
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.db import models
from django.utils import timezone

from articles.images.uploads import ImageUploadField
from articles.models import Article, Attribution, Category, EditorProfile, Entity, Mention

IMPORT_SUFFIXES = (".md", ".markdown", ".zip")


def https_formfield(db_field, **kwargs):
    """Form fields for model fields, URLs without a scheme read as https (Django 6's default)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


def import_limits() -> dict:
    """Upload limits of the import page (settings ``NEWSROOM_IMPORT_*`` override them)."""
    return {
        "max_upload_bytes": getattr(settings, "NEWSROOM_IMPORT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024),
        # Django refuses a request with more than DATA_UPLOAD_MAX_NUMBER_FILES files outright.
        "max_uploads": min(
            getattr(settings, "NEWSROOM_IMPORT_MAX_UPLOADS", 100),
            settings.DATA_UPLOAD_MAX_NUMBER_FILES or 100,
        ),
        "max_files": getattr(settings, "NEWSROOM_IMPORT_MAX_FILES", 300),
        "max_file_bytes": settings.NEWSROOM_MAX_FILE_BYTES,
    }


def format_bytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} 字节"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(IMPORT_SUFFIXES)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ImportUploadForm(forms.Form):
    files = MultipleFileField(
        label="文件",
        error_messages={"required": "请选择要导入的 .md 文件或 .zip 压缩包。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = import_limits()
        self.fields["files"].help_text = (
            f"可多选 .md 文件，或上传一个 .zip 压缩包（其中的 .md 文件都会导入）。"
            f"一次最多 {limits['max_uploads']} 个文件、"
            f"合计 {format_bytes(limits['max_upload_bytes'])}，"
            f"压缩包展开后最多 {limits['max_files']} 篇，单篇不超过 "
            f"{format_bytes(limits['max_file_bytes'])}。"
        )

    def clean_files(self):
        files = self.cleaned_data["files"]
        limits = import_limits()
        if not files:
            raise forms.ValidationError("请选择要导入的 .md 文件或 .zip 压缩包。")
        if len(files) > limits["max_uploads"]:
            raise forms.ValidationError(
                f"一次最多上传 {limits['max_uploads']} 个文件，这次选了 {len(files)} 个；"
                "请分批上传，或把它们打成一个 .zip。"
            )
        wrong = [f.name for f in files if PurePath(f.name).suffix.lower() not in IMPORT_SUFFIXES]
        if wrong:
            raise forms.ValidationError(
                f"只接受 .md 文件和 .zip 压缩包，不能导入：{'、'.join(wrong[:5])}"
                + ("等" if len(wrong) > 5 else "")
                + "。"
            )
        total = sum(f.size for f in files)
        if total > limits["max_upload_bytes"]:
            raise forms.ValidationError(
                f"上传的文件合计 {format_bytes(total)}，超过上限 "
                f"{format_bytes(limits['max_upload_bytes'])}；请分批上传。"
            )
        return files


class ImportConfirmForm(forms.Form):
    publish = forms.BooleanField(
        label="立即发布",
        required=False,
        help_text="新建的文章按原文日期发布；正文为空或日期无法识别的仍存为草稿。",
    )


_NAME_SPLIT = re.compile(r"\s*[、，,;；/|]\s*")
_ROLE_LINE = re.compile(r"^\s*([^：:]{1,20})\s*[：:]\s*(.*)$")


def split_names(text: str) -> list[str]:
    """``"张三、李四, 王五"`` → ``["张三", "李四", "王五"]``; blanks and repeats dropped."""
    names: list[str] = []
    for name in _NAME_SPLIT.split(text or ""):
        name = name.strip()
        if name and name not in names:
            names.append(name)
    return names


def _join(names) -> str:
    return "、".join(names or [])


class AttributionForm(forms.ModelForm):
    """The attribution with its ``roles`` as plain fields instead of JSON."""

    ROLE_FIELDS = {"role_authors": "作者", "role_translators": "译者", "role_editors": "编辑"}

    role_authors = forms.CharField(
        label="原作者", required=False, help_text="多人用“、”或逗号分隔。"
    )
    role_translators = forms.CharField(label="译者", required=False)
    role_editors = forms.CharField(label="编辑", required=False)
    role_others = forms.CharField(
        label="其他署名",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行一个角色，例如“校对：王五”或“采访：赵六、孙七”。",
    )

    class Meta:
        model = Attribution
        formfield_callback = https_formfield
        fields = [
            "source",
            "original_url",
            "original_title",
            "role_authors",
            "role_translators",
            "role_editors",
            "role_others",
            "republisher",
            "is_authorized",
            "indexing_policy",
            "raw_text",
        ]
        widgets = {"raw_text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roles = dict(self.instance.roles or {}) if self.instance else {}
        for field, role in self.ROLE_FIELDS.items():
            self.fields[field].initial = _join(roles.pop(role, []))
        self.fields["role_others"].initial = "\n".join(
            f"{role}：{_join(names)}" for role, names in roles.items() if names
        )

    def clean_role_others(self) -> dict[str, list[str]]:
        roles: dict[str, list[str]] = {}
        for n, line in enumerate((self.cleaned_data.get("role_others") or "").splitlines(), 1):
            if not line.strip():
                continue
            match = _ROLE_LINE.match(line)
            if not match or not split_names(match[2]):
                raise forms.ValidationError(f"第 {n} 行应写成“角色：姓名”，例如“校对：王五”。")
            role = match[1].strip()
            roles[role] = [*roles.get(role, []), *split_names(match[2])]
        return roles

    def clean(self):
        cleaned = super().clean()
        roles = {}
        for field, role in self.ROLE_FIELDS.items():
            names = split_names(cleaned.get(field, ""))
            if names:
                roles[role] = names
        for role, names in (cleaned.get("role_others") or {}).items():
            roles[role] = [
                *roles.get(role, []),
                *(n for n in names if n not in roles.get(role, [])),
            ]
        # ``roles`` is not a form field, so it is set on the instance directly.
        self.instance.roles = roles
        return cleaned


class ArticleAdminForm(forms.ModelForm):
    header_upload = ImageUploadField(label="上传头图")

    class Meta:
        model = Article
        formfield_callback = https_formfield
        fields = [
            "title",
            "slug",
            "summary",
            "body",
            "header_image",
            "header_image_width",
            "header_image_height",
            "thumbnail",
            "author",
            "category",
            "tags",
            "status",
            "published_at",
            "embargo_until",
            "is_comments_enabled",
        ]
        labels = {"header_image_width": "头图宽度", "header_image_height": "头图高度"}
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 24, "class": "nr-body-editor"}),
        }

    editor_user = None  # the admin sets the user who saves (publishing needs their real name)

    def clean(self):
        cleaned = super().clean()
        publishing = "status" in self.fields and cleaned.get("status") == Article.Status.PUBLISHED
        if publishing and not cleaned.get("published_at"):
            cleaned["published_at"] = timezone.now()
        if publishing and (not self.instance.pk or "status" in self.changed_data):
            self._check_may_publish()
        return cleaned

    def _check_may_publish(self):
        from articles.editorial import editor_name, forbidding_licences

        if self.editor_user is not None and not editor_name(self.editor_user):
            raise forms.ValidationError(
                "发布前请先在“个人资料”中填写真实姓名：它将作为“责任编辑”显示在文章页上。"
            )
        if self.instance.pk and forbidding_licences([self.instance.pk]):
            raise forms.ValidationError(
                "这篇文章的来源授权已到期、被撤销或未登记，不能发布。请先续签授权；"
                "发布者可在文章列表中用“覆盖授权并发布”并填写原因。"
            )


class MentionForm(forms.ModelForm):
    class Meta:
        model = Mention
        fields = ["entity", "verdict"]
        labels = {"entity": "实体"}


DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class ScheduleForm(forms.Form):
    published_at = forms.DateTimeField(
        label="发布时间",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="北京时间。到点后文章自动公开，无需任何定时任务。",
    )

    def clean_published_at(self):
        value = self.cleaned_data["published_at"]
        if value <= timezone.now():
            raise forms.ValidationError("定时发布的时间必须在将来；要马上公开请用“立即发布”。")
        return value


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label="覆盖原因",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="为什么在授权失效时仍要发布（例如：已获对方书面续约，合同流程中）。记入日志。",
    )


class TakedownForm(forms.Form):
    reason = forms.CharField(
        label="撤稿原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    requested_by = forms.CharField(
        label="要求方",
        max_length=200,
        required=False,
        help_text="谁要求撤稿（例如：原发媒体的版权联系人、法务部）。",
    )


class RestoreForm(forms.Form):
    reason = forms.CharField(
        label="恢复原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class EditorProfileForm(forms.ModelForm):
    class Meta:
        model = EditorProfile
        fields = ["real_name"]


class MergeForm(forms.Form):
    """Pick the one object the others are merged into."""

    target = forms.ModelChoiceField(
        label="保留", queryset=None, widget=forms.RadioSelect, empty_label=None
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = queryset
        self.fields["target"].error_messages["required"] = "请选择要保留的一项。"


def _lines(text: str) -> list[str]:
    items: list[str] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line and line not in items:
            items.append(line)
    return items


class EntityAdminForm(forms.ModelForm):
    logo_upload = ImageUploadField(label="上传标志")
    aliases = forms.CharField(
        label="别名列表",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个：其他写法，以及合并进来的实体的名称和提供方 ID。",
    )

    class Meta:
        model = Entity
        formfield_callback = https_formfield
        fields = [
            "name",
            "slug",
            "provider_id",
            "aliases",
            "kind",
            "logo_url",
            "external_url",
            "is_never_link",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["aliases"] = "\n".join(self.instance.aliases or [])

    def clean_aliases(self) -> list[str]:
        return _lines(self.cleaned_data.get("aliases", ""))


class CategoryAdminForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "slug", "parent", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = "网址里的英文别名；留空则由名称的拼音生成。"

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        own = self.instance
        if (
            parent is not None
            and own.pk
            and (parent.pk == own.pk or parent.path.startswith(own.path + "/"))
        ):
            raise forms.ValidationError("上级分类不能是它自己或它的下级分类。")
        return parent
