from django.core.management.base import BaseCommand, CommandError

from articles.images.localize import Localizer
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Download the remote images of articles (header, thumbnail, body, entity logos) once, "
        "keep them with responsive renditions in the media storage, and re-render the articles."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--article", type=int, nargs="+", action="extend", default=[], metavar="ID",
            help="only these articles (default: all)",
        )  # fmt: skip
        parser.add_argument(
            "--limit", type=int, default=None, metavar="N",
            help="at most N articles (by id), e.g. to go through a large site in steps",
        )  # fmt: skip

    def handle(self, *args, article, limit, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1")
        articles = Article.objects.order_by("pk")
        if article:
            articles = articles.filter(pk__in=article)
            missing = set(article) - set(articles.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"no article with id {', '.join(map(str, sorted(missing)))}")
        ids = list(articles.values_list("pk", flat=True)[:limit])
        verbosity = options["verbosity"]
        interactive = self.stdout.isatty() and verbosity >= 1

        def progress(done, total, url, outcome, detail):
            if outcome == "failed":
                self.stderr.write(f"失败 [{done}/{total}] {url}: {detail}")
            elif verbosity >= 2:
                self.stdout.write(f"[{done}/{total}] {outcome:8} {url} {detail}".rstrip())
            elif interactive:
                self.stdout.write(f"\r已处理 {done}/{total} 张图片…", ending="")
                self.stdout.flush()
            elif verbosity >= 1 and (done % 50 == 0 or done == total):
                self.stdout.write(f"已处理 {done}/{total} 张图片")

        report = Localizer(progress=progress).localize_articles(ids)
        if interactive:
            self.stdout.write("")
        rows = [
            ("articles", report.articles),
            ("re-rendered", report.rerendered),
            ("entity logos", report.entities),
            ("images", report.images),
            ("already local", report.already_local),
            ("downloaded", report.downloaded),
            ("  same bytes as another URL", report.shared),
            ("failed (kept remote)", report.failed),
            ("skipped", report.skipped),
            ("bytes downloaded", report.bytes_originals),
            ("bytes of renditions", report.bytes_renditions),
        ]
        width = max(len(label) for label, _ in rows)
        lines = [f"{label:<{width}}  {value}" for label, value in rows]
        handled = report.downloaded + report.failed
        if handled:
            lines.append(f"{'seconds per image':<{width}}  {report.seconds_per_image:.3f}")
        self.stdout.write("\n".join(lines))
