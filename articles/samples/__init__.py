"""The sample content ``make serve`` loads (``manage.py load_samples``).

The ``.md`` files here were written for the project: their outlets, companies and people are
fictitious (``示例…``) or the newsroom's own, so they may ship with the code, unlike the
development corpus. Together they exercise every credit style and entity case the importer
reads. ``load()`` imports and publishes them, draws their pictures (``images``) and files
their licences (``licences.json``); running it again changes nothing.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings

from articles.editorial import set_licence
from articles.importer import FAILED, STATUSES, ImportResult, import_files
from articles.ingest import collect
from articles.models import Article, Licence, Source
from articles.samples.images import ImageReport, attach_images

SAMPLES_DIR = Path(__file__).resolve().parent
LICENCES_FILE = SAMPLES_DIR / "licences.json"
ACTOR = "load_samples"
SAMPLE_EDITOR = "示例编辑"  # 责任编辑 of the samples: a made-up name, clearly one
REASON = "示例授权"
_DATES = ("granted_on", "expires_on")


class SampleError(Exception):
    """The samples and their licences disagree; the message says how."""


@dataclass
class LoadSummary:
    statuses: Counter = field(default_factory=Counter)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (file, error)
    images: ImageReport = field(default_factory=ImageReport)
    licences: int = 0
    licences_changed: int = 0

    @property
    def failed(self) -> int:
        return self.statuses[FAILED]

    def line(self) -> str:
        files = "、".join(f"{s} {self.statuses[s]}" for s in STATUSES if self.statuses[s])
        i = self.images
        return (
            f"示例文章 {sum(self.statuses.values())} 篇（{files or '无'}）；"
            f"图片：头图 {i.headers}、标志 {i.logos}、正文 {i.body_images}，本次写入 {i.changed}；"
            f"授权 {self.licences} 条，本次登记 {self.licences_changed}"
        )


def import_samples() -> list[ImportResult]:
    """Import (and publish what is new) every sample file; one result per file."""
    items = collect([SAMPLES_DIR], max_bytes=settings.NEWSROOM_MAX_FILE_BYTES)
    return list(import_files(items, publish=True, editor=SAMPLE_EDITOR))


def _licence_fields(entry: dict) -> dict:
    values = dict(entry)
    for name in _DATES:
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    return values


def read_licences(path: Path = LICENCES_FILE) -> tuple[dict[tuple[str, str], dict], dict]:
    """The licence of each outlet, by (channel, name), and the one for our own articles."""
    data = json.loads(path.read_text(encoding="utf-8"))
    outlets = {}
    for entry in data["outlets"]:
        entry = dict(entry)
        key = (entry.pop("channel"), entry.pop("outlet"))
        outlets[key] = _licence_fields(entry)
    return outlets, _licence_fields(data["own"])


def _file(holder: Source | Article, values: dict) -> bool:
    """Set ``holder``'s licence to ``values`` unless it already says that; return whether set."""
    current = Licence.objects.filter(
        **({"source": holder} if isinstance(holder, Source) else {"article": holder})
    ).first()
    if current is not None and all(getattr(current, k) == v for k, v in values.items()):
        return False
    set_licence(holder, actor=ACTOR, reason=REASON, **values)
    return True


def apply_licences(articles: list[Article], path: Path = LICENCES_FILE) -> tuple[int, int]:
    """File the licence of every outlet of ``articles`` and of each of our own articles.

    Return (licences on file, licences set by this call). Raise SampleError when an outlet
    has no entry in the file, or the file names an outlet no sample comes from.
    """
    outlets, own = read_licences(path)
    sources = Source.objects.filter(attributions__article__in=articles).distinct()
    found = {(s.channel, s.name): s for s in sources}
    missing = sorted(f"{name}（{channel}）" for channel, name in found.keys() - outlets.keys())
    unused = sorted(f"{name}（{channel}）" for channel, name in outlets.keys() - found.keys())
    if missing or unused:
        raise SampleError(
            f"{LICENCES_FILE.name} 与示例文章不一致："
            + "；".join(
                part
                for part in (
                    f"缺少授权：{'、'.join(missing)}" if missing else "",
                    f"没有示例文章的来源：{'、'.join(unused)}" if unused else "",
                )
                if part
            )
        )
    holders: list[tuple[Source | Article, dict]] = [(s, outlets[k]) for k, s in found.items()]
    holders += [
        (article, own)
        for article in Article.objects.filter(
            pk__in=[a.pk for a in articles], attribution__source__isnull=True
        )
    ]
    changed = sum(_file(holder, values) for holder, values in holders)
    return len(holders), changed


def load() -> LoadSummary:
    """Import and publish the samples, attach their pictures, file their licences."""
    summary = LoadSummary()
    results = import_samples()
    for result in results:
        summary.statuses[result.status] += 1
        if result.error:
            summary.problems.append((result.file, result.error))
    ids = [r.article_id for r in results if r.article_id is not None]
    articles = list(Article.objects.filter(pk__in=ids).order_by("pk"))
    summary.images = attach_images(articles)
    summary.licences, summary.licences_changed = apply_licences(articles)
    return summary
