"""Localize the images of articles: download each remote image once, keep it with its
renditions in the default storage, and re-render the articles that show it.

The one entry point for ``manage.py localize_images``, the admin action and the benchmark::

    report = Localizer(progress=print_line).localize_articles(Article.objects.filter(...))

Per article it covers the header image, the thumbnail, every body image and the logos of the
entities the article mentions. A remote URL is downloaded once across all articles: a verified
copy is never fetched again; a failed one is recorded with its reason and tried again by the
next run, and until then the article keeps showing the remote URL. Files are named by the
SHA-256 of their bytes, so URLs serving the same image share one set of files.
"""

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F
from django.utils import timezone

from articles.images.fetch import FetchError, FetchLimits, fetch
from articles.images.renditions import (
    ImageInfo,
    ImageRejected,
    inspect_image,
    make_renditions,
    read_header,
    too_many_pixels,
)
from articles.ingest.body import image_sources
from articles.models import Article, Entity, LocalImage, Mention
from articles.pictures import CARD_SIZES, HERO_SIZES, LOGO_SIZES, build_picture
from articles.rendering import RENDERED_FIELDS, set_rendering
from articles.seo import absolute

ARTICLE_CHUNK = 50
LOOKUP_CHUNK = 500  # URLs per query (SQLite limits the parameters of one statement)
SLOT_SIZES = {"header": HERO_SIZES, "thumbnail": CARD_SIZES}

# progress(done, total, url, outcome, detail): called after each image is handled.
Progress = Callable[[int, int, str, str, str], None]


@dataclass
class LocalizeReport:
    articles: int = 0
    rerendered: int = 0
    entities: int = 0
    images: int = 0  # distinct remote images the articles show
    already_local: int = 0
    downloaded: int = 0  # new local copies
    shared: int = 0  # of which the bytes were already stored for another URL
    failed: int = 0
    skipped: int = 0  # not attempted: out of time, or not a downloadable URL
    bytes_originals: int = 0  # downloaded this run
    bytes_renditions: int = 0  # renditions of what was downloaded this run
    seconds: float = 0.0  # spent downloading, verifying and making renditions
    seconds_total: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def seconds_per_image(self) -> float:
        handled = self.downloaded + self.failed
        return self.seconds / handled if handled else 0.0


def storage_name(sha256: str, suffix: str) -> str:
    return f"images/{sha256[:2]}/{sha256}{suffix}"


def _save(name: str, data: bytes) -> str:
    """Store ``data`` under ``name`` unless an identical-sized file is already there."""
    if default_storage.exists(name):
        try:
            if default_storage.size(name) == len(data):
                return name
        except (OSError, NotImplementedError):
            return name
        default_storage.delete(name)  # a partial write from an interrupted run
    return default_storage.save(name, ContentFile(data))


def verify_image(data: bytes, *, local: bool = False) -> ImageInfo:
    """Verify ``data`` against ``NEWSROOM_IMAGE_MAX_PIXELS``, the one pixel limit.

    Over the limit, a downloaded image is refused (ImageRejected ``pixels``, the limit in the
    message); a ``local`` asset, one an editor gave us, is kept as it is: only its header is
    read, nothing is decoded, and ``store_image`` makes no renditions of it.
    """
    max_pixels = settings.NEWSROOM_IMAGE_MAX_PIXELS
    header = read_header(data)
    if header.pixels <= max_pixels:
        return inspect_image(data, max_pixels=max_pixels)
    if not local:
        raise too_many_pixels(header.width, header.height, max_pixels)
    return header


def store_image(data: bytes, *, local: bool = False) -> dict:
    """Verify ``data`` and store it with its renditions; the LocalImage fields to set.

    Raises ImageRejected. Files already stored under the same hash are reused, not rewritten.
    A ``local`` asset over the pixel limit is stored without renditions (see ``verify_image``).
    """
    max_pixels = settings.NEWSROOM_IMAGE_MAX_PIXELS
    info = verify_image(data, local=local)
    sha = hashlib.sha256(data).hexdigest()
    twin = (
        LocalImage.objects.filter(sha256=sha, status=LocalImage.Status.OK)
        .exclude(file="")
        .only("file", "renditions")
        .first()
    )
    fields = {
        "sha256": sha,
        "width": info.width,
        "height": info.height,
        "format": info.format,
        "is_animated": info.is_animated,
        "byte_size": len(data),
        "shared": twin is not None,
    }
    if twin is not None and default_storage.exists(twin.file.name):
        return {**fields, "file": twin.file.name, "renditions": twin.renditions, "new_bytes": 0}
    name = _save(storage_name(sha, "." + info.extension), data)
    renditions, written = [], 0
    if not info.is_animated and info.pixels <= max_pixels:
        for r in make_renditions(
            data,
            max_pixels=max_pixels,
            widths=settings.NEWSROOM_IMAGE_WIDTHS,
            quality=settings.NEWSROOM_IMAGE_QUALITY,
        ):
            stored = _save(storage_name(sha, f"-{r.width}w.{r.extension}"), r.data)
            renditions.append(
                {
                    "name": stored,
                    "width": r.width,
                    "height": r.height,
                    "format": r.format,
                    "bytes": len(r.data),
                }
            )
            written += len(r.data)
    return {**fields, "file": name, "renditions": renditions, "new_bytes": written}


def _is_own(url: str) -> bool:
    """Whether ``url`` is already one of our media files (an upload, a localized copy)."""
    media = settings.MEDIA_URL
    return url.startswith(media) or url.startswith(absolute(media))


def fetch_url_for(url: str) -> str | None:
    """The URL to download for ``url`` as content gives it; None if it cannot be fetched."""
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    if not url.lower().startswith(("http://", "https://")) or _is_own(url):
        return None
    return url


class Localizer:
    """Localize images; reuse one instance for a run (its report adds up).

    ``rewrite`` maps a remote URL to the URL actually downloaded (the benchmark points the
    corpus's CDN at a local server); the remote URL is what is recorded. ``time_budget``
    (seconds) stops starting new downloads once spent: the admin action uses it to answer
    within a request; the rest is done by the next run.
    """

    def __init__(
        self,
        *,
        limits: FetchLimits | None = None,
        rewrite: Callable[[str], str] | None = None,
        progress: Progress | None = None,
        time_budget: float | None = None,
    ):
        self.limits = limits or FetchLimits.from_settings()
        self.rewrite = rewrite
        self.progress = progress
        self.deadline = time.monotonic() + time_budget if time_budget else None
        self.report = LocalizeReport()
        self._done = 0
        self._pictures: dict[str, dict] = {}  # every local image seen this run, by URL
        self._body_urls: dict[int, list[str]] = {}

    # Images

    def localize_urls(self, urls: Iterable[str], total: int | None = None) -> dict[str, dict]:
        """Make sure each of ``urls`` is local if it can be; the pictures of those that are."""
        urls = list(dict.fromkeys(u for u in urls if u))
        known = {}
        for start in range(0, len(urls), LOOKUP_CHUNK):
            chunk = urls[start : start + LOOKUP_CHUNK]
            known.update((i.remote_url, i) for i in LocalImage.objects.filter(remote_url__in=chunk))
        pictures: dict[str, dict] = {}
        total = total or len(urls)
        for url in urls:
            local = known.get(url)
            if local is not None and local.is_ok:
                self.report.already_local += 1
                outcome, detail = "local", ""
            elif fetch_url_for(url) is None or len(url) > 1000:
                self.report.skipped += 1
                outcome, detail = "skipped", "不是可下载的网址"
            elif self.deadline is not None and time.monotonic() > self.deadline:
                self.report.skipped += 1
                outcome, detail = "skipped", "本次运行时间已用完，下次继续"
            else:
                local = self._download(url)
                outcome = "ok" if local.is_ok else "failed"
                detail = (
                    f"{local.width}×{local.height} {local.format}" if local.is_ok else local.error
                )
            self._done += 1
            if self.progress is not None:
                self.progress(self._done, total, url, outcome, detail)
            if local is not None and local.is_ok:
                picture = build_picture(local)
                if picture is not None:
                    pictures[url] = picture
        self._pictures.update(pictures)
        return pictures

    def _download(self, url: str) -> LocalImage:
        started = time.monotonic()
        try:
            fetched = fetch(self.rewrite(url) if self.rewrite else fetch_url_for(url), self.limits)
            fields = store_image(fetched.data)
        except (FetchError, ImageRejected) as exc:
            self.report.failed += 1
            self.report.failures.append((url, exc.message))
            local = self._record(
                url,
                status=LocalImage.Status.FAILED,
                error_code=exc.code,
                error=exc.message[:2000],
            )
        else:
            self.report.downloaded += 1
            self.report.shared += fields.pop("shared")
            self.report.bytes_originals += len(fetched.data)
            self.report.bytes_renditions += fields.pop("new_bytes")
            ok = LocalImage.Status.OK
            local = self._record(url, status=ok, error_code="", error="", **fields)
        self.report.seconds += time.monotonic() - started
        return local

    def _record(self, url: str, **fields) -> LocalImage:
        fields.update(fetched_at=timezone.now())
        local, _ = LocalImage.objects.update_or_create(remote_url=url, defaults=fields)
        LocalImage.objects.filter(pk=local.pk).update(attempts=F("attempts") + 1)
        local.attempts += 1
        return local

    # Articles

    def localize_articles(self, articles: Iterable[Article]) -> LocalizeReport:
        """Localize every image the articles show, then re-render them; return the report."""
        started = time.monotonic()
        ids = [a.pk if isinstance(a, Article) else a for a in articles]
        work = self._plan(ids)
        total = len({url for _, urls in work for url in urls})
        self.report.images = total
        for chunk_ids, urls in work:
            self.localize_urls(urls, total)
            self._apply(chunk_ids)
        self.report.articles = len(ids)
        from articles import editorial  # editorial renders through images: import late

        editorial.localized(ids)
        self.report.seconds_total = time.monotonic() - started
        return self.report

    def _plan(self, ids: list[int]) -> list[tuple[list[int], list[str]]]:
        """Per chunk of articles, the image URLs it shows that no earlier chunk did."""
        seen: set[str] = set()
        plan = []
        for start in range(0, len(ids), ARTICLE_CHUNK):
            chunk = ids[start : start + ARTICLE_CHUNK]
            urls: list[str] = []
            rows = Article.objects.filter(pk__in=chunk).values_list(
                "pk", "header_image", "thumbnail", "body"
            )
            for pk, header, thumbnail, body in rows:
                self._body_urls[pk] = image_sources(body) if body else []
                urls += [header, thumbnail, *self._body_urls[pk]]
            urls += [logo for _, logo in self._entities(chunk)]
            new = [u for u in dict.fromkeys(urls) if u and u not in seen and not _is_own(u)]
            seen.update(new)
            plan.append((chunk, new))
        return plan

    @staticmethod
    def _entities(article_ids: list[int]) -> list[tuple[int, str]]:
        """(entity id, logo URL) of the entities the articles mention, canonical ones too."""
        pairs = set()
        mentions = Mention.objects.filter(article_id__in=article_ids).values_list(
            "entity_id",
            "entity__logo_url",
            "entity__merged_into_id",
            "entity__merged_into__logo_url",
        )
        for entity_id, logo, canonical_id, canonical_logo in mentions:
            pairs.add((entity_id, logo or ""))
            if canonical_id:
                pairs.add((canonical_id, canonical_logo or ""))
        return sorted(pairs)

    def _apply(self, article_ids: list[int]) -> None:
        """Store the pictures on the articles and entities and re-render the articles."""
        known = self._pictures
        for article in Article.objects.filter(pk__in=article_ids).order_by("pk"):
            body_urls = self._body_urls.pop(article.pk, None)
            if body_urls is None:  # created since the plan was made
                body_urls = image_sources(article.body) if article.body else []
            slots = dict(article.local_pictures or {})
            for slot, url in (("header", article.header_image), ("thumbnail", article.thumbnail)):
                if url in known:
                    slots[slot] = {**known[url], "sizes": SLOT_SIZES[slot]}
                elif (slots.get(slot) or {}).get("remote") != url:
                    slots.pop(slot, None)
            rendered = set_rendering(article, images={u: known[u] for u in body_urls if u in known})
            if rendered or slots != article.local_pictures:
                article.local_pictures = slots
                article.save(update_fields=[*RENDERED_FIELDS, "local_pictures"])
                self.report.rerendered += 1
        logos = self._entities(article_ids)
        for entity in Entity.objects.filter(pk__in=[pk for pk, _ in logos]):
            slots = dict(entity.local_pictures or {})
            picture = known.get(entity.logo_url)
            if picture is not None:
                slots["logo"] = {**picture, "sizes": LOGO_SIZES}
            elif (slots.get("logo") or {}).get("remote") != entity.logo_url:
                slots.pop("logo", None)
            if slots != entity.local_pictures:
                entity.local_pictures = slots
                entity.save(update_fields=["local_pictures"])
                self.report.entities += 1


def localize_articles(articles: Iterable[Article], **options) -> LocalizeReport:
    """Localize the images of ``articles`` (instances or ids); see ``Localizer``."""
    return Localizer(**options).localize_articles(articles)
