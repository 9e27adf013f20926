"""The credential-pool step's options: what the ``pool`` command's flags say.

A typed value, passed to the step by the host that has them; inside the setup
flow (no flags) every option has its interactive default.
"""

from __future__ import annotations

from ..record import Record


class PoolOptions(Record):
    """Options of one run of the credential-pool step.

    ``provider``: the pool to work on (default: ``model.provider`` in
    config.yaml). ``strategy``: a canonical strategy to write. ``key_file``:
    where non-interactive keys come from (a path or ``-``). ``yes``: write
    without asking. ``dry_run``: show the diff, write nothing. ``list`` /
    ``json``: only show the pool. ``check``: ask the provider about each key.
    ``remove`` / ``rename`` / ``move`` / ``replace`` / ``reset``: change
    existing entries, named by label or id. ``store``: where new keys live
    (``auth`` or ``env``; ``None``: auth.json, or asked at a terminal).
    ``move_to``: ``env`` moves the pool's plaintext keys into ``.env``.
    """

    __slots__ = _fields = ("provider", "strategy", "key_file", "yes", "dry_run", "list", "json", "check", "remove",
                           "rename", "move", "replace", "reset", "store", "move_to", "key_lines")

    provider: str | None
    strategy: str | None
    key_file: str | None
    yes: bool
    dry_run: bool
    list: bool
    json: bool
    check: bool
    remove: tuple[str, ...]
    rename: tuple[tuple[str, str], ...]
    move: tuple[str, int] | None
    replace: str | None
    reset: str | None  # "*" for every entry
    store: str | None
    move_to: str | None
    key_lines: tuple[str, ...] | None  # the key file, read once (a run over every profile)

    def __init__(self, provider: str | None = None, strategy: str | None = None, key_file: str | None = None,  # noqa: PLR0917 (positional, as before)
                 yes: bool = False, dry_run: bool = False, list: bool = False, json: bool = False, check: bool = False,
                 remove: tuple[str, ...] = (), rename: tuple[tuple[str, str], ...] = (),
                 move: tuple[str, int] | None = None, replace: str | None = None, reset: str | None = None,
                 store: str | None = None, move_to: str | None = None, key_lines: tuple[str, ...] | None = None) -> None:
        self.provider = provider
        self.strategy = strategy
        self.key_file = key_file
        self.yes = yes
        self.dry_run = dry_run
        self.list = list
        self.json = json
        self.check = check
        self.remove = remove
        self.rename = rename
        self.move = move
        self.replace = replace
        self.reset = reset
        self.store = store
        self.move_to = move_to
        self.key_lines = key_lines

    @property
    def manages(self) -> bool:
        """Whether any flag changes existing entries."""
        return bool(self.remove or self.rename or self.move or self.replace or self.reset or self.move_to)
