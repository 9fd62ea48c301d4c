"""Every editorial state change: publish, schedule, unpublish, take down, restore, licences,
verdicts, merges and re-rendering. The admin, the commands and the importer all call these.

Each operation runs inside ``runner.operation()``: one transaction, its log entries
(``EditorialLog``), the content version (``articles.caching.content_changed``: every server
process sees the change at once) and, after commit, the CDN purge hook. Nothing else in the
codebase invalidates caches for a state change.

- ``runner``: ``operation()``, the log, the purge hook, ``editor_name``
- ``publishing``: publish now (with a licence override), schedule, unpublish
- ``takedowns``: take down, restore, withdrawn media
- ``licences``: set, delete, history
- ``bodies``: re-rendering, verdicts, never-link, entity and tag merges
- ``taxonomy``: category saves that cascade down the tree
"""

from articles.editorial.bodies import (
    articles_mentioning,
    localized,
    merge_entities,
    merge_tags,
    rerender,
    save_rendered,
    set_never_link,
    set_verdicts,
)
from articles.editorial.licences import (
    LICENCE_FIELDS,
    delete_licence,
    licence_history,
    set_licence,
)
from articles.editorial.publishing import (
    PublishResult,
    forbidding_licences,
    publish_now,
    schedule,
    unpublish,
)
from articles.editorial.runner import EditorialError, Operation, editor_name, operation, purge
from articles.editorial.takedowns import is_withdrawn_media, restore, take_down
from articles.editorial.taxonomy import save_category

__all__ = [
    "LICENCE_FIELDS",
    "EditorialError",
    "Operation",
    "PublishResult",
    "articles_mentioning",
    "delete_licence",
    "editor_name",
    "forbidding_licences",
    "is_withdrawn_media",
    "licence_history",
    "localized",
    "merge_entities",
    "merge_tags",
    "operation",
    "publish_now",
    "purge",
    "rerender",
    "restore",
    "save_category",
    "save_rendered",
    "schedule",
    "set_licence",
    "set_never_link",
    "set_verdicts",
    "take_down",
    "unpublish",
]
