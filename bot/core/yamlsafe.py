"""Safe YAML parsing that keeps line numbers and refuses oversized or alias-bomb documents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# The C loader is ~10x faster; both are the *safe* loaders (no arbitrary Python objects).
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 1 << 20
# A knowledge file has a few thousand nodes; a billion-laughs document expands to billions.
MAX_EXPANDED_NODES = 200_000


class YamlError(Exception):
    """A YAML document that cannot be used, with the 1-based line it was found on."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class ParsedYaml:
    """Plain Python data plus the node tree, kept to map validation errors to lines."""

    data: Any
    node: Node | None
    duplicate_keys: tuple[tuple[int, str], ...]


def parse_yaml(text: str, *, max_nodes: int = MAX_EXPANDED_NODES) -> ParsedYaml:
    """Parse one YAML document from *text* with the safe loader, keeping its node tree."""
    loader = _SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            column = mark.column + 1 if mark else 1
            problem = exc.problem or exc.context or "invalid YAML"
            raise YamlError(line, f"YAML syntax error at column {column}: {problem}") from None
        except yaml.YAMLError as exc:
            raise YamlError(1, f"YAML error: {exc}") from None
        duplicates = _walk(node, max_nodes) if node is not None else ()
        try:
            data = loader.construct_document(node) if node is not None else None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            raise YamlError(line, f"YAML error: {exc.problem or exc.context}") from None
    finally:
        loader.dispose()
    return ParsedYaml(data=data, node=node, duplicate_keys=duplicates)


def _walk(root: Node, max_nodes: int) -> tuple[tuple[int, str], ...]:
    """Count nodes as if aliases were expanded, stopping early; collect duplicate mapping keys."""
    seen = 0
    duplicates: list[tuple[int, str]] = []
    checked: set[int] = set()
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        seen += 1
        if seen > max_nodes:
            raise YamlError(
                node.start_mark.line + 1,
                f"document expands to more than {max_nodes} nodes (YAML alias bomb?); refused",
            )
        if isinstance(node, MappingNode):
            if id(node) not in checked:
                checked.add(id(node))
                keys: set[str] = set()
                for key, _ in node.value:
                    if isinstance(key, ScalarNode):
                        if key.value in keys:
                            duplicates.append((key.start_mark.line + 1, str(key.value)))
                        keys.add(key.value)
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return tuple(duplicates)


def line_of(node: Node | None, loc: Sequence[int | str]) -> int:
    """Return the 1-based line of the deepest node along *loc* (a pydantic error location)."""
    if node is None:
        return 1
    line = node.start_mark.line + 1
    current: Node = node
    for part in loc:
        nxt: Node | None = None
        if isinstance(current, MappingNode):
            for key, value in current.value:
                if isinstance(key, ScalarNode) and key.value == part:
                    # A field is reported on its key's line: that is where an editor looks.
                    line = key.start_mark.line + 1
                    nxt = value
                    break
        elif (
            isinstance(current, SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(current.value)
        ):
            nxt = current.value[part]
        if nxt is None:
            break
        if isinstance(current, SequenceNode):
            line = nxt.start_mark.line + 1
        current = nxt
    return line
