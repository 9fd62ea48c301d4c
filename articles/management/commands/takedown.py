from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles import editorial
from articles.editorial import authority
from articles.models import Article, Takedown


class Command(BaseCommand):
    help = (
        "Take articles down (撤稿) at once: every URL answers 410, feeds carry a tombstone. "
        "--list prints the log; --restore ID brings one back."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, metavar="ID", help="article ids")
        parser.add_argument("--reason", default="", help="why (required to take down)")
        parser.add_argument("--requested-by", default="", help="who asked for it")
        parser.add_argument(
            "--as", dest="as_user", default="", metavar="USER", help="recorded as the operator"
        )
        parser.add_argument(
            "--list", dest="show_log", action="store_true", help="print the takedown log"
        )
        parser.add_argument("--restore", type=int, metavar="ID", help="bring an article back")

    def execute(self, *args, **options):
        # A command acts with the operator's authority; ``--as`` only names who is recorded.
        with authority.operator():
            return super().execute(*args, **options)

    def handle(self, *, ids, reason, requested_by, as_user, show_log, restore, **options):
        user, actor = _operator(as_user)
        if show_log:
            return self.print_log()
        if restore is not None:
            try:
                editorial.restore(restore, reason=reason, user=user, actor=actor)
            except editorial.EditorialError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"已恢复文章 {restore}。")
            return None
        if not ids:
            raise CommandError("请给出要撤稿的文章 id，或用 --list / --restore ID。")
        missing = set(ids) - set(Article.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if missing:
            raise CommandError(f"没有这些文章：{', '.join(map(str, sorted(missing)))}")
        try:
            done = editorial.take_down(
                ids, reason=reason, requested_by=requested_by, user=user, actor=actor
            )
        except editorial.EditorialError as exc:
            raise CommandError(str(exc)) from exc
        skipped = len(set(ids)) - len(done)
        self.stdout.write(
            f"已撤稿 {len(done)} 篇" + (f"，{skipped} 篇此前已撤稿" if skipped else "") + "。"
        )
        return None

    def print_log(self):
        rows = Takedown.objects.select_related("article").order_by("-taken_down_at", "-pk")
        self.stdout.write("id\ttitle\twhen\tby\treason\trequested_by\trestored")
        for row in rows:
            when = timezone.localtime(row.taken_down_at).strftime("%Y-%m-%d %H:%M")
            restored = (
                f"{timezone.localtime(row.restored_at):%Y-%m-%d %H:%M} {row.restored_by}".strip()
                if row.restored_at
                else ""
            )
            fields = [
                row.article_id,
                row.article.title,
                when,
                row.actor,
                row.reason,
                row.requested_by,
                restored,
            ]
            cells = (" ".join(str(field).split()) for field in fields)
            self.stdout.write("\t".join(cells))


def _operator(name: str):
    """The user ``--as`` names (or just the name, when no such user exists): commands act with
    the operator's authority, the name is what the log records."""
    if not name:
        return None, "manage.py"
    user = get_user_model().objects.filter(username=name).first()
    return user, name
