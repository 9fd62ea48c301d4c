"""From bytes to (front matter, body): decoding and safe YAML."""

import codecs
import re

import yaml

from articles.ingest.types import ImportRejected

MAX_FRONT_MATTER_CHARS = 64 * 1024
MAX_YAML_ALIASES = 50

_FRONT_MATTER = re.compile(r"\A\s*---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) and normalise line ends to LF.

    Anything else is refused: guessing an encoding would silently garble Chinese text.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if b"\x00" in data:
        raise ImportRejected("这是二进制文件，不是 UTF-8 文本（含 NUL 字节）。")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            f"不是 UTF-8 编码（第 {exc.start} 字节无法解码），请先转换为 UTF-8（例如 GBK 文件）。"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that also refuses duplicate keys and alias bombs."""

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise ImportRejected("YAML 头信息的别名（alias）过多，拒绝导入。")
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:
                raise ImportRejected("YAML 头信息的键必须是文本。") from None
            if duplicate:
                raise ImportRejected(f"YAML 头信息中键“{key}”重复出现。")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def split_front_matter(text: str) -> tuple[dict, str]:
    """Return the front matter mapping and the body that follows it."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise ImportRejected("缺少 YAML 头信息（文件应以 --- 开头的 front matter 开始）。")
    source = match.group(1) or ""
    if len(source) > MAX_FRONT_MATTER_CHARS:
        raise ImportRejected(f"YAML 头信息过大（超过 {MAX_FRONT_MATTER_CHARS} 个字符）。")
    try:
        meta = yaml.load(source, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except ImportRejected:
        raise
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f"第 {where.line + 2} 行" if where is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ImportRejected(f"YAML 头信息无法解析{line}：{problem}。") from None
    except RecursionError:
        raise ImportRejected("YAML 头信息嵌套过深。") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ImportRejected("YAML 头信息必须是键值映射。")
    return meta, text[match.end() :]
