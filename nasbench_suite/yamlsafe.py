"""Reading untrusted YAML specs: bounded size, depth and alias expansion; no duplicate keys.

``yaml.safe_load`` builds only plain data, but it still (a) lets a key given twice silently keep
the last value, (b) recurses once per nesting level (a deeply nested document ends in a
``RecursionError``), and (c) expands aliases by reference, so a small "billion laughs" document
becomes an object graph that anything walking it (validation, JSON) expands exponentially. This
module refuses such documents with one sentence, before building them:

* the text must be UTF-8 and at most :data:`MAX_BYTES` long;
* the event stream (PyYAML's parser is not recursive) is scanned first: nesting deeper than
  :data:`MAX_DEPTH`, more than :data:`MAX_ALIASES` aliases, or more than :data:`MAX_NODES` nodes
  once aliases are expanded is refused;
* mappings are built by a loader that refuses a key given twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1 << 20  # 1 MiB: a spec is a few hundred bytes
MAX_DEPTH = 32
MAX_ALIASES = 100
MAX_NODES = 100_000


class YamlError(ValueError):
    """An untrusted YAML document was refused or could not be parsed (one sentence)."""


class _NoDuplicatesLoader(yaml.SafeLoader):
    """SafeLoader whose mappings refuse a key given twice."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: SafeLoader reports it below
                continue
            if first is not None:
                line = key_node.start_mark.line + 1
                raise YamlError(
                    f"key {key!r} is given twice (lines {first.start_mark.line + 1} and {line}); "
                    "give each key once")
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _scan(text: str) -> None:
    """Refuse deep nesting and alias bombs from the (non-recursive) event stream."""
    depth, aliases = 0, 0
    # sizes of open collections (expanded node counts) and of finished anchors
    stack: list[list] = [[None, 0]]  # [anchor, size]
    anchored: dict[str, int] = {}
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlError(f"it nests deeper than {MAX_DEPTH} levels")
            stack.append([event.anchor, 1])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            anchor, size = stack.pop()
            if anchor is not None:
                anchored[anchor] = size
            stack[-1][1] += size
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                anchored[event.anchor] = 1
            stack[-1][1] += 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise YamlError(f"it uses more than {MAX_ALIASES} aliases")
            stack[-1][1] += anchored.get(event.anchor, 1)
        else:
            continue
        if stack[-1][1] > MAX_NODES or sum(s for _, s in stack) > MAX_NODES:
            raise YamlError(f"it expands to more than {MAX_NODES:,} values (aliases)")


def load_yaml_bytes(data: bytes, where: str | Path) -> Any:
    """Parse untrusted YAML ``data`` read from ``where``.

    Raises:
        YamlError: one sentence naming ``where`` and what is wrong (not UTF-8, too large, too
            deep, an alias bomb, a duplicate key, a syntax error with its line).
    """
    if len(data) > MAX_BYTES:
        raise YamlError(f"{where} is {len(data):,} bytes; a spec may be at most {MAX_BYTES:,}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(
            f"{where} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    try:
        _scan(text)
        return yaml.load(text, Loader=_NoDuplicatesLoader)
    except YamlError as exc:
        raise YamlError(f"{where}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlError(f"{where} is not valid YAML{at}: {problem}") from None
    except RecursionError:
        raise YamlError(f"{where}: it nests too deeply") from None


def load_yaml_file(path: str | Path) -> Any:
    """Read and parse the untrusted YAML file ``path`` (see :func:`load_yaml_bytes`)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise YamlError(f"cannot read {path}: {exc.strerror or exc}") from None
    return load_yaml_bytes(data, path)
