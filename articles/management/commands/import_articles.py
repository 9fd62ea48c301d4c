import json
import sys
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand

from articles.importer import STATUSES, import_files
from articles.ingest import collect


class Command(BaseCommand):
    help = "Import Hexo-style article files (.md files, directories or .zip archives)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files, directories or .zip archives")
        parser.add_argument(
            "--dry-run", action="store_true", help="parse and report, write nothing"
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish what is created, at the file's date (an archive import)",
        )
        parser.add_argument(
            "--editor",
            metavar="NAME",
            help="责任编辑 credited on what --publish publishes (default NEWSROOM_DEFAULT_EDITOR)",
        )
        parser.add_argument("--report", metavar="FILE", help="write a JSON Lines report")
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="parse and render in this many processes (default: every core; 1: this one)",
        )

    def handle(self, *args, paths, dry_run, publish, report, jobs, editor, **options):
        items = collect(
            paths,
            max_bytes=settings.NEWSROOM_MAX_FILE_BYTES,
            max_entries=settings.NEWSROOM_MAX_ZIP_ENTRIES,
        )
        counts = Counter()
        warnings = 0
        interactive = self.stdout.isatty() and options["verbosity"] >= 1
        report_file = open(report, "w", encoding="utf-8") if report else None  # noqa: SIM115
        try:
            for n, result in enumerate(
                import_files(items, publish=publish, dry_run=dry_run, jobs=jobs, editor=editor), 1
            ):
                counts[result.status] += 1
                warnings += len(result.warnings)
                if report_file:
                    report_file.write(json.dumps(result.report(), ensure_ascii=False) + "\n")
                if result.status == "failed":
                    self.stderr.write(f"失败 {result.file}: {result.error}")
                elif result.status == "conflict":
                    self.stderr.write(f"冲突 {result.file}: {result.error}")
                elif options["verbosity"] >= 2:
                    self.stdout.write(f"{result.status} {result.file}")
                if interactive:
                    self.stdout.write(f"\r已处理 {n} 个文件…", ending="")
                    self.stdout.flush()
        finally:
            if report_file:
                report_file.close()
        if interactive:
            self.stdout.write("")
        self.stdout.write(("演练（未写入）\n" if dry_run else "") + self._table(counts, warnings))
        if counts["failed"]:
            sys.exit(1)

    @staticmethod
    def _table(counts: Counter, warnings: int) -> str:
        rows = [(status, counts[status]) for status in STATUSES]
        rows += [("total", sum(counts.values())), ("warnings", warnings)]
        return "\n".join(f"{name:<10} {value:>6}" for name, value in rows)
