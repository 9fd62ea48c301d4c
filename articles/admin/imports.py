"""The admin's import page: upload, preview (writes nothing), confirm, result.

1. Upload ``.md`` files or a ``.zip``. The upload is expanded into the same ``InputFile`` list
   ``manage.py import_articles`` reads (``read_zip`` for archives) and kept server-side in a
   private temporary batch (``batches``), referenced by a random token in the session.
2. Preview: ``Importer(dry_run=True)`` over the stored batch, one row per file.
3. Confirm: ``Importer(publish=…)`` over exactly those stored bytes; the batch is deleted.
4. Result: what happened to every file, with links to each created or updated article.

The command and the page share the importer, so they never disagree.
"""

from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, TooManyFilesSent
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from articles.admin.batches import (
    claim_batch,
    discard_batch,
    load_batch,
    record_preview,
    save_batch,
    sweep_expired,
)
from articles.admin.forms import ImportConfirmForm, ImportUploadForm, format_bytes, import_limits
from articles.admin.uploads import (
    STATUS_LABELS,
    QuotaUploadHandler,
    expand_uploads,
    preview_rows,
    summarize,
)
from articles.admin.utils import can_import
from articles.editorial import editor_name
from articles.editorial.authority import can_publish
from articles.importer import CREATED, UPDATED, Importer
from articles.models import Article

SESSION_BATCHES = "newsroom_import_batches"
SESSION_RESULTS = "newsroom_import_results"
KEEP_RESULTS = 5


class ImportViews:
    def __init__(self, model_admin):
        self.model_admin = model_admin
        self.protected_upload = csrf_protect(self._upload)

    def context(self, request, **extra):
        return {
            **self.model_admin.admin_site.each_context(request),
            "opts": self.model_admin.opts,
            "limits": import_limits(),
            **extra,
        }

    def check(self, request):
        if not can_import(request.user):
            raise PermissionDenied("导入文章需要新建和修改文章的权限。")

    # 1. Upload

    def upload(self, request):
        """Exempt from the CSRF middleware only so that the size limit is enforced while the
        upload streams in (upload handlers must be set before the body is read); the CSRF check
        runs right after, in ``_upload``."""
        self.check(request)
        if request.method == "POST":
            limits = import_limits()
            quota = QuotaUploadHandler(request, limits["max_upload_bytes"])
            request.upload_handlers.insert(0, quota)
            try:
                request.POST  # noqa: B018 - parse the body now, with the quota in place
            except TooManyFilesSent:
                return self.upload_page(
                    request,
                    ImportUploadForm(),
                    [
                        f"一次最多上传 {limits['max_uploads']} 个文件；请分批上传，"
                        "或把它们打成一个 .zip。"
                    ],
                )
            if quota.exceeded:
                return self.upload_page(
                    request,
                    ImportUploadForm(),
                    [
                        f"上传的文件合计超过 {format_bytes(limits['max_upload_bytes'])}，"
                        "已停止接收；请分批上传。"
                    ],
                )
        return self.protected_upload(request)

    def _upload(self, request):
        sweep_expired()
        if request.method != "POST":
            return self.upload_page(request, ImportUploadForm(), [])
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.upload_page(request, form, [])
        limits = import_limits()
        items = expand_uploads(form.cleaned_data["files"], limits)
        if not items:
            return self.upload_page(request, form, ["上传的压缩包里没有 .md 文件。"])
        if len(items) > limits["max_files"]:
            return self.upload_page(
                request,
                form,
                [
                    f"一次最多导入 {limits['max_files']} 篇文章，这次共有 {len(items)} 个文件；"
                    "请分成几个较小的压缩包上传。"
                ],
            )
        batch = save_batch(items, request.user.pk)
        tokens = [*request.session.get(SESSION_BATCHES, []), batch.token][-10:]
        request.session[SESSION_BATCHES] = tokens
        return redirect("admin:articles_article_import_preview", batch.token)

    def upload_page(self, request, form, errors):
        context = self.context(request, title="导入文章", form=form, errors=errors)
        return TemplateResponse(request, "admin/articles/import/upload.html", context)

    # 2. Preview and 3. confirm

    def _owned(self, request, token) -> bool:
        return token in request.session.get(SESSION_BATCHES, [])

    def _forget(self, request, token):
        request.session[SESSION_BATCHES] = [
            t for t in request.session.get(SESSION_BATCHES, []) if t != token
        ]

    def _gone(self, request):
        messages.error(request, "这批文件已经导入、已取消或已过期（保留 2 小时），请重新上传。")
        return redirect("admin:articles_article_import")

    def preview(self, request, token):
        self.check(request)
        if request.method == "POST":
            return self.confirm(request, token)
        batch = load_batch(token, request.user.pk) if self._owned(request, token) else None
        if batch is None:
            return self._gone(request)
        importer = Importer(dry_run=True)
        results = [importer.import_file(item) for item in batch.items]
        record_preview(batch, [r.status for r in results])
        rows = preview_rows(batch.items, results)
        importable = sum(1 for r in results if r.status in (CREATED, UPDATED))
        context = self.context(
            request,
            title="导入预览",
            token=token,
            rows=rows,
            summary=summarize(r.status for r in results),
            total=len(rows),
            warnings=sum(len(row["warnings"]) for row in rows),
            flagged=sum(row["flagged"] for row in rows),
            importable=importable,
            form=ImportConfirmForm(),
            can_publish=can_publish(request.user),
        )
        return TemplateResponse(request, "admin/articles/import/preview.html", context)

    def confirm(self, request, token):
        if "_cancel" in request.POST:
            if not self._owned(request, token):
                return self._gone(request)
            discard_batch(token, request.user.pk)
            self._forget(request, token)
            messages.info(request, "已取消，这批文件已删除，没有导入任何内容。")
            return redirect("admin:articles_article_import")
        form = ImportConfirmForm(request.POST)
        publish = form.is_valid() and form.cleaned_data["publish"]
        if publish and not can_publish(request.user):
            raise PermissionDenied("你没有发布文章的权限，不能在导入时立即发布。")
        editor = editor_name(request.user)
        if publish and not editor:
            messages.error(
                request,
                "导入时立即发布需要先在“个人资料”中填写真实姓名（作为“责任编辑”署名）；"
                "这批文件仍保留，填写后可重新确认。",
            )
            return redirect(request.get_full_path())
        batch = claim_batch(token, request.user.pk) if self._owned(request, token) else None
        if batch is None:
            return self._gone(request)
        self._forget(request, token)
        importer = Importer(publish=publish, editor=editor, user=request.user)
        results = [importer.import_file(item) for item in batch.items]
        self._log(request, results)
        rows = [
            {
                "file": r.file,
                "status": r.status,
                "label": STATUS_LABELS[r.status],
                "previewed": batch.previewed[n] if n < len(batch.previewed) else r.status,
                "title": r.parsed.title if r.parsed else "",
                "article_id": r.article_id,
                "error": r.error,
                "warnings": r.warnings,
            }
            for n, r in enumerate(results)
        ]
        stored = dict(request.session.get(SESSION_RESULTS, {}))
        stored[token] = {"publish": publish, "rows": rows}
        request.session[SESSION_RESULTS] = dict(list(stored.items())[-KEEP_RESULTS:])
        return redirect("admin:articles_article_import_done", token)

    def _log(self, request, results):
        for flag, status, message in (
            (ADDITION, CREATED, "通过导入页面创建"),
            (CHANGE, UPDATED, "通过导入页面更新"),
        ):
            ids = [r.article_id for r in results if r.status == status and r.article_id]
            if ids:
                LogEntry.objects.log_actions(
                    request.user.pk, Article.objects.filter(pk__in=ids), flag, message
                )

    # 4. Result

    def done(self, request, token):
        self.check(request)
        stored = request.session.get(SESSION_RESULTS, {}).get(token)
        if stored is None:
            return self._gone(request)
        rows = [dict(row) for row in stored["rows"]]  # never put objects into the session
        articles = Article.objects.in_bulk(
            [r["article_id"] for r in rows if r["article_id"]]
        )  # current state, for the links
        for row in rows:
            row["article"] = articles.get(row["article_id"])
            row["previewed_label"] = STATUS_LABELS.get(row["previewed"], row["previewed"])
            row["changed"] = row["previewed"] != row["status"]
            if row["article"] is not None:
                row["change_url"] = reverse(
                    "admin:articles_article_change", args=[row["article_id"]]
                )
                row["site_url"] = (
                    row["article"].get_absolute_url()
                    if row["article"].is_public
                    else reverse("articles:preview", args=[row["article_id"]])
                )
        context = self.context(
            request,
            title="导入结果",
            rows=rows,
            publish=stored["publish"],
            summary=summarize(r["status"] for r in rows),
            total=len(rows),
        )
        return TemplateResponse(request, "admin/articles/import/result.html", context)


def urls(model_admin) -> list:
    views = ImportViews(model_admin)
    wrap = model_admin.admin_site.admin_view
    return [
        path("import/", wrap(csrf_exempt(views.upload)), name="articles_article_import"),
        path(
            "import/<str:token>/",
            wrap(views.preview),
            name="articles_article_import_preview",
        ),
        path(
            "import/<str:token>/done/",
            wrap(views.done),
            name="articles_article_import_done",
        ),
    ]
