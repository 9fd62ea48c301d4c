"""Kept SQLite connections follow their database file.

SQLite connections are kept between requests (``CONN_MAX_AGE``), which saves opening the file
and running the PRAGMAs on every page. A kept connection holds the file open, though: were the
file moved away, deleted or replaced (a restore), it would go on reading the old one. So each
connection notes which file it opened, and at the start of every request a connection whose
path no longer names that file is closed: the request then opens the file there is now, or
fails as a database that is unavailable (503) when there is none.
"""

import os

from django.db import connections

_OPENED = "_newsroom_sqlite_file"


def _identity(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def note_file(sender, connection, **kwargs) -> None:
    """``connection_created``: remember the file this connection opened."""
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        setattr(connection, _OPENED, _identity(connection.settings_dict["NAME"]))


def drop_moved(**kwargs) -> None:
    """``request_started``: close kept connections whose file is gone or another one."""
    for connection in connections.all(initialized_only=True):
        if connection.vendor != "sqlite" or connection.connection is None:
            continue
        if connection.in_atomic_block or not hasattr(connection, _OPENED):
            continue
        opened = getattr(connection, _OPENED)
        now = _identity(connection.settings_dict["NAME"])
        if now is None or now != opened:
            connection.close()


def connect() -> None:
    from django.core.signals import request_started
    from django.db.backends.signals import connection_created

    connection_created.connect(note_file, dispatch_uid="newsroom-sqlite-note-file")
    request_started.connect(drop_moved, dispatch_uid="newsroom-sqlite-drop-moved")
