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


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_PLAIN_VALUE = re.compile(r"^[A-Za-z_][A-Za-z0-9_./\-]*$")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def yaml_key(key: str) -> str:
    """``key`` as a YAML mapping key: plain when simple, else double-quoted."""
    # "custom:together-ai" is legal plain YAML, but quoting any key with
    # punctuation keeps the line unambiguous for every YAML reader.
    return key if _PLAIN_KEY.match(key) else json.dumps(key)


def yaml_scalar(value: str) -> str:
    """``value`` as a YAML string scalar: plain when unambiguous, else double-quoted."""
    if _PLAIN_VALUE.match(value) and value.lower() not in _YAML_WORDS:
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
    """Return ``text`` with ``<parent>.<key>`` set to the string ``value``,
    changing only the characters of that value (or adding the line(s) it
    needs). Comments, order, quoting and everything else stay byte for byte.
    Raises :class:`LayoutError` when the layout is too unusual to edit in place."""
    nl = "\r\n" if "\r\n" in text else "\n"
    rendered = yaml_scalar(value)
    child_line = f"  {yaml_key(key)}: {rendered}"
    root = yaml.compose(text, Loader=LOADER) if text.strip() else None

    def append_block(base: str) -> str:
        if base and not base.endswith("\n"):
            base += nl
        return f"{base}{parent}:{nl}{child_line}{nl}"

    if root is None:
        return append_block(text)
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise LayoutError("the top level is not a block mapping")
    pair = mapping_value(root, parent)
    if pair is None:
        return append_block(text)
    _, node = pair
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
        # `parent:` (or `: null` / `: ~`): drop the null token and put the
        # first child on the next line.
        start, end = node.start_mark.index, node.end_mark.index
        if not text[end : line_end(text, end)].strip():
            start = len(text[:start].rstrip(" \t"))  # no trailing blanks after the colon
        text = text[:start] + text[end:]
        insert_at = line_end(text, start)
        prefix = "" if text[:insert_at].endswith("\n") else nl
        return text[:insert_at] + prefix + child_line + nl + text[insert_at:]
    if not isinstance(node, yaml.MappingNode):
        raise LayoutError(f"{parent} is not a mapping")
    if references(root, node) > 1:
        raise LayoutError(f"{parent} is shared with another key through a YAML anchor (&), so editing it "
                          "would change that key too")
    child = mapping_value(node, key)
    if child is not None and references(root, child[1]) > 1:
        raise LayoutError(f"{parent}.{key} is shared with another key through a YAML anchor (&)")
    if node.flow_style and child is None:
        return add_to_flow_mapping(text, node, f"{yaml_key(key)}: {rendered}")
    if child is not None:
        value_node = child[1]
        if not isinstance(value_node, yaml.ScalarNode):
            raise LayoutError(f"{parent}.{key} is not a plain value")
        start, end = value_node.start_mark.index, value_node.end_mark.index
        if start == end:  # `key:` with nothing after it
            return text[:start] + " " + rendered + text[end:]
        return text[:start] + rendered + text[end:]
    indent = " " * node.value[0][0].start_mark.column
    end = node.value[-1][1].end_mark.index
    insert_at = end if end > 0 and text[end - 1] == "\n" else line_end(text, end)
    prefix = "" if text[:insert_at].endswith("\n") or not text[:insert_at] else nl
    line = f"{indent}{yaml_key(key)}: {rendered}"
    return text[:insert_at] + prefix + line + nl + text[insert_at:]
