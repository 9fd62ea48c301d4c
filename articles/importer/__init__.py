"""Store parsed import files: idempotent upserts, one transaction per file.

The Python API behind both ``manage.py import_articles`` and the admin's import page::

    for result in import_files(collect(paths, max_bytes=...), publish=True):
        print(result.file, result.status)

- ``batch``: ``Importer`` and ``import_files`` (parse, in worker processes if asked, then store)
- ``store``: writing one parsed file
- ``lookups``: authors, categories, outlets and entities, cached per batch
- ``mention_rows``: mention rows from anchors, keeping editors' verdicts
- ``results``: ``ImportResult`` (one report line) and the edit fingerprint
"""

from articles.importer.batch import Importer, expected_links, import_files, parse_input
from articles.importer.mention_rows import mentions_from_body, sync_mentions
from articles.importer.results import (
    CONFLICT,
    CREATED,
    FAILED,
    MAX_KEY,
    STATUSES,
    UNCHANGED,
    UPDATED,
    ImportResult,
    fingerprint,
)

__all__ = [
    "CONFLICT",
    "CREATED",
    "FAILED",
    "MAX_KEY",
    "STATUSES",
    "UNCHANGED",
    "UPDATED",
    "ImportResult",
    "Importer",
    "expected_links",
    "fingerprint",
    "import_files",
    "mentions_from_body",
    "parse_input",
    "sync_mentions",
]
