"""Edit one nested value of a YAML document as text, so that every other byte
stays as it was (comments, key order, quoting, blank lines, line endings).

PyYAML cannot write comments back, so instead of dumping a document this module
asks ``yaml.compose`` where the value sits (its nodes carry exact character
positions) and splices the new text in. Callers verify the result by parsing
it (see :func:`hermes_setup_pools.store.plan_nested_edit`).
"""

from __future__ import annotations

import json
import re

import yaml


class LayoutError(ValueError):
    """The document is laid out in a way this module will not edit in place."""


#: The loader Hermes itself reads config.yaml with: libyaml's when PyYAML has it
#: (it accepts a TAB before a comment, which the pure-Python loader rejects).
LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> object:
    """Parse ``text`` exactly as Hermes does."""
    return yaml.load(text, Loader=LOADER)


def references(root: yaml.Node, wanted: yaml.Node) -> int:
    """How many times ``wanted`` appears in the tree (more than once: through an alias)."""
    count, stack, seen = 0, [root], set()
    while stack:
        node = stack.pop()
        if node is wanted:
            count += 1
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return count


# Compiled on first use (re caches them): loading a file needs neither.
_PLAIN_KEY = r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"
_PLAIN_VALUE = r"^[A-Za-z_][A-Za-z0-9_./\-]*$"
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def yaml_key(key: str) -> str:
    """``key`` as a YAML mapping key: plain when simple, else double-quoted."""
    # "custom:together-ai" is legal plain YAML, but quoting any key with
    # punctuation keeps the line unambiguous for every YAML reader.
    return key if re.match(_PLAIN_KEY, key) else json.dumps(key)


def yaml_scalar(value: str) -> str:
    """``value`` as a YAML string scalar: plain when unambiguous, else double-quoted."""
    if re.match(_PLAIN_VALUE, value) and value.lower() not in _YAML_WORDS:
        return value
    return json.dumps(value)


def line_end(text: str, index: int) -> int:
    """Index just past the newline that ends the line holding ``index``."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def mapping_value(node: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The (key node, value node) of the last pair whose key is ``key``; PyYAML
    keeps the last of duplicate keys, so must we."""
    found = None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found = (key_node, value_node)
    return found


def add_to_flow_mapping(text: str, node: yaml.MappingNode, pair: str) -> str:
    """``text`` with ``pair`` (``key: value``) added to the flow mapping ``node``,
    right after its last value (or its opening brace), so that everything else,
    comments included, stays where it was."""
    if node.value:
        at = node.value[-1][1].end_mark.index
        return text[:at] + ", " + pair + text[at:]
    at = node.start_mark.index + 1
    return text[:at] + pair + text[at:]


def edit_nested_text(text: str, parent: str, key: str, value: str) -> str:
    """Return ``text`` with ``<parent>.<key>`` set to the string ``value`` (see :func:`edit_path_text`)."""
    return edit_path_text(text, (parent, key), value)


def _block(path: tuple[str, ...], rendered: str, indent: int, nl: str) -> str:
    """``a:\n  b: value\n`` for the keys of ``path``, starting at ``indent`` columns."""
    lines = [f"{' ' * (indent + 2 * depth)}{yaml_key(key)}:" for depth, key in enumerate(path[:-1])]
    lines.append(f"{' ' * (indent + 2 * (len(path) - 1))}{yaml_key(path[-1])}: {rendered}")
    return nl.join(lines) + nl


def edit_path_text(text: str, path: tuple[str, ...], value: str) -> str:
    """Return ``text`` with the mapping value at ``path`` (two keys or more:
    ``credential_pool_strategies.openrouter``, ``secrets.onepassword.env.VAR``)
    set to the string ``value``, changing only the characters of that value
    (or adding the lines it needs). Comments, order, quoting and everything
    else stay byte for byte. Raises :class:`LayoutError` when the layout is too
    unusual to edit in place."""
    nl = "\r\n" if "\r\n" in text else "\n"
    rendered = yaml_scalar(value)
    root = yaml.compose(text, Loader=LOADER) if text.strip() else None
    if root is None:
        return (text + nl if text and not text.endswith("\n") else text) + _block(path, rendered, 0, nl)
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise LayoutError("the top level is not a block mapping")
    node: yaml.MappingNode = root
    for depth, key in enumerate(path):
        where = ".".join(path[: depth + 1])
        pair = mapping_value(node, key)
        if pair is None:
            return _insert(text, node, path[depth:], rendered, nl, at_root=node is root)
        if references(root, pair[1]) > 1:
            raise LayoutError(f"{where} is shared with another key through a YAML anchor (&), so editing it "
                              "would change that key too")
        child = pair[1]
        if depth == len(path) - 1:
            if not isinstance(child, yaml.ScalarNode):
                raise LayoutError(f"{where} is not a plain value")
            start, end = child.start_mark.index, child.end_mark.index
            if start == end:  # `key:` with nothing after it
                return text[:start] + " " + rendered + text[end:]
            return text[:start] + rendered + text[end:]
        if isinstance(child, yaml.ScalarNode) and child.tag == "tag:yaml.org,2002:null":
            # `key:` (or `: null` / `: ~`): drop the null token and put the rest on the next lines.
            start, end = child.start_mark.index, child.end_mark.index
            if not text[end : line_end(text, end)].strip():
                start = len(text[:start].rstrip(" \t"))  # no trailing blanks after the colon
            text = text[:start] + text[end:]
            insert_at = line_end(text, start)
            prefix = "" if text[:insert_at].endswith("\n") else nl
            indent = pair[0].start_mark.column + 2
            return text[:insert_at] + prefix + _block(path[depth + 1 :], rendered, indent, nl) + text[insert_at:]
        if not isinstance(child, yaml.MappingNode):
            raise LayoutError(f"{where} is not a mapping")
        node = child
    raise LayoutError("empty path")  # unreachable: the loop returns


def _insert(text: str, node: yaml.MappingNode, path: tuple[str, ...], rendered: str, nl: str, *, at_root: bool) -> str:
    """``text`` with ``path`` added to the mapping ``node`` (which lacks ``path[0]``)."""
    if node.flow_style:
        if len(path) > 1:
            raise LayoutError("a nested value would have to go inside a flow mapping ({…})")
        return add_to_flow_mapping(text, node, f"{yaml_key(path[0])}: {rendered}")
    if at_root:
        return (text + nl if text and not text.endswith("\n") else text) + _block(path, rendered, 0, nl)
    indent = node.value[0][0].start_mark.column
    end = node.value[-1][1].end_mark.index
    insert_at = end if end > 0 and text[end - 1] == "\n" else line_end(text, end)
    prefix = "" if text[:insert_at].endswith("\n") or not text[:insert_at] else nl
    return text[:insert_at] + prefix + _block(path, rendered, indent, nl) + text[insert_at:]
