"""config.yaml: add or remove one item of a nested list (``plugins.enabled``,
``plugins.disabled``) in place, so every other byte stays as it was.

As in :mod:`.yaml_edit`, ``yaml.compose`` says where the list sits and the new
text is spliced in; the result is parsed back and must equal the old data with
exactly the planned items added or removed, or nothing is written.

A value Hermes ignores (``enabled: '["setup-pools"]'``, which
``hermes config set`` writes on Hermes 0.13–0.17) is turned into a real list
only when it names nothing but the item; anything else is refused with the
exact text to write by hand, so no other plugin is ever switched on by us.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from .config import ConfigFile
from .files import StoreError
from .yaml_edit import (
    LOADER,
    LayoutError,
    add_to_flow_mapping,
    line_end,
    load,
    mapping_value,
    references,
    yaml_key,
    yaml_scalar,
)

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_DASH = re.compile(r"^[ \t]*-[ \t]+$")


@dataclass(frozen=True)
class ListEdit:
    """Make sure ``item`` is (``present=True``) or is not in the list ``<parent>.<key>``."""

    key: str
    item: str
    present: bool


def flow_list(items: Sequence[str]) -> str:
    """``items`` as a one-line YAML list: ``[a, "b c"]``."""
    return "[" + ", ".join(yaml_scalar(item) for item in items) + "]"


def _compose(text: str) -> yaml.MappingNode | None:
    root = yaml.compose(text, Loader=LOADER) if text.strip() else None
    if root is not None and (not isinstance(root, yaml.MappingNode) or root.flow_style):
        raise LayoutError("the top level is not a block mapping")
    return root


def _parent(root: yaml.MappingNode, parent: str) -> yaml.Node | None:
    pair = mapping_value(root, parent)
    if pair is None:
        return None
    node = pair[1]
    if isinstance(node, yaml.MappingNode) and references(root, node) > 1:
        raise LayoutError(f"{parent} is shared with another key through a YAML anchor (&)")
    return node


def _child(root: yaml.MappingNode, node: yaml.MappingNode, where: str, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    child = mapping_value(node, key)
    if child is not None and references(root, child[1]) > 1:
        raise LayoutError(f"{where}.{key} is shared with another key through a YAML anchor (&)")
    return child


def _nl(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _insert_lines(text: str, at: int, lines: list[str]) -> str:
    nl = _nl(text)
    prefix = "" if not text[:at] or text[:at].endswith("\n") else nl
    return text[:at] + prefix + "".join(line + nl for line in lines) + text[at:]


def add_item_text(text: str, parent: str, key: str, item: str) -> str:
    """``text`` with ``item`` appended to the list ``<parent>.<key>`` (created
    when missing or null). Raises :class:`LayoutError` for any other layout."""
    rendered = yaml_scalar(item)
    root = _compose(text)
    node = _parent(root, parent) if root is not None else None
    if node is None:  # no parent at all: a new block at the end
        base = text if not text or text.endswith("\n") else text + _nl(text)
        return _insert_lines(base, len(base), [f"{parent}:", f"  {yaml_key(key)}:", f"  - {rendered}"])
    if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:  # `plugins:` with nothing under it
        start, end = node.start_mark.index, node.end_mark.index
        if not text[end : line_end(text, end)].strip():
            start = len(text[:start].rstrip(" \t"))
        text = text[:start] + text[end:]
        return _insert_lines(text, line_end(text, start), [f"  {yaml_key(key)}:", f"  - {rendered}"])
    if not isinstance(node, yaml.MappingNode):
        raise LayoutError(f"{parent} is not a mapping")
    assert root is not None
    child = _child(root, node, parent, key)
    if child is None:
        if node.flow_style:
            return add_to_flow_mapping(text, node, f"{yaml_key(key)}: [{rendered}]")
        indent = " " * node.value[0][0].start_mark.column
        end = node.value[-1][1].end_mark.index
        at = end if end > 0 and text[end - 1] == "\n" else line_end(text, end)
        return _insert_lines(text, at, [f"{indent}{yaml_key(key)}:", f"{indent}- {rendered}"])
    value = child[1]
    if isinstance(value, yaml.ScalarNode) and value.tag == _NULL:  # `enabled:` / `enabled: null`
        start, end = value.start_mark.index, value.end_mark.index
        return text[:start] + (" " if start == end else "") + f"[{rendered}]" + text[end:]
    if not isinstance(value, yaml.SequenceNode):
        raise LayoutError(f"{parent}.{key} is not a list")
    if value.flow_style:
        if value.value:
            at = value.value[-1].end_mark.index
            return text[:at] + ", " + rendered + text[at:]
        at = value.start_mark.index + 1
        return text[:at] + rendered + text[at:]
    first, last = value.value[0], value.value[-1]
    if not isinstance(last, yaml.ScalarNode):
        raise LayoutError(f"{parent}.{key} holds something other than names")
    line_start = text.rfind("\n", 0, first.start_mark.index) + 1
    dash = text[line_start : first.start_mark.index]
    if not _DASH.match(dash):
        raise LayoutError(f"{parent}.{key} is laid out in an unusual way")
    return _insert_lines(text, line_end(text, last.end_mark.index), [f"{dash}{rendered}"])


def remove_item_text(text: str, parent: str, key: str, item: str) -> str:
    """``text`` with the first ``item`` of the list ``<parent>.<key>`` removed
    (an emptied list becomes ``[]``). Raises :class:`LayoutError` when it is
    not there or the layout is unusual."""
    root = _compose(text)
    node = _parent(root, parent) if root is not None else None
    if root is None or not isinstance(node, yaml.MappingNode):
        raise LayoutError(f"{parent} is not a mapping")
    child = _child(root, node, parent, key)
    key_node, value = child if child is not None else (None, None)
    if key_node is None or not isinstance(value, yaml.SequenceNode):
        raise LayoutError(f"{parent}.{key} is not a list")
    items = value.value
    index = next((i for i, n in enumerate(items) if isinstance(n, yaml.ScalarNode) and n.tag == _STR and n.value == item),
                 None)
    if index is None:
        raise LayoutError(f"{item} is not in {parent}.{key}")
    found = items[index]
    if value.flow_style:
        if len(items) == 1:
            return text[: value.start_mark.index + 1] + text[value.end_mark.index - 1 :]
        if index > 0:
            return text[: items[index - 1].end_mark.index] + text[found.end_mark.index :]
        return text[: found.start_mark.index] + text[items[1].start_mark.index :]
    line_start = text.rfind("\n", 0, found.start_mark.index) + 1
    if not _DASH.match(text[line_start : found.start_mark.index]):
        raise LayoutError(f"{parent}.{key} is laid out in an unusual way")
    stop = line_end(text, found.end_mark.index)
    if len(items) > 1:
        return text[:line_start] + text[stop:]
    colon = text.find(":", key_node.end_mark.index)
    if colon < 0 or text[key_node.end_mark.index : colon].strip():
        raise LayoutError(f"{parent}.{key} is laid out in an unusual way")
    return text[: colon + 1] + " []" + text[colon + 1 : line_start] + text[stop:]


def _items(value: object) -> list[object] | None:
    """The list Hermes sees (``None``: no list; Hermes ignores anything else)."""
    return list(value) if isinstance(value, list) else None


def _list_in(text: str, parent: str, key: str) -> list[object]:
    """``<parent>.<key>`` of ``text`` as Hermes reads it (empty when not a list)."""
    data = load(text)
    section = data.get(parent) if isinstance(data, dict) else None
    return _items(section.get(key) if isinstance(section, dict) else None) or []


def _string_items(value: str) -> list[str] | None:
    """What a string value was meant to list (``'["a", "b"]'``, ``a``), else ``None``."""
    try:
        parsed = load(value)
    except yaml.YAMLError:
        return None
    if isinstance(parsed, str) and parsed.strip() and not any(c in parsed for c in "[]"):
        items = [part.strip() for part in parsed.split(",")]  # "a,b" (as `hermes config set` stores it)
        return items if all(items) and not any(" " in item for item in items) else None
    if isinstance(parsed, list) and all(isinstance(p, str) for p in parsed):
        return list(parsed)
    return None


def plan_list_edits(config: ConfigFile, parent: str, edits: Sequence[ListEdit]) -> tuple[str | None, list[str]]:
    """The new config.yaml text for ``edits`` (``None`` when every list is
    already as asked) and one line per change made.

    Raises :class:`StoreError` (nothing may be written) when a value has a
    shape this will not change, or the new text does not parse to exactly the
    old data with those items added or removed.
    """
    text = config.text or ""
    expected = copy.deepcopy(config.data)
    done: list[str] = []
    try:
        section = config.mapping(parent)
    except StoreError as exc:
        raise StoreError(f"{exc}; nothing was written. Hermes reads `{parent}:` only as a mapping: fix it by hand") from None
    for edit in edits:
        where = f"{parent}.{edit.key}"
        wanted = [edit.item]
        by_hand = (f"Set it by hand: under `{parent}:`, make `{yaml_key(edit.key)}:` a list "
                   f"{'with' if edit.present else 'without'} {yaml_scalar(edit.item)}")
        current = section.get(edit.key)
        items = _items(current)
        try:
            if edit.present and items is None and current is not None:
                meant = _string_items(current) if isinstance(current, str) else None
                # Turned into the list it names only when it names us too: a
                # string naming only other plugins (which Hermes ignores) is
                # not ours to switch on.
                if meant is None or (edit.item not in meant and set(meant) - set(wanted)):
                    whole = [*(meant or []), *(wanted if edit.item not in (meant or []) else [])]
                    fix = f"`{yaml_key(edit.key)}: {flow_list(whole)}`" if meant else "a YAML list"
                    raise StoreError(f"{config.path}: {where} is {current!r}, which Hermes ignores (it reads only a "
                                     f"YAML list); nothing was written. Replace it by hand with {fix} under `{parent}:`")
                wanted = [*meant, *([edit.item] if edit.item not in meant else [])]
                text = _replace_scalar(text, parent, edit.key, flow_list(wanted))
                others = [name for name in wanted if name != edit.item]
                also = f"; Hermes now also loads {', '.join(others)}" if others else ""
                done.append(f"turned {where} from the string {current!r} (which Hermes ignores) into the list "
                            f"{flow_list(wanted)}{also}")
            elif edit.present and (items is None or edit.item not in items):
                text = add_item_text(text, parent, edit.key, edit.item)
                done.append(f"added {edit.item} to {where}")
            elif not edit.present and items is not None and edit.item in items:
                while edit.item in _list_in(text, parent, edit.key):
                    text = remove_item_text(text, parent, edit.key, edit.item)
                done.append(f"removed {edit.item} from {where}")
            else:
                continue
        except LayoutError as exc:
            raise StoreError(f"{config.path}: {exc}; nothing was written. {by_hand}") from None
        except yaml.YAMLError:
            raise StoreError(f"{config.path} has a layout this tool cannot edit without risk; nothing was written. "
                             f"{by_hand}") from None
        if not isinstance(expected.get(parent), dict):
            expected[parent] = {}
        target = expected[parent]
        old = _items(target.get(edit.key))
        if old is None and edit.present and isinstance(target.get(edit.key), str):
            target[edit.key] = wanted  # a string turned into the list it meant
        else:
            old = old or []
            target[edit.key] = [*old, edit.item] if edit.present else [x for x in old if x != edit.item]
        section = target
    if not done:
        return None, []
    try:
        parsed = load(text) or {}
    except yaml.YAMLError:
        parsed = None
    if parsed != expected:
        raise StoreError(f"{config.path} has a layout this tool cannot edit without risk; nothing was written. "
                         f"Set it by hand under `{parent}:`: "
                         + "; ".join(f"{e.key} {'with' if e.present else 'without'} {e.item}" for e in edits))
    return text, done


def _replace_scalar(text: str, parent: str, key: str, rendered: str) -> str:
    root = _compose(text)
    node = _parent(root, parent) if root is not None else None
    child = mapping_value(node, key) if isinstance(node, yaml.MappingNode) else None
    if child is None or not isinstance(child[1], yaml.ScalarNode):
        raise LayoutError(f"{parent}.{key} is not a plain value")
    start, end = child[1].start_mark.index, child[1].end_mark.index
    return text[:start] + rendered + text[end:]
