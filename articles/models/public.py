"""The one rule for what a reader may see, for every output.

An article is public when it is published and its publication time has come, it has not been
taken down, its embargo (if any) has passed, and no licence forbids it at this moment: its own
licence if it has one, else its outlet's. A licence forbids once it is revoked or its expiry
date has come (``expires_on`` is the first day it no longer holds, in the site's time zone).
An outlet with no licence on file does not forbid, unless ``NEWSROOM_REQUIRE_LICENCE`` is on.

Everything is decided at query time from the clock, so nothing has to run for an embargo to
end or a licence to lapse. The rule is a ``Q`` (with a ``prefix`` to apply it through a
relation, e.g. ``"article__"`` from a mention), so the ORM, raw-SQL helpers (which compile
querysets built on it) and annotations all share this one definition.
"""

from datetime import date, datetime

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

PUBLISHED = "published"
OWN_LICENCE = "licence"
OUTLET_LICENCE = "attribution__source__licence"


def _q(prefix: str, **lookups) -> Q:
    return Q(**{prefix + name: value for name, value in lookups.items()})


def released_q(now: datetime, prefix: str = "") -> Q:
    """Published, and the publication time has come (scheduling needs no job)."""
    return _q(prefix, status=PUBLISHED, published_at__lte=now)


def scheduled_q(now: datetime, prefix: str = "") -> Q:
    """Published, but its publication time is still to come (what editors call scheduled)."""
    return _q(prefix, status=PUBLISHED, published_at__gt=now)


def draft_q(prefix: str = "") -> Q:
    """Not published (whatever its date)."""
    return ~_q(prefix, status=PUBLISHED)


def standing_q(now: datetime, prefix: str = "") -> Q:
    """Not taken down, and past its embargo."""
    return _q(prefix, taken_down_at__isnull=True) & (
        _q(prefix, embargo_until__isnull=True) | _q(prefix, embargo_until__lte=now)
    )


def _in_force(path: str, today: date, prefix: str) -> Q:
    # On a missing licence (a LEFT JOIN of NULLs) this is true: "nothing forbids it".
    return _q(prefix, **{f"{path}__revoked_at__isnull": True}) & (
        _q(prefix, **{f"{path}__expires_on__isnull": True})
        | _q(prefix, **{f"{path}__expires_on__gt": today})
    )


def licensed_q(today: date, prefix: str = "") -> Q:
    """No licence forbids it today: the article's own, else its outlet's."""
    own = _q(prefix, **{f"{OWN_LICENCE}__isnull": False}) & _in_force(OWN_LICENCE, today, prefix)
    outlet = _q(prefix, **{f"{OWN_LICENCE}__isnull": True}) & _in_force(
        OUTLET_LICENCE, today, prefix
    )
    if settings.NEWSROOM_REQUIRE_LICENCE:
        outlet &= _q(prefix, **{f"{OUTLET_LICENCE}__isnull": False})
    return own | outlet


def public_q(now: datetime | None = None, prefix: str = "") -> Q:
    """The whole rule at ``now`` (default: this moment)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return released_q(now, prefix) & standing_q(now, prefix) & licensed_q(today, prefix)


def where_sql(model, q: Q, connection) -> tuple[str, list]:
    """``q`` (a part of the rule with no joins, such as ``released_q``) as the SQL condition the
    ORM compiles for it over ``model``'s table, named as the table itself: for raw SQL that
    joins that table unaliased, so that it does not restate the rule."""
    query = model._default_manager.filter(q).query
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    return sql, list(params)


def as_flag(q: Q) -> ExpressionWrapper:
    """A part of the rule as a boolean column, for ``annotate``."""
    return ExpressionWrapper(q, output_field=BooleanField())
