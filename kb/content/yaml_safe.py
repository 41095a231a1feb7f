"""YAML for front matter and people.yaml, bounded: the only module that imports PyYAML.

Safe YAML (no objects) that keeps dates as written ('2024-02-30' is reported, not a crash),
and refuses what would exhaust the machine or break a later stage: more than `MAX_BYTES` of
text, nesting deeper than `MAX_DEPTH`, aliases that expand far beyond the text (a "billion
laughs" of 358 bytes grows ninefold per level), recursive aliases, and lone surrogates
(`"\\ud800"` cannot be written as UTF-8).
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_BYTES = 64 * 1024
MAX_DEPTH = 20
# Aliases may add this many values beyond those written (merge keys of a long people.yaml
# add a few per entry; a bomb adds millions).
ALIAS_BUDGET = 10_000
# ... and this many characters: 8,000 aliases of one 30 KB value (within the count) made a
# 54 KB page a 480 MB index.
ALIAS_CHAR_BUDGET = 1_000_000

__all__ = [
    "MappingNode",
    "Node",
    "SequenceNode",
    "YamlError",
    "compose",
    "construct",
    "load",
    "repeated_keys",
]


class YamlError(Exception):
    """Text that is not YAML kb will read; `line` is 1-based in the text given."""

    def __init__(self, reason: str, line: int = 1, limit: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.limit = limit  # valid YAML, but beyond what kb reads


class _Loader(yaml.SafeLoader):
    """SafeLoader without timestamps that stops composing past `MAX_DEPTH`."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlError(f"nested deeper than {MAX_DEPTH} levels", mark.line + 1, True)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def compose(text: str, *, max_bytes: int = MAX_BYTES) -> Node | None:
    """The checked node tree of `text` (None when empty); raises `YamlError`."""
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise YamlError(f"more than {max_bytes // 1024} KB of YAML", 1, True)
    loader = None
    try:
        loader = _Loader(text)  # reads the first characters: may raise already
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise YamlError(err.problem or "syntax error", mark.line + 1 if mark else 1) from None
    except yaml.reader.ReaderError as err:
        line = text.count("\n", 0, max(err.position, 0)) + 1
        raise YamlError(f"character #x{err.character:04x} is not allowed", line) from None
    except yaml.YAMLError as err:
        raise YamlError(str(err) or "syntax error") from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is not None:
        _measure(node)
    return node


def load(text: str, *, max_bytes: int = MAX_BYTES) -> object:
    """The value of `text` (None when empty); raises `YamlError`."""
    return construct(compose(text, max_bytes=max_bytes))


def construct(node: Node | None) -> object:
    """The value of a tree from `compose` (None for None); raises `YamlError`.

    Merge keys (`<<`) are folded into the tree's mappings as it is read: read what else the
    tree says (such as lines) first."""
    if node is None:
        return None
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise YamlError(err.problem or "invalid value", mark.line + 1 if mark else 1) from None
    except (yaml.YAMLError, ValueError, OverflowError, KeyError, AttributeError, TypeError) as err:
        # e.g. an integer of more than 4,300 digits, which Python refuses to convert, or an
        # explicit tag PyYAML's constructors fail on ("!!bool x": KeyError)
        raise YamlError(f"a value kb cannot read ({err})", node.start_mark.line + 1, True) from None
    finally:
        loader.dispose()


def repeated_keys(node: Node | None) -> list[tuple[int, int]]:
    """Each key a top-level mapping gives again, as (line of its first copy, line of this
    one), 1-based: YAML keeps the last copy without a word."""
    first: dict[str, int] = {}
    out = []
    for key, _ in node.value if isinstance(node, MappingNode) else ():
        if isinstance(key, ScalarNode) and key.value != "<<":  # merge keys may repeat
            line = key.start_mark.line + 1
            if key.value in first:
                out.append((first[key.value], line))
            first.setdefault(key.value, line)
    return out


def _measure(root: Node) -> None:
    """Refuse deep expansions, alias bombs, recursive aliases and lone surrogates."""
    written: set[int] = set()  # distinct nodes
    chars = [0]  # characters of the distinct scalars
    memo: dict[int, tuple[int, int, int]] = {}  # node -> (height, expanded size, characters)
    on_path: set[int] = set()

    def walk(node: Node, level: int) -> tuple[int, int, int]:
        key = id(node)
        line = node.start_mark.line + 1
        if key in on_path:
            raise YamlError("an alias refers to the value that holds it", line, True)
        if level > MAX_DEPTH:
            raise YamlError(f"nested deeper than {MAX_DEPTH} levels (through aliases)", line, True)
        if key in memo:
            height, size, length = memo[key]
        else:
            written.add(key)
            on_path.add(key)
            height, size, length = 1, 1, 0
            if isinstance(node, ScalarNode):
                if any("\ud800" <= c <= "\udfff" for c in node.value):
                    raise YamlError("text holds a lone surrogate (\\ud800-\\udfff)", line, True)
                length = len(node.value)
                chars[0] += length
            else:
                children = node.value if isinstance(node, SequenceNode) else _pairs(node)
                for child in children:
                    h, s, n = walk(child, level + 1)
                    height, size, length = max(height, h + 1), size + s, length + n
                    if size > len(written) + ALIAS_BUDGET:
                        raise YamlError(
                            f"aliases expand to more than {ALIAS_BUDGET:,} values", line, True
                        )
                    if length > chars[0] + ALIAS_CHAR_BUDGET:
                        raise YamlError(
                            f"aliases expand to more than {ALIAS_CHAR_BUDGET:,} characters",
                            line,
                            True,
                        )
            on_path.discard(key)
            memo[key] = height, size, length
        if level + height - 1 > MAX_DEPTH:
            raise YamlError(f"nested deeper than {MAX_DEPTH} levels (through aliases)", line, True)
        return height, size, length

    walk(root, 1)


def _pairs(node: MappingNode) -> list[Node]:
    return [n for pair in node.value for n in pair]
