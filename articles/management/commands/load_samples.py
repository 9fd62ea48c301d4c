from django.core.management.base import BaseCommand, CommandError

from articles.samples import SampleError, load


class Command(BaseCommand):
    help = (
        "Load the sample articles in articles/samples (written for the project): import and "
        "publish them, draw their pictures and file their licences. Safe to run again."
    )

    def handle(self, *args, **options):
        try:
            summary = load()
        except SampleError as exc:
            raise CommandError(str(exc)) from exc
        for name, error in summary.problems:
            self.stderr.write(f"{name}: {error}")
        self.stdout.write(summary.line())
        if summary.failed:
            raise CommandError(f"{summary.failed} 个示例文件导入失败。")
