"""The import page's building blocks: reading uploads within limits, and the preview rows."""

from collections import Counter
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from articles.importer import CONFLICT, CREATED, FAILED, UNCHANGED, UPDATED
from articles.ingest import InputFile, read_zip
from articles.mentions import EDITOR_VERDICTS, entity_key, kept_verdict
from articles.models import Article, Entity, Mention, Source

STATUS_LABELS = {
    CREATED: "新建",
    UPDATED: "更新",
    UNCHANGED: "未变",
    CONFLICT: "冲突",
    FAILED: "错误",
}
VERDICT_LABELS = {
    "linked": "链接",
    "flagged": "存疑",
    "confirmed": "已确认",
    "rejected": "已驳回",
    "never": "从不链接",
}
CHANNEL_LABELS = dict(Source.Channel.choices)


class QuotaUploadHandler(FileUploadHandler):
    """Stop storing uploaded files once their total passes the limit; the rest is discarded."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def expand_uploads(files, limits: dict) -> list[InputFile]:
    """The files to import from the uploads: each ``.md``, and every ``.md`` inside a ``.zip``."""
    items: list[InputFile] = []
    max_bytes = limits["max_file_bytes"]
    for upload in files:
        # Browsers send a file name's double quotes as %22 (the HTML multipart encoding); the
        # name is the article's identity, so it must match what the command sees on disk.
        name = PurePath(upload.name).name.replace("%22", '"')
        if name.lower().endswith(".zip"):
            upload.seek(0)
            items.extend(
                read_zip(
                    upload,
                    name,
                    max_bytes=max_bytes,
                    max_entries=settings.NEWSROOM_MAX_ZIP_ENTRIES,
                )
            )
        elif upload.size > max_bytes:
            items.append(
                InputFile(
                    name,
                    error=f"文件过大：{upload.size} 字节，上限 {max_bytes} 字节。",
                )
            )
        else:
            items.append(InputFile(name, data=upload.read()))
    return items


def _duplicate_warnings(items: list[InputFile]) -> dict[int, str]:
    """Files of one batch with the same name are the same article: the later one updates it."""
    seen: dict[str, str] = {}
    warnings = {}
    for n, item in enumerate(items):
        if item.key in seen:
            warnings[n] = (
                f"本批次中已有同名文件 {seen[item.key]}，两者对应同一篇文章，后者会覆盖前者。"
            )
        else:
            seen[item.key] = item.name
    return warnings


def preview_rows(items: list[InputFile], results) -> list[dict]:
    """What the preview table shows for each file, in a fixed number of queries."""
    provider_ids = {entity_key(m) for r in results if r.parsed for m in r.parsed.mentions}
    entities = {
        e.provider_id: e
        for e in Entity.objects.filter(provider_id__in=provider_ids).select_related("merged_into")
    }
    article_ids = [r.article_id for r in results if r.article_id]
    articles = {
        a.pk: a
        for a in Article.objects.filter(pk__in=article_ids).only("pk", "title", "status", "slug")
    }
    decided = {
        (m.article_id, m.position): m
        for m in Mention.objects.filter(
            article_id__in=article_ids,
            verdict__in=EDITOR_VERDICTS,
        )
    }
    duplicates = _duplicate_warnings(items)
    rows = []
    for n, result in enumerate(results):
        parsed = result.parsed
        mentions = []
        for position, m in enumerate(parsed.mentions if parsed else []):
            entity = entities.get(entity_key(m))
            target = (entity.merged_into or entity) if entity else None
            verdict, reason = m.verdict, m.reason
            old = decided.get((result.article_id, position))
            if kept_verdict(old, target, m.text):
                verdict, reason = old.verdict, "编辑已判定，重新导入时保留"
            if target and target.is_never_link:
                verdict, reason = "never", "该实体设为从不链接"
            mentions.append(
                {
                    "text": m.text,
                    "name": m.name,
                    "data_id": m.data_id,
                    "verdict": verdict,
                    "label": VERDICT_LABELS[verdict],
                    "reason": reason,
                    "entity": target,
                    "is_new": entity is None,
                }
            )
        attribution = parsed.attribution if parsed else None
        rows.append(
            {
                "n": n + 1,
                "file": result.file,
                "status": result.status,
                "label": STATUS_LABELS[result.status],
                "error": result.error,
                "warnings": [*result.warnings, *([duplicates[n]] if n in duplicates else [])],
                "parsed": parsed,
                "article": articles.get(result.article_id),
                "source": attribution,
                "channel": CHANNEL_LABELS.get(attribution.channel, "") if attribution else "",
                "roles": list((attribution.roles or {}).items()) if attribution else [],
                "mentions": mentions,
                "flagged": sum(1 for m in mentions if m["verdict"] == "flagged"),
            }
        )
    return rows


def summarize(statuses) -> list[dict]:
    counts = Counter(statuses)
    return [
        {"status": status, "label": label, "count": counts[status]}
        for status, label in STATUS_LABELS.items()
        if counts[status]
    ]
