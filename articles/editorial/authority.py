"""Who may change what readers see, and when: the one check, for every path.

Only a Publisher (the ``articles.publish_article`` permission) changes whether or when an
article is public: publishing, scheduling, unpublishing, takedowns and restores, embargoes;
licences need the licence permission. The admin's forms, bulk actions and import all end in
``articles.editorial``, whose runner asks ``check`` for every operation, and the importer asks
``may_change_visibility`` before it touches an existing article's timing. ``user=None`` is the
operator (the shell): full authority; so is a command run inside ``operator()``, which may
still name the user it records (``--as``).
"""

from contextlib import contextmanager
from contextvars import ContextVar

PUBLISH_PERMISSION = "articles.publish_article"
LICENCE_PERMISSION = "articles.change_licence"

# The article fields that decide whether and when readers see it (the public rule's inputs an
# edit can reach; the licence is checked through LICENCE_PERMISSION).
VISIBILITY_FIELDS = ("status", "published_at", "embargo_until", "taken_down_at")

# The attribution fields that decide which outlet's licence applies to an article without a
# licence of its own: crediting another outlet can publish or hide it.
CREDIT_FIELDS = ("source",)
CREDIT_REFUSAL = "只有发布者可以更改已发布或已排期文章的原发来源（来源决定适用哪份授权）。"

# Operation (``runner.operation``) -> the permission it needs.
NEEDS = {
    "publish": PUBLISH_PERMISSION,
    "schedule": PUBLISH_PERMISSION,
    "unpublish": PUBLISH_PERMISSION,
    "takedown": PUBLISH_PERMISSION,
    "restore": PUBLISH_PERMISSION,
    "licence": LICENCE_PERMISSION,
}

REFUSALS = {
    PUBLISH_PERMISSION: "只有发布者可以改变文章是否公开、何时公开。",
    LICENCE_PERMISSION: "只有发布者可以登记、修改或删除授权。",
}


_operator: ContextVar[bool] = ContextVar("newsroom_operator", default=False)


@contextmanager
def operator():
    """Act with the operator's authority (management commands), whoever is recorded."""
    token = _operator.set(True)
    try:
        yield
    finally:
        _operator.reset(token)


def _has(user, permission: str) -> bool:
    return user is None or _operator.get() or user.has_perm(permission)


def can_publish(user) -> bool:
    """Whether ``user`` (None: the operator) may change what is public or when."""
    return _has(user, PUBLISH_PERMISSION)


def may_change_visibility(user) -> bool:
    """Whether an import or edit by ``user`` may change an existing article's
    ``VISIBILITY_FIELDS``."""
    return can_publish(user)


def may_change_credit(user, article) -> bool:
    """Whether ``user`` may change which outlet ``article`` (published, scheduled or a draft)
    is credited to (``CREDIT_FIELDS``): a draft's credit is anyone's to fix."""
    return article.status != "published" or can_publish(user)


def refusal(action: str, user) -> str:
    """Why ``user`` may not run ``action`` ("" when they may)."""
    permission = NEEDS.get(action)
    if permission is None or _has(user, permission):
        return ""
    return REFUSALS[permission]
