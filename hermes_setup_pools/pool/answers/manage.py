"""Managing an existing pool at a terminal: after the table, add, remove,
rename, move, replace or reset keys and choose the strategy, until Finish.

Every choice only records a change; nothing is written before the summary is
confirmed, and the changes are applied by entry id to the pool as it is then.
"""

from __future__ import annotations

from collections.abc import Callable

from ...display import named, plural, shown, table, terminal_width, wrap
from ...errors import Cancelled
from ...keys.rules import clean_label, key_problem
from ...prompts import Prompter
from ..changes import Move, Remove, Rename, Replace, Reset, Target
from ..plan import PoolIndex
from ..show.table import pool_rows

Echo = Callable[[str], None]

#: The question of each action's key picker (short: the answer stays on its line).
PICK_QUESTIONS = {"remove": "Which key to remove?", "rename": "Which key to rename?", "move": "Which key to move?",
                  "replace": "Which key gets a new secret?"}

ACTIONS = [
    ("add", "Add keys"),
    ("remove", "Remove a key"),
    ("rename", "Rename a key"),
    ("move", "Move a key to another position"),
    ("replace", "Replace a key's secret (same label and position)"),
    ("reset", "Reset cooldowns"),
    ("strategy", "Choose the rotation strategy"),
    ("finish", "Finish"),
]


def pick(prompter: Prompter, pool: PoolIndex, question: str, *, manual_only: bool = False) -> Target | None:
    """Choose one entry of the pool as it is now (``None``: back to the menu).
    Entries are chosen by position, so two sharing an id stay apart."""
    rows = [row for row in pool_rows(pool.entries(), pool.state)
            if not manual_only or str(row.entry.get("source") or "manual").startswith("manual")]
    if not rows:
        return None
    cells = [(f"#{row.position}", named(row.entry.get("label", "")), named(row.entry.get("source") or "manual"), row.key,
              shown(row.status.describe())) for row in rows]
    width = terminal_width()
    # In columns, as in the pool table (the menu's pointer takes the first few columns of the line).
    lines = table(("#", "label", "source", "key", "status"), cells, width - 4 if width else None, indent="",
                  fit=(("shrink", 2), ("shrink", 1), ("shrink", 4)))[1:]
    choices = [(str(row.position), line) for row, line in zip(rows, lines, strict=True)]
    choices.append(("", "(back)"))
    chosen = prompter.select(question, choices, default=choices[0][0])
    return next((Target.of(row.entry, row.position) for row in rows if str(row.position) == chosen), None)


def _label_validator(pool: PoolIndex, current: str = "") -> Callable[[str], str | None]:
    provider = pool.state.target.provider
    prefixes = provider.key_prefixes if provider else ()

    def check(answer: str) -> str | None:
        label, problem = clean_label(answer, prefixes)
        if problem:
            return problem
        if not label:
            return None  # Enter keeps the current label
        if label.casefold() != current.casefold() and pool.label_used(label):
            return f"the label {label!r} is already used in this pool"
        return None

    return check


def _key_validator(pool: PoolIndex) -> Callable[[str], str | None]:
    def check(answer: str) -> str | None:
        if not answer.strip():
            return None  # Enter: back to the menu
        owner = pool.owner(answer)
        return key_problem(answer) or (f"that key is already in the pool as {owner!r}" if owner else None)

    return check


def manage(prompter: Prompter, pool: PoolIndex, echo: Echo,
           add_keys: Callable[[], None], choose_strategy: Callable[[], None]) -> None:
    """The action menu, until the user picks Finish."""
    while True:
        action = prompter.select("What would you like to do?", ACTIONS, default="finish")
        if action == "finish":
            return
        try:
            _do(prompter, pool, echo, action, (add_keys, choose_strategy))
        except Cancelled:
            # Ctrl-C inside an action leaves that action, never the changes chosen so far.
            kept = len(pool.changes)
            echo(wrap(f"  Back to the menu; {plural(kept, 'change')} chosen so far kept (Ctrl-C at the menu cancels "
                      "the whole step, nothing written)." if kept else "  Back to the menu.", indent="    "))


def _do(prompter: Prompter, pool: PoolIndex, echo: Echo, action: str,
        asks: tuple[Callable[[], None], Callable[[], None]]) -> None:
    """One action of the menu (``asks``: how to add keys and choose the strategy)."""
    add_keys, choose_strategy = asks
    if action == "add":
        add_keys()
    elif action == "strategy":
        choose_strategy()
    elif action == "reset":
        _reset(prompter, pool, echo)
    else:
        target = pick(prompter, pool, PICK_QUESTIONS[action], manual_only=action == "replace")
        if target is None:
            if action == "replace":
                echo("  Only keys stored in auth.json (manual) can be replaced here; change a variable in .env itself.")
            return
        _act(prompter, pool, echo, action, target)


def _act(prompter: Prompter, pool: PoolIndex, echo: Echo, action: str, target: Target) -> None:
    label = named(target.label)
    if action == "remove":
        pool.change(Remove(target))
        echo(f"  - {label} will be removed")
    elif action == "rename":
        answer = prompter.text(f"New label for {label} (Enter keeps it):", validate=_label_validator(pool, target.label))
        new = clean_label(answer)[0]
        if new and new != target.label:
            pool.change(Rename(target, new))
            echo(f"  ~ {label} will be renamed to {shown(new)!r}")
    elif action == "move":
        count = len([e for e in pool.entries() if isinstance(e, dict)])
        positions = [(str(n), f"position {n}" + (" (tried first)" if n == 1 else "")) for n in range(1, count + 1)]
        current = str(target.position)
        chosen = prompter.select(f"Move {label} to:", positions, default=current)
        if chosen != current:
            pool.change(Move(target, int(chosen) - 1))
            echo(f"  ~ {label} will move to position {chosen}")
    elif action == "replace":
        key = prompter.password(f"New key for {label} (Enter to go back):", validate=_key_validator(pool)).strip()
        if key:
            pool.change(Replace(target, pool.credential(target.label, key)))
            echo(f"  ~ {label} will get the new key")


def _reset(prompter: Prompter, pool: PoolIndex, echo: Echo) -> None:
    rows = [row for row in pool_rows(pool.entries(), pool.state)
            if any(row.entry.get(field) is not None for field in ("last_status", "last_status_at", "last_error_code"))]
    if not rows:
        echo("  No key has a cooldown or an error to reset.")
        return
    choices = [("*", f"All {len(rows)} keys with a cooldown or error" if len(rows) > 1 else
                "The 1 key with a cooldown or error")]
    choices += [(str(row.position), f"#{row.position}  {row.entry.get('label', '')}  {row.status.describe()}")
                for row in rows]
    choices.append(("", "(back)"))
    chosen = prompter.select("Reset which cooldowns?", choices, default="*")
    for row in rows:
        if chosen in ("*", str(row.position)):
            pool.change(Reset(Target.of(row.entry, row.position)))
            echo(f"  ~ {named(row.entry.get('label', ''))}: cooldown will be reset")
