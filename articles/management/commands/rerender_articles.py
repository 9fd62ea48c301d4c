from django.core.management.base import BaseCommand

from articles.importer import fingerprint, mentions_from_body, sync_mentions
from articles.ingest import parse_article
from articles.models import Article
from articles.rendering import RENDERED_FIELDS, set_rendering


class Command(BaseCommand):
    help = "Re-render every article (after the rendering or sanitizing rules change)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reparse",
            action="store_true",
            help="re-parse the body from the stored original file where no editor changed it",
        )

    def handle(self, *, reparse, **options):
        done = reparsed = 0
        for article in Article.objects.select_related("attribution").iterator(chunk_size=200):
            unedited = article.import_fingerprint == fingerprint(article)
            if reparse and article.raw and unedited:
                parsed = parse_article(article.source_file, article.raw.encode("utf-8"))
                article.body = parsed.body
                sync_mentions(article, parsed.mentions)
                reparsed += 1
            elif reparse and article.body:
                sync_mentions(article, mentions_from_body(article.body))
            set_rendering(article)
            fields = ["body", *RENDERED_FIELDS]
            if unedited:
                article.import_fingerprint = fingerprint(article)
                fields.append("import_fingerprint")
            article.save(update_fields=fields)
            done += 1
        self.stdout.write(f"rendered {done} articles, re-parsed {reparsed}")
