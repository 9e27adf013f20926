"""Answers from a person at a terminal: keys at a masked prompt, a label each,
then the strategy. Every question goes through the context's prompter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...display import wrap
from ...keys.detect import mask
from ...keys.rules import clean_label, key_problem
from ...prompts import Prompter
from ..discovery import PoolState
from ..plan import Answers, PoolIndex, key_prefix_note
from ..strategy import STRATEGIES, STRATEGY_HELP
from .manage import manage

#: The choices when a key could not be checked (offline, the host slow or down).
UNCHECKED_CHOICES = [("retry", "Check it again", "ask the provider once more"),
                     ("add", "Add it without the check", "HERMES_SETUP_POOLS_KEY_CHECK=off adds keys unchecked in later runs"),
                     ("skip", "Don't add it", "leave this key out and go on")]


class CheckSession:
    """The key check at a terminal: asked once per run ("Check new keys with
    <host> now?"), then each typed key is checked as soon as it is entered."""

    def __init__(self, prompter: Prompter, state: PoolState, echo: Callable[[str], None],
                 checked: list[tuple[str, Any]] | None = None) -> None:
        self.prompter, self.state, self.echo = prompter, state, echo
        self.checker: Any = None
        self.enabled: bool | None = None
        # (key, result) of each check so far, in order: when the questions are
        # replayed (the user went back), the same checks are not sent again.
        self.checked = [] if checked is None else checked
        self.count = 0

    def accept(self, key: str) -> bool:
        """Check ``key`` (asking first, once) and say what was found; False when
        the provider rejected it and the user does not insist."""
        from ..envstore import reference_source

        if reference_source(key) is not None:
            return True  # a reference: only Hermes resolves it, at its start-up
        if self.enabled is None:
            from ..checking import KeyChecker, switched_off

            self.enabled = False
            if not switched_off():
                self.checker = KeyChecker(self.state)
                if self.checker.available:
                    self.enabled = self.prompter.confirm(f"Check new keys with {self.checker.host} now?", default=True)
                else:
                    self.echo(f"  – no check available for {self.state.pool_key}; keys are added unchecked")
        if not self.enabled:
            return True
        while True:
            result = self._check(key)
            self.echo(f"    {result.describe()}")
            if result.verdict == "rejected":
                return self.prompter.confirm("The provider rejected this key. Add it anyway?", default=False)
            if result.verdict != "unknown":
                return True
            # One rule with --check: a key that could not be checked is not added without a decision.
            choice = self.prompter.select(f"Could not check this key with {self.checker.host}. What now?",
                                          UNCHECKED_CHOICES, default="retry")
            if choice != "retry":
                return choice == "add"
            self.checked.pop()  # the retry is a new check
            self.count -= 1

    def _check(self, key: str) -> Any:
        """The check of ``key``; when the questions are replayed, the one already done."""
        if self.count < len(self.checked) and self.checked[self.count][0] == key:
            result = self.checked[self.count][1]
        else:
            result = self.checker.check(key)
            del self.checked[self.count :]
            self.checked.append((key, result))
        self.count += 1
        return result


def ask_store(prompter: Prompter, pool: PoolIndex) -> None:
    """Where the keys added now live, asked once (only where this Hermes reads
    numbered keys from ``.env``; elsewhere they go to auth.json)."""
    from ..envstore import env_store_problem, store_variable

    if pool.store_asked or env_store_problem(pool.state):
        return
    pool.store_asked = True
    var = store_variable(pool.state.target)
    where = "this Hermes reads" if pool.state.features.installed else "Hermes 0.22+ reads"
    choices = [("auth", "auth.json", "auth.json: Hermes' credential store, the key in plain text in a file only you "
                "can read"),
               ("env", f".env as {var}_2 …", f".env: {where} numbered keys ({var}_2, {var}_3 …); auth.json gets "
                "only a reference")]
    pool.store = prompter.select("Where should Hermes keep the keys you add?", choices, default=pool.store)


def ask_for_keys(prompter: Prompter, pool: PoolIndex, echo: Callable[[str], None], checks: CheckSession) -> None:
    """Ask for keys until the user presses Enter on an empty prompt. A secret
    reference (``op://…``) is taken when this Hermes can resolve it."""
    from ..envstore import dotenv_value_problem, reference_problem, reference_source

    state = pool.state

    def check_key(answer: str) -> str | None:
        if not answer.strip():
            return None  # Enter on an empty prompt finishes
        if reference_source(answer) is not None:
            problem = reference_problem(answer, state)
            owner = pool.owner(answer)
            return problem or (f"that reference is already in the pool as {owner!r}" if owner else None)
        problem = key_problem(answer) or (dotenv_value_problem(answer) if pool.in_env(answer) else None)
        if problem:
            return problem
        owner = pool.owner(answer)
        return f"that key is already in the pool as {owner!r}" if owner else None

    prefixes = state.target.provider.key_prefixes if state.target.provider else ()

    def check_label(answer: str) -> str | None:
        label, problem = clean_label(answer, prefixes)
        if problem or not label:
            return problem  # Enter on an empty prompt takes the default
        if pool.label_used(label):
            return f"the label {label!r} is already used in this pool"
        return None

    while True:
        noun = "another API key" if pool.count else "an API key"
        key = prompter.password(f"Add {noun} for {state.pool_key} (Enter to finish):", validate=check_key).strip()
        if not key:
            return
        note = key_prefix_note(state, key)
        if note and not prompter.confirm(f"{note}. Add it anyway?", default=False):
            continue
        if not checks.accept(key):
            continue
        if reference_source(key) is None:
            ask_store(prompter, pool)
        default = pool.default_label(key)
        answer = prompter.text(f"Label for this key (Enter for {default}):", validate=check_label)
        label = clean_label(answer, prefixes)[0] or default
        cred = pool.add(label, key)
        where = f" as {cred.source[4:]} in .env" if cred.source.startswith("env:") else ""
        echo(f"  + {label} ({mask(key)}){where}")


def ask_strategy(prompter: Prompter, state: PoolState, total: int, *, always: bool = False) -> str | None:
    """Ask how to rotate when the pool will hold two or more keys (or when the
    user asked to choose); ``None`` when there is nothing to write."""
    if total < 2 and not always:
        return None
    # The explanation shows under the menu while its strategy is highlighted: the
    # line left on screen once answered is then just the name.
    choices = [(name, name, f"{name}: {STRATEGY_HELP[name]}") for name in STRATEGIES]
    current = state.strategy
    question = f"How should Hermes rotate between these {total} keys?" if total >= 2 else "How should Hermes rotate keys?"
    chosen = prompter.select(question, choices, default=current.effective)
    # Enter on Hermes' own default, with nothing set, is not a change worth a write.
    return None if chosen == current.effective and current.raw is None else chosen


def gather(prompter: Prompter, state: PoolState, echo: Callable[[str], None], strategy: str | None,
           store: str | None = None, *, checked: list[tuple[str, Any]] | None = None) -> Answers:
    """All the interactive answers. A new pool: keys, then the strategy. An
    existing pool: the action menu (:mod:`.manage`). A ``strategy`` or
    ``store`` given as a flag is not asked."""
    pool = PoolIndex(state, store or "auth")
    pool.store_asked = store is not None
    hint = getattr(prompter, "keys_hint", lambda: "")()  # the keys inside `hermes setup`, said once
    if hint:
        echo(wrap(f"  {hint}", indent="    "))
    chosen: list[str | None] = [strategy]
    checks = CheckSession(prompter, state, echo, checked)

    def choose_strategy() -> None:
        chosen[0] = ask_strategy(prompter, state, pool.count, always=True) or chosen[0]

    if state.entries:
        manage(prompter, pool, echo, lambda: ask_for_keys(prompter, pool, echo, checks), choose_strategy)
    else:
        ask_for_keys(prompter, pool, echo, checks)
        if strategy is None:
            chosen[0] = ask_strategy(prompter, state, pool.count)
    return Answers(tuple(pool.changes), chosen[0])
