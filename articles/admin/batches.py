"""Uploaded import batches, kept on the server between the preview and the confirmation.

The preview and the import must read the very same bytes, so an upload is stored once, as the
list of files it expanded to (zip entries included, refused ones with their error), in a private
temporary directory named by a random token: never in ``MEDIA_ROOT``, never served. The token
lives in the uploader's session; the directory is deleted when the batch is imported or
cancelled, and any batch older than ``BATCH_TTL`` is swept away on the next visit to the page.
"""

import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from articles.ingest import InputFile

BATCH_TTL = 2 * 60 * 60  # seconds
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_MANIFEST = "manifest.json"


def batch_root() -> Path:
    """``NEWSROOM_IMPORT_BATCH_DIR``, else a directory of this user's in the system temp dir.

    Every web worker must see the same directory (one machine, or a shared volume).
    """
    configured = getattr(settings, "NEWSROOM_IMPORT_BATCH_DIR", None)
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"newsroom-imports-{os.getuid()}"


def _private_root() -> Path:
    """The batch root, created private; refuse one someone else made (a shared /tmp)."""
    root = batch_root()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = root.lstat()
    if root.is_symlink() or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{root} 不是本进程私有的目录，拒绝在其中保存上传的文件。")
    return root


@dataclass
class Batch:
    token: str
    user_id: int
    created_at: float
    items: list[InputFile]
    previewed: list[str] = field(default_factory=list)

    @property
    def expires_at(self) -> float:
        return self.created_at + BATCH_TTL


def _dir(token: str) -> Path | None:
    return batch_root() / token if _TOKEN.match(token or "") else None


def save_batch(items: list[InputFile], user_id: int) -> Batch:
    """Store ``items`` under a new token and return the batch."""
    root = _private_root()
    token = secrets.token_urlsafe(24)
    path = root / token
    path.mkdir(mode=0o700)
    entries = []
    for n, item in enumerate(items):
        entry = {"name": item.name, "error": item.error, "file": None, "sha256": None}
        if item.data is not None:
            entry["file"] = f"{n:05d}.bin"
            entry["sha256"] = hashlib.sha256(item.data).hexdigest()
            target = path / entry["file"]
            target.write_bytes(item.data)
            target.chmod(0o600)
        entries.append(entry)
    batch = Batch(token, user_id, time.time(), items)
    _write_manifest(path, batch, entries)
    return batch


def _write_manifest(path: Path, batch: Batch, entries: list[dict]) -> None:
    manifest = {
        "user_id": batch.user_id,
        "created_at": batch.created_at,
        "items": entries,
        "previewed": batch.previewed,
    }
    temporary = path / f".{_MANIFEST}.{os.getpid()}"
    temporary.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    temporary.replace(path / _MANIFEST)


def _owner(path: Path) -> int | None:
    try:
        return json.loads((path / _MANIFEST).read_text(encoding="utf-8")).get("user_id")
    except (OSError, ValueError, AttributeError):
        return None


def _read(path: Path, token: str, user_id: int) -> Batch | None:
    try:
        manifest = json.loads((path / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("user_id") != user_id or time.time() > manifest["created_at"] + BATCH_TTL:
        return None
    items = []
    for entry in manifest["items"]:
        if entry["file"] is None:
            items.append(InputFile(entry["name"], error=entry["error"]))
            continue
        try:
            data = (path / entry["file"]).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            return None
        items.append(InputFile(entry["name"], data=data))
    return Batch(token, user_id, manifest["created_at"], items, manifest.get("previewed") or [])


def load_batch(token: str, user_id: int) -> Batch | None:
    """The batch stored under ``token`` for this user, or None if it is gone or expired."""
    path = _dir(token)
    return _read(path, token, user_id) if path is not None else None


def record_preview(batch: Batch, statuses: list[str]) -> None:
    """Remember what the preview announced, to point out what changed by the time of import."""
    path = _dir(batch.token)
    try:
        manifest = json.loads((path / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    batch.previewed = statuses
    _write_manifest(path, batch, manifest["items"])


def claim_batch(token: str, user_id: int) -> Batch | None:
    """Take the batch for importing: only one request can claim it (a double click imports once).

    The directory is renamed atomically, read, and deleted; None if someone else claimed it.
    """
    path = _dir(token)
    if path is None or _owner(path) != user_id:  # someone else's link destroys nothing
        return None
    claimed = path.with_name(f"{token}.claimed-{secrets.token_hex(4)}")
    try:
        path.rename(claimed)
    except OSError:
        return None
    try:
        return _read(claimed, token, user_id)
    finally:
        shutil.rmtree(claimed, ignore_errors=True)


def discard_batch(token: str, user_id: int) -> None:
    """Delete the batch, if it is ``user_id``'s."""
    path = _dir(token)
    if path is not None and _owner(path) == user_id:
        shutil.rmtree(path, ignore_errors=True)


def sweep_expired(now: float | None = None) -> int:
    """Delete batches (and leftovers of claimed ones) older than ``BATCH_TTL``; return how many."""
    root = batch_root()
    if not root.is_dir():
        return 0
    limit = (now or time.time()) - BATCH_TTL
    removed = 0
    for path in root.iterdir():
        try:
            if path.is_dir() and path.stat().st_mtime < limit:
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed
