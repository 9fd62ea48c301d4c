"""Category changes that cascade: a category's path and names live in every descendant."""

from articles.editorial.runner import operation
from articles.models import Category

TREE_FIELDS = {"name", "slug", "parent"}


def save_category(category: Category, changed: set[str] | None = None, *, user=None) -> int:
    """Save ``category`` and, when its name, slug or parent changed (``changed``: the field
    names; None means unknown), rebuild the stored paths below it. Return how many
    descendants were rebuilt."""
    with operation("category", user=user) as op:
        category.save()
        rebuilt = _rebuild_descendants(category) if changed is None or TREE_FIELDS & changed else 0
        op.log(category=category.pk, rebuilt=rebuilt)
    return rebuilt


def _rebuild_descendants(category: Category) -> int:
    rebuilt = 0
    for child in category.children.all():
        child.parent = category
        child.save()
        rebuilt += 1 + _rebuild_descendants(child)
    return rebuilt
