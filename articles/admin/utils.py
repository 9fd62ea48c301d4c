"""Helpers the admin modules share (who may publish is ``articles.editorial.authority``)."""

from django.db import models
from django.db.models import Count, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce


def can_import(user) -> bool:
    return user.has_perm("articles.add_article") and user.has_perm("articles.change_article")


class HttpsURLFields:
    """Admin mixin: URLs typed without a scheme are read as https (Django 6's default)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def count_of(queryset, group_by: str):
    """A correlated ``COUNT(*)`` of ``queryset`` rows whose ``group_by`` is the outer row.

    ``queryset`` must already be filtered on ``group_by=OuterRef("pk")``; the result is 0, not
    NULL, for outer rows without any.
    """
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def distinct_count_of(queryset, group_by: str, field: str):
    counted = (
        queryset.order_by().values(group_by).annotate(n=Count(field, distinct=True)).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
