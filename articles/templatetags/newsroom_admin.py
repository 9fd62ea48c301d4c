"""Template helpers for the editorial admin's own templates."""

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from articles.models import Article, Mention

register = template.Library()


@register.simple_tag
def editorial_counts() -> dict:
    """What waits for editors: drafts, scheduled articles and flagged mentions (2 queries)."""
    published = Q(status=Article.Status.PUBLISHED)
    counts = Article.objects.aggregate(
        drafts=Count("pk", filter=~published),
        scheduled=Count("pk", filter=published & Q(published_at__gt=timezone.now())),
    )
    counts["flagged"] = Mention.objects.filter(verdict=Mention.Verdict.FLAGGED).count()
    return counts
