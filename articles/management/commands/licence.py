from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from articles import editorial
from articles.editorial import authority
from articles.management.commands.takedown import _operator
from articles.models import Licence, Source
from articles.models.rights import LICENCE_STATUS_LABELS


class Command(BaseCommand):
    help = (
        "Show or change an outlet's licence. SOURCE is its name or slug; a name matching "
        "several outlets applies to each. An expired licence withdraws the outlet's articles "
        "everywhere at once; a renewal brings them back (except those taken down)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="SOURCE")
        parser.add_argument(
            "--expires",
            metavar="YYYY-MM-DD",
            help="first day it no longer holds ('never' for no end)",
        )
        parser.add_argument("--basis", choices=Licence.Basis.values)
        parser.add_argument("--granted-by", help="who granted it (contact)")
        parser.add_argument("--reference", help="contract number or e-mail")
        parser.add_argument("--revoke", action="store_true", help="revoke it now")
        parser.add_argument("--reason", default="", help="recorded in the history")
        parser.add_argument("--as", dest="as_user", default="", metavar="USER")
        parser.add_argument("--show", action="store_true", help="print it (and its history)")

    def execute(self, *args, **options):
        # A command acts with the operator's authority; ``--as`` only names who is recorded.
        with authority.operator():
            return super().execute(*args, **options)

    def handle(self, *, source, show, as_user, reason, **options):
        sources = _sources(source)
        if not sources:
            raise CommandError(f"没有名称或 slug 为“{source}”的来源。")
        if len(sources) > 1:
            self.stdout.write(f"“{source}”匹配 {len(sources)} 个来源，逐一处理：")
        values = _values(options)
        user, actor = _operator(as_user)
        for outlet in sources:
            if values:
                editorial.set_licence(outlet, user=user, actor=actor, reason=reason, **values)
            self.print_licence(outlet, history=show)

    def print_licence(self, source: Source, *, history: bool) -> None:
        licence = Licence.objects.filter(source=source).first()
        if licence is None:
            self.stdout.write(f"{source.name}（{source.slug}）：{LICENCE_STATUS_LABELS['none']}")
            return
        expires = licence.expires_on.isoformat() if licence.expires_on else "长期"
        self.stdout.write(
            f"{source.name}（{source.slug}）：{licence.get_basis_display()}，"
            f"{LICENCE_STATUS_LABELS[licence.status()]}，到期日 {expires}"
            + (f"，授权人 {licence.granted_by}" if licence.granted_by else "")
            + (f"，凭证 {licence.reference}" if licence.reference else "")
        )
        if history:
            for entry in editorial.licence_history(licence):
                when = timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M")
                changed = "、".join(entry.data.get("changed", []))
                self.stdout.write(f"  {when} {entry.actor} {changed} {entry.reason}".rstrip())


def _sources(text: str) -> list[Source]:
    exact = list(Source.objects.filter(Q(slug=text) | Q(name=text)).order_by("name", "pk"))
    return exact or list(Source.objects.filter(name__icontains=text).order_by("name", "pk"))


def _values(options) -> dict:
    values = {}
    if options["expires"]:
        if options["expires"].lower() in ("never", "none", ""):
            values["expires_on"] = None
        else:
            try:
                values["expires_on"] = date.fromisoformat(options["expires"])
            except ValueError as exc:
                raise CommandError("--expires 应为 YYYY-MM-DD，或 never。") from exc
        values["revoked_at"] = None  # setting an expiry renews a revoked licence
    for name in ("basis", "granted_by", "reference"):
        if options[name] is not None:
            values[name] = options[name]
    if options["revoke"]:
        values["revoked_at"] = timezone.now()
    return values
