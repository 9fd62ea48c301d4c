"""Import inputs: files, directories and zip archives, read safely one file at a time."""

import re
import stat
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# What one archive may inflate to, its Markdown entries together. With the per-entry limit
# (NEWSROOM_MAX_FILE_BYTES) and the entry count (NEWSROOM_MAX_ZIP_ENTRIES) it bounds the work a
# zip bomb can cause. No compression-ratio rule: a 2 MB table compresses 400:1 and is an article.
MAX_ZIP_TOTAL = 512 * 1024 * 1024
_CHUNK = 64 * 1024
SUFFIXES = frozenset({".md", ".markdown"})

_ZIP_MEMBER = re.compile(r"^(.*?\.zip):(.+)$", re.IGNORECASE | re.DOTALL)
# zlib.error: corrupt deflate data; NotImplementedError: a method such as Deflate64;
# RuntimeError: an encrypted entry.
_UNZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    RuntimeError,
    EOFError,
    NotImplementedError,
)
_UTF8_NAMES = 0x800  # zip flag bit: the entry name is UTF-8


@dataclass
class InputFile:
    """One file to import: its display name and bytes, or the reason it cannot be read."""

    name: str
    data: bytes | None = None
    error: str | None = None

    @property
    def key(self) -> str:
        """The file's own name, the identity an article keeps across re-imports.

        For a zip entry (``archive.zip:dir/a.md``) that is the entry's name, ``a.md``; a colon
        anywhere else belongs to the file name.
        """
        match = _ZIP_MEMBER.match(self.name)
        path = match.group(2) if match else self.name
        return PurePosixPath(path.replace("\\", "/")).name


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its author wrote it.

    Without the UTF-8 flag, zipfile decodes names as CP437, but macOS writes UTF-8 without
    the flag and Chinese Windows writes GBK: try those before keeping the CP437 reading.
    """
    if info.flag_bits & _UTF8_NAMES:
        return info.filename
    raw = info.filename.encode("cp437")
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _zip_entry_problem(info: zipfile.ZipInfo, max_bytes: int) -> str | None:
    name = info.filename
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "压缩包条目使用绝对路径，拒绝导入。"
    if ".." in path.parts:
        return "压缩包条目路径包含“..”，拒绝导入。"
    if "\x00" in name:
        return "压缩包条目名称含 NUL 字符，拒绝导入。"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "压缩包条目是符号链接，拒绝导入。"
    if info.file_size > max_bytes:
        return f"文件过大：{info.file_size} 字节，上限 {max_bytes} 字节。"
    return None


def _is_markdown(entry: str) -> bool:
    return not entry.startswith("__MACOSX/") and PurePosixPath(entry).suffix.lower() in SUFFIXES


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The entry's bytes, at most ``limit`` + 1 of them, counted as they are inflated."""
    chunks, size = [], 0
    with archive.open(info) as handle:
        while size <= limit:
            chunk = handle.read(min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    return b"".join(chunks)


def read_zip(
    source, label: str, *, max_bytes: int, max_entries: int, max_total: int = MAX_ZIP_TOTAL
) -> Iterator[InputFile]:
    """Yield the ``.md`` entries of a zip archive (a path or a binary file object).

    Limits: ``max_entries`` entries, ``max_bytes`` per entry and ``max_total`` for the
    Markdown entries together. Declared sizes refuse an archive before anything is inflated;
    the bytes actually inflated are counted too, since the header's sizes are the sender's.
    """
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        yield InputFile(label, error=f"不是有效的 zip 压缩包：{exc}")
        return
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > max_entries:
            yield InputFile(label, error=f"压缩包条目过多：{len(infos)} 个，上限 {max_entries}。")
            return
        declared = sum(i.file_size for i in infos if _is_markdown(_entry_name(i)))
        if declared > max_total:
            yield InputFile(
                label,
                error=f"压缩包解压后总大小 {declared} 字节，超过上限 {max_total} 字节，"
                "疑似压缩炸弹，拒绝解压。",
            )
            return
        left = max_total
        for info in infos:
            if "\x00" in info.orig_filename:
                # zipfile cuts a name at its NUL ("a.md\0.txt" reads as "a.md"): an entry name
                # that reads differently to different tools is refused, whatever its suffix.
                shown = info.orig_filename.replace("\x00", "\\0")
                yield InputFile(f"{label}:{shown}", error="压缩包条目名称含 NUL 字符，拒绝导入。")
                continue
            entry = _entry_name(info)
            name = f"{label}:{entry}"
            if not _is_markdown(entry):
                continue
            if left < 0:
                yield InputFile(
                    name, error=f"未解压：压缩包解压后总大小已超过上限 {max_total} 字节。"
                )
                continue
            problem = _zip_entry_problem(info, max_bytes)
            if problem:
                yield InputFile(name, error=problem)
                continue
            try:
                data = _inflate(archive, info, min(max_bytes, left))
            except _UNZIP_ERRORS as exc:
                yield InputFile(name, error=f"无法解压：{exc}")
                continue
            left -= len(data)
            if len(data) > max_bytes:
                yield InputFile(name, error=f"文件过大：超过上限 {max_bytes} 字节。")
            elif left < 0:
                yield InputFile(
                    name, error=f"压缩包解压后总大小超过上限 {max_total} 字节，停止解压。"
                )
            else:
                yield InputFile(name, data=data)


def _read_file(path: Path, max_bytes: int) -> InputFile:
    try:
        if not path.is_file():
            return InputFile(str(path), error="不是普通文件，无法导入。")
        size = path.stat().st_size
        if size > max_bytes:
            return InputFile(str(path), error=f"文件过大：{size} 字节，上限 {max_bytes} 字节。")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        return InputFile(str(path), error=f"无法读取：{exc.strerror or exc}")
    if len(data) > max_bytes:
        return InputFile(str(path), error=f"文件过大：超过上限 {max_bytes} 字节。")
    return InputFile(str(path), data=data)


def collect(
    paths: Iterable[str | Path],
    *,
    max_bytes: int,
    max_entries: int = 5000,
    max_total: int = MAX_ZIP_TOTAL,
) -> Iterator[InputFile]:
    """Yield every file to import under ``paths``: Markdown files, directories, ``.zip``s.

    A directory contributes its Markdown files, recursively (not the archives in it).
    Files are read lazily, one at a time, so memory does not grow with the batch.
    """
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.suffix.lower() in SUFFIXES and child.is_file():
                    yield _read_file(child, max_bytes)
        elif path.suffix.lower() == ".zip" and path.is_file():
            yield from read_zip(
                path, str(path), max_bytes=max_bytes, max_entries=max_entries, max_total=max_total
            )
        elif not path.exists():
            yield InputFile(str(path), error="文件不存在。")
        elif path.suffix.lower() not in SUFFIXES:
            yield InputFile(str(path), error="不支持的文件类型：只接受 .md 文件、目录或 .zip。")
        else:
            yield _read_file(path, max_bytes)
