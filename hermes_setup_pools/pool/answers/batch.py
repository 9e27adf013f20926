"""Answers from flags and a key file, for CI and Docker: nothing is asked.

Keys come from ``--key-file``; changes to existing entries name them by label
(case-insensitive) or id, resolved against the pool as the earlier flags of
the same run leave it.
"""

from __future__ import annotations

from collections.abc import Callable

from ...display import named, plural, shown
from ...errors import SetupError
from ...keys.detect import quoted
from ...keys.rules import clean_label
from ...store.entries import STATUS_FIELDS, entry_label, is_manual
from ..changes import Move, Remove, Rename, Replace, Reset, Target
from ..discovery import PoolState
from ..options import PoolOptions
from ..plan import Answers, PoolIndex, key_prefix_note
from ..status import priority_order
from .keyfile import KeyLine, parse_key_lines, read_key_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Lines of per-key notes shown before "… and N more" (bulk loads add thousands).
NOTE_LINES = 12


def find_entry(pool: PoolIndex, name: str) -> tuple[dict[str, Any], Target]:
    """The entry ``name`` means, and its :class:`Target`: its id, else its exact
    label, else its label ignoring case. Unknown or ambiguous names are errors
    naming what exists (by position, label, id and masked key, never a key)."""
    entries = priority_order(pool.entries())
    numbered = list(enumerate(entries, start=1))
    matches = [(n, e) for n, e in numbered if str(e.get("id") or "") == name]
    matches = matches or [(n, e) for n, e in numbered if str(e.get("label", "")) == name]
    wanted = name.strip().casefold()
    matches = matches or [(n, e) for n, e in numbered if str(e.get("label", "")).strip().casefold() == wanted]
    if len(matches) == 1:
        position, entry = matches[0]
        return entry, Target.of(entry, position)
    pool_key = pool.state.pool_key
    if matches:
        which = "; ".join(f"#{n} {named(entry_label(e))!r} id {shown(e.get('id') or '(none)')} key "
                          f"{pool.state.masked(e)}" for n, e in matches)
        raise SetupError(f"{quoted(name)} names {len(matches)} entries in {pool_key} ({which}); name one by its id "
                         "(ids are shown by `pool --list`); nothing was written")
    if any(isinstance(c, Remove) and name in (c.target.id, c.target.label) for c in pool.changes):
        raise SetupError(f"{quoted(name)} is removed by --remove in this same run, so nothing else can be done to it; "
                         "nothing was written")
    renamed = next((c.label for c in pool.changes if isinstance(c, Rename) and name == c.target.label), None)
    if renamed is not None:
        raise SetupError(f"{quoted(name)} is renamed to {quoted(renamed)} by an earlier --rename in this same run: "
                         "name it that way, or in one --rename; nothing was written")
    labels = ", ".join(repr(named(entry_label(e))) for e in entries) or "no entries"
    raise SetupError(f"no entry {quoted(name)} in {pool_key}; it has: {labels}; nothing was written")


def _key_lines(options: PoolOptions, state: PoolState) -> tuple[str, list[KeyLine]]:
    assert options.key_file
    name = "standard input" if options.key_file == "-" else options.key_file
    prefixes = state.target.provider.key_prefixes if state.target.provider else ()
    source = list(options.key_lines) if options.key_lines is not None else read_key_source(options.key_file)
    lines = parse_key_lines(source, source=name, key_prefixes=prefixes)
    if not lines:
        raise SetupError(f"no keys in {name} (only blank or comment lines); nothing was written")
    return name, lines


def _add_keys(pool: PoolIndex, name: str, lines: list[KeyLine], echo: Callable[[str], None]) -> None:
    from ..envstore import dotenv_value_problem, reference_problem

    skipped = 0
    for line in lines:
        problem = reference_problem(line.key, pool.state)
        expanded = dotenv_value_problem(line.key)  # a substring test: cheap enough for every line
        if not problem and expanded and pool.in_env(line.key):
            problem = expanded
        if problem:
            raise SetupError(f"{name} line {line.line}: {problem}; nothing was written")
        owner = pool.owner(line.key)
        if owner:
            skipped += 1
            if skipped <= NOTE_LINES:
                echo(f"  = line {line.line}: already in the pool as {owner!r}; skipped")
            continue
        note = key_prefix_note(pool.state, line.key)
        if note:
            echo(f"  ! line {line.line}: {note} (added anyway)")
        label = line.label or pool.default_label(line.key)
        if pool.label_used(label):
            raise SetupError(f"{name} line {line.line}: the label {label!r} is already used in this pool; nothing was written")
        pool.add(label, line.key)
    if skipped > NOTE_LINES:
        echo(f"  = … {skipped - NOTE_LINES:,} more lines already in the pool; skipped")


def _replace(pool: PoolIndex, options: PoolOptions, name: str, lines: list[KeyLine], echo: Callable[[str], None]) -> None:
    assert options.replace is not None
    entry, target = find_entry(pool, options.replace)
    if not is_manual(str(entry.get("source") or "manual")):
        raise SetupError(f"{named(entry_label(entry))!r} is borrowed from {shown(entry.get('source'))}; change the key "
                         "there instead (only keys stored in auth.json can be replaced); nothing was written")
    if len(lines) != 1 or lines[0].label:
        raise SetupError(f"--replace takes exactly one key, alone on its line, from {name}; nothing was written")
    if pool.state.live_secret(entry) == lines[0].key.strip():
        echo(f"  = {named(entry_label(entry))} already has that key")  # a re-run: nothing to change
        return
    owner = pool.owner(lines[0].key)
    if owner:
        raise SetupError(f"{name} line {lines[0].line}: that key is already in the pool as {owner!r}; nothing was written")
    pool.change(Replace(target, pool.credential(entry_label(entry), lines[0].key)))


def _check_new_keys(pool: PoolIndex, name: str, lines: list[KeyLine], echo: Callable[[str], None]) -> None:
    """``--check``: every new key, in parallel; a rejected or unchecked one
    stops the run before anything is written (named by its line, never its key)."""
    from ..checking import KeyChecker
    from ..envstore import reference_source

    new = {cred.secret for cred in (getattr(c, "cred", None) for c in pool.changes) if cred is not None}
    todo = [line for line in lines if line.key in new and reference_source(line.key) is None]
    if not todo:
        return
    checker = KeyChecker(pool.state)
    if not checker.available:
        echo(f"  – no check available for {pool.state.pool_key}; keys are added unchecked")
        return
    echo(f"  Checking {plural(len(todo), 'key')} with {checker.host} …")
    rejected, unchecked = [], []
    for line, result in zip(todo, checker.check_all([line.key for line in todo]), strict=True):
        if result.verdict == "rejected":
            rejected.append(f"line {line.line}: {result.describe()}")
        elif result.verdict == "unknown":
            unchecked.append(f"line {line.line}: {result.describe()}")
        elif result.verdict == "no_credit":
            echo(f"  ! line {line.line}: valid but out of credit (added anyway)")
        elif len(todo) <= NOTE_LINES:
            echo(f"  line {line.line}: {result.describe()}")
    if rejected or unchecked:
        failed = rejected + unchecked
        more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
        then = []
        if rejected:
            then.append("take the rejected keys out of the file")
        if unchecked:
            then.append(f"retry when {checker.host} answers, or add the keys without the check (leave out --check, "
                        "or set HERMES_SETUP_POOLS_KEY_CHECK=off)")
        raise SetupError(f"{name}: {'; '.join(failed[:5])}{more}; nothing was written. Next: {'; '.join(then)}")


def _move_to_env(pool: PoolIndex, echo: Callable[[str], None]) -> None:
    """``--move-to env``: every key stored in plain text in auth.json moves to
    the next free numbered variable in ``.env``, its entry kept (same id,
    label, place, status) as a reference row."""
    from ..changes import ToEnv

    moved = 0
    for position, entry in enumerate(priority_order(pool.entries()), start=1):
        secret = entry.get("access_token")
        if not is_manual(str(entry.get("source") or "manual")) or not isinstance(secret, str) or not secret:
            continue
        if (entry.get("auth_type") or "api_key") != "api_key":
            echo(f"  = {named(entry_label(entry))}: an OAuth token, not an API key; left in auth.json")
            continue
        cred = pool.credential(entry_label(entry), secret, f"env:{pool.env_names.next()}")
        pool.change(ToEnv(Target.of(entry, position), cred))
        moved += 1
    if not moved:
        echo("  = no key of this pool is stored in auth.json in plain text")


def gather(options: PoolOptions, state: PoolState, echo: Callable[[str], None]) -> Answers:
    """The answers ``options`` give: keys from ``--key-file``, the management
    flags in the order add, remove, rename, move, replace, reset, and ``--strategy``."""
    pool = PoolIndex(state, options.store or "auth")
    lines: list[KeyLine] = []
    name = ""
    if options.key_file:
        name, lines = _key_lines(options, state)
    if lines and options.replace is None:
        _add_keys(pool, name, lines, echo)
    for item in options.remove:
        pool.change(Remove(find_entry(pool, item)[1]))
    for item, new_label in options.rename:
        _rename(pool, item, new_label)
    if options.move is not None:
        _move(pool, *options.move)
    if options.replace is not None:
        _replace(pool, options, name, lines, echo)
    if options.move_to == "env":
        _move_to_env(pool, echo)
    if options.check:
        _check_new_keys(pool, name, lines, echo)
    if options.reset is not None:
        _reset(pool, options.reset, echo)
    return Answers(tuple(pool.changes), options.strategy)


def _rename(pool: PoolIndex, item: str, new_label: str) -> None:
    """``--rename ITEM NEW``: refused when the label is unusable or taken by another entry."""
    entry, target = find_entry(pool, item)
    label, problem = clean_label(new_label)
    if problem or not label:
        raise SetupError(f"--rename: {problem or 'the new label is empty'}; nothing was written")
    if label.casefold() != str(entry.get("label", "")).casefold() and pool.label_used(label):
        raise SetupError(f"--rename: the label {label!r} is already used in this pool; nothing was written")
    pool.change(Rename(target, label))


def _move(pool: PoolIndex, item: str, position: int) -> None:
    """``--move ITEM --to N`` (1-based, within the pool as it is by then)."""
    count = len(priority_order(pool.entries()))
    if not 1 <= position <= count:
        raise SetupError(f"--to {position}: the pool has positions 1 to {count}; nothing was written")
    pool.change(Move(find_entry(pool, item)[1], position - 1))


def _reset(pool: PoolIndex, item: str, echo: Callable[[str], None]) -> None:
    """``--reset [ITEM]`` (``*``: every entry with a cooldown or error); naming
    an entry that has neither says so."""
    if item == "*":
        chosen = [(entry, Target.of(entry, n)) for n, entry in enumerate(priority_order(pool.entries()), start=1)]
    else:
        chosen = [find_entry(pool, item)]
    for entry, target in chosen:
        if any(entry.get(field) is not None for field in STATUS_FIELDS):
            pool.change(Reset(target))
        elif item != "*":
            echo(f"  = {named(entry_label(entry))}: no cooldown or error to reset")
