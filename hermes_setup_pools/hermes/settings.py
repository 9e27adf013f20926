"""What Hermes' own settings say about us: is the plugin enabled, is Hermes in
safe mode, and which home is Hermes using. Read by the start-up hook in every
`hermes setup`, so standard library only until config.yaml really has to be
parsed, and the ``plugins:`` block read by eye when it is written the plain
way Hermes writes it (a YAML parse of the whole file costs more than the rest
of the hook; measured with bench/run.py)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .. import HERMES_PLUGIN_NAME

if TYPE_CHECKING:
    from pathlib import Path

_TRUTHY = {"1", "true", "yes", "on"}
# Line breaks YAML knows besides "\n" and "\r\n"; with one of them in the file,
# lines are not what str.split("\n") says, so the whole file is parsed.
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
# Lines at column 0 that may hold the plugins key in another form, or that make
# "the next line at column 0 ends the block" untrue: the whole file is parsed.
_UNSURE = ("plugins ", "plugins\t", '"plugins', "'plugins", "? ", "---", "...", "%", "{", "[", "&", "!")


def safe_mode() -> bool:
    """``HERMES_SAFE_MODE`` is set (Hermes then loads no plugins)."""
    return os.environ.get("HERMES_SAFE_MODE", "").strip().lower() in _TRUTHY


def plugin_enabled(hermes_home: os.PathLike[str] | str) -> bool:
    """True when config.yaml lists ``setup-pools`` in ``plugins.enabled`` (and not
    in ``plugins.disabled``), the way ``hermes plugins enable`` records it."""
    try:
        with open(os.path.join(hermes_home, "config.yaml"), "rb") as handle:
            text = handle.read().decode("utf-8")
        if HERMES_PLUGIN_NAME not in text:
            return False  # the common case for a disabled plugin: no YAML parse at all
        block = plugins_block(text)
        lists = plain_lists(block) if block is not None else None
        if lists is not None:  # what Hermes writes: read by eye, no YAML parser started
            return HERMES_PLUGIN_NAME in lists["enabled"] and HERMES_PLUGIN_NAME not in lists["disabled"]
        import yaml  # Hermes is running, so its dependencies are importable

        # libyaml's loader when present (as Hermes reads config.yaml): the pure-Python
        # one would cost every `hermes setup` several milliseconds here.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        config: Any = None
        if block is not None:
            try:
                config = yaml.load(block, Loader=loader)
            except yaml.YAMLError:
                config = None  # the block alone does not parse: let the whole file say why
        if not isinstance(config, dict):
            config = yaml.load(text, Loader=loader) or {}
    except Exception:
        return False
    plugins = config.get("plugins") if isinstance(config, dict) else None
    if not isinstance(plugins, dict):
        return False
    enabled = plugins.get("enabled") or []
    disabled = plugins.get("disabled") or []
    return (
        isinstance(enabled, list)
        and HERMES_PLUGIN_NAME in enabled
        and not (isinstance(disabled, list) and HERMES_PLUGIN_NAME in disabled)
    )


def plugins_block(text: str) -> str | None:
    """The top-level ``plugins:`` block of config.yaml on its own (its key line
    and every line up to the next line at column 0 that is neither blank nor a
    comment), or ``None`` when the whole file must be parsed to know: no such
    line or more than one, another spelling of the key, a value on the key
    line (``plugins: {…}``, ``plugins: null``), document markers, a top-level
    flow collection, or line breaks other than ``\\n``.

    Hermes' config.yaml is kilobytes of other settings; reading only this block
    saves most of the check. It gives what parsing the whole file gives for
    any file in which each line at column 0 starts a top-level key, a comment
    or a marker, which is every file Hermes writes and anything written by
    hand with ordinary YAML. Two kinds of file can fool it, and then the hook
    is installed (or not) where Hermes would say otherwise: a quoted string
    running over several lines with ``plugins:`` at the start of one, and a
    file broken elsewhere (Hermes then stops on its config anyway).
    """
    if any(mark in text for mark in _OTHER_BREAKS):
        return None
    lines = text.split("\n")
    found = -1
    for number, line in enumerate(lines):
        if not line or line[0] in " #":
            continue  # most lines: indented, comments or blank
        if line.startswith("plugins:"):
            rest = line[len("plugins:") :].strip()
            if found >= 0 or (rest and not rest.startswith("#")):
                return None  # a second plugins key, or a value YAML must read
            found = number
        elif line.startswith(_UNSURE) or line.rstrip() == "plugins":
            return None
    if found < 0:
        return None
    end = found + 1
    while end < len(lines) and (not lines[end] or lines[end][0] in " #"):
        end += 1
    return "\n".join(lines[found:end]) + "\n"


def plain_lists(block: str) -> dict[str, list[str]] | None:
    """``enabled`` and ``disabled`` of a ``plugins:`` block written the plain way
    (``hermes plugins enable`` writes block lists; flow lists ``[a, b]`` and
    comments are read too), or ``None`` for anything else (quotes, anchors,
    nested or multi-line values, repeated keys, tabs): YAML then reads it.
    Only whether an item is the plain word ``setup-pools`` matters, and YAML
    reads a plain word as that string, so other items are kept as written.
    A key left empty counts as an empty list, as ``plugins.get(...) or []`` does."""
    if "\t" in block:
        return None
    lists: dict[str, list[str]] = {}
    indent = -1
    current = ""  # the key whose block list the next "- item" lines belong to
    item_indent = -1
    for line in block.split("\n")[1:]:
        body = line.lstrip(" ")
        if not body or body[0] == "#":
            continue
        depth = len(line) - len(body)
        if indent < 0:
            indent = depth
        if body == "-" or body.startswith("- "):
            if not current:
                if depth > indent:
                    continue  # a list inside another key's value
                return None  # a list at key level under another key: let YAML read it
            if depth < indent or (item_indent >= 0 and depth != item_indent):
                return None
            item_indent = depth
            item = _plain_word(body[1:])
            if item is None:
                return None
            lists[current].append(item)
            continue
        if depth > indent:
            if current:
                return None  # something nested under enabled/disabled that is not a plain item
            continue  # inside another key's value
        if depth < indent:
            return None
        key, colon, after = body.partition(":")
        rest = _uncommented(after)
        if not colon or rest is None or not key.replace("_", "").replace("-", "").isalnum():
            return None
        current, item_indent = "", -1
        if key not in ("enabled", "disabled"):
            if rest[:1] in ("'", '"', "[", "{") and not rest.endswith(("'", '"', "]", "}")):
                return None  # a value that may run over several lines
            continue
        if key in lists:
            return None
        if not rest:
            lists[key], current = [], key
        elif rest[0] == "[" and rest[-1] == "]":
            inner = rest[1:-1].strip()
            lists[key] = []
            for part in inner.split(",") if inner else ():
                item = _plain_word(part)
                if item is None:
                    return None
                lists[key].append(item)
        else:
            return None
    lists.setdefault("enabled", [])
    lists.setdefault("disabled", [])
    return lists


def _uncommented(text: str) -> str | None:
    """``text`` stripped, without a trailing `` # comment``; ``None`` if a ``#``
    stands where YAML might read it otherwise."""
    hash_at = text.find("#")
    if hash_at >= 0:
        if hash_at > 0 and text[hash_at - 1] not in " ":
            return None
        text = text[:hash_at]
    return text.strip()


def _plain_word(text: str) -> str | None:
    """A list item that is a plain word (letters, digits, ``-_.``), else ``None``."""
    word = _uncommented(text)
    if not word or not word[0].isalnum() or not word.replace("-", "").replace("_", "").replace(".", "").isalnum():
        return None
    return word


def current_hermes_home() -> Path:
    """Hermes' own idea of its home (profile-aware), else ``$HERMES_HOME`` / ``~/.hermes``."""
    from pathlib import Path

    try:
        from hermes_constants import get_hermes_home

        return Path(get_hermes_home())
    except Exception:
        env = os.environ.get("HERMES_HOME", "").strip()
        return Path(env).expanduser() if env else Path.home() / ".hermes"
