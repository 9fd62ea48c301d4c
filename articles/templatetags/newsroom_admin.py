"""Template helpers for the editorial admin's own templates."""

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from articles.models import Article, Mention
from articles.models.public import draft_q, public_q, released_q, scheduled_q, standing_q

register = template.Library()


@register.simple_tag
def editorial_counts() -> dict:
    """What waits for editors: drafts, scheduled, withdrawn (a licence lapsed) and taken-down
    articles, and flagged mentions (2 queries)."""
    now = timezone.now()
    counts = Article.objects.aggregate(
        drafts=Count("pk", filter=draft_q()),
        scheduled=Count("pk", filter=scheduled_q(now)),
        withdrawn=Count("pk", filter=released_q(now) & standing_q(now) & ~public_q(now)),
        taken_down=Count("pk", filter=Q(taken_down_at__isnull=False)),
    )
    counts["flagged"] = Mention.objects.filter(verdict=Mention.Verdict.FLAGGED).count()
    return counts
