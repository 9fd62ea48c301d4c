"""From bytes to (front matter, body): decoding and safe YAML."""

import codecs
import re

import yaml
from yaml.cyaml import CParser

from articles.ingest.types import ImportRejected

MAX_FRONT_MATTER_CHARS = 64 * 1024
MAX_YAML_ALIASES = 50
# Nodes once aliases are expanded: the code that reads the values (category lists, str() of
# an odd date) walks them as trees, so 48 aliases of 3^16 leaves would still be a bomb.
MAX_YAML_NODES = 10_000

_FRONT_MATTER = re.compile(r"\A\s*---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
_WIDE_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) and normalise line ends to LF.

    Anything else is refused: guessing an encoding would silently garble Chinese text.
    """
    for bom, name in _WIDE_BOMS.items():  # UTF-32 first: its LE BOM starts like UTF-16's
        if data.startswith(bom):
            raise ImportRejected(f"文件是 {name} 编码，不是 UTF-8；请先转换为 UTF-8。")
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


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expanded_size(root: yaml.Node) -> None:
    """Refuse documents whose aliases expand past MAX_YAML_NODES, or refer to themselves."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_YAML_NODES:
                raise ImportRejected(
                    f"YAML 头信息的值过多（展开别名后超过 {MAX_YAML_NODES} 个），拒绝导入。"
                )
        elif key not in sizes:
            if key in open_nodes:
                raise ImportRejected("YAML 头信息含循环引用，拒绝导入。")
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that also refuses duplicate keys and alias bombs."""

    def __init__(self, stream: str, first_line: int = 0):
        super().__init__(stream)
        self._aliases = 0
        self._first_line = first_line  # file lines before the YAML, for error messages

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise ImportRejected("YAML 头信息的别名（alias）过多，拒绝导入。")
        return super().compose_node(parent, index)

    def compose_document(self):
        node = super().compose_document()
        _check_expanded_size(node)
        return node

    def construct_yaml_timestamp(self, node):
        # A date the calendar lacks ("2022-02-30 10:00:00", a year 0) raised ValueError out of
        # the loader; it stays text instead, which parse_date reports as an unreadable date.
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:
                raise ImportRejected("YAML 头信息的键必须是文本。") from None
            if duplicate:
                line = key_node.start_mark.line + 1 + self._first_line
                raise ImportRejected(f"YAML 头信息中键“{key}”重复出现（第 {line} 行）。")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Hexo reads front matter as YAML 1.2, where only true/false are booleans and "yes", "on",
# "1:30" or "3.10" are text. PyYAML's 1.1 rules would turn such a title into True, 90 or 3.1,
# so only nulls, true/false and timestamps are resolved; numbers stay text (nothing needs them).
_KEEP_RESOLVERS = {"tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp"}
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag in _KEEP_RESOLVERS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _FastLoader(CParser, _StrictLoader):
    """The same rules read by libyaml (in C): for front matter without anchors or aliases,
    the only thing ``_StrictLoader``'s Python composer checks."""

    def __init__(self, stream: str, first_line: int = 0):
        CParser.__init__(self, stream)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self._aliases = 0
        self._first_line = first_line


def _load_fast(source: str, first_line: int):
    """The front matter read in C, or None where the Python loader must read it: anchors or
    aliases, and any error (so that every refusal is worded and numbered as before)."""
    if not yaml.__with_libyaml__ or "&" in source or "*" in source:
        return None
    loader = _FastLoader(source, first_line)
    try:
        return (loader.get_single_data(),)
    except Exception:  # noqa: BLE001 - read again by the Python loader, which says why
        return None
    finally:
        loader.dispose()


def split_front_matter(text: str) -> tuple[dict, str]:
    """Return the front matter mapping and the body that follows it.

    Error messages give line numbers in the file, counting the opening ``---`` and any blank
    lines before it (the corpus files start with one).
    """
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise ImportRejected("缺少 YAML 头信息（文件应以 --- 开头的 front matter 开始）。")
    source = match.group(1) or ""
    if len(source) > MAX_FRONT_MATTER_CHARS:
        raise ImportRejected(f"YAML 头信息过大（超过 {MAX_FRONT_MATTER_CHARS} 个字符）。")
    first_line = text.count("\n", 0, match.start(1)) if source else 0
    fast = _load_fast(source, first_line)
    if fast is not None:
        return _mapping(fast[0]), text[match.end() :]
    loader = _StrictLoader(source, first_line)
    try:
        meta = loader.get_single_data()
    except ImportRejected:
        raise
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f"（第 {where.line + 1 + first_line} 行）" if where is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ImportRejected(f"YAML 头信息无法解析{line}：{problem}。") from None
    except RecursionError:
        raise ImportRejected("YAML 头信息嵌套过深。") from None
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
        # An explicit tag on a value it cannot convert (!!int x, !!bool maybe, !!timestamp x):
        # PyYAML's constructors raise plain Python errors, not YAMLError.
        raise ImportRejected(
            f"YAML 头信息中有无法按其类型标签转换的值（{type(exc).__name__}: {exc}）。"
        ) from None
    finally:
        loader.dispose()
    return _mapping(meta), text[match.end() :]


def _mapping(meta: object) -> dict:
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise ImportRejected("YAML 头信息必须是键值映射。")
    return meta
